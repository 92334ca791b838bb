"""sijil files add / verify: evidence files stored by content hash."""

from __future__ import annotations

from pathlib import Path

import typer

from records.cli import app
from records.cli.common import acting_user, fail, open_engine
from records.db import read_session, unit_of_work
from records.services.evidence import add_attachment, audit_files_check, verify_files

files_app = typer.Typer(help="Evidence files.", no_args_is_help=True)
app.add_typer(files_app, name="files")


@files_app.command("add")
def files_add(
    ref: str = typer.Argument(..., help="The incident, e.g. INC-2020-00001."),
    file: Path = typer.Argument(..., help="The file to attach."),
    description: str = typer.Option("", "--description", help="What the file shows."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Attach an evidence file to an incident (stored by its SHA-256, never by its name)."""
    if not file.is_file():
        raise fail(f"no file {file}")
    engine = open_engine()
    by = acting_user(engine, as_user)
    try:
        handle = file.open("rb")
    except OSError as error:
        raise fail(f"cannot read {file}: {error.strerror}") from None
    with handle, unit_of_work(engine) as session:
        attachment = add_attachment(session, ref, filename=file.name, data=handle, by=by,
                                    description=description)
    typer.echo(f"attached {attachment.original_name} to {attachment.incident_ref} as "
               f"attachment {attachment.id}: sha256 {attachment.sha256}, "
               f"{attachment.size} bytes, {attachment.mime_type}")


@files_app.command("verify")
def files_verify(
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Check every stored evidence file against its SHA-256; exit 1 if any is missing or
    altered. The check is recorded in the audit trail."""
    engine = open_engine()
    by = acting_user(engine, as_user)
    with read_session(engine) as session:
        report = verify_files(session, by=by)
    with unit_of_work(engine) as session:
        audit_files_check(session, report, by=by)
    for problem in report.problems:
        typer.echo(str(problem))
    if not report.ok:
        raise fail(f"{len(report.missing)} missing and {len(report.altered)} altered of "
                   f"{report.checked} evidence files")
    typer.echo(f"all {report.checked} evidence files are intact")
