"""Review queue: submitted incidents, the longest waiting first, a page at a time; open one
to verify or return it."""

import pandas as pd
import streamlit as st

from records.errors import SijilError
from records.services.incidents import format_incident_date, get_incident
from records.services.review import list_review_queue
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
from ui.components.parts_view import part_rows, show_part_table
from ui.components.review_panel import review_actions
from ui.components.tables import show_table
from ui.i18n import _, ngettext

PAGE_SIZE = 50
# The cursor each visited page started after (None: the head of the queue), so "Previous"
# goes back exactly. The queue is keyset-paged: a page is "after this submission", which
# stays right while reviewers take incidents out of the queue.
CURSORS = "sijil_review_queue_cursors"

by = principal()
vocabs = load_vocabularies()
st.title(_("Review queue"))
cursors: list = st.session_state.setdefault(CURSORS, [None])
try:
    with read_session(get_engine()) as session:
        queue = list_review_queue(session, by=by, limit=PAGE_SIZE, after=cursors[-1])
        if not queue.items and len(cursors) > 1:
            # Everything on this page was reviewed meanwhile: start from the head again.
            del cursors[1:]
            queue = list_review_queue(session, by=by, limit=PAGE_SIZE)
except SijilError as error:
    show_error(error)
    st.stop()

if not queue.items:
    st.info(_("Nothing is waiting for review."))
    st.stop()
pages = max(1, -(-queue.total // PAGE_SIZE))
st.caption(ngettext("{n} incident waiting for review, the longest waiting first",
                    "{n} incidents waiting for review, the longest waiting first",
                    queue.total).format(n=queue.total) + " · "
           + _("page {page} of {pages}").format(page=len(cursors),
                                                pages=escape_markdown(pages)))
items = queue.items
show_table(pd.DataFrame([{
    _("Reference"): i.ref, _("Title"): i.title,
    _("Type"): vocabs["incident_type"].label(i.incident_type),
    _("Date"): format_incident_date(i.start_date, i.end_date, i.date_precision),
    _("Submitted (UTC)"): f"{i.submitted_at:%Y-%m-%d %H:%M}" if i.submitted_at else "—",
    _("Submitted by"): i.submitted_by} for i in items]),
    hide_index=True, width="stretch")
c1, c2, _spacer = st.columns([1, 1, 6])
if c1.button(_("← Previous"), disabled=len(cursors) <= 1, key="review_queue_previous"):
    cursors.pop()
    st.rerun()
if c2.button(_("Next →"), disabled=queue.next_after is None, key="review_queue_next"):
    cursors.append(queue.next_after)
    st.rerun()

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
        show_part_table(part_rows(part, getattr(record, part), vocabs), "—")
with right:
    review_actions(record, by)
