"""Victims, perpetrators, sources and follow-up events: of a saved incident, or of a draft."""

from __future__ import annotations

import streamlit as st

from records.services.incidents import add_part, remove_part, update_case_event
from ui import state
from ui.components.feedback import FieldErrors, clear_widgets, run_write, warn_withheld_names
from ui.components.part_forms import FORMS, case_event_form
from ui.components.parts_view import draft_label, part_rows, show_part_table
from ui.components.text import escape_markdown
from ui.components.vocab import Vocab
from ui.i18n import _


def part_titles() -> dict[str, str]:
    return {"victims": _("Victims"), "perpetrators": _("Perpetrators"),
            "citations": _("Sources and citations"), "case_events": _("Case follow-up events")}


def _empty(part: str) -> str:
    return {"victims": _("No victims recorded yet."),
            "perpetrators": _("No perpetrators recorded yet."),
            "citations": _("No sources cited yet."),
            "case_events": _("No follow-up events yet.")}[part]


def saved_parts(record, part: str, vocabs: dict[str, Vocab], by, *, editable: bool) -> None:
    """The parts of a saved incident; adding or removing one is an edit of the incident."""
    items = getattr(record, part)
    rows = part_rows(part, items, vocabs)
    show_part_table(rows, _empty(part))
    if not editable:
        return
    version = state.opened_version(record.ref, record.version)
    if items:
        labels = {item.id: f"{i + 1}. {next(iter(rows[i].values()))}"
                  for i, item in enumerate(items)}
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        chosen = c1.selectbox(_("Entry"), list(labels), format_func=labels.get,
                              key=f"remove_{part}_{record.ref}")
        if c2.button(_("Remove"), key=f"remove_btn_{part}_{record.ref}"):
            result = run_write(lambda s: remove_part(s, record.ref, part, chosen, by=by,
                                                     expected_version=version),
                               success=_("Removed."))
            if result is not None:
                state.set_opened_version(record.ref, result.version)
                st.rerun()
    form = f"add_{part}_{record.ref}"
    with st.expander(_("Add to {section}").format(
            section=escape_markdown(part_titles()[part])), expanded=not items):
        data = FORMS[part](form, vocabs)
    if data is not None:
        result = run_write(lambda s: add_part(s, record.ref, part, data, by=by,
                                              expected_version=version),
                           success=_("Added to {ref}.").format(ref=record.ref))
        if result is not None:
            warn_withheld_names(record.ref, by)
            state.set_opened_version(record.ref, result.version)
            clear_widgets(f"{form}_")
            st.rerun()
    if part == "case_events" and items:
        _change_case_event(record, rows, vocabs, by, version)


def _change_case_event(record, rows: list[dict], vocabs: dict[str, Vocab], by,
                       version: int) -> None:
    """Change a saved follow-up event: its date and precision, whom it concerns, its
    source, what happened."""
    events = {e.id: e for e in record.case_events}
    labels = {e.id: f"{i + 1}. {' · '.join(list(rows[i].values())[:2])}"
              for i, e in enumerate(record.case_events)}
    with st.expander(_("Change a follow-up event"), expanded=False):
        chosen = st.selectbox(_("Follow-up event"), list(labels), format_func=labels.get,
                              key=f"change_case_event_{record.ref}")
        form = f"change_case_events_{record.ref}_{chosen}"
        data = case_event_form(form, vocabs, events[chosen])
    if data is not None:
        result = run_write(lambda s: update_case_event(s, record.ref, chosen, data, by=by,
                                                       expected_version=version),
                           success=_("Saved the follow-up event of {ref}.").format(
                               ref=record.ref))
        if result is not None:
            warn_withheld_names(record.ref, by)
            state.set_opened_version(record.ref, result.version)
            clear_widgets(f"{form}_")
            st.rerun()


def draft_parts(part: str, vocabs: dict[str, Vocab], errors: FieldErrors) -> None:
    """Parts of an incident not saved yet: kept in the session until "Save draft"."""
    drafts = st.session_state.setdefault(state.NEW_PARTS, {p: [] for p in state.PART_NAMES})
    items = drafts[part]
    if not items:
        st.caption(escape_markdown(_empty(part)))
    for i, item in enumerate(list(items)):
        c1, c2 = st.columns([5, 1], vertical_alignment="center")
        c1.markdown(f"{i + 1}\\. {escape_markdown(draft_label(part, item, vocabs))}")
        if c2.button(_("Remove"), key=f"draft_remove_{part}_{i}"):
            items.pop(i)
            errors.set(None)
            st.rerun()
        with c1:
            errors.show_prefix(f"{part}.{i}.")
    form = f"new_{part}"
    with st.expander(_("Add to {section}").format(
            section=escape_markdown(part_titles()[part])), expanded=False):
        data = FORMS[part](form, vocabs)
    if data is not None:
        items.append(data)
        clear_widgets(f"{form}_")
        st.rerun()
