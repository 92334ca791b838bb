"""Audit log: every entry, filterable, and a check of the hash chain."""

import datetime as dt

import pandas as pd
import streamlit as st

from records.errors import SijilError
from records.services.audit import list_entries, verify_chain
from ui import state
from ui.components import get_engine, principal, read_session, show_error
from ui.components.history import diff_rows
from ui.components.pager import page_buttons
from ui.components.text import escape_markdown
from ui.i18n import _

PAGE_SIZE = 50
by = principal()
st.title(_("Audit log"))

c1, c2 = st.columns([1, 4], vertical_alignment="center")
if c1.button(_("Verify the chain")):
    with read_session(get_engine()) as session:
        st.session_state[state.CHAIN_RESULT] = verify_chain(session, by=by)
result = st.session_state.get(state.CHAIN_RESULT)
with c2:
    if result is not None:
        if result.ok:
            st.success(_("Chain intact: {n} entries checked.").format(n=result.checked))
        elif result.first_bad_seq is None:
            st.error(_("Trail not intact: {message}").format(
                message=escape_markdown(result.message)))
        else:
            st.error(_("Chain broken at entry #{seq}: {message}").format(
                seq=result.first_bad_seq, message=escape_markdown(result.message)))

filters: dict = st.session_state.setdefault(state.AUDIT_FILTERS, {})
with st.form("audit_filters"):
    c1, c2, c3, c4, c5 = st.columns([2, 2, 2, 2, 1], vertical_alignment="bottom")
    ref = c1.text_input(_("Incident reference"), value=filters.get("entity_ref") or "")
    who = c2.text_input(_("User"), value=filters.get("actor_name") or "")
    action = c3.text_input(_("Action (e.g. update, verify, login_failed)"),
                           value=filters.get("action") or "")
    since = c4.date_input(_("Since"), value=filters.get("since"), format="YYYY-MM-DD",
                          min_value=dt.date(2000, 1, 1))
    apply = c5.form_submit_button(_("Apply"), type="primary")
if apply:
    filters.update(entity_ref=ref.strip().upper() or None, actor_name=who.strip() or None,
                   action=action.strip() or None, since=since)
    st.session_state[state.AUDIT_PAGE] = 1

page_number = st.session_state.get(state.AUDIT_PAGE, 1)
since = filters.get("since")
try:
    with read_session(get_engine()) as session:
        page = list_entries(
            session, by=by, entity_ref=filters.get("entity_ref"),
            actor_name=filters.get("actor_name"), action=filters.get("action"),
            since=dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC) if since else None,
            page=page_number, page_size=PAGE_SIZE)
except SijilError as error:
    show_error(error)
    st.stop()

st.caption(_("{total} entries · page {page} of {pages}").format(
    total=page.total, page=page.page, pages=page.pages))
rows = [{_("Incident"): entry.incident_ref or "", **row} for row, entry in zip(
    diff_rows(page.items), [e for e in page.items for _c in (e.changes or [None])],
    strict=True)]
if rows:
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
page_buttons(page, state.AUDIT_PAGE)
