"""Sealing the trail on demand, and rotating the master key under which data keys are kept."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlmodel import Session

from records.audit_chain import SEAL, append_event, chain_keys
from records.i18n import _
from records.keys import (
    MasterKey,
    SecretKeyError,
    StoredKeyError,
    check_master,
    key_id,
    read_master_key,
    unwrap_key,
    wrap_key,
)
from records.models import AuditEntry, DataKey
from records.services.access import Principal, act_as, require_role

_keys = DataKey.__table__


def _seal_seq(session: Session) -> int | None:
    return session.scalar(select(func.min(AuditEntry.seq)).where(AuditEntry.action == SEAL))


def seal_trail(session: Session, *, by: Principal) -> tuple[int, bool]:
    """Seal the trail now, as the first keyed write would (admins). Returns the seal's seq
    and whether it was written just now (False: the trail was sealed already). Raises
    SecretKeyError without a usable master key."""
    require_role(by, "admin", _("seal the audit trail"))
    before = _seal_seq(session)
    if before is not None:
        chain_keys(session)  # the stored key still opens: the seal is usable
        return before, False
    act_as(session, by)
    chain_keys(session)
    return _seal_seq(session), True


@dataclass(frozen=True)
class Rotation:
    old_key_id: str
    new_key_id: str
    keys: int


def rotate_master_key(session: Session, new: MasterKey, *, by: Principal) -> Rotation:
    """Re-wrap every stored data key under `new` (admins), and record a `keys_rotate`
    event naming both key ids; the data keys themselves do not change, so the whole trail
    stays verifiable. Every key is unwrapped with the current master first: any error
    (SecretKeyError, StoredKeyError) is raised before anything is written, and the
    caller's transaction then changes nothing."""
    require_role(by, "admin", _("rotate the master key"))
    old = read_master_key()
    if new.id == old.id:
        raise SecretKeyError(f"the new key is the key in use ({old.id}): give another")
    chain_keys(session)  # read (or made and sealed) under the current key, before the change
    conn = session.connection()
    rows = conn.execute(select(_keys).where(_keys.c.wrapped.is_not(None))
                        .order_by(_keys.c.id)).all()
    opened = []
    for row in rows:
        check_master(old, row.master_key_id)
        data_key = unwrap_key(old, bytes(row.wrapped), purpose=row.purpose, owner=row.owner)
        if key_id(data_key) != row.key_id:
            raise StoredKeyError(f"stored key {row.id} is not the key {row.key_id} it names")
        opened.append((row, data_key))
    for row, data_key in opened:
        conn.execute(update(_keys).where(_keys.c.id == row.id).values(
            wrapped=wrap_key(new, data_key, purpose=row.purpose, owner=row.owner),
            master_key_id=new.id))
    act_as(session, by)
    append_event(session, action="keys_rotate", entity_type="data_key",
                 changes={"from": old.id, "to": new.id, "keys": len(opened)})
    return Rotation(old.id, new.id, len(opened))
