"""Review queue: submitted incidents, oldest first; open one to verify or return it."""

import pandas as pd
import streamlit as st

from records.errors import SijilError
from records.services.incidents import IncidentFilter, get_incident, list_incidents
from ui.components import (
    escape_markdown,
    get_engine,
    load_vocabularies,
    principal,
    read_session,
    show_error,
)
from ui.components.incident_editor import read_only
from ui.components.parts_panel import part_titles
from ui.components.parts_view import part_rows, show_table
from ui.components.review_panel import review_actions
from ui.i18n import _

by = principal()
vocabs = load_vocabularies()
st.title(_("Review queue"))
try:
    with read_session(get_engine()) as session:
        queue = list_incidents(session, by=by, filters=IncidentFilter(
            statuses=["submitted"]), page_size=200)
except SijilError as error:
    show_error(error)
    st.stop()

if not queue.items:
    st.info(_("Nothing is waiting for review."))
    st.stop()
items = sorted(queue.items, key=lambda i: i.updated_at)
st.caption(_("{n} incidents waiting for review").format(n=queue.total))
st.dataframe(pd.DataFrame([{
    _("Reference"): i.ref, _("Title"): i.title,
    _("Type"): vocabs["incident_type"].label(i.incident_type), _("Start date"): i.start_date,
    _("Submitted"): f"{i.updated_at:%Y-%m-%d %H:%M}"} for i in items]),
    hide_index=True, width="stretch")
titles = {i.ref: f"{i.ref} · {i.title}" for i in items}
ref = st.selectbox(_("Open for review"), list(titles), format_func=titles.get,
                   key="review_pick")
try:
    with read_session(get_engine()) as session:
        record = get_incident(session, ref, by=by)
except SijilError as error:
    show_error(error)
    st.stop()

st.markdown(f"### {escape_markdown(record.ref)} · {escape_markdown(record.title)}")
st.caption(_("Submitted by {who}").format(
    who=escape_markdown(record.submitted_by or "system")))
left, right = st.columns([3, 2])
with left:
    read_only(record, vocabs)
    for part, title in part_titles().items():
        st.markdown(f"**{escape_markdown(title)}**")
        show_table(part_rows(part, getattr(record, part), vocabs), "—")
with right:
    review_actions(record, by)
