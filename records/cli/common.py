"""What every CLI command shares: the engine, the acting user, and clean error exits."""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import TYPE_CHECKING

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from records.db import make_engine, read_session
from records.db_faults import explain
from records.errors import SijilError

if TYPE_CHECKING:
    from records.services.access import Principal

EXIT_USER_ERROR = 1
EXIT_USAGE = 2


def fail(message: str) -> typer.Exit:
    """Print one clear line on stderr and exit 1 (raise the returned Exit)."""
    typer.echo(f"sijil: {message}", err=True)
    return typer.Exit(EXIT_USER_ERROR)


def date_option(option: str, value: str | None) -> dt.date | None:
    """The YYYY-MM-DD date given to `option`, None when not given; anything else exits 1
    naming the option and the value."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: '{value}' is not a date (YYYY-MM-DD)") from None


def open_engine(*, migrate: bool = True) -> Engine:
    """The engine for SIJIL_DATABASE_URL, upgraded to the newest schema (the CLI, like the
    app, applies migrations on start)."""
    from records.services.setup import prepare_database

    engine = make_engine()
    if migrate:
        prepare_database(engine)
    return engine


def acting_user(engine: Engine, name: str | None) -> Principal:
    """The user named by --as (or SIJIL_USER); without one, the system principal."""
    from records.services.access import SYSTEM
    from records.services.users import get_user, principal_of

    name = name or os.environ.get("SIJIL_USER") or None
    if not name:
        return SYSTEM
    with read_session(engine) as session:
        user = get_user(session, name)
    if not user.is_active:
        raise fail(f"user {name} is deactivated")
    return principal_of(user)


def run_app(app: typer.Typer, args: list[str] | None = None,
            prog_name: str | None = None) -> None:
    """Run the Typer app on `args` (default: the command line); typed errors become one
    line on stderr and exit code 1."""
    try:
        app(args=args, prog_name=prog_name, standalone_mode=True)
    except SijilError as error:
        typer.echo(f"sijil: {error}", err=True)
        sys.exit(EXIT_USER_ERROR)
    except OperationalError as error:
        fault = explain(error)
        typer.echo(f"sijil: {fault}" if fault else
                   f"sijil: cannot use the database: {error.orig}", err=True)
        sys.exit(EXIT_USER_ERROR)
    except SQLAlchemyError as error:
        typer.echo(f"sijil: database error: {error.__class__.__name__}: {error}".splitlines()[0],
                   err=True)
        sys.exit(EXIT_USER_ERROR)
