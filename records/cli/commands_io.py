"""sijil import … and sijil export …"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from records.cli import app
from records.cli.common import EXIT_USER_ERROR, acting_user, date_option, open_engine
from records.db import read_session, unit_of_work
from records.errors import FieldProblem
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


def problem_line(problem: FieldProblem) -> str:
    """row N, column C, value V: reason"""
    value = "" if problem.value is None else str(problem.value)
    if len(value) > 80:
        value = value[:77] + "..."
    row = f"row {problem.row}, " if problem.row is not None else ""
    return f'{row}column {problem.field}, value "{value}": {problem.message}'


def _progress(label: str) -> Progress:
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
    with read_session(engine) as session:
        preview = preview_import(session, file, fmt=fmt, by=by)
    for warning in preview.warnings:
        typer.echo(f"sijil: warning: {warning}", err=True)
    if preview.problems:
        for problem in preview.problems:
            typer.echo(problem_line(problem), err=True)
        typer.echo(f"sijil: {len(preview.problems)} problem(s) in {file.name}; nothing was "
                   f"imported", err=True)
        raise typer.Exit(EXIT_USER_ERROR)
    for known in preview.existing:
        typer.echo(f"row {known.row}: {known.ref} {known.reason}; not imported again")
    if dry_run:
        typer.echo(f"{file.name} is valid: {preview.incidents} incident(s) with "
                   f"{preview.victims} victim(s) would be imported (dry run: nothing written)")
        return
    with _progress("importing") as bar:
        task = bar.add_task("import", total=max(preview.incidents, 1))
        with unit_of_work(engine) as session:
            result = import_file(session, file, fmt=fmt, by=by,
                                 progress=lambda done, total: bar.update(
                                     task, completed=done, total=max(total, 1)))
    held = (f"; {result.held_for_review} held for review (the file's status kept as "
            f"imported_status)" if result.held_for_review else "")
    typer.echo(f"imported {result.created} incident(s) from {file.name}{held}")


@app.command("export")
def export_command(
    fmt: str = typer.Option(..., "--format", help=", ".join(FORMATS)),
    out: Path = typer.Option(..., "--out", help="File to write (datapackage: folder or .zip)."),
    level: str = typer.Option("public", "--level", help="public, partner or internal"),
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
                                    help="Language of the report (report-html, report-pdf): "
                                         "en (default), ar or ckb."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Export incidents, redacted to the level; every export is audited."""
    if lang is not None and lang not in LANGUAGES:
        raise typer.BadParameter(f"'{lang}' is not one of {', '.join(LANGUAGES)}",
                                 param_hint="--lang")
    if lang is not None and not fmt.startswith("report-"):
        # The data formats carry codes, not words: a language would change nothing.
        raise typer.BadParameter("only the report formats have a language", param_hint="--lang")
    filters = ExportFilters(statuses=parse_statuses(status), since=date_option("--since", since),
                            until=date_option("--until", until), admin1=governorate,
                            incident_type=incident_type, perpetrator=perpetrator)
    engine = open_engine()
    by = acting_user(engine, as_user)
    with _progress("exporting") as bar:
        task = bar.add_task("export", total=None)
        result = run_export(engine, ExportRequest(fmt, out, level, filters,
                                                  language=lang or "en"), by=by,
                            progress=lambda done, total: bar.update(task, completed=done,
                                                                    total=total))
    typer.echo(f"exported {result.incidents} incident(s), {result.rows} row(s), at the "
               f"{result.level} level to {result.path} (sha256 {result.sha256})")
