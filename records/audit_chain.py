"""Capturing every change as a hash-chained audit entry, in the transaction of the change.

One SQLAlchemy `after_flush` listener sees every insert, update and delete of every table
model, so no service can forget to audit: whatever is flushed is recorded, and a rollback
takes the entries with it. Events that change no row (login, export) are appended through
`append_event`, which shares the same chain code.

Each entry's hash is an HMAC-SHA-256 under the chain key (records.keys), so only a process
holding the installation's master key can write an entry that verifies. Trails begun
before keys were used stay valid up to their seal: the first keyed write into a database
without a chain key makes one and appends a `seal` entry naming the unkeyed head
(docs/design.md §5).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, insert, inspect, null, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from records import keys as installation_keys
from records import sealing  # noqa: F401  (seals personal data before the audit sees it)
from records.keys import ChainKeys, StoredKeyError
from records.models import AuditCheckpoint, AuditEntry, DataKey, Incident
from records.models.attributes import AUDITED_FROM_SEAL, NOT_AUDITED, REDACTED_IN_AUDIT
from records.models.base import BOOKKEEPING_FIELDS, TableBase
from records.models.types import utcnow

GENESIS_HASH = "0" * 64
CHECKPOINT_ID = 1
SEAL = "seal"
TRAIL = "audit_entry"  # the seal's entity type: an entry about the trail, not a row
INSERT_BATCH = 5000  # entries per INSERT: a seal writes one per row it adopts

_USER = "sijil.user_id"
_LOGIN = "sijil.login_seq"
_ACTION = "sijil.action"
_REASON = "sijil.reason"
_PURGE = "sijil.purge"
_KEYS = "sijil.chain_keys"

_entries = AuditEntry.__table__
_checkpoint = AuditCheckpoint.__table__

# Actions of entries that record an event rather than a change of a row (append_event).
# Verification replays every other entry that names a row as a change of that row.
EVENT_ACTIONS = frozenset({"login", "login_failed", "export", "import", "files_verify",
                           "keys_rotate", "keys_destroy", "backup", "logout", "session_revoked",
                           "keys_create", "keys_adopt"})
# Data keys in the trail (records/services/audit/key_rules.py checks table data_key
# against them): every key made, and once, the keys a database held before that.
KEYS_CREATE = "keys_create"
KEYS_ADOPT = "keys_adopt"
KEYS_PER_ENTRY = 1000


# What json.dumps builds on every call with these arguments, built once: the same text.
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_CHANGES = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_PLAIN = frozenset({str, int, float, bool, type(None)})


def format_time(at: dt.datetime) -> str:
    """The one text form of a timestamp inside a hash."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_payload(seq: int, at: str, actor_id: int | None, action: str, entity_type: str,
                  entity_id: int | None, incident_ref: str | None, changes: str,
                  reason: str | None, prev_hash: str, login_seq: int | None = None) -> bytes:
    """The canonical bytes of an entry: the UTF-8 of the compact JSON array of its fields
    and the previous entry's hash, then its log-in's seq when it has one (so entries
    without one, all those written before it existed, hash as they always did). Both
    hashes are taken over exactly these bytes."""
    fields = [seq, at, actor_id, action, entity_type, entity_id, incident_ref, changes,
              reason, prev_hash]
    if login_seq is not None:
        fields.append(login_seq)
    return _PAYLOAD.encode(fields).encode("utf-8")


def entry_hash(*fields: Any) -> str:
    """SHA-256 (hex) of entry_payload(*fields): the hash of entries written before the
    trail was sealed."""
    return hashlib.sha256(entry_payload(*fields)).hexdigest()


def keyed_entry_hash(entry_key: bytes, *fields: Any) -> str:
    """HMAC-SHA-256 (hex) under the chain's entry key of entry_payload(*fields): the hash
    of the seal and of every entry after it."""
    return hmac.new(entry_key, entry_payload(*fields), hashlib.sha256).hexdigest()


def to_json_value(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
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
    return _CHANGES.encode(changes)


def bind_user(session: Session, actor_id: int | None, reason: str | None = None,
              login_seq: int | None = None) -> None:
    """Name who acts in this session (None: the system), why, and under which log-in (the
    seq of its `login` entry; None: not through a workspace session), for every entry it
    writes."""
    session.info[_USER] = actor_id
    session.info[_REASON] = reason
    session.info[_LOGIN] = login_seq


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
        conn.execute(insert(_checkpoint).values(id=CHECKPOINT_ID, seq=0, hash=GENESIS_HASH,
                                                updated_at=utcnow()))
        return 0, GENESIS_HASH
    return row.seq, row.hash


@event.listens_for(Session, "after_transaction_end")
def _forget_keys(session: Session, transaction) -> None:
    # Read again in the next transaction: a seal rolled back must be written again. The
    # inner transaction of each flush ending changes nothing (keeping the keys spares a
    # read and an unwrap per flush); the outer one or a savepoint ending does.
    if transaction.parent is None or transaction.nested:
        session.info.pop(_KEYS, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_keys_after_rollback(session: Session, _previous) -> None:
    session.info.pop(_KEYS, None)


def chain_keys(session: Session) -> ChainKeys:
    """The chain keys for this transaction, read with the master key. In a database that
    has no chain key yet, the first call makes one and seals the trail. Raises
    SecretKeyError (no usable master key) or StoredKeyError: nothing is written unkeyed."""
    keys = session.info.get(_KEYS)
    if keys is None:
        keys = _load_or_seal(session)
        session.info[_KEYS] = keys
    return keys


def _load_or_seal(session: Session) -> ChainKeys:
    head = lock_chain_head(session)  # first: two writers must not both seal
    conn = session.connection()
    master = installation_keys.read_master_key()
    keys = installation_keys.load_chain_keys(conn, master)
    if keys is not None:
        _adopt_data_keys(session, keys)
        return keys
    if conn.scalar(select(_entries.c.seq).where(_entries.c.action == SEAL).limit(1)):
        raise StoredKeyError(
            "the audit trail is sealed, but this database no longer holds its chain key "
            "(table data_key): nothing can be written until it is restored from a backup")
    keys = installation_keys.create_chain_key(conn, master)
    _write(conn, keys, head, _seal_items(conn, keys, head), actor_id=None, reason=None)
    _adopt_data_keys(session, keys)
    return keys


def _adopt_data_keys(session: Session, keys: ChainKeys) -> None:
    """Once per database: an entry naming every data key it holds (purpose, owner, key id,
    destroyed or not), so keys made before their creation was recorded are checked from
    here on, as the seal does for rows. One indexed lookup per write transaction after."""
    conn = session.connection()
    if conn.scalar(select(_entries.c.seq).where(_entries.c.action == KEYS_ADOPT).limit(1)):
        return
    stored = DataKey.__table__
    listed = [[r.purpose, r.owner, r.key_id, r.wrapped_gone] for r in conn.execute(
        select(stored.c.purpose, stored.c.owner, stored.c.key_id,
               stored.c.wrapped.is_(None).label("wrapped_gone")).order_by(stored.c.id))]
    _write(conn, keys, lock_chain_head(session),
           [{"action": KEYS_ADOPT, "entity_type": "data_key", "changes": {"keys": listed},
             "reason": "data keys recorded from here on"}], actor_id=None, reason=None)


def record_new_keys(session: Session, rows: list[dict[str, Any]]) -> None:
    """Entries for data keys just inserted (rows as records/keys.py makes them): purpose,
    owner and key id, never the key. Called as they are inserted, in the same transaction:
    a key the trail does not name is one written around the application."""
    listed = [[r["purpose"], r["owner"], r["key_id"]] for r in rows]
    _append(session, [{"action": KEYS_CREATE, "entity_type": "data_key",
                       "changes": {"keys": listed[i:i + KEYS_PER_ENTRY]}}
                      for i in range(0, len(listed), KEYS_PER_ENTRY)])


def _seal_items(conn, keys: ChainKeys, head: tuple[int, str]) -> Iterator[dict[str, Any]]:
    """The seal, then one entry per row for what the trail starts to record at the seal:
    the value each row has now of the columns audited from the seal on, and a keyed digest
    of each password hash (the trail before held "[redacted]"). Read before the change
    that triggers the seal is flushed, so the trail goes on from the rows as they were."""
    yield {"action": SEAL, "entity_type": TRAIL,
           "changes": {"algorithm": "hmac-sha256", "chain_key": keys.key_id,
                       "legacy_head": list(head)},
           "reason": "entries from here on are signed with this installation's key"}
    for model in audited_models():
        table = model.__table__
        adopted = AUDITED_FROM_SEAL.get(table.name, ())
        digested = REDACTED_IN_AUDIT.get(table.name, ())
        if not adopted and not digested:
            continue
        ref = table.c.ref if table.name == "incident" else null()
        query = select(table.c.id, ref, *[table.c[f] for f in (*adopted, *digested)])
        for row_id, incident_ref, *values in conn.execute(query.order_by(table.c.id)):
            changes = {f: [None, to_json_value(v)]
                       for f, v in zip(adopted, values, strict=False) if v is not None}
            changes |= {f: ["[redacted]", keys.credential_digest(v)]
                        for f, v in zip(digested, values[len(adopted):], strict=True)
                        if v is not None}
            if changes:
                yield {"action": SEAL, "entity_type": table.name, "entity_id": row_id,
                       "incident_ref": incident_ref, "changes": changes,
                       "reason": "recorded at the seal"}


def _write(conn, keys: ChainKeys, head: tuple[int, str], items, *, actor_id: int | None,
           reason: str | None, login_seq: int | None = None) -> int:
    """Append `items` after `head`, each hashed with the entry key, and move the head;
    returns the seq of the last entry."""
    seq, prev = head
    at = utcnow()
    at_text = format_time(at)
    rows: list[dict[str, Any]] = []
    for item in items:
        seq += 1
        changes = dump_changes(item.get("changes") or {})
        why = item.get("reason", reason)
        digest = keyed_entry_hash(
            keys.entry_key, seq, at_text, actor_id, item["action"], item["entity_type"],
            item.get("entity_id"), item.get("incident_ref"), changes, why, prev, login_seq)
        rows.append({
            "seq": seq, "at": at, "actor_id": actor_id, "action": item["action"],
            "entity_type": item["entity_type"], "entity_id": item.get("entity_id"),
            "incident_ref": item.get("incident_ref"), "changes": changes, "reason": why,
            "prev_hash": prev, "hash": digest, "login_seq": login_seq,
        })
        prev = digest
        if len(rows) == INSERT_BATCH:
            conn.execute(insert(_entries), rows)
            rows = []
    if rows:
        conn.execute(insert(_entries), rows)
    if seq != head[0]:
        conn.execute(update(_checkpoint).where(_checkpoint.c.id == CHECKPOINT_ID)
                     .values(seq=seq, hash=prev, updated_at=at))
    return seq


def _append(session: Session, pending: list[dict[str, Any]]) -> int | None:
    if not pending:
        return None
    keys = chain_keys(session)  # may seal: read the head after it
    return _write(session.connection(), keys, lock_chain_head(session), pending,
                  actor_id=session.info.get(_USER), reason=session.info.get(_REASON),
                  login_seq=session.info.get(_LOGIN))


def append_event(session: Session, *, action: str, entity_type: str,
                 entity_id: int | None = None, incident_ref: str | None = None,
                 changes: dict[str, Any] | None = None, reason: str | None = None) -> int:
    """Append an entry for an event that changes no audited row (login, export...), and
    return its seq.

    Use an action from EVENT_ACTIONS, or leave entity_id None: verification replays any
    other entry that names a row as a {field: [old, new]} change of that row."""
    session.flush()
    item = {
        "action": action, "entity_type": entity_type, "entity_id": entity_id,
        "incident_ref": incident_ref, "changes": to_json_value(changes or {}),
    }
    if reason is not None:
        item["reason"] = reason
    return _append(session, [item])


def _audit_value(obj: TableBase, field: str, value: Any, keys: ChainKeys) -> Any:
    if field in REDACTED_IN_AUDIT.get(type(obj).__tablename__, ()):
        return keys.credential_digest(value) if value is not None else None
    return to_json_value(value)


_FIELDS: dict[type, list[str]] = {}


def audited_fields(cls: type[TableBase]) -> list[str]:
    """The columns of a table model whose values the trail records."""
    if cls not in _FIELDS:
        skip = BOOKKEEPING_FIELDS | set(NOT_AUDITED.get(cls.__tablename__, ()))
        _FIELDS[cls] = [a.key for a in inspect(cls).column_attrs if a.key not in skip]
    return _FIELDS[cls]


def _incident_ref(session: Session, obj: TableBase, cache: dict[int, str]) -> str | None:
    if isinstance(obj, Incident):
        return obj.ref
    # Asked of the table, not the row: a missing attribute on a row goes through
    # pydantic's slow __getattr__ and an exception, for every person and source of a batch.
    if "incident_id" not in type(obj).__table__.c:
        return None
    incident_id = obj.incident_id
    if incident_id is None:
        return None
    if incident_id not in cache:
        known = session.identity_map.get(identity_key(Incident, incident_id))
        cache[incident_id] = known.ref if known is not None else session.connection().scalar(
            select(Incident.__table__.c.ref).where(Incident.__table__.c.id == incident_id)
        )
    return cache[incident_id]


def _diff(obj: TableBase, keys: ChainKeys) -> dict[str, list[Any]]:
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    for field in audited_fields(type(obj)):
        history = state.attrs[field].history
        if not history.has_changes():
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        old_v, new_v = _audit_value(obj, field, old, keys), _audit_value(obj, field, new, keys)
        if old_v != new_v:
            changes[field] = [old_v, new_v]
    return changes


def content_hash(obj: TableBase) -> str:
    content = {f: to_json_value(getattr(obj, f)) for f in audited_fields(type(obj))}
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


def _changes_table_rows(session: Session) -> bool:
    return any(isinstance(obj, TableBase)
               for objects in (session.new, session.dirty, session.deleted) for obj in objects)


@event.listens_for(Session, "before_flush")
def _seal_before_the_first_change(session: Session, _flush_context, _instances) -> None:
    # The seal records rows as the trail has explained them so far: before this flush.
    if _KEYS not in session.info and _changes_table_rows(session):
        chain_keys(session)


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _flush_context) -> None:
    if not _changes_table_rows(session):
        return
    keys = chain_keys(session)
    pending: list[dict[str, Any]] = []
    # The refs of the incidents in this flush, known without a lookup per row.
    refs: dict[int, str] = {obj.id: obj.ref for obj in (*session.new, *session.dirty)
                            if isinstance(obj, Incident)}
    for obj in session.new:
        if isinstance(obj, TableBase):
            pending.append(_item(session, obj, "create", _created(obj, keys), refs))
    action = session.info.get(_ACTION) or "update"
    deleted = session.deleted  # a new set at each access: taken once
    for obj in session.dirty:
        if isinstance(obj, TableBase) and obj not in deleted:
            changes = _diff(obj, keys)
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
            changes = {f: [_audit_value(obj, f, getattr(obj, f), keys), None]
                       for f in audited_fields(type(obj)) if getattr(obj, f) is not None}
            pending.append(_item(session, obj, "delete", changes, refs))
    _append(session, pending)


def _created(obj: TableBase, keys: ChainKeys) -> dict[str, list[Any]]:
    """The changes of a new row: [None, value] for every audited field that has a value
    (what _audit_value gives, each value read once)."""
    redacted = REDACTED_IN_AUDIT.get(type(obj).__tablename__, ())
    changes: dict[str, list[Any]] = {}
    for field in audited_fields(type(obj)):
        value = getattr(obj, field)
        if value is not None:
            changes[field] = [None, keys.credential_digest(value) if field in redacted
                              else to_json_value(value)]
    return changes


def _item(session, obj, action, changes, refs) -> dict[str, Any]:
    return {"action": action, "entity_type": type(obj).__tablename__, "entity_id": obj.id,
            "incident_ref": _incident_ref(session, obj, refs), "changes": changes}
