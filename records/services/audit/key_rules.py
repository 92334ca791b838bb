"""The data keys against the trail: a key erased, removed, swapped or slipped in by SQL.

From the trail (entries already proven by the chain): the keys the database held when its
keys were first recorded (`keys_adopt`), each key made since (`keys_create`) and each one
destroyed (`keys_destroy`: a purge, or a restore that found its backup's key destroyed).
Table data_key must hold exactly those, each with the key id recorded, destroyed exactly
when the trail says so; and each key still held must open under the master key as the key
its id names (a changed wrapped value does not). Key rotation re-wraps keys without
changing their ids, so it changes nothing here.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from records.audit_chain import KEYS_ADOPT, KEYS_CREATE
from records.keys import (
    FIELDS_PURPOSE,
    MasterKey,
    SecretKeyError,
    StoredKeyError,
    key_id,
    unwrap_key,
)
from records.models import AuditEntry, DataKey

Problem = tuple[int | None, str]
_DESTROY = "keys_destroy"


def _destroyed(changes: dict) -> list[tuple[str, str, str | None]]:
    if isinstance(changes.get("keys"), list):
        return [(k[0], k[1], k[2]) for k in changes["keys"]]
    return [(FIELDS_PURPOSE, changes.get("owner"), changes.get("key_id"))]


def _recorded(session: Session) -> dict[tuple[str, str], list] | None:
    """(purpose, owner) -> [key id, destroyed, seq of the entry that said so last]; None
    when the keys were never recorded."""
    state: dict[tuple[str, str], list] = {}
    adopted = False
    query = (select(AuditEntry.seq, AuditEntry.action, AuditEntry.changes)
             .where(AuditEntry.action.in_((KEYS_ADOPT, KEYS_CREATE, _DESTROY)))
             .order_by(AuditEntry.seq))
    for seq, action, raw in session.execute(query):
        try:
            changes = json.loads(raw or "{}")
        except ValueError:
            continue  # the chain check names an entry that is not what was signed
        if action == KEYS_ADOPT:
            adopted = True
            state = {(k[0], k[1]): [k[2], bool(k[3]), seq] for k in changes.get("keys", [])}
        elif action == KEYS_CREATE:
            for purpose, owner, kid in changes.get("keys", []):
                state[(purpose, owner)] = [kid, False, seq]
        else:
            for purpose, owner, kid in _destroyed(changes):
                known = state.get((purpose, owner))
                if known is not None and kid in (None, known[0]):
                    known[1], known[2] = True, seq
    return state if adopted else None


def check_data_keys(session: Session, master: MasterKey) -> Problem | None:
    """The first data key that is not as the trail says, as (seq, what), seq being the
    entry that recorded it (None for a key the trail never named); None when all agree
    or the keys were never recorded yet (a database not written to since upgrading)."""
    state = _recorded(session)
    if state is None:
        return None
    table = DataKey.__table__
    problems: list[Problem] = []
    seen = set()
    for row in session.connection().execute(select(table).order_by(table.c.id)):
        where = (row.purpose, row.owner)
        seen.add(where)
        known = state.get(where)
        name = f"the {row.purpose} key {row.key_id} of {row.owner}"
        if known is None:
            problems.append((None, f"{name} is in table data_key, but no entry made it: "
                                   "it was written around the application"))
            continue
        kid, destroyed, seq = known
        if row.key_id != kid:
            problems.append((seq, f"the {row.purpose} key of {row.owner} is {row.key_id} in "
                                  f"table data_key, but the trail made {kid}: it was "
                                  "replaced"))
        elif row.wrapped is None and not destroyed:
            problems.append((seq, f"{name} was destroyed without a purge: no entry "
                                  "destroyed it"))
        elif row.wrapped is not None and destroyed:
            problems.append((seq, f"{name} was destroyed (entry {seq}), but table data_key "
                                  "holds it again"))
        elif row.wrapped is not None and not _opens(master, row):
            problems.append((seq, f"{name} was changed: it does not open under the master "
                                  "key as the key its id names"))
    for (purpose, owner), (kid, _destroyed_too, seq) in state.items():
        if (purpose, owner) not in seen:
            problems.append((seq, f"the {purpose} key {kid} of {owner} is missing from "
                                  "table data_key"))
    if not problems:
        return None
    return min(problems, key=lambda p: (p[0] is None, p[0] or 0))


def _opens(master: MasterKey, row) -> bool:
    try:
        return key_id(unwrap_key(master, bytes(row.wrapped), purpose=row.purpose,
                                 owner=row.owner)) == row.key_id
    except (StoredKeyError, SecretKeyError):
        return False
