"""The fast replay never passes a row that the exact replay blames, and blames no row that
the exact replay passes: the fast pass only decides which rows the exact one looks at."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from records.services.audit.exact_replay import content_hash, exact_problem, row_values
from records.services.audit.fast_replay import prepare_spec, row_fits

FIELDS = ["a", "b", "tags", "secret"]
VALUES = st.sampled_from([None, 0, 1, 2.5, "x", "y", True])
TAGS = st.sampled_from([None, [], ["x"], ["x", "y"]])


def _spec(redacted: bool) -> dict:
    return prepare_spec({"table": "thing",
                         "fields": [["a", "plain"], ["b", "plain"], ["tags", "json"],
                                    ["secret", "plain"]],
                         "redacted": ["secret"] if redacted else [],
                         "purge_checkable": not redacted}, "sqlite")


def _value(draw, field):
    return draw(TAGS if field == "tags" else VALUES)


@st.composite
def histories(draw):
    """A row's entries as the write path would give them, then perhaps tampered with: an
    old value that does not follow, a row changed behind the trail, a step left out."""
    redacted = draw(st.booleans())
    spec = _spec(redacted)
    state: dict | None = None
    entries = []
    for seq in range(1, draw(st.integers(1, 6)) + 1):
        action = "create" if state is None else draw(st.sampled_from(
            ["update", "verify", "revert", "delete", "purge", "create"]))
        if action == "create":
            new = {f: _value(draw, f) for f in draw(st.sets(st.sampled_from(FIELDS)))}
            changes = {f: [None, v] for f, v in new.items() if v is not None}
            state = {f: v for f, v in new.items() if v is not None} if state is None else state
        elif action == "purge":
            right = content_hash(state, sorted(FIELDS))
            changes = {"content_sha256": [None, right if draw(st.booleans()) else "0" * 64]}
            state = None
        else:
            changes = {}
            for f in draw(st.sets(st.sampled_from(FIELDS), min_size=1)):
                old = state.get(f) if draw(st.integers(0, 9)) else _value(draw, f)
                new = _value(draw, f)
                changes[f] = [old, new]
                if new is None:
                    state.pop(f, None)
                else:
                    state[f] = new
            if action == "delete":
                state = None
        if redacted and "secret" in changes:
            changes["secret"] = ["[redacted]" if v is not None else None
                                 for v in changes["secret"]]
        entries.append((seq, action, json.dumps(changes, ensure_ascii=False, sort_keys=True)))
    if state is not None and draw(st.integers(0, 4)) == 0:
        state[draw(st.sampled_from(FIELDS))] = _value(draw, "a")  # changed behind the trail
    if draw(st.integers(0, 9)) == 0:
        entries.pop(draw(st.integers(0, len(entries) - 1)))  # an entry left out
    values = None
    if state is not None and draw(st.integers(0, 9)):
        values = tuple(json.dumps(state[f]) if f == "tags" and state.get(f) is not None
                       else state.get(f) for f in FIELDS)
    return spec, entries, values


@settings(max_examples=600)
@given(histories())
def test_the_fast_replay_agrees_with_the_exact_one(history):
    spec, entries, values = history
    row = row_values(spec, values) if values is not None else None
    exact = exact_problem(spec, 1, entries, row)
    fast = row_fits(spec, [(action, changes) for _seq, action, changes in entries], values)
    assert fast is (exact is None), exact


def test_a_create_that_holds_the_row_fits():
    spec = _spec(False)
    entries = [("create", '{"a":[null,1],"tags":[null,["x"]]}')]
    assert row_fits(spec, entries, (1, None, '["x"]', None)) is True
    assert row_fits(spec, entries, (2, None, '["x"]', None)) is False


def test_malformed_changes_never_fit():
    spec = _spec(False)
    for changes in ('{"a":"x1"}', '{"a":[null]}', "[1]", "not json", '{"a":[null,1]} tail'):
        entries = [("create", changes)]
        assert row_fits(spec, entries, (1, None, None, None)) is False, changes
        assert exact_problem(spec, 1, [(7, "create", changes)], {"a": 1}) is not None
