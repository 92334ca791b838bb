"""Reported figures: numbers others published ("over 30 activists killed since October
2019"), which the report sets beside Sijil's own counts. Everyone reads them; caseworkers
and up add and remove them (records/services/reports/figures.py)."""

import datetime as dt

import pandas as pd
import streamlit as st

from records.errors import SijilError
from records.i18n import format_number
from records.models.reporting import FIGURE_METRICS, FIGURE_QUALIFIERS
from records.services.access import has_role
from records.services.reports import (
    add_reported_figure,
    list_reported_figures,
    remove_reported_figure,
)
from ui.components import get_engine, load_vocabularies, principal, read_session, show_error
from ui.components.db import unit_of_work
from ui.components.tables import show_table
from ui.i18n import _
from ui.state import flash

CLEAR_FORM = "sijil_figure_added"
URL_START = "https://"  # a hint of the address's shape, not words to translate
by = principal()
vocabs = load_vocabularies()
METRIC_LABELS = {"killed": _("Killed"), "attempted_killing": _("Attempted killing"),
                 "injured": _("Injured"), "abducted": _("Abducted"),
                 "arrested": _("Arrested"), "disappeared": _("Disappeared")}
QUALIFIER_LABELS = {"exact": _("exactly"), "at_least": _("at least"), "over": _("over"),
                    "about": _("about"), "up_to": _("up to")}

st.title(_("Reported figures"))
st.caption(_("Figures published by others (the UN, NGOs, the authorities, the media). The "
             "advocacy report sets each one beside the number Sijil documents for the same "
             "measure, period and governorate."))


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


with read_session(get_engine()) as session:
    figures = list_reported_figures(session, by=by)

if figures:
    show_table(pd.DataFrame([{
        _("Id"): f.id,
        _("Measure"): METRIC_LABELS.get(f.metric, f.metric),
        _("Figure"): format_number(f.value) if f.qualifier == "exact" else
        f"{QUALIFIER_LABELS.get(f.qualifier, f.qualifier)} {format_number(f.value)}",
        _("From"): _day(f.period_start), _("Until"): _day(f.period_end),
        _("Governorate"): vocabs["governorate"].label(f.admin1) if f.admin1
        else _("All Iraq"),
        _("Source"): f.source_name, _("Address"): f.source_url or "",
        _("Reported on"): _day(f.reported_on), _("Note"): f.note or ""} for f in figures]))
else:
    st.info(_("No reported figures yet."))

if not has_role(by, "caseworker"):
    st.stop()

st.subheader(_("Add a reported figure"))
if st.session_state.pop(CLEAR_FORM, False):
    # After an add the form starts empty again; after a refusal it keeps what was typed.
    for key in [k for k in st.session_state if str(k).startswith("figure_")]:
        del st.session_state[key]
with st.form("figure_add"):
    c1, c2, c3 = st.columns(3)
    metric = c1.selectbox(_("Measure"), FIGURE_METRICS, format_func=METRIC_LABELS.get,
                          key="figure_metric")
    qualifier = c2.selectbox(_("Qualifier"), FIGURE_QUALIFIERS,
                             format_func=QUALIFIER_LABELS.get, key="figure_qualifier")
    value = c3.number_input(_("Number"), min_value=0, step=1, value=None,
                            key="figure_value")
    c1, c2, c3 = st.columns(3)
    period_start = c1.date_input(_("Period from"), value=None, format="YYYY-MM-DD",
                                 min_value=dt.date(1900, 1, 1), key="figure_start")
    period_end = c2.date_input(_("Period until"), value=None, format="YYYY-MM-DD",
                               min_value=dt.date(1900, 1, 1), key="figure_end")
    admin1 = c3.selectbox(_("Governorate"), ["", *vocabs["governorate"].codes],
                          format_func=lambda c: vocabs["governorate"].label(c) if c
                          else _("All Iraq"), key="figure_admin1")
    c1, c2, c3 = st.columns(3)
    source_name = c1.text_input(_("Source"), key="figure_source",
                                help=_("Who published the figure, e.g. UNAMI."))
    source_url = c2.text_input(_("Address of the source"), key="figure_url",
                               placeholder=URL_START)
    reported_on = c3.date_input(_("Reported on"), value=None, format="YYYY-MM-DD",
                                min_value=dt.date(1900, 1, 1), key="figure_reported_on")
    note = st.text_input(_("Note"), key="figure_note")
    added = st.form_submit_button(_("Add figure"), type="primary")

if added:
    try:
        with unit_of_work(get_engine()) as session:
            add_reported_figure(session, {
                "metric": metric, "qualifier": qualifier, "value": value,
                "period_start": period_start, "period_end": period_end, "admin1": admin1,
                "source_name": source_name, "source_url": source_url,
                "reported_on": reported_on, "note": note}, by=by)
        st.session_state[CLEAR_FORM] = True
        flash(_("The figure was added."))
        st.rerun()
    except SijilError as error:
        show_error(error)

if figures:
    st.subheader(_("Remove a reported figure"))
    with st.form("figure_remove"):
        choices = {f.id: f"{f.id} · {METRIC_LABELS.get(f.metric, f.metric)} · "
                         f"{f.value} · {f.source_name}" for f in figures}
        chosen = st.selectbox(_("Figure"), list(choices), format_func=choices.get,
                              key="figure_remove_id")
        removed = st.form_submit_button(_("Remove figure"))
    if removed:
        try:
            with unit_of_work(get_engine()) as session:
                remove_reported_figure(session, chosen, by=by)
            flash(_("The figure was removed."))
            st.rerun()
        except SijilError as error:
            show_error(error)
