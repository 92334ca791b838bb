"""`sijil audit verify`: is the trail whole, in order, unaltered, and does it explain the data?

Three checks, all over one consistent read of the database:
1. the hash chain: every entry's hash is recomputed, and each entry must carry the hash of
   the one before it (an altered, missing or reordered entry breaks it);
2. the chain head kept in audit_checkpoint: a cut tail or an entry appended outside the
   write path leaves the last entry out of step with it;
3. the replay: each row's entries, applied oldest first, must lead to the row as it is now,
   each change starting from the value the previous one left. An entry forged into the
   middle of the trail, even with every hash recomputed, records a change that never
   happened and so breaks this.
An event entry (log-in, export) inserted with recomputed hashes changes no row and cannot be
told from a real one: only a copy of the head's hash kept elsewhere would show it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import JSON, Date, DateTime
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from records.audit_chain import EVENT_ACTIONS, audited_fields, audited_models
from records.models.attributes import REDACTED_IN_AUDIT
from records.services.audit_replay import scan_replay
from records.services.audit_scan import Problem, check_head, read_checkpoint, scan_chain

log = logging.getLogger(__name__)

# Below this many entries a helper process costs more than it saves.
PARALLEL_FROM = 100_000


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


def replay_tables() -> list[dict]:
    """What the replay needs to know of each audited table, as plain data."""
    specs = []
    for model in audited_models():
        table = model.__table__
        fields = audited_fields(model)
        redacted = list(REDACTED_IN_AUDIT.get(table.name, ()))
        specs.append({"table": table.name,
                      "fields": [[f, _kind(table.c[f])] for f in fields],
                      "redacted": redacted, "purge_checkable": not redacted})
    return specs


def _helper_database(session: Session) -> str | None:
    url = session.get_bind().url
    if url.get_backend_name() == "sqlite":
        return url.database if url.database and url.database != ":memory:" else None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _start_helper(task: dict) -> subprocess.Popen:
    # The task goes through stdin: the database URL may hold a password, and argv is public.
    # Its stderr is dropped: a chatty failure must never fill a pipe and block both sides.
    helper = subprocess.Popen(  # noqa: S603 - this interpreter, a module of this package
        [sys.executable, "-m", "records.services.audit_replay"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True)
    assert helper.stdin is not None
    helper.stdin.write(json.dumps(task))
    helper.stdin.close()
    return helper


def _finish_helper(helper: subprocess.Popen) -> dict | None:
    assert helper.stdout is not None
    out = helper.stdout.read()
    if helper.wait() != 0:
        log.warning("the replay helper process failed (exit %s); replaying in this one",
                    helper.returncode)
        return None
    return json.loads(out)


def verify_chain(session: Session, *, progress: Callable[[int, int], None] | None = None,
                 workers: int | None = None) -> VerifyResult:
    """Check the whole trail; never writes.

    Returns ok with the number of entries checked, or names the first entry (seq) that is
    altered, missing, out of order or inserted, and what is wrong with it. `progress` is
    called now and then with (entries checked, entries in the trail). With `workers` 2 (the
    default for large trails on a file or server database) a helper process replays the
    trail while this one checks the hashes."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and not session.in_transaction():
        # One snapshot for every query, and for the helper process too.
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    conn = session.connection().connection.driver_connection
    head_seq, head_hash = read_checkpoint(conn, dialect)
    tables = replay_tables()
    task = {"dialect": dialect, "database": _helper_database(session), "tables": tables,
            "event_actions": sorted(EVENT_ACTIONS)}
    if workers is None:
        workers = 2 if head_seq >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1
    helper = None
    if workers > 1 and task["database"] is not None:
        if dialect == "postgresql":
            snapshot = session.connection().exec_driver_sql(
                "SELECT pg_export_snapshot()").scalar()
            task["snapshot"] = snapshot if re.fullmatch(r"[0-9A-Fa-f-]+", snapshot) else None
        helper = _start_helper(task)
    total = max(head_seq, 1)
    chain = scan_chain(conn, dialect,
                       progress=(lambda n: progress(n, total)) if progress else None)
    replay = None
    if helper is not None and chain.problem is not None:
        helper.kill()  # the verdict is the chain's: the replay is not needed
        helper.wait()
        helper = None
    if helper is not None:
        replay = _finish_helper(helper)
        if replay is not None and tuple(replay["head"]) != (head_seq, head_hash):
            replay = None  # it read a later state of the database: replay here instead
    if replay is None and chain.problem is None:
        scan = scan_replay(conn, dialect, tables, task["event_actions"])
        replay = {"problem": scan.problem}
    if progress:
        progress(chain.checked, total)
    problem: Problem | None = chain.problem or check_head(chain, head_seq, head_hash) or (
        tuple(replay["problem"]) if replay and replay["problem"] else None)
    if problem is None:
        return VerifyResult(ok=True, checked=chain.checked, first_bad_seq=None,
                            message=f"audit trail intact: {chain.checked} entries checked")
    seq, what = problem
    where = f"at seq {seq}" if seq is not None else "outside the trail"
    return VerifyResult(ok=False, checked=chain.checked, first_bad_seq=seq,
                        message=f"audit trail broken {where}: {what}")
