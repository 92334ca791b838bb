"""Candidate pairs among what the principal may see, and pairs judged not the same."""

from __future__ import annotations

import pytest

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied
from records.i18n import use_language
from records.services.incidents import create_incident
from records.services.linkage import (
    candidate_pairs,
    judge_distinct,
    similar_incidents,
    similar_people,
)
from tests.factories import incident_data


def _victim(name, consent=True, profiles=("activist",)):
    return {"person": {"full_name": name, "sex": "male", "profiles": list(profiles)},
            "outcome": "killed", "consent_to_publish_name": consent}


def _create(engine, by, title, victims, **extra):
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(title=title, victims=victims, **extra),
                               by=by)


@pytest.fixture
def reports(engine, users):
    first = _create(engine, users["carla"], "Activist shot dead near his home (fictional)",
                    [_victim("Ihab al-Wazni"), _victim("Ali Hassan")])
    second = _create(engine, users["chen"], "Activist killed in Baghdad (fictional)",
                     [_victim("Ehab Al Wazni", consent=False), _victim("Ali Hussein")])
    # A witness in a restricted incident only its author (and reviewers) may see, and a
    # bystander of a normal incident whose name is spelt almost the same.
    hidden = _create(engine, users["carla"], "Threat against a witness (fictional)",
                     [_victim("Hidden Witness Qasim", consent=False, profiles=("witness",))],
                     sensitivity="restricted", incident_type="threat",
                     start_date=incident_data()["start_date"].replace(year=2019))
    _create(engine, users["chen"], "Bystander injured (fictional)",
            [_victim("Hiden Witness Qasim")], incident_type="threat",
            start_date=incident_data()["start_date"].replace(year=2018))
    return first, second, hidden


def _names(pairs):
    return [(p.a_name, p.b_name) for p in pairs]


def test_person_pairs_across_spellings_not_common_names(engine, users, reports):
    first, second, _hidden = reports
    with read_session(engine) as session:
        pairs = candidate_pairs(session, "person", by=users["chen"])
    assert _names(pairs) == [("Ihab al-Wazni", "Ehab Al Wazni")]
    top = pairs[0]
    assert (top.a_key, top.b_key) == (first.victims[0].person.uid,
                                      second.victims[0].person.uid)
    assert top.score == 100.0
    # The shared profile by its label, in the reader's language.
    assert top.reasons == ("names 100% alike", "same profile: Activist")
    with use_language("ar"), read_session(engine) as session:
        arabic = candidate_pairs(session, "person", by=users["chen"])[0].reasons
    assert arabic[1].endswith("ناشط") and "activist" not in arabic[1]
    _a_caseworker_never_meets_a_witness_name(engine, users, reports)
    with pytest.raises(PermissionDenied), read_session(engine) as session:
        candidate_pairs(session, "person", by=users["vera"])  # viewers: no candidates


def _a_caseworker_never_meets_a_witness_name(engine, users, reports):
    witness_uid = reports[2].victims[0].person.uid
    with read_session(engine) as session:
        chen = candidate_pairs(session, "person", by=users["chen"])
        carla = candidate_pairs(session, "person", by=users["carla"])
        rana = candidate_pairs(session, "person", by=users["rana"])
    witness = ("Hidden Witness Qasim", "Hiden Witness Qasim")
    for pairs in (chen, carla):
        assert not any("Hidden Witness Qasim" in (p.a_name, p.b_name) for p in pairs)
    assert (witness[1], witness[0]) in _names(rana) or witness in _names(rana)
    with read_session(engine) as session:
        for who in ("chen", "carla"):
            found = similar_people(session, "Hidden Witness Qasim", by=users[who])
            assert len(found) == 1 and found[0][0] != witness_uid  # the bystander only
        found = similar_people(session, "Hidden Witness Qasim", by=users["rana"])
        assert witness_uid in [uid for uid, _score, _reasons in found]


def test_incident_pairs_name_their_reasons(engine, users, reports):
    first, second, _hidden = reports
    with read_session(engine) as session:
        pairs = candidate_pairs(session, "incident", by=users["chen"])
    assert [(p.a_key, p.b_key) for p in pairs] == [(first.ref, second.ref)]
    assert pairs[0].score == 96.7  # 30 + 20 + 15 + 30 + (67 - 60) / 4
    assert pairs[0].reasons[:4] == ("same day", "0.0 km apart", "same type",
                                    "a victim with a similar name (100%)")
    # A new incident being saved: the likely existing ones, best first.
    draft = {**incident_data(title="Activist killed (fictional)"),
             "victim_names": ["إيهاب الوزني"]}
    with read_session(engine) as session:
        likely = similar_incidents(session, draft, by=users["chen"])
    # Both report it: same day, place and type (65) and the victim's name (30), in Arabic
    # script against "Ihab al-Wazni" and the withheld "Ehab Al Wazni" (opened for Chen).
    assert [(c.b_key, c.score) for c in likely] == [(first.ref, 100.0), (second.ref, 100.0)]
    assert "a victim with a similar name (100%)" in likely[1].reasons
    # Not the same: remembered, so the pair is not proposed again.
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        judge_distinct(session, "incident", first.ref, second.ref, by=users["chen"])
    with unit_of_work(engine) as session:
        assert judge_distinct(session, "incident", second.ref, first.ref, by=users["rana"])
    with unit_of_work(engine) as session:
        assert not judge_distinct(session, "incident", first.ref, second.ref,
                                  by=users["rana"])
    with read_session(engine) as session:
        assert candidate_pairs(session, "incident", by=users["chen"]) == []


def test_the_import_preview_reports_likely_duplicates_and_merges_nothing(engine, users,
                                                                        tmp_path):
    import csv

    from records.services.exchange import preview_import

    existing = _create(engine, users["carla"], "Activist shot dead near his home (fictional)",
                       [_victim("Ihab al-Wazni")])
    path = tmp_path / "partner.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["incident_ref", "title", "incident_type", "start_date", "admin1",
                         "latitude", "longitude", "victim_name", "victim_outcome"])
        writer.writerow(["INC-2030-00001", "Activist killed (partner list)", "attempted_killing",
                         "2020-03-14", "IQ-BG", "33.34", "44.40", "Ehab Al Wazni", "killed"])
        writer.writerow(["INC-2030-00002", "Unrelated detention", "arbitrary_detention",
                         "2016-01-01", "IQ-BA", "", "", "Ali Hussein", "detained"])
    with read_session(engine) as session:
        preview = preview_import(session, path, by=users["carla"])
    assert preview.ok, preview.problems
    found = [(d.row, d.kind, d.what, d.key, d.score) for d in preview.duplicates]
    assert found == [
        (2, "person", "Ehab Al Wazni", existing.victims[0].person.uid, 100.0),
        (2, "incident", "Activist killed (partner list)", existing.ref, 95.0),
    ]
