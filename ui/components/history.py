"""An incident's audit entries as readable diffs, the record as of an entry, and revert."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from records.errors import ConflictError
from records.services.access import has_role
from ui import state
from ui.components.db import get_engine, read_session
from ui.components.feedback import FieldErrors, run_write
from ui.components.incident_fields import FIELDS
from ui.components.tables import show_table
from ui.components.text import escape_markdown
from ui.i18n import _


def show_value(value) -> str:
    """An audit value as text: codes and raw values, as the trail stores them."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def entry_title(line) -> str:
    """A readable entry (records.services.audit.ReadableEntry) as one line of text."""
    return f"#{line.seq} · {line.at:%Y-%m-%d %H:%M} · {line.sentence}"


def show_lines(lines) -> None:
    """One line per entry, its field changes one click away. Every part is text from the
    records, so the label is escaped and the details are a table of plain values."""
    for line in lines:
        with st.expander(escape_markdown(entry_title(line))):
            if line.details:
                show_table(pd.DataFrame([{_("Field"): d.field, _("Before"): d.old,
                                            _("After"): d.new} for d in line.details]),
                             hide_index=True, width="stretch")
            else:
                st.caption(_("No field changed: this entry records an event."))


def stale_revert(ref: str, error: ConflictError) -> ConflictError:
    """The conflict in the words of a revert: what was refused, and what to do next."""
    when = (error.changed_at.strftime("%Y-%m-%d %H:%M UTC") if error.changed_at
            else _("an unknown time"))
    return ConflictError(
        _("Nothing was reverted: {who} changed {ref} at {when}, after you opened it. Reload "
          "the record (Details tab) to see their change, then revert again if it is still "
          "needed.").format(who=error.changed_by or "system", ref=ref, when=when),
        changed_by=error.changed_by, changed_at=error.changed_at)


def history(record, by, *, editable: bool) -> None:
    from records.services.audit import incident_as_of, readable_history, revert_incident

    with read_session(get_engine()) as session:
        lines = readable_history(session, record.ref, by=by)
    if not lines:
        st.caption(_("No history recorded."))
        return
    st.caption(_("Newest first: who did what, and why. Open a line to see each field "
                 "before and after."))
    show_lines(lines)

    st.subheader(_("The record as of an entry"))
    by_seq = {line.seq: line for line in lines}
    seq = st.selectbox(_("As of entry"), list(by_seq),
                       format_func=lambda s: entry_title(by_seq[s]),
                       key=f"asof_{record.ref}")
    with read_session(get_engine()) as session:
        then = incident_as_of(session, record.ref, by=by, seq=seq)
    rows = [{_("Field"): f, _("Then"): show_value(getattr(then, f, None)),
             _("Now"): show_value(getattr(record, f, None))} for f in FIELDS]
    show_table(pd.DataFrame(rows), hide_index=True, width="stretch")
    if not (editable and has_role(by, "caseworker")):
        return
    key = f"revert_{record.ref}"
    errors = FieldErrors(key)
    with st.form(key):
        st.caption(_("Revert brings the whole record back to how it was as of the entry "
                     "above: its fields, victims, perpetrators, sources and follow-up events. "
                     "Choose fields to bring back only those fields. The revert is itself "
                     "recorded, with your reason."))
        fields = st.multiselect(_("Fields to revert (none: the whole record)"), FIELDS,
                                key=f"{key}_fields")
        reason = st.text_input(_("Reason for the revert"), key=f"{key}_reason")
        errors.show("reason", "fields")
        go = st.form_submit_button(_("Revert"))
    if go:
        version = state.opened_version(record.ref, record.version)

        def revert(session):
            try:
                return revert_incident(session, record.ref, by=by, to_seq=seq,
                                       expected_version=version, fields=fields or None,
                                       reason=reason)
            except ConflictError as error:
                raise stale_revert(record.ref, error) from None

        done = (_("Reverted the chosen fields of {ref} to entry #{seq}.") if fields else
                _("Reverted {ref} to entry #{seq}: the whole record is as it was then."))
        result = run_write(revert, errors, success=done.format(ref=record.ref, seq=seq))
        if result is not None:
            state.set_opened_version(record.ref, result.version)
            state.clear_form(f"edit_{record.ref}")
            st.rerun()
