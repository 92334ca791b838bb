"""An incident's audit entries as readable diffs, the record as of an entry, and revert."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from records.services.access import has_role
from ui import state
from ui.components.db import get_engine, read_session
from ui.components.feedback import FieldErrors, run_write
from ui.components.incident_fields import FIELDS
from ui.i18n import _


def show_value(value) -> str:
    """An audit value as text: codes and raw values, as the trail stores them."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def entry_title(entry) -> str:
    return (f"#{entry.seq} · {entry.at:%Y-%m-%d %H:%M} · {entry.actor or 'system'} · "
            f"{entry.action}")


def diff_rows(entries) -> list[dict]:
    rows = []
    for entry in entries:
        what = f"{entry.entity_type} {entry.entity_id or ''}".strip()
        changes = entry.changes or [None]
        for change in changes:
            rows.append({
                "#": entry.seq, _("When (UTC)"): f"{entry.at:%Y-%m-%d %H:%M:%S}",
                _("Who"): entry.actor or "system", _("Action"): entry.action,
                _("Record"): what,
                _("Field"): change.field if change else "",
                _("Old"): show_value(change.old) if change else "",
                _("New"): show_value(change.new) if change else "",
                _("Reason"): entry.reason or ""})
    return rows


def history(record, by, *, editable: bool) -> None:
    from records.services.audit import incident_as_of, incident_history, revert_incident

    with read_session(get_engine()) as session:
        entries = incident_history(session, record.ref, by=by)
    if not entries:
        st.caption(_("No history recorded."))
        return
    st.caption(_("Newest first: who changed which field, from what to what, and why."))
    st.dataframe(pd.DataFrame(diff_rows(list(reversed(entries)))), hide_index=True,
                 width="stretch")

    st.subheader(_("The record as of an entry"))
    by_seq = {e.seq: e for e in entries}
    seq = st.selectbox(_("As of entry"), list(reversed(by_seq)),
                       format_func=lambda s: entry_title(by_seq[s]),
                       key=f"asof_{record.ref}")
    with read_session(get_engine()) as session:
        then = incident_as_of(session, record.ref, by=by, seq=seq)
    rows = [{_("Field"): f, _("Then"): show_value(getattr(then, f, None)),
             _("Now"): show_value(getattr(record, f, None))} for f in FIELDS]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    if not (editable and has_role(by, "caseworker")):
        return
    key = f"revert_{record.ref}"
    errors = FieldErrors(key)
    with st.form(key):
        st.caption(_("Revert brings the chosen fields (or the whole record) back to how they "
                     "were as of the entry above. The revert is itself recorded."))
        fields = st.multiselect(_("Fields to revert (none: the whole record)"), FIELDS,
                                key=f"{key}_fields")
        reason = st.text_input(_("Reason for the revert"), key=f"{key}_reason")
        errors.show("reason", "fields")
        go = st.form_submit_button(_("Revert"))
    if go:
        version = state.opened_version(record.ref, record.version)
        result = run_write(
            lambda s: revert_incident(s, record.ref, by=by, to_seq=seq,
                                      expected_version=version, fields=fields or None,
                                      reason=reason),
            errors, success=_("Reverted {ref} to entry #{seq}.").format(ref=record.ref,
                                                                        seq=seq))
        if result is not None:
            state.set_opened_version(record.ref, result.version)
            state.clear_form(f"edit_{record.ref}")
            st.rerun()
