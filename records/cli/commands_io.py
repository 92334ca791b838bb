"""sijil import … and sijil export …"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from records.cli import app
from records.cli.common import EXIT_USER_ERROR, acting_user, date_option, fail, open_engine
from records.db import read_session, unit_of_work
from records.errors import FieldProblem, ValidationError
from records.i18n import LANGUAGES
from records.services.exchange import (
    FORMATS,
    ExportFilters,
    ExportRequest,
    import_file,
    parse_statuses,
    preview_import,
    run_export,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from records.services.reports import ReportOptions

# The report services (and the PDF and chart libraries behind them) and the progress bar
# are imported where they are used: `sijil` loads them only for a command that needs them.


def problem_line(problem: FieldProblem) -> str:
    """row N, column C, value V: reason"""
    value = "" if problem.value is None else str(problem.value)
    if len(value) > 80:
        value = value[:77] + "..."
    row = f"row {problem.row}, " if problem.row is not None else ""
    return f'{row}column {problem.field}, value "{value}": {problem.message}'


def _progress(label: str) -> Progress:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=True, disable=not console.is_terminal)


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="CSV, XLSX, JSON or data package (folder or zip)."),
    fmt: str = typer.Option("sijil", "--format", help="sijil or acled"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Validate only; write nothing."),
) -> None:
    """Import incidents: every row is checked first; any problem and nothing is written."""
    engine = open_engine()
    by = acting_user(engine, as_user)
    if dry_run:
        with read_session(engine) as session:
            preview = preview_import(session, file, fmt=fmt, by=by)
        _report_checks(file, preview.warnings, preview.problems, preview.existing)
        typer.echo(f"{file.name} is valid: {preview.incidents} incident(s) with "
                   f"{preview.victims} victim(s) would be imported (dry run: nothing written)")
        return
    # import_file checks every row in the same parse that writes and undoes everything
    # on a problem, so a separate preview pass would only read the file twice.
    try:
        with _progress("importing") as bar:
            task = bar.add_task("import", total=1)
            with unit_of_work(engine) as session:
                result = import_file(session, file, fmt=fmt, by=by,
                                     progress=lambda done, total: bar.update(
                                         task, completed=done, total=max(total, 1)))
    except ValidationError as error:
        _report_checks(file, [], error.problems, [])
        raise  # a refusal naming no row: run_app says it in one line
    _report_checks(file, result.warnings, [], result.existing)
    held = (f"; {result.held_for_review} held for review (the file's status kept as "
            f"imported_status)" if result.held_for_review else "")
    typer.echo(f"imported {result.created} incident(s) from {file.name}{held}")


def _report_checks(file: Path, warnings: list[str], problems: list[FieldProblem],
                   existing: list) -> None:
    """Warnings and problems on stderr (any problem: exit 1, nothing was imported); the
    incidents already present on stdout."""
    for warning in warnings:
        typer.echo(f"sijil: warning: {warning}", err=True)
    if problems:
        for problem in problems:
            typer.echo(problem_line(problem), err=True)
        typer.echo(f"sijil: {len(problems)} problem(s) in {file.name}; nothing was "
                   f"imported", err=True)
        raise typer.Exit(EXIT_USER_ERROR)
    for known in existing:
        typer.echo(f"row {known.row}: {known.ref} {known.reason}; not imported again")


CASE_SHEET = "case-pdf"
REPORT_FORMATS = ("report-html", "report-pdf")


@app.command("export")
def export_command(
    fmt: str = typer.Option(..., "--format", help=", ".join((*FORMATS, CASE_SHEET))),
    out: Path = typer.Option(..., "--out", help="File to write (datapackage: folder or .zip)."),
    level: str | None = typer.Option(None, "--level",
                                     help="public (default), partner or internal"),
    status: str | None = typer.Option(None, "--status",
                                      help="STATUS[,STATUS] or all (default: verified,"
                                           "published)"),
    since: str | None = typer.Option(None, "--since", help="Incidents from this date."),
    until: str | None = typer.Option(None, "--until", help="Incidents up to this date."),
    governorate: str | None = typer.Option(None, "--governorate", help="ISO 3166-2, IQ-BG"),
    incident_type: str | None = typer.Option(None, "--type", help="Incident type code."),
    perpetrator: str | None = typer.Option(None, "--perpetrator",
                                           help="Actor type code, actor name or uid."),
    lang: str | None = typer.Option(None, "--lang",
                                    help="Language of the report (report-html, report-pdf, "
                                         "case-pdf): en (default), ar or ckb."),
    title: str | None = typer.Option(None, "--title", help="The report's title."),
    subtitle: str | None = typer.Option(None, "--subtitle", help="The report's subtitle."),
    organisation: str | None = typer.Option(None, "--organisation",
                                            help="Who publishes the report."),
    logo: Path | None = typer.Option(None, "--logo", help="PNG or JPEG for the cover."),
    preset: str | None = typer.Option(None, "--preset",
                                      help="Start from this report preset; the options given "
                                           "here override it."),
    ref: str | None = typer.Option(None, "--ref", help="The incident of a case sheet."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Export incidents, redacted to the level; every export is audited."""
    if lang is not None and lang not in LANGUAGES:
        raise typer.BadParameter(f"'{lang}' is not one of {', '.join(LANGUAGES)}",
                                 param_hint="--lang")
    if fmt == CASE_SHEET:
        _case_sheet(ref, out, lang=lang or "en", level=level, as_user=as_user)
        return
    if ref is not None:
        raise typer.BadParameter("only the case sheet (case-pdf) is of one incident",
                                 param_hint="--ref")
    report_only = {"--lang": lang, "--title": title, "--subtitle": subtitle,
                   "--organisation": organisation, "--logo": logo, "--preset": preset}
    given = [name for name, value in report_only.items() if value is not None]
    if given and fmt not in REPORT_FORMATS:
        # The data formats carry codes, not words: these would change nothing.
        raise typer.BadParameter("only the report formats have a language"
                                 if given[0] == "--lang" else
                                 "only the report formats take it", param_hint=given[0])
    filters = ExportFilters(statuses=parse_statuses(status), since=date_option("--since", since),
                            until=date_option("--until", until), admin1=governorate,
                            incident_type=incident_type, perpetrator=perpetrator)
    engine = open_engine()
    by = acting_user(engine, as_user)
    if fmt not in REPORT_FORMATS:
        typer.echo(_withheld_line(engine, filters, level or "public", by))
    with _progress("exporting") as bar:
        task = bar.add_task("export", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if fmt in REPORT_FORMATS:
            from records.services.reports import run_report

            options = _report_options(engine, by, preset, filters, explicit={
                "title": title, "subtitle": subtitle, "organisation": organisation,
                "level": level, "lang": lang, "status": status, "since": since,
                "until": until, "admin1": governorate, "incident_type": incident_type,
                "perpetrator": perpetrator}, logo=_read_logo(logo))
            result = run_report(engine, options, out, by=by, pdf=fmt == "report-pdf",
                                progress=progress)
        else:
            result = run_export(engine, ExportRequest(fmt, out, level or "public", filters),
                                by=by, progress=progress)
    typer.echo(f"exported {result.incidents} incident(s), {result.rows} row(s), at the "
               f"{result.level} level to {result.path} (sha256 {result.sha256})")


def _withheld_line(engine, filters: ExportFilters, level: str, by) -> str:
    """What the export will cut from free text, said before it is written."""
    from records.services.access import export_level
    from records.services.exchange.withheld import export_withheld

    with read_session(engine) as session:
        return export_withheld(session, filters, export_level(level, by), by=by).describe()


def _read_logo(path: Path | None) -> bytes | None:
    if path is None:
        return None
    from records.services.reports import check_logo

    if not path.is_file():
        raise fail(f"--logo: no file {path}")
    data = path.read_bytes()
    check_logo(data)
    return data


def _report_options(engine, by, preset_name: str | None, filters: ExportFilters, *,
                    explicit: dict, logo: bytes | None) -> ReportOptions:
    """The report's options: the preset's (if named), each overridden by what was given
    on the command line."""
    from records.services.reports import ReportOptions, get_preset, preset_logo

    options = ReportOptions()
    preset_logo_data = None
    if preset_name:
        with read_session(engine) as session:
            preset = get_preset(session, preset_name, by=by)
            found = preset_logo(session, preset_name, by=by)
        preset_logo_data = found[0] if found else None
        saved = preset.filters or {}
        statuses = saved.get("statuses")
        since_, until_ = preset.period()
        options = ReportOptions(
            title=preset.title, subtitle=preset.subtitle, organisation=preset.organisation,
            since=since_, until=until_, level=preset.level, lang=preset.language,
            statuses=None if statuses == "all" else tuple(statuses) if statuses
            else options.statuses,
            admin1=saved.get("admin1"), incident_type=saved.get("incident_type"),
            perpetrator=saved.get("perpetrator"))
    changes = {key: value for key, value in explicit.items()
               if value is not None and key in ("title", "subtitle", "organisation", "level",
                                                "lang")}
    selection = {"status": "statuses", "since": "since", "until": "until",
                 "admin1": "admin1", "incident_type": "incident_type",
                 "perpetrator": "perpetrator"}
    for given, field in selection.items():
        if explicit.get(given) is not None:
            changes[field] = getattr(filters, field)
    return replace(options, logo=logo or preset_logo_data, **changes)


def _case_sheet(ref: str | None, out: Path, *, lang: str, level: str | None,
                as_user: str | None) -> None:
    if not ref:
        raise typer.BadParameter("the case sheet needs the incident's reference",
                                 param_hint="--ref")
    from records.services import reports

    writer = getattr(reports, "write_case_sheet", None)
    engine = open_engine()
    by = acting_user(engine, as_user)
    try:
        if writer is None:
            raise NotImplementedError
        with unit_of_work(engine) as session:
            writer(session, ref.strip().upper(), out, by=by, lang=lang, fmt="pdf", level=level)
    except NotImplementedError:
        raise fail("case sheets are not available in this installation yet") from None
    typer.echo(f"wrote the case sheet of {ref.strip().upper()} to {out}")
