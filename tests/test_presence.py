"""Who is editing an incident now: shown to the others, gone after ten quiet minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from records.db import read_session, unit_of_work
from records.errors import NotFound, PermissionDenied
from records.models import AuditEntry
from records.services.incidents import (
    create_incident,
    mark_editing,
    others_editing,
    stop_editing,
)
from tests.factories import incident_data

AT_10_42 = dt.datetime(2026, 11, 30, 10, 42, tzinfo=dt.UTC)


def _minutes(n: int) -> dt.datetime:
    return AT_10_42 + dt.timedelta(minutes=n)


def _incident(engine, users, **overrides) -> str:
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(**overrides), by=users["carla"]).ref


def _mark(engine, ref, by, minutes: int) -> None:
    with unit_of_work(engine) as session:
        mark_editing(session, ref, by=by, now=_minutes(minutes))


def _others(engine, ref, by, minutes: int):
    with read_session(engine) as session:
        return others_editing(session, ref, by=by, now=_minutes(minutes))


def test_an_editor_is_shown_to_others_but_not_to_themselves(engine, users):
    ref = _incident(engine, users)
    _mark(engine, ref, users["carla"], 0)
    _mark(engine, ref, users["rana"], 3)
    assert _others(engine, ref, users["ravi"], 5) == [("carla", AT_10_42),
                                                      ("rana", _minutes(3))]
    assert _others(engine, ref, users["carla"], 5) == [("rana", _minutes(3))]
    assert _others(engine, ref, users["chen"], 5) == [("carla", AT_10_42),
                                                      ("rana", _minutes(3))]


def test_the_mark_is_gone_after_ten_quiet_minutes(engine, users):
    ref = _incident(engine, users)
    _mark(engine, ref, users["carla"], 0)
    assert _others(engine, ref, users["rana"], 10) == [("carla", AT_10_42)]
    assert _others(engine, ref, users["rana"], 11) == []


def test_each_click_keeps_the_start_until_the_mark_has_expired(engine, users):
    ref = _incident(engine, users)
    _mark(engine, ref, users["carla"], 0)
    _mark(engine, ref, users["carla"], 8)
    assert _others(engine, ref, users["rana"], 17) == [("carla", AT_10_42)]
    _mark(engine, ref, users["carla"], 30)
    assert _others(engine, ref, users["rana"], 31) == [("carla", _minutes(30))]


def test_saving_or_cancelling_ends_the_mark(engine, users):
    ref = _incident(engine, users)
    _mark(engine, ref, users["carla"], 0)
    with unit_of_work(engine) as session:
        stop_editing(session, ref.lower(), by=users["carla"])
    assert _others(engine, ref, users["rana"], 1) == []


def test_only_who_may_edit_marks_and_only_who_may_read_sees(engine, users):
    ref = _incident(engine, users)
    restricted = _incident(engine, users, sensitivity="restricted")
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        mark_editing(session, ref, by=users["chen"])  # a caseworker, not its author
    _mark(engine, restricted, users["carla"], 0)
    with pytest.raises(NotFound):
        _others(engine, restricted, users["chen"], 1)
    with pytest.raises(NotFound):
        _others(engine, ref, users["vera"], 1)  # viewers read verified records only


def test_presence_is_not_written_to_the_audit_trail(engine, users):
    ref = _incident(engine, users)
    with read_session(engine) as session:
        before = session.scalar(select(func.count()).select_from(AuditEntry))
    _mark(engine, ref, users["carla"], 0)
    with unit_of_work(engine) as session:
        stop_editing(session, ref, by=users["carla"])
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before
