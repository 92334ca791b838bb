"""Search over titles, narratives, places and names through the full-text index, on both
engines: every word counts, Arabic spelling variants meet, best matches come first, and
nobody finds through it what they may not read."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from records.db import read_session, unit_of_work
from records.models import Incident, SearchText
from records.services.audit import purge_incident
from records.services.incidents import (
    IncidentFilter,
    create_incident,
    list_incidents,
    update_incident,
)
from records.services.review import publish_incident, submit_incident, verify_incident
from records.services.search import rebuild_index
from tests.factories import incident_data

NO_GUNMEN = [{"actor": {"name": "Fictional Brigade", "actor_type": "state_forces"},
              "attribution": "alleged"}]


def _new(session, by, **overrides) -> str:
    return create_incident(session, incident_data(**overrides), by=by).ref


def _verified(session, users, **overrides) -> str:
    created = create_incident(session, incident_data(**overrides), by=users["carla"])
    record = submit_incident(session, created.ref, by=users["carla"],
                             expected_version=created.version)
    record = verify_incident(session, record.ref, by=users["rana"],
                             expected_version=record.version)
    return publish_incident(session, record.ref, by=users["ravi"],
                            expected_version=record.version).ref


def _found(engine, by, words: str) -> list[str]:
    with read_session(engine) as session:
        page = list_incidents(session, by=by, filters=IncidentFilter(text=words),
                              page_size=200)
    return [item.ref for item in page.items]


def test_every_word_of_a_query_must_match_somewhere(engine, users):
    carla = users["carla"]
    with unit_of_work(engine) as session:
        both = _new(session, carla, title="Attack on a shop", admin1="IQ-KA",
                    narrative="Two gunmen fired at the shop.", perpetrators=NO_GUNMEN)
        _new(session, carla, title="Attack on a shop", admin1="IQ-BG",
             narrative="Two gunmen fired at the shop.", perpetrators=NO_GUNMEN)
        _new(session, carla, title="Attack on a shop", admin1="IQ-KA",
             narrative="A bomb went off near the shop.", perpetrators=NO_GUNMEN)
    assert _found(engine, carla, "gunmen Karbala") == [both]
    assert _found(engine, carla, "GUNMEN   karb") == [both]  # any case, a word's start


def test_arabic_query_meets_other_spellings_of_the_same_words(engine, users):
    carla = users["carla"]
    with unit_of_work(engine) as session:
        arabic = _new(session, carla, title="هجوم على مدرسة",
                      narrative="أطلقَ مسلّحونَ النارَ على مدرسةٍ في الحلّة.",
                      perpetrators=NO_GUNMEN)
        _new(session, carla, title="Attack", narrative="Nothing in Arabic here.",
             perpetrators=NO_GUNMEN)
    # No hamza on the alef, no shadda, ha for ta marbuta, no case endings.
    assert _found(engine, carla, "اطلق مسلحون مدرسه") == [arabic]
    # The governorate's Arabic name, from the incident's admin1 code (IQ-BG).
    assert _found(engine, carla, "بغداد مدرسة") == [arabic]
    assert _found(engine, carla, "مسلحون كربلاء") == []


def test_a_match_in_the_title_ranks_before_one_in_the_narrative(engine, users):
    carla = users["carla"]
    with unit_of_work(engine) as session:
        in_narrative = _new(session, carla, title="Raid on a house", admin1="IQ-NI",
                            start_date=dt.date(2022, 1, 1), perpetrators=NO_GUNMEN,
                            narrative="Soldiers searched the house of a Sabean family.")
        in_title = _new(session, carla, title="Raid on a Sabean house", admin1="IQ-NI",
                        start_date=dt.date(2019, 1, 1), perpetrators=NO_GUNMEN,
                        narrative="Soldiers searched the house.")
        _new(session, carla, title="Raid on a house", admin1="IQ-NI",
             start_date=dt.date(2023, 1, 1), perpetrators=NO_GUNMEN,
             narrative="Soldiers searched the house.")
    # Newest first without a query; the better match first with one.
    assert _found(engine, carla, "sabean") == [in_title, in_narrative]
    assert _found(engine, carla, "raid sabean") == [in_title, in_narrative]


def _victim(name: str, *, consent: bool, profiles=("activist",)) -> dict:
    return {"person": {"full_name": name, "profiles": list(profiles)}, "outcome": "injured",
            "consent_to_publish_name": consent}


def test_nobody_finds_through_search_what_they_may_not_read(engine, users):
    vera, chen, rana = users["vera"], users["chen"], users["rana"]
    with unit_of_work(engine) as session:
        restricted = _verified(session, users, sensitivity="restricted",
                               title="Gathering in Qurnawa", perpetrators=NO_GUNMEN,
                               narrative="The sealed words zarqalun and qimmatun.")
        withheld = _verified(session, users, title="Arrest in Qurnawa",
                             perpetrators=NO_GUNMEN,
                             victims=[_victim("Zubaida Hiddenname", consent=False),
                                      _victim("Wadih Witnessname", consent=True,
                                              profiles=("witness",)),
                                      _victim("Consenta Shownname", consent=True)])
        shown = session.scalar(select(Incident).where(Incident.ref == withheld))
        uid = shown.victims[2].person.uid
        # The same, consenting person appears unconsented in another incident.
        elsewhere = _verified(session, users, title="Detention in Qurnawa",
                              perpetrators=NO_GUNMEN,
                              victims=[{"person_uid": uid, "outcome": "detained",
                                        "consent_to_publish_name": False}])
    # The controls: what each may read is found.
    assert _found(engine, vera, "Shownname") == [withheld]
    assert _found(engine, chen, "Shownname") == sorted([withheld, elsewhere], reverse=True)
    # A restricted incident's title is sealed: a reviewer finds it by its ref only.
    assert _found(engine, rana, restricted) == [restricted]
    assert _found(engine, rana, "Qurnawa gathering") == []
    # A restricted incident, to viewers and to caseworkers who did not write it.
    for reader in (vera, chen):
        assert _found(engine, reader, "Qurnawa gathering") == []
        assert _found(engine, reader, restricted) == []
    # Withheld names: unconsented, a witness, or consented only in another incident.
    assert _found(engine, vera, "Hiddenname") == []
    assert _found(engine, vera, "Witnessname") == []
    assert _found(engine, vera, "Consenta Detention") == []
    # Sealed values are not in the index at all, not even for a reviewer.
    with read_session(engine) as session:
        stored = " ".join(" ".join(row) for row in session.execute(
            select(SearchText.title, SearchText.body, SearchText.names_public,
                   SearchText.names_all)))
    for word in ("zarqalun", "gathering", "hiddenname", "witnessname"):
        assert word not in stored
    assert "shownname" in stored


def test_the_index_follows_edits_and_forgets_a_purged_incident(engine, users):
    carla, admin = users["carla"], users["admin"]
    with unit_of_work(engine) as session:
        created = create_incident(session, incident_data(
            title="Shelling of Marjana", perpetrators=NO_GUNMEN), by=carla)
    assert _found(engine, carla, "marjana") == [created.ref]
    with unit_of_work(engine) as session:
        update_incident(session, created.ref, {"title": "Shelling of Sawsana"}, by=carla,
                        expected_version=created.version)
    assert _found(engine, carla, "marjana") == []
    assert _found(engine, carla, "sawsana shelling") == [created.ref]
    with unit_of_work(engine) as session:
        purge_incident(session, created.ref, by=admin, reason="entered by mistake")
    assert _found(engine, admin, "sawsana") == []
    with read_session(engine) as session:
        assert session.scalar(select(SearchText.incident_id)) is None
        if engine.dialect.name == "sqlite":
            assert session.scalar(text(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'sawsana'")) == 0


def test_a_rebuild_indexes_an_existing_database(engine, users):
    carla = users["carla"]
    with unit_of_work(engine) as session:
        ref = _new(session, carla, title="Flood of Dalmaj", perpetrators=NO_GUNMEN)
    with engine.begin() as conn:  # a database from before the index
        conn.execute(SearchText.__table__.delete())
    assert _found(engine, carla, "dalmaj") == []
    with unit_of_work(engine) as session:
        assert rebuild_index(session, by=users["admin"]) == 1
    assert _found(engine, carla, "dalmaj") == [ref]


def test_a_search_reads_matches_through_the_narrow_index(engine, users):
    """On SQLite the count and the page of a search name the search index and read every
    match from it alone (a covering index), filters included; on PostgreSQL the planner
    chooses, so the statements carry no hint."""
    from sqlalchemy import event

    with unit_of_work(engine) as session:
        _new(session, users["carla"], title="Gunmen shot an activist in Karbala",
             admin1="IQ-KA")
    statements: list[tuple[str, tuple]] = []

    def note(_conn, _cursor, statement, parameters, *_args):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        with read_session(engine) as session:
            found = list_incidents(session, by=users["rana"], filters=IncidentFilter(
                text="gunmen", admin1="IQ-KA", date_from=dt.date(2000, 1, 1)))
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert found.total == 1
    hinted = [(s, p) for s, p in statements if "INDEXED BY ix_incident_search" in s]
    if engine.dialect.name != "sqlite":
        assert hinted == []
        return
    assert len(hinted) == 2  # the count and the page
    with read_session(engine) as session:
        for statement, parameters in hinted:
            plan = " ".join(row[-1] for row in session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))
            assert "COVERING INDEX ix_incident_search (id=?)" in plan, plan


def test_text_no_database_column_can_hold_is_ignored_not_an_error(engine, users):
    """A NUL (PostgreSQL refuses it in any text) or an unpaired surrogate (not UTF-8) in
    what a search box or a filter sends finds as if it were not there, on both engines."""
    from records.services.people import find_similar_people, list_actors, list_sources

    carla = users["carla"]
    with unit_of_work(engine) as session:
        ref = _new(session, carla, title="Shelling of Marjana", admin1="IQ-KA",
                   perpetrators=NO_GUNMEN)
    assert _found(engine, carla, "marj\x00ana") == [ref]
    assert _found(engine, carla, "marjana\ud800") == [ref]
    assert _found(engine, carla, "\x00") == [ref]
    assert _found(engine, carla, ref + "\x00") == [ref]
    with read_session(engine) as session:
        page = list_incidents(session, by=carla, filters=IncidentFilter(
            text="\x00", admin1="IQ-KA\x00", incident_type="attempted_killing\x00",
            actor_uid="\x00", actor_type="state_forces\x00"))
        assert [item.ref for item in page.items] == [ref]
        assert [s.title for s in list_sources(session, by=carla, text="News\x00")] == [
            "Example News report"]
        assert [a.name for a in list_actors(session, by=carla, text="Brigade\x00")] == [
            "Fictional Brigade"]
        assert [p.full_name for p in find_similar_people(session, "Sami\x00 Example",
                                                         by=carla)] == ["Sami Example"]


def test_a_ref_with_a_nul_is_not_found_not_an_error(engine, users):
    from records.errors import NotFound
    from records.services.incidents import get_incident

    with unit_of_work(engine) as session:
        ref = _new(session, users["carla"], perpetrators=NO_GUNMEN)
    with read_session(engine) as session:
        # What no ref can hold is dropped, as in a search.
        assert get_incident(session, ref + "\x00", by=users["carla"]).ref == ref
        for typed in ("\x00", "INC-\ud800"):
            with pytest.raises(NotFound):
                get_incident(session, typed, by=users["carla"])
