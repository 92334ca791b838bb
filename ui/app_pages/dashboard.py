"""Dashboard: what has been documented, by status, month, year, place, type and
perpetrator, over a period if one is chosen."""

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from records.errors import SijilError
from records.services.incidents import IncidentFilter, year_only_note
from records.services.stats import dashboard_stats, incident_locations, map_decimals
from ui import state
from ui.components import get_engine, load_vocabularies, principal, read_session, show_error
from ui.components.map_chart import governorate_map
from ui.components.text import escape_markdown
from ui.components.vocab import STATUSES, status_label
from ui.i18n import _, current_language

st.title(_("Dashboard"))
vocabs = load_vocabularies()
with st.form("dashboard_period"):
    overlap = _("Incidents whose date overlaps the period: one known only to its month or "
                "year counts for the whole month or year.")
    c1, c2, c3 = st.columns([2, 2, 5], vertical_alignment="bottom")
    c1.date_input(_("From"), value=None, format="YYYY-MM-DD", min_value=dt.date(1900, 1, 1),
                  key=state.widget_key("dashboard", "date_from"), help=overlap)
    c2.date_input(_("Until"), value=None, format="YYYY-MM-DD", min_value=dt.date(1900, 1, 1),
                  key=state.widget_key("dashboard", "date_to"), help=overlap)
    c3.form_submit_button(_("Apply period"))
period = IncidentFilter(**state.form_values("dashboard", ("date_from", "date_to")))
try:
    with read_session(get_engine()) as session:
        stats = dashboard_stats(session, by=principal(), filters=period)
        locations = incident_locations(session, by=principal(), filters=period)
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
    frame = pd.DataFrame({_("Month"): [m.to_timestamp() for m in months],
                          _("Incidents"): [counts.get(str(m), 0) for m in months]})
    if current_language() == "en":
        st.bar_chart(frame, x=_("Month"), y=_("Incidents"))
    else:
        # The chart draws month names in English only: ISO months (2021-05) read the same
        # in every language and never as another month.
        st.altair_chart(alt.Chart(frame).mark_bar().encode(
            x=alt.X(f"{_('Month')}:T", axis=alt.Axis(format="%Y-%m")),
            y=alt.Y(f"{_('Incidents')}:Q", axis=alt.Axis(tickMinStep=1, format="d"))),
            width="stretch")
else:
    st.caption(_("Nothing recorded yet."))
if stats.year_only:
    st.caption(escape_markdown(year_only_note(stats.year_only)))

if stats.per_year:
    st.subheader(_("Incidents per year"))
    years = range(stats.per_year[0][0], stats.per_year[-1][0] + 1)
    counts = dict(stats.per_year)
    # Years as text, so the axis shows 2019, not 2,019.
    st.bar_chart(pd.DataFrame({_("Year"): [str(y) for y in years],
                               _("Incidents"): [counts.get(y, 0) for y in years]}),
                 x=_("Year"), y=_("Incidents"))

st.subheader(_("By governorate"))
left, right = st.columns(2)
with left:
    # Drawn from the boundaries shipped with Sijil: no map tiles, no request elsewhere.
    st.altair_chart(governorate_map({g.admin1: g.incidents for g in stats.by_governorate},
                                    locations, vocabs["governorate"].labels),
                    width="stretch")
    if not locations:
        st.caption(_("No coordinates recorded yet."))
    else:
        st.caption(_("Dots: incident locations rounded to about 11 km, as published.")
                   if map_decimals(principal()) == 1
                   else _("Dots: incident locations rounded to about 1 km."))
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
