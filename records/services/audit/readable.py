"""The trail in a caseworker's words: one line per entry that names people, records and
labels ("Rana verified the incident (submitted → verified): Checked the news reports",
"Carla added the victim Fahim al-Taie"), with each field's change, labelled, one click away.

The trail stores ids and codes (docs/design.md §5); they are resolved here, as this reader
may see them: user ids to display names, a victim or a case event to its person's name
(redacted and opened by the same rules as the record pages), codes to vocabulary labels.
A sealed value the reader does not open stays "[encrypted]".
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from records.i18n import N_, _
from records.models import (
    Actor,
    AppUser,
    AuditEntry,
    CaseEvent,
    Citation,
    Perpetrator,
    Person,
    Source,
    Victim,
)
from records.models.incident_io import PersonRead, SourceRead
from records.sealing import erased_text, is_sealed, open_model
from records.services.access import (
    Principal,
    can_see_personal_data,
    redact_person,
    require_role,
)
from records.services.audit.log import AuditEntryRead, FieldChange, incident_history
from records.services.vocabularies import labels
from records.vocabulary_seed import FIELD_VOCABULARY, GOVERNORATE_VOCABULARY

# Actions a reader can filter the log by, with what they are called.
ACTION_LABELS = {
    "create": N_("added"), "update": N_("changed"), "delete": N_("removed"),
    "purge": N_("erased"), "revert": N_("reverted"), "submit": N_("submitted"),
    "verify": N_("verified"), "return": N_("returned"), "reopen": N_("reopened"),
    "publish": N_("published"), "archive": N_("archived"), "login": N_("logged in"),
    "login_failed": N_("failed log-in"), "logout": N_("logged out"),
    "session_revoked": N_("logged out by an admin"), "export": N_("exported"),
    "import": N_("imported"), "files_verify": N_("checked evidence files"),
    "keys_rotate": N_("rotated keys"), "keys_destroy": N_("destroyed a key"),
    "keys_create": N_("made a key"), "keys_adopt": N_("recorded the keys"),
    "backup": N_("made a backup"), "seal": N_("sealed the trail"),
}
_STATUS = {"draft": N_("draft"), "submitted": N_("submitted"), "returned": N_("returned"),
           "verified": N_("verified"), "published": N_("published"),
           "archived": N_("archived")}
_WORKFLOW = {"submit": N_("{who} submitted {thing} for review ({old} → {new})"),
             "verify": N_("{who} verified {thing} ({old} → {new})"),
             "return": N_("{who} returned {thing} to its author ({old} → {new})"),
             "reopen": N_("{who} reopened {thing} as a draft ({old} → {new})"),
             "publish": N_("{who} published {thing} ({old} → {new})"),
             "archive": N_("{who} archived {thing} ({old} → {new})")}
_ROW = {"create": N_("{who} added {thing}"), "update": N_("{who} changed {thing}"),
        "delete": N_("{who} removed {thing}"), "purge": N_("{who} erased {thing}"),
        "revert": N_("{who} reverted {thing}")}
_EVENT = {"login": N_("{who} logged in"), "logout": N_("{who} logged out"),
          "login_failed": N_("A log-in as {account} failed"),
          "session_revoked": N_("{who} logged {account} out of every session"),
          "export": N_("{who} exported records"), "import": N_("{who} imported a file"),
          "files_verify": N_("{who} checked the evidence files"),
          "keys_rotate": N_("{who} rotated the installation's keys"),
          "keys_destroy": N_("{who} destroyed a key"), "backup": N_("{who} made a backup"),
          "keys_create": N_("{who} made a data key"),
          "keys_adopt": N_("The data keys were recorded in the trail"),
          "seal": N_("The trail was sealed")}
_FIELDS = {
    "title": N_("title"), "incident_type": N_("incident type"), "start_date": N_("date"),
    "end_date": N_("end date"), "date_precision": N_("date precision"),
    "time_of_day": N_("time of day"), "country": N_("country"), "admin1": N_("governorate"),
    "admin2": N_("district"), "locality": N_("locality"), "latitude": N_("latitude"),
    "longitude": N_("longitude"), "coordinates": N_("coordinates"),
    "geo_precision": N_("location precision"),
    "method": N_("method"), "context": N_("context"), "fatalities": N_("fatalities"),
    "injured": N_("injured"), "confidence": N_("confidence"), "sensitivity": N_("sensitivity"),
    "tags": N_("tags"), "narrative": N_("narrative"), "status": N_("status"),
    "created_by_id": N_("created by"), "last_edited_by_id": N_("last edited by"),
    "submitted_by_id": N_("submitted by"), "verified_by_id": N_("verified by"),
    "author_id": N_("author"), "by_user_id": N_("by"), "person_id": N_("person"),
    "actor_id": N_("group"), "source_id": N_("source"), "outcome": N_("outcome"),
    "harm_description": N_("harm"), "consent_to_publish_name": N_("consent to publish the name"),
    "attribution": N_("attribution"), "statement": N_("statement"), "quote": N_("quote"),
    "kind": N_("kind"), "description": N_("description"), "body": N_("comment"),
    "full_name": N_("name"), "name": N_("name"), "role": N_("role"),
    "is_active": N_("active"), "display_name": N_("display name"),
}
_USER_FIELDS = {"created_by_id", "last_edited_by_id", "submitted_by_id", "verified_by_id",
                "author_id", "by_user_id", "user_id"}
# Internal ids that say nothing to a reader: the sentence already names the record.
_HIDDEN = {"incident_id", "attachment_id"}
_KIND_VOCABULARY = {"case_event": "case_event_kind", "custody_event": "custody_kind",
                    "source": "source_kind"}


class FieldDetail(BaseModel):
    field: str
    old: str
    new: str


class ReadableEntry(BaseModel):
    """One entry as a sentence; `details` the changed fields, labelled."""

    seq: int
    at: dt.datetime
    who: str
    action: str
    incident_ref: str | None = None
    sentence: str
    details: list[FieldDetail]


class _Names:
    """Ids of users, people, groups and sources to what this reader may see of them."""

    def __init__(self, session: Session, entries: Sequence[AuditEntryRead], by: Principal):
        self.session, self.full = session, can_see_personal_data(by)
        self.vocab: dict[str, dict[str, str]] = {}
        ids: dict[str, set[int]] = {"user": set(), "person": set(), "actor": set(),
                                    "source": set()}
        parts: dict[str, set[int]] = {"victim": set(), "perpetrator": set(),
                                      "citation": set(), "case_event": set()}
        for entry in entries:
            ids["user"].update(i for i in (entry.actor_id,) if i is not None)
            if entry.entity_type in parts and entry.entity_id is not None:
                parts[entry.entity_type].add(entry.entity_id)
            if entry.entity_type == "app_user" and entry.entity_id is not None:
                ids["user"].add(entry.entity_id)
            for change in entry.changes:
                for value in (change.old, change.new):
                    if isinstance(value, int) and not isinstance(value, bool):
                        kind = self._kind_of(change.field)
                        if kind:
                            ids[kind].add(value)
        self.part_refs = self._part_refs(entries, parts)
        for target in self.part_refs.values():
            if target is not None:
                ids[target[0]].add(target[1])
        self.users = self._users(ids["user"])
        self.people = self._people(ids["person"])
        self.actors = dict(session.exec(select(Actor.id, Actor.name)
                                        .where(col(Actor.id).in_(ids["actor"] or {0}))).all())
        self.sources = self._sources(ids["source"])

    @staticmethod
    def _kind_of(field: str) -> str | None:
        if field in _USER_FIELDS:
            return "user"
        return {"person_id": "person", "actor_id": "actor", "source_id": "source"}.get(field)

    def _part_refs(self, entries, parts) -> dict[tuple[str, int], tuple[str, int] | None]:
        """(part table, id) → (person/actor/source, id) it names, from the entries' own
        changes, else from the row as it is now."""
        found: dict[tuple[str, int], tuple[str, int] | None] = {}
        key_of = {"victim": ("person_id", "person"), "perpetrator": ("actor_id", "actor"),
                  "citation": ("source_id", "source"), "case_event": ("person_id", "person")}
        for entry in entries:
            if entry.entity_type not in key_of or entry.entity_id is None:
                continue
            field, kind = key_of[entry.entity_type]
            for change in entry.changes:
                value = change.new if change.new is not None else change.old
                if change.field == field and isinstance(value, int):
                    found[(entry.entity_type, entry.entity_id)] = (kind, value)
        models = {"victim": Victim, "perpetrator": Perpetrator, "citation": Citation,
                  "case_event": CaseEvent}
        for table, wanted in parts.items():
            missing = {i for i in wanted if (table, i) not in found}
            if not missing:
                continue
            field, kind = key_of[table]
            model = models[table]
            for row_id, target in self.session.exec(
                    select(model.id, getattr(model, field))
                    .where(col(model.id).in_(missing))).all():
                found[(table, row_id)] = (kind, target) if target is not None else None
            if table == "case_event":
                for row_id, actor in self.session.exec(
                        select(CaseEvent.id, CaseEvent.actor_id)
                        .where(col(CaseEvent.id).in_(missing),
                               col(CaseEvent.actor_id).is_not(None))).all():
                    found[(table, row_id)] = ("actor", actor)
            missing -= {i for t, i in found if t == table}
            if missing:  # gone since: the trail's creating entry still names it
                for entity_id, changes in self.session.exec(
                        select(AuditEntry.entity_id, AuditEntry.changes)
                        .where(AuditEntry.entity_type == table,
                               col(AuditEntry.entity_id).in_(missing),
                               AuditEntry.action == "create")).all():
                    target = _loads(changes).get(field, [None, None])
                    if isinstance(target, list) and isinstance(target[1], int):
                        found[(table, entity_id)] = (kind, target[1])
        return found

    def _users(self, ids: set[int]) -> dict[int, str]:
        rows = self.session.exec(select(AppUser.id, AppUser.username, AppUser.display_name)
                                 .where(col(AppUser.id).in_(ids or {0}))).all()
        return {i: (display or name) for i, name, display in rows}

    def _people(self, ids: set[int]) -> dict[int, str]:
        people = self.session.exec(select(Person).where(col(Person.id).in_(ids or {0}))).all()
        return {p.id: redact_person(open_model(self.session, PersonRead, p, full=self.full),
                                    all_names=self.full, show_confidential=self.full
                                    ).full_name or _("(no name)") for p in people}

    def _sources(self, ids: set[int]) -> dict[int, str]:
        sources = self.session.exec(select(Source).where(col(Source.id).in_(ids or {0}))).all()
        shown = {}
        for s in sources:
            title = open_model(self.session, SourceRead, s, full=self.full).title
            shown[s.id] = _("[encrypted]") if is_sealed(title) else (title or _("(untitled)"))
        return shown

    def label(self, vocabulary: str, code: str) -> str:
        if vocabulary not in self.vocab:
            self.vocab[vocabulary] = labels(self.session, vocabulary)
        return self.vocab[vocabulary].get(code, code)

    def user(self, user_id: int | None) -> str:
        if user_id is None:
            return _("The system")
        return self.users.get(user_id, _("user #{id}").format(id=user_id))

    def named(self, kind: str, row_id: int) -> str:
        table = {"person": self.people, "actor": self.actors, "source": self.sources,
                 "user": self.users}[kind]
        return table.get(row_id) or erased_text()


def _loads(changes: str) -> dict[str, Any]:
    try:
        data = json.loads(changes)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _thing(entry: AuditEntryRead, names: _Names, with_ref: bool) -> str:
    table, row_id = entry.entity_type, entry.entity_id
    if table == "incident":
        return (_("the incident {ref}").format(ref=entry.incident_ref)
                if with_ref and entry.incident_ref else _("the incident"))
    target = names.part_refs.get((table, row_id)) if row_id is not None else None
    named = names.named(*target) if target else None
    if table == "victim":
        text = _("the victim {name}").format(name=named) if named else _("a victim")
    elif table == "perpetrator":
        text = _("the perpetrator {name}").format(name=named) if named else _("a perpetrator")
    elif table == "citation":
        text = _("the source {name}").format(name=named) if named else _("a source")
    elif table == "case_event":
        text = (_("a follow-up event about {name}").format(name=named) if named
                else _("a follow-up event"))
        kind = next((c.new or c.old for c in entry.changes if c.field == "kind"), None)
        if isinstance(kind, str):
            text = _("{thing} ({kind})").format(thing=text, kind=names.label(
                "case_event_kind", kind))
    elif table == "review_comment":
        text = _("a comment")
    elif table in ("person", "actor", "source") and row_id is not None:
        kind = {"person": _("the person {name}"), "actor": _("the group {name}"),
                "source": _("the source {name}")}[table]
        text = kind.format(name=names.named(table, row_id))
    elif table == "app_user" and row_id is not None:
        text = _("the account of {name}").format(name=names.user(row_id))
    elif table == "attachment":
        text = _("an evidence file")
    elif table == "custody_event":
        text = _("a custody event")
    elif table == "vocabulary_term":
        text = _("a vocabulary term")
    else:
        text = table.replace("_", " ")
    if with_ref and entry.incident_ref:
        text = _("{thing} of {ref}").format(thing=text, ref=entry.incident_ref)
    return text


def _value(table: str, field: str, value: Any, names: _Names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    kind = _Names._kind_of(field)
    if kind and isinstance(value, int):
        return names.user(value) if kind == "user" else names.named(kind, value)
    if field == "status" and isinstance(value, str):
        return _(_STATUS.get(value, value))
    vocabulary = (_KIND_VOCABULARY.get(table) if field == "kind" else None) or (
        GOVERNORATE_VOCABULARY if field == "admin1" else FIELD_VOCABULARY.get(field))
    if vocabulary:
        if isinstance(value, list):
            return ", ".join(names.label(vocabulary, str(v)) for v in value)
        return names.label(vocabulary, str(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _sentence(entry: AuditEntryRead, names: _Names, with_ref: bool,
              changed: list[FieldChange]) -> str:
    who = names.user(entry.actor_id)
    thing = _thing(entry, names, with_ref)
    status = next((c for c in changed if c.field == "status"), None)
    if entry.action in _WORKFLOW and status is not None:
        text = _(_WORKFLOW[entry.action]).format(
            who=who, thing=thing, old=_(_STATUS.get(status.old, str(status.old))),
            new=_(_STATUS.get(status.new, str(status.new))))
    elif entry.entity_type == "incident" and entry.action == "create":
        text = _("{who} created {thing}").format(who=who, thing=thing)
    elif entry.entity_type == "review_comment" and entry.action == "create":
        body = next((c.new for c in changed if c.field == "body"), None)
        if with_ref and entry.incident_ref:
            who = _("{who} commented on {ref}").format(who=who, ref=entry.incident_ref)
        else:
            who = _("{who} commented").format(who=who)
        text = _("{text}: {comment}").format(text=who, comment=body) if isinstance(
            body, str) else who
    elif entry.action in _ROW:
        text = _(_ROW[entry.action]).format(who=who, thing=thing)
        fields = [_(_FIELDS.get(c.field, c.field.replace("_", " "))) for c in changed]
        if entry.action == "update" and fields:
            text = _("{text}: {fields}").format(text=text, fields=", ".join(fields))
    elif entry.action in _EVENT:
        account = (names.user(entry.entity_id) if entry.entity_type == "app_user"
                   and entry.entity_id is not None else _("an unknown name"))
        text = _(_EVENT[entry.action]).format(who=who, account=account)
    else:
        text = f"{who} · {entry.action} · {thing}"
    if entry.reason:
        text = _("{text}: {reason}").format(text=text, reason=entry.reason)
    return text


def readable_entries(session: Session, entries: Sequence[AuditEntryRead], *, by: Principal,
                     with_ref: bool = True) -> list[ReadableEntry]:
    """`entries` (already read for `by`, by list_entries or incident_history) as sentences
    with labelled field details, in the same order. `with_ref` names the incident in each
    sentence (the Audit log; the incident's own History leaves it out). Raises
    PermissionDenied for viewers."""
    require_role(by, "caseworker", _("read the audit trail"))
    names = _Names(session, entries, by)
    result = []
    for entry in entries:
        changed = [c for c in entry.changes if c.field not in _HIDDEN]
        details = [] if entry.action not in _ROW and entry.action not in _WORKFLOW else [
            FieldDetail(field=_(_FIELDS.get(c.field, c.field.replace("_", " "))),
                        old=_value(entry.entity_type, c.field, c.old, names),
                        new=_value(entry.entity_type, c.field, c.new, names))
            for c in changed]
        result.append(ReadableEntry(
            seq=entry.seq, at=entry.at, who=names.user(entry.actor_id), action=entry.action,
            incident_ref=entry.incident_ref, details=details,
            sentence=_sentence(entry, names, with_ref, changed)))
    return result


def readable_history(session: Session, ref: str, *, by: Principal) -> list[ReadableEntry]:
    """The incident's history (incident_history) as sentences, newest first. Raises as
    incident_history does."""
    entries = incident_history(session, ref, by=by)
    return readable_entries(session, list(reversed(entries)), by=by, with_ref=False)


def audit_filter_choices(session: Session, *, by: Principal
                         ) -> tuple[dict[str, str], dict[str, str]]:
    """What the Audit log can be filtered by: username → display name of every account
    ("system" first), and action code → its label. Raises PermissionDenied for viewers."""
    require_role(by, "caseworker", _("read the audit trail"))
    users = {"system": _("The system")}
    for name, display in session.exec(select(AppUser.username, AppUser.display_name)
                                      .order_by(AppUser.username)).all():
        users[name] = f"{display} ({name})" if display and display != name else name
    return users, {code: _(label) for code, label in ACTION_LABELS.items()}
