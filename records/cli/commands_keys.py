"""sijil keys generate · sijil keys init · sijil keys rotate · sijil keys seal-data"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from records.cli import app
from records.cli.common import acting_user, fail, open_engine
from records.config import get_settings
from records.db import unit_of_work

if TYPE_CHECKING:
    from records.services.keys import MasterKey

# Services are imported inside each command: `sijil` loads only what the command run
# needs, so a command starts sooner (help and usage errors at once).

keys_app = typer.Typer(help="The installation's secret key.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new random key (32 bytes, URL-safe base64) for SIJIL_SECRET_KEY or a key
    file."""
    from records.services.keys import generate_key

    typer.echo(generate_key())


@keys_app.command("init")
def keys_init() -> None:
    """Make the key file (SIJIL_SECRET_KEY_FILE) if there is no key yet, and say where."""
    from records.services.keys import create_key_file, read_master_key

    settings = get_settings()
    if settings.secret_key is not None:
        read_master_key(settings)  # a malformed one is an error here already
        typer.echo("sijil: the secret key comes from SIJIL_SECRET_KEY")
        return
    path = settings.secret_key_file
    try:
        made = create_key_file(path)
    except OSError as error:
        raise fail(f"cannot make the key file {path} (SIJIL_SECRET_KEY_FILE): "
                   f"{error.strerror or error}") from None
    if made:
        typer.echo(f"sijil: made a new secret key in {path} (mode 0600). Keep a copy apart "
                   "from the data and its backups: without it the audit trail cannot be "
                   "verified or written.")
    else:
        read_master_key(settings)
        typer.echo(f"sijil: the secret key is read from {path}")


def _new_key(new_key_file: Path | None) -> tuple[MasterKey, str]:
    from records.services.keys import MasterKey, parse_key

    if new_key_file is not None:
        try:
            text = new_key_file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise fail(f"--new-key-file: cannot read {new_key_file}: {error}") from None
        source = f"the key file {new_key_file}"
    else:
        text = sys.stdin.readline().strip()
        source = "the new key (standard input)"
    return MasterKey(parse_key(text, source), source), text


@keys_app.command("rotate")
def keys_rotate(
    new_key_file: Path | None = typer.Option(
        None, "--new-key-file", help="Read the new key from this file (else from stdin)."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (an admin)."),
) -> None:
    """Re-wrap every stored key under a new master key, in one transaction; the key file
    is replaced once it commits. Stop the app first and restart it with the new key."""
    from records.services.keys import read_master_key, rotate_master_key, staged_key_file

    new, text = _new_key(new_key_file)
    settings = get_settings()
    read_master_key(settings)  # the current key must be there before anything is staged
    engine = open_engine()
    principal = acting_user(engine, as_user)
    from_file = settings.secret_key is None
    staging = (staged_key_file(settings.secret_key_file, text) if from_file
               else contextlib.nullcontext())
    with staging, unit_of_work(engine) as session:
        done = rotate_master_key(session, new, by=principal)
    engine.dispose()
    typer.echo(f"sijil: {done.keys} stored key(s) re-wrapped under master key "
               f"{done.new_key_id} (was {done.old_key_id})")
    if from_file:
        typer.echo(f"sijil: {settings.secret_key_file} now holds the new key")
    else:
        typer.echo("sijil: set SIJIL_SECRET_KEY to the new key for every process now: the "
                   "old one no longer opens the stored keys")


@keys_app.command("seal-data")
def keys_seal_data(
    as_user: str | None = typer.Option(None, "--as", help="Act as this admin."),
) -> None:
    """Seal the personal data a database holds in clear from before values were sealed
    at rest (contacts, withheld names, confidential sources, restricted narratives).
    Run once after upgrading; new values are sealed as they are written."""
    from records.services.keys import seal_existing_values

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        changed = seal_existing_values(session, by=by)
    engine.dispose()
    typer.echo(f"sijil: {changed} row(s) sealed; entries written before keep what they "
               "recorded then")
