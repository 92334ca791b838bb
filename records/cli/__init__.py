"""The `sijil` command line. Each command group lives in its own module of this package."""

from __future__ import annotations

import typer

from records.cli.common import run_app

app = typer.Typer(
    name="sijil",
    help="Sijil: a documentation database for human-rights incidents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Imported here so each module can add its commands to `app` without import cycles.
    from records.cli import (  # noqa: F401
        commands_audit,
        commands_backup,
        commands_core,
        commands_demo,
        commands_figures,
        commands_files,
        commands_io,
        commands_keys,
        commands_linkage,
        commands_purge,
        commands_review,
        commands_search,
    )


def main() -> None:
    _register()
    run_app(app)
