"""Vocabularies: seeded with stable codes and Arabic labels, edited by admins only."""

from __future__ import annotations

import pytest

from records.db import read_session, unit_of_work
from records.errors import PermissionDenied, ValidationError
from records.services.incidents import create_incident
from records.services.vocabularies import (
    active_codes,
    labels,
    list_terms,
    save_term,
    seed_vocabularies,
)
from tests.factories import incident_data


def test_seeded_vocabularies_have_english_and_arabic_labels(engine):
    with read_session(engine) as session:
        types = labels(session, "incident_type")
        arabic = labels(session, "incident_type", "ar")
        governorates = labels(session, "governorate")
        outcomes = active_codes(session, "victim_outcome")
    assert types["attempted_killing"] == "Attempted killing"
    assert arabic["killing"] == "قتل"
    assert governorates["IQ-KA"] == "Karbalā’"
    assert len(governorates) == 18
    assert outcomes == ["killed", "injured", "unharmed", "abducted", "disappeared",
                        "detained", "released"]


def test_seeded_vocabularies_have_sorani_labels(engine):
    with read_session(engine) as session:
        assert labels(session, "incident_type", "ckb")["killing"] == "کوشتن"
        assert labels(session, "governorate", "ckb")["IQ-SU"] == "سلێمانی"
        assert labels(session, "governorate", "ar")["IQ-SU"] == "السليمانية"


def test_seeding_gives_sorani_labels_to_older_terms_and_keeps_edited_ones(engine, users):
    from sqlmodel import select

    from records.models import VocabularyTerm
    from records.services.access import SYSTEM, act_as

    with unit_of_work(engine) as session:
        act_as(session, SYSTEM)
        for code, label in (("killing", None), ("abduction", "ڕفاندنی کەس")):
            term = session.exec(select(VocabularyTerm).where(
                VocabularyTerm.vocabulary == "incident_type",
                VocabularyTerm.code == code)).one()
            term.label_ku = label  # a database seeded before Sorani; an admin's own label
    with unit_of_work(engine) as session:
        act_as(session, SYSTEM)
        assert seed_vocabularies(session) == 0
    with read_session(engine) as session:
        kurdish = labels(session, "incident_type", "ckb")
    assert (kurdish["killing"], kurdish["abduction"]) == ("کوشتن", "ڕفاندنی کەس")


def test_seeding_again_adds_nothing(engine):
    with unit_of_work(engine) as session:
        assert seed_vocabularies(session) == 0


def test_admin_adds_a_term_that_validation_then_accepts(engine, users):
    with pytest.raises(ValidationError), unit_of_work(engine) as session:
        create_incident(session, incident_data(method="sniper"), by=users["carla"])
    with unit_of_work(engine) as session:
        save_term(session, "method", "sniper", by=users["admin"], label_en="Sniper",
                  label_ar="قناص")
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(method="sniper"), by=users["carla"])
    assert created.method == "sniper"


def test_editing_a_label_keeps_the_code(engine, users):
    with unit_of_work(engine) as session:
        save_term(session, "incident_type", "threat", by=users["admin"],
                  label_en="Threat", label_ar="تهديد")
    with read_session(engine) as session:
        terms = {t.code: t for t in list_terms(session, "incident_type")}
    assert terms["threat"].label_en == "Threat"
    assert terms["threat"].label_ar == "تهديد"


def test_only_admins_edit_vocabularies_and_codes_are_plain(engine, users):
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        save_term(session, "method", "sniper", by=users["rana"], label_en="Sniper")
    with pytest.raises(ValidationError) as caught, unit_of_work(engine) as session:
        save_term(session, "method", "Sniper Rifle", by=users["admin"], label_en="Sniper")
    assert "code" in caught.value.by_field()
