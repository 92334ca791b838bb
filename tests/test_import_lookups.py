"""An import asks the database about a uid only when the row may be there: new people cost
no look-up, while a person already in the database, or made earlier by the same import, is
still found and shared (one person stays one person) and a hidden one is still refused."""

from __future__ import annotations

import csv
import re

import pytest
from sqlalchemy import event
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.models import Person, Victim
from records.services.access import SYSTEM, Principal
from records.services.exchange import COLUMNS, import_file
from tests.test_batched_writes import _file, _rows, _victim_uid

_PERSON_BY_UID = re.compile(r"FROM person\s+WHERE person\.uid = ", re.IGNORECASE)


def _person_lookups(engine, action) -> int:
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return sum(bool(_PERSON_BY_UID.search(s)) for s in statements)


def _import(engine, path, by: Principal = SYSTEM):
    with unit_of_work(engine) as session:
        return import_file(session, path, by=by, batch_size=5)


def test_new_people_cost_no_lookup_and_known_ones_are_found(engine, tmp_path):
    first = _file(tmp_path / "first.csv", 12)
    # 12 incidents, 22 victims, each a new person named once: no look-up by uid at all.
    assert _person_lookups(engine, lambda: _import(engine, first)) == 0
    # A second file names the victim of incident 1 again (same uid) in a new incident, twice
    # over: the person is looked up, found and shared, not made again.
    again = tmp_path / "again.csv"
    with again.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for n in (101, 102):
            writer.writerow({**_rows(n)[0], "victim_uid": _victim_uid(1, 1)})
    lookups = _person_lookups(engine, lambda: _import(engine, again))
    assert lookups >= 1
    with read_session(engine) as session:
        people = session.exec(select(Person).where(Person.uid == _victim_uid(1, 1))).all()
        assert len(people) == 1
        victims = session.exec(select(Victim).where(Victim.person_id == people[0].id)).all()
        assert len(victims) == 3  # incident 1 and the two new ones


def test_a_person_hidden_from_the_importer_is_still_refused(engine, tmp_path, users):
    """Incident 3 is restricted: its victims are hidden from a caseworker who did not write
    it, so a file naming one of them by uid alone is refused as naming an unknown person."""
    _import(engine, _file(tmp_path / "first.csv", 3))
    hidden = _victim_uid(3, 1)
    path = tmp_path / "probe.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        row = {**_rows(201)[0], "victim_uid": hidden, "victim_name": "", "victim_sex": ""}
        writer.writerow(row)
    with pytest.raises(ValidationError) as raised:
        _import(engine, path, by=users["carla"])
    assert [(p.row, p.message) for p in raised.value.problems
            if p.value == hidden] == [(2, "no person with this uid")]


def _one_victim_file(path, person_uid: str, name: str):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow({**_rows(301)[0], "victim_uid": person_uid, "victim_name": name,
                         "victim_sex": "male" if name else ""})
    return path


@pytest.mark.parametrize("named", [True, False], ids=["with-name", "uid-only"])
def test_a_file_naming_a_merged_away_person_links_the_kept_one(engine, users, tmp_path,
                                                                named):
    """A file written before a merge names the merged-away person's uid: the import links
    the person it was merged into instead of making the duplicate again, whether the file
    repeats the person's details or gives the uid alone."""
    from records.services.incidents import create_incident
    from records.services.linkage import merge_records
    from tests.factories import incident_data

    def victim(name):
        return {"person": {"full_name": name, "sex": "male", "profiles": ["activist"]},
                "outcome": "killed", "consent_to_publish_name": True}

    with unit_of_work(engine) as session:
        first = create_incident(session, incident_data(
            title="Killing of Ihab al-Wazni (fictional)", victims=[victim("Ihab al-Wazni")]),
            by=users["carla"])
        second = create_incident(session, incident_data(
            title="Activist shot (fictional)", victims=[victim("Ehab Al Wazni")]),
            by=users["carla"])
    kept, merged = first.victims[0].person.uid, second.victims[0].person.uid
    with unit_of_work(engine) as session:
        merge_records(session, kept, merged, by=users["rana"], score=100.0)
    path = _one_victim_file(tmp_path / "old.csv", merged, "Ehab Al Wazni" if named else "")
    _import(engine, path, by=users["carla"])
    with read_session(engine) as session:
        assert session.exec(select(Person).where(Person.uid == merged)).all() == []
        person = session.exec(select(Person).where(Person.uid == kept)).one()
        linked = session.exec(select(Victim).where(Victim.person_id == person.id)).all()
        # Incident 1, incident 2 (moved by the merge) and the imported one.
        assert len(linked) == 3
