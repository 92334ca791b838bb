"""A large audit trail, made fast, to measure `sijil audit verify` at millions of entries.

A measuring aid, not a write path: it writes rows and entries straight into a fresh,
migrated database with bulk INSERTs (executemany, no ORM, no after_flush listener), which
nothing in the application may do. The entries are what the write path would have written
for the same changes, computed with the project's own chain functions (records.audit_chain:
format_time, to_json_value, dump_changes, keyed_entry_hash, under the chain key the
database holds), so that the whole of `sijil audit verify` passes: chain, chain head,
replay and rules.

The trail: the benchmark accounts (made through the write path, which seals the trail),
then per incident a create, two edits (narrative, figures) and a log-in event, so that
about a quarter of the entries create rows, half change them and a quarter are events.

    python -m benchmarks.audit_trail URL ENTRIES
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from sqlalchemy import insert, select, update

PER_INCIDENT = 4  # create, two edits, one log-in event
BATCH = 20_000  # entries per executemany
COMMIT_EVERY = 200_000  # entries per transaction: the WAL of a 10 000 000-entry run stays small


def _incident_values(n: int, admin: int, at: dt.datetime) -> dict:
    return {
        "ref": f"BENCH-{n:08d}", "title": f"Incident {n} in the benchmark trail",
        "narrative": "", "incident_type": ("killing", "detention", "displacement")[n % 3],
        "start_date": dt.date(2020, 1, 1) + dt.timedelta(days=n % 1500),
        "end_date": None, "date_precision": "day", "time_of_day": None, "country": "IQ",
        "admin1": "IQ-NI", "admin2": None, "locality": f"Locality {n % 97}",
        "latitude": None, "longitude": None, "geo_precision": None, "method": None,
        "context": None, "fatalities": 0, "injured": n % 5, "confidence": "reported",
        "sensitivity": "normal", "tags": ["benchmark"], "external_id": None,
        "status": "draft", "created_by_id": admin, "last_edited_by_id": admin,
        "submitted_by_id": None, "verified_by_id": None, "imported_status": None,
        "imported_from": None, "created_at": at, "updated_at": at, "version": 3,
    }


def _trail(first_id: int, incidents: int, admin: int, started: dt.datetime):
    """(incident row, its entries as (action, entity_type, entity_id, ref, changes)) for
    each incident: the row as its last entry leaves it."""
    from records.audit_chain import audited_fields, to_json_value
    from records.models import Incident

    fields = audited_fields(Incident)
    for k in range(incidents):
        row_id = first_id + k
        at = started + dt.timedelta(milliseconds=k)
        row = _incident_values(row_id, admin, at)
        created = {f: [None, to_json_value(row[f])] for f in fields if row[f] is not None}
        narrative = f"Witnesses describe incident {row_id}."
        row["narrative"] = narrative
        row["fatalities"] = 1 + row_id % 7
        ref = row["ref"]
        yield row, [
            ("create", "incident", row_id, ref, created),
            ("update", "incident", row_id, ref, {"narrative": ["", narrative]}),
            ("update", "incident", row_id, ref, {"fatalities": [0, row["fatalities"]]}),
            ("login", "app_user", admin, None, {}),
        ]


def build(url: str, entries: int, work: Path, *, say=print) -> int:
    """Migrate the empty database at `url`, add the benchmark accounts (`work`: the folder
    for their files) and append incidents until the trail holds at least `entries`
    entries; returns how many it holds."""
    import time

    from benchmarks.data import prepare
    from records import keys as installation_keys
    from records.audit_chain import (
        CHECKPOINT_ID,
        dump_changes,
        format_time,
        keyed_entry_hash,
    )
    from records.db import make_engine
    from records.models import AppUser, AuditCheckpoint, AuditEntry, Incident

    prepare(url, work)
    engine = make_engine(url)
    entry_table, head_table = AuditEntry.__table__, AuditCheckpoint.__table__
    incident_table = Incident.__table__
    started = time.perf_counter()
    with engine.connect() as conn:
        with conn.begin():
            seq, prev = conn.execute(select(head_table.c.seq, head_table.c.hash)
                                     .where(head_table.c.id == CHECKPOINT_ID)).one()
            admin = conn.scalar(select(AppUser.__table__.c.id)
                                .where(AppUser.__table__.c.username == "bench_admin"))
            first_id = (conn.scalar(select(incident_table.c.id)
                                    .order_by(incident_table.c.id.desc()).limit(1)) or 0) + 1
            keys = installation_keys.load_chain_keys(conn, installation_keys.read_master_key())
        incidents = max(0, -(-(entries - seq) // PER_INCIDENT))
        at = dt.datetime.now(dt.UTC)
        rows, items, since_commit = [], [], 0
        transaction = conn.begin()
        for row, row_entries in _trail(first_id, incidents, admin, at):
            rows.append(row)
            for action, entity_type, entity_id, ref, changes in row_entries:
                seq += 1
                when = at + dt.timedelta(microseconds=seq)
                text = dump_changes(changes)
                digest = keyed_entry_hash(keys.entry_key, seq, format_time(when), admin, action,
                                          entity_type, entity_id, ref, text, None, prev)
                items.append({"seq": seq, "at": when, "actor_id": admin, "action": action,
                              "entity_type": entity_type, "entity_id": entity_id,
                              "incident_ref": ref, "changes": text, "reason": None,
                              "prev_hash": prev, "hash": digest})
                prev = digest
            if len(items) >= BATCH:
                conn.execute(insert(incident_table), rows)
                conn.execute(insert(entry_table), items)
                since_commit += len(items)
                rows, items = [], []
                if since_commit >= COMMIT_EVERY:
                    conn.execute(update(head_table).where(head_table.c.id == CHECKPOINT_ID)
                                 .values(seq=seq, hash=prev))
                    transaction.commit()
                    transaction = conn.begin()
                    since_commit = 0
                    say(f"{seq:,} entries ({time.perf_counter() - started:.0f} s)")
        if rows:
            conn.execute(insert(incident_table), rows)
            conn.execute(insert(entry_table), items)
        conn.execute(update(head_table).where(head_table.c.id == CHECKPOINT_ID)
                     .values(seq=seq, hash=prev))
        transaction.commit()
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    engine.dispose()
    return seq


def main() -> int:
    import os
    import tempfile

    from benchmarks.harness import BENCH_KEY

    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    os.environ.setdefault("SIJIL_SECRET_KEY", BENCH_KEY)
    with tempfile.TemporaryDirectory(prefix="sijil-trail-") as work:
        total = build(sys.argv[1], int(sys.argv[2]), Path(work),
                      say=lambda m: print(m, file=sys.stderr))
    print(f"{total} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
