"""sijil review list · sijil review submit|verify|return|publish|archive REF

The same services and rules as the Review queue page: the CLI only reads the incident's
current version itself (a person at a terminal has no opened copy that could be stale).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from records.cli import app
from records.cli.common import acting_user, fail, open_engine
from records.db import read_session, unit_of_work

if TYPE_CHECKING:
    from records.services.review import QueueItem

# Services are imported inside each command: `sijil` loads only what the command run
# needs, so a command starts sooner (help and usage errors at once).

review_app = typer.Typer(help="The review workflow and its queue.", no_args_is_help=True)
app.add_typer(review_app, name="review")


def _cell(text: str) -> str:
    # One line per incident, one tab between columns, whatever a title holds.
    return " ".join(text.split())


def _line(item: QueueItem) -> str:
    at = f"{item.submitted_at:%Y-%m-%d %H:%M:%S}Z" if item.submitted_at else "-"
    return f"{item.ref}\t{at}\t{item.submitted_by}\t{_cell(item.title)}"


@review_app.command("list")
def review_list(
    limit: int | None = typer.Option(None, "--limit", min=1,
                                     help="At most N incidents (default: all)."),
    after: str | None = typer.Option(None, "--after",
                                     help="Continue after this cursor (printed on stderr "
                                          "when --limit cuts the list)."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Print submitted incidents, the longest waiting first: ref, submitted at (UTC), by
    whom, title; tab-separated, one per line."""
    from records.services.review import iter_review_queue

    engine = open_engine()
    by = acting_user(engine, as_user)
    with read_session(engine) as session:
        # One more than --limit tells whether to say where the rest continues.
        queue = iter_review_queue(session, by=by, after=after,
                                  page_size=min((limit or 500) + 1, 500))
        last = None
        for count, item in enumerate(queue):
            if count == limit:
                typer.echo(f"(more waiting: continue with --after {last.cursor})", err=True)
                break
            typer.echo(_line(item))
            last = item
    engine.dispose()


def _take(step: str, ref: str, as_user: str | None, note: str | None) -> None:
    from records.services.incidents import get_incident
    from records.services.review import (
        archive_incident,
        publish_incident,
        return_incident,
        submit_incident,
        verify_incident,
    )

    note = (note or "").strip() or None
    if step in ("return", "archive") and note is None:
        raise fail(f"review {step} needs --note: say "
                   + ("what needs to change" if step == "return" else "why"))
    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        # The unit of work holds the chain-head lock, so no other write lands between
        # reading the version and the step.
        version = get_incident(session, ref, by=by).version
        if step == "return":
            record = return_incident(session, ref, by=by, expected_version=version,
                                     comment=note)
        else:
            call = {"submit": submit_incident, "verify": verify_incident,
                    "publish": publish_incident, "archive": archive_incident}[step]
            record = call(session, ref, by=by, expected_version=version, reason=note)
    engine.dispose()
    typer.echo(f"{record.ref} is {record.status} (version {record.version})")


def _step_command(step: str, summary: str) -> None:
    def command(
        ref: str = typer.Argument(..., help="The incident, e.g. INC-2020-00001."),
        as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
        note: str | None = typer.Option(None, "--note",
                                        help="Why; kept with the step in the audit trail "
                                             "(a return's note is also its review comment)."),
    ) -> None:
        _take(step, ref, as_user, note)

    command.__doc__ = summary
    review_app.command(step)(command)


_step_command("submit", "Send a draft or returned incident for review.")
_step_command("verify", "Verify a submitted incident (a reviewer who did not edit or submit "
                        "it; never the system, so give --as).")
_step_command("return", "Send a submitted incident back to its caseworker; --note says what "
                        "needs to change.")
_step_command("publish", "Publish a verified incident (reviewers).")
_step_command("archive", "Archive an incident (admins); --note says why.")
