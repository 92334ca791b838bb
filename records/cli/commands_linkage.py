"""sijil duplicates · sijil merge A B · sijil unmerge ID

The same services as the Duplicates page (records.services.linkage): candidate pairs among
what the acting user may see, merging two records into one, undoing a merge.
"""

from __future__ import annotations

import csv
import sys
from enum import StrEnum

import typer

from records.cli import app
from records.cli.common import acting_user, open_engine
from records.db import read_session, unit_of_work

# Services are imported inside each command: `sijil` loads only what the command run
# needs, so a command starts sooner (help and usage errors at once).

CSV_COLUMNS = ("a_uid", "b_uid", "a_name", "b_name", "score", "reasons")


class Kind(StrEnum):
    person = "person"
    incident = "incident"


class Format(StrEnum):
    text = "text"
    csv = "csv"


def _cell(text: str) -> str:
    return " ".join(str(text).split())


@app.command("duplicates")
def duplicates(
    kind: Kind = typer.Option(Kind.person, "--kind", help="person or incident."),
    min_score: float | None = typer.Option(
        None, "--min-score", min=0, max=100,
        help="Lowest score shown (default: 85 for people, 60 for incidents; see the design)."),
    fmt: Format = typer.Option(Format.text, "--format", help="text or csv."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Print likely duplicate pairs, highest score first: for people their uids and names,
    for incidents their refs and titles, the score and the reasons. Pairs judged not the
    same are left out. Nothing is changed."""
    from records.services.linkage import candidate_pairs

    engine = open_engine()
    by = acting_user(engine, as_user)
    with read_session(engine) as session:
        pairs = candidate_pairs(session, kind.value, by=by, min_score=min_score)
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for pair in pairs:
            writer.writerow((pair.a_key, pair.b_key, pair.a_name, pair.b_name,
                             f"{pair.score:.1f}", "; ".join(pair.reasons)))
        return
    for pair in pairs:
        typer.echo(f"{pair.score:5.1f}\t{pair.a_key}\t{_cell(pair.a_name)}\t{pair.b_key}\t"
                   f"{_cell(pair.b_name)}\t{'; '.join(pair.reasons)}")


@app.command("merge")
def merge(
    kept: str = typer.Argument(..., help="The person uid or incident ref that stays."),
    merged: str = typer.Argument(..., help="The one merged into it (it goes)."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Merge two people (uids) or two incidents (refs) into the first: every link of the
    second moves to it, in one audited change that `sijil unmerge` undoes. Reviewers and
    admins."""
    from records.services.linkage import merge_records

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        done = merge_records(session, kept, merged, by=by)
    typer.echo(f"merge {done.id}: {done.merged_key} merged into {done.kept_key} "
               f"({done.moved} links moved, {done.removed} duplicate links removed)")


@app.command("unmerge")
def unmerge_command(
    merge_id: int = typer.Argument(..., help="The merge's number (printed by sijil merge)."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Undo a merge: both records and every link back as they were. Reviewers and admins."""
    from records.services.linkage import unmerge

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        done = unmerge(session, merge_id, by=by)
    typer.echo(f"merge {done.id} undone: {done.merged_key} and {done.kept_key} are two again")
