"""The one redaction function of exports and reports, and redact_person of the read models."""

from __future__ import annotations

import datetime as dt

import pytest

from records.errors import PermissionDenied, ValidationError
from records.models.incident_io import PersonRead
from records.services.access import (
    LEVELS,
    SYSTEM,
    Principal,
    export_level,
    may_show_name,
    redact_incident,
    redact_person,
)


def _person(**changes) -> dict:
    person = {"uid": "u-1", "full_name": "Noor Example", "name_original": "نور",
              "aliases": ["N."], "sex": "female", "age": 30, "birth_year": 1990,
              "occupation": "lawyer", "profiles": ["lawyer"], "affiliation": "Bar association",
              "home_admin1": "IQ-BG", "is_public_figure": False, "contact": "+964 1",
              "name_withheld": False}
    person.update(changes)
    return person


def _record(**changes) -> dict:
    record = {"ref": "INC-2020-00001", "status": "verified", "sensitivity": "normal",
              "latitude": 33.3456, "longitude": 44.4012, "geo_precision": "exact",
              "locality": "Safe house, Fictional Street 12", "start_date": dt.date(2020, 1, 1),
              "victims": [{"person": _person(), "outcome": "killed", "harm_description": "",
                           "consent_to_publish_name": False}],
              "perpetrators": [], "citations": [
                  {"source": {"uid": "s-1", "kind": "media", "title": "News",
                              "is_confidential": False}, "statement": "", "page": None,
                   "quote": ""},
                  {"source": {"uid": "s-2", "kind": "witness_testimony", "title": "W",
                              "is_confidential": True}, "statement": "", "page": None,
                   "quote": ""},
                  {"source": {"uid": "s-3", "kind": "victim_testimony", "title": "Open",
                              "is_confidential": False}, "statement": "", "page": None,
                   "quote": ""}],
              "case_events": [{"date": dt.date(2020, 2, 1), "kind": "complaint",
                               "description": "", "source": {"uid": "s-2",
                                                             "kind": "witness_testimony",
                                                             "is_confidential": True}}]}
    record.update(changes)
    return record


def test_public_withholds_unconsented_names_uid_and_contact_and_rounds_coordinates():
    shown = redact_incident(_record(), LEVELS["public"])
    person = shown["victims"][0]["person"]
    assert person["full_name"] == "Name withheld"
    assert (person["uid"], person["name_original"], person["aliases"], person["contact"],
            person["birth_year"], person["affiliation"]) == ("", None, [], None, None, None)
    assert person["name_withheld"] is True
    assert (shown["latitude"], shown["longitude"], shown["geo_precision"]) == (33.3, 44.4,
                                                                               "district")
    assert shown["locality"] is None
    assert [c["source"]["uid"] for c in shown["citations"]] == ["s-1"]
    assert shown["case_events"][0]["source"] is None


def test_public_names_consenting_victims_and_public_figures_but_never_their_contact():
    consented = _record()
    consented["victims"][0]["consent_to_publish_name"] = True
    figure = _record(victims=[{"person": _person(is_public_figure=True), "outcome": "killed",
                               "harm_description": "", "consent_to_publish_name": False}])
    for record in (consented, figure):
        person = redact_incident(record, LEVELS["public"])["victims"][0]["person"]
        assert (person["full_name"], person["uid"], person["contact"]) == ("Noor Example",
                                                                           "u-1", None)


def test_witnesses_are_never_named_below_internal():
    record = _record(victims=[{"person": _person(profiles=["witness"], is_public_figure=True),
                               "outcome": "injured", "harm_description": "",
                               "consent_to_publish_name": True}])
    for level in ("public", "partner"):
        assert redact_incident(record, LEVELS[level])["victims"][0]["person"][
            "full_name"] == "Name withheld"


def test_partner_adds_non_confidential_testimony():
    shown = redact_incident(_record(), LEVELS["partner"])
    assert [c["source"]["uid"] for c in shown["citations"]] == ["s-1", "s-3"]


@pytest.mark.parametrize(("changes", "level", "kept"), [
    ({"status": "draft"}, "public", False), ({"status": "draft"}, "partner", True),
    ({"sensitivity": "restricted"}, "partner", False),
    ({"sensitivity": "restricted"}, "internal", True), ({"status": "published"}, "public", True),
])
def test_levels_drop_whole_incidents(changes, level, kept):
    assert (redact_incident(_record(**changes), LEVELS[level]) is not None) is kept


@pytest.mark.parametrize(("level", "place"), [
    ("public", (33.3, None)), ("partner", (33.3, None)),
    ("internal", (33.3456, "Safe house, Fictional Street 12"))])
def test_the_locality_goes_wherever_the_coordinates_are_coarsened(level, place):
    shown = redact_incident(_record(), LEVELS[level])
    assert (shown["latitude"], shown["locality"]) == place


def test_internal_keeps_everything_and_leaves_the_input_unchanged():
    record = _record()
    assert redact_incident(record, LEVELS["internal"]) == record
    redact_incident(record, LEVELS["public"])
    assert record == _record()


def test_export_level_checks_the_role():
    viewer = Principal(id=9, username="v", role="viewer")
    assert export_level("public", viewer).name == "public"
    with pytest.raises(PermissionDenied):
        export_level("partner", viewer)
    assert export_level("internal", SYSTEM).name == "internal"
    with pytest.raises(ValidationError):
        export_level("secret", SYSTEM)


def test_redact_person_of_read_models_still_withholds_names_and_contacts():
    person = PersonRead(id=1, uid="u-1", version=1, **{
        k: v for k, v in _person().items() if k not in ("uid", "name_withheld")})
    hidden = redact_person(person, all_names=False, show_confidential=False)
    assert (hidden.full_name, hidden.name_original, hidden.contact, hidden.name_withheld) == (
        "Name withheld", None, None, True)
    assert redact_person(person, all_names=True, show_confidential=True) is person


@pytest.mark.parametrize(("profiles", "public_figure", "consented", "all_names", "named"), [
    ([], False, False, False, False),
    ([], False, True, False, True),
    ([], True, False, False, True),
    (["witness"], False, True, False, False),
    (["witness"], True, True, False, False),
    (["witness"], False, False, True, True),
    (["activist"], False, True, False, True),
])
def test_one_rule_names_people(profiles, public_figure, consented, all_names, named):
    assert may_show_name(profiles=profiles, is_public_figure=public_figure,
                         consented=consented, all_names=all_names) is named
