"""Checking the hash chain at speed, on a raw DB-API connection.

Only the standard library: the scan streams millions of rows, where ORM objects and datetime
parsing would cost more than the hashing itself (records.services.audit_replay, which
shares these helpers, runs in a helper process that must start quickly).

A problem is a pair (seq, message): the entry to blame, or None when no entry can be
blamed (a row that no entry ever created).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring  # the escaping json.dumps(ensure_ascii=False) uses

GENESIS_HASH = "0" * 64
BATCH = 5000
Problem = tuple[int | None, str]

# `at` as format_time writes it: PostgreSQL formats it in the query; SQLite stores the
# naive UTC text "YYYY-MM-DD HH:MM:SS.ffffff", which only needs two characters changed.
PG_AT = """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
CHAIN_COLUMNS = ("seq, {at}, actor_id, action, entity_type, entity_id, incident_ref, "
                 "changes, reason, prev_hash, hash")

# PostgreSQL recomputes the hashes itself (sha256() in C, next to the data) and only says,
# per entry, whether its hash matches and whether it carries the previous entry's hash.
# Its JSON escaping (to_json) is meant to match json.dumps; where it does not, the entry is
# rechecked exactly (_exact_hash) before it is called altered, so this fast path can never
# blame an intact entry. SQLite has no sha256(), and building the payload in its SQL costs
# more than in Python: there the rows are hashed here.
_LINKED = f"coalesce(prev_hash = lag(hash) OVER (ORDER BY seq), prev_hash = '{GENESIS_HASH}')"
PG_CHAIN = (
    "SELECT seq, encode(sha256(convert_to('[' || seq || ',' || to_json("  # noqa: S608
    + PG_AT + ")::text "
    "|| ',' || coalesce(actor_id::text, 'null') || ',' || to_json(action)::text || ',' || "
    "to_json(entity_type)::text || ',' || coalesce(entity_id::text, 'null') || ',' || "
    "coalesce(to_json(incident_ref)::text, 'null') || ',' || to_json(changes)::text || ',' "
    "|| coalesce(to_json(reason)::text, 'null') || ',' || to_json(prev_hash)::text || ']', "
    f"'UTF8')), 'hex') = hash, {_LINKED} FROM audit_entry ORDER BY seq")
SQLITE_CHAIN = f"SELECT {CHAIN_COLUMNS.format(at='at')} FROM audit_entry ORDER BY seq"  # noqa: S608


def fast_entry_hash(seq, at, actor_id, action, entity_type, entity_id, incident_ref, changes,
                    reason, prev_hash) -> str:
    """Byte for byte the digest of records.audit_chain.entry_hash, without building a list
    and a JSONEncoder per entry (a test holds the two to the same output)."""
    payload = (
        f'[{seq},{encode_basestring(at)},{"null" if actor_id is None else actor_id},'
        f'{encode_basestring(action)},{encode_basestring(entity_type)},'
        f'{"null" if entity_id is None else entity_id},'
        f'{"null" if incident_ref is None else encode_basestring(incident_ref)},'
        f'{encode_basestring(changes)},{"null" if reason is None else encode_basestring(reason)},'
        f'{encode_basestring(prev_hash)}]'
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def sqlite_at(at: str) -> str:
    if len(at) == 26:
        return f"{at[:10]}T{at[11:]}Z"
    from datetime import UTC, datetime

    parsed = datetime.fromisoformat(at)
    return parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def stream_rows(cursor, sql: str, params: tuple = ()) -> Iterator[tuple]:
    cursor.execute(sql, params)
    while batch := cursor.fetchmany(BATCH):
        yield from batch


def placeholder(dialect: str) -> str:
    return "?" if dialect == "sqlite" else "%s"


def streaming_cursor(conn, dialect: str, name: str):
    # A named (server-side) cursor streams from PostgreSQL instead of loading every row.
    return conn.cursor(name=name) if dialect == "postgresql" else conn.cursor()


@dataclass
class ChainScan:
    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    problem: Problem | None = None


def _exact_hash(conn, dialect: str, seq: int) -> bool:
    """Whether entry `seq` matches its hash, computed exactly as entry_hash does."""
    at = PG_AT if dialect == "postgresql" else "at"
    cursor = conn.cursor()
    try:
        cursor.execute(f"SELECT {CHAIN_COLUMNS.format(at=at)} FROM audit_entry "  # noqa: S608
                       f"WHERE seq = {placeholder(dialect)}", (seq,))
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        return False
    values = list(row[:10])
    if dialect == "sqlite":
        values[1] = sqlite_at(values[1])
    return fast_entry_hash(*values) == row[10]


def _last_hash(conn, dialect: str, seq: int) -> str:
    cursor = conn.cursor()
    try:
        cursor.execute("SELECT hash FROM audit_entry WHERE seq = "  # noqa: S608
                       + placeholder(dialect), (seq,))
        row = cursor.fetchone()
    finally:
        cursor.close()
    return row[0] if row else GENESIS_HASH


def _sqlite_checks(rows: Iterator[tuple]) -> Iterator[tuple[int, bool, bool]]:
    """(seq, hash matches, carries the previous entry's hash) of each row, hashed here."""
    prev = GENESIS_HASH
    for (seq, at, actor_id, action, entity_type, entity_id, incident_ref, changes, reason,
         prev_hash, stored) in rows:
        at = f"{at[:10]}T{at[11:]}Z" if len(at) == 26 else sqlite_at(at)
        yield seq, fast_entry_hash(seq, at, actor_id, action, entity_type, entity_id,
                                   incident_ref, changes, reason, prev_hash) == stored, (
            prev_hash == prev)
        prev = stored


def scan_chain(conn, dialect: str, *, progress: Callable[[int], None] | None = None
               ) -> ChainScan:
    """Recompute every hash, oldest first, and check that each entry follows the one before
    it. Stops at the first problem."""
    scan = ChainScan()
    expected = 1
    checked = 0
    cursor = streaming_cursor(conn, dialect, "sijil_verify_chain")
    try:
        if dialect == "sqlite":
            checks = _sqlite_checks(stream_rows(cursor, SQLITE_CHAIN))
        else:
            checks = stream_rows(cursor, PG_CHAIN)
        for seq, intact, linked in checks:
            if seq != expected:
                scan.problem = (expected, f"entry {expected} is missing (the next entry is "
                                          f"{seq})" if seq > expected else
                                f"entry {seq} is out of order")
                break
            if not intact and not _exact_hash(conn, dialect, seq):
                scan.problem = (seq, f"entry {seq} was altered: its content no longer matches "
                                     "its hash")
                break
            if not linked:
                # This entry is intact, so the one before was rewritten and re-hashed.
                scan.problem = (seq - 1, f"entry {seq - 1} was altered: entry {seq} records "
                                         "a different hash for it") if seq > 1 else (
                    seq, f"entry {seq} does not follow the genesis hash")
                break
            checked += 1
            expected = seq + 1
            if progress is not None and checked % 50_000 == 0:
                progress(checked)
    finally:
        cursor.close()
    scan.checked = checked
    scan.last_seq = expected - 1
    scan.last_hash = _last_hash(conn, dialect, scan.last_seq) if checked else GENESIS_HASH
    return scan


def read_checkpoint(conn, dialect: str) -> tuple[int, str]:
    cursor = conn.cursor()
    try:
        cursor.execute("SELECT seq, hash FROM audit_checkpoint WHERE id = 1")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def check_head(scan: ChainScan, head_seq: int, head_hash: str) -> Problem | None:
    """Compare the end of an intact chain with the chain head kept in audit_checkpoint."""
    if scan.last_seq < head_seq:
        return (scan.last_seq + 1,
                f"entries {scan.last_seq + 1} to {head_seq} are missing (the chain head "
                f"records {head_seq} entries)")
    if scan.last_seq > head_seq:
        return (head_seq + 1, f"entry {head_seq + 1} was inserted after the chain head "
                              f"(seq {head_seq})")
    if scan.last_hash != head_hash:
        return (head_seq, f"entry {head_seq} differs from the chain head's hash")
    return None
