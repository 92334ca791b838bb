"""Cases 1-3: the bulk paths beside what a user would use instead.

1. `sijil import` of the internal CSV export (full validation, audited) into a fresh
   database vs `sqlite-utils insert --csv` of the same file into a plain table.
2. `sijil export --format csv --level internal` vs `sqlite-utils query --csv` and the
   `sqlite3` shell's `-csv` output of the same rows from that plain table; peak memory.
3. `sijil demo --incidents N`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from benchmarks.data import Databases, prepare
from benchmarks.harness import Row, Run, cli_env, run_process, say, sijil

PLAIN_TABLE = "incidents"


def _tool(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


def demo_row(engine: str, size: int, runs: list[Run]) -> Row:
    return Row("sijil demo", engine, size, [r.seconds for r in runs],
               peak_mb=max(r.peak_mb or 0 for r in runs),
               target=60 * size / 100_000, target_text="≤ 0.6 ms per incident "
               "(60 s at 100 000)")


def export_csv(url: str, work: Path, out: Path) -> Run:
    return run_process(sijil("export", "--format", "csv", "--level", "internal", "--status",
                             "all", "--out", str(out), "--as", "bench_admin"),
                       cli_env(url, work))


def io_rows(databases: Databases, url: str, size: int, repeat: int) -> list[Row]:
    """Export the demo database `url` `repeat` times, then import that file into fresh
    databases, each beside its plain-tool counterpart."""
    work, engine = databases.work, databases.engine
    exported = work / "export.csv"
    say(f"  export ×{repeat}")
    exports = [export_csv(url, work, exported) for _ in range(repeat)]
    rows: list[Row] = []
    sqlite_utils, sqlite3 = _tool("sqlite-utils"), _tool("sqlite3")
    plain = work / "plain.db"
    inserts: list[float] = []
    if sqlite_utils:
        for _ in range(repeat):
            plain.unlink(missing_ok=True)
            inserts.append(run_process([sqlite_utils, "insert", str(plain), PLAIN_TABLE,
                                        str(exported), "--csv"]).seconds)
    say(f"  import ×{repeat}")
    imports = []
    for _ in range(repeat):
        target = databases.fresh("import")
        prepare(target, work)
        imports.append(run_process(sijil("import", str(exported), "--as", "bench_admin"),
                                   cli_env(target, work)))
    rows.append(Row("import of the internal CSV export", engine, size,
                    [r.seconds for r in imports], baseline="sqlite-utils insert --csv",
                    baseline_runs=inserts, peak_mb=max(r.peak_mb or 0 for r in imports),
                    target=1.0, target_text="ratio ≤ 1.0"))
    query = f"select * from {PLAIN_TABLE}"  # noqa: S608 - a fixed name
    if sqlite_utils and plain.exists():
        runs = [run_process([sqlite_utils, "query", str(plain), query, "--csv"],
                            stdout=work / "plain.csv").seconds for _ in range(repeat)]
        rows.append(Row("CSV export, internal level", engine, size,
                        [r.seconds for r in exports], baseline="sqlite-utils query --csv",
                        baseline_runs=runs, peak_mb=max(r.peak_mb or 0 for r in exports),
                        target=1.5, target_text="ratio ≤ 1.5"))
    if sqlite3 and plain.exists():
        runs = [run_process([sqlite3, "-csv", "-header", str(plain), query],
                            stdout=work / "plain3.csv").seconds for _ in range(repeat)]
        rows.append(Row("CSV export, internal level", engine, size,
                        [r.seconds for r in exports], baseline="sqlite3 -csv",
                        baseline_runs=runs, note="reported"))
    return rows


def export_memory_row(engine: str, url: str, size: int, large_url: str, large: int,
                      work: Path) -> Row:
    """Peak memory of the internal CSV export of `large` incidents against `size`: an
    export pages through the incidents, so its memory must not grow with them."""
    small_run = export_csv(url, work, work / "export-small.csv")
    large_run = export_csv(large_url, work, work / "export-large.csv")
    return Row("CSV export, internal level, peak memory", engine, large,
               [large_run.peak_mb], unit="MB", baseline=f"same at {size:,}",
               baseline_runs=[small_run.peak_mb], target=1.5,
               target_text="ratio ≤ 1.5",
               note=f"{large_run.seconds:.1f} s vs {small_run.seconds:.1f} s")

