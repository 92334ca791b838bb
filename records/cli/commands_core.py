"""sijil db … and sijil user …"""

from __future__ import annotations

import ipaddress
import os
import sys
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from records.cli import app
from records.cli.common import acting_user, fail, open_engine
from records.config import get_settings
from records.db import make_engine, read_session, unit_of_work

# Migrations and services are imported inside each command: `sijil` loads only what the
# command run needs, so a command starts sooner (help and usage errors at once).

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration and seed missing vocabulary terms."""
    from records.migrations import current_revision

    engine = open_engine()
    typer.echo(f"database at revision {current_revision(engine)} (head)")


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision of the database."""
    from records.migrations import current_revision, head_revision

    engine = open_engine(migrate=False)
    current = current_revision(engine)
    head = head_revision()
    state = "head" if current == head else f"behind head {head}"
    typer.echo(f"{current or 'empty'} ({state})")


@db_app.command("grant-app-role")
def db_grant_app_role(
    role: str = typer.Argument(..., help="The application's PostgreSQL role (the user in "
                                         "SIJIL_DATABASE_URL)."),
) -> None:
    """Give the application's PostgreSQL role the rows it works with and nothing more.

    Connects as SIJIL_MIGRATION_URL (the schema owner). Audit entries can only be read and
    added; the role cannot alter the schema or switch off the audit triggers. Safe to run
    again; needed again after an upgrade run without SIJIL_MIGRATION_URL."""
    from records.migrations import NOT_POSTGRESQL, grant_app_role

    url = get_settings().migration_url
    if make_url(url).get_backend_name() != "postgresql":
        raise fail(NOT_POSTGRESQL)
    engine = make_engine(url)
    try:
        result = grant_app_role(engine, role)
    finally:
        engine.dispose()
    for warning in result.warnings:
        typer.echo(f"sijil: warning: {warning}", err=True)
    typer.echo(f"granted {role} the rows of {result.tables} tables and {result.sequences} "
               "sequences; audit_entry: read and append only; no schema changes")


@user_app.command("add")
def user_add(
    name: str,
    role: str = typer.Option(..., "--role", help="viewer, caseworker, reviewer or admin"),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input."),
    display_name: str = typer.Option("", "--display-name"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Add a user account (password from stdin, or asked for twice)."""
    from records.services.setup import discard_setup_code
    from records.services.users import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise fail("no password given")
    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        user = add_user(session, name, password, role=role, by=by,
                        display_name=display_name)
    # Whoever runs the CLI holds the database already; a setup code left from `sijil ui`
    # would open nothing now that an account exists.
    discard_setup_code()
    typer.echo(f"added {user.username} ({user.role})")


@user_app.command("list")
def user_list() -> None:
    """List user accounts."""
    from records.services.users import list_users

    engine = open_engine()
    with read_session(engine) as session:
        for user in list_users(session):
            state = "active" if user.is_active else "inactive"
            typer.echo(f"{user.username}\t{user.role}\t{state}\t{user.display_name}")


def ui_command(port: int, host: str) -> list[str]:
    """What `sijil ui` runs: Streamlit serving ui/server.py (the workspace inside an ASGI app
    that ties export downloads to the browser that made them) on `host` only. The settings
    are flags, not only .streamlit/config.toml, because that file is read from the current
    folder, which may not be the repository."""
    import ui

    server = Path(ui.__file__).resolve().parent / "server.py"
    return [sys.executable, "-m", "streamlit", "run", str(server),
            "--server.address", host, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.showErrorDetails", "none", "--client.toolbarMode", "minimal",
            # The upload widget refuses what the evidence service would refuse anyway.
            "--server.maxUploadSize", str(get_settings().max_file_mb)]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


@app.command("ui")
def ui(port: int = typer.Option(8501, "--port", help="Port to serve the UI on.")) -> None:
    """Start the workspace on the same database, listening on SIJIL_HOST (default
    127.0.0.1). On an empty database, print the one-time setup code the first-admin page
    asks for."""
    from records.services.access import SYSTEM
    from records.services.setup import issue_setup_code, setup_code_file

    engine = open_engine()
    with read_session(engine) as session:
        code = issue_setup_code(session, by=SYSTEM)
    engine.dispose()
    if code:
        typer.echo("Sijil has no user accounts yet. Open the workspace and create the first "
                   "administrator with this one-time setup code:\n\n"
                   f"    Setup code: {code}\n\n"
                   f"Only its digest is kept, in {setup_code_file().resolve()}, until the first "
                   "administrator exists; running sijil ui again replaces the code.\n")
    host = get_settings().host
    if not _is_loopback(host):
        typer.echo(f"sijil: listening on {host} (SIJIL_HOST): other computers can reach the "
                   "workspace; serve it to them only through a reverse proxy with TLS.",
                   err=True)
    command = ui_command(port, host)
    sys.stdout.flush()
    sys.stderr.flush()
    # Become the server (same process id), so a stop signal reaches it and nothing is left
    # running behind a finished `sijil ui`.
    os.execv(sys.executable, command)  # noqa: S606 - fixed arguments, no shell
