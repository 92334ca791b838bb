"""sijil purge REF|UID --reason TEXT: erase an incident or a person for good."""

from __future__ import annotations

from pathlib import Path

import typer

from records.cli import app
from records.cli.common import acting_user, open_engine
from records.db import unit_of_work

# Services are imported inside each command: `sijil` loads only what the command run
# needs, so a command starts sooner (help and usage errors at once).


@app.command("purge")
def purge_command(
    target: str = typer.Argument(..., help="An incident ref (INC-2020-00001) or a person's "
                                           "uid."),
    reason: str = typer.Option(..., "--reason", help="Why; kept in the audit trail."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this admin."),
    backup: Path | None = typer.Option(
        None, "--backup", help="Make a fresh backup to this new file once the purge is done."),
) -> None:
    """Delete an incident or a person for good and destroy its data key: its encrypted
    values, in the database, in the audit trail and in every older backup, can never be
    read again (admins). Older backups then open no encrypted value at all: make a fresh
    backup at once (--backup PATH)."""
    from records.services.audit import purge

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        what = purge(session, target, by=by, reason=reason)
    typer.echo(f"purged {what}; its data key is destroyed")
    typer.echo("backups made before now can no longer open any encrypted value (names, "
               "contacts, narratives, confidential sources): make a fresh backup now")
    if backup is not None:
        from records.cli.commands_backup import make_backup

        make_backup(engine, backup, by)
    engine.dispose()
