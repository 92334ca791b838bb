"""Rules the trail must show were kept, checked by verification on each row's entries.

- Four eyes: an incident the trail leaves verified or published got there through a verify
  step by a named user other than its last editor and its submitter at that time (the
  system never verifies: no second person stands behind it); nothing is created so, an
  import included (docs/design.md §4). The last editor is the trail's
  `last_edited_by_id`; for a verify step before the seal, whose entries did not record
  it, the value the seal recorded (nothing can have changed it since: an edit sends a
  verified record back).
  A merge or its undoing is an edit of each incident whose links it changes: an incident
  a merge changed after its verify step and still verified or published is named, and so
  is a verify step by the one whose merge was the last change before it (a merge sends
  the incident back to review and records the merger as its last editor: a trail where
  it did not shows here).
- Credentials: each account's password hash is the one whose keyed digest the trail
  recorded last, so a hash set by SQL (to take over an account) shows.

Run in verification helpers: standard library and orjson only.
"""

from __future__ import annotations

import bisect

import orjson

from records.services.audit.chain_scan import HmacKey, Problem, fetch_one, placeholder, stream
from records.services.audit.replay import ENDING_ACTIONS

# records.keys.DIGEST_PREFIX (not imported: it would load `cryptography` into each helper;
# a test holds the two equal).
DIGEST_PREFIX = "hmac-sha256:"
VERIFIED = frozenset({"verified", "published"})
SEAL = "seal"
MISSING = object()  # the entry leaves the field alone
ENDED = object()  # the entry ends the row


def new_value(action: str, changes: str, field: str):
    """The value one entry (action, changes as stored) gives `field`: MISSING when it
    leaves the field alone, ENDED when it ends the row."""
    if action in ENDING_ACTIONS:
        return ENDED
    # In compact JSON a key is written "field": and inside a string every quote is
    # escaped, so most entries are passed over without being parsed.
    if f'"{field}":' not in changes:
        return MISSING
    try:
        parsed = orjson.loads(changes)
    except orjson.JSONDecodeError:
        return MISSING
    pair = parsed.get(field) if type(parsed) is dict else None
    return pair[1] if type(pair) is list and len(pair) == 2 else MISSING


# One row's entries as the replay reads them: (entity_id, action, changes, seq, actor_id).
Entry = tuple[int, str, str, int, int | None]


def _value(entry: Entry, field: str):
    return new_value(entry[1], entry[2], field)


def _before(entries: list[Entry], index: int, field: str):
    """The value of `field` right before entries[index] (None if never set)."""
    for k in range(index - 1, -1, -1):
        value = _value(entries[k], field)
        if value is ENDED:
            return None
        if value is not MISSING:
            return value
    return None


class Rules:
    """The rules for one verification: `seal` is the seal's seq (None: not sealed),
    `credential_key` the key of the password-hash digests."""

    def __init__(self, conn, dialect: str, seal: int | None, credential_key: HmacKey | None):
        self.conn, self.dialect = conn, dialect
        self.seal, self.credential_key = seal, credential_key
        self._roles: dict[int, tuple[list[int], list[str]]] | None = None
        self._merges: dict[int, list[tuple[int, int | None, str]]] | None = None

    def check(self, rule: str, entity_id: int, entries: list[Entry], names: list[str],
              values: tuple | None) -> Problem | None:
        """One row's entries, oldest first, and the row as it is (its values of the
        columns `names`; None: no row)."""
        if rule == "four_eyes":
            return self.four_eyes(entries)
        row = None if values is None else dict(zip(names, values, strict=True))
        return self.credentials(entity_id, entries, row)

    def four_eyes(self, entries: list[Entry]) -> Problem | None:
        run: list[int] = []  # newest first: the entries that kept it verified or published
        decisive = None
        for j in range(len(entries) - 1, -1, -1):
            status = _value(entries[j], "status")
            if status is MISSING:
                continue
            if status not in VERIFIED:
                break
            run.append(j)
            if status == "verified" or entries[j][1] == "create":
                decisive = j
                break
        if not run:
            return None
        if decisive is None:
            seq = entries[run[-1]][3]
            status = _value(entries[run[-1]], "status")
            return (seq, f"entry {seq} makes {self._ref(seq)} {status} without a verify step")
        _id, action, _changes, seq, actor = entries[decisive]
        if action == "create":
            # Imports keep a file's status as provenance only (docs/design.md §4): no
            # path, the system's and an admin's included, creates a record verified.
            who = "the system" if actor is None else self._user(actor)
            return (seq, f"entry {seq}: {who} creates {self._ref(seq)} as "
                         f"{_value(entries[decisive], 'status')}, without a verify step "
                         "(four eyes)")
        if action != "verify":
            return (seq, f"entry {seq} makes {self._ref(seq)} verified by a '{action}', "
                         "not a verify step")
        if actor is None:
            return (seq, f"entry {seq}: the system verifies {self._ref(seq)}, but a verify "
                         "step needs a named reviewer (four eyes)")
        if actor == _before(entries, decisive, "submitted_by_id"):
            return (seq, f"entry {seq}: {self._user(actor)} verifies {self._ref(seq)}, "
                         "which they submitted (four eyes)")
        if actor == self._last_editor(entries, decisive):
            return (seq, f"entry {seq}: {self._user(actor)} verifies {self._ref(seq)}, "
                         "which they last edited (four eyes)")
        return self._merged(entries, decisive, _value(entries[run[0]], "status"))

    def _merged(self, entries: list[Entry], decisive: int, status: str) -> Problem | None:
        """Merges count as edits: none may follow the verify step entries[decisive], and
        its reviewer may not be the one whose merge was the last change before it."""
        merges = self._merges_of(entries[0][0])
        if not merges:
            return None
        seq, actor = entries[decisive][3], entries[decisive][4]
        later = [m for m in merges if m[0] > seq]
        if later:
            at, who, action = later[0]
            what = "a merge" if action == "merge" else "the undoing of a merge"
            by = "the system" if who is None else self._user(who)
            return (at, f"entry {at}: {what} by {by} changes {self._ref(seq)}, which stays "
                        f"{status} without a verify step after it (four eyes)")
        earlier = [m for m in merges if m[0] < seq]
        if not earlier or self.seal is None or seq < self.seal:
            return None  # before the seal the trail did not record who last edited
        edited = next((entries[k][3] for k in range(decisive - 1, -1, -1)
                       if _value(entries[k], "last_edited_by_id") is not MISSING), None)
        at, who, _action = earlier[-1]
        if who == actor and (edited is None or at > edited):
            return (seq, f"entry {seq}: {self._user(actor)} verifies {self._ref(seq)}, "
                         "which they last changed by a merge (four eyes)")
        return None

    def _merges_of(self, incident_id: int) -> list[tuple[int, int | None, str]]:
        """(seq, actor, action) of each merge or unmerge entry that changed the incident
        or one of its links, oldest first. Merges are few: all are read at the first ask."""
        if self._merges is None:
            self._merges = {}
            cursor = stream(self.conn, self.dialect, "", "SELECT seq, actor_id, action, "
                            "entity_type, entity_id, incident_ref, changes FROM audit_entry "
                            "WHERE action IN ('merge', 'unmerge') ORDER BY seq")
            rows = cursor.fetchall()
            cursor.close()
            refs: dict[str, int | None] = {}
            for seq, actor, action, entity_type, entity_id, ref, changes in rows:
                ids = {entity_id} if entity_type == "incident" else set()
                if entity_type != "incident" and '"incident_id":' in changes:
                    pair = orjson.loads(changes).get("incident_id")
                    ids.update(pair if type(pair) is list else ())  # the link left and joined
                if ref is not None and entity_type != "incident":
                    if ref not in refs:
                        refs[ref] = self._incident_id(ref)
                    ids.add(refs[ref])
                for incident_id in ids - {None}:
                    self._merges.setdefault(incident_id, []).append((seq, actor, action))
        return self._merges.get(incident_id, [])

    def _incident_id(self, ref: str) -> int | None:
        p = placeholder(self.dialect)
        row = fetch_one(self.conn, "SELECT entity_id FROM audit_entry WHERE "  # noqa: S608
                                   f"incident_ref = {p} AND entity_type = 'incident' "
                                   "ORDER BY seq LIMIT 1", (ref,))
        return row[0] if row else None

    def _last_editor(self, entries: list[Entry], index: int):
        if self.seal is None:
            return None  # not recorded anywhere yet
        if entries[index][3] > self.seal:
            return _before(entries, index, "last_edited_by_id")
        for k in range(index + 1, len(entries)):
            if entries[k][1] == SEAL:
                value = _value(entries[k], "last_edited_by_id")
                return None if value is MISSING else value
        return None

    def credentials(self, user_id: int, entries: list[Entry], row: dict | None
                    ) -> Problem | None:
        if self.seal is None or self.credential_key is None or row is None:
            return None  # before the seal the trail recorded "[redacted]"
        recorded, seq = MISSING, None
        for k in range(len(entries) - 1, -1, -1):
            value = _value(entries[k], "password_hash")
            if value is ENDED:
                return None
            if value is not MISSING:
                recorded, seq = value, entries[k][3]
                break
        current = row.get("password_hash")
        expected = None if current is None else (
            DIGEST_PREFIX + self.credential_key.hexdigest(current.encode("utf-8")))
        if recorded == expected:
            return None
        name = row.get("username") or f"app_user {user_id}"
        if seq is None:
            return (None, f"account {name}: the trail records no digest of its password hash")
        return (seq, f"entry {seq}: account {name} has another password hash than the one "
                     "this entry records (changed behind the trail)")

    def _role_at(self, user_id: int, seq: int) -> str | None:
        if self._roles is None:
            self._roles = {}
            cursor = stream(self.conn, self.dialect, "", "SELECT seq, entity_id, changes "
                            "FROM audit_entry WHERE entity_type = 'app_user' AND entity_id "
                            "IS NOT NULL ORDER BY seq")
            for entry_seq, entity_id, changes in cursor:
                role = new_value("update", changes, "role")
                if role is not MISSING:
                    seqs, roles = self._roles.setdefault(entity_id, ([], []))
                    seqs.append(entry_seq)
                    roles.append(role)
            cursor.close()
        seqs, roles = self._roles.get(user_id, ([], []))
        at = bisect.bisect_left(seqs, seq)
        return roles[at - 1] if at else None

    def _user(self, user_id: int) -> str:
        p = placeholder(self.dialect)
        row = fetch_one(self.conn, f"SELECT username FROM app_user WHERE id = {p}",  # noqa: S608
                        (user_id,))
        return f"user {row[0]}" if row else f"user {user_id}"

    def _ref(self, seq: int) -> str:
        p = placeholder(self.dialect)
        row = fetch_one(self.conn, "SELECT incident_ref, entity_id FROM audit_entry "  # noqa: S608
                                   f"WHERE seq = {p}", (seq,))
        return (row[0] or f"incident {row[1]}") if row else f"incident of entry {seq}"
