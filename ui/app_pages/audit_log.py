"""Audit log: every entry, filterable, and a check of the hash chain."""

import datetime as dt

import streamlit as st

from records.errors import SijilError
from records.services.audit import (
    audit_filter_choices,
    list_entries,
    readable_entries,
    verify_chain,
)
from ui import state
from ui.components import get_engine, principal, read_session, show_error
from ui.components.history import show_lines
from ui.components.pager import page_buttons
from ui.components.text import escape_markdown
from ui.i18n import _, ngettext

PAGE_SIZE = 50
by = principal()
st.title(_("Audit log"))

# The button on its own line: in a narrow column its label was cut.
if st.button(_("Verify the chain")):
    with read_session(get_engine()) as session:
        st.session_state[state.CHAIN_RESULT] = verify_chain(session, by=by)
result = st.session_state.get(state.CHAIN_RESULT)
if result is not None:
    if result.ok:
        st.success(ngettext("Chain intact: {n} entry checked.",
                            "Chain intact: {n} entries checked.",
                            result.checked).format(n=result.checked))
    elif result.first_bad_seq is None:
        st.error(_("Trail not intact: {message}").format(
            message=escape_markdown(result.message)))
    else:
        st.error(_("Chain broken at entry #{seq}: {message}").format(
            seq=result.first_bad_seq, message=escape_markdown(result.message)))

filters: dict = st.session_state.setdefault(state.AUDIT_FILTERS, {})
with read_session(get_engine()) as session:
    people, actions = audit_filter_choices(session, by=by)
anyone = [None]
with st.form("audit_filters"):
    c1, c2, c3, c4 = st.columns(4)
    ref = c1.text_input(_("Incident reference"), value=filters.get("entity_ref") or "")
    who_options = anyone + list(people)
    who = c2.selectbox(_("User"), who_options,
                       index=who_options.index(filters.get("actor_name"))
                       if filters.get("actor_name") in people else 0,
                       format_func=lambda name: _("Anyone") if name is None else people[name],
                       key="audit_user")
    action_options = anyone + list(actions)
    action = c3.selectbox(_("Action"), action_options,
                          index=action_options.index(filters.get("action"))
                          if filters.get("action") in actions else 0,
                          format_func=lambda code: _("Any action") if code is None
                          else actions[code], key="audit_action")
    since = c4.date_input(_("Since"), value=filters.get("since"), format="YYYY-MM-DD",
                          min_value=dt.date(2000, 1, 1))
    apply = st.form_submit_button(_("Apply"), type="primary")
if apply:
    filters.update(entity_ref=ref.strip().upper() or None, actor_name=who, action=action,
                   since=since)
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
        lines = readable_entries(session, page.items, by=by)
except SijilError as error:
    show_error(error)
    st.stop()

st.caption(ngettext("{n} entry", "{n} entries", page.total).format(n=page.total)
           + " · " + _("page {page} of {pages}").format(page=page.page, pages=page.pages))
show_lines(lines)
page_buttons(page, state.AUDIT_PAGE)
