"""sijil duplicates, merge and unmerge, as a user at a terminal runs them."""

from __future__ import annotations

from records.db import read_session, unit_of_work
from records.services.audit import verify_chain
from records.services.incidents import create_incident
from tests.factories import incident_data


def _victim(name, consent=True):
    return {"person": {"full_name": name, "sex": "male", "profiles": ["activist"]},
            "outcome": "killed", "consent_to_publish_name": consent}


def test_duplicates_csv_then_merge_and_unmerge(engine, users, sijil_process):
    with unit_of_work(engine) as session:
        first = create_incident(session, incident_data(
            title="Activist shot dead (fictional)",
            victims=[_victim("Ihab al-Wazni"), _victim("Ali Hassan")]), by=users["carla"])
        second = create_incident(session, incident_data(
            title="Activist killed (fictional)",
            victims=[_victim("إيهاب الوزني", consent=False), _victim("Ali Hussein")]),
            by=users["chen"])
    ihab, ehab = first.victims[0].person.uid, second.victims[0].person.uid

    listed = sijil_process(engine, "duplicates", "--format", "csv", "--as", "chen")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        "a_uid,b_uid,a_name,b_name,score,reasons",
        f"{ihab},{ehab},Ihab al-Wazni,إيهاب الوزني,100.0,names 100% alike; same profile: "
        "Activist",
    ]
    merged = sijil_process(engine, "merge", first.ref, second.ref, "--as", "rana")
    assert merged.returncode == 0, merged.stderr
    assert merged.stdout.startswith(f"merge 1: {second.ref} merged into {first.ref}")
    undone = sijil_process(engine, "unmerge", "1", "--as", "rana")
    assert undone.returncode == 0, undone.stderr
    assert undone.stdout == f"merge 1 undone: {second.ref} and {first.ref} are two again\n"
    with read_session(engine) as session:
        assert verify_chain(session, by=users["rana"]).ok
