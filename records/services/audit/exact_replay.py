"""The exact replay of one row's entries, naming the entry to blame when they do not add up.

The fast pass over the whole trail (records.services.audit.fast_replay) only notes which rows do
not add up; each of those is replayed here, entry by entry with apply_entry
(records.services.audit.replay). Every field remembers the entry that set it, so that the
message can name the entry a reader should look at.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any

import orjson

from records.services.audit.chain_scan import Problem, fetch_one, placeholder, sqlite_at, stream
from records.services.audit.replay import apply_entry


def parse_json(text: str | bytes) -> Any:
    """Changes as the trail stores them; the standard parser reads what orjson refuses
    (a number beyond 64 bits, NaN), so both passes agree on every text."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            return json.loads(text)
        except ValueError:
            return None


# Rows repeat the same few JSON texts ("[]", a tag list): parse each once. The values are
# only compared, never changed, so sharing them is safe.
_cached_json = functools.lru_cache(maxsize=4096)(parse_json)


def to_audit(kind: str, value: Any) -> Any:
    """A value read by the raw driver, in the form the trail writes it (to_json_value)."""
    if value is None or kind == "plain":
        return value
    if kind == "json":
        return _cached_json(value) if isinstance(value, str | bytes) else value
    if kind == "date":
        return value if isinstance(value, str) else value.isoformat()
    if kind == "datetime":
        if isinstance(value, str):
            return sqlite_at(value)
        from datetime import UTC

        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def content_hash(state: dict, fields: list[str]) -> str:
    content = {f: state.get(f) for f in fields}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def purge_fits(spec: dict, state: dict, digest) -> bool:
    """Whether a purge's digest is that of the content the trail holds for the row: over
    the table's fields, or over the fields recorded before the seal (a purge of then)."""
    return any(digest == content_hash(state, fields)
               for fields in (spec["content_fields"], spec.get("content_before_seal"))
               if fields is not None)


def earliest(a: Problem | None, b: Problem | None) -> Problem | None:
    """The problem naming the earliest entry (one that names none comes last)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if (a[0] if a[0] is not None else float("inf")) <= (
        b[0] if b[0] is not None else float("inf")) else b


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _name(where: tuple[str, int]) -> str:
    return f"{where[0]} {where[1]}"


class _Entity:
    """The replayed state of one row (None: no row), and which entry last set each field,
    with the value the field had before it."""

    __slots__ = ("state", "setter", "last_seq", "first_seq")

    def __init__(self) -> None:
        self.state: dict[str, Any] | None = None
        self.setter: dict[str, tuple[int, Any]] = {}
        self.last_seq = 0
        self.first_seq: int | None = None


def _malformed(seq: int, where: tuple[str, int], changes: dict, fields: frozenset
               ) -> Problem | None:
    """The problem with the first pair of `changes` that is not [old, new], if any."""
    for field, pair in changes.items():
        if field in fields and not (isinstance(pair, list) and len(pair) == 2):
            return (seq, f"entry {seq} records {_name(where)}.{field} without an old and new "
                         "value")
    return None


def _unfollowed(entity: _Entity, where: tuple[str, int], seq: int, changes: dict,
                spec: dict) -> Problem | None:
    """The problem with the first change whose old value is not the one the trail had."""
    state, setter = entity.state, entity.setter
    for field, pair in changes.items():
        if field not in spec["field_set"] or field in spec["redacted_set"]:
            continue
        old, current = pair[0], state.get(field)
        if old != current:
            before = setter.get(field)
            # The entry before may be the forged one: it set a value nobody later saw,
            # and skipping it makes this entry's old value fit again.
            if before is not None and before[0] != seq and before[1] == old:
                return (before[0], f"entry {before[0]} records a change of "
                                   f"{_name(where)}.{field} that entry {seq} does not follow")
            return (seq, f"entry {seq} changes {_name(where)}.{field} from {_show(old)}, but "
                         f"the trail had {_show(current)}")
    return None


def _apply(entity: _Entity, where: tuple[str, int], seq: int, action: str, changes: dict,
           spec: dict) -> Problem | None:
    """Check that one entry fits the row as replayed so far, then apply it (apply_entry;
    an entry that creates a row already there, or changes one not there, is not applied).
    Returns the first thing wrong with the entry, naming it or the entry to blame."""
    fields = spec["field_set"]
    if entity.first_seq is None:
        entity.first_seq = seq
    entity.last_seq = seq
    before = entity.state
    if action == "create":
        if before is not None:
            return (seq, f"entry {seq} creates {_name(where)}, which already exists")
        entity.state = apply_entry(None, action, changes, fields)
        entity.setter = {field: (seq, None) for field in entity.state}
        return _malformed(seq, where, changes, fields)
    if before is None:
        return (seq, f"entry {seq} changes {_name(where)}, which does not exist then")
    problem = None
    if action == "purge":
        if spec["content_fields"] is not None:
            digest = changes.get("content_sha256")
            digest = digest[1] if isinstance(digest, list) and len(digest) == 2 else None
            if not purge_fits(spec, before, digest):
                problem = (seq, f"entry {seq} purges {_name(where)}, but not the content the "
                                "trail holds for it")
    else:
        problem = _malformed(seq, where, changes, fields) or _unfollowed(
            entity, where, seq, changes, spec)
    entity.state = apply_entry(before, action, changes, fields)
    if entity.state is None:
        entity.setter = {}
    else:
        for field, pair in changes.items():
            if field in fields and isinstance(pair, list) and len(pair) == 2:
                entity.setter[field] = (seq, before.get(field))
    return problem


def _compare(entity: _Entity, label: str, row: dict | None, redacted: frozenset
             ) -> Problem | None:
    if row is None:
        if entity.state is not None:
            return (entity.last_seq, f"entry {entity.last_seq}: {label} is in the trail but "
                                     "not in the database")
        return None
    if entity.first_seq is None:
        return unaudited(label)
    if entity.state is None:
        return (entity.last_seq, f"entry {entity.last_seq} deletes {label}, which is still "
                                 "in the database")
    problem = None
    for field, value in row.items():
        if field in redacted:
            continue
        replayed = entity.state.get(field)
        if replayed != value:
            seq = entity.setter.get(field, (entity.first_seq, None))[0]
            problem = earliest(problem, (
                seq, f"entry {seq}: the trail gives {label}.{field} = {_show(replayed)}, the "
                     f"database has {_show(value)}"))
    return problem


def unaudited(label: str) -> Problem:
    return (None, f"{label} was written without any audit entry")


def row_sql(spec: dict, dialect: str, where: str) -> str:
    # Backticks: SQLite reads a double-quoted name it does not know as a string. Table and
    # column names come from the models, never from input.
    q = "`" if dialect == "sqlite" else '"'
    columns = "".join(f", {q}{n}{q}" for n in spec["names"])
    return f"SELECT id{columns} FROM {q}{spec['table']}{q} WHERE {where} ORDER BY id"  # noqa: S608


def row_values(spec: dict, values: tuple) -> dict:
    """A row as {field: value}, its values in the form the trail writes them."""
    row = dict(zip(spec["names"], values, strict=True))
    for i, name, kind in spec["special"]:
        if values[i] is not None:
            row[name] = to_audit(kind, values[i])
    return row


def exact_problem(spec: dict, entity_id: int, entries, row: dict | None) -> Problem | None:
    """Replay one row's entries [(seq, action, changes text)...], oldest first, and compare
    the outcome with the row ({field: value} as the trail writes values; None: no row)."""
    table = spec["table"]
    entity, problem = _Entity(), None
    for seq, action, changes in entries:
        parsed = parse_json(changes)
        if not isinstance(parsed, dict):
            problem = earliest(problem, (seq, f"entry {seq} has unreadable changes"))
            continue
        problem = earliest(problem, _apply(entity, (table, entity_id), seq, action, parsed,
                                           spec))
    return earliest(problem, _compare(entity, f"{table} {entity_id}", row,
                                      spec["redacted_set"]))


def replay_entity(conn, dialect: str, spec: dict, entity_id: int, events: frozenset
                  ) -> Problem | None:
    """Replay one row's entries exactly, as the database holds them."""
    p = placeholder(dialect)
    cursor = stream(conn, dialect, "", "SELECT seq, action, changes FROM audit_entry "  # noqa: S608
                    f"WHERE entity_type = {p} AND entity_id = {p} ORDER BY seq",
                    (spec["table"], entity_id))
    entries = [(seq, action, changes) for seq, action, changes in cursor
               if action not in events]
    cursor.close()
    found = fetch_one(conn, row_sql(spec, dialect, f"id = {p}"), (entity_id,))
    row = row_values(spec, found[1:]) if found is not None else None
    return exact_problem(spec, entity_id, entries, row)
