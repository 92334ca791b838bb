"""Malformed files of every format, generated: the import answers with a ValidationError
(the CLI with exit 1 and one line per problem), never with another exception, and a refused
file changes no row of any table. A file that happens to be valid is imported."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import itertools
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.services.access import SYSTEM
from records.services.exchange import COLUMNS, import_file, preview_import
from tests.test_import_limits import table_counts

# SIJIL_HOSTILE_EXAMPLES=2000 searches further (before a release, or after a reader changed).
SETTINGS = settings(max_examples=int(os.environ.get("SIJIL_HOSTILE_EXAMPLES", "30")),
                    deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# A valid record in the JSON export's shape: the generated files change parts of it.
RECORD = {
    "title": "Killing of an activist (fictional)", "narrative": "Shot at night.",
    "incident_type": "killing", "start_date": "2019-10-25", "end_date": None,
    "date_precision": "day", "admin1": "IQ-BG", "latitude": 33.3, "longitude": 44.4,
    "fatalities": 1, "status": "verified", "external_id": None, "tags": ["protest"],
    "victims": [{"person": {"full_name": "Sami Example", "aliases": ["Abu Sami"],
                            "profiles": ["activist"], "contact": "+964 770"},
                 "outcome": "killed", "harm_description": "", "consent_to_publish_name": True}],
    "perpetrators": [{"actor": {"name": "Unidentified gunmen", "actor_type": "unknown",
                                "parent_name": "A brigade", "parent_type": "unknown"},
                      "person": None, "attribution": "alleged", "basis": "witnesses"}],
    "citations": [{"source": {"kind": "media", "title": "Example News"},
                   "statement": "Reports it.", "page": None, "quote": ""}],
    "case_events": [{"date": "2019-11-01", "date_precision": "day", "kind": "complaint",
                     "description": "A complaint.", "source": None,
                     "person": {"full_name": "A suspect"}, "actor": None}],
    "comments": [{"author": "rana", "at": "2019-11-02T10:00:00+00:00", "body": "Checked."}],
    "attachments": [{"sha256": "0" * 64, "size": 3, "mime_type": "text/plain",
                     "original_name": "a.txt", "captured_at": None, "description": "",
                     "source_uid": None, "uploaded_by": "carla",
                     "custody": [{"at": "2019-11-02T10:00:00+00:00", "kind": "received",
                                  "by": "carla", "counterpart": None, "method": "upload",
                                  "note": ""}]}],
}
KEYS = sorted({key for key in json.dumps(RECORD).split('"')[1::2] if key.isidentifier()})
HOSTILE_TEXT = st.sampled_from([
    "\x00", "a\x00b", "\ud800", "\udfff x", "x" * 100_001, "'=1+1", "a; b\\; c", "\\",
    "INC-2019-00001", "INC-2019-00001 ", "9999-12-31", "0001-01-01", "2019-02-30",
    "03/04/2019", "-1", "1e400", "NaN", "true", "", " ", "\u200f", "ﷺ" * 300])
LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(10**9, 10**30),
                 st.floats(), st.text(max_size=12), HOSTILE_TEXT)
JSON_VALUE = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=4), max_leaves=12)


def _places(value, path=()):
    """Every (container path, key) inside a JSON value."""
    items = (value.items() if isinstance(value, dict)
             else enumerate(value) if isinstance(value, list) else ())
    for key, inner in items:
        yield (*path, key)
        yield from _places(inner, (*path, key))


@st.composite
def json_files(draw) -> bytes:
    record = copy.deepcopy(RECORD)
    places = list(_places(record))
    for place in draw(st.lists(st.sampled_from(places), min_size=1, max_size=3)):
        target = record
        try:
            for key in place[:-1]:
                target = target[key]
            target[place[-1]] = draw(JSON_VALUE)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change took this place away
    body = draw(st.sampled_from(["list", "export", "bare"]))
    data = ([record] if body == "list" else {"export": {}, "incidents": [record]}
            if body == "export" else draw(JSON_VALUE))
    return json.dumps(data).encode("utf-8")


CELL = st.one_of(HOSTILE_TEXT, st.text(max_size=12), st.integers().map(str),
                 st.sampled_from(["killing", "verified", "2019-10-25", "IQ-BG", "yes"]))
FLAT = {"incident_ref": "", "title": "Killing of an activist (fictional)",
        "incident_type": "killing", "start_date": "2019-10-25", "admin1": "IQ-BG",
        "victim_name": "Sami Example", "victim_outcome": "killed", "victim_consent": "yes",
        "perpetrator_actor_name": "Gunmen", "perpetrator_actor_type": "unknown",
        "perpetrator_attribution": "alleged", "citation_source_kind": "media",
        "citation_source_title": "Example News", "case_event_date": "2019-11-01",
        "case_event_kind": "complaint", "tags": "a; b", "fatalities": "1"}


@st.composite
def flat_rows(draw) -> tuple[list[str], list[list]]:
    columns = list(FLAT) + draw(st.lists(st.sampled_from(COLUMNS) | st.text(max_size=6),
                                         max_size=3))
    dropped = draw(st.lists(st.sampled_from(columns), max_size=2))
    header = [c for c in columns if c not in dropped] or ["title"]
    rows = []
    for _ in range(draw(st.integers(1, 3))):
        row = {c: FLAT.get(c, "") for c in header}
        for column in draw(st.lists(st.sampled_from(header), min_size=1, max_size=3)):
            row[column] = draw(CELL)
        rows.append([row[c] for c in header])
    return header, rows


@st.composite
def csv_files(draw) -> bytes:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=64))
    header, rows = draw(flat_rows())
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode("utf-8", "surrogatepass")


def _cell_text(value: str) -> str:
    """The text as a workbook can hold it (no control characters or surrogates)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value.encode("utf-8", "replace").decode("utf-8"))


@st.composite
def xlsx_files(draw) -> bytes:
    header, rows = draw(flat_rows())
    book = Workbook()
    book.active.append([_cell_text(c) for c in header])
    for row in rows:
        values = []
        for value in row:
            kind = draw(st.integers(0, 39))
            if kind == 0:
                value = draw(st.integers(-(10**20), 10**20) | st.floats(allow_nan=False,
                                                                        allow_infinity=False))
            elif kind == 1:
                value = draw(st.dates(dt.date(1900, 1, 1)) | st.booleans() | st.times())
            elif isinstance(value, str):
                value = _cell_text(value)
            values.append(value)
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    if draw(st.integers(0, 9)) == 0:
        # A share of the length: the saved bytes differ a little from run to run.
        cut = draw(st.integers(0, 1000)) * len(data) // 1000
        data = data[:cut] + draw(st.binary(max_size=16)) + data[cut + 16:]
    return data


FILES = {"json": json_files(), "csv": csv_files(), "xlsx": xlsx_files()}
_names = itertools.count()


def _import_or_refuse(engine, path) -> None:
    before = table_counts(engine)
    with read_session(engine) as session:
        preview = preview_import(session, path, by=SYSTEM)
    for problem in preview.problems:
        assert isinstance(problem.field, str) and problem.message.strip(), problem
    try:
        with unit_of_work(engine) as session:
            result = import_file(session, path, by=SYSTEM)
    except ValidationError:
        assert preview.problems
        assert table_counts(engine) == before
        return
    assert not preview.problems
    assert table_counts(engine)["incident"] == before["incident"] + result.created


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_a_malformed_file_is_refused_whole_or_imported(engine, tmp_path, fmt):
    @SETTINGS
    @given(content=FILES[fmt])
    def check(content: bytes) -> None:
        path = tmp_path / f"hostile-{next(_names)}.{fmt}"
        path.write_bytes(content)
        _import_or_refuse(engine, path)

    check()


@pytest.mark.parametrize("fmt", sorted(FILES))
def test_the_cli_exits_1_without_a_traceback_and_writes_nothing(engine, tmp_path, sijil,
                                                                 fmt):
    @settings(SETTINGS, max_examples=3)
    @given(content=FILES[fmt])
    def check(content: bytes) -> None:
        path = tmp_path / f"hostile-{next(_names)}.{fmt}"
        path.write_bytes(content)
        before = table_counts(engine)
        done = sijil(engine, "import", str(path))
        assert "Traceback" not in done.stderr
        assert done.returncode in (0, 1), done.stderr
        if done.returncode == 1:
            assert done.stderr.splitlines()[-1].startswith("sijil: "), done.stderr
            assert table_counts(engine) == before

    check()
