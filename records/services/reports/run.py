"""Writing a report from its options: the same selection, redaction and audit entry as
every export (records.services.exchange), with the cover's words, the period and the
reported figures that only a report has."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.i18n import _
from records.services.access import Principal, export_level
from records.services.exchange.export_records import count_incidents, iter_records
from records.services.exchange.exporting import ExportResult, Progress, audit_export
from records.services.exchange.importing import file_sha256
from records.services.reports.options import REPORT_LANGUAGES, ReportOptions
from records.services.reports.reported import figures_for


def _counted(records, total: int, progress: Progress | None, tally: dict):
    for record in records:
        tally["incidents"] += 1
        tally["rows"] += max(1, len(record["victims"]))
        if progress and tally["incidents"] % 500 == 0:
            progress(tally["incidents"], total)
        yield record


def run_report(engine: Engine, options: ReportOptions, out: Path, *, by: Principal,
               pdf: bool = True, progress: Progress | None = None) -> ExportResult:
    """Write the report chosen by `options` to `out` (PDF, or HTML with `pdf=False`) from a
    read session, then audit it as an export (format report-pdf or report-html); if the
    audit cannot be written the file is removed, so no report exists without its entry.

    Raises ValidationError for an unknown level or language or a missing folder,
    PermissionDenied when `by` may not export at the level, ReportDependencyMissing for a
    PDF without its shaping library or font."""
    from records.services.reports.content import write_report

    if options.lang not in REPORT_LANGUAGES:
        raise ValidationError.single("lang", _("'{v}' is not one of {a}").format(
            v=options.lang, a=", ".join(REPORT_LANGUAGES)), options.lang)
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise ValidationError.single("out", _("the folder {p} does not exist").format(
            p=out.parent), str(out))
    fmt = "report-pdf" if pdf else "report-html"
    selection = options.export_filters()
    filters = selection.describe()
    tally = {"incidents": 0, "rows": 0}
    with read_session(engine) as session:
        level = export_level(options.level, by)
        total = count_incidents(session, selection, level)
        figures = figures_for(session, options, by=by)
        records = _counted(iter_records(session, selection, level), total, progress, tally)
        write_report(session, records, out, level=level, filters=filters, pdf=pdf,
                     language=options.lang, options=options, figures=figures)
    if progress:
        progress(tally["incidents"], total)
    result = ExportResult(out, fmt, level.name, tally["incidents"], tally["rows"],
                          file_sha256(out), filters)
    try:
        with unit_of_work(engine) as session:
            audit_export(session, result, by=by)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return result
