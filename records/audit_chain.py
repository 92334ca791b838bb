"""Capturing every change as a hash-chained audit entry, in the transaction of the change.

One SQLAlchemy `after_flush` listener sees every insert, update and delete of every table
model, so no service can forget to audit: whatever is flushed is recorded, and a rollback
takes the entries with it. Events that change no row (login, export) are appended through
`append_event`, which shares the same chain code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from records.models import AuditCheckpoint, AuditEntry, Incident
from records.models.attributes import NOT_AUDITED, REDACTED_IN_AUDIT
from records.models.base import BOOKKEEPING_FIELDS, TableBase
from records.models.types import utcnow

GENESIS_HASH = "0" * 64
CHECKPOINT_ID = 1

_USER = "sijil.user_id"
_ACTION = "sijil.action"
_REASON = "sijil.reason"
_PURGE = "sijil.purge"

_entries = AuditEntry.__table__
_checkpoint = AuditCheckpoint.__table__

# Actions of entries that record an event rather than a change of a row (append_event).
# Verification replays every other entry that names a row as a change of that row.
EVENT_ACTIONS = frozenset({"login", "login_failed", "export", "import", "files_verify"})


def format_time(at: dt.datetime) -> str:
    """The one text form of a timestamp inside a hash."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    seq: int,
    at: str,
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    incident_ref: str | None,
    changes: str,
    reason: str | None,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of an entry and the previous entry's hash."""
    payload = json.dumps(
        [seq, at, actor_id, action, entity_type, entity_id, incident_ref, changes, reason,
         prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def to_json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return format_time(value) if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    return value


def dump_changes(changes: dict[str, Any]) -> str:
    return json.dumps(changes, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def bind_user(session: Session, actor_id: int | None, reason: str | None = None) -> None:
    """Name who acts in this session (None: the system), and why, for every entry it writes."""
    session.info[_USER] = actor_id
    session.info[_REASON] = reason


@contextmanager
def audit_action(session: Session, action: str, reason: str | None = None) -> Iterator[None]:
    """Record the updates flushed inside this block as `action` (submit, verify, revert...)."""
    session.flush()
    previous = session.info.get(_ACTION), session.info.get(_REASON)
    session.info[_ACTION] = action
    if reason is not None:
        session.info[_REASON] = reason
    try:
        yield
        session.flush()
    finally:
        session.info[_ACTION], session.info[_REASON] = previous


@contextmanager
def purging(session: Session) -> Iterator[None]:
    """Deletes flushed inside this block leave only a content hash in the trail."""
    session.flush()
    session.info[_PURGE] = True
    try:
        yield
        session.flush()
    finally:
        session.info[_PURGE] = False


def lock_chain_head(session: Session) -> tuple[int, str]:
    """Lock the chain head for this transaction and return (last seq, last hash)."""
    conn = session.connection()
    row = conn.execute(
        select(_checkpoint.c.seq, _checkpoint.c.hash)
        .where(_checkpoint.c.id == CHECKPOINT_ID)
        .with_for_update()
    ).first()
    if row is None:
        conn.execute(
            insert(_checkpoint).values(
                id=CHECKPOINT_ID, seq=0, hash=GENESIS_HASH, updated_at=utcnow()
            )
        )
        return 0, GENESIS_HASH
    return row.seq, row.hash


def _append(session: Session, pending: list[dict[str, Any]]) -> None:
    if not pending:
        return
    seq, prev = lock_chain_head(session)
    actor_id = session.info.get(_USER)
    at = utcnow()
    at_text = format_time(at)
    rows = []
    for item in pending:
        seq += 1
        changes = dump_changes(item.get("changes") or {})
        reason = item.get("reason", session.info.get(_REASON))
        digest = entry_hash(
            seq, at_text, actor_id, item["action"], item["entity_type"], item.get("entity_id"),
            item.get("incident_ref"), changes, reason, prev,
        )
        rows.append({
            "seq": seq, "at": at, "actor_id": actor_id, "action": item["action"],
            "entity_type": item["entity_type"], "entity_id": item.get("entity_id"),
            "incident_ref": item.get("incident_ref"), "changes": changes, "reason": reason,
            "prev_hash": prev, "hash": digest,
        })
        prev = digest
    conn = session.connection()
    conn.execute(insert(_entries), rows)
    conn.execute(
        update(_checkpoint)
        .where(_checkpoint.c.id == CHECKPOINT_ID)
        .values(seq=seq, hash=prev, updated_at=at)
    )


def append_event(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    incident_ref: str | None = None,
    changes: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Append an entry for an event that changes no audited row (login, export...).

    Use an action from EVENT_ACTIONS, or leave entity_id None: verification replays any
    other entry that names a row as a {field: [old, new]} change of that row."""
    session.flush()
    item = {
        "action": action, "entity_type": entity_type, "entity_id": entity_id,
        "incident_ref": incident_ref, "changes": to_json_value(changes or {}),
    }
    if reason is not None:
        item["reason"] = reason
    _append(session, [item])


def _audit_value(obj: TableBase, field: str, value: Any) -> Any:
    if field in REDACTED_IN_AUDIT.get(type(obj).__tablename__, ()):
        return "[redacted]" if value is not None else None
    return to_json_value(value)


_FIELDS: dict[type, list[str]] = {}


def audited_fields(cls: type[TableBase]) -> list[str]:
    """The columns of a table model whose values the trail records."""
    if cls not in _FIELDS:
        skip = BOOKKEEPING_FIELDS | set(NOT_AUDITED.get(cls.__tablename__, ()))
        _FIELDS[cls] = [a.key for a in inspect(cls).column_attrs if a.key not in skip]
    return _FIELDS[cls]


def _column_fields(obj: TableBase) -> list[str]:
    return audited_fields(type(obj))


def _incident_ref(session: Session, obj: TableBase, cache: dict[int, str]) -> str | None:
    if isinstance(obj, Incident):
        return obj.ref
    incident_id = getattr(obj, "incident_id", None)
    if incident_id is None:
        return None
    if incident_id not in cache:
        known = session.identity_map.get(identity_key(Incident, incident_id))
        cache[incident_id] = known.ref if known is not None else session.connection().scalar(
            select(Incident.__table__.c.ref).where(Incident.__table__.c.id == incident_id)
        )
    return cache[incident_id]


def _diff(obj: TableBase) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for field in _column_fields(obj):
        history = state.attrs[field].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        old_v, new_v = _audit_value(obj, field, old), _audit_value(obj, field, new)
        if old_v != new_v:
            changes[field] = [old_v, new_v]
    return changes


def content_hash(obj: TableBase) -> str:
    content = {f: to_json_value(getattr(obj, f)) for f in _column_fields(obj)}
    return hashlib.sha256(dump_changes(content).encode("utf-8")).hexdigest()


def audited_models() -> list[type[TableBase]]:
    """Every table model whose changes the trail records."""
    found, todo = [], list(TableBase.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if hasattr(cls, "__table__"):
            found.append(cls)
    return sorted(found, key=lambda c: c.__tablename__)


def _noop_set(target, value, oldvalue, initiator):
    return value


@event.listens_for(TableBase, "mapper_configured", propagate=True)
def _keep_old_values(mapper, cls) -> None:
    # Load the stored value before an attribute is overwritten, even when it had expired,
    # so every diff has its true "old" side.
    for attr in mapper.column_attrs:
        if attr.key not in BOOKKEEPING_FIELDS:
            event.listen(getattr(cls, attr.key), "set", _noop_set, active_history=True,
                         retval=True)


# Mappers configured before this module was imported missed the event above.
for _model in audited_models():
    _mapper = inspect(_model, raiseerr=False)
    if _mapper is not None and _mapper.configured:
        _keep_old_values(_mapper, _model)


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _flush_context) -> None:
    pending: list[dict[str, Any]] = []
    refs: dict[int, str] = {}
    for obj in session.new:
        if isinstance(obj, TableBase):
            changes = {f: [None, _audit_value(obj, f, getattr(obj, f))]
                       for f in _column_fields(obj) if getattr(obj, f) is not None}
            pending.append(_item(session, obj, "create", changes, refs))
    action = session.info.get(_ACTION) or "update"
    for obj in session.dirty:
        if isinstance(obj, TableBase) and obj not in session.deleted:
            changes = _diff(obj)
            if changes:
                pending.append(_item(session, obj, action, changes, refs))
    purging = session.info.get(_PURGE, False)
    for obj in session.deleted:
        if not isinstance(obj, TableBase):
            continue
        if purging:
            # A purge keeps only a fingerprint of what was removed, never the content.
            changes = {"content_sha256": [None, content_hash(obj)]}
            pending.append(_item(session, obj, "purge", changes, refs))
        else:
            changes = {f: [_audit_value(obj, f, getattr(obj, f)), None]
                       for f in _column_fields(obj) if getattr(obj, f) is not None}
            pending.append(_item(session, obj, "delete", changes, refs))
    _append(session, pending)


def _item(session, obj, action, changes, refs) -> dict[str, Any]:
    return {
        "action": action,
        "entity_type": type(obj).__tablename__,
        "entity_id": obj.id,
        "incident_ref": _incident_ref(session, obj, refs),
        "changes": changes,
    }
