"""sijil search-index rebuild: write the full-text search index again from the records."""

from __future__ import annotations

import time

import typer

from records.cli import app
from records.cli.common import acting_user, open_engine
from records.db import unit_of_work

# Services are imported inside each command: `sijil` loads only what the command run
# needs, so a command starts sooner (help and usage errors at once).

search_index = typer.Typer(help="The full-text search index.", no_args_is_help=True)
app.add_typer(search_index, name="search-index")


@search_index.command("rebuild")
def rebuild(
    as_user: str | None = typer.Option(None, "--as", help="Act as this admin."),
) -> None:
    """Index every incident again from its stored rows (after restoring an old backup or
    a change to what is indexed). Searches keep working on the old index until it commits."""
    from records.services.search import rebuild_index

    engine = open_engine()
    by = acting_user(engine, as_user)
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        count = rebuild_index(session, by=by)
    engine.dispose()
    typer.echo(f"indexed {count} incidents in {time.perf_counter() - started:.1f} s")
