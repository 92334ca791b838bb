"""What sealing personal data at rest costs a caseworker entering an incident: the same
fictional incident entered again and again through `create_incident` in its own unit of
work (as the New incident page does), with every kind of sealed value (a restricted
narrative, a contact, a witness, an unconsented victim, a confidential testimony), beside
the same entries with the sealing listener detached — what an entry cost before values
were sealed. The two take turns, so a slow moment of the machine falls on both."""

from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.orm import Session

from benchmarks.harness import Row
from tests.factories import incident_data


def _entered(number: int) -> dict:
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


def sealing_row(engine_name: str, url: str, size: int, tries: int) -> Row:
    from records import sealing
    from records.db import make_engine, read_session, unit_of_work
    from records.services.incidents import create_incident
    from records.services.users import get_user, principal_of

    engine = make_engine(url)
    with read_session(engine) as session:
        by = principal_of(get_user(session, "bench_admin"))

    def enter(number: int) -> float:
        started = time.perf_counter()
        with unit_of_work(engine) as session:
            create_incident(session, _entered(number), by=by)
        return time.perf_counter() - started

    enter(900_000)  # warm
    sealed, clear = [], []
    for i in range(tries):
        sealed.append(enter(900_001 + 2 * i))
        event.remove(Session, "before_flush", sealing._seal_before_flush)
        try:
            clear.append(enter(900_002 + 2 * i))
        finally:
            event.listen(Session, "before_flush", sealing._seal_before_flush)
    engine.dispose()
    return Row("entering an incident, sealed values", engine_name, size, sealed, unit="ms",
               baseline="sealing detached", baseline_runs=clear, target=1.2,
               target_text="ratio ≤ 1.20")
