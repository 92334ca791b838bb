"""`sijil audit verify` finds every kind of tampering and names the entry to blame.

The append-only triggers are dropped by hand first, as an attacker with database access
would; the CLI runs as a separate process on the same database. The attacker here even
holds the installation's key and signs what they rewrite (an insider): what is left to
catch them is the chain's links, the head and the replay. Attackers without the key are
caught sooner, by the signature (tests/test_audit_keyed.py)."""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest
from sqlalchemy import delete, func, insert, select, text, update

from records.audit_chain import entry_hash, format_time, keyed_entry_hash
from records.db import read_session, unit_of_work
from records.keys import load_chain_keys, read_master_key
from records.models import Actor, AuditCheckpoint, AuditEntry, Incident, Perpetrator
from records.services.access import SYSTEM
from records.services.audit import verify_chain
from records.services.incidents import create_incident, update_incident
from records.services.review import submit_incident
from tests.factories import incident_data

entries = AuditEntry.__table__
checkpoint = AuditCheckpoint.__table__


def _story(engine, users) -> dict[str, int]:
    """An incident, two edits of its title and a submit; the seqs of the edits."""
    carla = users["carla"]
    with unit_of_work(engine) as session:
        incident = create_incident(session, incident_data(), by=carla)
    with unit_of_work(engine) as session:
        v = update_incident(session, incident.ref, {"title": "First title"}, by=carla,
                            expected_version=incident.version).version
    with unit_of_work(engine) as session:
        v = update_incident(session, incident.ref, {"title": "Second title"}, by=carla,
                            expected_version=v).version
    with unit_of_work(engine) as session:
        submit_incident(session, incident.ref, by=carla, expected_version=v)
    with read_session(engine) as session:
        edits = session.scalars(select(AuditEntry.seq).where(
            AuditEntry.action == "update", AuditEntry.incident_ref == incident.ref)
            .order_by(AuditEntry.seq)).all()
        last = session.scalar(select(func.max(AuditEntry.seq)))
    return {"first_edit": edits[0], "second_edit": edits[1], "last": last,
            "incident_id": incident.id}


def _drop_triggers(engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_entry_no_update"))
            conn.execute(text("DROP TRIGGER audit_entry_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER audit_entry_no_update_delete ON audit_entry"))


def _signed(conn, *fields) -> str:
    """The entry's hash as a holder of the installation's key writes it."""
    return keyed_entry_hash(load_chain_keys(conn, read_master_key()).entry_key, *fields)


def _rechain(conn, from_seq: int) -> None:
    """Recompute every hash from `from_seq` on and move the chain head, as a careful
    attacker would."""
    prev = conn.scalar(select(entries.c.hash).where(entries.c.seq == from_seq - 1))
    rows = conn.execute(select(entries).where(entries.c.seq >= from_seq)
                        .order_by(entries.c.seq)).all()
    for row in rows:
        digest = _signed(conn, row.seq, format_time(row.at), row.actor_id, row.action,
                            row.entity_type, row.entity_id, row.incident_ref, row.changes,
                            row.reason, prev)
        conn.execute(update(entries).where(entries.c.seq == row.seq)
                     .values(prev_hash=prev, hash=digest))
        prev = digest
    conn.execute(update(checkpoint).values(seq=rows[-1].seq, hash=prev))


def _forge(conn, seq: int, incident_id: int, old: str, new: str) -> dict:
    """An entry recording a title change that never happened, hashed as the real ones."""
    return {"seq": seq, "at": dt.datetime.now(dt.UTC), "actor_id": None, "action": "update",
            "entity_type": "incident", "entity_id": incident_id,
            "incident_ref": "INC-2020-00001", "changes": json.dumps({"title": [old, new]}),
            "reason": None, "prev_hash": "", "hash": ""}


def _insert_forged(conn, at_seq: int, story: dict, old: str, new: str) -> None:
    later = conn.scalars(select(entries.c.seq).where(entries.c.seq >= at_seq)
                         .order_by(entries.c.seq.desc())).all()
    for seq in later:  # one by one, so the unique seq never collides
        conn.execute(update(entries).where(entries.c.seq == seq).values(seq=seq + 1))
    conn.execute(insert(entries).values(_forge(conn, at_seq, story["incident_id"], old, new)))
    _rechain(conn, at_seq)


def _append_forged(conn, story: dict, *, move_head: bool, keyed: bool = True) -> None:
    seq = story["last"] + 1
    row = _forge(conn, seq, story["incident_id"], "Second title", "Forged title")
    row["prev_hash"] = conn.scalar(select(entries.c.hash).where(entries.c.seq == seq - 1))
    fields = (seq, format_time(row["at"]), None, "update", "incident", row["entity_id"],
              row["incident_ref"], row["changes"], None, row["prev_hash"])
    row["hash"] = _signed(conn, *fields) if keyed else entry_hash(*fields)
    conn.execute(insert(entries).values(row))
    if move_head:
        conn.execute(update(checkpoint).values(seq=seq, hash=row["hash"]))


def _set(conn, which: int, /, **values) -> None:
    conn.execute(update(entries).where(entries.c.seq == which).values(**values))


# An entry changed and not signed again: its keyed hash no longer matches.
UNSIGNED = "is not signed by this installation's key (altered, or written with another key)"

TAMPERING = {
    "changed_changes": (lambda c, s: _set(c, s["first_edit"], changes=json.dumps(
        {"title": ["Shooting of a protest organiser near Tahrir Square (fictional)",
                   "Harmless title"]})), "first_edit", UNSIGNED),
    "changed_actor": (lambda c, s: _set(c, s["first_edit"], actor_id=None),
                      "first_edit", UNSIGNED),
    "changed_time": (lambda c, s: _set(c, s["first_edit"], at=dt.datetime(2020, 1, 1,
                                                                          tzinfo=dt.UTC)),
                     "first_edit", UNSIGNED),
    "altered_and_rehashed": (lambda c, s: (_set(c, s["first_edit"], reason="routine"),
                                           _rehash_one(c, s["first_edit"])),
                             "first_edit", "records a different hash"),
    "deleted_in_the_middle": (lambda c, s: c.execute(delete(entries).where(
        entries.c.seq == s["first_edit"])), "first_edit", "is missing"),
    "deleted_tail": (lambda c, s: c.execute(delete(entries).where(
        entries.c.seq >= s["last"] - 1)), "last-1", "missing"),
    "reordered": (lambda c, s: _swap(c, s["first_edit"], s["second_edit"]),
                  "first_edit", UNSIGNED),
    "inserted_in_the_middle": (lambda c, s: _insert_forged(
        c, s["first_edit"] + 1, s, "First title", "Forged title"),
        "first_edit+1", "does not follow"),
    "appended_after_the_head": (lambda c, s: _append_forged(c, s, move_head=False),
                                "last+1", "after the chain head"),
    "appended_with_the_head_moved": (lambda c, s: _append_forged(c, s, move_head=True),
                                     "last+1", "the database has"),
    "appended_without_the_key": (lambda c, s: _append_forged(c, s, move_head=True,
                                                             keyed=False),
                                 "last+1", "carries a plain SHA-256"),
}


def _rehash_one(conn, seq: int) -> None:
    row = conn.execute(select(entries).where(entries.c.seq == seq)).one()
    conn.execute(update(entries).where(entries.c.seq == seq).values(hash=_signed(
        conn, row.seq, format_time(row.at), row.actor_id, row.action, row.entity_type,
        row.entity_id, row.incident_ref, row.changes, row.reason, row.prev_hash)))


def _swap(conn, a: int, b: int) -> None:
    _set(conn, a, seq=-1)
    _set(conn, b, seq=a)
    _set(conn, -1, seq=b)


def _expected(story: dict, name: str) -> int:
    base, _, offset = name.replace("+", "|+").replace("-", "|-").partition("|")
    return story[{"last": "last", "first_edit": "first_edit"}[base]] + int(offset or 0)


def test_untouched_trail_verifies(engine, users, sijil_process):
    story = _story(engine, users)
    done = sijil_process(engine, "audit", "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"audit trail intact: {story['last']} entries checked\n"
    assert done.stderr == ""


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_tampering_is_found_and_the_entry_named(engine, users, tampering, sijil):
    story = _story(engine, users)
    tamper, blamed, says = TAMPERING[tampering]
    _drop_triggers(engine)
    with engine.begin() as conn:
        tamper(conn, story)
    done = sijil(engine, "audit", "verify")
    seq = _expected(story, blamed)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"sijil: audit trail broken at seq {seq}: "), done.stderr
    assert says in done.stderr
    assert len(done.stderr.splitlines()) == 1


def _unaudited_actor(conn) -> int:
    now = dt.datetime.now(dt.UTC)
    return conn.execute(insert(Actor.__table__).values(
        name="Written behind the trail", aliases=[], actor_type="unidentified_gunmen",
        uid="00000000-0000-4000-8000-000000000001", created_at=now, updated_at=now,
        version=1).returning(Actor.__table__.c.id)).scalar_one()


BEHIND_THE_TRAIL = {
    "row_changed": lambda c, s: c.execute(update(Incident.__table__).values(title="Changed")),
    "row_deleted": lambda c, s: c.execute(delete(Perpetrator.__table__)),
    "row_unaudited": lambda c, s: _unaudited_actor(c),
}


def test_a_row_deleted_behind_the_trail_is_found(engine, users):
    _story(engine, users)
    with engine.begin() as conn:
        perpetrator = conn.scalar(select(Perpetrator.__table__.c.id))
        created = conn.scalar(select(AuditEntry.seq).where(
            AuditEntry.entity_type == "perpetrator", AuditEntry.entity_id == perpetrator))
        conn.execute(delete(Perpetrator.__table__))
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM)
    assert result.message == (f"audit trail broken at seq {created}: entry {created}: "
                              f"perpetrator {perpetrator} is in the trail but not in the "
                              "database")
    assert result.first_bad_seq == created


def test_a_row_written_behind_the_trail_is_found(engine, users):
    _story(engine, users)
    with engine.begin() as conn:
        actor = _unaudited_actor(conn)
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM)
    assert (result.ok, result.first_bad_seq) == (False, None)
    assert result.message == ("audit trail broken outside the trail: "
                              f"actor {actor} was written without any audit entry")


@pytest.mark.parametrize("tampering", sorted(TAMPERING) + sorted(BEHIND_THE_TRAIL))
def test_the_verdict_does_not_depend_on_how_the_work_is_cut(engine, users, tampering,
                                                            monkeypatch):
    story = _story(engine, users)
    _drop_triggers(engine)
    with engine.begin() as conn:
        (TAMPERING[tampering][0] if tampering in TAMPERING else BEHIND_THE_TRAIL[tampering])(
            conn, story)
    with read_session(engine) as session:
        whole = verify_chain(session, by=SYSTEM, workers=1)
    # Units of two entries: many ranges of the chain and of each table, joined again.
    monkeypatch.setattr("records.services.audit.verify.UNIT_ENTRIES", 2)
    with read_session(engine) as session:
        cut = verify_chain(session, by=SYSTEM, workers=1)
    with read_session(engine) as session:
        shared = verify_chain(session, by=SYSTEM, workers=2)
    assert not whole.ok
    assert cut == whole
    assert shared == whole


def test_a_record_changed_behind_the_trail_is_found(engine, users):
    story = _story(engine, users)
    with engine.begin() as conn:
        conn.execute(update(Incident.__table__).values(title="Quietly changed"))
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM)
    assert (result.ok, result.first_bad_seq) == (False, story["second_edit"])
    assert result.message == (
        f"audit trail broken at seq {story['second_edit']}: entry {story['second_edit']}: "
        f"the trail gives incident {story['incident_id']}.title = \"Second title\", the "
        "database has \"Quietly changed\"")


@pytest.mark.parametrize("tampering", ["inserted_in_the_middle", None])
def test_the_helper_process_gives_the_same_verdict(engine, users, tampering):
    story = _story(engine, users)
    if tampering:
        _drop_triggers(engine)
        with engine.begin() as conn:
            TAMPERING[tampering][0](conn, story)
    with read_session(engine) as session:
        alone = verify_chain(session, by=SYSTEM, workers=1)
    with read_session(engine) as session:
        helped = verify_chain(session, by=SYSTEM, workers=2)
    assert helped == alone
    assert alone.ok is (tampering is None)


def test_with_helpers_this_process_runs_no_unit(engine, users):
    _story(engine, users)

    def not_here(*args, **kwargs):
        raise AssertionError("the verifying process ran units itself")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("records.services.audit.verify._run_here", not_here)
        with read_session(engine) as session:
            result = verify_chain(session, by=SYSTEM, workers=2)
    assert result.ok, result.message


HELPERS_THAT_FAIL = {
    "die at once": "raise SystemExit(3)",
    "answer nonsense": "import sys; sys.stdin.readline(); print('{\"what\": 1}', flush=True)",
    "die after one unit": """
import sys
from records.services.audit.work import serve
class OneUnit:
    def readline(self):
        return sys.stdin.readline()
    def __iter__(self):
        yield sys.stdin.readline()
serve(OneUnit(), sys.stdout)
raise SystemExit(1)
""",
}


@pytest.mark.parametrize("failure", sorted(HELPERS_THAT_FAIL))
def test_failed_helpers_leave_the_work_to_this_process(engine, users, monkeypatch, caplog,
                                                       failure):
    story = _story(engine, users)
    monkeypatch.setattr("records.services.audit.helper_pool.HELPER_COMMAND",
                        [sys.executable, "-c", HELPERS_THAT_FAIL[failure]])
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM, workers=2)
    assert (result.ok, result.checked) == (True, story["last"]), result.message
    assert "a verification helper failed; verifying in this process" in caplog.text


def test_a_write_during_verification_does_not_change_its_verdict(engine, users, monkeypatch,
                                                                  caplog):
    """A write that lands after the verification began is not part of what it checks: on
    PostgreSQL the helpers share the verifying snapshot; on SQLite a helper that opened its
    own after the write is noticed, and this process does the work."""
    story = _story(engine, users)
    from records.services.audit import helper_pool as audit_helpers

    start = audit_helpers._start

    def write_first(task):
        with unit_of_work(engine) as session:
            create_incident(session, incident_data(title="Written meanwhile"),
                            by=users["carla"])
        return start(task)

    monkeypatch.setattr(audit_helpers, "_start", write_first)
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM, workers=2)
    assert (result.ok, result.checked) == (True, story["last"]), result.message
    fell_back = "read a later state of the database" in caplog.text
    assert fell_back is (engine.dialect.name == "sqlite")
    with read_session(engine) as session:
        assert verify_chain(session, by=SYSTEM, workers=1).checked > story["last"]


def test_progress_is_reported(engine, users):
    story = _story(engine, users)
    seen: list[tuple[int, int]] = []
    with read_session(engine) as session:
        verify_chain(session, by=SYSTEM, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (story["last"], story["last"])
