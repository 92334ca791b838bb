"""Replaying the audit trail: each row's entries, oldest first, must lead to the row as it is.

Each step is records.services.audit.replay.apply_entry, the one definition of what an entry
does. One range of one table's rows at a time, so that the work can be shared between
processes. This pass only notes which rows do not add up, keeping no more than each field's
current value; those rows are then replayed exactly (records.services.audit.exact_replay),
which names the entry to blame. No ORM and no SQLAlchemy: it runs in helper processes that
must start quickly.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import orjson

from records.services.audit.chain_scan import END_OF_TRAIL, Problem, placeholder, stream
from records.services.audit.exact_replay import (
    earliest,
    purge_fits,
    replay_entity,
    row_sql,
    to_audit,
    unaudited,
)
from records.services.audit.replay import apply_entry
from records.services.audit.rules import Rules


def prepare_spec(raw: dict, dialect: str) -> dict:
    """What the replay needs of a table, from the plain description verify_chain sends:
    {"table", "fields": [[name, kind]...], "redacted": [...], "purge_checkable"} and, where
    they apply, "since_seal" (fields recorded only from the seal on) and "rule" (records.
    services.audit.rules)."""
    names = [name for name, _kind in raw["fields"]]
    # SQLite hands dates back as the ISO text the trail holds already.
    plain = ("plain", "date") if dialect == "sqlite" else ("plain",)
    return {
        "table": raw["table"], "names": names, "field_set": frozenset(names),
        "redacted_set": frozenset(raw["redacted"]),
        "content_fields": sorted(names) if raw["purge_checkable"] else None,
        "content_before_seal": sorted(set(names) - set(raw["since_seal"]))
        if raw["purge_checkable"] and raw.get("since_seal") else None,
        "special": [(i, name, kind) for i, (name, kind) in enumerate(raw["fields"])
                    if kind not in plain],
        "rule": raw.get("rule"),
    }


@dataclass
class ReplayPart:
    problem: Problem | None = None


_RESHAPING = frozenset({"create", "delete", "purge"})


def _row_state(spec: dict, values: tuple) -> dict:
    """A row's set fields, {field: value} in the form the trail writes values: what a
    replay of its entries must end in."""
    state = {n: v for n, v in zip(spec["names"], values, strict=True) if v is not None}
    for i, name, kind in spec["special"]:
        if values[i] is not None:
            state[name] = to_audit(kind, values[i])
    return state


def _fits(spec: dict, state: dict | None, action: str, changes: dict) -> bool:
    """Whether one entry may apply to the row as replayed so far (None: no row): what the
    exact replay checks, yes or no. A create needs no row, anything else one; every pair
    is [old, new]; each old value is the one the row has (redacted fields aside); a purge
    holds the digest of the row's content, where that can be checked."""
    if action == "create":
        if state is not None:
            return False
    elif state is None:
        return False
    elif action == "purge":
        digest = changes.get("content_sha256")
        return spec["content_fields"] is None or (
            type(digest) is list and len(digest) == 2 and purge_fits(spec, state, digest[1]))
    fields, redacted = spec["field_set"], spec["redacted_set"]
    for field, pair in changes.items():
        if field in fields:
            if type(pair) is not list or len(pair) != 2:
                return False
            if state is not None and pair[0] != state.get(field) and field not in redacted:
                return False
    return True


def _adds_up(spec: dict, entries: list[tuple[str, str]], values: tuple | None) -> bool:
    """The definition: whether each of one row's entries fits the row as replayed so far
    (_fits) and, applied in turn with apply_entry, they lead to the row as it is (None: no
    row), redacted fields aside. Only says yes or no: a no is replayed again exactly, to
    name the entry."""
    fields, redacted = spec["field_set"], spec["redacted_set"]
    state: dict | None = None
    for action, changes in entries:
        try:
            parsed = orjson.loads(changes)
        except orjson.JSONDecodeError:
            return False
        if type(parsed) is not dict or not _fits(spec, state, action, parsed):
            return False
        state = apply_entry(state, action, parsed, fields)
    if values is None or state is None:
        return values is None and state is None
    row = _row_state(spec, values)
    if redacted:
        row = {k: v for k, v in row.items() if k not in redacted}
        state = {k: v for k, v in state.items() if k not in redacted}
    return row == state


def _drop_redacted(spec: dict, created: dict) -> bool:
    """Take the redacted fields out of a create's parsed changes; False if one of them is
    not an [old, new] pair (the create then does not fit)."""
    for name in spec["redacted_set"]:
        if name in created:
            pair = created.pop(name)
            if type(pair) is not list or len(pair) != 2:
                return False
    return True


def _replays_back(spec: dict, entries: list[tuple[str, str]], values: tuple) -> bool:
    """A shortcut for the common shape, a create and then updates of a row that still
    exists: undo the updates on the row, newest first (each must have left the value the
    row has at that point), and what is left must be exactly what the create wrote. Yes
    only where _adds_up says yes (tests/test_audit_replay.py holds them to it), with one
    comparison of parsed JSON for the create instead of one per field; no decides nothing."""
    if entries[0][0] != "create":
        return False
    fields, redacted = spec["field_set"], spec["redacted_set"]
    state = _row_state(spec, values)
    try:
        for action, changes in reversed(entries[1:]):
            if action in _RESHAPING:
                return False
            parsed = orjson.loads(changes)
            if type(parsed) is not dict:
                return False
            for field, pair in parsed.items():
                if field in fields:
                    if type(pair) is not list or len(pair) != 2:
                        return False
                    old, new = pair
                    if new != state.get(field) and field not in redacted:
                        return False
                    if old is None:
                        state.pop(field, None)
                    else:
                        state[field] = old
        created = orjson.loads(entries[0][1])
    except orjson.JSONDecodeError:
        return False
    if type(created) is not dict:
        return False
    expected = {field: [None, value] for field, value in state.items()}
    if redacted:
        for name in redacted:
            expected.pop(name, None)
        if not _drop_redacted(spec, created):
            return False
    return created == expected


def _created_as_is(spec: dict, changes: str, values: tuple) -> bool:
    """The commonest case, a row whose one entry is its create: _replays_back with no
    updates, building the [null, value] pairs straight from the row. The one dict fewer
    saves about 5% of a whole verification. Yes only where _adds_up says yes."""
    try:
        created = orjson.loads(changes)
    except orjson.JSONDecodeError:
        return False
    expected = {n: [None, v] for n, v in zip(spec["names"], values, strict=True)
                if v is not None}
    for i, name, kind in spec["special"]:
        if values[i] is not None:
            expected[name] = [None, to_audit(kind, values[i])]
    if spec["redacted_set"]:
        if type(created) is not dict:
            return False
        for name in spec["redacted_set"]:
            expected.pop(name, None)
        if not _drop_redacted(spec, created):
            return False
    return created == expected


def row_fits(spec: dict, entries: list[tuple[str, str]], values: tuple | None) -> bool:
    """Whether one row's entries [(action, changes text)...], oldest first, replay to the
    row as it is (its column values as read; None: no row): _adds_up's answer, reached
    sooner for the common shapes. Yes exactly where the exact replay finds no problem,
    except that changes orjson cannot read (a number beyond 64 bits, NaN) are a no here,
    left to the exact replay."""
    if not entries:
        return values is None
    if values is not None:
        if len(entries) == 1:
            if entries[0][0] == "create" and _created_as_is(spec, entries[0][1], values):
                return True
        elif _replays_back(spec, entries, values):
            return True
    return _adds_up(spec, entries, values)


_END = (None, None, None, None, None)


def replay_range(conn, dialect: str, spec: dict, lo: int | None, hi: int | None,
                 events: frozenset, rules: Rules | None = None) -> ReplayPart:
    """Replay the entries of the rows of one table with lo <= id < hi (None: unbounded) and
    compare each outcome with its row; with `rules`, check the table's rule on each row
    too. Returns the problem naming the earliest entry."""
    lo = -END_OF_TRAIL if lo is None else lo
    hi = END_OF_TRAIL if hi is None else hi
    table, p = spec["table"], placeholder(dialect)
    rule = spec["rule"] if rules is not None else None
    skip = ", ".join([p] * len(events)) or "NULL"
    entries = stream(conn, dialect, f"sijil_replay_{table}",
                     "SELECT entity_id, action, changes"  # noqa: S608
                     f"{', seq, actor_id' if rule else ''} FROM audit_entry "
                     f"WHERE entity_type = {p} AND entity_id >= {p} AND entity_id < {p} "
                     f"AND action NOT IN ({skip}) ORDER BY entity_id, seq",
                     (table, lo, hi, *sorted(events)))
    cursor = stream(conn, dialect, f"sijil_rows_{table}",
                    row_sql(spec, dialect, f"id >= {p} AND id < {p}"), (lo, hi))
    rows = iter(cursor)
    row = next(rows, None)
    suspects: list[int] = []
    first_unaudited = ruled = None
    current, own, rows_entries = None, [], []
    # One merge of two streams in id order: each row's entries, then the row itself. Kept
    # in one loop: it runs once per row of the database.
    for entry in itertools.chain(entries, [_END]):
        entity_id = entry[0]
        if entity_id == current:
            own.append((entry[1], entry[2]))
            if rule:
                rows_entries.append(entry)
            continue
        if own:
            while row is not None and row[0] < current:
                if first_unaudited is None:
                    first_unaudited = row[0]
                row = next(rows, None)
            if row is not None and row[0] == current:
                values = row[1:]
                row = next(rows, None)
            else:
                values = None
            if not row_fits(spec, own, values):
                suspects.append(current)
            if rule:
                ruled = earliest(ruled, rules.check(rule, current, rows_entries, spec["names"],
                                                    values))
        current, own = entity_id, [(entry[1], entry[2])]
        if rule:
            rows_entries = [entry]
    while row is not None:  # rows after the last that has entries
        if first_unaudited is None:
            first_unaudited = row[0]
        row = next(rows, None)
    entries.close()
    cursor.close()
    part = ReplayPart(problem=ruled)
    if first_unaudited is not None:
        part.problem = earliest(part.problem, unaudited(f"{table} {first_unaudited}"))
    for entity_id in suspects:
        part.problem = earliest(part.problem, replay_entity(conn, dialect, spec, entity_id,
                                                            events))
    return part
