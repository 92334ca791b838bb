"""How long `sijil demo` takes: seconds for 10 000 and 100 000 incidents, on a fresh SQLite
database and, when one answers, a fresh PostgreSQL database.

Wall-clock seconds and the CPU seconds of this process are both shown: on a busy machine the
wall clock mostly measures the neighbours.

    python benchmarks/bench_demo.py [--sizes 10000,100000] [--engines sqlite,postgresql]

PostgreSQL is taken from SIJIL_BENCH_POSTGRES_URL (default: the local test server); a
scratch database is created on it and dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from records.db import make_engine, read_session
from records.models import AuditEntry, Person
from records.services.access import SYSTEM
from records.services.demo import load_demo
from records.services.setup import prepare_database

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1/test"


def _progress(label: str):
    started, cpu = time.perf_counter(), time.process_time()

    def report(done: int, total: int) -> None:
        if done == total or done % 5_000 == 0:
            wall, used = time.perf_counter() - started, time.process_time() - cpu
            print(f"  {label}: {done}/{total} after {wall:.0f} s ({used:.0f} s CPU)",
                  file=sys.stderr, flush=True)

    return report


def run(url: str, incidents: int, label: str) -> float:
    engine = make_engine(url)
    try:
        prepare_database(engine)
        started, cpu = time.perf_counter(), time.process_time()
        summary = load_demo(engine, incidents=incidents, seed=1, by=SYSTEM,
                            progress=_progress(label))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        with read_session(engine) as session:
            people = session.execute(select(func.count()).select_from(Person)).scalar_one()
            entries = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        print(f"{label}: {incidents} incidents in {seconds:.1f} s, {cpu:.1f} s CPU "
              f"({seconds / incidents * 1000:.2f} ms each; {people} people, "
              f"{entries} audit entries; {summary.victims} victims)", flush=True)
        return seconds
    finally:
        engine.dispose()


def bench_sqlite(incidents: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        run(f"sqlite:///{Path(directory) / 'demo.db'}", incidents, "sqlite")


def bench_postgresql(incidents: int) -> None:
    url = os.environ.get("SIJIL_BENCH_POSTGRES_URL", DEFAULT_PG_URL)
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect():
            pass
    except Exception as error:  # noqa: BLE001 - no server means: skip, saying why
        print(f"postgresql: skipped, {url} is not reachable ({error.__class__.__name__})")
        return
    name = f"sijil_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db_url = make_url(url).set(database=name).render_as_string(hide_password=False)
        run(db_url, incidents, "postgresql")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        for engine in args.engines.split(","):
            {"sqlite": bench_sqlite, "postgresql": bench_postgresql}[engine](size)


if __name__ == "__main__":
    main()
