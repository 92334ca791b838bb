"""sijil backup PATH · sijil restore PATH"""

from __future__ import annotations

from pathlib import Path

import typer

from records.cli import app
from records.cli.common import acting_user, fail, open_engine
from records.db import unit_of_work

# Services are imported inside each command: `sijil` loads only what the command run
# needs, so a command starts sooner (help and usage errors at once).


@app.command("backup")
def backup_command(
    path: Path = typer.Argument(..., help="The archive to write (a new .tar.gz file)."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this admin."),
) -> None:
    """Write one consistent archive of the database and the evidence files while the
    server runs, with a manifest of SHA-256 hashes (admins). Encrypted values stay
    encrypted, their keys under this backup's own key, kept in the backup key ring beside
    the master key (neither is in the archive: keep them apart). A purge destroys the
    keys of every backup made before it."""
    engine = open_engine()
    make_backup(engine, path, acting_user(engine, as_user))
    engine.dispose()


def make_backup(engine, path: Path, by) -> None:
    """Write the archive, record it in the trail, and say what was written."""
    from records.services.backup import audit_backup, create_backup

    result = create_backup(engine, path, by=by)
    with unit_of_work(engine) as session:
        audit_backup(session, result, by=by)
    typer.echo(f"backed up {result.counts.get('incident', 0)} incident(s) and {result.files} "
               f"evidence file(s) to {result.path} ({result.size} bytes, sha256 "
               f"{result.sha256})")


@app.command("restore")
def restore_command(
    path: Path = typer.Argument(..., help="An archive written by `sijil backup`."),
) -> None:
    """Restore a backup into the empty database of SIJIL_DATABASE_URL and the empty folder
    of SIJIL_FILES_DIR, then verify the audit trail and the evidence files; when a check
    fails, what was restored is removed again (exit 1). Needs the installation's master key
    and its backup key ring; a backup made before a purge comes back with every encrypted
    value erased."""
    from records.services.backup import restore_backup

    engine = open_engine(migrate=False)  # the place must stay empty until the restore
    report = restore_backup(path, engine)
    engine.dispose()
    typer.echo(f"restored {report.counts.get('incident', 0)} incident(s) and {report.files} "
               f"evidence file(s) from {path} (made {report.manifest.created_at})")
    if report.erased_keys:
        typer.echo(f"{report.erased_keys} data key(s) of this backup were destroyed by a "
                   "later purge: its encrypted values read \"[erased]\"")
    typer.echo(f"audit trail: {report.chain_message}")
    problems = report.files_report.problems
    typer.echo(f"evidence files: {report.files_report.checked} checked, "
               f"{len(problems)} missing or altered")
    for table, (expected, found) in sorted(report.count_mismatches.items()):
        typer.echo(f"{table}: {found} row(s), the backup's manifest says {expected}")
    if report.removed:
        raise fail("the restored data did not pass every check (see above), so it was "
                   "removed: the database and the files folder are empty, as before the "
                   "restore")
    if not report.ok:
        raise fail("the restored data did not pass every check (see above)")
