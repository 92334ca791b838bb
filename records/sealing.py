"""Personal data encrypted at rest ("sealed"), in the database and in the audit trail.

Which values are sealed (docs/design.md §5, "Encryption at rest"):

    person.contact                                  always
    person.full_name, name_original, aliases        while the name is withheld: a witness, or
                                                    nobody consented and not a public figure
    source.title                                    while the source is confidential
    citation.statement, citation.quote              while its source is confidential
    incident.narrative                              while the incident is restricted

Each owner (a person, a source, an incident; a citation belongs to its incident) has its
own data key (records/keys.py), made when it first has something to seal. A sealed value
is the text SEALED_PREFIX + base64(nonce + AES-GCM ciphertext), bound to its table, column
and owner, so a value copied to another row does not open.

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

from sqlalchemy import event, inspect, select, true
from sqlalchemy.orm import Session

from records import keys as installation_keys
from records.i18n import _
from records.keys import ErasedKeyError
from records.models import Citation, Incident, Person, Source, Victim
from records.text import normalize_name

SEALED_PREFIX = "sijil-sealed:v1:"
NAME_FIELDS = ("full_name", "name_original", "aliases")
SEALABLE: dict[str, tuple[str, ...]] = {
    "person": ("contact", *NAME_FIELDS),
    "source": ("title",),
    "citation": ("statement", "quote"),
    "incident": ("narrative",),
}

_RING = "sijil.data_keys"
_MASTER = "sijil.master_key"
_NEW_KEYS = "sijil.new_data_keys"
_VICTIMS = "sijil.pending_victims"
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
        else:
            opened[field] = _open_with(key, table, field, owner, value)
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


# --- whose key, and what is sealed now --------------------------------------------------

def person_owner(uid: str) -> str:
    return f"person:{uid}"


def incident_owner(ref: str) -> str:
    return f"incident:{ref}"


def source_owner(uid: str) -> str:
    return f"source:{uid}"


def _related(session: Session, obj: Any, name: str, model: type, key: int | None):
    loaded = obj.__dict__.get(name)  # the related row, when the relationship is loaded
    if isinstance(loaded, model):
        return loaded
    if key is None:
        return None
    with session.no_autoflush:
        return session.get(model, key)


def owner_of(session: Session, obj: Any) -> str | None:
    if isinstance(obj, Person):
        return person_owner(obj.uid)
    if isinstance(obj, Source):
        return source_owner(obj.uid)
    if isinstance(obj, Incident):
        return incident_owner(obj.ref)
    if isinstance(obj, Citation):
        incident = _related(session, obj, "incident", Incident, obj.incident_id)
        return None if incident is None else incident_owner(incident.ref)
    return None


def _pending_victims(session: Session) -> dict[int, list[Victim]]:
    """The victim links about to be written, by the id() of their person."""
    found: dict[int, list[Victim]] = {}
    deleted = session.deleted  # a new set at each access: taken once
    for v in (*session.new, *session.dirty):
        if isinstance(v, Victim) and v not in deleted:
            person = _related(session, v, "person", Person, v.person_id)
            found.setdefault(id(person), []).append(v)
    return found


def _consented_somewhere(session: Session, person: Person) -> bool:
    # In the listener the index is built once per flush: a batch of thousands of rows
    # must not scan every pending row for every person.
    index = session.info.get(_VICTIMS)
    pending = (index if index is not None else _pending_victims(session)).get(id(person), [])
    if any(v.consent_to_publish_name for v in pending):
        return True
    if person.id is None:
        return False
    skip = [v.id for v in (*pending, *(d for d in session.deleted if isinstance(d, Victim)))
            if v.id is not None]
    query = select(Victim.__table__.c.id).where(
        Victim.__table__.c.person_id == person.id,
        Victim.__table__.c.consent_to_publish_name == true())
    if skip:
        query = query.where(Victim.__table__.c.id.not_in(skip))
    return session.connection().execute(query.limit(1)).first() is not None


def name_withheld(session: Session, person: Person) -> bool:
    """The rule of redaction.may_show_name, for the person rather than one victim link:
    a witness's name always; anyone else's unless a public figure or a victim who
    consented to publication in at least one incident."""
    if "witness" in (person.profiles or ()):
        return True
    return not (person.is_public_figure or _consented_somewhere(session, person))


def _confidential(session: Session, citation: Citation) -> bool:
    source = _related(session, citation, "source", Source, citation.source_id)
    return bool(source is not None and source.is_confidential)


def sealed_fields(session: Session, obj: Any) -> frozenset[str]:
    """The fields of `obj` that must be sealed as it is now."""
    if isinstance(obj, Person):
        return frozenset(("contact", *NAME_FIELDS) if name_withheld(session, obj)
                         else ("contact",))
    if isinstance(obj, Source):
        return frozenset(("title",)) if obj.is_confidential else frozenset()
    if isinstance(obj, Citation):
        return frozenset(("statement", "quote")) if _confidential(session, obj) else frozenset()
    if isinstance(obj, Incident):
        return frozenset(("narrative",)) if obj.sensitivity == "restricted" else frozenset()
    return frozenset()


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
    if isinstance(obj, Citation):
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


def _rows_to_seal(session: Session) -> Iterable[Any]:
    rows: dict[int, Any] = {}
    deleted = session.deleted  # a new set at each access: taken once

    def add(obj):
        if obj is not None and obj not in deleted:
            rows[id(obj)] = obj

    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Person | Source | Citation | Incident):
            add(obj)
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Victim):
            add(_related(session, obj, "person", Person, obj.person_id))
    for obj in session.dirty:
        if isinstance(obj, Source) and inspect(obj).attrs.is_confidential.history.has_changes():
            with session.no_autoflush:
                for citation in session.scalars(select(Citation).where(
                        Citation.source_id == obj.id)):
                    add(citation)
    return list(rows.values())


@event.listens_for(Session, "before_flush")
def _seal_before_flush(session: Session, _flush_context, _instances) -> None:
    try:
        rows = _rows_to_seal(session)
        if any(isinstance(obj, Person) for obj in rows):
            session.info[_VICTIMS] = _pending_victims(session)
        for obj in rows:
            seal_row(session, obj)
    finally:
        session.info.pop(_VICTIMS, None)
        rows = session.info.pop(_NEW_KEYS, [])
    _store_keys(session, rows)


def _store_keys(session: Session, rows: list[dict]) -> None:
    # Each key made is named in the trail, in its transaction (audit verify checks table
    # data_key against it). Imported here: the audit chain imports this module.
    from records.audit_chain import record_new_keys

    if rows:
        installation_keys.insert_data_keys(session.connection(), rows)
        record_new_keys(session, rows)
