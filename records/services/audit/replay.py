"""What one audit entry does to a row: the one definition every replay of the trail uses.

The incident as it was (records.services.audit.history), the exact verification replay
(exact_replay) and the fast verification pass (fast_replay) all move a row from one state
to the next with apply_entry. Standard library only: the verification helpers import it and
must start quickly.
"""

from __future__ import annotations

from typing import Any

ENDING_ACTIONS = frozenset({"delete", "purge"})


def apply_entry(state: dict[str, Any] | None, action: str, changes: dict[str, Any],
                fields: frozenset[str] | None = None) -> dict[str, Any] | None:
    """The row right after one entry, given the row right before it.

    `state` is the row as {field: value} with its null fields left out, in the form the
    trail writes values (None: no row, not created yet or gone); `changes` is the entry's
    parsed changes, {field: [old, new]}. With `fields`, only those fields count: any other
    key of `changes` is ignored.

    - "create" starts a new row from the new values, leaving out those that are None,
      whatever `state` was;
    - "delete" and "purge" end the row: None;
    - any other action (update, revert, submit...) sets each field to its new value, or
      leaves the field out where the new value is None; with no row, there stays none.

    A pair that is not a list of two values is ignored, and old values are never compared
    with the state: whether an entry fits the row it applies to is the caller's to check.
    Event entries (log-in, export), which change no row, must be left out by the caller.
    The arguments are never changed: the state returned is a new dict, or None.
    """
    if action == "create":
        return {field: pair[1] for field, pair in changes.items()
                if isinstance(pair, list) and len(pair) == 2 and pair[1] is not None
                and (fields is None or field in fields)}
    if state is None or action in ENDING_ACTIONS:
        return None
    after = dict(state)
    for field, pair in changes.items():
        if isinstance(pair, list) and len(pair) == 2 and (fields is None or field in fields):
            if pair[1] is None:
                after.pop(field, None)
            else:
                after[field] = pair[1]
    return after
