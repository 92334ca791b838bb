"""sijil purge REF|UID --reason TEXT: erase an incident or a person for good."""

from __future__ import annotations

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
) -> None:
    """Delete an incident or a person for good and destroy its data key: its encrypted
    values, in the database and in the audit trail, can never be read again (admins)."""
    from records.services.audit import purge

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        what = purge(session, target, by=by, reason=reason)
    engine.dispose()
    typer.echo(f"purged {what}; its data key is destroyed")
