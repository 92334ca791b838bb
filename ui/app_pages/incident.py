"""One incident: details, victims, perpetrators, sources, follow-up, evidence, review, history.

Shareable: /incident?ref=INC-2021-00042 (or the app's root with ?ref=…) opens it."""

import streamlit as st

from records.errors import SijilError
from records.i18n import current_language
from records.services.access import has_role
from records.services.incidents import format_incident_date, get_incident
from ui.components import (
    escape_markdown,
    get_engine,
    load_vocabularies,
    principal,
    read_session,
    show_error,
)
from ui.components.evidence import evidence
from ui.components.history import history
from ui.components.incident_editor import details, edit_refusal, editing_notice
from ui.components.parts_panel import part_titles, saved_parts
from ui.components.report_files import case_sheet_button
from ui.components.review_panel import review_actions
from ui.components.vocab import status_label
from ui.i18n import _

by = principal()
ref = (st.query_params.get("ref") or "").strip().upper()
if not ref:
    st.title(_("Incident"))
    typed = st.text_input(_("Reference, e.g. INC-2021-00042"))
    if typed:
        st.query_params["ref"] = typed.strip().upper()
        st.rerun()
    st.stop()

try:
    with read_session(get_engine()) as session:
        record = get_incident(session, ref, by=by)
except SijilError as error:
    st.title(escape_markdown(ref))
    show_error(error)
    st.stop()

vocabs = load_vocabularies()
st.set_page_config(page_title=_("{page} · Sijil").format(page=record.ref))
st.title(escape_markdown(record.ref))
st.markdown(f"### {escape_markdown(record.title)}")
st.caption(escape_markdown(" · ".join([
    status_label(record.status), vocabs["incident_type"].label(record.incident_type),
    format_incident_date(record.start_date, record.end_date, record.date_precision),
    vocabs["governorate"].label(record.admin1),
    _("restricted") if record.sensitivity == "restricted" else _("normal sensitivity"),
    _("version {v}").format(v=record.version),
    _("created by {who}").format(who=record.created_by or "system"),
    _("last edited by {who}").format(who=record.last_edited_by or "system")])))
if record.imported_from:
    st.caption(escape_markdown(_("Imported from {source}; status in the file: {status}").format(
        source=record.imported_from,
        status=status_label(record.imported_status) if record.imported_status
        else _("none"))))
editing_notice(record, by)
case_sheet_button(record.ref, by=by, lang=current_language())

editable = edit_refusal(by, record) is None
titles = part_titles()
tabs = st.tabs([_("Details"), titles["victims"], titles["perpetrators"], titles["citations"],
                titles["case_events"], _("Evidence files"), _("Review"), _("History")])
with tabs[0]:
    details(record, vocabs, by)
for tab, part in zip(tabs[1:5], ("victims", "perpetrators", "citations", "case_events"),
                     strict=True):
    with tab:
        saved_parts(record, part, vocabs, by, editable=editable)
with tabs[5]:
    try:
        evidence(record, by, editable=editable)
    except SijilError as error:
        show_error(error)
with tabs[6]:
    if has_role(by, "caseworker"):
        review_actions(record, by)
    else:
        st.caption(_("Review comments are shown to caseworkers and reviewers."))
with tabs[7]:
    try:
        history(record, by, editable=editable)
    except SijilError as error:
        show_error(error)
