"""Uploads and downloads for the import and export pages: the bytes go through a temporary
file that is always removed, so the services see an ordinary path with the right extension."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from records.errors import FieldProblem
from records.models.types import utcnow
from records.services.access import Principal, export_level
from records.services.backup import audit_backup, create_backup
from records.services.exchange import (
    ExportFilters,
    ExportRequest,
    ImportPreview,
    ImportResult,
    Progress,
    import_file,
    preview_import,
    run_export,
)
from records.services.exchange.withheld import export_withheld
from ui import downloads
from ui.components.db import get_engine, read_session, unit_of_work
from ui.i18n import _

UPLOAD_TYPES = ("csv", "xlsx", "json", "zip")
EXPORT_FILES = {
    "csv": ("csv", "text/csv"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("json", "application/json"),
    "geojson": ("geojson", "application/geo+json"),
    "datapackage": ("zip", "application/zip"),
    "report-html": ("html", "text/html"),
    "report-pdf": ("pdf", "application/pdf"),
}
_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_name(filename: str) -> str:
    """The uploaded file's own name without any folder or odd characters; the import's
    audit entry names it, so it is kept rather than replaced by a random one."""
    name = _UNSAFE.sub("_", filename.replace("\\", "/").rsplit("/", 1)[-1])
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = extension, ""
    stem = stem.strip(" ._")[:100] or "upload"
    return f"{stem}.{extension.lower()}" if extension else stem


@contextmanager
def saved_upload(data: bytes, filename: str) -> Iterator[Path]:
    """The uploaded bytes as a file in a fresh temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="sijil-upload-") as folder:
        path = Path(folder) / safe_name(filename)
        path.write_bytes(data)
        yield path


def preview_upload(data: bytes, filename: str, *, fmt: str, by: Principal
                   ) -> ImportPreview:
    """What importing the upload would do; writes nothing."""
    with saved_upload(data, filename) as path, read_session(get_engine()) as session:
        return preview_import(session, path, fmt=fmt, by=by)


def import_upload(data: bytes, filename: str, *, fmt: str, by: Principal,
                  progress: Progress | None = None) -> ImportResult:
    """Import the upload in one unit of work: every incident, or (on any problem) none."""
    with saved_upload(data, filename) as path, unit_of_work(get_engine()) as session:
        return import_file(session, path, fmt=fmt, by=by, progress=progress)


def problems_table(problems: list[FieldProblem]) -> pd.DataFrame:
    return pd.DataFrame([{
        _("Row"): "" if p.row is None else str(p.row), _("Column"): p.field,
        _("Value"): "" if p.value is None else str(p.value), _("Reason"): p.message}
        for p in problems])


def duplicates_table(preview: ImportPreview) -> pd.DataFrame:
    """The likely duplicates of the file's rows (never merged by the import), one a line."""
    kinds = {"person": _("Person"), "incident": _("Incident")}
    return pd.DataFrame([{
        _("Row"): str(d.row), _("In the file"): d.what, _("Kind"): kinds.get(d.kind, d.kind),
        _("May be the same as"): f"{d.name} ({d.key})", _("Score"): d.score,
        _("Why"): "; ".join(d.reasons)} for d in preview.duplicates])


@dataclass(frozen=True)
class ExportDownload:
    """A finished export offered to one browser (ui/downloads.py): what the page shows about
    it and the token of its link; the bytes themselves live only in the offer."""

    file_name: str
    level: str
    incidents: int
    rows: int
    sha256: str
    token: str
    # What the level cut from free text, said before the file was written.
    withheld: str = ""

    @property
    def url(self) -> str:
        return downloads.url(self.token)


def export_withheld_line(level: str, filters: ExportFilters, *, by: Principal) -> str:
    """The line telling what an export at `level` will cut from free text."""
    with read_session(get_engine()) as session:
        return export_withheld(session, filters, export_level(level, by), by=by).describe()


def export_download(fmt: str, level: str, filters: ExportFilters, *, by: Principal,
                    client: str, progress: Progress | None = None,
                    language: str = "en", withheld: str = "") -> ExportDownload:
    """Run the (audited) export into a temporary file and offer its bytes to the browser
    `client` only, never through Streamlit's /media/ file server."""
    extension, mime = EXPORT_FILES.get(fmt, (fmt, "application/octet-stream"))
    file_name = f"sijil-{level}-{utcnow():%Y%m%d-%H%M}.{extension}"
    with tempfile.TemporaryDirectory(prefix="sijil-export-") as folder:
        result = run_export(get_engine(), ExportRequest(fmt, Path(folder) / file_name, level,
                                                        filters, language=language),
                            by=by, progress=progress)
        token = downloads.offer(client, result.path.read_bytes(), file_name, mime)
    return ExportDownload(file_name, result.level, result.incidents, result.rows,
                          result.sha256, token, withheld)


@dataclass(frozen=True)
class BackupDownload:
    file_name: str
    incidents: int
    files: int
    sha256: str
    token: str

    @property
    def url(self) -> str:
        return downloads.url(self.token)


def backup_download(*, by: Principal, client: str) -> BackupDownload:
    """Make an (audited) backup into a temporary file and offer it to the browser `client`
    only. The archive is held in memory while the link lasts."""
    engine = get_engine()
    file_name = f"sijil-backup-{utcnow():%Y%m%d-%H%M}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="sijil-backup-") as folder:
        result = create_backup(engine, Path(folder) / file_name, by=by)
        with unit_of_work(engine) as session:
            audit_backup(session, result, by=by)
        token = downloads.offer(client, result.path.read_bytes(), file_name,
                                "application/gzip")
    return BackupDownload(file_name, result.counts.get("incident", 0), result.files,
                          result.sha256, token)
