"""What sealing personal data at rest costs a caseworker entering an incident (§5).

Enters the same fictional incident again and again through `create_incident` in its own
unit of work, as the New incident page does, on a temporary SQLite database (or --url):
a restricted incident with a narrative, a victim with a contact, a witness, a victim who
did not consent, and a confidential testimony with a quote, so every kind of sealed value
is written (one data key each for the incident, the three people and the source). The
same entries are timed with the sealing listener detached, which is what entering an
incident cost before values were sealed. The two take turns, so a slow moment of the
machine falls on both. Prints the median and spread of each and their ratio (target:
at most 1.20).

Run: python benchmarks/bench_sealing.py [--tries N] [--url URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# A fictional database: a fixed benchmark key unless one is given, never the key file.
os.environ.setdefault("SIJIL_SECRET_KEY", "YmVuY2htYXJrLWtleS1ub3QtZm9yLXJlYWwtZGF0YSE=")

from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from records import sealing  # noqa: E402
from records.db import make_engine, unit_of_work  # noqa: E402
from records.services.access import SYSTEM  # noqa: E402
from records.services.incidents import create_incident  # noqa: E402
from records.services.setup import prepare_database  # noqa: E402
from records.services.users import add_user, get_user, principal_of  # noqa: E402
from tests.factories import incident_data  # noqa: E402

TARGET = 1.20


def entered(number: int) -> dict:
    return incident_data(
        title=f"Raid on a protest organiser's home, number {number} (fictional)",
        sensitivity="restricted",
        narrative="Armed men searched the house at night and took two phones.",
        victims=[
            {"person": {"full_name": f"Karim Example {number}", "contact": "+964 770 000 0000"},
             "outcome": "injured", "consent_to_publish_name": True},
            {"person": {"full_name": f"Witness Example {number}", "profiles": ["witness"]},
             "outcome": "unharmed"},
            {"person": {"full_name": f"Unnamed Example {number}"}, "outcome": "killed"},
        ],
        citations=[{"source": {"kind": "witness_testimony",
                               "title": f"Interview {number}", "is_confidential": True},
                    "statement": "Describes the raid.", "quote": "They came at two."}])


def enter(engine, by, number: int) -> float:
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        create_incident(session, entered(number), by=by)
    return time.perf_counter() - started


def run(url: str | None, tries: int) -> bool:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(url or f"sqlite:///{Path(folder) / 'bench.db'}")
        prepare_database(engine)
        with unit_of_work(engine) as session:
            add_user(session, "bench_admin", "correct horse battery", role="admin", by=SYSTEM)
        with unit_of_work(engine) as session:
            add_user(session, "bench_caseworker", "correct horse battery",
                     role="caseworker", by=SYSTEM)
        with unit_of_work(engine) as session:
            by = principal_of(get_user(session, "bench_caseworker"))
        times: dict[str, list[float]] = {"sealed": [], "in clear (before)": []}
        for number in range(10):  # warm-up: caches, the chain key and its seal
            enter(engine, by, number)
        for i in range(tries):
            times["sealed"].append(enter(engine, by, 2 * i + 100))
            event.remove(Session, "before_flush", sealing._seal_before_flush)
            try:
                times["in clear (before)"].append(enter(engine, by, 2 * i + 101))
            finally:
                event.listen(Session, "before_flush", sealing._seal_before_flush)
        engine.dispose()
    medians = {case: statistics.median(values) for case, values in times.items()}
    for case, values in times.items():
        print(f"{case:>20}: median {medians[case] * 1000:7.2f} ms   "
              f"spread {min(values) * 1000:7.2f}–{max(values) * 1000:7.2f} ms   ({tries} tries)")
    ratio = medians["sealed"] / medians["in clear (before)"]
    print(f"sealed / in clear: {ratio:.2f} (target at most {TARGET:.2f})")
    return ratio <= TARGET


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=200)
    parser.add_argument("--url", default=None, help="a database URL (default: temporary "
                                                    "SQLite)")
    args = parser.parse_args()
    run(args.url, args.tries)


if __name__ == "__main__":
    main()
