"""Running the `sijil` command line for tests, in this process or in a new one.

In this process, a command goes through the same `run_app` as `python -m records` (the
same parser, commands, error lines and exit codes) with its own environment, standard
streams and working folder, and the engines it opens are disposed when it ends, as a
process's would be; only the start of a new interpreter is saved (about three seconds a
command). Each group of commands keeps at least one test through a real subprocess, which
proves that `python -m records` starts and exits with these codes from a terminal.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parent.parent
# What click names the program when it is run as `python -m records` (in usage lines).
PROG_NAME = "python -m records"


def _environment(database: Engine | str, files_dir: Path | None) -> dict[str, str | None]:
    url = (database if isinstance(database, str)
           else database.url.render_as_string(hide_password=False))
    # A developer's own SIJIL_USER would change who acts.
    env: dict[str, str | None] = {"SIJIL_DATABASE_URL": url, "SIJIL_USER": None}
    if files_dir is not None:
        env["SIJIL_FILES_DIR"] = str(files_dir)
    return env


def _text(raw: str) -> str:
    # As subprocess's text mode reads a pipe: universal newlines.
    return raw.replace("\r\n", "\n").replace("\r", "\n")


class _Main:
    """What CliRunner invokes: the entry point of `python -m records`, given its arguments."""

    name = "sijil"

    def main(self, args, prog_name, **_extra) -> None:
        from records.cli import _register, app
        from records.cli.common import run_app

        _register()
        try:
            run_app(app, args=list(args), prog_name=prog_name)
        except (SystemExit, KeyboardInterrupt):
            raise
        except BaseException:
            # What the interpreter would print on stderr before exiting 1: a test that
            # says "no traceback" sees it here just as it would from a process.
            traceback.print_exc(file=sys.stderr)
            sys.exit(1)


@contextlib.contextmanager
def _engines_disposed_at_the_end() -> Iterator[None]:
    """Engines the command makes are disposed when it ends (a process exiting closes its
    connections; here they would linger and hold PostgreSQL sessions and SQLite files)."""
    import records.db

    made: list[Engine] = []
    original = records.db.make_engine

    def tracked(*args, **kwargs) -> Engine:
        engine = original(*args, **kwargs)
        made.append(engine)
        return engine

    modules = [m for m in (sys.modules.get("records.cli.common"),
                           sys.modules.get("records.cli.commands_core"), records.db)
               if m is not None and getattr(m, "make_engine", None) is original]
    for module in modules:
        module.make_engine = tracked
    try:
        yield
    finally:
        for module in modules:
            module.make_engine = original
        for engine in made:
            engine.dispose()


def run_in_process(database: Engine | str, *args: str, stdin: str = "",
                   files_dir: Path | None = None) -> subprocess.CompletedProcess:
    """`sijil ARGS` on `database` in this process; stdout, stderr and the exit code as a
    subprocess would give them."""
    runner = CliRunner()
    with contextlib.chdir(ROOT), _engines_disposed_at_the_end():
        result = runner.invoke(_Main(), list(args), input=stdin,
                               env=_environment(database, files_dir), prog_name=PROG_NAME)
    return subprocess.CompletedProcess([PROG_NAME, *args], result.exit_code,
                                       _text(result.stdout), _text(result.stderr))


def run_in_subprocess(database: Engine | str, *args: str, stdin: str = "",
                      files_dir: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m records ARGS` on `database` in a new process, as a user runs it."""
    env = {k: v for k, v in {**os.environ, **_environment(database, files_dir)}.items()
           if v is not None}
    return subprocess.run([sys.executable, "-m", "records", *args], input=stdin, env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
