"""Time `verify_chain` over a large keyed audit trail (default: one million entries, SQLite).

    .venv/bin/python benchmarks/bench_audit_verify.py [--entries N] [--db PATH | --url URL]
                                                      [--workers W] [--rebuild]

The trail is built once through the real write path (ORM rows flushed in a unit of work, so
the after_flush listener writes every entry) and kept in data/bench/ for later runs. Each
fictional incident gives ten entries: the incident, a victim and their person, a
perpetrator, a citation and its source, a case event (seven creates), then an edit, a
submit and a verify by a named reviewer (three updates). Building a million entries takes
some minutes; the timing that matters is the verification, printed at the end.

The trail is keyed like any other (its first write seals it), with SIJIL_SECRET_KEY if it
is set and otherwise with a fixed benchmark key, never the installation's key file: the
database is fictional. A trail built before keys existed is not sealed: give --rebuild.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from records.audit_chain import audit_action
from records.db import make_engine, read_session, unit_of_work
from records.models import (
    Actor,
    AppUser,
    AuditEntry,
    CaseEvent,
    Citation,
    Incident,
    Perpetrator,
    Person,
    Source,
    Victim,
)
from records.services.access import SYSTEM, Principal, act_as
from records.services.setup import prepare_database
from records.services.users import add_user, count_users, principal_of

# The base64 of b"sijil-benchmark-key-0123456789ab": for this fictional database only.
BENCH_KEY = "c2lqaWwtYmVuY2htYXJrLWtleS0wMTIzNDU2Nzg5YWI="
ENTRIES_PER_INCIDENT = 10
BATCH = 1000
DEFAULT_DB = Path("data/bench/audit_verify.db")
FIRST = ["Sami", "Hussein", "Zainab", "Ali", "Noor", "Hawraa", "Mustafa", "Safaa"]
LAST = ["Example", "Fictional", "Testcase", "Placeholder", "Sample"]


def _count(engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def _incident(rng: random.Random, n: int, actors: list[Actor]) -> Incident:
    day = dt.date(2019, 10, 1) + dt.timedelta(days=rng.randrange(1800))
    first, last = rng.choice(FIRST), rng.choice(LAST)
    person = Person(full_name=f"{first} {last} {n}", sex=rng.choice(["male", "female"]),
                    profiles=["activist"], name_key=f"{first} {last} {n}".lower())
    source = Source(kind="media", title=f"Fictional news report {n}",
                    url=f"https://example.org/report/{n}")
    return Incident(
        ref=f"INC-{2000 + n // 100000:04d}-{n % 100000:05d}",
        title=f"Fictional incident {n}", narrative="A fictional account for benchmarks. " * 3,
        incident_type=rng.choice(["killing", "attempted_killing", "abduction", "threat"]),
        start_date=day, country="IQ", admin1="IQ-BG", locality=f"Fictional street {n}",
        latitude=33.3 + rng.random() / 10, longitude=44.4 + rng.random() / 10,
        geo_precision="near", method="firearm", context="protest_related",
        status="draft", injured=1,
        victims=[Victim(person=person, outcome="injured", consent_to_publish_name=False)],
        perpetrators=[Perpetrator(actor=rng.choice(actors), attribution="alleged",
                                  basis="witness accounts")],
        citations=[Citation(source=source, statement="Reports the attack.")],
        case_events=[CaseEvent(date=day, kind="complaint", description="Complaint filed.")],
    )


def _reviewer(engine) -> Principal:
    """The fictional reviewer who verifies every incident (the system never verifies)."""
    with unit_of_work(engine) as session:
        if not count_users(session):
            add_user(session, "bench-admin", secrets.token_urlsafe(16), role="admin", by=SYSTEM)
        found = session.scalar(select(AppUser).where(AppUser.username == "bench-reviewer"))
        if found is None:
            return principal_of(add_user(session, "bench-reviewer", secrets.token_urlsafe(16),
                                         role="reviewer", by=SYSTEM))
        return principal_of(found)


def build(engine, entries: int) -> None:
    rng = random.Random(7)
    reviewer = _reviewer(engine)
    with unit_of_work(engine) as session:
        act_as(session, SYSTEM)
        if not session.scalar(select(func.count()).select_from(Actor)):
            session.add_all([Actor(name=f"Fictional armed group {i}",
                                   actor_type="non_state_armed_group") for i in range(50)])
        # A trail built in part before grows on: the refs go on from the last incident.
        made = session.scalar(select(func.count()).select_from(Incident))
    start = time.perf_counter()
    while (have := _count(engine)) < entries:
        wanted = min(BATCH, -(-(entries - have) // ENTRIES_PER_INCIDENT))
        with unit_of_work(engine) as session:
            act_as(session, SYSTEM)
            actors = list(session.scalars(select(Actor)))
            incidents = [_incident(rng, made + i + 1, actors) for i in range(wanted)]
            session.add_all(incidents)
            session.flush()
            for incident in incidents:
                incident.title += " (edited)"
            session.flush()
            with audit_action(session, "submit"):
                for incident in incidents:
                    incident.status = "submitted"
            act_as(session, reviewer)
            with audit_action(session, "verify"):
                for incident in incidents:
                    incident.status = "verified"
                    incident.verified_by_id = reviewer.id
        made += wanted
        print(f"\rbuilding: {have + wanted * ENTRIES_PER_INCIDENT} entries "
              f"({time.perf_counter() - start:.0f} s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite file to use")
    parser.add_argument("--url", help="a database URL instead of --db (e.g. PostgreSQL)")
    parser.add_argument("--workers", type=int, default=None,
                        help="helper processes sharing the work (default: one per core on "
                             "a large trail; 1: all of it in this process)")
    parser.add_argument("--rebuild", action="store_true", help="start from an empty database")
    args = parser.parse_args()
    os.environ.setdefault("SIJIL_SECRET_KEY", BENCH_KEY)
    if args.rebuild and not args.url:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    engine = make_engine(args.url or f"sqlite:///{args.db}")
    prepare_database(engine)
    if _count(engine) < args.entries:
        build(engine, args.entries)
    from records.services.audit import verify_chain

    with read_session(engine) as session:
        before = os.times()
        started = time.perf_counter()
        result = verify_chain(session, by=SYSTEM, workers=args.workers)
        seconds = time.perf_counter() - started
        after = os.times()
    cpu = sum(getattr(after, f) - getattr(before, f) for f in (
        "user", "system", "children_user", "children_system"))
    print(result.message)
    print(f"verify_chain: {result.checked} entries in {seconds:.2f} s "
          f"({result.checked / seconds:,.0f} entries/s; {cpu:.1f} s of CPU in all processes; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    engine.dispose()
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
