"""Figures reported by sources: validation naming the field, audited writes, who may
write, the period overlap the report reads, and `sijil figures` round trips."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from records.models import AuditEntry, ReportedFigure
from records.services.audit import verify_chain
from records.services.reports import (
    add_reported_figure,
    list_reported_figures,
    remove_reported_figure,
    reported_figures,
    update_reported_figure,
)

OVER_30 = {"metric": "killed", "value": 30, "qualifier": "over",
           "period_start": dt.date(2019, 10, 1), "reported_on": dt.date(2021, 6, 1),
           "source_name": "UNAMI", "source_url": "https://unami.unmissions.org/report"}
AT_LEAST_70 = {"metric": "attempted_killing", "value": "70", "qualifier": "at_least",
               "period_start": "2019-10-01", "period_end": "2021-05-31",
               "admin1": "iq-ka", "source_name": "IHCHR"}


def _add(engine, by, values):
    with unit_of_work(engine) as session:
        return add_reported_figure(session, values, by=by)


def _problems(engine, by, values) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, unit_of_work(engine) as session:
        add_reported_figure(session, values, by=by)
    return caught.value.by_field()


def _count_rows(engine) -> int:
    with read_session(engine) as session:
        return len(session.exec(select(ReportedFigure)).all())


def test_a_figure_is_stored_typed_and_read_back(engine, users):
    figure = _add(engine, users["carla"], AT_LEAST_70)
    assert (figure.metric, figure.value, figure.qualifier) == ("attempted_killing", 70,
                                                                "at_least")
    assert (figure.period_start, figure.period_end) == (dt.date(2019, 10, 1),
                                                        dt.date(2021, 5, 31))
    assert figure.admin1 == "IQ-KA"
    assert figure.source_url is None and figure.note is None


def test_every_bad_field_is_named_and_nothing_is_written(engine, users):
    problems = _problems(engine, users["carla"], {
        "metric": "wounded", "value": -1, "qualifier": "roughly", "admin1": "IQ-XX",
        "source_name": "  ", "source_url": "javascript:alert(1)", "reported_on": "June 2021"})
    assert set(problems) == {"metric", "value", "qualifier", "admin1", "source_name",
                             "source_url", "reported_on"}
    assert "'wounded' is not a known code" in problems["metric"]
    assert problems["value"] == "must be between 0 and 10,000,000"
    assert problems["source_name"] == "a value is required"
    assert problems["source_url"] == "an address starting with http:// or https:// is required"
    assert problems["reported_on"] == "'June 2021' is not a date (YYYY-MM-DD)"
    assert _count_rows(engine) == 0


def test_a_period_ending_before_it_starts_is_refused(engine, users):
    problems = _problems(engine, users["carla"], {**OVER_30, "period_end": "2019-09-30"})
    assert problems == {"period_end": "the period ends before it starts"}


def test_value_must_be_a_whole_number(engine, users):
    assert _problems(engine, users["carla"], {**OVER_30, "value": "thirty"}) == {
        "value": "'thirty' is not a whole number"}


def test_a_viewer_may_read_but_not_add(engine, users):
    _add(engine, users["carla"], OVER_30)
    with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
        add_reported_figure(session, AT_LEAST_70, by=users["vera"])
    with read_session(engine) as session:
        assert [f.value for f in list_reported_figures(session, by=users["vera"])] == [30]
    assert _count_rows(engine) == 1


def test_add_update_and_remove_are_in_the_trail_and_it_verifies(engine, users):
    figure = _add(engine, users["carla"], OVER_30)
    with unit_of_work(engine) as session:
        update_reported_figure(session, figure.id, {"value": 31}, by=users["rana"],
                               expected_version=figure.version)
    with unit_of_work(engine) as session:  # the same value again writes nothing
        update_reported_figure(session, figure.id, {"value": 31}, by=users["rana"])
    with unit_of_work(engine) as session:
        remove_reported_figure(session, figure.id, by=users["admin"], reason="duplicate")
    with read_session(engine) as session:
        entries = session.exec(select(AuditEntry).where(
            AuditEntry.entity_type == "reported_figure").order_by(AuditEntry.seq)).all()
        assert [(e.action, e.actor_id) for e in entries] == [
            ("create", users["carla"].id), ("update", users["rana"].id),
            ("update", users["admin"].id)]
        created = json.loads(entries[0].changes)
        assert created["value"] == [None, 30] and created["qualifier"] == [None, "over"]
        assert created["period_start"] == [None, "2019-10-01"]
        assert json.loads(entries[1].changes) == {"value": [30, 31]}
        assert list(json.loads(entries[2].changes)) == ["deleted_at"]
        assert entries[2].reason == "duplicate"
        assert list_reported_figures(session, by=users["vera"]) == []
        assert verify_chain(session, by=users["admin"]).ok


def test_a_stale_update_and_a_removed_figure_are_refused(engine, users):
    figure = _add(engine, users["carla"], OVER_30)
    with unit_of_work(engine) as session:
        update_reported_figure(session, figure.id, {"note": "from the annual report"},
                               by=users["carla"])
    with pytest.raises(ConflictError) as stale, unit_of_work(engine) as session:
        update_reported_figure(session, figure.id, {"value": 1}, by=users["rana"],
                               expected_version=figure.version)
    assert str(stale.value).startswith(f"reported figure {figure.id} was changed by carla at ")
    assert stale.value.changed_by == "carla"
    with unit_of_work(engine) as session:
        remove_reported_figure(session, figure.id, by=users["carla"])
    with pytest.raises(NotFound), unit_of_work(engine) as session:
        update_reported_figure(session, figure.id, {"value": 1}, by=users["carla"])


def test_the_report_reads_figures_whose_period_overlaps(engine, users):
    # Over 30 killed since October 2019 (reported June 2021): open end read as June 2021.
    _add(engine, users["carla"], OVER_30)
    _add(engine, users["carla"], AT_LEAST_70)  # Karbala, Oct 2019 – May 2021
    _add(engine, users["carla"], {"metric": "arrested", "value": 5, "source_name": "HRW",
                                  "period_start": "2022-01-01", "period_end": "2022-12-31"})
    by = users["vera"]
    with read_session(engine) as session:
        def values(**kw):
            return [f.value for f in reported_figures(session, by=by, **kw)]

        assert values() == [30, 70, 5]  # metric order: killed, attempted, arrested
        assert values(since=dt.date(2021, 6, 1)) == [30, 5]
        assert values(since=dt.date(2021, 6, 2)) == [5]
        assert values(until=dt.date(2019, 9, 30)) == []
        assert values(since=dt.date(2019, 12, 1), until=dt.date(2019, 12, 31)) == [30, 70]
        assert values(admin1="IQ-KA") == [70]
        first = reported_figures(session, by=by)[0]
        assert (first.metric, first.qualifier, first.source_name, first.period_end) == (
            "killed", "over", "UNAMI", None)


def test_cli_add_list_remove_round_trip(engine, users, sijil_process):
    added = sijil_process(engine, "figures", "add", "--metric", "killed", "--value", "30",
                  "--qualifier", "over", "--since", "2019-10-01", "--source", "UNAMI",
                  "--url", "https://unami.unmissions.org/", "--reported-on", "2021-06-01",
                  "--as", "carla")
    assert added.returncode == 0, added.stderr
    assert added.stdout == "added reported figure 1\n"
    listed = sijil_process(engine, "figures", "list", "--as", "vera")
    assert listed.stdout == ("1\tkilled\tover\t30\t2019-10-01\t-\t-\tUNAMI\t"
                             "https://unami.unmissions.org/\t2021-06-01\n")
    bad = sijil_process(engine, "figures", "add", "--metric", "killed", "--value", "3",
                "--source", "X", "--governorate", "IQ-ZZ", "--as", "carla")
    assert bad.returncode == 1
    assert bad.stderr.startswith("sijil: admin1: 'IQ-ZZ' is not a known code")
    removed = sijil_process(engine, "figures", "remove", "1", "--as", "carla")
    assert removed.stdout == "removed reported figure 1\n"
    with read_session(engine) as session:
        assert list_reported_figures(session, by=users["vera"]) == []
