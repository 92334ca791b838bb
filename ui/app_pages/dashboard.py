"""Dashboard: what has been documented, by status, month, place, type and perpetrator."""

import pandas as pd
import streamlit as st

from records.errors import SijilError
from records.services.stats import dashboard_stats
from ui.components import get_engine, load_vocabularies, principal, read_session, show_error
from ui.components.text import escape_markdown
from ui.components.vocab import STATUSES, status_label
from ui.i18n import _

st.title(_("Dashboard"))
vocabs = load_vocabularies()
try:
    with read_session(get_engine()) as session:
        stats = dashboard_stats(session, by=principal())
except SijilError as error:
    show_error(error)
    st.stop()


def bar(counts: dict[str, int], vocabulary: str | None, label: str) -> None:
    if not counts:
        st.caption(_("Nothing recorded yet."))
        return
    names = vocabs[vocabulary].label if vocabulary else str
    frame = pd.DataFrame({label: [names(k) for k in counts], _("Count"): list(counts.values())})
    st.bar_chart(frame, x=label, y=_("Count"), horizontal=True, sort=f"-{_('Count')}")


statuses = STATUSES[:-1]
cols = st.columns(len(statuses) + 1)
cols[0].metric(_("Incidents"), stats.total)
for col, status in zip(cols[1:], statuses, strict=True):
    col.metric(escape_markdown(status_label(status)), stats.by_status.get(status, 0))

st.subheader(_("Incidents per month"))
if stats.per_month:
    counts = dict(stats.per_month)
    # Months without incidents are zeros, not gaps the line would silently bridge.
    months = pd.period_range(stats.per_month[0][0], stats.per_month[-1][0], freq="M")
    st.bar_chart(pd.DataFrame({_("Month"): [m.to_timestamp() for m in months],
                               _("Incidents"): [counts.get(str(m), 0) for m in months]}),
                 x=_("Month"), y=_("Incidents"))
else:
    st.caption(_("Nothing recorded yet."))

st.subheader(_("By governorate"))
left, right = st.columns(2)
with left:
    points = [g for g in stats.by_governorate if g.latitude is not None]
    if points:
        biggest = max(g.incidents for g in points)
        st.map(pd.DataFrame({"lat": [g.latitude for g in points],
                             "lon": [g.longitude for g in points],
                             "size": [2000 + 30000 * g.incidents / biggest for g in points]}),
               size="size", zoom=4)
    else:
        st.caption(_("No coordinates recorded yet."))
with right:
    bar({g.admin1: g.incidents for g in stats.by_governorate}, "governorate",
        _("Governorate"))

left, right = st.columns(2)
with left:
    st.subheader(_("By incident type"))
    bar(stats.by_type, "incident_type", _("Incident type"))
with right:
    st.subheader(_("By perpetrator type"))
    bar(stats.by_actor_type, "actor_type", _("Perpetrator type"))

left, right = st.columns(2)
with left:
    st.subheader(_("Victims by profile"))
    bar(stats.victims_by_profile, "profile", _("Profile"))
with right:
    st.subheader(_("Victims by outcome"))
    bar(stats.victims_by_outcome, "victim_outcome", _("Outcome"))
