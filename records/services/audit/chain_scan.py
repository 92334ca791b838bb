"""Checking the hash chain at speed, one range of seqs at a time, on a raw DB-API connection.

Entries before the seal carry a SHA-256 of their canonical payload; the seal and every
entry after it an HMAC-SHA-256 under the chain's entry key (records.audit_chain), which the
verifying process hands to its helpers through their standard input.

No ORM: the scan streams millions of rows, where ORM objects and datetime parsing would cost
more than the hashing itself, and it runs in a helper process that must start quickly.
Rows come one SQLite cursor step or one PostgreSQL keyset page (chain_pages) at a time, so
memory does not grow with the trail.

Ranges are checked independently (in two processes on a large trail) and stitched together
by `join_chain`, which gives exactly the verdict of one scan from the first entry to the
last. A problem is a pair (seq, message): the entry to blame, or None when no entry can be
blamed (a row that no entry ever created).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from dataclasses import dataclass
from json.encoder import encode_basestring  # the escaping json.dumps(ensure_ascii=False) uses

import orjson

GENESIS_HASH = "0" * 64
Problem = tuple[int | None, str]

# `at` as format_time writes it: PostgreSQL formats it in the query; SQLite stores the
# naive UTC text "YYYY-MM-DD HH:MM:SS.ffffff", which only needs two characters changed.
PG_AT = """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
# Any other text (no microseconds) fails the fast hash and is rechecked exactly.
SQLITE_AT = "replace(at, ' ', 'T') || 'Z'"
CHAIN_COLUMNS = ("seq, {at}, actor_id, action, entity_type, entity_id, incident_ref, "
                 "changes, reason, prev_hash, hash, login_seq")
# Open-ended ranges end here: no trail reaches it.
END_OF_TRAIL = 2**62

# The rows come here, and orjson writes the canonical JSON of an entry (the bytes
# json.dumps(ensure_ascii=False, separators=(",", ":")) gives) in one call. PostgreSQL's own
# sha256() over a payload built in SQL was slower than this, even counting the transfer.
CHAIN_SQL = ("SELECT {columns} FROM audit_entry WHERE seq >= {p} AND seq < {p} "
             "ORDER BY seq")
# Rows per page of the chain on PostgreSQL (a few MB). Pages by seq, each a query of its
# own, read 1 000 000 entries a third faster than a server-side cursor fetching 5 000 or
# 50 000 at a time, with a quarter less of the client's time (measured: 10 000 to 20 000
# rows a page did best).
CHAIN_PAGE = 10_000


class HmacKey:
    """HMAC-SHA-256 (RFC 2104) under one key, with the two padded keys hashed once: each
    entry then costs two copies of a hash state instead of setting the key up again. Gives
    exactly hmac.new(key, data, "sha256") (a test holds the two to the same output)."""

    def __init__(self, key: bytes):
        if len(key) > 64:  # the block size: longer keys are hashed first (RFC 2104)
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def hexdigest(self, data: bytes) -> str:
        inner = self.inner.copy()
        inner.update(data)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


@dataclass(frozen=True)
class Keying:
    """How the chain is hashed: SHA-256 before the seal (every entry when `seal` is None, a
    trail not sealed yet), HMAC under `entry_key` from it on."""

    seal: int | None = None
    entry_key: HmacKey | None = None

    def keyed(self, seq: int) -> bool:
        return self.seal is not None and seq >= self.seal

    def matches(self, payload: bytes, seq: int, digest: str) -> bool:
        if self.keyed(seq):
            return self.entry_key is not None and hmac.compare_digest(
                self.entry_key.hexdigest(payload), digest)
        return hashlib.sha256(payload).hexdigest() == digest


def sqlite_at(at: str) -> str:
    if len(at) == 26:
        return f"{at[:10]}T{at[11:]}Z"
    from datetime import UTC, datetime

    parsed = datetime.fromisoformat(at)
    return parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")


def placeholder(dialect: str) -> str:
    return "?" if dialect == "sqlite" else "%s"


def fetch_one(conn, sql: str, params: tuple = ()) -> tuple | None:
    cursor = conn.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchone()
    finally:
        cursor.close()


def stream(conn, dialect: str, name: str, sql: str, params=()):
    """A cursor over the rows of `sql`: on PostgreSQL a named (server-side) one, which
    fetches them a batch at a time, so that millions of rows are never held at once. The
    cursor itself is iterated, with no generator between: the scans touch every row."""
    if dialect == "postgresql" and name:
        cursor = conn.cursor(name=name)
        cursor.itersize = 5000
    else:
        cursor = conn.cursor()
    cursor.execute(sql, params)
    return cursor


def chain_pages(conn, sql: str, lo: int, hi: int, page: int = CHAIN_PAGE):
    """The rows of CHAIN_SQL with lo <= seq < hi, as lists of at most `page` rows in seq
    order, each page fetched from where the last ended (keyset pages): never more than one
    page held, and no cursor left open on the server between pages. All pages are read in
    the caller's transaction, so they come from one snapshot."""
    paged = f"{sql} LIMIT {int(page)}"
    while lo < hi:
        cursor = conn.cursor()
        try:
            cursor.execute(paged, (lo, hi))
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if rows:
            yield rows
        if len(rows) < page:
            return
        lo = rows[-1][0] + 1


@dataclass
class ChainPart:
    """What one range of seqs says about the chain.

    `event` is the first problem inside the range, as (seq of the row where a scan from the
    start would stop, rank among problems found at that row, blamed seq, message); `count`
    is the rows checked ahead of it, or all of them. A range cannot judge its first entry's
    link to the entry before it: `first_prev_hash` lets join_chain do that."""

    count: int = 0
    first_seq: int | None = None
    first_prev_hash: str | None = None
    last_seq: int | None = None
    last_hash: str | None = None
    event: tuple[int, int, int, str] | None = None


# Ranks of the problems found at one row, in the order a scan checks them.
MISSING, ALTERED, UNLINKED = 0, 1, 2


def _missing(expected: int, seq: int) -> tuple[int, int, int, str]:
    return (seq, MISSING, expected,
            f"entry {expected} is missing (the next entry is {seq})")


def _altered(seq: int) -> tuple[int, int, int, str]:
    return (seq, ALTERED, seq, f"entry {seq} was altered: its content no longer matches its hash")


def _unsigned(seq: int, plain: bool) -> tuple[int, int, int, str]:
    """An entry after the seal whose keyed hash does not match: altered, or written by a
    process without the chain key (none, or another installation's)."""
    how = ("it carries a plain SHA-256, as written without the key" if plain else
           "altered, or written with another key")
    return (seq, ALTERED, seq, f"entry {seq} is not signed by this installation's key ({how})")


def _unlinked(seq: int) -> tuple[int, int, int, str]:
    if seq == 1:
        return (seq, UNLINKED, seq, f"entry {seq} does not follow the genesis hash")
    # This entry is intact, so the one before was rewritten and re-hashed.
    return (seq, UNLINKED, seq - 1,
            f"entry {seq - 1} was altered: entry {seq} records a different hash for it")


def fast_payload(seq, at, actor_id, action, entity_type, entity_id, incident_ref, changes,
                 reason, prev_hash, login_seq=None) -> bytes:
    """Byte for byte records.audit_chain.entry_payload, without building a list and a
    JSONEncoder per entry."""
    return (
        f'[{seq},{encode_basestring(at)},{"null" if actor_id is None else actor_id},'
        f'{encode_basestring(action)},{encode_basestring(entity_type)},'
        f'{"null" if entity_id is None else entity_id},'
        f'{"null" if incident_ref is None else encode_basestring(incident_ref)},'
        f'{encode_basestring(changes)},{"null" if reason is None else encode_basestring(reason)},'
        f'{encode_basestring(prev_hash)}{"" if login_seq is None else f",{int(login_seq)}"}]'
    ).encode()


def _exact_check(conn, dialect: str, seq: int, keying: Keying
                 ) -> tuple[int, int, int, str] | None:
    """Entry `seq` checked exactly as records.audit_chain hashes it: None when it matches
    its hash, else the problem with it."""
    at = PG_AT if dialect == "postgresql" else "at"
    row = fetch_one(conn, f"SELECT {CHAIN_COLUMNS.format(at=at)} FROM audit_entry "  # noqa: S608
                          f"WHERE seq = {placeholder(dialect)}", (seq,))
    keyed = keying.keyed(seq)
    if row is None:
        return _altered(seq)
    values = [*row[:10], row[11]]
    if dialect == "sqlite":
        values[1] = sqlite_at(values[1])
    try:
        payload = fast_payload(*values)
    except (UnicodeEncodeError, TypeError):
        return _altered(seq)
    if keying.matches(payload, seq, row[10]):
        return None
    if not keyed:
        return _altered(seq)
    return _unsigned(seq, hashlib.sha256(payload).hexdigest() == row[10])


def check_chain_range(conn, dialect: str, lo: int, hi: int | None,
                      keying: Keying | None = None) -> ChainPart:
    """Recompute the hashes of the entries with lo <= seq < hi (hi None: to the end), each
    as `keying` says (None: unkeyed, a trail not sealed), and check that each follows the
    one before it. Stops at the first problem."""
    keying = keying or Keying()
    part = ChainPart()
    dumps, sha256 = orjson.dumps, hashlib.sha256
    # HMAC inlined: two hash-state copies per entry, no call into the hmac module.
    seal = END_OF_TRAIL if keying.seal is None else keying.seal
    if keying.entry_key is not None:
        inner, outer = keying.entry_key.inner.copy, keying.entry_key.outer.copy
    else:  # a sealed trail checked without the key: every keyed entry fails
        inner = outer = None
    expected = prev = None
    count = 0
    at = SQLITE_AT if dialect == "sqlite" else PG_AT
    sql = CHAIN_SQL.format(columns=CHAIN_COLUMNS.format(at=at), p=placeholder(dialect))
    end = END_OF_TRAIL if hi is None else hi
    if dialect == "postgresql":
        cursor = None
        rows = itertools.chain.from_iterable(chain_pages(conn, sql, lo, end))
    else:  # SQLite steps one cursor through the file: no round trips to save
        rows = cursor = stream(conn, dialect, "", sql, (lo, end))
    for row in rows:
        seq = row[0]
        if expected is None:
            part.first_seq, part.first_prev_hash = seq, row[9]
        elif seq != expected:
            part.event = _missing(expected, seq)
            break
        try:
            # An entry's log-in, when it has one, is hashed after its other fields.
            payload = dumps(row[:10] if row[11] is None else (*row[:10], row[11]))
            if seq < seal:
                intact = sha256(payload).hexdigest() == row[10]
            elif inner is not None:
                keyed = inner()
                keyed.update(payload)
                signed = outer()
                signed.update(keyed.digest())
                intact = signed.hexdigest() == row[10]
            else:
                intact = False
        except (orjson.JSONEncodeError, TypeError):
            intact = False
        if not intact:
            problem = _exact_check(conn, dialect, seq, keying)
            if problem is not None:
                part.event = problem
                break
        if prev is not None and row[9] != prev:
            part.event = _unlinked(seq)
            break
        count += 1
        expected, prev = seq + 1, row[10]
    if cursor is not None:
        cursor.close()
    part.count = count
    part.last_seq, part.last_hash = (expected - 1, prev) if count else (None, None)
    return part


@dataclass
class ChainScan:
    checked: int = 0
    last_seq: int = 0
    last_hash: str = GENESIS_HASH
    problem: Problem | None = None


def join_chain(parts: list[ChainPart]) -> ChainScan:
    """The verdict of one scan over the whole chain, from its ranges in seq order: the first
    problem a scan from entry 1 would meet, and how many entries it checked before it."""
    expected, prev, checked = 1, GENESIS_HASH, 0
    for part in parts:
        if part.first_seq is None:
            continue
        events = [part.event] if part.event else []
        if part.first_seq != expected:
            events.append(_missing(expected, part.first_seq))
        elif part.first_prev_hash != prev:
            events.append(_unlinked(part.first_seq))
        if events:
            first = min(events, key=lambda e: (e[0], e[1]))
            before = part.count if first is part.event else 0
            return ChainScan(checked=checked + before, problem=(first[2], first[3]))
        checked += part.count
        expected, prev = part.last_seq + 1, part.last_hash
    return ChainScan(checked=checked, last_seq=expected - 1, last_hash=prev)


def read_checkpoint(conn, dialect: str) -> tuple[int, str]:
    row = fetch_one(conn, "SELECT seq, hash FROM audit_checkpoint WHERE id = 1")
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
