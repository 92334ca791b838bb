"""`sijil audit verify`: is the trail whole, in order, unaltered, signed with this
installation's key, and does it explain the data?

Four checks, all over one consistent read of the database:
1. the hash chain: every entry's hash is recomputed (SHA-256 before the seal, HMAC under
   the chain key from it on), and each entry must carry the hash of the one before it: an
   altered, missing or reordered entry breaks it, and so does any entry written after the
   seal by a process without the installation's key;
2. the chain head kept in audit_checkpoint: a cut tail or an entry appended outside the
   write path leaves the last entry out of step with it;
3. the replay: each row's entries, applied oldest first, must lead to the row as it is now,
   each change starting from the value the previous one left;
4. the rules (records.services.audit.rules): four eyes on every verified incident, and each
   account's password hash against the keyed digest the trail recorded last; and table
   data_key against the keys the trail made and destroyed (audit/key_rules.py).
What the key cannot show is a trail rewritten whole by someone holding it, or cut back to
an earlier state of itself (entries and rows together): `--anchor SEQ:DIGEST`, a head
published elsewhere earlier (`sijil audit anchor`), shows both.

The work is cut into units (records.services.audit.work); on a large trail, helper
processes share them, one per core.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import JSON, Date, DateTime
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from records.audit_chain import EVENT_ACTIONS, SEAL, TRAIL, audited_fields, audited_models
from records.errors import ConflictError, NotFound
from records.i18n import _
from records.keys import ChainKeys, StoredKeyError, load_chain_keys, read_master_key
from records.models.attributes import AUDITED_FROM_SEAL, REDACTED_IN_AUDIT
from records.services.access import Principal, require_role
from records.services.audit.chain_scan import (
    PG_AT,
    ChainPart,
    Problem,
    check_head,
    fetch_one,
    join_chain,
    placeholder,
    read_checkpoint,
    sqlite_at,
)
from records.services.audit.exact_replay import earliest
from records.services.audit.helper_pool import run_in_helpers, start_helpers, stop_helpers
from records.services.audit.key_rules import check_data_keys
from records.services.audit.session_rules import session_problem
from records.services.audit.work import Worker

log = logging.getLogger(__name__)

# Below this many entries helper processes cost more than they save.
PARALLEL_FROM = 100_000
# Entries per unit: small enough that the processes finish close together.
UNIT_ENTRIES = 50_000
# Each helper holds a database connection: a large server must not use up PostgreSQL's.
MAX_HELPERS = 8
# The rule verification checks on each row of these tables (records.services.audit.rules).
RULES = {"incident": "four_eyes", "app_user": "credentials"}


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None
    message: str


def _kind(column) -> str:
    base = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(base, JSON):
        return "json"
    if isinstance(base, DateTime):
        return "datetime"
    if isinstance(base, Date):
        return "date"
    return "plain"


def replay_tables(sealed: bool = True) -> list[dict]:
    """What the replay needs to know of each audited table, as plain data. A trail not
    sealed yet is replayed without the columns recorded only from the seal on."""
    specs = []
    for model in audited_models():
        table = model.__table__
        later = AUDITED_FROM_SEAL.get(table.name, ())
        fields = [f for f in audited_fields(model) if sealed or f not in later]
        redacted = list(REDACTED_IN_AUDIT.get(table.name, ()))
        spec = {"table": table.name, "fields": [[f, _kind(table.c[f])] for f in fields],
                "redacted": redacted, "purge_checkable": not redacted}
        if sealed and later:
            spec["since_seal"] = list(later)
        if table.name in RULES:
            spec["rule"] = RULES[table.name]
        specs.append(spec)
    return specs


@dataclass(frozen=True)
class _Seal:
    """Where the keyed part of the trail begins (seq None: nowhere yet), its keys, and
    what is wrong with the seal or the stored key."""

    seq: int | None
    keys: ChainKeys | None
    problem: Problem | None = None

    def task(self) -> dict:
        def b64(key: bytes | None) -> str | None:
            return base64.b64encode(key).decode("ascii") if key is not None else None

        return {"seal": self.seq, "entry_key": b64(self.keys and self.keys.entry_key),
                "credential_key": b64(self.keys and self.keys.credential_key)}


def _read_seal(session: Session, conn, dialect: str) -> _Seal:
    """The seal and the chain key. Raises SecretKeyError when there is no usable master
    key: a verification without it would prove nothing."""
    master = read_master_key()
    p = placeholder(dialect)
    row = fetch_one(conn, "SELECT seq, entity_type, entity_id, changes, prev_hash "  # noqa: S608
                          f"FROM audit_entry WHERE action = {p} ORDER BY seq LIMIT 1", (SEAL,))
    seq = row[0] if row else None
    try:
        keys = load_chain_keys(session.connection(), master)
    except StoredKeyError as error:
        return _Seal(seq, None, (seq, str(error)))
    if row is None:
        if keys is None:
            return _Seal(None, None)
        return _Seal(None, keys, (None, f"the trail has no seal, but this database holds a "
                                        f"chain key ({keys.key_id}): its keyed entries were "
                                        "removed or re-chained without the key"))
    if keys is None:
        return _Seal(seq, None, (seq, f"entry {seq} seals the trail under a chain key this "
                                      "database no longer holds (table data_key)"))
    try:
        changes = json.loads(row[3])
    except ValueError:
        changes = None
    expected = {"algorithm": "hmac-sha256", "chain_key": keys.key_id,
                "legacy_head": [seq - 1, row[4]]}
    if (row[1], row[2]) != (TRAIL, None) or changes != expected:
        return _Seal(seq, keys, (seq, f"entry {seq} is not a valid seal: it must name the "
                                      f"chain key {keys.key_id} and the entry before it"))
    return _Seal(seq, keys)


def _check_anchor(conn, dialect: str, anchor: tuple[int, str]) -> Problem | None:
    seq, digest = anchor
    p = placeholder(dialect)
    row = fetch_one(conn, f"SELECT hash FROM audit_entry WHERE seq = {p}", (seq,))  # noqa: S608
    if row is None:
        return (seq, f"entry {seq}, which the anchor names, is not in the trail: it was cut "
                     "or rewritten after the anchor was taken")
    if row[0] != digest:
        return (seq, f"entry {seq} does not match the anchor (it has {row[0][:16]}..., the "
                     f"anchor {digest[:16]}...): the trail was rewritten after the anchor "
                     "was taken")
    return None


def _id_span(conn, table: str) -> tuple[int | None, int | None]:
    # Two subqueries: each is one step down the primary key's index, where min and max in
    # one SELECT read the whole table on SQLite.
    return fetch_one(conn, f'SELECT (SELECT min(id) FROM "{table}"), '  # noqa: S608
                           f'(SELECT max(id) FROM "{table}")')


def plan_units(conn, dialect: str, head_seq: int, tables: list[dict]) -> list[dict]:
    """The units of work, largest first. Every range is half-open and the first and last of
    each kind are unbounded, so that together they cover every entry and every row, even
    ones beyond what the chain head or the tables' ids suggest.

    Planned from the chain head and each table's lowest and highest id, never by counting
    entries: the helpers wait for the plan, and a count reads an index as long as the
    trail (half a second at 1 000 000 entries, on the path of every verification). How
    many entries each table has is estimated by sharing the trail among the tables in
    proportion to their id ranges; an estimate only decides how finely a table is cut."""
    units = []
    bounds = list(range(1, head_seq + 1, UNIT_ENTRIES))[1:]
    for lo, hi in zip([1, *bounds], [*bounds, None], strict=True):
        units.append({"kind": "chain", "lo": lo, "hi": hi,
                      "cost": (hi or head_seq + 1) - lo})
    spans = {spec["table"]: _id_span(conn, spec["table"]) for spec in tables}
    widths = {table: 0 if low is None else high - low + 1
              for table, (low, high) in spans.items()}
    per_row = head_seq / max(1, sum(widths.values()))
    for spec in tables:
        table = spec["table"]
        low, high = spans[table]
        entries = round(widths[table] * per_row)
        pieces = max(1, -(-entries // UNIT_ENTRIES))
        if low is None or pieces == 1:
            cuts = []
        else:
            width = max(1, -(-(high - low + 1) // pieces))
            cuts = list(range(low + width, high + 1, width))
        for lo, hi in zip([None, *cuts], [*cuts, None], strict=True):
            units.append({"kind": "replay", "table": table, "lo": lo, "hi": hi,
                          "cost": max(1, entries // pieces)})
    # Chain units first among equals: a broken chain makes the replay needless.
    units.sort(key=lambda u: (-u["cost"], u["kind"] != "chain"))
    return units


class _Tally:
    """Results as they come in, from whichever process ran each unit."""

    def __init__(self, units: list[dict]):
        self.units = units
        self.replayed = 0
        self.chain: dict[int, ChainPart] = {}
        self.replay_problem: Problem | None = None
        self.chain_broken = False
        self.total_cost = sum(u["cost"] for u in units) or 1
        self.done_cost = 0

    def add(self, unit: dict, result: dict) -> None:
        self.done_cost += unit["cost"]
        if unit["kind"] == "chain":
            event = result["event"]
            part = ChainPart(**{**result, "event": tuple(event) if event else None})
            self.chain[unit["lo"]] = part
            self.chain_broken = self.chain_broken or part.event is not None
        else:
            self.replayed += 1
            if result["problem"]:
                self.replay_problem = earliest(self.replay_problem, tuple(result["problem"]))

    def complete(self) -> bool:
        """Every range of the chain checked, and every replay unit run unless not needed."""
        chain = sum(1 for u in self.units if u["kind"] == "chain")
        replay = len(self.units) - chain
        return len(self.chain) == chain and (self.chain_broken or self.replayed == replay)

    def wanted(self, unit: dict) -> bool:
        # Once the chain is broken, the verdict is the chain's: the replay is not needed.
        return unit["kind"] == "chain" or not self.chain_broken


def _run_here(worker: Worker, units: list[dict], tally: _Tally, report) -> None:
    for unit in units:
        if tally.wanted(unit):
            tally.add(unit, worker.run(unit))
            report()


def _helper_database(session: Session) -> str | None:
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite":
        return url.database if url.database and url.database != ":memory:" else None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def verify_chain(session: Session, *, by: Principal,
                 progress: Callable[[int, int], None] | None = None,
                 workers: int | None = None,
                 anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Check the whole trail for `by` (reviewers and admins: the messages quote recorded
    values); never writes. Raises PermissionDenied below the reviewer role, and
    SecretKeyError when the master key is missing, malformed or not this installation's.

    Returns ok with the number of entries checked, or names the first entry (seq) that is
    altered, missing, out of order, inserted, not signed with this installation's key, or
    breaks a rule, and what is wrong with it; a trail with entries but no seal is not ok
    either. `anchor` (seq, digest), a head published earlier, must still be in the trail.
    `progress` is called now and then with (work done, work in all), both counted in
    entries. `workers` is how many helper processes share the work (default: one per core
    on a large trail in a file or server database; 1: all of it in this process)."""
    require_role(by, "reviewer", _("verify the audit trail"))
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and not session.in_transaction():
        # One snapshot for every query, and for the helper processes too.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    conn = session.connection().connection.driver_connection
    head_seq, head_hash = read_checkpoint(conn, dialect)
    seal = _read_seal(session, conn, dialect)
    tables = replay_tables(sealed=seal.seq is not None)
    task = {"dialect": dialect, "database": _helper_database(session), "tables": tables,
            "event_actions": sorted(EVENT_ACTIONS), "keying": seal.task()}
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_HELPERS) if head_seq >= PARALLEL_FROM else 1
    helpers = []
    if workers > 1 and task["database"] is not None:
        if dialect == "postgresql":
            snapshot = session.connection().exec_driver_sql(
                "SELECT pg_export_snapshot()").scalar()
            task["snapshot"] = snapshot if re.fullmatch(r"[0-9A-Fa-f-]+", snapshot) else None
        helpers = start_helpers(task, workers)
    total = max(head_seq, 1)
    try:
        units = plan_units(conn, dialect, head_seq, tables)
    except BaseException:
        stop_helpers(helpers, kill=True)
        raise
    tally = _Tally(units)

    def report() -> None:
        if progress:
            progress(min(total, total * tally.done_cost // tally.total_cost), total)

    done = False
    if helpers:
        done = run_in_helpers(helpers, units, (head_seq, head_hash), tally, report)
        done = done and tally.complete()
        if not done:
            tally = _Tally(units)
    if not done:
        _run_here(Worker(conn, dialect, tables, task["event_actions"], task["keying"]),
                  units, tally, report)
    chain = join_chain([tally.chain[lo] for lo in sorted(tally.chain)])
    if progress:
        progress(chain.checked, total)
    problem: Problem | None = (
        earliest(seal.problem, chain.problem) or check_head(chain, head_seq, head_hash)
        or tally.replay_problem or session_problem(session, conn, dialect, seal.keys)
        or (anchor and _check_anchor(conn, dialect, anchor))
        or (seal.keys and check_data_keys(session, read_master_key())))
    if problem is None and seal.seq is None and chain.checked:
        return VerifyResult(
            ok=False, checked=chain.checked, first_bad_seq=None,
            message=f"audit trail not sealed: its {chain.checked} entries are intact, but "
                    "none is signed with this installation's key (`sijil audit seal` seals "
                    "it; a trail that was sealed before has been stripped)")
    if problem is None:
        matched = f"; entry {anchor[0]} matches the anchor" if anchor else ""
        return VerifyResult(ok=True, checked=chain.checked, first_bad_seq=None,
                            message=f"audit trail intact: {chain.checked} entries "
                                    f"checked{matched}")
    seq, what = problem
    where = f"at seq {seq}" if seq is not None else "outside the trail"
    return VerifyResult(ok=False, checked=chain.checked, first_bad_seq=seq,
                        message=f"audit trail broken {where}: {what}")


def trail_anchor(session: Session, *, by: Principal) -> tuple[int, str, str]:
    """The head of the trail as (seq, digest, time of the entry), to publish somewhere the
    database's users cannot change, for `verify_chain(anchor=...)` later. Reviewers and
    admins; raises PermissionDenied below, NotFound for an empty trail and ConflictError
    when the head and the last entry disagree (verify first)."""
    require_role(by, "reviewer", _("anchor the audit trail"))
    conn = session.connection().connection.driver_connection
    dialect = session.get_bind().dialect.name
    seq, digest = read_checkpoint(conn, dialect)
    if seq == 0:
        raise NotFound(_("the audit trail is empty: there is nothing to anchor yet"))
    at = PG_AT if dialect == "postgresql" else "at"
    row = fetch_one(conn, f"SELECT hash, {at} FROM audit_entry "  # noqa: S608
                          f"WHERE seq = {placeholder(dialect)}", (seq,))
    if row is None or row[0] != digest:
        raise ConflictError(_("the chain head does not match the last entry: run "
                              "`sijil audit verify`"))
    return seq, digest, row[1] if dialect == "postgresql" else sqlite_at(row[1])
