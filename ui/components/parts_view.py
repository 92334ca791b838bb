"""Tables of an incident's victims, perpetrators, citations and case events."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from records.services.incidents import format_incident_date
from ui.components.tables import show_table as table_in_reading_order
from ui.components.text import escape_markdown
from ui.components.vocab import Vocab
from ui.i18n import _


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def part_rows(part: str, items: list, vocabs: dict[str, Vocab]) -> list[dict]:
    """Display rows for saved parts (read models); every value is plain text."""
    rows = []
    for item in items:
        if part == "victims":
            p = item.person
            rows.append({_("Name"): p.full_name, _("Original name"): p.name_original or "",
                         _("Outcome"): vocabs["victim_outcome"].label(item.outcome),
                         _("Sex"): p.sex, _("Age"): "" if p.age is None else str(p.age),
                         _("Profile"): ", ".join(vocabs["profile"].label(c)
                                                for c in p.profiles),
                         _("Name may be published"): _yes(item.consent_to_publish_name),
                         _("Harm"): item.harm_description})
        elif part == "perpetrators":
            rows.append({_("Actor"): item.actor.name if item.actor else (
                item.person.full_name if item.person else ""),
                _("Actor type"): vocabs["actor_type"].label(
                    item.actor.actor_type if item.actor else None),
                _("Attribution"): vocabs["attribution"].label(item.attribution),
                _("Basis"): item.basis})
        elif part == "citations":
            s = item.source
            rows.append({_("Source"): s.title, _("Kind"): vocabs["source_kind"].label(s.kind),
                         _("Publisher"): s.publisher or "", _("Web address"): s.url or "",
                         _("Confidential"): _yes(s.is_confidential),
                         _("Says"): item.statement})
        else:
            rows.append({_("Date"): format_incident_date(item.date, None, item.date_precision),
                         _("What happened"): vocabs["case_event_kind"].label(item.kind),
                         _("Concerns"): concerned(item),
                         _("Description"): item.description,
                         _("Source"): item.source.title if item.source else ""})
    return rows


def concerned(event) -> str:
    """Whom a saved case event concerns: the person's name as the reader may see it, or the
    group's."""
    if event.person is not None:
        return event.person.full_name
    return event.actor.name if event.actor is not None else ""


def draft_label(part: str, item: dict, vocabs: dict[str, Vocab]) -> str:
    """One line describing a part that is not saved yet."""
    if part == "victims":
        who = (item.get("person") or {}).get("full_name") or _("existing person {uid}").format(
            uid=(item.get("person_uid") or "")[:8])
        return f"{who} · {vocabs['victim_outcome'].label(item.get('outcome'))}"
    if part == "perpetrators":
        who = (item.get("actor") or {}).get("name") or _("existing actor {uid}").format(
            uid=(item.get("actor_uid") or "")[:8])
        return f"{who} · {vocabs['attribution'].label(item.get('attribution'))}"
    if part == "citations":
        return (item.get("source") or {}).get("title") or _("existing source {uid}").format(
            uid=(item.get("source_uid") or "")[:8])
    when = item.get("date")
    if isinstance(when, dt.date):
        when = format_incident_date(when, None, item.get("date_precision") or "day")
    return f"{when} · {vocabs['case_event_kind'].label(item.get('kind'))}"


def show_part_table(rows: list[dict], empty: str) -> None:
    if not rows:
        st.caption(escape_markdown(empty))
        return
    table_in_reading_order(pd.DataFrame(rows))
