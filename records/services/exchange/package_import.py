"""Importing Sijil's data package (folder or zip) and Sijil's JSON export."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from records.errors import FieldProblem, ValidationError
from records.i18n import _
from records.services.exchange.flat import split_list, unneutralise
from records.services.exchange.limits import check_archive, check_folder, load_json
from records.services.exchange.package import LIST_FIELDS, TABLES
from records.services.exchange.readers import ImportItem, parse_date

# A Windows drive ("C:\\x.csv", "c:x.csv"): absolute where the package was made.
_DRIVE = re.compile(r"^[A-Za-z]:")


def _csv_table(name: str, text: str) -> list[tuple[int, dict]]:
    """The rows of one table of the package, numbered as a spreadsheet shows them."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return list(enumerate(reader, start=2))
    except csv.Error as error:
        raise ValidationError([FieldProblem(f"{name}.csv", _(
            "not readable CSV near line {n}: {e}").format(n=reader.line_num, e=error),
            None, reader.line_num)]) from None


def _unreadable(error: object) -> ValidationError:
    return ValidationError.single("(file)", _("not a readable data package: {e}").format(
        e=error))


def _outside(named: str) -> ValidationError:
    return ValidationError.single("(file)", _(
        "the data package names a file outside itself ({path}); every table must be a file "
        "inside the package").format(path=named[:200]))


def _inside(named: str) -> PurePosixPath:
    """A resource's path as a path inside the package, or a refusal: an absolute path, a
    drive, a URL or a ".." would read a file the package does not hold."""
    relative = PurePosixPath(named.replace("\\", "/"))
    if (not named or "://" in named or relative.is_absolute() or ".." in relative.parts
            or _DRIVE.match(named)):
        raise _outside(named)
    return relative


def _table_files(descriptor) -> dict[str, PurePosixPath]:
    """The file of each table the importer reads: the path its resource in
    datapackage.json names (every resource's path checked, read or not), else
    "<table>.csv"."""
    resources = descriptor.get("resources", []) if isinstance(descriptor, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise _unreadable(_("datapackage.json has no list of resources"))
    files = {name: PurePosixPath(f"{name}.csv") for name in TABLES}
    for resource in resources:
        paths = resource.get("path", [])
        paths = [paths] if isinstance(paths, str) else paths
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise _unreadable(_("a resource's path is not text"))
        checked = [_inside(p) for p in paths]
        if resource.get("name") in files and checked:
            if len(checked) > 1:
                raise _unreadable(_("the table {name} is split over several files").format(
                    name=resource["name"]))
            files[resource["name"]] = checked[0]
    return files


def _descriptor(text: str):
    try:
        return json.loads(text)
    except RecursionError:
        raise _unreadable(_("datapackage.json is nested too deeply")) from None
    except ValueError as error:
        raise _unreadable(error) from None


def _folder_tables(path: Path) -> dict[str, Path]:
    """The files of a package folder's tables, each one found inside the folder once links
    are followed (a link out of it is refused like a "../" path)."""
    if not (path / "datapackage.json").is_file():
        raise ValidationError.single("(file)", _("no datapackage.json in {p}").format(
            p=path.name))
    root = path.resolve()
    files = {}
    try:
        descriptor = load_json(path / "datapackage.json")
    except ValidationError as error:
        raise _unreadable(error.problems[0].message) from None
    for name, relative in _table_files(descriptor).items():
        target = (path / relative).resolve()
        if not target.is_relative_to(root):
            raise _outside(str(relative))
        files[name] = target
    check_folder(path, [f for f in files.values() if f.is_file()])
    return files


def _open_tables(path: Path) -> dict[str, list[tuple[int, dict]]]:
    """Every table of the package, each from the file its resource names inside the
    package; the archive or folder is checked against the limits (limits.check_archive,
    check_folder) before any of it is parsed."""
    try:
        if path.is_dir():
            files = _folder_tables(path)
            return {name: _csv_table(name, target.read_text(encoding="utf-8-sig")
                                     if target.is_file() else "")
                    for name, target in files.items()}
        check_archive(path, _("the data package"))
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "datapackage.json" not in names:
                raise ValidationError.single("(file)", _("no datapackage.json in {p}").format(
                    p=path.name))
            files = _table_files(_descriptor(
                archive.read("datapackage.json").decode("utf-8-sig")))
            return {name: _csv_table(name, archive.read(str(member)).decode("utf-8-sig")
                                     if str(member) in names else "")
                    for name, member in files.items()}
    except (UnicodeDecodeError, zipfile.BadZipFile, OSError) as error:
        raise _unreadable(error) from None


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
         "title", "full_name", "name", "body", "note", "original_name"}
_PART_TABLES = ("victims", "perpetrators", "citations", "case_events", "comments",
                "attachments", "custody_events", "merges")


def _children(tables: dict[str, list[tuple[int, dict]]], problems: list[FieldProblem]
              ) -> dict[str, dict[str, list[tuple[int, dict]]]]:
    """The typed rows of each part table, grouped by incident_ref."""
    children: dict[str, dict[str, list[tuple[int, dict]]]] = {}
    for name in _PART_TABLES:
        grouped = defaultdict(list)
        for n, row in tables[name]:
            grouped[row.get("incident_ref", "")].append((n, _typed(name, row, n, problems)))
        children[name] = grouped
    return children


def _package_locator(number: int, rows: dict[str, list[int]], custody: list[list[int]]
                     ) -> Callable[[str], tuple[int, str]]:
    """Map a field path of the record to (row, "table.csv:column"); `custody` holds the
    custody_events.csv rows of each attachment."""
    def locate(path: str) -> tuple[int, str]:
        head, _sep, rest = path.partition(".")
        if head in rows:
            index, _sep, sub = rest.partition(".")
            if index.isdigit() and int(index) < len(rows[head]):
                i = int(index)
                field, _sep, tail = sub.partition(".")
                j, _sep, column = tail.partition(".")
                if (head == "attachments" and field == "custody" and j.isdigit()
                        and int(j) < len(custody[i])):
                    return custody[i][int(j)], f"custody_events.csv:{column or field}"
                return rows[head][i], f"{head}.csv:{sub or head}"
        return number, f"incidents.csv:{head}"
    return locate


def _extras(ref: str, children, problems: list[FieldProblem]
            ) -> tuple[list[dict], list[dict], list[list[int]]]:
    """The incident's comments and attachments in the JSON export's shape, with the
    custody_events.csv rows of each attachment; a custody event of no attachment of the
    incident is a problem."""
    comments = [{k: r[k] for k in ("author", "at", "body")}
                for _n, r in children["comments"].get(ref, [])]
    events = children["custody_events"].get(ref, [])
    attachments, custody = [], []
    for _n, r in children["attachments"].get(ref, []):
        mine = [(m, e) for m, e in events if e["attachment_sha256"] == r["sha256"]]
        attachments.append({**{k: v for k, v in r.items() if k != "incident_ref"},
                            "custody": [{k: v for k, v in e.items()
                                         if k not in ("incident_ref", "attachment_sha256")}
                                        for _m, e in mine]})
        custody.append([m for m, _e in mine])
    listed = {r["sha256"] for _n, r in children["attachments"].get(ref, [])}
    problems += [FieldProblem("custody_events.csv:attachment_sha256", _(
        "no attachment of {ref} has this SHA-256").format(ref=ref), e["attachment_sha256"], m)
        for m, e in events if e["attachment_sha256"] not in listed]
    return comments, attachments, custody


def package_items(path: Path, problems: list[FieldProblem]) -> Iterator[ImportItem]:
    """Incidents of a data package; row numbers are those of each table's CSV."""
    tables = _open_tables(path)
    entities = {name: {row.get("uid") or "": (n, _typed(name, row, n, problems))
                       for n, row in tables[name]}
                for name in ("persons", "actors", "sources")}
    children = _children(tables, problems)

    def entity(table: str, uid: str | None) -> dict | None:
        if not uid:
            return None
        found = entities[table].get(uid)
        return dict(found[1]) if found else {"uid": uid}

    def actor(uid: str | None) -> dict | None:
        """The actor with its parent group's name and type, as the other formats carry
        them (a parent missing from actors.csv is named by uid only)."""
        found = entity("actors", uid)
        parent = entities["actors"].get(found.get("parent_uid") or "") if found else None
        if parent is not None:
            found.update(parent_name=parent[1]["name"], parent_type=parent[1]["actor_type"])
        return found

    for number, row in tables["incidents"]:
        record = _typed("incidents", row, number, problems)
        ref = row.get("ref", "")
        rows = {name: [n for n, _r in children[name].get(ref, [])] for name in children}
        record["victims"] = [
            {**{k: v for k, v in r.items() if k not in ("incident_ref", "person_uid")},
             "person": entity("persons", r["person_uid"]) or {}}
            for _n, r in children["victims"].get(ref, [])]
        record["perpetrators"] = [
            {"actor": actor(r["actor_uid"]),
             "person": entity("persons", r["person_uid"]),
             "attribution": r["attribution"], "basis": r["basis"]}
            for _n, r in children["perpetrators"].get(ref, [])]
        record["citations"] = [
            {"source": entity("sources", r["source_uid"]), "statement": r["statement"],
             "page": r["page"], "quote": r["quote"]}
            for _n, r in children["citations"].get(ref, [])]
        record["case_events"] = [
            {"date": r["date"], "date_precision": r["date_precision"], "kind": r["kind"],
             "description": r["description"], "source_uid": r["source_uid"],
             "person": entity("persons", r["person_uid"]), "actor": actor(r["actor_uid"])}
            for _n, r in children["case_events"].get(ref, [])]
        record["comments"], record["attachments"], custody = _extras(ref, children, problems)
        record["merges"] = [{k: v for k, v in r.items() if k != "incident_ref"}
                            for _n, r in children["merges"].get(ref, [])]
        yield ImportItem(number, record, _package_locator(number, rows, custody))


def _dates(record: dict) -> dict:
    for key in ("start_date", "end_date"):
        if isinstance(record.get(key), str):
            with contextlib.suppress(ValueError):
                record[key] = dt.date.fromisoformat(record[key])
    return record


_PARTS = {"victims": ("person",), "perpetrators": ("actor", "person"),
          "citations": ("source",), "case_events": ("source", "person", "actor")}


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
    data = load_json(path)
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
