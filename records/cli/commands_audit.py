"""sijil audit verify · sijil audit anchor · sijil audit seal · sijil audit log"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING

import typer

from records.cli import app
from records.cli.common import acting_user, date_option, fail, open_engine
from records.db import read_session, unit_of_work

if TYPE_CHECKING:
    from records.services.audit import AuditEntryRead

# Services are imported inside each command: `sijil` loads only what the command run
# needs, so a command starts sooner (help and usage errors at once).

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


def _anchor(value: str | None) -> tuple[int, str] | None:
    if value is None:
        return None
    found = re.fullmatch(r"\s*([1-9][0-9]*):([0-9a-f]{64})\s*", value)
    if not found:
        raise fail(f"--anchor: '{value}' is not SEQ:DIGEST, as `sijil audit anchor` prints it")
    return int(found[1]), found[2]


@audit_app.command("verify")
def audit_verify(
    anchor: str | None = typer.Option(
        None, "--anchor", help="SEQ:DIGEST printed by `sijil audit anchor` earlier: entry "
                               "SEQ must still have that digest."),
) -> None:
    """Recompute the whole hash chain with the installation's key, replay it against the
    data and check its rules; exit 1 naming the first broken entry."""
    from records.services.access import SYSTEM
    from records.services.audit import verify_chain

    wanted = _anchor(anchor)
    engine = open_engine()
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM, anchor=wanted)
    engine.dispose()
    if not result.ok:
        raise fail(result.message)
    typer.echo(result.message)


@audit_app.command("anchor")
def audit_anchor(as_user: str | None = typer.Option(None, "--as", help="Act as this user.")
                 ) -> None:
    """Print the head of the trail as SEQ:DIGEST and its time, to publish somewhere the
    database's users cannot change; `sijil audit verify --anchor SEQ:DIGEST` checks it."""
    from records.services.audit import trail_anchor

    engine = open_engine()
    principal = acting_user(engine, as_user)
    with read_session(engine) as session:
        seq, digest, at = trail_anchor(session, by=principal)
    engine.dispose()
    typer.echo(f"{seq}:{digest}\t{at}")


@audit_app.command("seal")
def audit_seal(as_user: str | None = typer.Option(None, "--as", help="Act as this user.")
               ) -> None:
    """Seal an unkeyed trail now (the first change written seals it too): entries from the
    seal on are signed with the installation's key."""
    from records.services.keys import seal_trail

    engine = open_engine()
    principal = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        seq, new = seal_trail(session, by=principal)
    engine.dispose()
    typer.echo(f"sijil: sealed the audit trail at entry {seq}" if new
               else f"sijil: the audit trail is sealed already (entry {seq})")


def _value(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _line(entry: AuditEntryRead) -> str:
    entity = entry.entity_type if entry.entity_id is None else (
        f"{entry.entity_type}:{entry.entity_id}")
    changes = "; ".join(
        f"{c.field}: {_value(c.old)} -> {_value(c.new)}" if c.old is not None
        else f"{c.field}: {_value(c.new)}" for c in entry.changes)
    reason = f"\t({entry.reason})" if entry.reason else ""
    return (f"{entry.seq}\t{entry.at:%Y-%m-%d %H:%M:%S}Z\t{entry.actor}\t{entry.action}\t"
            f"{entity}\t{entry.incident_ref or '-'}\t{changes}{reason}")


@audit_app.command("log")
def audit_log(
    entity: str | None = typer.Option(None, "--entity",
                                      help="An incident ref (INC-2024-00001) or type:id."),
    actor: str | None = typer.Option(None, "--actor", help="Username, or 'system'."),
    since: str | None = typer.Option(None, "--since", help="From this date (UTC)."),
    action: str | None = typer.Option(None, "--action", help="Only this action."),
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Newest N entries."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Print audit entries, newest first, one per line."""
    from records.services.audit import list_entries

    day = date_option("--since", since)
    start = dt.datetime.combine(day, dt.time()) if day else None
    engine = open_engine()
    principal = acting_user(engine, as_user)
    with read_session(engine) as session:
        page = list_entries(session, by=principal, entity_ref=entity, actor_name=actor,
                            since=start, action=action, page_size=limit)
    engine.dispose()
    for entry in page.items:
        typer.echo(_line(entry))
    if page.total > len(page.items):
        typer.echo(f"({len(page.items)} of {page.total} entries; use --limit for more)",
                   err=True)
