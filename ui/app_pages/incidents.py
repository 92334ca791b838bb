"""Incidents: a filtered list, one page at a time from the database; a row opens it."""

import datetime as dt

import pandas as pd
import streamlit as st

from records.errors import SijilError
from records.services.incidents import IncidentFilter, format_incident_date, list_incidents
from records.services.people import list_actors
from ui import state
from ui.components import get_engine, load_vocabularies, principal, read_session, show_error
from ui.components.pager import page_buttons
from ui.components.tables import show_table
from ui.components.vocab import STATUSES, status_label
from ui.i18n import _, ngettext

PAGE_SIZE = 50

if st.query_params.get("ref"):
    # Old-style shared links (/incidents?ref=…) open the incident page.
    st.switch_page("app_pages/incident.py", query_params={"ref": st.query_params["ref"]})

st.title(_("Incidents"))
vocabs = load_vocabularies()
filters: dict = st.session_state.setdefault(state.INCIDENT_FILTERS, {})
with read_session(get_engine()) as session:
    actors = {a.uid: a.name for a in list_actors(session, by=principal(), limit=500)}

FILTER_FIELDS = ("statuses", "incident_type", "admin1", "text", "date_from", "date_to",
                 "actor_uid")
# Widgets take their values from session keys (never value=/index=), so a changed default
# after "Apply" cannot reset what the user picks next.
state.seed("incidents", {"statuses": [], "incident_type": "", "admin1": "", "text": "",
                         "date_from": None, "date_to": None, "actor_uid": "",
                         **{k: v for k, v in filters.items() if v is not None}})
if state.widget_key("incidents", "actor_uid") in st.session_state and st.session_state[
        state.widget_key("incidents", "actor_uid")] not in ("", *actors):
    st.session_state[state.widget_key("incidents", "actor_uid")] = ""


def key(name: str) -> str:
    return state.widget_key("incidents", name)


with st.form("incident_filters"):
    c1, c2, c3, c4 = st.columns([2, 2, 2, 3])
    c1.multiselect(_("Status"), STATUSES, format_func=status_label, key=key("statuses"))
    c2.selectbox(_("Incident type"), ["", *vocabs["incident_type"].codes],
                 format_func=vocabs["incident_type"].label, key=key("incident_type"))
    c3.selectbox(_("Governorate"), ["", *vocabs["governorate"].codes],
                 format_func=vocabs["governorate"].label, key=key("admin1"))
    c4.text_input(_("Search words in titles, narratives, places and names"),
                  key=key("text"))
    c1, c2, c3, c4 = st.columns([2, 2, 2, 3], vertical_alignment="bottom")
    overlap = _("Incidents whose date overlaps the period: one known only to its month or "
                "year counts for the whole month or year.")
    c1.date_input(_("From"), format="YYYY-MM-DD", min_value=dt.date(1900, 1, 1),
                  key=key("date_from"), help=overlap)
    c2.date_input(_("Until"), format="YYYY-MM-DD", min_value=dt.date(1900, 1, 1),
                  key=key("date_to"), help=overlap)
    c3.selectbox(_("Perpetrator"), ["", *actors], format_func=lambda uid: actors.get(uid, "—"),
                 key=key("actor_uid"))
    apply = c4.form_submit_button(_("Apply filters"), type="primary")
if apply:
    values = state.form_values("incidents", FILTER_FIELDS)
    filters.clear()
    filters.update({k: (v.strip() if isinstance(v, str) else v) or None
                    for k, v in values.items()})
    st.session_state[state.INCIDENT_PAGE] = 1

page_number = st.session_state.get(state.INCIDENT_PAGE, 1)
query = IncidentFilter(statuses=filters.get("statuses") or None,
                       incident_type=filters.get("incident_type"),
                       admin1=filters.get("admin1"), date_from=filters.get("date_from"),
                       date_to=filters.get("date_to"), actor_uid=filters.get("actor_uid"),
                       text=filters.get("text") or None)
try:
    with read_session(get_engine()) as session:
        page = list_incidents(session, by=principal(), filters=query, page=page_number,
                              page_size=PAGE_SIZE)
except SijilError as error:
    show_error(error)
    st.stop()

st.caption(ngettext("{n} incident", "{n} incidents", page.total).format(n=page.total)
           + " · " + _("page {page} of {pages}").format(page=page.page, pages=page.pages))
rows = pd.DataFrame([{
    "ref": item.ref, _("Link"): f"incident?ref={item.ref}", _("Title"): item.title,
    _("Type"): vocabs["incident_type"].label(item.incident_type),
    _("Date"): format_incident_date(item.start_date, item.end_date, item.date_precision),
    _("Governorate"): vocabs["governorate"].label(
        item.admin1), _("Locality"): item.locality or "",
    _("Status"): status_label(item.status), _("Killed"): item.fatalities,
    _("Injured"): item.injured,
    _("Restricted"): "🔒" if item.sensitivity == "restricted" else ""}
    for item in page.items])
if rows.empty:
    st.info(_("No incidents match these filters."))
else:
    picked = show_table(
        rows, hide_index=True, width="stretch", on_select="rerun",
        selection_mode="single-row", key="incident_table",
        column_config={"ref": st.column_config.TextColumn(_("Reference")),
                       _("Link"): st.column_config.LinkColumn(
                           _("Link"), display_text=_("open ↗"))})
    chosen = picked.selection.rows if picked is not None else []
    if chosen:
        st.switch_page("app_pages/incident.py",
                       query_params={"ref": page.items[chosen[0]].ref})

page_buttons(page, state.INCIDENT_PAGE)
