"""Replaying the audit trail: each row's entries, oldest first, must lead to the row as it is.

Runs in the verifying process or as a helper process (`python -m
records.services.audit_replay`: a task as JSON on stdin, the result as JSON on stdout), so
a long replay uses a second core while the parent checks the hash chain. Standard library
only, to start quickly.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from records.services.audit_scan import (
    Problem,
    placeholder,
    read_checkpoint,
    sqlite_at,
    stream_rows,
    streaming_cursor,
)

# Rows repeat the same few JSON texts ("[]", a tag list): parse each once. The values are
# only compared, never changed, so sharing them is safe.
_parse_json = functools.lru_cache(maxsize=4096)(json.loads)


def _to_audit(kind: str, value: Any) -> Any:
    """A value read by the raw driver, in the form the trail writes it (to_json_value)."""
    if value is None or kind == "plain":
        return value
    if kind == "json":
        return _parse_json(value) if isinstance(value, str | bytes) else value
    if kind == "date":
        return value if isinstance(value, str) else value.isoformat()
    if kind == "datetime":
        if isinstance(value, str):
            return sqlite_at(value)
        from datetime import UTC

        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _content_hash(state: dict, fields: list[str]) -> str:
    content = {f: state.get(f) for f in fields}
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Entity:
    """The replayed state of one row, and which entry last set each field."""

    __slots__ = ("exists", "state", "setter", "last_seq", "first_seq")

    def __init__(self) -> None:
        self.exists = False
        self.state: dict[str, Any] = {}
        self.setter: dict[str, tuple[int, Any]] = {}
        self.last_seq = 0
        self.first_seq: int | None = None


def _better(a: Problem | None, b: Problem | None) -> Problem | None:
    """The problem naming the earliest entry (one that names none comes last)."""
    if a is None:
        return b
    if b is None:
        return a
    return a if (a[0] if a[0] is not None else float("inf")) <= (
        b[0] if b[0] is not None else float("inf")) else b


def _name(where: tuple[str, int]) -> str:
    return f"{where[0]} {where[1]}"


def _apply(entity: _Entity, where: tuple[str, int], seq: int, action: str, changes: dict,
           fields: frozenset, redacted: frozenset, content_fields: list[str] | None
           ) -> Problem | None:
    problem = None
    if entity.first_seq is None:
        entity.first_seq = seq
    entity.last_seq = seq
    if action == "create":
        if entity.exists:
            return (seq, f"entry {seq} creates {_name(where)}, which already exists")
        entity.exists, entity.state, entity.setter = True, {}, {}
        for field, pair in changes.items():
            if field in fields and pair[1] is not None:
                entity.state[field] = pair[1]
                entity.setter[field] = (seq, None)
        return None
    if not entity.exists:
        return (seq, f"entry {seq} changes {_name(where)}, which does not exist then")
    if action == "purge":
        if content_fields is not None:
            digest = (changes.get("content_sha256") or [None, None])[1]
            if digest != _content_hash(entity.state, content_fields):
                problem = (seq, f"entry {seq} purges {_name(where)}, but not the content the trail "
                                "holds for it")
        entity.exists, entity.state, entity.setter = False, {}, {}
        return problem
    state, setter = entity.state, entity.setter
    for field, pair in changes.items():
        if field not in fields:
            continue
        if not (isinstance(pair, list) and len(pair) == 2):
            return (seq, f"entry {seq} records {_name(where)}.{field} without an old and new value")
        old, new = pair
        current = state.get(field)
        if old != current and field not in redacted and problem is None:
            before = setter.get(field)
            # The entry before may be the forged one: it set a value nobody later saw,
            # and skipping it makes this entry's old value fit again.
            if before is not None and before[0] != seq and before[1] == old:
                problem = (before[0], f"entry {before[0]} records a change of "
                                      f"{_name(where)}.{field} that entry {seq} does not "
                                      "follow")
            else:
                problem = (seq, f"entry {seq} changes {_name(where)}.{field} from "
                                f"{_show(old)}, but the trail had {_show(current)}")
        if new is None:
            state.pop(field, None)
        else:
            state[field] = new
        setter[field] = (seq, current)
    if action == "delete":
        entity.exists, entity.state, entity.setter = False, {}, {}
    return problem


def _compare(entity: _Entity, label: str, row: dict | None, redacted: frozenset
             ) -> Problem | None:
    if row is None:
        if entity.exists:
            return (entity.last_seq, f"entry {entity.last_seq}: {label} is in the trail but "
                                     "not in the database")
        return None
    if entity.first_seq is None:
        return (None, f"{label} was written without any audit entry")
    if not entity.exists:
        return (entity.last_seq, f"entry {entity.last_seq} deletes {label}, which is still "
                                 "in the database")
    if not redacted and {k: v for k, v in row.items() if v is not None} == entity.state:
        return None
    problem = None
    for field, value in row.items():
        if field in redacted:
            continue
        replayed = entity.state.get(field)
        if replayed != value:
            seq = entity.setter.get(field, (entity.first_seq, None))[0]
            problem = _better(problem, (
                seq, f"entry {seq}: the trail gives {label}.{field} = {_show(replayed)}, the "
                     f"database has {_show(value)}"))
    return problem


@dataclass
class ReplayScan:
    entries: int = 0
    rows: int = 0
    problem: Problem | None = None


class _Rows:
    """The rows of one table in id order, met in step with the entities replayed."""

    def __init__(self, stream: Iterator[tuple], names: list[str], kinds: list[str],
                 table: str, redacted: frozenset, result: ReplayScan, dialect: str) -> None:
        self.stream, self.names = stream, names
        # SQLite hands dates back as the ISO text the trail holds already.
        plain = ("plain", "date") if dialect == "sqlite" else ("plain",)
        self.special = [(i, n, k) for i, (n, k) in enumerate(zip(names, kinds, strict=True))
                        if k not in plain]
        self.table, self.redacted, self.result = table, redacted, result
        self.next = next(stream, None)

    def _advance(self) -> None:
        self.result.rows += 1
        self.next = next(self.stream, None)

    def skip_before(self, entity_id: float) -> None:
        """Rows before `entity_id` have no entries at all."""
        while self.next is not None and self.next[0] < entity_id:
            self.result.problem = _better(self.result.problem, _compare(
                _Entity(), f"{self.table} {self.next[0]}", {}, self.redacted))
            self._advance()

    def finish(self, entity_id: int, entity: _Entity) -> None:
        self.skip_before(entity_id)
        row = None
        if self.next is not None and self.next[0] == entity_id:
            values = self.next[1:]
            row = dict(zip(self.names, values, strict=True))
            for i, name, kind in self.special:
                if values[i] is not None:
                    row[name] = _to_audit(kind, values[i])
            self._advance()
        self.result.problem = _better(self.result.problem, _compare(
            entity, f"{self.table} {entity_id}", row, self.redacted))


def _replay_table(conn, dialect: str, spec: dict, events: frozenset, result: ReplayScan
                  ) -> None:
    table = spec["table"]
    names = [f for f, _kind in spec["fields"]]
    fields, redacted = frozenset(names), frozenset(spec["redacted"])
    content_fields = sorted(names) if spec["purge_checkable"] else None
    p = placeholder(dialect)
    # Table and column names come from the models, never from input.
    entries = stream_rows(streaming_cursor(conn, dialect, f"sijil_replay_{table}"),
                      "SELECT entity_id, seq, action, changes FROM audit_entry "  # noqa: S608
                      f"WHERE entity_type = {p} AND entity_id IS NOT NULL "
                      "ORDER BY entity_id, seq", (table,))
    # Backticks: SQLite reads a double-quoted name it does not know as a string.
    q = "`" if dialect == "sqlite" else '"'
    columns = "".join(f", {q}{n}{q}" for n in names)
    rows = _Rows(stream_rows(streaming_cursor(conn, dialect, f"sijil_rows_{table}"),
                         f"SELECT id{columns} FROM {q}{table}{q} ORDER BY id"),  # noqa: S608
                 names, [k for _f, k in spec["fields"]], table, redacted, result, dialect)
    current_id, entity, count = None, None, 0
    # The C scanner itself: json.loads adds two Python calls and a regex per entry.
    scan = json.JSONDecoder().scan_once
    for entity_id, seq, action, changes in entries:
        if action in events:
            continue
        if entity_id != current_id:
            if entity is not None:
                rows.finish(current_id, entity)
            current_id, entity = entity_id, _Entity()
        count += 1
        try:
            parsed = scan(changes, 0)[0]
        except (StopIteration, ValueError):
            parsed = None
        if not isinstance(parsed, dict):
            result.problem = _better(result.problem, (seq, f"entry {seq} has unreadable "
                                                           "changes"))
            continue
        problem = _apply(entity, (table, entity_id), seq, action, parsed, fields, redacted,
                         content_fields)
        if problem is not None:
            result.problem = _better(result.problem, problem)
    result.entries += count
    if entity is not None:
        rows.finish(current_id, entity)
    rows.skip_before(float("inf"))


def scan_replay(conn, dialect: str, tables: list[dict], event_actions: list[str]
                ) -> ReplayScan:
    """Replay each entity's entries (oldest first) and compare the outcome with its row.

    `tables`: per audited table, {"table", "fields": [[name, kind]...], "redacted": [...],
    "purge_checkable": bool}. Entities are streamed in id order, so memory holds one entity
    at a time whatever the size of the trail. Returns the problem naming the earliest entry.
    """
    result = ReplayScan()
    events = frozenset(event_actions)
    for spec in tables:
        _replay_table(conn, dialect, spec, events, result)
    return result


# --- helper process -------------------------------------------------------------------------

def _connect(task: dict):
    if task["dialect"] == "sqlite":
        import sqlite3

        conn = sqlite3.connect(task["database"], isolation_level=None)
        conn.execute("BEGIN")
        return conn
    import psycopg

    conn = psycopg.connect(task["database"])
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    if task.get("snapshot"):
        conn.execute(f"SET TRANSACTION SNAPSHOT '{task['snapshot']}'")
    return conn


def run_task(task: dict) -> dict:
    """Replay the tables of `task` on a connection of its own; report the head it saw, so
    the parent can tell whether both processes read the same state of the database."""
    conn = _connect(task)
    try:
        head = read_checkpoint(conn, task["dialect"])
        scan = scan_replay(conn, task["dialect"], task["tables"], task["event_actions"])
    finally:
        conn.rollback()
        conn.close()
    return {"head": list(head), "entries": scan.entries, "rows": scan.rows,
            "problem": list(scan.problem) if scan.problem else None}


if __name__ == "__main__":
    json.dump(run_task(json.load(sys.stdin)), sys.stdout)
