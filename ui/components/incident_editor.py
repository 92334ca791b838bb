"""The Details tab of an incident: its fields, edited with the version the user opened,
and who else has it open for editing."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from records.errors import PermissionDenied, SijilError
from records.services.access import check_can_edit
from records.services.incidents import (
    format_incident_date,
    mark_editing,
    others_editing,
    stop_editing,
    update_incident,
)
from records.services.review import submit_incident, workflow_actions
from ui import state
from ui.components import incident_fields
from ui.components.db import get_engine, read_session, unit_of_work
from ui.components.feedback import FieldErrors, run_write, warn_withheld_names
from ui.components.tables import show_table
from ui.components.text import escape_markdown, labelled
from ui.components.vocab import Vocab, choice_label
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
        show_table(differs, hide_index=True, width="stretch")
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
        labelled(_("Confidence"), choice_label(record.confidence))
    labelled(_("Narrative"), record.narrative)


def editing_notice(record, by) -> None:
    """Who else has this incident open for editing: a hint, the version check still
    refuses a save made over someone else's."""
    with read_session(get_engine()) as session:
        others = others_editing(session, record.ref, by=by)
    for username, since in others:
        # Nobody's local time zone is known: the time is UTC, and says so.
        st.info(_("{name} has been editing this incident since {time} UTC.").format(
            name=escape_markdown(username),
            time=escape_markdown(f"{since.astimezone(dt.UTC):%H:%M}")))


def _editing(ref: str, by, editing: bool) -> None:
    """Mark the form open (renewed on every run while it is) or closed, for the others."""
    try:
        with unit_of_work(get_engine()) as session:
            if editing:
                mark_editing(session, ref, by=by)
            else:
                stop_editing(session, ref, by=by)
    except SijilError:
        # Only a hint to others: a refusal here (a right lost a moment ago) must not keep
        # the user from a form the services will refuse to save anyway.
        pass


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
    if not state.is_editing(record.ref):
        read_only(record, vocabs)
        if st.button(_("Edit details"), key=f"open_{form}"):
            # Start from the record as it is now, not from what an earlier edit left typed.
            state.clear_form(form)
            state.set_editing(record.ref, True)
            st.rerun()
        return
    _editing(record.ref, by, True)
    errors = FieldErrors(form)
    can_submit = "submit" in workflow_actions(by, record)
    with st.form(form):
        incident_fields.render(form, incident_fields.values_of(record), vocabs, errors)
        row = st.container(horizontal=True)  # wraps instead of cutting a label
        save = row.form_submit_button(_("Save draft") if can_submit else _("Save changes"),
                                      type="primary")
        submit = row.form_submit_button(_("Submit for review"), disabled=not can_submit)
        cancel = row.form_submit_button(_("Cancel"))
    if cancel:
        state.clear_form(form)
        state.set_editing(record.ref, False)
        _editing(record.ref, by, False)
        st.rerun()
    if not (save or submit):
        return
    data = incident_fields.to_data(state.form_values(form, incident_fields.FIELDS))

    def write(session):
        result = update_incident(session, record.ref, data, by=by,
                                 expected_version=version)
        if submit:
            result = submit_incident(session, record.ref, by=by,
                                     expected_version=result.version)
        stop_editing(session, record.ref, by=by)
        return result

    done = _("Submitted {ref} for review.") if submit else _("Saved {ref}.")
    result = run_write(write, errors, success=done.format(ref=record.ref))
    if result is not None:
        warn_withheld_names(record.ref, by)
        state.set_opened_version(record.ref, result.version)
        state.set_editing(record.ref, False)
        st.rerun()
