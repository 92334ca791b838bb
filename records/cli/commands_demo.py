"""sijil demo: fill the database with synthetic, clearly fictional incidents."""

from __future__ import annotations

import typer

from records.cli import app
from records.cli.common import acting_user, open_engine

# Services are imported inside each command: `sijil` loads only what the command run
# needs, so a command starts sooner (help and usage errors at once).


@app.command("demo")
def demo(
    incidents: int = typer.Option(1000, "--incidents", help="How many incidents to create."),
    seed: int = typer.Option(1, "--seed", help="The same seed gives the same data."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (an admin)."),
) -> None:
    """Add synthetic, clearly fictional incidents that cover the whole data model."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from records.services.demo import load_demo

    engine = open_engine()
    by = acting_user(engine, as_user)
    # The bar goes to stderr, so the summary on stdout stays one line for scripts.
    with Progress(TextColumn("demo data"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True,
                  console=Console(stderr=True)) as bar:
        task = bar.add_task("demo", total=incidents)
        summary = load_demo(engine, incidents=incidents, seed=seed, by=by,
                            progress=lambda done, _total: bar.update(task, completed=done))
    typer.echo(f"added {summary.line()}")

