"""Importing Sijil's data package (folder or zip) and Sijil's JSON export."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

from records.errors import FieldProblem, ValidationError
from records.i18n import _
from records.services.exchange.flat import split_list, unneutralise
from records.services.exchange.package import LIST_FIELDS, TABLES
from records.services.exchange.readers import ImportItem, parse_date


def _open_tables(path: Path) -> dict[str, list[tuple[int, dict]]]:
    def read(name: str) -> str | None:
        if path.is_dir():
            target = path / name
            return target.read_text(encoding="utf-8-sig") if target.exists() else None
        with zipfile.ZipFile(path) as archive:
            if name not in archive.namelist():
                return None
            return archive.read(name).decode("utf-8-sig")

    try:
        if read("datapackage.json") is None:
            raise ValidationError.single("(file)", _("no datapackage.json in {p}").format(
                p=path.name))
        tables = {}
        for name in TABLES:
            text = read(f"{name}.csv")
            rows = list(csv.DictReader(io.StringIO(text, newline=""))) if text else []
            tables[name] = list(enumerate(rows, start=2))
        return tables
    except (UnicodeDecodeError, zipfile.BadZipFile) as error:
        raise ValidationError.single("(file)", _("not a readable data package: {e}").format(
            e=error)) from None


def _typed(table: str, row: dict, number: int, problems: list[FieldProblem]) -> dict:
    out = {}
    for name, kind, _vocabulary, _required in TABLES[table]:
        value = unneutralise(row.get(name) or "")
        try:
            if name in LIST_FIELDS:
                out[name] = [i for i in split_list(value) if i]
            elif value == "":
                out[name] = False if kind == "boolean" else (
                    None if kind != "string" or name not in _TEXT else "")
            elif kind == "integer":
                out[name] = int(value)
            elif kind == "number":
                out[name] = float(value)
            elif kind == "date":
                out[name] = parse_date(value)
            elif kind == "boolean":
                out[name] = value.strip().lower() == "true"
            else:
                out[name] = value
        except ValueError as error:
            problems.append(FieldProblem(f"{table}.csv:{name}", str(error), value, number))
            out[name] = None
    return out


_TEXT = {"narrative", "harm_description", "basis", "statement", "quote", "description",
         "title", "full_name", "name"}


def _children(tables: dict[str, list[tuple[int, dict]]], problems: list[FieldProblem]
              ) -> dict[str, dict[str, list[tuple[int, dict]]]]:
    """The typed rows of each part table, grouped by incident_ref."""
    children: dict[str, dict[str, list[tuple[int, dict]]]] = {}
    for name in ("victims", "perpetrators", "citations", "case_events"):
        grouped = defaultdict(list)
        for n, row in tables[name]:
            grouped[row.get("incident_ref", "")].append((n, _typed(name, row, n, problems)))
        children[name] = grouped
    return children


def _package_locator(number: int, rows: dict[str, list[int]]
                     ) -> Callable[[str], tuple[int, str]]:
    """Map a field path of the record to (row, "table.csv:column")."""
    def locate(path: str) -> tuple[int, str]:
        head, _sep, rest = path.partition(".")
        if head in rows:
            index, _sep, sub = rest.partition(".")
            if index.isdigit() and int(index) < len(rows[head]):
                return rows[head][int(index)], f"{head}.csv:{sub or head}"
        return number, f"incidents.csv:{head}"
    return locate


def package_items(path: Path, problems: list[FieldProblem]) -> Iterator[ImportItem]:
    """Incidents of a data package; row numbers are those of each table's CSV."""
    tables = _open_tables(path)
    entities = {name: {row["uid"]: (n, _typed(name, row, n, problems))
                       for n, row in tables[name]}
                for name in ("persons", "actors", "sources")}
    children = _children(tables, problems)

    def entity(table: str, uid: str | None) -> dict | None:
        if not uid:
            return None
        found = entities[table].get(uid)
        return dict(found[1]) if found else {"uid": uid}

    for number, row in tables["incidents"]:
        record = _typed("incidents", row, number, problems)
        ref = row.get("ref", "")
        rows = {name: [n for n, _r in children[name].get(ref, [])] for name in children}
        record["victims"] = [
            {**{k: v for k, v in r.items() if k not in ("incident_ref", "person_uid")},
             "person": entity("persons", r["person_uid"]) or {}}
            for _n, r in children["victims"].get(ref, [])]
        record["perpetrators"] = [
            {"actor": entity("actors", r["actor_uid"]),
             "person": entity("persons", r["person_uid"]),
             "attribution": r["attribution"], "basis": r["basis"]}
            for _n, r in children["perpetrators"].get(ref, [])]
        record["citations"] = [
            {"source": entity("sources", r["source_uid"]), "statement": r["statement"],
             "page": r["page"], "quote": r["quote"]}
            for _n, r in children["citations"].get(ref, [])]
        record["case_events"] = [
            {"date": r["date"], "kind": r["kind"], "description": r["description"],
             "source_uid": r["source_uid"]}
            for _n, r in children["case_events"].get(ref, [])]
        yield ImportItem(number, record, _package_locator(number, rows))


def _dates(record: dict) -> dict:
    for key in ("start_date", "end_date"):
        if isinstance(record.get(key), str):
            with contextlib.suppress(ValueError):
                record[key] = dt.date.fromisoformat(record[key])
    return record


_PARTS = {"victims": ("person",), "perpetrators": ("actor", "person"),
          "citations": ("source",), "case_events": ("source",)}


def _shape_problems(record: dict, number: int) -> list[FieldProblem]:
    """What in a JSON record is not where the export puts it: each part a list of objects,
    the person, actor or source inside them an object (or null)."""
    problems = []
    for part, inner in _PARTS.items():
        items = record.get(part)
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(FieldProblem(part, _("a list of objects was expected"), None,
                                         number))
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                problems.append(FieldProblem(f"{part}.{i}", _("an object was expected"), None,
                                             number))
                continue
            problems += [FieldProblem(f"{part}.{i}.{name}", _("an object was expected"), None,
                                      number)
                         for name in inner
                         if item.get(name) is not None and not isinstance(item[name], dict)]
    return problems


def json_items(path: Path, problems: list[FieldProblem]) -> Iterator[ImportItem]:
    """Incidents of Sijil's JSON export (or a plain list of incident objects). A record
    whose shape is not the export's is reported, not read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValidationError.single("(file)", _("not a readable JSON file: {e}").format(
            e=error)) from None
    except RecursionError:
        raise ValidationError.single("(file)", _(
            "not a readable JSON file: nested too deeply")) from None
    incidents = data.get("incidents") if isinstance(data, dict) else data
    if not isinstance(incidents, list):
        raise ValidationError.single("(file)", _(
            "a JSON import holds a list of incidents, or an object with one under "
            "\"incidents\""))
    for number, record in enumerate(incidents, start=1):
        if not isinstance(record, dict):
            problems.append(FieldProblem("(incident)", _("not an object"), None, number))
            continue
        shape = _shape_problems(record, number)
        if shape:
            problems += shape
            continue
        for part in _PARTS:
            record[part] = record.get(part) or []
        for event in record["case_events"]:
            event.setdefault("source_uid", (event.pop("source", None) or {}).get("uid"))

        def locate(field: str, number=number) -> tuple[int, str]:
            return number, field

        yield ImportItem(number, _dates(record), locate)
