"""The data keys of a backup (member keys.json): taken out of the database member, each
field data key wrapped under the backup's generation key; put back at restore, wrapped
under the master key again, or destroyed when a purge has destroyed the generation key."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, text

from records.keys import (
    FIELDS_PURPOSE,
    GENERATION_PREFIX,
    MasterKey,
    StoredKeyError,
    check_master,
    key_id,
    read_master_key,
    unwrap_from_backup,
    unwrap_key,
    wrap_for_backup,
    wrap_key,
)
from records.models import DataKey
from records.services.backup.archive import BackupError
from records.services.backup.generations import Generation, generation_key

_keys = DataKey.__table__
_COLUMNS = ("id", "key_id", "purpose", "owner", "master_key_id")


def _time(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def archived_keys(conn: Connection, master: MasterKey, generation: Generation) -> list[dict]:
    """Every data_key row as the archive keeps it: a field key wrapped under the
    generation key instead of the master key; the chain key (it keys the trail's
    integrity, it hides nothing) and destroyed keys as they are."""
    found = []
    for row in conn.execute(select(_keys).order_by(_keys.c.id)):
        item = {c: getattr(row, c) for c in _COLUMNS}
        item |= {"created_at": _time(row.created_at), "destroyed_at": _time(row.destroyed_at)}
        wrapped = None if row.wrapped is None else bytes(row.wrapped)
        if wrapped is not None and row.purpose == FIELDS_PURPOSE:
            check_master(master, row.master_key_id)
            secret = unwrap_key(master, wrapped, purpose=row.purpose, owner=row.owner)
            wrapped = wrap_for_backup(generation.key, secret, purpose=row.purpose,
                                      owner=row.owner)
            item["master_key_id"] = GENERATION_PREFIX + generation.id
        item["wrapped"] = None if wrapped is None else base64.b64encode(wrapped).decode()
        found.append(item)
    return found


def write_keys(path: Path, rows: list[dict]) -> None:
    path.write_text(json.dumps(rows, sort_keys=True), encoding="utf-8")


def read_keys(path: Path) -> list[dict]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise ValueError("not a list of rows")
    except (OSError, ValueError) as error:
        raise BackupError(f"the backup's keys cannot be read: {error}") from None
    return rows


def _parse_time(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def restored_rows(rows: list[dict], master: MasterKey, generation_key: bytes | None
                  ) -> tuple[list[dict], list[list[str]]]:
    """The data_key rows to insert, every generation-wrapped key wrapped under the master
    again, or destroyed (no key, destroyed now) when the generation key is gone; and the
    [purpose, owner, key id] of each key so destroyed. Raises BackupError for a key the
    archive altered."""
    now = dt.datetime.now(dt.UTC)
    out, lost = [], []
    for row in rows:
        item = {c: row.get(c) for c in _COLUMNS}
        item |= {"created_at": _parse_time(row.get("created_at")),
                 "destroyed_at": _parse_time(row.get("destroyed_at")),
                 "wrapped": None if row.get("wrapped") is None
                 else base64.b64decode(row["wrapped"])}
        if item["wrapped"] is not None and str(item["master_key_id"]).startswith(
                GENERATION_PREFIX):
            if generation_key is None:
                item |= {"wrapped": None, "destroyed_at": now, "master_key_id": master.id}
                lost.append([item["purpose"], item["owner"], item["key_id"]])
            else:
                try:
                    secret = unwrap_from_backup(generation_key, item["wrapped"],
                                                purpose=item["purpose"], owner=item["owner"])
                except StoredKeyError as error:
                    raise BackupError(str(error)) from None
                if key_id(secret) != item["key_id"]:
                    raise BackupError(f"the backup's key {item['key_id']} was altered")
                item |= {"wrapped": wrap_key(master, secret, purpose=item["purpose"],
                                             owner=item["owner"]),
                         "master_key_id": master.id}
        out.append(item)
    return out, lost


def put_keys_back(engine: Engine, rows: list[dict]) -> None:
    """Insert the restored data_key rows (ids kept: the trail names them)."""
    with engine.begin() as conn:
        if rows:
            conn.execute(insert(_keys), rows)
        if engine.dialect.name == "postgresql":
            top = conn.execute(select(func.max(_keys.c.id))).scalar()
            if top is not None:
                conn.execute(text("SELECT setval(pg_get_serial_sequence('data_key', 'id'), "
                                  ":top)"), {"top": top})


def generation_for(manifest) -> tuple[MasterKey, bytes | None]:
    """The master key and the key of the archive's generation (None: destroyed by a purge
    made after the backup). Raises KeyRingError naming the ring when it lacks it."""
    master = read_master_key()
    return master, generation_key(master, manifest.key_generation)


def record_lost_keys(engine: Engine, lost: list[list[str]]) -> int:
    """The trail's entry for the keys a restore found destroyed with their generation.
    Returns how many entries were written (the trail's first record of its keys may come
    with it)."""
    from records.audit_chain import append_event
    from records.db import unit_of_work
    from records.models import AuditEntry
    from records.services.access import SYSTEM, act_as

    def entries() -> int:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()

    before = entries()
    with unit_of_work(engine) as session:
        act_as(session, SYSTEM)
        append_event(session, action="keys_destroy", entity_type="data_key",
                     changes={"keys": lost},
                     reason="restored from a backup whose key a later purge destroyed")
    return entries() - before
