"""The Details tab of an incident: its fields, edited with the version the user opened."""

from __future__ import annotations

import streamlit as st

from records.errors import PermissionDenied
from records.services.access import check_can_edit
from records.services.incidents import format_incident_date, update_incident
from records.services.review import submit_incident, workflow_actions
from ui import state
from ui.components import incident_fields
from ui.components.feedback import FieldErrors, run_write
from ui.components.text import escape_markdown, labelled
from ui.components.vocab import Vocab
from ui.i18n import _


def edit_refusal(by, record) -> str | None:
    """Why `by` may not edit `record` (the services' own rule), or None if they may."""
    try:
        check_can_edit(by, record)
    except PermissionDenied as error:
        return str(error)
    return None


def _stale_notice(record, form: str) -> None:
    """Someone saved since this user opened the record: say who, keep the typed input."""
    when = record.updated_at.strftime("%Y-%m-%d %H:%M UTC")
    st.warning(_("{ref} was changed by {who} at {when} after you opened it. Your typed input "
                 "is kept below; saving it is refused until you reload.").format(
        ref=escape_markdown(record.ref),
        who=escape_markdown(record.last_edited_by or _("someone")), when=escape_markdown(when)))
    typed = incident_fields.to_data(state.form_values(form, incident_fields.FIELDS))
    saved = incident_fields.to_data(incident_fields.values_of(record))
    differs = [{_("Field"): f, _("Saved now"): str(saved[f]), _("Your input"): str(typed[f])}
               for f in incident_fields.FIELDS
               if typed.get(f) is not None and typed[f] != saved[f]]
    if differs:
        st.dataframe(differs, hide_index=True, width="stretch")
    if st.button(_("Discard my input and reload"), key=f"reload_{record.ref}"):
        state.clear_form(form)
        state.set_opened_version(record.ref, None)
        st.rerun()


def read_only(record, vocabs: dict[str, Vocab]) -> None:
    c1, c2, c3 = st.columns(3)
    with c1:
        labelled(_("Incident type"), vocabs["incident_type"].label(record.incident_type))
        # The stored day of a month- or year-precision date is not news: show the date as
        # it is known ("December 2019"), and the precision it is known to.
        labelled(_("Date"), format_incident_date(record.start_date, record.end_date,
                                                 record.date_precision))
        labelled(_("Date precision"), vocabs["date_precision"].label(record.date_precision))
    with c2:
        labelled(_("Governorate"), vocabs["governorate"].label(record.admin1))
        labelled(_("District"), record.admin2)
        labelled(_("Locality"), record.locality)
        labelled(_("Coordinates"), f"{record.latitude}, {record.longitude}"
                 if record.latitude is not None else None)
    with c3:
        labelled(_("Method"), vocabs["method"].label(record.method))
        labelled(_("Context"), vocabs["context"].label(record.context))
        labelled(_("Fatalities / injured"), f"{record.fatalities} / {record.injured}")
        labelled(_("Confidence"), record.confidence)
    labelled(_("Narrative"), record.narrative)


def details(record, vocabs: dict[str, Vocab], by) -> None:
    form = f"edit_{record.ref}"
    version = state.opened_version(record.ref, record.version)
    if version != record.version:
        _stale_notice(record, form)
    refusal = edit_refusal(by, record)
    if refusal:
        st.caption(escape_markdown(refusal))
        read_only(record, vocabs)
        return
    errors = FieldErrors(form)
    can_submit = "submit" in workflow_actions(by, record)
    with st.form(form):
        incident_fields.render(form, incident_fields.values_of(record), vocabs, errors)
        c1, c2, _c3 = st.columns([1, 1, 3])
        save = c1.form_submit_button(_("Save draft") if can_submit else _("Save changes"),
                                     type="primary")
        submit = c2.form_submit_button(_("Submit for review"), disabled=not can_submit)
    if not (save or submit):
        return
    data = incident_fields.to_data(state.form_values(form, incident_fields.FIELDS))

    def write(session):
        result = update_incident(session, record.ref, data, by=by,
                                 expected_version=version)
        if submit:
            result = submit_incident(session, record.ref, by=by,
                                     expected_version=result.version)
        return result

    done = _("Submitted {ref} for review.") if submit else _("Saved {ref}.")
    result = run_write(write, errors, success=done.format(ref=record.ref))
    if result is not None:
        state.set_opened_version(record.ref, result.version)
        st.rerun()
