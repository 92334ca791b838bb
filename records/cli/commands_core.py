"""sijil db … and sijil user …"""

from __future__ import annotations

import sys

import typer

from records.cli import app
from records.cli.common import acting_user, fail, open_engine
from records.db import read_session, unit_of_work
from records.migrations import current_revision, head_revision
from records.services.users import add_user, list_users

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration and seed missing vocabulary terms."""
    engine = open_engine()
    typer.echo(f"database at revision {current_revision(engine)} (head)")


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision of the database."""
    engine = open_engine(migrate=False)
    current = current_revision(engine)
    head = head_revision()
    state = "head" if current == head else f"behind head {head}"
    typer.echo(f"{current or 'empty'} ({state})")


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
    typer.echo(f"added {user.username} ({user.role})")


@user_app.command("list")
def user_list() -> None:
    """List user accounts."""
    engine = open_engine()
    with read_session(engine) as session:
        for user in list_users(session):
            state = "active" if user.is_active else "inactive"
            typer.echo(f"{user.username}\t{user.role}\t{state}\t{user.display_name}")


@app.command("ui")
def ui(port: int = typer.Option(8501, "--port", help="Port to serve the UI on.")) -> None:
    """Start the Streamlit workspace on the same database."""
    import subprocess
    from pathlib import Path

    import ui

    open_engine().dispose()
    app_path = Path(ui.__file__).resolve().parent / "app.py"
    command = [sys.executable, "-m", "streamlit", "run", str(app_path),
               "--server.port", str(port), "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]
    raise typer.Exit(subprocess.call(command))  # noqa: S603 - fixed arguments, no shell
