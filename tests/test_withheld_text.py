"""A withheld name stays withheld in the free text beside it: a follow-up event, a narrative,
a perpetrator's basis naming the person, in Arabic or a transliteration, reach no viewer's
read model, no public or partner export and no report; reviewers still read the full text."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from records.db import read_session, unit_of_work
from records.services.access.withheld_text import NameCutter
from records.services.exchange import ExportRequest, run_export
from records.services.exchange.export_records import ExportFilters
from records.services.incidents import (
    IncidentFilter,
    add_part,
    create_incident,
    get_incident,
    list_incidents,
)
from records.services.linkage.normalise import fold_text
from records.services.reports import ReportOptions, run_report
from records.services.review import publish_incident, submit_incident, verify_incident
from tests.factories import incident_data
from tests.test_export_data import text_of

COMMANDER = "Ali Hassan al-Tikriti"
COMMANDER_AR = "علي حسن التكريتي"
COMMANDER_ALIAS = "Abu Hamza"
# As writers put him in the text: another transliteration, and Arabic with hamza, diacritics
# and a joined "and".
EVENT = ("Commander Aly Hasan Tikriti was arrested at his home; "
         "وأعلنت الشرطة اعتقال القائدِ عليّ حسن التكريتيّ.")
NARRATIVE = "Witnesses say the unit of Abu Hamza fired first. Ali Hassan's men fled."
BASIS = "Named by two witnesses as علي حسن, the unit commander."
# What must not appear, folded as search folds text (a diacritic cannot hide a word).
FORBIDDEN = ("Tikriti", "تكريتي", "Ali Hassan", "Aly Hasan", "علي حسن", "Abu Hamza")


def folded_hits(text: str) -> list[str]:
    folded = fold_text(text)
    return [word for word in FORBIDDEN if fold_text(word) in folded]


# --- the matching, without a database -----------------------------------------------------

CUTTER = NameCutter.of([COMMANDER, COMMANDER_AR, COMMANDER_ALIAS])


@pytest.mark.parametrize(("text", "expected"), [
    ("The commander Ali Hassan was arrested.",
     "The commander [name withheld] was arrested."),
    ("Ali Hasan al-Tikriti's unit", "[name withheld]'s unit"),
    ("Aly Hassan Tikriti", "[name withheld]"),
    ("اعتقل القائد عليّ حسن في بغداد", "اعتقل القائد [name withheld] في بغداد"),
    ("وعلي حسن التكريتي قال", "[name withheld] قال"),
    ("أبو حمزة هرب", "[name withheld] هرب"),
    ("Ali Tikriti was seen", "[name withheld] was seen"),
])
def test_every_recorded_spelling_is_cut_as_a_whole(text, expected):
    assert CUTTER.cut(text) == expected


@pytest.mark.parametrize("text", [
    "Ali was there; Hassan too.",          # the words apart are other people's names
    "Ali Hussein is another man.",         # Hasan is not Husayn
    "علي حسين رجل آخر",
    "Hassan Ali, not the commander.",      # the order matters
    "The Tikrit road.",
    "",
])
def test_unrelated_words_are_left_alone(text):
    assert CUTTER.cut(text) == text
    assert CUTTER.found(text) == []


def test_found_names_the_recorded_spellings():
    assert CUTTER.found("no name", "وعلي حسن التكريتي قال", "Abu Hamza") == [
        COMMANDER, COMMANDER_ALIAS]


# --- every surface ------------------------------------------------------------------------

def seed_commander(engine, users, *, public_figure: bool = False,
                   title: str = "Killing of a protester in Tikrit (fictional)") -> str:
    """A published killing whose suspected commander (not a public figure, no consent)
    was arrested; the event, the narrative and the basis name him in both scripts."""
    commander = {"full_name": COMMANDER, "name_original": COMMANDER_AR,
                 "aliases": [COMMANDER_ALIAS], "is_public_figure": public_figure,
                 "uid": "c0a1c0a1-0000-4000-8000-000000000009"}
    carla, rana = users["carla"], users["rana"]
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(
            title=title, incident_type="killing",
            narrative=NARRATIVE,
            perpetrators=[{"person": commander, "attribution": "suspected",
                           "basis": BASIS}]), by=carla)
        added = add_part(session, created.ref, "case_events", {
            "date": dt.date(2020, 4, 1), "kind": "arrest", "description": EVENT,
            "person_uid": commander["uid"]}, by=carla, expected_version=created.version)
        submitted = submit_incident(session, created.ref, by=carla,
                                    expected_version=added.version)
        verified = verify_incident(session, created.ref, by=rana,
                                   expected_version=submitted.version)
        publish_incident(session, created.ref, by=rana, expected_version=verified.version)
        return created.ref


def test_a_viewer_reads_no_withheld_name_in_the_text_a_reviewer_reads_it_all(engine, users):
    ref = seed_commander(engine, users)
    with read_session(engine) as session:
        viewed = get_incident(session, ref, by=users["vera"])
        reviewed = get_incident(session, ref, by=users["rana"])
    seen = " ".join([viewed.title, viewed.narrative, viewed.perpetrators[0].basis,
                     viewed.case_events[-1].description])
    assert folded_hits(seen) == []
    assert viewed.case_events[-1].description == (
        "Commander [name withheld] was arrested at his home; "
        "وأعلنت الشرطة اعتقال القائدِ [name withheld].")
    assert viewed.narrative == ("Witnesses say the unit of [name withheld] fired first. "
                                "[name withheld]'s men fled.")
    assert viewed.perpetrators[0].person.full_name == "Name withheld"
    assert reviewed.case_events[-1].description == EVENT
    assert reviewed.narrative == NARRATIVE
    assert reviewed.perpetrators[0].basis == BASIS


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_public_and_partner_exports_carry_no_withheld_name(engine, users, tmp_path, fmt):
    seed_commander(engine, users)
    for level, by in (("public", users["vera"]), ("partner", users["carla"])):
        out = tmp_path / f"{level}.{fmt}"
        run_export(engine, ExportRequest(fmt, out, level, ExportFilters(statuses=None)),
                   by=by)
        text = text_of(out)
        assert folded_hits(text) == [], level
        assert "[name withheld]" in text
    out = tmp_path / f"internal.{fmt}"
    run_export(engine, ExportRequest(fmt, out, "internal"), by=users["rana"])
    text = text_of(out)
    assert "Aly Hasan Tikriti" in text and "Ali Hassan's men" in text


@pytest.mark.parametrize("name", [
    "public.html",
    pytest.param("public.pdf", marks=pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="reads the PDF with pdftotext")),
])
def test_the_public_report_carries_no_withheld_name(engine, users, tmp_path, name):
    seed_commander(engine, users)
    text = text_of(run_report(engine, ReportOptions(level="public"), tmp_path / name,
                              by=users["vera"], pdf=name.endswith(".pdf")).path)
    assert folded_hits(text) == []


def test_a_public_figure_is_named_in_the_text_too(engine, users):
    ref = seed_commander(engine, users, public_figure=True)
    with read_session(engine) as session:
        viewed = get_incident(session, ref, by=users["vera"])
    assert viewed.case_events[-1].description == EVENT
    assert viewed.case_events[-1].person.full_name == COMMANDER


def test_a_viewer_list_cuts_the_name_from_titles(engine, users):
    seed_commander(engine, users, title="Killing ordered by عليّ حسن التكريتي (fictional)")
    with read_session(engine) as session:
        viewed = list_incidents(session, by=users["vera"]).items
        listed = list_incidents(session, by=users["carla"]).items
    assert [i.title for i in viewed] == ["Killing ordered by [name withheld] (fictional)"]
    assert [i.title for i in listed] == ["Killing ordered by عليّ حسن التكريتي (fictional)"]


def _searched(engine, by, words: str) -> list[str]:
    with read_session(engine) as session:
        page = list_incidents(session, by=by, filters=IncidentFilter(text=words))
    return [item.ref for item in page.items]


def test_a_viewer_cannot_find_an_incident_by_a_withheld_name_in_its_text(engine, users):
    ref = seed_commander(engine, users)
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(
            title="Threat against a journalist (fictional)",
            narrative="A caller threatened the journalist twice in Basra.",
            victims=[{"person": {"full_name": "Noor Jabbar (fictional)",
                                 "is_public_figure": True}, "outcome": "unharmed"}]),
            by=users["carla"])
        submitted = submit_incident(session, created.ref, by=users["carla"],
                                    expected_version=created.version)
        verified = verify_incident(session, created.ref, by=users["rana"],
                                   expected_version=submitted.version)
        open_ref = publish_incident(session, created.ref, by=users["rana"],
                                    expected_version=verified.version).ref
    # The narrative names the withheld commander: a viewer's search by those words, or
    # by the title's, finds nothing; a reviewer, who reads every name, finds it.
    for words in ("Ali Hassan", "Hassan men fled", "protester Tikrit"):
        assert _searched(engine, users["vera"], words) == [], words
        assert _searched(engine, users["rana"], words) == [ref], words
    # An incident naming nobody withheld is found by its words as before.
    assert _searched(engine, users["vera"], "caller threatened") == [open_ref]
