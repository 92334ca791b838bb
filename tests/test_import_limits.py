"""Hostile files: each refused with one clear problem (the row and column where there is
one) before anything reaches the database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import csv
import json
import struct
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.models import Incident, Person, metadata
from records.services.access import SYSTEM
from records.services.exchange import import_file, limits, preview_import, tables
from records.services.exchange.limits import (
    MAX_ARCHIVE_BYTES,
    MAX_CELL_CHARS,
    MAX_JSON_DEPTH,
    MAX_LONG_TEXT,
    TEXT_LIMITS,
)

HEADER = ["incident_ref", "title", "incident_type", "start_date", "narrative", "victim_name",
          "victim_outcome", "victim_contact", "fatalities", "external_id"]


def _row(**changes) -> list:
    values = {"incident_ref": "INC-2019-00001", "title": "Killing of an activist (fictional)",
              "incident_type": "killing", "start_date": "2019-10-25", "narrative": "Shot.",
              "victim_name": "Sami Example", "victim_outcome": "killed",
              "victim_contact": "", "fatalities": "1", "external_id": ""}
    values.update(changes)
    return [values[c] for c in HEADER]


def _csv(path, *rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def table_counts(engine) -> dict[str, int]:
    """Rows in every table: an import that is refused leaves each count as it was."""
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in metadata.sorted_tables}


def refused(engine, path, **kwargs) -> list[tuple]:
    """The problems of a refused import as (row, field, message), after checking that the
    preview and the import both refuse it and that no table changed."""
    before = table_counts(engine)
    with read_session(engine) as session:
        preview = preview_import(session, path, by=SYSTEM, **kwargs)
    with pytest.raises(ValidationError) as caught, unit_of_work(engine) as session:
        import_file(session, path, by=SYSTEM, **kwargs)
    assert table_counts(engine) == before
    found = [(p.row, p.field, p.message) for p in caught.value.problems]
    assert found == [(p.row, p.field, p.message) for p in preview.problems]
    return found


def _zip_bomb(path, member: str, size: int) -> None:
    """A zip whose one member is `size` zero bytes, written in chunks."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open(member, "w", force_zip64=True) as handle:
        chunk = bytes(1 << 20)
        for _ in range(size // len(chunk)):
            handle.write(chunk)


@pytest.mark.parametrize(("name", "member", "what"), [
    ("bomb.xlsx", "xl/worksheets/sheet1.xml", "the workbook"),
    ("bomb.zip", "incidents.csv", "the data package")])
def test_a_zip_bomb_is_refused_before_it_is_parsed(engine, tmp_path, monkeypatch, name,
                                                   member, what):
    path = tmp_path / name
    _zip_bomb(path, member, 150 << 20)
    assert path.stat().st_size < 200_000
    import openpyxl
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    assert refused(engine, path) == [(None, "(file)", (
        f"{what}: {member} expands 1,029 times, to 150 MB; a file that expands more than "
        "100 times is refused (a zip bomb?)"))]


def test_an_archive_that_declares_more_than_the_limit_is_refused(engine, tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("datapackage.json", "{}")
    data = bytearray(path.read_bytes())
    # The central directory entry's uncompressed size (offset 24) made 3 GB.
    central = data.rindex(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 3 << 30)
    path.write_bytes(bytes(data))
    assert MAX_ARCHIVE_BYTES < 3 << 30
    assert refused(engine, path) == [
        (None, "(file)", "the data package expands to 3,072 MB; at most 2,048 MB are read")]


def test_an_archive_just_over_the_limit_does_not_claim_to_be_at_the_limit(engine, tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("datapackage.json", "{}")
        archive.writestr("incidents.csv", "x")
    data = bytearray(path.read_bytes())
    # The two members declare 2 GiB + 1 byte together: 2,048 MB when rounded.
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 2 << 30)
    path.write_bytes(bytes(data))
    assert refused(engine, path) == [(None, "(file)", (
        "the data package expands to more than 2,048 MB; at most 2,048 MB are read"))]


def test_an_archive_whose_member_is_longer_than_it_declares_is_refused(engine, tmp_path):
    path = tmp_path / "lies.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("datapackage.json", "{}" + " " * 98)
    data = bytearray(path.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 24:central + 28] = struct.pack("<I", 2)
    path.write_bytes(bytes(data))
    ((row, field, message),) = refused(engine, path)
    assert (row, field) == (None, "(file)")
    assert message.startswith("the data package is not a readable zip archive: Bad CRC-32")


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.csv is a PNG image, not a CSV file"),
    (b"PK\x03\x04" + bytes(200), "photo.csv is a ZIP archive (an XLSX workbook or a zipped "
                                 "data package?), not a CSV file"),
    (b"title,incident_type\r\nab\x00\x01\x02cd,killing\r\n",
     "photo.csv holds binary data (NUL bytes), not CSV text"),
    ("title\r\n".encode("utf-16"), "photo.csv is UTF-16 text; save it as 'CSV UTF-8'")])
def test_a_binary_file_named_csv_is_refused_in_one_sentence(engine, tmp_path, content,
                                                            message):
    path = tmp_path / "photo.csv"
    path.write_bytes(content)
    assert refused(engine, path) == [(None, "(file)", message)]


def test_a_nul_character_is_refused_with_its_row_and_column(engine, tmp_path):
    # The first row is long enough that the sniffing of the file's start does not see the
    # NUL of the second.
    path = _csv(tmp_path / "nul.csv", _row(narrative="x" * 9000),
                _row(incident_ref="INC-2019-00002", victim_contact="+964\x00"))
    assert path.read_bytes().index(b"\x00") > 9000
    assert refused(engine, path) == [
        (3, "victim_contact", "contains a NUL character (\\x00), which is not text")]


def test_nul_and_unpaired_surrogates_in_json_are_refused_at_their_place(engine, tmp_path):
    path = tmp_path / "nul.json"
    path.write_text(json.dumps([
        {"title": "A\u0000B", "incident_type": "killing", "start_date": "2019-10-25"},
        {"title": "Fine", "incident_type": "killing", "start_date": "2019-10-25",
         "victims": [{"person": {"full_name": "X\ud800"}, "outcome": "killed"}]}]),
        encoding="utf-8")
    assert refused(engine, path) == [
        (1, "title", "contains a NUL character (\\x00), which is not text"),
        (2, "victims.0.person.full_name", "contains a character that is not valid Unicode "
                                          "text (an unpaired surrogate)")]


def test_text_longer_than_its_limit_is_refused_and_the_limit_itself_is_imported(engine,
                                                                                tmp_path):
    long = _csv(tmp_path / "long.csv", _row(narrative="n" * (MAX_LONG_TEXT + 1)))
    assert refused(engine, long) == [
        (2, "narrative", "100,001 characters; at most 100,000 may be imported")]
    at_limit = _csv(tmp_path / "limit.csv", _row(narrative="n" * MAX_LONG_TEXT))
    with unit_of_work(engine) as session:
        assert import_file(session, at_limit, by=SYSTEM).created == 1
    with read_session(engine) as session:
        assert len(session.exec(select(Incident.narrative)).one()[0]) == MAX_LONG_TEXT


def test_a_cell_longer_than_any_field_is_refused_with_its_line(engine, tmp_path):
    path = _csv(tmp_path / "cell.csv", _row(), _row(incident_ref="INC-2019-00002",
                                                    title="t" * (MAX_CELL_CHARS + 1)))
    assert refused(engine, path) == [
        (3, "(file)", "a cell on line 3 is longer than 1,000,000 characters")]


def test_a_csv_file_or_line_longer_than_the_limits_is_refused_before_it_is_parsed(
        engine, tmp_path, monkeypatch):
    # Smaller limits, so the files stay small: the checks are the same.
    path = _csv(tmp_path / "lines.csv", _row(), _row(incident_ref="INC-2019-00002",
                                                     narrative="n" * 2000))
    monkeypatch.setattr(tables, "MAX_LINE_BYTES", 1000)
    assert refused(engine, path) == [(3, "(file)", "line 3 is longer than 1,000 bytes")]
    monkeypatch.setattr(limits, "MAX_CSV_BYTES", 1 << 10)
    assert refused(engine, path) == [(None, "(file)", (
        f"the CSV file is {path.stat().st_size:,} bytes; at most 1,024 bytes are read"))]


def test_an_xlsx_cell_longer_than_the_limit_is_refused_with_its_row_and_column(engine,
                                                                                tmp_path):
    book = Workbook()
    book.active.append(HEADER)
    book.active.append(_row(narrative="PLACEHOLDER"))
    book.save(tmp_path / "written.xlsx")
    # openpyxl cuts what it writes to 32 767 characters; another program may not.
    path = tmp_path / "cell.xlsx"
    with zipfile.ZipFile(tmp_path / "written.xlsx") as source, \
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.namelist():
            data = source.read(member)
            if member == "xl/worksheets/sheet1.xml":
                data = data.replace(b"PLACEHOLDER", b"n" * (MAX_CELL_CHARS + 1))
            target.writestr(member, data)
    assert refused(engine, path) == [
        (2, "narrative", "a cell of 1,000,001 characters; at most 1,000,000")]


def test_an_xlsx_that_declares_xml_entities_is_refused(engine, tmp_path):
    book = Workbook()
    book.active.append(HEADER)
    book.save(tmp_path / "written.xlsx")
    # A "billion laughs": each entity ten of the one before, expanded when parsed.
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(tmp_path / "written.xlsx") as source, \
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.namelist():
            data = source.read(member)
            if member == "xl/worksheets/sheet1.xml":
                data = (f"<!DOCTYPE worksheet [{entities}]>".encode()
                        + data.replace(b"<t>title</t>", b"<t>&a9;</t>"))
            target.writestr(member, data)
    ((row, field, message),) = refused(engine, path)
    assert (row, field) == (None, "(file)")
    assert message.startswith("not a readable XLSX workbook: Unable to read workbook")
    assert "\n" not in message and str(tmp_path) not in message


@pytest.mark.parametrize(("record", "problem"), [
    ({"ref": ["INC-2019-00001"]}, (1, "ref", "text was expected")),
    ({"external_id": {"id": 1}}, (1, "external_id", "text was expected")),
    ({"status": 5}, (1, "status", "text was expected")),
    ({"external_id": "acled:" + "9" * 95}, (1, "external_id",
                                            "101 characters; at most 100 may be imported")),
    ({"fatalities": 10**12}, (1, "fatalities", "at most 1,000,000")),
    ({"tags": ["t"] * 101}, (1, "tags", "101 items; at most 100")),
    ({"narrative": {"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}},
     (None, "(file)", f"not a readable JSON file: nested deeper than {MAX_JSON_DEPTH} "
                      "levels"))])
def test_json_values_of_the_wrong_kind_or_size_are_refused_naming_the_field(
        engine, tmp_path, record, problem):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"incidents": [
        {"title": "Killing (fictional)", "incident_type": "killing",
         "start_date": "2019-10-25", **record}]}), encoding="utf-8")
    assert refused(engine, path)[0] == problem


def test_every_unbounded_text_column_an_import_fills_has_a_limit():
    imported = ("incident", "person", "actor", "source", "victim", "perpetrator", "citation",
                "case_event", "review_comment", "attachment", "custody_event")
    unbounded = {column.name for table in metadata.sorted_tables if table.name in imported
                 for column in table.columns
                 if column.type.__class__.__name__ == "Text"
                 and column.name not in ("full_name", "name_original", "title", "admin2",
                                         "locality", "coordinates")}
    # full_name, name_original, title, admin2 and locality are TEXT for their sealed form;
    # their input models bound them (300, 300, 500, 200 and 200 characters); coordinates
    # holds the sealed pair of latitude and longitude, never typed.
    assert unbounded <= set(TEXT_LIMITS), sorted(unbounded - set(TEXT_LIMITS))


def test_a_name_that_expands_when_normalised_is_imported_on_every_engine(engine, tmp_path):
    # "ﷺ" is one character that NFKD makes eighteen: 300 of them would overflow the
    # 700-character matching key (PostgreSQL refused the row).
    path = tmp_path / "wide.json"
    path.write_text(json.dumps([{
        "title": "Killing (fictional)", "incident_type": "killing", "start_date": "2019-10-25",
        "victims": [{"person": {"full_name": "ﷺ" * 300}, "outcome": "killed",
                     "consent_to_publish_name": True}]}]), encoding="utf-8")
    with unit_of_work(engine) as session:
        assert import_file(session, path, by=SYSTEM).created == 1
    with read_session(engine) as session:
        assert len(session.exec(select(Person.name_key)).one()[0]) == 700


_OUTSIDE_ROWS = "ref,title,incident_type,start_date\nINC-2019-00001,Outside,killing,2019-10-25\n"


def _package(tmp_path, paths, *, as_zip: bool):
    """A data package whose incidents resource names `paths`; a readable incidents table
    lies beside the package, outside it."""
    (tmp_path / "outside.csv").write_text(_OUTSIDE_ROWS, encoding="utf-8")
    descriptor = json.dumps({"profile": "tabular-data-package", "resources": [
        {"name": "incidents", "path": paths, "profile": "tabular-data-resource"}]})
    if as_zip:
        path = tmp_path / "package.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("datapackage.json", descriptor)
        return path
    path = tmp_path / "package"
    path.mkdir()
    (path / "datapackage.json").write_text(descriptor, encoding="utf-8")
    return path


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
@pytest.mark.parametrize("paths", [
    "../outside.csv", "/tmp/outside.csv", "C:\\outside.csv", "data/../../outside.csv",
    "https://example.org/incidents.csv", ["incidents.csv", "../outside.csv"]])
def test_a_resource_outside_the_package_is_refused(engine, tmp_path, paths, as_zip):
    path = _package(tmp_path, paths, as_zip=as_zip)
    named = paths[-1] if isinstance(paths, list) else paths
    assert refused(engine, path) == [(None, "(file)", (
        f"the data package names a file outside itself ({named}); every table must be a "
        "file inside the package"))]


def test_a_table_linked_to_a_file_outside_the_folder_is_refused(engine, tmp_path):
    path = _package(tmp_path, "incidents.csv", as_zip=False)
    (path / "incidents.csv").symlink_to(tmp_path / "outside.csv")
    assert refused(engine, path) == [(None, "(file)", (
        "the data package names a file outside itself (incidents.csv); every table must be "
        "a file inside the package"))]


@pytest.mark.parametrize("descriptor", ['{"resources": {"path": "x.csv"}}',
                                        '{"resources": [{"name": "incidents", "path": 3}]}',
                                        "[1]", "not json"])
def test_a_descriptor_that_is_not_a_package_is_refused(engine, tmp_path, descriptor):
    path = tmp_path / "package"
    path.mkdir()
    (path / "datapackage.json").write_text(descriptor, encoding="utf-8")
    ((row, field, message),) = refused(engine, path)
    assert (row, field) == (None, "(file)")
    assert message.startswith("not a readable data package: ")
