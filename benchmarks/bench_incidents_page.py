"""How fast the Incidents page shows its first page over 100 000 incidents.

Builds (once, then reuses) a SQLite database of demo incidents, then times
list_incidents for the first page with and without filters, the dashboard figures, and a
full AppTest run of the Incidents page. Run: python benchmarks/bench_incidents_page.py
[--incidents N] [--db PATH]. The database is kept at PATH so later runs skip the build.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from records.db import make_engine, read_session, unit_of_work  # noqa: E402
from records.services.access import SYSTEM  # noqa: E402
from records.services.incidents import IncidentFilter, list_incidents  # noqa: E402
from records.services.setup import prepare_database  # noqa: E402
from records.services.stats import dashboard_stats  # noqa: E402
from records.services.users import add_user, count_users, get_user, principal_of  # noqa: E402

PASSWORD = "correct horse battery"


def build(url: str, incidents: int, seed: int) -> None:
    engine = make_engine(url)
    prepare_database(engine)
    with read_session(engine) as session:
        fresh = count_users(session) == 0
    if fresh:
        with unit_of_work(engine) as session:
            add_user(session, "bench_admin", PASSWORD, role="admin", by=SYSTEM)
        with unit_of_work(engine) as session:
            add_user(session, "bench_viewer", PASSWORD, role="viewer", by=SYSTEM)
            add_user(session, "bench_reviewer", PASSWORD, role="reviewer", by=SYSTEM)
        started = time.perf_counter()
        try:
            from records.services.demo import load_demo
        except ImportError:
            load_demo = None
        if load_demo is not None:
            def progress(done: int, total: int) -> None:
                print(f"\r  loaded {done}/{total} incidents", end="", flush=True)
            load_demo(engine, incidents=incidents, seed=seed, by=SYSTEM, progress=progress)
        else:
            _synthetic(engine, incidents)
        print(f"\n  built in {time.perf_counter() - started:.0f} s")
    engine.dispose()


def _synthetic(engine, incidents: int) -> None:
    from records.services.incidents import create_incidents

    def items():
        for i in range(incidents):
            yield {"title": f"Synthetic incident {i} (fictional)", "incident_type": "threat",
                   "start_date": dt.date(2015 + i % 10, 1 + i % 12, 1 + i % 28),
                   "admin1": "IQ-BG", "narrative": "Synthetic text for timing."}

    with unit_of_work(engine) as session:
        create_incidents(session, items(), by=SYSTEM)


def timed(label: str, fn, repeat: int = 7) -> float:
    fn()  # warm the caches, as a page already in use would have them
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    median = statistics.median(times) * 1000
    print(f"  {label:<58} median {median:7.1f} ms  (min {min(times) * 1000:.1f})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "bench_100k.db")
    args = parser.parse_args()
    url = f"sqlite:///{args.db}"
    print(f"database: {args.db}")
    build(url, args.incidents, args.seed)

    engine = make_engine(url)
    with read_session(engine) as session:
        viewer = principal_of(get_user(session, "bench_viewer"))
        reviewer = principal_of(get_user(session, "bench_reviewer"))
        total = list_incidents(session, by=reviewer, page_size=1).total
    print(f"incidents visible to a reviewer: {total}")

    def first_page(by, filters=None):
        def run():
            with read_session(engine) as session:
                list_incidents(session, by=by, filters=filters, page=1, page_size=50)
        return run

    print("list_incidents, first page of 50:")
    timed("no filter (reviewer)", first_page(reviewer))
    timed("no filter (viewer: restricted left out)", first_page(viewer))
    timed("status = verified", first_page(reviewer, IncidentFilter(statuses=["verified"])))
    timed("type + governorate", first_page(
        reviewer, IncidentFilter(incident_type="killing", admin1="IQ-BG")))
    timed("date range (one year)", first_page(
        reviewer, IncidentFilter(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31))))
    timed("perpetrator type", first_page(
        reviewer, IncidentFilter(actor_type="state_forces")))
    timed("free text 'journalist' (title, narrative, names)", first_page(
        reviewer, IncidentFilter(text="journalist")), repeat=3)
    timed("last page (offset)", lambda: _last_page(engine, reviewer, total), repeat=3)

    def stats():
        with read_session(engine) as session:
            dashboard_stats(session, by=reviewer)
    print("dashboard:")
    timed("dashboard_stats (all figures)", stats, repeat=3)

    print("AppTest run of the Incidents page (server time, whole script):")
    os.environ["SIJIL_DATABASE_URL"] = url
    from streamlit.testing.v1 import AppTest

    from ui import state

    at = AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=120)
    at.session_state[state.PRINCIPAL] = reviewer
    at.run()
    at.switch_page("app_pages/incidents.py")

    def page_run():
        at.run()
        assert not at.exception, at.exception
        assert len(at.dataframe[0].value) == 50

    timed("Incidents page, first page", page_run, repeat=5)


def _last_page(engine, by, total: int) -> None:
    with read_session(engine) as session:
        list_incidents(session, by=by, page=max(1, -(-total // 50)), page_size=50)


if __name__ == "__main__":
    main()
