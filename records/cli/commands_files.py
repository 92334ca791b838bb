"""sijil files add / verify / export / custody: evidence files stored by content hash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from records.cli import app
from records.cli.common import acting_user, fail, open_engine
from records.db import read_session, unit_of_work

# Services are imported inside each command: `sijil` loads only what the command run
# needs, so a command starts sooner (help and usage errors at once).

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
    from records.services.evidence import add_attachment

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
    from records.services.evidence import audit_files_check, verify_files

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


@files_app.command("export")
def files_export(
    ref: str = typer.Argument(..., help="The incident, e.g. INC-2020-00001."),
    out: Path = typer.Option(..., "--out", help="A new or empty folder to write into."),
    original: bool = typer.Option(False, "--original",
                                  help="The originals, metadata and all (reviewers and "
                                       "admins)."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Write an incident's evidence files and a manifest.json (hashes, chain of custody)
    into a folder. Images come without their GPS, camera and other metadata unless
    --original is given. The export is recorded in the audit trail."""
    from records.services.evidence import export_attachments

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        result = export_attachments(session, ref, out, by=by, original=original)
    what = "original(s)" if original else "file(s)"
    typer.echo(f"exported {len(result.written)} {what} of {ref.upper()} to {out}")
    if result.left_out:
        typer.echo(f"sijil: left out {len(result.left_out)} image(s) whose metadata cannot "
                   f"be removed (a reviewer can export the originals): "
                   f"{', '.join(result.left_out)}", err=True)


def _time(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"--at: not a time: {value!r} (e.g. 2021-05-09T14:00Z)") from None


@files_app.command("custody")
def files_custody(
    ref: str = typer.Argument(..., help="The incident, e.g. INC-2020-00001."),
    sha256: str = typer.Argument(..., help="The file's SHA-256 (as `sijil files add` printed)."),
    event: str = typer.Option(..., "--event",
                              help="received, transferred, examined, returned, verified, "
                                   "copied (the custody_kind vocabulary)."),
    note: str = typer.Option("", "--note", help="What happened."),
    counterpart: str | None = typer.Option(None, "--counterpart",
                                           help="From or to whom."),
    method: str | None = typer.Option(None, "--method", help="How (by hand, courier…)."),
    at: str | None = typer.Option(None, "--at",
                                  help="When, with its time zone (default: now), e.g. "
                                       "2021-05-09T14:00Z."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Add an event to the chain of custody of an incident's evidence file."""
    from records.services.evidence import add_custody_event, attachment_by_hash

    when = _time(at)
    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        attachment = attachment_by_hash(session, ref, sha256, by=by)
        recorded = add_custody_event(session, attachment.id, kind=event, by=by, at=when,
                                     counterpart=counterpart, method=method, note=note)
    typer.echo(f"{recorded.kind} {attachment.original_name} (attachment {attachment.id} of "
               f"{attachment.incident_ref}) at "
               f"{recorded.at.astimezone(dt.UTC):%Y-%m-%d %H:%M:%SZ}, by "
               f"{recorded.by_user or 'system'}")
