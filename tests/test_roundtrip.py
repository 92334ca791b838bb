"""Round trips: export at the internal level, import into an empty database, export again:
the same rows (ids and timestamps are not exported)."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from records.db import make_engine, unit_of_work
from records.models.incident_io import IncidentCreate
from records.services.access import SYSTEM
from records.services.exchange import ExportFilters, ExportRequest, import_file, run_export
from records.services.incidents import create_incidents
from tests.test_export_data import seed_sensitive

ALL = ExportFilters(statuses=None)


@pytest.fixture
def empty_engine(engine, tmp_path, sqlite_templates, pg_server):
    """A second, empty database of the same kind as `engine` (`empty_engine` would share the
    SQLite file of `engine` within one test)."""
    if engine.dialect.name == "sqlite":
        path = tmp_path / "target.db"
        shutil.copyfile(sqlite_templates["bare"], path)
        target = make_engine(f"sqlite:///{path}")
        yield target
        target.dispose()
        return
    name = pg_server.create(pg_server.bare_template)
    target = make_engine(pg_server.database_url(name))
    yield target
    target.dispose()
    pg_server.drop(name)


def _export(engine, path, fmt="csv", filters=ALL):
    run_export(engine, ExportRequest(fmt, path, "internal", filters), by=SYSTEM)
    return path


def _import(engine, path):
    with unit_of_work(engine) as session:
        return import_file(session, path, by=SYSTEM)


@pytest.mark.parametrize(("fmt", "name"), [("csv", "first.csv"), ("datapackage", "pkg.zip"),
                                           ("json", "first.json"), ("xlsx", "first.xlsx")])
def test_internal_export_imported_into_an_empty_database_exports_the_same_rows(
        engine, empty_engine, users, tmp_path, fmt, name):
    seed_sensitive(engine, users)
    first = _export(engine, tmp_path / name, fmt)
    assert _import(empty_engine, first).created == 3
    again = _export(empty_engine, tmp_path / "again.csv")
    assert again.read_text(encoding="utf-8") == _export(
        engine, tmp_path / "original.csv").read_text(encoding="utf-8")


_ARABIC = st.sampled_from(["سامي المثال", "ليلى عبد الله", "مُحَمَّد", "كربلاء", "؛ ، ؟"])
_AWKWARD = st.sampled_from(["=1+1", "+964 770", "-x", "@user", "'quoted'", "a; b", "back\\slash",
                            "line\nbreak", "cr\r\nlf", "\ttab", '"double"', "  spaced  ",
                            "semi;colon\\;", "ﷺ", "😀"])
_TEXT = st.lists(st.one_of(_ARABIC, _AWKWARD, st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)),
    min_size=1, max_size=4).map("".join)
_NAME = _TEXT.filter(lambda s: s.strip()).map(lambda s: s[:200])


@st.composite
def _incidents(draw, year: int) -> list[dict]:
    incidents = []
    for _ in range(draw(st.integers(1, 3))):
        victims = [{"person": {"full_name": draw(_NAME), "name_original": draw(_ARABIC),
                               "aliases": draw(st.lists(_NAME, max_size=2)),
                               "sex": draw(st.sampled_from(["female", "male", "unknown"])),
                               "age": draw(st.none() | st.integers(0, 130)),
                               "profiles": draw(st.lists(st.sampled_from(
                                   ["activist", "journalist", "lawyer"]), max_size=2,
                                   unique=True)),
                               "contact": draw(st.none() | _NAME)},
                    "outcome": draw(st.sampled_from(["killed", "injured", "abducted"])),
                    "harm_description": draw(_TEXT),
                    "consent_to_publish_name": draw(st.booleans())}
                   for _ in range(draw(st.integers(0, 2)))]
        incidents.append({
            "title": draw(_NAME), "narrative": draw(_TEXT),
            "incident_type": draw(st.sampled_from(["killing", "threat", "abduction"])),
            "start_date": dt.date(year, draw(st.integers(1, 12)), draw(st.integers(1, 28))),
            "latitude": draw(st.none() | st.floats(-90, 90, allow_nan=False)),
            "longitude": draw(st.floats(-180, 180, allow_nan=False)),
            "tags": draw(st.lists(_NAME, max_size=2)),
            "victims": victims,
            "perpetrators": [{"actor": {"name": draw(_NAME), "actor_type": "unknown"},
                              "basis": draw(_TEXT)}] if draw(st.booleans()) else [],
            "citations": [{"source": {"kind": draw(st.sampled_from(["media",
                                                                    "witness_testimony"])),
                                      "title": draw(_NAME)},
                           "statement": draw(_TEXT), "quote": draw(_TEXT)}],
        })
    return incidents


_years = itertools.count(1901)


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(data=st.data())
def test_round_trip_holds_for_generated_incidents(engine, empty_engine, tmp_path, data):
    # Each example uses a year of its own, so the target database holds nothing of it
    # before the import: it is "empty" for the incidents compared.
    year = next(_years)
    incidents = data.draw(_incidents(year))
    with unit_of_work(engine) as session:
        create_incidents(session, [IncidentCreate.model_validate(i) for i in incidents],
                         by=SYSTEM)
    only = ExportFilters(statuses=None, since=dt.date(year, 1, 1), until=dt.date(year, 12, 31))
    first = _export(engine, tmp_path / f"{year}-first.csv", filters=only)
    assert _import(empty_engine, first).created == len(incidents)
    second = _export(empty_engine, tmp_path / f"{year}-second.csv", filters=only)
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_round_trip_keeps_quotes_and_formula_signs_inside_list_cells(engine, empty_engine,
                                                                     tmp_path):
    awkward = {"title": "'quoted' title", "incident_type": "killing",
               "start_date": dt.date(1900, 1, 2), "tags": ["'a", "=b; c", "\\"],
               "perpetrators": [{"actor": {"name": "-group", "actor_type": "unknown"},
                                 "basis": "=1+1"}],
               "citations": [{"source": {"kind": "media", "title": "@source"},
                              "statement": "+", "quote": "'quoted'"}]}
    with unit_of_work(engine) as session:
        create_incidents(session, [IncidentCreate.model_validate(awkward)], by=SYSTEM)
    only = ExportFilters(statuses=None, until=dt.date(1900, 12, 31))
    first = _export(engine, tmp_path / "first.csv", filters=only)
    _import(empty_engine, first)
    second = _export(empty_engine, tmp_path / "second.csv", filters=only)
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    assert ",''quoted'," in first.read_text(encoding="utf-8")
