"""Creating, reading, updating and listing incidents through the services."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from records.db import read_session, unit_of_work
from records.errors import ConflictError, PermissionDenied, ValidationError
from records.models import AuditEntry, Incident, Person
from records.services.incidents import (
    IncidentFilter,
    create_incident,
    get_incident,
    list_incidents,
    update_incident,
)
from records.services.review import submit_incident, verify_incident
from tests.factories import incident_data


def _create(engine, by, **overrides):
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(**overrides), by=by)


def _verified(engine, users, **overrides):
    """Created and submitted by carla, verified by rana: what viewers may read."""
    created = _create(engine, users["carla"], **overrides)
    with unit_of_work(engine) as session:
        submitted = submit_incident(session, created.ref, by=users["carla"],
                                    expected_version=created.version)
    with unit_of_work(engine) as session:
        return verify_incident(session, created.ref, by=users["rana"],
                               expected_version=submitted.version)


def _counts(engine) -> tuple[int, int, int]:
    with read_session(engine) as session:
        return (session.exec(select(func.count()).select_from(Incident)).one(),
                session.exec(select(func.count()).select_from(Person)).one(),
                session.exec(select(func.count()).select_from(AuditEntry)).one())


def test_create_incident_with_everything_attached(engine, users):
    created = _create(engine, users["carla"])
    assert created.ref == "INC-2020-00001"
    assert created.status == "draft"
    assert created.created_by == "carla"
    assert [v.person.full_name for v in created.victims] == ["Sami Example"]
    assert created.victims[0].person.name_original == "سامي المثال"
    assert created.injured == 1
    assert created.perpetrators[0].actor.name == "Unidentified gunmen (test)"
    assert created.citations[0].source.title == "Example News report"
    assert created.case_events[0].kind == "complaint"
    second = _create(engine, users["carla"])
    assert second.ref == "INC-2020-00002"


def test_tags_and_aliases_are_kept_trimmed_without_blanks(engine, users):
    created = _create(engine, users["carla"], tags=["  protest ", "\tnight", "", "   "],
                      victims=[{"person": {"full_name": "Sami Example",
                                           "aliases": [" Abu Ali", "\t"]},
                                "outcome": "injured"}])
    assert created.tags == ["protest", "night"]
    assert created.victims[0].person.aliases == ["Abu Ali"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"incident_type": "massacre"}, "incident_type"),
        ({"end_date": "2020-03-01"}, "end_date"),
        ({"latitude": 200}, "latitude"),
        ({"title": "   "}, "title"),
        ({"admin1": "IQ-XX"}, "admin1"),
        ({"method": "laser"}, "method"),
        ({"victims": [{"person": {"full_name": "X Y"}, "outcome": "vanished"}]},
         "victims.0.outcome"),
    ],
)
def test_invalid_data_is_refused_naming_the_field(engine, users, overrides, field):
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:
        _create(engine, users["carla"], **overrides)
    assert field in caught.value.by_field(), caught.value
    assert _counts(engine) == before


def test_unknown_vocabulary_code_lists_the_allowed_codes(engine, users):
    with pytest.raises(ValidationError) as caught:
        _create(engine, users["carla"], incident_type="massacre")
    message = caught.value.by_field()["incident_type"]
    assert "'massacre' is not a known code" in message
    assert "attempted_killing" in message and "enforced_disappearance" in message


def test_viewer_cannot_create(engine, users):
    with pytest.raises(PermissionDenied):
        _create(engine, users["vera"])


def test_stale_save_is_refused_and_first_change_is_kept(engine, users):
    created = _create(engine, users["carla"])
    seen_by_both = created.version
    with unit_of_work(engine) as session:
        update_incident(session, created.ref, {"title": "First save"}, by=users["carla"],
                        expected_version=seen_by_both)
    with pytest.raises(ConflictError) as caught, unit_of_work(engine) as session:
        update_incident(session, created.ref, {"title": "Second save"}, by=users["rana"],
                        expected_version=seen_by_both)
    assert "carla" in str(caught.value)
    assert caught.value.changed_by == "carla"
    with read_session(engine) as session:
        stored = get_incident(session, created.ref, by=users["rana"])
    assert stored.title == "First save"
    assert stored.version == seen_by_both + 1


def test_update_that_changes_nothing_writes_nothing(engine, users):
    created = _create(engine, users["carla"])
    before = _counts(engine)
    with unit_of_work(engine) as session:
        same = update_incident(session, created.ref, {"title": created.title},
                               by=users["carla"], expected_version=created.version)
    assert same.version == created.version
    assert _counts(engine) == before


def test_caseworker_cannot_edit_someone_elses_draft(engine, users):
    created = _create(engine, users["carla"])
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        update_incident(session, created.ref, {"title": "Mine now"}, by=users["chen"],
                        expected_version=created.version)


def test_restricted_incident_is_hidden_from_viewers_and_other_caseworkers(engine, users):
    _verified(engine, users, sensitivity="restricted")
    _verified(engine, users)
    with read_session(engine) as session:
        assert list_incidents(session, by=users["vera"]).total == 1
        assert list_incidents(session, by=users["chen"]).total == 1
        assert list_incidents(session, by=users["carla"]).total == 2
        assert list_incidents(session, by=users["rana"]).total == 2


def test_viewer_sees_names_only_with_consent(engine, users):
    created = _verified(engine, users, victims=[
        {"person": {"full_name": "Consenting Person", "contact": "+964 000"},
         "outcome": "injured", "consent_to_publish_name": True},
        {"person": {"full_name": "Hidden Witness"}, "outcome": "unharmed"},
    ])
    with read_session(engine) as session:
        seen = get_incident(session, created.ref, by=users["vera"])
    names = sorted(v.person.full_name for v in seen.victims)
    assert names == ["Consenting Person", "Name withheld"]
    assert all(v.person.contact is None for v in seen.victims)


def test_a_consenting_witness_is_named_to_viewers_nowhere(engine, users):
    created = _verified(engine, users, victims=[
        {"person": {"full_name": "Consenting Witness", "profiles": ["witness"]},
         "outcome": "unharmed", "consent_to_publish_name": True}])
    with read_session(engine) as session:
        viewer = get_incident(session, created.ref, by=users["vera"])
        caseworker = get_incident(session, created.ref, by=users["chen"])
    assert viewer.victims[0].person.full_name == "Name withheld"
    assert caseworker.victims[0].person.full_name == "Consenting Witness"
    with read_session(engine) as session:
        search = IncidentFilter(text="Consenting Witness")
        assert list_incidents(session, by=users["vera"], filters=search).total == 0
        # A witness's name is sealed at rest: search reaches only what is not encrypted.
        assert list_incidents(session, by=users["chen"], filters=search).total == 0


def test_filters_and_text_search(engine, users):
    _create(engine, users["carla"], title="Attack in Karbala", admin1="IQ-KA",
            incident_type="killing")
    _create(engine, users["carla"])
    with read_session(engine) as session:
        by_place = list_incidents(session, by=users["rana"],
                                  filters=IncidentFilter(admin1="IQ-KA"))
        by_name = list_incidents(session, by=users["rana"],
                                 filters=IncidentFilter(text="سامي"))
        by_type = list_incidents(session, by=users["rana"],
                                 filters=IncidentFilter(incident_type="killing"))
        by_gunmen = list_incidents(session, by=users["rana"],
                                   filters=IncidentFilter(actor_type="unidentified_gunmen"))
        by_forces = list_incidents(session, by=users["rana"],
                                   filters=IncidentFilter(actor_type="state_forces"))
    assert [i.title for i in by_place.items] == ["Attack in Karbala"]
    assert (by_gunmen.total, by_forces.total) == (2, 0)
    assert by_name.total == 2
    assert by_type.total == 1


def test_a_date_filter_finds_a_month_dated_incident_from_a_day_inside_its_month(engine,
                                                                               users):
    import datetime as dt

    from tests.test_export_data import seed_dated

    refs = seed_dated(engine, users)
    with read_session(engine) as session:
        page = list_incidents(session, by=users["rana"], filters=IncidentFilter(
            date_from=dt.date(2019, 12, 15), date_to=dt.date(2019, 12, 20)))
    assert page.total == 2
    assert [i.ref for i in page.items] == [refs["december"], refs["year_2019"]]
    december = page.items[0]
    assert (december.start_date, december.end_date, december.date_precision) == (
        dt.date(2019, 12, 1), None, "month")


def test_the_list_is_newest_first_by_start_date_then_by_ref(engine, users):
    import datetime as dt

    for start in (dt.date(2020, 3, 14), dt.date(2021, 1, 5), dt.date(2020, 3, 14),
                  dt.date(2019, 7, 1)):
        _create(engine, users["carla"], start_date=start)
    with read_session(engine) as session:
        page = list_incidents(session, by=users["carla"])
    assert [i.ref for i in page.items] == ["INC-2021-00001", "INC-2020-00002",
                                           "INC-2020-00001", "INC-2019-00001"]
