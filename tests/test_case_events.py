"""Follow-up that can carry accountability: case events dated at their precision, naming the
person or group they concern, with a source; and actors that keep their parent group.
Through the services, every export format and back through the import."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from sqlmodel import select

from records.db import make_engine, read_session, unit_of_work
from records.errors import ValidationError
from records.models import Actor
from records.services.access import SYSTEM
from records.services.exchange import ExportFilters, ExportRequest, import_file, run_export
from records.services.incidents import (
    add_part,
    create_incident,
    format_incident_date,
    get_incident,
    update_case_event,
)
from records.services.review import submit_incident, verify_incident
from tests.factories import incident_data

SUSPECT = "Karim Suspect (fictional)"
SUSPECT_UID = "5b1c7a55-0000-4000-8000-000000000026"
PMF = "Popular Mobilisation Forces"
PMF_UID = "0c0ffee0-0000-4000-8000-00000000a1f0"
BRIGADE = "Brigade 99 (fictional)"
ALL = ExportFilters(statuses=None)
FILES = {"csv": "case.csv", "json": "case.json", "xlsx": "case.xlsx",
         "datapackage": "case.zip"}


@pytest.fixture
def target(engine, tmp_path, sqlite_templates, pg_server):
    """A second migrated database without incidents, of the same kind as `engine`."""
    if engine.dialect.name == "sqlite":
        path = tmp_path / "target.db"
        shutil.copyfile(sqlite_templates["bare"], path)
        other = make_engine(f"sqlite:///{path}")
        yield other
        other.dispose()
        return
    name = pg_server.create(pg_server.bare_template)
    other = make_engine(pg_server.database_url(name))
    yield other
    other.dispose()
    pg_server.drop_later(name)


def _call(engine, fn, *args, **kwargs):
    with unit_of_work(engine) as session:
        return fn(session, *args, **kwargs)


def seed_case(engine, users) -> str:
    """A verified killing whose suspect was arrested on 26 May 2021 and released in June
    2021 (the day unknown), the release reported by the cited news report."""
    created = _call(engine, create_incident, incident_data(
        title="Killing of an activist in Basra (fictional)", incident_type="killing",
        start_date=dt.date(2021, 5, 9), admin1="IQ-BA", case_events=[],
        perpetrators=[{"person": {"uid": SUSPECT_UID, "full_name": SUSPECT,
                                  "name_original": "كريم المشتبه"},
                       "attribution": "suspected", "basis": "Named by two witnesses."}]),
        by=users["carla"])
    ref, carla = created.ref, users["carla"]
    arrested = _call(engine, add_part, ref, "case_events", {
        "date": dt.date(2021, 5, 26), "date_precision": "day", "kind": "arrest",
        "description": "Arrested at a checkpoint.", "person_uid": SUSPECT_UID},
        by=carla, expected_version=created.version)
    released = _call(engine, add_part, ref, "case_events", {
        "date": dt.date(2021, 6, 1), "date_precision": "month", "kind": "release",
        "description": "Released without charge.", "person_uid": SUSPECT_UID,
        "source_uid": arrested.citations[0].source.uid},
        by=carla, expected_version=arrested.version)
    submitted = _call(engine, submit_incident, ref, by=carla,
                      expected_version=released.version)
    _call(engine, verify_incident, ref, by=users["rana"], expected_version=submitted.version)
    return ref


def _follow_up(record) -> list[tuple]:
    return [(format_incident_date(e.date, None, e.date_precision), e.kind,
             e.person.full_name if e.person else None, e.source.title if e.source else None)
            for e in record.case_events]


FOLLOW_UP = [("26 May 2021", "arrest", SUSPECT, None),
             ("June 2021", "release", SUSPECT, "Example News report")]


def test_follow_up_reads_at_its_precision_and_names_whom_it_concerns(engine, users):
    ref = seed_case(engine, users)
    with read_session(engine) as session:
        seen = get_incident(session, ref, by=users["carla"])
        viewed = get_incident(session, ref, by=users["vera"])
    assert _follow_up(seen) == FOLLOW_UP
    assert [(e.date, e.date_precision) for e in seen.case_events] == [
        (dt.date(2021, 5, 26), "day"), (dt.date(2021, 6, 1), "month")]
    # A viewer sees the step, not the suspect's name: the one naming rule for people.
    assert [(e.kind, e.person.full_name, e.person.name_withheld)
            for e in viewed.case_events] == [("arrest", "Name withheld", True),
                                             ("release", "Name withheld", True)]


def test_a_follow_up_event_concerns_a_person_or_a_group_not_both(engine, users):
    created = _call(engine, create_incident, incident_data(case_events=[]),
                    by=users["carla"])
    with pytest.raises(ValidationError) as both:
        _call(engine, add_part, created.ref, "case_events", {
            "date": dt.date(2020, 4, 1), "kind": "charge", "person": {"full_name": SUSPECT},
            "actor": {"name": BRIGADE, "actor_type": "state_affiliated_armed_group"}},
            by=users["carla"], expected_version=created.version)
    assert both.value.by_field() == {
        "case_events.0.actor": "a follow-up event concerns a person or a group, not both"}
    with pytest.raises(ValidationError) as precision:
        _call(engine, add_part, created.ref, "case_events", {
            "date": dt.date(2020, 4, 1), "date_precision": "week", "kind": "charge"},
            by=users["carla"], expected_version=created.version)
    assert list(precision.value.by_field()) == ["case_events.0.date_precision"]


def test_changing_a_follow_up_event_replaces_whom_it_concerns(engine, users):
    ref = seed_case(engine, users)
    with read_session(engine) as session:
        before = get_incident(session, ref, by=users["rana"])
    release = before.case_events[1]
    changed = _call(engine, update_case_event, ref, release.id, {
        "date_precision": "approximate",
        "actor": {"name": BRIGADE, "actor_type": "state_affiliated_armed_group"}},
        by=users["rana"], expected_version=before.version)
    assert changed.version == before.version + 1
    event = changed.case_events[1]
    assert (format_incident_date(event.date, None, event.date_precision), event.person,
            event.actor.name, event.source.title) == (
        "c. June 2021", None, BRIGADE, "Example News report")
    # A verified record changed goes back to review, as any other edit.
    assert changed.status == "submitted"
    same = _call(engine, update_case_event, ref, release.id, {"kind": "release"},
                 by=users["rana"], expected_version=changed.version)
    assert same.version == changed.version


@pytest.mark.parametrize("fmt", list(FILES))
def test_follow_up_survives_export_and_import(engine, target, users, tmp_path, fmt):
    ref = seed_case(engine, users)
    out = tmp_path / FILES[fmt]
    run_export(engine, ExportRequest(fmt, out, "internal", ALL), by=users["rana"])
    assert _call(target, import_file, out, by=SYSTEM).created == 1
    with read_session(target) as session:
        imported = get_incident(session, ref, by=SYSTEM)
    assert _follow_up(imported) == FOLLOW_UP
    assert {e.person.uid for e in imported.case_events} == {SUSPECT_UID}
    assert [p.person.uid for p in imported.perpetrators] == [SUSPECT_UID]


def test_json_carries_the_follow_up_as_read_and_the_public_level_withholds_the_suspect(
        engine, users, tmp_path):
    seed_case(engine, users)
    internal, public = tmp_path / "internal.json", tmp_path / "public.json"
    run_export(engine, ExportRequest("json", internal, "internal", ALL), by=users["rana"])
    run_export(engine, ExportRequest("json", public, "public"), by=users["vera"])
    events = json.loads(internal.read_text(encoding="utf-8"))["incidents"][0]["case_events"]
    assert [(e["date"], e["date_precision"], e["date_text"], e["kind"],
             e["person"]["full_name"], e["person"]["uid"], e["actor"]) for e in events] == [
        ("2021-05-26", "day", "26 May 2021", "arrest", SUSPECT, SUSPECT_UID, None),
        ("2021-06-01", "month", "June 2021", "release", SUSPECT, SUSPECT_UID, None)]
    text = public.read_text(encoding="utf-8")
    assert SUSPECT not in text and "كريم المشتبه" not in text and SUSPECT_UID not in text
    shown = json.loads(text)["incidents"][0]["case_events"]
    assert [(e["date_text"], e["person"]["full_name"], e["person"]["uid"]) for e in shown] == [
        ("26 May 2021", "Name withheld", ""), ("June 2021", "Name withheld", "")]


def _seed_brigade(engine, users) -> str:
    """The PMF named in a 2020 incident; a 2021 incident names one of its brigades."""
    _call(engine, create_incident, incident_data(
        start_date=dt.date(2020, 2, 1), case_events=[],
        perpetrators=[{"actor": {"uid": PMF_UID, "name": PMF,
                                 "actor_type": "state_affiliated_armed_group"},
                       "attribution": "alleged"}]), by=users["carla"])
    return _call(engine, create_incident, incident_data(
        start_date=dt.date(2021, 7, 4), case_events=[],
        perpetrators=[{"actor": {"name": BRIGADE, "actor_type": "state_affiliated_armed_group",
                                 "parent_uid": PMF_UID},
                       "attribution": "suspected"}]), by=users["carla"]).ref


@pytest.mark.parametrize("fmt", list(FILES))
def test_a_brigade_keeps_its_parent_through_export_and_import(engine, target, users,
                                                               tmp_path, fmt):
    _seed_brigade(engine, users)
    out = tmp_path / FILES[fmt]
    # Only the 2021 incident: the PMF travels as the brigade's parent, nowhere else.
    only_2021 = ExportFilters(statuses=None, since=dt.date(2021, 1, 1))
    run_export(engine, ExportRequest(fmt, out, "internal", only_2021), by=users["rana"])
    assert _call(target, import_file, out, by=SYSTEM).created == 1
    with read_session(target) as session:
        actors = {a.name: a for a in session.exec(select(Actor)).all()}
    assert sorted(actors) == [BRIGADE, PMF]
    assert (actors[PMF].uid, actors[PMF].actor_type, actors[PMF].parent_id) == (
        PMF_UID, "state_affiliated_armed_group", None)
    assert actors[BRIGADE].parent_id == actors[PMF].id
    again = tmp_path / "again.json"
    run_export(target, ExportRequest("json", again, "internal", ALL), by=SYSTEM)
    actor = json.loads(again.read_text(encoding="utf-8"))["incidents"][0]["perpetrators"][0][
        "actor"]
    assert (actor["name"], actor["parent_uid"], actor["parent_name"], actor["parent_type"]) == (
        BRIGADE, PMF_UID, PMF, "state_affiliated_armed_group")


def test_the_data_package_links_follow_up_and_parent_groups_and_stays_valid(
        engine, users, tmp_path):
    import csv
    import subprocess
    import sys
    from pathlib import Path

    seed_case(engine, users)
    _seed_brigade(engine, users)
    folder = tmp_path / "package"
    run_export(engine, ExportRequest("datapackage", folder, "internal", ALL),
               by=users["rana"])
    with (folder / "actors.csv").open(encoding="utf-8") as handle:
        parents = {r["name"]: r["parent_uid"] for r in csv.DictReader(handle)}
    assert parents == {PMF: "", BRIGADE: PMF_UID}
    with (folder / "case_events.csv").open(encoding="utf-8") as handle:
        events = [(r["date"], r["date_precision"], r["kind"], r["person_uid"])
                  for r in csv.DictReader(handle)]
    assert events == [("2021-05-26", "day", "arrest", SUSPECT_UID),
                      ("2021-06-01", "month", "release", SUSPECT_UID)]
    cli = Path(sys.executable).with_name("frictionless")
    checked = subprocess.run([str(cli), "validate", str(folder / "datapackage.json")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout[-2000:]


def test_an_import_names_the_column_of_a_bad_follow_up_or_parent(engine, users, tmp_path):
    from records.services.exchange import preview_import

    path = tmp_path / "bad.csv"
    path.write_text(
        "title,incident_type,start_date,perpetrator_actor_name,perpetrator_actor_type,"
        "perpetrator_attribution,perpetrator_actor_parent_name,case_event_date,"
        "case_event_date_precision,case_event_kind,case_event_actor_name,"
        "case_event_actor_type,case_event_person_name\n"
        f"Killing (fictional),killing,2021-05-09,{BRIGADE},state_affiliated_armed_group,"
        f"alleged,{PMF},2021-06-01,week,release,{BRIGADE},state_affiliated_armed_group,"
        f"{SUSPECT}\n", encoding="utf-8")
    with read_session(engine) as session:
        preview = preview_import(session, path, by=users["carla"])
    assert [(p.row, p.field, p.message) for p in preview.problems] == [
        (2, "case_event_actor_name", "a follow-up event concerns a person or a group, not both"),
    ]
    path.write_text(path.read_text(encoding="utf-8").replace(f",{SUSPECT}\n", ",\n"),
                    encoding="utf-8")
    with read_session(engine) as session:
        preview = preview_import(session, path, by=users["carla"])
    assert [(p.row, p.field, p.message.split(";")[0]) for p in preview.problems] == [
        (2, "case_event_date_precision", "'week' is not a known code"),
        (2, "perpetrator_actor_parent_type", "a value is required")]
