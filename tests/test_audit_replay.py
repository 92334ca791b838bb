"""The one definition of a replay step (apply_entry), and the verification passes held to
it: the fast pass says a row fits exactly when replaying its entries with apply_entry, each
checked against the row replayed so far, ends in the row; and it never passes a row that the
exact replay blames, nor blames one the exact replay passes."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from records.services.audit.exact_replay import content_hash, exact_problem, row_values
from records.services.audit.fast_replay import prepare_spec, row_fits
from records.services.audit.replay import apply_entry

FIELDS = ["a", "b", "tags", "secret"]
VALUES = st.sampled_from([None, 0, 1, 2.5, "x", "y", True])
TAGS = st.sampled_from([None, [], ["x"], ["x", "y"]])
BROKEN_PAIRS = st.sampled_from(["x", [1], [1, 2, 3], None, {}])
BROKEN_TEXTS = st.sampled_from(["[1]", "null", '"x"', "not json"])


def _spec(redacted: bool) -> dict:
    return prepare_spec({"table": "thing",
                         "fields": [["a", "plain"], ["b", "plain"], ["tags", "json"],
                                    ["secret", "plain"]],
                         "redacted": ["secret"] if redacted else [],
                         "purge_checkable": not redacted}, "sqlite")


def _value(draw, field):
    return draw(TAGS if field == "tags" else VALUES)


def _rare(draw, one_in: int) -> bool:
    return draw(st.integers(0, one_in - 1)) == 0


@st.composite
def histories(draw):
    """A row's entries as the write path would give them, then perhaps tampered with: an
    old value that does not follow, a create over the row, a wrong purge digest, a pair
    that is not [old, new], changes that are no JSON object, a step left out, a row changed
    behind the trail, gone or back. Creates may also hold what the write path never writes
    but the definition allows: a pair with a null new value, a key the table does not have.
    Also says whether the entries were left as written (the row may still be changed)."""
    redacted = draw(st.booleans())
    spec = _spec(redacted)
    state: dict | None = None
    entries, untampered = [], True
    for seq in range(1, draw(st.integers(1, 6)) + 1):
        action = "create" if state is None else draw(st.sampled_from(
            ["update", "verify", "revert", "delete", "purge", "create"]))
        if action == "create":
            new = {f: _value(draw, f) for f in draw(st.sets(st.sampled_from(FIELDS)))}
            changes = {f: [None, v] for f, v in new.items() if v is not None}
            if _rare(draw, 5):
                changes.setdefault(draw(st.sampled_from(FIELDS)), [draw(VALUES), None])
            if _rare(draw, 5):
                changes["other"] = [None, draw(VALUES)]
            if state is None:
                state = {f: v for f, v in new.items() if v is not None}
            else:
                untampered = False
        elif action == "purge":
            right = draw(st.booleans())
            changes = {"content_sha256": [None, content_hash(state, sorted(FIELDS)) if right
                                          else "0" * 64]}
            untampered = untampered and right
            state = None
        else:
            changes = {}
            for f in draw(st.sets(st.sampled_from(FIELDS), min_size=1)):
                old = state.get(f) if draw(st.integers(0, 9)) else _value(draw, f)
                untampered = untampered and old == state.get(f)
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
        if _rare(draw, 10):
            changes[draw(st.sampled_from(FIELDS))] = draw(BROKEN_PAIRS)
            untampered = False
        text = json.dumps(changes, ensure_ascii=False, sort_keys=True)
        if _rare(draw, 30):
            text, untampered = draw(BROKEN_TEXTS), False
        entries.append((seq, action, text))
    if state is not None and draw(st.integers(0, 4)) == 0:
        state[draw(st.sampled_from(FIELDS))] = _value(draw, "a")  # changed behind the trail
    if draw(st.integers(0, 9)) == 0:
        entries.pop(draw(st.integers(0, len(entries) - 1)))  # an entry left out
        untampered = False
    if state is None and _rare(draw, 5):
        state = {"a": _value(draw, "a")}  # back behind the trail
    values = None
    if state is not None and draw(st.integers(0, 9)):
        values = tuple(json.dumps(state[f]) if f == "tags" and state.get(f) is not None
                       else state.get(f) for f in FIELDS)
    return spec, entries, values, untampered


def _each_fits(spec: dict, entries: list) -> bool:
    """What verification asks of each entry, against the row replayed so far: changes that
    are a JSON object; a create only where there is no row, anything else only where there
    is one; every pair of the table's fields [old, new], each old value the row's (redacted
    fields aside; a create's are not looked at); a purge holding the digest of the row."""
    fields, hidden = spec["field_set"], spec["redacted_set"]
    state = None
    for _seq, action, text in entries:
        try:
            changes = json.loads(text)
        except ValueError:
            return False
        if not isinstance(changes, dict) or (action == "create") != (state is None):
            return False
        pairs = {f: pair for f, pair in changes.items() if f in fields}
        if action == "purge":
            digest = changes.get("content_sha256")
            if spec["content_fields"] is not None and not (
                    isinstance(digest, list) and len(digest) == 2
                    and digest[1] == content_hash(state, spec["content_fields"])):
                return False
        elif not all(isinstance(pair, list) and len(pair) == 2 for pair in pairs.values()) or (
                action != "create" and any(pair[0] != state.get(f) for f, pair in pairs.items()
                                           if f not in hidden)):
            return False
        state = apply_entry(state, action, changes, fields)
    return True


def _replays_to_row(spec: dict, entries: list, values: tuple | None) -> bool:
    """Every entry applied in turn with apply_entry, from no row, ends in the row as it is
    (None: no row), redacted fields aside."""
    state = None
    for _seq, action, text in entries:
        state = apply_entry(state, action, json.loads(text), spec["field_set"])
    if state is None or values is None:
        return state is None and values is None
    hidden = spec["redacted_set"]
    row = {f: v for f, v in row_values(spec, values).items() if v is not None}
    return ({f: v for f, v in row.items() if f not in hidden}
            == {f: v for f, v in state.items() if f not in hidden})


@settings(max_examples=600)
@given(histories())
def test_the_fast_replay_is_the_replay_with_apply_entry(history):
    spec, entries, values, untampered = history
    fits = _each_fits(spec, entries)
    assert fits or not untampered
    expected = fits and _replays_to_row(spec, entries, values)
    assert row_fits(spec, [(action, changes) for _seq, action, changes in entries],
                    values) is expected


@settings(max_examples=600)
@given(histories())
def test_the_fast_replay_agrees_with_the_exact_one(history):
    spec, entries, values, _untampered = history
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
    for spec in (_spec(False), _spec(True)):
        for changes in ('{"a":"x1"}', '{"a":[null]}', "[1]", "not json", '{"a":[null,1]} tail',
                        '{"a":[null,1],"secret":"x1"}', '{"a":[null,1],"secret":null}'):
            entries = [("create", changes)]
            assert row_fits(spec, entries, (1, None, None, None)) is False, changes
            assert exact_problem(spec, 1, [(7, "create", changes)], {"a": 1}) is not None


def test_a_create_starts_the_row_from_its_new_values():
    changes = {"a": [None, 1], "b": [None, None], "tags": [None, ["x"]], "c": [5, "y"]}
    assert apply_entry(None, "create", changes) == {"a": 1, "tags": ["x"], "c": "y"}
    assert apply_entry({"a": 2, "d": 3}, "create", {"b": [None, 4]}) == {"b": 4}


def test_an_update_sets_new_values_and_a_null_leaves_the_field_out():
    state = {"a": 1, "b": "x"}
    assert apply_entry(state, "update", {"a": [1, 2], "c": [None, True]}) == {
        "a": 2, "b": "x", "c": True}
    assert apply_entry(state, "revert", {"b": ["x", None]}) == {"a": 1}
    assert apply_entry(state, "update", {"a": [7, 3]}) == {"a": 3, "b": "x"}
    assert apply_entry(None, "update", {"a": [None, 1]}) is None
    assert state == {"a": 1, "b": "x"}


def test_delete_and_purge_end_the_row():
    assert apply_entry({"a": 1}, "delete", {"a": [1, None]}) is None
    assert apply_entry({"a": 1}, "purge", {"content_sha256": [None, "ab12"]}) is None


def test_a_malformed_pair_is_ignored():
    changes = {"a": "x1", "b": [None], "c": [1, 2, 3], "d": None, "e": [None, 5]}
    assert apply_entry({"a": 1}, "update", changes) == {"a": 1, "e": 5}
    assert apply_entry(None, "create", changes) == {"e": 5}


def test_only_the_fields_named_count():
    fields = frozenset({"a", "b"})
    assert apply_entry(None, "create", {"a": [None, 1], "id": [None, 9]}, fields) == {"a": 1}
    assert apply_entry({"a": 1}, "update", {"b": [None, 2], "x": [None, 3]}, fields) == {
        "a": 1, "b": 2}
