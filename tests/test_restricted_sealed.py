"""What identifies the people of a restricted incident is sealed under the incident's key,
like its narrative: title, district, locality, exact coordinates, tags, the victims' harm,
the perpetrators' basis and the evidence files' descriptions. Not in clear in the rows, the
trail or the search index; read by those who may see the incident; gone with a purge."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from records.db import read_session, unit_of_work
from records.models import AuditEntry, Incident
from records.sealing import SEALED_PREFIX, open_values
from records.services.audit import purge, verify_chain
from records.services.evidence import add_attachment, list_attachments
from records.services.incidents import (
    create_incident,
    get_incident,
    list_incidents,
    update_incident,
)
from records.services.review import list_review_queue, submit_incident
from tests.factories import incident_data

TITLE = "Abduction of the Kufa informant Umm Haidar"
DISTRICT = "Kufa district of Najaf"
LOCALITY = "behind the Jaafar bakery, Mishraq lane"
LATITUDE, LONGITUDE = 32.03719, 44.40183
TAGS = ["informant-umm-haidar", "mishraq-lane"]
HARM = "Beaten for naming the brigade commander Abu Sajjad"
BASIS = "The neighbour Salwa recognised the brigade's pickup"
FILE_NOTE = "Photograph of Umm Haidar's bruises taken by her sister"
SECRETS = (TITLE, DISTRICT, LOCALITY, "32.03719", "44.40183", *TAGS, HARM, BASIS, FILE_NOTE)
TABLES = ("incident", "victim", "perpetrator", "attachment", "audit_entry", "search_text")
SCAN = b"%PDF-1.4 a photograph\n"


def _data(sensitivity="restricted"):
    return incident_data(
        sensitivity=sensitivity, title=TITLE, admin1="IQ-NA", admin2=DISTRICT,
        locality=LOCALITY, latitude=LATITUDE, longitude=LONGITUDE, tags=TAGS,
        victims=[{"person": {"full_name": "Sami Consenting"}, "outcome": "injured",
                  "harm_description": HARM, "consent_to_publish_name": True}],
        perpetrators=[{"actor": {"name": "Unidentified gunmen (test)",
                                 "actor_type": "unidentified_gunmen"},
                       "attribution": "alleged", "basis": BASIS}])


def _record(engine, users, files, sensitivity="restricted"):
    with unit_of_work(engine) as session:
        created = create_incident(session, _data(sensitivity), by=users["carla"])
    with unit_of_work(engine) as session:
        add_attachment(session, created.ref, filename="photo.pdf", data=SCAN,
                       description=FILE_NOTE, by=users["carla"], files_dir=files)
    return created


def _stored_text(engine) -> str:
    """Every row of these tables as the database gives them back, nothing opened."""
    with engine.connect() as conn:
        return "\n".join(str(tuple(row)) for table in TABLES
                         for row in conn.execute(text(f"SELECT * FROM {table}")))


def test_nothing_identifying_is_stored_in_clear(engine, users, files):
    created = _record(engine, users, files)
    stored = _stored_text(engine)
    assert created.ref in stored and "Sami Consenting" in stored  # the scan sees clear text
    for secret in SECRETS:
        assert secret not in stored, secret
    with engine.connect() as conn:
        row = conn.execute(select(Incident.__table__).where(
            Incident.__table__.c.ref == created.ref)).one()
        changes = " ".join(conn.scalars(select(AuditEntry.changes)))
        indexed = " ".join(str(tuple(r)) for r in conn.execute(text(
            "SELECT * FROM search_text")))
    assert (row.latitude, row.longitude) == (None, None)
    for value in (row.title, row.admin2, row.locality, row.coordinates, row.tags[0]):
        assert value.startswith(SEALED_PREFIX)
    assert "umm" not in indexed.lower() and "kufa" not in indexed.lower()
    for secret in SECRETS:
        assert secret not in changes, secret


def test_those_who_may_see_the_incident_read_every_value(engine, users, files):
    created = _record(engine, users, files)
    assert created.title == TITLE  # what the caseworker gets back from the save
    for who in ("carla", "rana", "admin"):
        with read_session(engine) as session:
            seen = get_incident(session, created.ref, by=users[who])
            listed = list_incidents(session, by=users[who]).items
            attached = list_attachments(session, created.ref, by=users[who])
        assert (seen.title, seen.admin2, seen.locality) == (TITLE, DISTRICT, LOCALITY)
        assert (seen.latitude, seen.longitude, seen.tags) == (LATITUDE, LONGITUDE, TAGS)
        assert seen.victims[0].harm_description == HARM
        assert seen.perpetrators[0].basis == BASIS
        assert [(i.ref, i.title, i.locality) for i in listed] == [
            (created.ref, TITLE, LOCALITY)]
        assert [a.description for a in attached] == [FILE_NOTE]
    # Nobody else sees it at all: a viewer and another caseworker get an empty list.
    for who in ("vera", "chen"):
        with read_session(engine) as session:
            assert list_incidents(session, by=users[who]).items == []


def test_the_review_queue_shows_the_title_opened(engine, users, files):
    created = _record(engine, users, files)
    with unit_of_work(engine) as session:
        version = get_incident(session, created.ref, by=users["carla"]).version
        submit_incident(session, created.ref, by=users["carla"], expected_version=version)
    with read_session(engine) as session:
        queue = list_review_queue(session, by=users["rana"])
    assert [(i.ref, i.title) for i in queue.items] == [(created.ref, TITLE)]


def test_an_edit_keeps_the_other_coordinate_and_can_clear_them(engine, users, files):
    created = _record(engine, users, files)
    with unit_of_work(engine) as session:
        update_incident(session, created.ref, {"latitude": 32.5}, by=users["rana"],
                        expected_version=created.version + 1)
    with read_session(engine) as session:
        seen = get_incident(session, created.ref, by=users["rana"])
    assert (seen.latitude, seen.longitude, seen.title) == (32.5, LONGITUDE, TITLE)
    with unit_of_work(engine) as session:
        update_incident(session, created.ref, {"latitude": None, "longitude": None},
                        by=users["rana"], expected_version=seen.version)
    with read_session(engine) as session:
        seen = get_incident(session, created.ref, by=users["rana"])
    assert (seen.latitude, seen.longitude) == (None, None)
    with engine.connect() as conn:
        assert conn.scalar(select(Incident.__table__.c.coordinates)) is None


def test_saving_the_same_values_changes_nothing(engine, users, files):
    created = _record(engine, users, files)
    with read_session(engine) as session:
        seen = get_incident(session, created.ref, by=users["rana"])
    same = {f: getattr(seen, f) for f in ("title", "admin2", "locality", "latitude",
                                          "longitude", "tags")}
    with unit_of_work(engine) as session:
        after = update_incident(session, created.ref, same, by=users["rana"],
                                expected_version=seen.version)
    assert after.version == seen.version


def test_lifting_the_restriction_opens_every_value_and_restricting_seals_again(
        engine, users, files):
    created = _record(engine, users, files)
    with unit_of_work(engine) as session:
        lifted = update_incident(session, created.ref, {"sensitivity": "normal"},
                                 by=users["rana"], expected_version=created.version + 1)
    with engine.connect() as conn:
        row = conn.execute(select(Incident.__table__)).one()
        harm = conn.scalar(text("SELECT harm_description FROM victim"))
        basis = conn.scalar(text("SELECT basis FROM perpetrator"))
        note = conn.scalar(text("SELECT description FROM attachment"))
    assert (row.title, row.admin2, row.locality, row.tags) == (TITLE, DISTRICT, LOCALITY, TAGS)
    assert (row.latitude, row.longitude, row.coordinates) == (LATITUDE, LONGITUDE, None)
    assert (harm, basis, note) == (HARM, BASIS, FILE_NOTE)
    with unit_of_work(engine) as session:
        update_incident(session, created.ref, {"sensitivity": "restricted"},
                        by=users["rana"], expected_version=lifted.version)
    with engine.connect() as conn:
        rows = "\n".join(str(tuple(r)) for t in ("incident", "victim", "perpetrator",
                                                  "attachment", "search_text")
                         for r in conn.execute(text(f"SELECT * FROM {t}")))
    for secret in SECRETS:
        assert secret not in rows, secret
    with read_session(engine) as session:
        seen = get_incident(session, created.ref, by=users["rana"])
    assert (seen.title, seen.latitude, seen.victims[0].harm_description) == (
        TITLE, LATITUDE, HARM)


def test_an_open_incident_is_stored_as_before(engine, users, files):
    created = _record(engine, users, files, sensitivity="normal")
    with engine.connect() as conn:
        row = conn.execute(select(Incident.__table__)).one()
        harm = conn.scalar(text("SELECT harm_description FROM victim"))
        indexed = " ".join(str(tuple(r)) for r in conn.execute(text(
            "SELECT * FROM search_text")))
    assert (row.title, row.admin2, row.locality, row.tags) == (TITLE, DISTRICT, LOCALITY, TAGS)
    assert (row.latitude, row.longitude, row.coordinates) == (LATITUDE, LONGITUDE, None)
    assert harm == HARM
    assert "umm haidar" in indexed.lower()
    with read_session(engine) as session:
        assert get_incident(session, created.ref, by=users["chen"]).title == TITLE


def _sealed_in_trail(engine, table: str, field: str) -> str:
    with engine.connect() as conn:
        for changes in conn.scalars(select(AuditEntry.changes).where(
                AuditEntry.entity_type == table, AuditEntry.action == "create")):
            value = json.loads(changes).get(field)
            if value:
                return value[1]
    raise AssertionError(f"no {table}.{field} in the trail")


def test_a_purge_makes_them_unreadable_in_past_entries(engine, users, files):
    created = _record(engine, users, files)
    owner = f"incident:{created.ref}"
    sealed = {(t, f): _sealed_in_trail(engine, t, f) for t, f in (
        ("incident", "title"), ("incident", "locality"), ("incident", "admin2"),
        ("incident", "coordinates"), ("victim", "harm_description"),
        ("perpetrator", "basis"), ("attachment", "description"))}
    with read_session(engine) as session:
        before = {k: open_values(session, k[0], owner, {k[1]: v}) for k, v in sealed.items()}
    assert before[("incident", "title")] == {"title": TITLE}
    assert before[("incident", "coordinates")] == {"latitude": LATITUDE, "longitude": LONGITUDE}
    assert before[("victim", "harm_description")] == {"harm_description": HARM}
    assert before[("attachment", "description")] == {"description": FILE_NOTE}
    with unit_of_work(engine) as session:
        purge(session, created.ref, by=users["admin"], reason="asked to be forgotten")
    with read_session(engine) as session:
        after = {k: open_values(session, k[0], owner, {k[1]: v}) for k, v in sealed.items()}
        result = verify_chain(session, by=users["admin"])
    assert result.ok, result.message
    for (table, field), opened in after.items():
        if field == "coordinates":  # the coordinates of an erased location are unknown
            assert opened == {"latitude": None, "longitude": None}
        else:
            assert opened == {field: "[erased]"}, (table, field)
