"""Duplicates: likely pairs of people or incidents side by side, with Merge and Not the same
(remembered), and the latest merges with Undo. Reviewers and admins; the services decide
what each reader may see."""

import streamlit as st

from records.errors import SijilError
from records.services.access import has_role
from records.services.linkage import (
    candidate_pairs,
    default_min_score,
    judge_distinct,
    list_merges,
    merge_records,
    unmerge,
)
from ui.components import escape_markdown, get_engine, principal, read_session, show_error
from ui.components.feedback import run_write
from ui.i18n import _, ngettext

PAGE_SIZE = 20

by = principal()
st.title(_("Duplicates"))
st.caption(_("Pairs of records that may be one, highest score first. Nothing is merged "
             "unless a reviewer says so; a merge can be undone below."))
may_merge = has_role(by, "reviewer")
if may_merge:
    st.caption(_("A merge or undo sends each verified or published incident it changes "
                 "back to review: another reviewer must verify it."))
kinds = {"person": _("People"), "incident": _("Incidents")}
kind = st.segmented_control(_("Records"), list(kinds), format_func=kinds.get,
                            default="person", key="duplicates_kind") or "person"
minimum = st.slider(_("Lowest score shown"), 0, 100, int(default_min_score(kind)),
                    key=f"duplicates_min_{kind}")

try:
    with read_session(get_engine()) as session:
        pairs = candidate_pairs(session, kind, by=by, min_score=float(minimum))
except SijilError as error:
    show_error(error)
    st.stop()

st.caption(ngettext("{n} likely pair", "{n} likely pairs", len(pairs)).format(n=len(pairs)))
if not pairs:
    st.info(_("No likely duplicates at this score."))


def _act(action, success: str) -> None:
    if run_write(action, success=success) is not None:
        st.rerun()


for number, pair in enumerate(pairs[:PAGE_SIZE]):
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(pair.score)}** · "
                    + escape_markdown("; ".join(pair.reasons)))
        left, right = st.columns(2)
        for column, key, name in ((left, pair.a_key, pair.a_name),
                                  (right, pair.b_key, pair.b_name)):
            column.text(name)
            column.caption(escape_markdown(key))
        if may_merge:
            c1, c2, _spacer = st.columns([2, 2, 4])
            if c1.button(_("Merge into the first"), key=f"merge_{number}",
                         type="primary"):
                _act(lambda s, p=pair: merge_records(s, p.a_key, p.b_key, by=by,
                                                     score=p.score),
                     _("Merged. You can undo it below."))
            if c2.button(_("Not the same"), key=f"distinct_{number}"):
                _act(lambda s, p=pair: judge_distinct(s, kind, p.a_key, p.b_key, by=by),
                     _("Remembered: this pair is not shown again."))
if len(pairs) > PAGE_SIZE:
    st.caption(_("Showing the first {n}; merge or dismiss these to see more.").format(
        n=PAGE_SIZE))

if may_merge:
    st.subheader(_("Latest merges"))
    with read_session(get_engine()) as session:
        merges = list_merges(session, by=by, limit=10)
    if not merges:
        st.caption(_("No merges yet."))
    for merge in merges:
        c1, c2 = st.columns([6, 1])
        c1.text(_("{merged} merged into {kept}").format(merged=merge.merged_key,
                                                       kept=merge.kept_key)
                + (" · " + _("undone") if merge.undone else ""))
        if not merge.undone and c2.button(_("Undo"), key=f"unmerge_{merge.id}"):
            _act(lambda s, m=merge: unmerge(s, m.id, by=by), _("Merge undone."))
