"""Verifying the trail in pieces: a unit is one range of the hash chain or one range of one
table's rows to replay. The verifying process runs the units itself, or hands them to helper
processes (`python -m records.services.audit.work`), which share them as they free up.

Helper protocol, one JSON document per line: the parent writes the task (how to connect,
which tables to replay, the seal's seq and the keys derived from the chain key), the helper
answers with the chain head it sees in its snapshot; then the parent writes a unit, the
helper answers with its result, until stdin closes. The database URL and the keys go
through stdin only, never argv or the environment, which other users of the machine can
read.
Standard library, orjson and the database driver only, so that a helper starts quickly.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import sys

from records.services.audit.chain_scan import HmacKey, Keying, check_chain_range, read_checkpoint
from records.services.audit.fast_replay import prepare_spec, replay_range
from records.services.audit.rules import Rules

# No memory-mapped reads: every page of the file that a scan maps counts in the helper's
# resident memory, which then grows with the trail (550 MB at 1 000 000 entries, the whole
# file at 10 000 000), and measured no faster than reads through SQLite's page cache.
MMAP_BYTES = 0


class Worker:
    """What a process needs to run units on its own connection to the database."""

    def __init__(self, conn, dialect: str, tables: list[dict], event_actions: list[str],
                 keying: dict | None = None):
        """`keying`: {"seal": seq or None, "entry_key", "credential_key": base64 or
        None}, as verify_chain sends it."""
        self.conn, self.dialect = conn, dialect
        self.specs = {raw["table"]: prepare_spec(raw, dialect) for raw in tables}
        self.events = frozenset(event_actions)
        keying = keying or {}
        keys = {name: HmacKey(base64.b64decode(keying[name])) if keying.get(name) else None
                for name in ("entry_key", "credential_key")}
        self.keying = Keying(keying.get("seal"), keys["entry_key"])
        self.rules = Rules(conn, dialect, keying.get("seal"), keys["credential_key"])

    def run(self, unit: dict) -> dict:
        if unit["kind"] == "chain":
            part = check_chain_range(self.conn, self.dialect, unit["lo"], unit["hi"],
                                     self.keying)
        else:
            part = replay_range(self.conn, self.dialect, self.specs[unit["table"]],
                                unit["lo"], unit["hi"], self.events, self.rules)
        return dataclasses.asdict(part)


def _connect(task: dict):
    """A read-only snapshot of the database the parent verifies."""
    if task["dialect"] == "sqlite":
        try:
            # APSW reads rows into Python about twice as fast as the sqlite3 module. It is
            # used only here, in a process that opens the file with no other SQLite library.
            import apsw

            conn = apsw.Connection(task["database"], flags=apsw.SQLITE_OPEN_READWRITE)
            conn.set_busy_timeout(30_000)
        except ImportError:
            import sqlite3

            conn = sqlite3.connect(task["database"], isolation_level=None, timeout=30)
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        conn.execute("BEGIN")
        return conn
    import psycopg

    conn = psycopg.connect(task["database"])
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    conn.execute("SET TRANSACTION READ ONLY")
    if task.get("snapshot"):
        conn.execute(f"SET TRANSACTION SNAPSHOT '{task['snapshot']}'")
    return conn


def serve(stdin, stdout) -> None:
    task = json.loads(stdin.readline())
    conn = _connect(task)
    try:
        worker = Worker(conn, task["dialect"], task["tables"], task["event_actions"],
                        task.get("keying"))
        stdout.write(json.dumps({"head": list(read_checkpoint(conn, task["dialect"]))}) + "\n")
        stdout.flush()
        for line in stdin:
            stdout.write(json.dumps(worker.run(json.loads(line))) + "\n")
            stdout.flush()
    finally:
        if task["dialect"] == "sqlite":
            conn.execute("ROLLBACK")
        else:
            conn.rollback()
        conn.close()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
