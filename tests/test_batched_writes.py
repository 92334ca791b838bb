"""Bulk writes in batches write exactly what writing one incident per flush writes: the same
rows in every table (sealed values compared opened), the same audit entries in the same
order, a trail that verifies; and an import reads its file once to parse it."""

from __future__ import annotations

import builtins
import csv
import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from records.audit_chain import audited_models
from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.models.keys import DataKey
from records.sealing import (
    SEALABLE,
    incident_owner,
    is_sealed,
    open_values,
    person_owner,
    source_owner,
)
from records.services.access import SYSTEM
from records.services.audit import verify_chain
from records.services.demo import load_demo
from records.services.demo import loader as demo_loader
from records.services.exchange import COLUMNS, import_file
from tests.conftest import _engine_for

ACTOR = "0b8f5f0e-0000-4000-8000-0000000000a1"
PARENT = "0b8f5f0e-0000-4000-8000-0000000000a2"
SOURCE = "0b8f5f0e-0000-4000-8000-0000000000b1"
CONFIDENTIAL = "0b8f5f0e-0000-4000-8000-0000000000b2"


def _victim_uid(n: int, k: int) -> str:
    return f"0b8f5f0e-0000-4000-8000-{n:08d}{k:04d}"


def _rows(n: int) -> list[dict]:
    """Incident n: two victims (one consenting), a perpetrator in a parent group, two
    citations (one of a confidential source), a case event citing a source; every third
    restricted, every fifth without a ref (numbered after the file's own) and with one
    victim (a row without a ref is an incident of its own)."""
    base = {
        "incident_ref": "" if n % 5 == 0 else f"INC-2020-{n:05d}",
        "title": f"Incident {n}", "narrative": f"What happened in incident {n}.",
        "incident_type": "killing", "start_date": f"2020-03-{n % 28 + 1:02d}",
        "date_precision": "day", "country": "IQ", "admin1": "IQ-BG",
        "status": ("verified", "draft", "submitted")[n % 3],
        "confidence": "reported", "sensitivity": "restricted" if n % 3 == 0 else "normal",
        "tags": "bulk; test",
        "perpetrator_actor_uid": ACTOR, "perpetrator_actor_name": "Fictional Brigade",
        "perpetrator_actor_type": "state_affiliated_armed_group",
        "perpetrator_actor_parent_uid": PARENT,
        "perpetrator_actor_parent_name": "Fictional Coalition",
        "perpetrator_actor_parent_type": "state_affiliated_armed_group",
        "perpetrator_attribution": "alleged", "perpetrator_basis": "witnesses",
        "citation_source_uid": f"{SOURCE}; {CONFIDENTIAL}",
        "citation_source_kind": "media; witness_testimony",
        "citation_source_title": "Fictional Times; Witness statement",
        "citation_source_confidential": "false; true",
        "citation_statement": f"Reports {n}.; Saw {n}.",
        "citation_quote": "; quoted",
        "case_event_date": "2020-05-01", "case_event_date_precision": "month",
        "case_event_kind": "complaint", "case_event_description": f"Complaint {n}",
        "case_event_source_uid": SOURCE,
    }
    victims = []
    for k, consent in ((1, "true"), (2, "false")):
        victims.append({**base, "victim_uid": _victim_uid(n, k),
                        "victim_name": f"Person {n}-{k}", "victim_name_original": "شخص",
                        "victim_sex": "female" if k == 1 else "male",
                        "victim_outcome": "killed" if k == 1 else "injured",
                        "victim_consent": consent, "victim_contact": f"+964 {n} {k}"})
    return victims[:1] if n % 5 == 0 else victims


def _file(path: Path, incidents: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for n in range(1, incidents + 1):
            writer.writerows(_rows(n))
    return path


@pytest.fixture
def twin(engine, tmp_path, sqlite_templates, pg_server):
    """A second database on the same engine as `engine`, made from the same template."""
    kind = "sqlite" if engine.dialect.name == "sqlite" else "postgresql"
    folder = tmp_path / "twin"
    folder.mkdir()
    made = _engine_for(SimpleNamespace(param=kind), folder, sqlite_templates, pg_server,
                       "users")
    yield next(made)
    next(made, None)


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_KEY_ID = re.compile(r"[0-9a-f]{16}")  # a data key's id, as the trail names each key made


def _canon(value, uids: dict[str, str]):
    """What must be equal between two runs: random uids named by their order of creation,
    sealed values, times, keyed digests and key ids by their kind (the rows are compared
    opened)."""
    if isinstance(value, dict):
        return {k: _canon(v, uids) for k, v in value.items()}
    if isinstance(value, list):
        return [_canon(v, uids) for v in value]
    if isinstance(value, str):
        if is_sealed(value):
            return "<sealed>"
        if value.startswith(("hmac-sha256:", "$argon2")):
            return "<digest>"
        if _TIME.match(value):
            return "<time>"
        if _KEY_ID.fullmatch(value):
            return "<key id>"
        owner, _sep, uid = value.partition(":")
        if uid in uids:
            return f"{owner}:{uids[uid]}"
        return uids.get(value, value)
    return value


def _snapshot(engine) -> dict:
    """Every row of every audited table and of data_key, in id order, and the trail."""
    with read_session(engine) as session:
        conn = session.connection()
        uids: dict[str, str] = {}
        for table in ("actor", "person", "source"):
            for (uid,) in conn.execute(select(audited_table(table).c.uid)
                                       .order_by(audited_table(table).c.id)):
                uids[uid] = f"{table}#{len(uids)}"
        refs = dict(conn.execute(select(audited_table("incident").c.id,
                                        audited_table("incident").c.ref)).all())
        tables = {}
        for model in audited_models():
            table = model.__table__
            rows = []
            for row in conn.execute(select(table).order_by(table.c.id)).mappings():
                values = dict(row)
                if table.name in SEALABLE:
                    values = open_values(session, table.name, _owner(table.name, values, refs),
                                         values)
                rows.append({k: _canon(v, uids) for k, v in values.items()
                             if not isinstance(v, dt.datetime)})
            tables[table.name] = rows
        keys = DataKey.__table__
        tables["data_key"] = [_canon(owner, uids) for (owner,) in conn.execute(
            select(keys.c.owner).order_by(keys.c.id))]
        entries = [
            (e.actor_id, e.action, e.entity_type, e.entity_id, e.incident_ref,
             _canon(json.loads(e.changes), uids), e.reason)
            for e in conn.execute(select(audited_table("audit_entry")).order_by(
                audited_table("audit_entry").c.seq))]
        assert verify_chain(session, by=SYSTEM, workers=1).ok
    return {"tables": tables, "entries": entries}


def audited_table(name: str):
    return next(m.__table__ for m in (*audited_models(), DataKey)
                if m.__table__.name == name) if name != "audit_entry" else _entry_table()


def _entry_table():
    from records.models import AuditEntry

    return AuditEntry.__table__


def _owner(table: str, values: dict, refs: dict[int, str]) -> str | None:
    if table == "person":
        return person_owner(values["uid"])
    if table == "source":
        return source_owner(values["uid"])
    if table == "incident":
        return incident_owner(values["ref"])
    return incident_owner(refs[values["incident_id"]])


def _import(engine, path: Path, batch_size: int):
    with unit_of_work(engine) as session:
        return import_file(session, path, by=SYSTEM, batch_size=batch_size)


def test_batched_import_writes_what_one_flush_per_incident_writes(engine, twin, tmp_path):
    path = _file(tmp_path / "bulk.csv", 12)
    one = _import(twin, path, batch_size=1)
    batched = _import(engine, path, batch_size=500)
    assert (one.created, batched.created) == (12, 12)
    rows, expected = _snapshot(engine), _snapshot(twin)
    assert rows["tables"] == expected["tables"]
    assert _keys_apart(rows["entries"]) == _keys_apart(expected["entries"])
    tables = rows["tables"]
    # Known answers, counted from the file above.
    assert (len(tables["incident"]), len(tables["victim"]), len(tables["citation"]),
            len(tables["case_event"]), len(tables["perpetrator"])) == (12, 22, 24, 12, 12)
    assert [r["ref"] for r in tables["incident"]][-2:] == ["INC-2020-00013", "INC-2020-00014"]
    assert {r["name"] for r in tables["actor"]} == {"Fictional Brigade", "Fictional Coalition"}
    restricted = [r for r in tables["incident"] if r["sensitivity"] == "restricted"]
    assert restricted and restricted[0]["narrative"].startswith("What happened")
    # The withheld name of the victim who did not consent opens...
    assert tables["person"][1]["full_name"] == "Person 1-2"
    creates = [e for e in rows["entries"]
               if e[1] == "create" and (e[6] or "").startswith("import of bulk.csv")]
    people = [e for e in creates if e[2] == "person"]
    # ...and is stored and recorded sealed; a consenting victim's is not.
    assert people[1][5]["full_name"] == [None, "<sealed>"]
    assert people[0][5]["full_name"] == [None, "Person 1-1"]
    # The cited source before the case event naming it, the parent group before its
    # brigade: each flushed on its own first.
    assert [e[2] for e in creates[:2]] == ["source", "actor"]
    assert rows["entries"][-1][1] == "import"
    assert rows["entries"][-1][5]["created"] == 12


def test_a_problem_late_in_the_file_leaves_nothing_written(engine, tmp_path):
    path = _file(tmp_path / "bulk.csv", 4)
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=COLUMNS).writerow(
            {**_rows(5)[0], "incident_type": "massacre"})
    before = _snapshot(engine)
    with unit_of_work(engine) as session, pytest.raises(ValidationError) as raised:
        import_file(session, path, by=SYSTEM, batch_size=1)
    assert "massacre" in str(raised.value.problems[0].value)
    assert _snapshot(engine) == before


def test_the_import_parses_its_file_once_and_hashes_what_it_read(engine, tmp_path,
                                                                 monkeypatch):
    text = ("incident_ref,title,incident_type,start_date,victim_name,victim_outcome\n"
            "INC-2021-00007,One,killing,2021-01-02,Aya,killed\n"
            "INC-2021-00007,One,killing,2021-01-02,Bilal,injured\n"
            "INC-2021-00008,Two,threat,2021-02-03,,\n")
    path = tmp_path / "once.csv"
    path.write_bytes(text.encode("utf-8"))
    opened: list[str] = []
    real_open = builtins.open

    def counting_open(file, mode="r", *args, **kwargs):
        if str(file) == str(path):
            opened.append(mode)
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(Path, "open", lambda self, mode="r", *a, **k: counting_open(
        self, mode, *a, **k))
    result = _import(engine, path, batch_size=500)
    assert result.created == 2
    # The first 4 KB sniffed for binary data, one byte pass (encoding, line lengths, the
    # hash), one parse: before, the file was parsed three times and hashed apart.
    assert opened == ["rb", "rb", "r"]
    assert result.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert result.sha256 == "2a2bdf97c2a71a8df408b3563a1454e528f9d7c95064d5d71cca58e4a374817d"


def test_batched_demo_writes_what_one_flush_per_incident_writes(engine, twin, monkeypatch):
    load_demo(engine, incidents=30, seed=7, by=SYSTEM, chunk_size=20)
    real = demo_loader.create_incidents

    def one_by_one(session, items, *, by, batch_size, reason):
        # One flush per incident, the rows kept in the session for the review steps.
        return sum(real(session, [item], by=by, batch_size=2, reason=reason)
                   for item in items)

    monkeypatch.setattr(demo_loader, "create_incidents", one_by_one)
    load_demo(twin, incidents=30, seed=7, by=SYSTEM, chunk_size=20)
    rows, expected = _snapshot(engine), _snapshot(twin)
    assert rows["tables"] == expected["tables"]
    # Rows are created in the same order; a review step changes many incidents in one
    # flush, which records them in the session's order: each row's history is the same.
    creates = [e for e in rows["entries"] if e[1] == "create"]
    assert creates == [e for e in expected["entries"] if e[1] == "create"]
    entries, keys = _keys_apart(rows["entries"])
    expected_entries, expected_keys = _keys_apart(expected["entries"])
    assert keys == expected_keys
    assert _by_row(entries) == _by_row(expected_entries)
    assert len(rows["tables"]["incident"]) == 30
    assert len(entries) == len(expected_entries)


def _keys_apart(entries: list[tuple]) -> tuple[list[tuple], list]:
    """The entries without those naming the data keys made, and those keys in order: a
    flush names the keys it makes in one entry, so batching groups them differently."""
    others = [e for e in entries if e[1] != "keys_create"]
    return others, [k for e in entries if e[1] == "keys_create" for k in e[5]["keys"]]


def _by_row(entries: list[tuple]) -> dict:
    histories: dict = {}
    for entry in entries:
        histories.setdefault((entry[2], entry[3]), []).append(entry)
    return histories
