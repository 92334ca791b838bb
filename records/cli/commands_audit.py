"""sijil audit verify · sijil audit log"""

from __future__ import annotations

import datetime as dt
import json

import typer

from records.cli import app
from records.cli.common import acting_user, date_option, fail, open_engine
from records.db import read_session
from records.services.access import SYSTEM
from records.services.audit import AuditEntryRead, list_entries, verify_chain

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the whole hash chain and replay it against the data; exit 1 naming the
    first broken entry."""
    engine = open_engine()
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM)
    engine.dispose()
    if not result.ok:
        raise fail(result.message)
    typer.echo(result.message)


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
