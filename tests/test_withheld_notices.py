"""Telling what is withheld before it happens: the caseworker, on saving, which withheld
names the record's text holds; the exporter, before an export, how many names will be cut
(and which, to those who may see them); and a follow-up event's person marked a public
figure, named where the rules allow."""

from __future__ import annotations

import datetime as dt

import pytest

from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.services.access import export_level
from records.services.exchange.export_records import ExportFilters
from records.services.exchange.withheld import export_withheld, withheld_names_in
from records.services.incidents import add_part, create_incident, get_incident
from tests.factories import incident_data
from tests.test_withheld_text import COMMANDER, EVENT, seed_commander

ALL = ExportFilters(statuses=None)


def test_the_caseworker_is_told_which_withheld_names_the_text_holds(engine, users):
    ref = seed_commander(engine, users)
    with read_session(engine) as session:
        assert withheld_names_in(session, ref, by=users["carla"]) == [COMMANDER]
        # A viewer sees no names, so is told none.
        assert withheld_names_in(session, ref, by=users["vera"]) == []
        created = create_incident(session, incident_data(), by=users["carla"])
        # Sami Example consented: nothing withheld; nobody else is named in the text.
        assert withheld_names_in(session, created.ref, by=users["carla"]) == []


def test_before_an_export_the_cuts_are_counted_and_named_to_who_may_see_them(engine, users):
    seed_commander(engine, users)
    with read_session(engine) as session:
        public = export_withheld(session, ALL, export_level("public", users["vera"]),
                                 by=users["vera"])
        partner = export_withheld(session, ALL, export_level("partner", users["carla"]),
                                  by=users["carla"])
        internal = export_withheld(session, ALL, export_level("internal", users["rana"]),
                                   by=users["rana"])
    # Two in the arrest (Latin, Arabic), two in the narrative, one in the basis.
    assert (public.cuts, public.incidents, public.names) == (5, 1, [])
    assert public.describe() == "Names withheld from text: 5 in 1 incidents."
    assert partner.describe() == f"Names withheld from text: 5 in 1 incidents. {COMMANDER}"
    assert internal.describe() == "No names withheld from text."


def test_sijil_export_says_what_it_withholds_first(engine, users, tmp_path, sijil):
    seed_commander(engine, users)
    done = sijil(engine, "export", "--format", "json", "--out", str(tmp_path / "p.json"),
                 "--as", "vera")
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first == "Names withheld from text: 5 in 1 incidents."


def _draft_with_suspect(engine, users) -> tuple[str, str, int]:
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(
            perpetrators=[{"person": {"full_name": COMMANDER, "uid":
                                      "c0a1c0a1-0000-4000-8000-000000000010"},
                           "attribution": "suspected", "basis": ""}]), by=users["carla"])
        return created.ref, "c0a1c0a1-0000-4000-8000-000000000010", created.version


def test_a_follow_up_event_marks_its_person_a_public_figure(engine, users):
    ref, uid, version = _draft_with_suspect(engine, users)
    with unit_of_work(engine) as session:
        add_part(session, ref, "case_events", {
            "date": dt.date(2020, 4, 1), "kind": "arrest", "description": EVENT,
            "person_uid": uid, "person_public_figure": True}, by=users["carla"],
            expected_version=version)
    with read_session(engine) as session:
        names = withheld_names_in(session, ref, by=users["carla"])
        shown = get_incident(session, ref, by=users["carla"]).case_events[-1].person
    assert names == [] and shown.is_public_figure is True


def test_the_mark_is_refused_for_a_person_of_another_verified_incident(engine, users):
    seed_commander(engine, users)  # verified and published, naming the commander
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(), by=users["carla"])
    with pytest.raises(ValidationError) as refused, unit_of_work(engine) as session:
        add_part(session, created.ref, "case_events", {
            "date": dt.date(2020, 5, 1), "kind": "arrest", "description": "",
            "person_uid": "c0a1c0a1-0000-4000-8000-000000000009",
            "person_public_figure": True}, by=users["carla"], expected_version=created.version)
    assert refused.value.problems[0].field == "case_events.0.person_public_figure"
