"""python -m benchmarks --size N [--postgres URL] [--quick] [--repeat R] [--cases ...]

Builds the data with `sijil demo`, runs each case several times and prints one table of
medians (p95 where the target is a p95), ratios and targets, on SQLite and, with
--postgres (a server URL whose user may create databases), on PostgreSQL too. Timings
never make the run fail: a missed target is a line of the table; only a case that breaks
(a command failing, a page raising) makes the exit status 1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from benchmarks.harness import BENCH_KEY, Row, say, table

CASES = ("demo", "io", "search", "pages", "audit", "login", "sealing", "browser")
SMALL = 1000  # the size the pages are compared with


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=None,
                        help="incidents in the database (default 10 000; --quick: 100)")
    parser.add_argument("--postgres", help="also on this PostgreSQL server URL")
    parser.add_argument("--postgres-only", action="store_true",
                        help="with --postgres: skip SQLite")
    parser.add_argument("--quick", action="store_true",
                        help="small and few: a check that every case runs (make bench-quick)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs of each case (default 3; --quick: 2)")
    parser.add_argument("--sessions", type=int, default=8, help="browser sessions at once")
    parser.add_argument("--cases", default=",".join(CASES),
                        help=f"comma-separated, of: {', '.join(CASES)}")
    parser.add_argument("--reads-at", type=int, default=None, metavar="M",
                        help="also time search, pages and the export's memory at M "
                             "incidents: the demo data copied in SQL "
                             "(benchmarks/replicate.py), read cases only")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the databases and files (default: a temporary one)")
    return parser.parse_args()


def _run_engine(args, databases, cases: set[str], rows: list[Row], broken: list[str]) -> None:
    from benchmarks import (
        cases_audit,
        cases_browser,
        cases_io,
        cases_login,
        cases_sealing,
        cases_search,
    )
    from benchmarks.data import demo_database, prepare

    engine, size, repeat, work = databases.engine, args.size, args.repeat, databases.work
    small = SMALL if args.size > SMALL else max(10, args.size // 4)

    def attempt(name: str, action) -> None:
        say(f"[{engine}] {name}")
        started = time.perf_counter()
        try:
            found = action()
            rows.extend(found if isinstance(found, list) else [found])
        except Exception:  # noqa: BLE001 - one broken case must not hide the others
            broken.append(f"{engine} {name}: {traceback.format_exc(limit=3)}")
        say(f"[{engine}] {name}: {time.perf_counter() - started:.0f} s")

    say(f"[{engine}] sijil demo --incidents {size}")
    demo_runs = []
    # At full size one demo run is minutes; the other runs are at the same size only when quick.
    for _ in range(repeat if size <= 2_000 and not args.quick else 1):
        url, run = demo_database(databases, "main", size)
        demo_runs.append(run)
    if "demo" in cases:
        rows.append(cases_io.demo_row(engine, size, demo_runs))
    small_url = None
    if "pages" in cases:
        small_url, _run = demo_database(databases, "small", small)
    if "io" in cases:
        # Each run is a process of its own: once is enough to see that it works.
        attempt("import and export", lambda: cases_io.io_rows(databases, url, size,
                                                              1 if args.quick else repeat))
    if "search" in cases:
        attempt("search", lambda: cases_search.search_row(engine, url, size, repeat))
    if "pages" in cases:
        attempt("pages", lambda: cases_search.page_rows(engine, url, size, small_url, small,
                                                        work, repeat))
    if "audit" in cases:
        attempt("audit verify", lambda: cases_audit.audit_row(engine, url, size, work,
                                                              1 if args.quick else repeat,
                                                              quick=args.quick))
    if "login" in cases:
        attempt("log-in", lambda: cases_login.login_rows(engine, url, size, repeat))
    if args.reads_at and args.reads_at > size and cases & {"search", "pages", "io"}:
        from benchmarks.replicate import copy_database, replicate

        def reads():
            copied = copy_database(databases, url)
            total = replicate(copied, args.reads_at)
            found = []
            if "search" in cases:
                found += cases_search.search_row(engine, copied, total, repeat)
            if "pages" in cases:
                found += cases_search.page_rows(engine, copied, total, small_url, small,
                                                work, repeat)
            if "io" in cases:
                found.append(cases_io.export_memory_row(engine, url, size, copied, total,
                                                        work))
            for row in found:
                row.note = f"demo {size:,} copied in SQL" + (f"; {row.note}" if row.note
                                                             else "")
            return found
        attempt(f"search and pages at {args.reads_at}", reads)
    if "sealing" in cases:
        # Entered into a database of its own: the timed cases above stay on the demo data.
        def sealing():
            fresh = databases.fresh("sealing")
            prepare(fresh, work)
            return cases_sealing.sealing_row(engine, fresh, 0, 5 if args.quick else 20)
        attempt("sealing", sealing)
    if "browser" in cases:
        sessions = min(args.sessions, 2) if args.quick else args.sessions
        attempt("browser sessions", lambda: cases_browser.browser_rows(
            engine, url, size, work, sessions, 1 if args.quick else repeat,
            warm=not args.quick))


def main() -> int:
    args = _arguments()
    args.size = args.size or (100 if args.quick else 10_000)
    args.repeat = args.repeat or (2 if args.quick else 3)
    cases = {c.strip() for c in args.cases.split(",") if c.strip()}
    unknown = cases - set(CASES)
    if unknown:
        say(f"unknown cases: {', '.join(sorted(unknown))}; known: {', '.join(CASES)}")
        return 2
    # The databases are fictional: a fixed key, never the installation's key file.
    os.environ.setdefault("SIJIL_SECRET_KEY", BENCH_KEY)
    from benchmarks.data import Databases

    rows: list[Row] = []
    broken: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sijil-bench-") as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        os.environ["SIJIL_FILES_DIR"] = str(work / "files")
        engines = [None] if not args.postgres else (
            [args.postgres] if args.postgres_only else [None, args.postgres])
        for postgres in engines:
            databases = Databases(work, postgres)
            try:
                _run_engine(args, databases, cases, rows, broken)
            finally:
                databases.drop_all()
    print(f"python -m benchmarks --size {args.size} --repeat {args.repeat}"
          f"{' --quick' if args.quick else ''}"
          f"{' --postgres URL' if args.postgres else ''}: {time.perf_counter() - started:.0f} s"
          f" on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")
    print(table(rows))
    for problem in broken:
        print(f"\nBROKEN: {problem}", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
