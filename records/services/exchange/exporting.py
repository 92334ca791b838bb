"""Exports: CSV, XLSX, JSON, GeoJSON, data package and the advocacy report.

Every format is written from the same stream of redacted records
(`export_records.iter_records`, which applies `redaction.redact_incident`), newest first,
page by page, and every export is audited: who, level, filters, how many incidents and
rows, and the SHA-256 of what was written.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from records.audit_chain import append_event
from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.i18n import _
from records.models.incident import CONFIDENCE_LEVELS, SENSITIVITIES, STATUSES
from records.models.person import SEXES
from records.models.source import RELIABILITY_GRADES
from records.models.types import utcnow
from records.services.access import ExportLevel, Principal, act_as, export_level
from records.services.exchange.export_records import (
    ExportFilters,
    count_incidents,
    iter_records,
)
from records.services.exchange.flat import (
    CASE_EVENT_COLUMNS,
    CITATION_COLUMNS,
    COLUMNS,
    INCIDENT_COLUMNS,
    PERPETRATOR_COLUMNS,
    VICTIM_COLUMNS,
    flat_rows,
    part_rows,
    safe_cell,
)
from records.services.exchange.importing import file_sha256
from records.services.exchange.package import PackageWriter, descriptor, zip_folder
from records.services.vocabularies import active_codes

FORMATS = ("csv", "xlsx", "json", "geojson", "datapackage", "report-html", "report-pdf")
Progress = Callable[[int, int], None]


@dataclass
class ExportRequest:
    format: str
    out: Path
    level: str = "public"
    filters: ExportFilters = field(default_factory=ExportFilters)
    # The report's language (en, ar, ckb); the data formats carry codes, not words.
    language: str = "en"


@dataclass
class ExportResult:
    path: Path
    format: str
    level: str
    incidents: int
    rows: int
    sha256: str
    filters: dict


class _Counter:
    """Counts the records that pass through, for the audit entry."""

    def __init__(self, records: Iterator[dict], total: int, progress: Progress | None):
        self.records, self.total, self.progress = records, total, progress
        self.incidents = 0
        self.rows = 0

    def __iter__(self) -> Iterator[dict]:
        for record in self.records:
            self.incidents += 1
            self.rows += max(1, len(record["victims"]))
            if self.progress and self.incidents % 500 == 0:
                self.progress(self.incidents, self.total)
            yield record


def write_csv(records, out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for record in records:
            for row in flat_rows(record):
                writer.writerow({k: safe_cell(v) for k, v in row.items()})


_README = [
    ("incident_ref … tags", "The incident: one column per field; repeated on every row of "
     "the incident."),
    ("start_date, end_date, date_precision", "ISO dates (YYYY-MM-DD) and how much of them "
     "is known: day, month (the day is not; stored as a day of that month, usually the 1st), "
     "year, or approximate (read as the month). 2019-12-01 with 'month' means December 2019."),
    ("perpetrator_*, citation_*, case_event_*", "Lists joined with '; ': item i of each "
     "column belongs to the same perpetrator, citation or case event."),
    ("case_event_date, case_event_date_precision", "The date of each follow-up step and "
     "how much of it is known, as for the incident (2021-06-01 with 'month': June 2021)."),
    ("case_event_person_*, case_event_actor_*", "Whom the step concerns (the suspect "
     "arrested, the unit charged): a person or a group, never both."),
    ("*_actor_parent_uid, *_parent_name, *_parent_type", "The group an actor belongs to "
     "(a brigade within a larger force); an import links the actor to it, creating it if "
     "needed."),
    ("imported_status, imported_from", "Internal level only: the status the file an "
     "incident was imported from gave it (never obeyed: imports land in review) and that "
     "file's name and SHA-256."),
    ("victim_*", "One victim per row; an incident without victims has one row with these "
     "empty. 'Name withheld' marks a name this level does not show."),
    ("Cells starting with '", "Text that began with = + - @ ' tab or CR has a leading ' so "
     "spreadsheets never run it as a formula; Sijil's import removes it."),
]


# The XLSX format's own limit on the characters of one cell.
XLSX_CELL_CHARS = 32_767


def write_xlsx(records, out: Path, level: ExportLevel, filters: dict) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def clean(value, ref: str, column: str):
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))
        if len(value) > XLSX_CELL_CHARS:
            # A spreadsheet cell keeps at most this much and openpyxl cuts the rest without a
            # word: refuse before anything is saved rather than hand out a shortened record.
            raise ValidationError.single("format", _(
                "incident {ref}: {column} has {n} characters, more than a spreadsheet cell "
                "holds ({limit}); export as CSV, JSON or a data package, which keep the whole "
                "text").format(ref=ref, column=column, n=f"{len(value):,}",
                               limit=f"{XLSX_CELL_CHARS:,}"), column)
        return value

    book = Workbook(write_only=True)
    sheets = {}
    layout = (("Records", COLUMNS), ("Incidents", list(INCIDENT_COLUMNS)),
              ("Victims", ["incident_ref", *VICTIM_COLUMNS]),
              ("Perpetrators", ["incident_ref", *PERPETRATOR_COLUMNS]),
              ("Sources", ["incident_ref", *CITATION_COLUMNS]),
              ("Case events", ["incident_ref", *CASE_EVENT_COLUMNS]))
    for title, columns in layout:
        sheets[title] = (book.create_sheet(title), columns)
        sheets[title][0].append(columns)
    parts = {"Victims": "victims", "Perpetrators": "perpetrators", "Sources": "citations",
             "Case events": "case_events"}

    def put(title: str, row: dict) -> None:
        sheet, columns = sheets[title]
        ref = str(row.get("incident_ref", ""))
        sheet.append([clean(row.get(c, ""), ref, c) for c in columns])

    try:
        for record in records:
            rows = flat_rows(record)
            for row in rows:
                put("Records", row)
            put("Incidents", rows[0])
            for title, part in parts.items():
                for row in part_rows(record, part):
                    put(title, row)
    except BaseException:
        # Nothing is saved; finish the sheets' temporary files so none is left open.
        for sheet, _columns in sheets.values():
            sheet.close()
        raise
    readme = book.create_sheet("README")
    readme.append([_("Sijil export"), utcnow().strftime("%Y-%m-%d %H:%M UTC")])
    readme.append([_("Redaction level"), level.name])
    readme.append(["", level.description])
    readme.append([_("Filters"), json.dumps(filters, ensure_ascii=False, default=str)])
    readme.append([])
    for name, text in _README:
        readme.append([name, text])
    book.save(out)


def _json_default(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(type(value))


def write_json(records, out: Path, level: ExportLevel, filters: dict) -> None:
    header = {"format": "sijil-incidents", "version": 1, "level": level.name,
              "filters": filters, "generated_at": utcnow().isoformat()}
    with out.open("w", encoding="utf-8") as handle:
        handle.write('{"export": ' + json.dumps(header, default=_json_default,
                                                ensure_ascii=False))
        handle.write(',\n "incidents": [')
        for i, record in enumerate(records):
            handle.write(",\n  " if i else "\n  ")
            handle.write(json.dumps(record, default=_json_default, ensure_ascii=False))
        handle.write("\n ]}\n")


def geojson_feature(record: dict) -> dict | None:
    """An RFC 7946 Point feature of the incident, or None when it has no coordinates."""
    if record.get("latitude") is None or record.get("longitude") is None:
        return None
    names = [v["person"]["full_name"] for v in record["victims"]
             if not v["person"].get("name_withheld")]
    return {"type": "Feature",
            "geometry": {"type": "Point",
                         "coordinates": [record["longitude"], record["latitude"]]},
            "properties": {
                **{k: record[k] for k in ("ref", "title", "incident_type", "admin1", "admin2",
                                          "locality", "geo_precision", "fatalities",
                                          "injured", "status", "confidence")},
                "start_date": record["start_date"].isoformat(),
                "end_date": record["end_date"].isoformat() if record["end_date"] else None,
                "date_precision": record["date_precision"], "date_text": record["date_text"],
                "victims": len(record["victims"]), "victim_names": names,
                "perpetrators": [p["actor"]["name"] for p in record["perpetrators"]
                                 if p["actor"]],
                "case_events": [
                    {"date": e["date"].isoformat(), "date_precision": e["date_precision"],
                     "date_text": e["date_text"], "kind": e["kind"],
                     "person": e["person"]["full_name"] if e.get("person") else None,
                     "actor": e["actor"]["name"] if e.get("actor") else None}
                    for e in record["case_events"]]}}


def write_geojson(records, out: Path) -> None:
    with out.open("w", encoding="utf-8") as handle:
        handle.write('{"type": "FeatureCollection", "features": [')
        first = True
        for record in records:
            feature = geojson_feature(record)
            if feature is None:
                continue
            handle.write("\n  " if first else ",\n  ")
            handle.write(json.dumps(feature, ensure_ascii=False))
            first = False
        handle.write("\n]}\n")


def choices(session: Session) -> dict[str, list[str]]:
    """Every enum a package schema uses: vocabulary codes and the fixed choices."""
    vocabularies = ("incident_type", "date_precision", "governorate", "geo_precision", "method",
                    "context", "actor_type", "source_kind", "victim_outcome", "attribution",
                    "case_event_kind", "custody_kind")
    found = {v: active_codes(session, v) for v in vocabularies}
    found.update(statuses=list(STATUSES), confidences=list(CONFIDENCE_LEVELS),
                 sensitivities=list(SENSITIVITIES), sexes=list(SEXES),
                 reliabilities=list(RELIABILITY_GRADES))
    return found


def write_datapackage(session: Session, records, out: Path, level: ExportLevel,
                      filters: dict) -> None:
    zipped = out.suffix.lower() == ".zip"
    folder = Path(tempfile.mkdtemp(prefix="sijil-package-")) if zipped else out
    try:
        writer = PackageWriter(folder)
        for record in records:
            writer.add(record)
        writer.close(descriptor(
            choices(session), title=_("Sijil incidents ({level} level)").format(
                level=level.name),
            description=level.description + " " + _("Filters: {f}").format(
                f=json.dumps(filters, ensure_ascii=False, default=str))))
        if zipped:
            zip_folder(folder, out)
    finally:
        if zipped:
            shutil.rmtree(folder, ignore_errors=True)


def write_export(session: Session, request: ExportRequest, *, by: Principal,
                 progress: Progress | None = None) -> ExportResult:
    """Write the export file without auditing it (see `export_incidents`, `run_export`).

    Raises ValidationError for an unknown format or level, PermissionDenied when the role of `by` is
    below the level; the PDF report raises ReportDependencyMissing naming what is
    missing and how to install it."""
    if request.format not in FORMATS:
        raise ValidationError.single("format", _("'{v}' is not a format; allowed: {a}").format(
            v=request.format, a=", ".join(FORMATS)), request.format)
    level = export_level(request.level, by)
    out = Path(request.out)
    if out.parent and not out.parent.exists():
        raise ValidationError.single("out", _("the folder {p} does not exist").format(
            p=out.parent), str(out))
    filters = request.filters.describe()
    total = count_incidents(session, request.filters, level)
    records = _Counter(iter_records(session, request.filters, level), total, progress)
    fmt = request.format
    if fmt == "csv":
        write_csv(records, out)
    elif fmt == "xlsx":
        write_xlsx(records, out, level, filters)
    elif fmt == "json":
        write_json(records, out, level, filters)
    elif fmt == "geojson":
        write_geojson(records, out)
    elif fmt == "datapackage":
        write_datapackage(session, records, out, level, filters)
    else:
        from records.services.reports import write_report

        write_report(session, records, out, level=level, filters=filters,
                     pdf=fmt == "report-pdf", language=request.language)
    if progress:
        progress(records.incidents, total)
    return ExportResult(out, fmt, level.name, records.incidents, records.rows,
                        file_sha256(out), filters)


def audit_export(session: Session, result: ExportResult, *, by: Principal) -> None:
    """The audit entry of an export: who, level, format, filters, counts, file hash."""
    act_as(session, by)
    append_event(session, action="export", entity_type="incident",
                 changes={"format": result.format, "level": result.level,
                          "filters": result.filters, "incidents": result.incidents,
                          "rows": result.rows, "sha256": result.sha256,
                          "file": result.path.name})


def export_incidents(session: Session, request: ExportRequest, *, by: Principal,
                     progress: Progress | None = None) -> ExportResult:
    """Write and audit an export in one (write) session."""
    result = write_export(session, request, by=by, progress=progress)
    audit_export(session, result, by=by)
    return result


def run_export(engine: Engine, request: ExportRequest, *, by: Principal,
               progress: Progress | None = None) -> ExportResult:
    """Write the export from a read session (writers are not blocked while it streams),
    then audit it; if the audit cannot be written, the file is removed and the error
    raised, so no export exists without its audit entry."""
    with read_session(engine) as session:
        result = write_export(session, request, by=by, progress=progress)
    try:
        with unit_of_work(engine) as session:
            audit_export(session, result, by=by)
    except BaseException:
        _remove(result.path)
        raise
    return result


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
