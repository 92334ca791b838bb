"""The fast chain checks agree with the reference definitions of records.audit_chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import orjson
from hypothesis import given
from hypothesis import strategies as st

from records.audit_chain import entry_payload, format_time
from records.db import read_session, unit_of_work
from records.services.access import SYSTEM
from records.services.audit import verify_chain
from records.services.audit.chain_scan import HmacKey, fast_payload, sqlite_at
from records.services.incidents import create_incident
from tests.factories import incident_data

_text = st.text(max_size=40)


@given(seq=st.integers(1, 10**12), actor_id=st.none() | st.integers(1, 10**9),
       action=_text, entity_type=_text, entity_id=st.none() | st.integers(0, 10**12),
       incident_ref=st.none() | _text, changes=st.text(max_size=200),
       reason=st.none() | _text, prev_hash=_text)
def test_fast_payload_is_the_reference_payload(seq, actor_id, action, entity_type, entity_id,
                                               incident_ref, changes, reason, prev_hash):
    at = "2026-11-25T12:00:00.123456Z"
    args = (seq, at, actor_id, action, entity_type, entity_id, incident_ref, changes, reason,
            prev_hash)
    assert fast_payload(*args) == entry_payload(*args)


@given(key=st.binary(min_size=0, max_size=100), data=st.binary(max_size=300))
def test_fast_hmac_is_the_standard_hmac(key, data):
    """The scan's HMAC with precomputed pads is RFC 2104's, keys longer than a block too."""
    assert HmacKey(key).hexdigest(data) == hmac.new(key, data, hashlib.sha256).hexdigest()


@given(seq=st.integers(1, 10**12), actor_id=st.none() | st.integers(1, 10**9),
       action=_text, entity_type=_text, entity_id=st.none() | st.integers(0, 10**12),
       incident_ref=st.none() | _text, changes=st.text(max_size=200),
       reason=st.none() | _text, prev_hash=_text)
def test_orjson_writes_the_canonical_json_of_an_entry(seq, actor_id, action, entity_type,
                                                      entity_id, incident_ref, changes,
                                                      reason, prev_hash):
    """The SQLite scan hashes orjson's output: it must be entry_hash's payload exactly."""
    args = (seq, "2026-11-25T12:00:00.123456Z", actor_id, action, entity_type, entity_id,
            incident_ref, changes, reason, prev_hash)
    assert orjson.dumps(args) == json.dumps(
        list(args), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def test_fast_payload_of_a_known_entry():
    args = (1, "2026-11-25T12:00:00.000000Z", None, "create", "incident", 1,
            "INC-2020-00001", '{"title":[null,"قتل \\"x\\""]}', None, "0" * 64)
    assert fast_payload(*args) == entry_payload(*args) == (
        '[1,"2026-11-25T12:00:00.000000Z",null,"create","incident",1,"INC-2020-00001",'
        '"{\\"title\\":[null,\\"قتل \\\\\\"x\\\\\\"\\"]}",null,'
        f'"{"0" * 64}"]').encode()


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 1, 1)))
def test_sqlite_time_text_becomes_the_hashed_time(moment):
    stored = moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    assert sqlite_at(stored) == format_time(moment.replace(tzinfo=dt.UTC))


def test_sqlite_time_without_microseconds_is_read_too():
    assert sqlite_at("2026-11-25 12:00:00") == "2026-11-25T12:00:00.000000Z"


def test_an_intact_chain_never_needs_the_exact_recheck(engine, users, monkeypatch):
    with unit_of_work(engine) as session:
        create_incident(session, incident_data(
            title='The "quoted" \\ back\\slash title',
            narrative="Line one\nTab\there\x01 قتل 🙂",
            tags=["a\"b", "ج"]), by=users["carla"], reason="Why:\nbecause \"so\"")

    def exact(*args):
        raise AssertionError("the fast hash disagreed with the reference on an intact entry")

    monkeypatch.setattr("records.services.audit.chain_scan._exact_check", exact)
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM, workers=1)
    assert result.ok, result.message
