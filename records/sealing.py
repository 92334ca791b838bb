"""Personal data encrypted at rest ("sealed"), in the database and in the audit trail.

Which values are sealed (docs/design.md §5, "Encryption at rest"):

    person.contact                                  always
    person.full_name, name_original, aliases        while the name is withheld: a witness, or
                                                    nobody consented and not a public figure
    source.title                                    while the source is confidential
    citation.statement, citation.quote              while its source is confidential
    incident.narrative, title, admin2, locality,    while the incident is restricted
      tags, coordinates (its exact latitude and
      longitude: records/sealed_coordinates.py)
    victim.harm_description, perpetrator.basis,     while their incident is restricted
      attachment.description

Each owner (a person, a source, an incident; a citation, victim, perpetrator or evidence
file belongs to its incident) has its own data key (records/keys.py), made when it first
has something to seal. A sealed value is the text SEALED_PREFIX + base64(nonce + AES-GCM
ciphertext), bound to its table, column and owner, so a value copied to another row does
not open. Which rows and fields, and whose key: records/sealing_rules.py.

One `before_flush` listener seals (and, when the rule no longer holds, opens) the values
of every row about to be written, so no service can forget it and the audit listener,
which runs after it, records only the sealed form. Rows in the session hold the stored
form after a flush; readers that may see the plaintext open it with `open_values`.
Destroying an owner's key (purge) makes its sealed values, here and in every trail entry,
unreadable for good.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from records import keys as installation_keys
from records.i18n import _
from records.keys import ErasedKeyError
from records.models import Attachment, Citation, Incident, Perpetrator, Person, Source, Victim
from records.sealed_coordinates import CARRIER, carry, coordinates_now, restore, unpack
from records.sealing_rules import (  # the rules, with the names callers import from here
    INCIDENT_PARTS,
    NAME_FIELDS,
    PENDING_VICTIMS,
    SEALABLE,
    incident_owner,
    name_withheld,
    owner_of,
    pending_victims,
    person_owner,
    related,
    sealed_fields,
    source_owner,
)
from records.text import normalize_name

# What callers use; the rules (whose key, what is sealed now) live in sealing_rules.
__all__ = ["INCIDENT_PARTS", "NAME_FIELDS", "SEALABLE", "SEALED_PREFIX", "data_key",
           "erased_text", "forget_data_key", "incident_owner", "is_sealed", "load_data_keys",
           "name_withheld", "open_model", "open_row", "open_values", "owner_of",
           "person_owner", "seal_row", "seal_value", "sealed_fields", "source_owner"]

SEALED_PREFIX = "sijil-sealed:v1:"

_RING = "sijil.data_keys"
_MASTER = "sijil.master_key"
_NEW_KEYS = "sijil.new_data_keys"
_MISSING = object()


def erased_text() -> str:
    return _("[erased]")


def is_sealed(value: Any) -> bool:
    if isinstance(value, list):
        return len(value) == 1 and is_sealed(value[0])
    return isinstance(value, str) and value.startswith(SEALED_PREFIX)


# json.dumps(..., separators=(",", ":")) builds this encoder on every call: built once.
_COMPACT = json.JSONEncoder(separators=(",", ":"))


def _associated(table: str, field: str, owner: str) -> bytes:
    return _COMPACT.encode(["sijil-field", 1, table, field, owner]).encode("utf-8")


# --- the keys of this transaction -------------------------------------------------------

@event.listens_for(Session, "after_transaction_end")
def _forget_data_keys(session: Session, transaction) -> None:
    # Kept while the outer transaction lasts (a savepoint ending does not end it).
    if transaction.parent is None:
        _forget(session)


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, _previous) -> None:
    # A key made in a transaction or savepoint that rolled back does not exist.
    _forget(session)


def _forget(session: Session) -> None:
    session.info.pop(_NEW_KEYS, None)
    session.info.pop(_RING, None)
    session.info.pop(_MASTER, None)


def _master(session: Session) -> installation_keys.MasterKey:
    master = session.info.get(_MASTER)
    if master is None:
        master = session.info[_MASTER] = installation_keys.read_master_key()
    return master


def data_key(session: Session, owner: str, *, create: bool = False,
             new_owner: bool = False) -> bytes | None:
    """The data key of `owner` for this transaction (made when `create` and it has none;
    `new_owner`: the owner's row is being inserted, so there is none to look up).
    Raises ErasedKeyError for an owner whose key was destroyed, SecretKeyError without a
    usable master key."""
    ring = session.info.setdefault(_RING, {})
    key = ring.get(owner, _MISSING)
    if key is _MISSING and new_owner and create:
        # Stored by the listener in one INSERT with the other new keys of this flush.
        key, row = installation_keys.new_data_key(_master(session), owner)
        ring[owner] = key
        session.info.setdefault(_NEW_KEYS, []).append(row)
        return key
    if key is _MISSING:
        conn = session.connection()
        try:
            key = installation_keys.load_data_key(conn, _master(session), owner)
        except ErasedKeyError:
            key = None
            ring[owner] = ErasedKeyError
            raise
        ring[owner] = key
    if key is ErasedKeyError:
        raise ErasedKeyError(f"the data key of {owner} was destroyed")
    if key is None and create:
        key, row = installation_keys.new_data_key(_master(session), owner)
        _store_keys(session, [row])
        ring[owner] = key
    return key


def load_data_keys(session: Session, owners: Iterable[str]) -> None:
    """Read the data keys of many owners into this transaction's ring in a few queries, so
    opening the sealed values of a page of records does not read one key at a time."""
    ring = session.info.setdefault(_RING, {})
    wanted = sorted({o for o in owners if o not in ring})
    if not wanted:
        return
    loaded = installation_keys.load_data_keys(session.connection(), _master(session), wanted)
    for owner in wanted:
        ring[owner] = loaded.get(owner, ErasedKeyError)


def forget_data_key(session: Session, owner: str) -> None:
    session.info.setdefault(_RING, {})[owner] = ErasedKeyError


# --- sealing and opening one value ------------------------------------------------------

def seal_value(key: bytes, table: str, field: str, owner: str, value: Any) -> Any:
    """The stored form of `value` (a text, or a list sealed as one text of its JSON)."""
    if isinstance(value, list):
        return [seal_value(key, table, field, owner, json.dumps(value, ensure_ascii=False))]
    sealed = installation_keys.encrypt_value(key, value.encode("utf-8"),
                                             _associated(table, field, owner))
    return SEALED_PREFIX + base64.urlsafe_b64encode(sealed).decode("ascii")


def _open_with(key: bytes, table: str, field: str, owner: str, value: Any) -> Any:
    if isinstance(value, list):
        return json.loads(_open_with(key, table, field, owner, value[0]))
    raw = base64.urlsafe_b64decode(value[len(SEALED_PREFIX):])
    return installation_keys.decrypt_value(key, raw, _associated(table, field, owner)
                                           ).decode("utf-8")


def open_values(session: Session, table: str, owner: str | None,
                values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` (a row's fields by name) with its sealed values opened. A value whose key
    was destroyed reads as erased_text() (an empty list for aliases); a sealed value
    without an owner is left sealed. For readers allowed to see the plaintext only."""
    opened = dict(values)
    erased = set()
    for field in SEALABLE.get(table, ()):
        value = values.get(field)
        if owner is None or not is_sealed(value):
            continue
        try:
            key = data_key(session, owner)
        except ErasedKeyError:
            key = None
        if key is None:
            opened[field] = [] if isinstance(value, list) else erased_text()
            erased.add(field)
        else:
            opened[field] = _open_with(key, table, field, owner, value)
    if table == "incident" and CARRIER in opened and not is_sealed(opened[CARRIER]):
        # Readers get a restricted incident's coordinates as latitude and longitude.
        unpack(opened, opened[CARRIER], CARRIER in erased)
    return opened


def open_row(session: Session, obj: Any) -> dict[str, Any]:
    """The sealable fields of an ORM row (person, source, citation, incident), opened."""
    table = type(obj).__tablename__
    values = {f: getattr(obj, f) for f in SEALABLE.get(table, ())}
    return open_values(session, table, owner_of(session, obj), values)


def open_model(session: Session, read_model, row: Any, *, full: bool = True):
    """`row` as the pydantic `read_model`, its sealed values opened when `full` (a reader
    who may see them); otherwise left sealed, for redaction to replace."""
    data = read_model.model_validate(row)
    if not full:
        return data
    update = {k: v for k, v in open_row(session, row).items() if k in read_model.model_fields}
    return data.model_copy(update=update)


# --- the listener -----------------------------------------------------------------------

def _committed(obj: Any, field: str) -> Any:
    history = inspect(obj).attrs[field].history
    if history.deleted:
        return history.deleted[0]
    return history.unchanged[0] if history.unchanged else None


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _new_owner(session: Session, obj: Any) -> bool:
    # Uids are new and refs are never handed out twice: a row being inserted has no key.
    if isinstance(obj, INCIDENT_PARTS):
        obj = obj.__dict__.get("incident")
    # The state says it directly; `session.new` would build a set of every pending row.
    return obj is not None and inspect(obj).pending and inspect(obj).session is session


def _same_text(session: Session, table: str, field: str, owner: str, obj: Any,
               value: Any) -> bool:
    old = _committed(obj, field)
    if not (is_sealed(old) and is_sealed(value)) or old == value:
        return False
    try:
        key = data_key(session, owner)
    except ErasedKeyError:
        return False
    try:
        return key is not None and (_open_with(key, table, field, owner, old)
                                    == _open_with(key, table, field, owner, value))
    except installation_keys.StoredKeyError:
        return False


def seal_row(session: Session, obj: Any) -> None:
    """Bring `obj`'s sealable fields to the form the rule asks for now."""
    table = type(obj).__tablename__
    owner = owner_of(session, obj)
    if owner is None:
        return
    wanted = sealed_fields(session, obj)
    if isinstance(obj, Incident):
        _place_coordinates(session, obj, owner, wanted)
    for field in SEALABLE[table]:
        value = getattr(obj, field)
        if _empty(value):
            continue
        if field in wanted and not is_sealed(value):
            key = data_key(session, owner, create=True, new_owner=_new_owner(session, obj))
            old = _committed(obj, field)
            # The same text saved again keeps its stored form: no change to record.
            if is_sealed(old) and _open_with(key, table, field, owner, old) == value:
                setattr(obj, field, old)
            else:
                setattr(obj, field, seal_value(key, table, field, owner, value))
        elif field in wanted and _same_text(session, table, field, owner, obj, value):
            # Another sealed form of the text already stored (a revert writes back what
            # the trail holds): keep the stored form, there is no change.
            setattr(obj, field, _committed(obj, field))
        elif field not in wanted and is_sealed(value):
            try:
                key = data_key(session, owner)
            except ErasedKeyError:
                continue  # erased stays erased
            if key is not None:
                setattr(obj, field, _open_with(key, table, field, owner, value))
    if isinstance(obj, Person):
        # The name index must not give away a sealed name.
        obj.name_key = "" if is_sealed(obj.full_name) else normalize_name(
            obj.full_name, obj.name_original)


def _place_coordinates(session: Session, obj: Incident, owner: str,
                       wanted: frozenset[str]) -> None:
    """Move the incident's coordinates into the carrier column while it is restricted,
    back into their columns when it no longer is (records/sealed_coordinates.py)."""
    carried = obj.coordinates
    if CARRIER not in wanted and carried is None:
        return  # an open incident: its coordinates stay where they are
    if is_sealed(carried):
        try:
            key = data_key(session, owner)
        except ErasedKeyError:
            key = None
        if key is None:
            # Erased stays erased; new coordinates go to the carrier, whose sealing then
            # refuses the write (no key), so they never land in clear.
            if CARRIER not in wanted or coordinates_now(obj, None) == [None, None]:
                return
            carried = None
        else:
            carried = _open_with(key, "incident", CARRIER, owner, carried)
    (carry if CARRIER in wanted else restore)(obj, coordinates_now(obj, carried))


def _rows_to_seal(session: Session) -> Iterable[Any]:
    rows: dict[int, Any] = {}
    deleted = session.deleted  # a new set at each access: taken once

    def add(obj):
        if obj is not None and obj not in deleted:
            rows[id(obj)] = obj

    for obj in (*session.new, *session.dirty):
        if isinstance(obj, (Person, Source, Incident, *INCIDENT_PARTS)):
            add(obj)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Victim):
            add(related(session, obj, "person", Person, obj.person_id))
    for obj in session.dirty:
        if isinstance(obj, Source) and inspect(obj).attrs.is_confidential.history.has_changes():
            with session.no_autoflush:
                for citation in session.scalars(select(Citation).where(
                        Citation.source_id == obj.id)):
                    add(citation)
        if isinstance(obj, Incident) and inspect(obj).attrs.sensitivity.history.has_changes():
            # Its parts are sealed with its key while it is restricted, opened after.
            with session.no_autoflush:
                for model in (Victim, Perpetrator, Attachment):
                    for part in session.scalars(select(model).where(
                            model.incident_id == obj.id)):
                        add(part)
    return list(rows.values())


@event.listens_for(Session, "before_flush")
def _seal_before_flush(session: Session, _flush_context, _instances) -> None:
    try:
        rows = _rows_to_seal(session)
        if any(isinstance(obj, Person) for obj in rows):
            session.info[PENDING_VICTIMS] = pending_victims(session)
        for obj in rows:
            seal_row(session, obj)
    finally:
        session.info.pop(PENDING_VICTIMS, None)
        rows = session.info.pop(_NEW_KEYS, [])
    _store_keys(session, rows)


def _store_keys(session: Session, rows: list[dict]) -> None:
    # Each key made is named in the trail, in its transaction (audit verify checks table
    # data_key against it). Imported here: the audit chain imports this module.
    from records.audit_chain import record_new_keys

    if rows:
        installation_keys.insert_data_keys(session.connection(), rows)
        record_new_keys(session, rows)
