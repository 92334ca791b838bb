"""The incident's own fields (docs/design.md §3) as form widgets, shared by "New" and "Edit"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import streamlit as st

from records.models.incident import CONFIDENCE_LEVELS, SENSITIVITIES
from records.vocabulary_seed import GOVERNORATE_VOCABULARY
from ui.components import vocab as vocab_ui
from ui.components.feedback import FieldErrors
from ui.components.vocab import Vocab
from ui.i18n import _
from ui.state import seed, widget_key

FIELDS = ("title", "incident_type", "start_date", "end_date", "date_precision", "time_of_day",
          "country", "admin1", "admin2", "locality", "latitude", "longitude", "geo_precision",
          "method", "context", "fatalities", "injured", "confidence", "sensitivity", "tags",
          "narrative")
EARLIEST = dt.date(1900, 1, 1)


def blank_values() -> dict[str, Any]:
    return {"title": "", "incident_type": "", "start_date": dt.date.today(), "end_date": None,
            "date_precision": "day", "time_of_day": "", "country": "IQ", "admin1": "",
            "admin2": "", "locality": "", "latitude": None, "longitude": None,
            "geo_precision": "", "method": "", "context": "", "fatalities": 0, "injured": 0,
            "confidence": "reported", "sensitivity": "normal", "tags": "", "narrative": ""}


def values_of(record) -> dict[str, Any]:
    """The widget values that show an existing incident."""
    values = {f: getattr(record, f) for f in FIELDS}
    values["tags"] = ", ".join(record.tags or [])
    for name in ("time_of_day", "admin1", "admin2", "locality", "geo_precision", "method",
                 "context"):
        values[name] = values[name] or ""
    return values


def to_data(values: dict[str, Any]) -> dict[str, Any]:
    """Widget values as service input: blanks become None, tags a list."""
    data = dict(values)
    data["tags"] = [t.strip() for t in (values.get("tags") or "").split(",") if t.strip()]
    for name in ("incident_type", "admin1", "geo_precision", "method", "context"):
        data[name] = data.get(name) or None
    data["title"] = (data.get("title") or "").strip()
    return data


def render(form: str, initial: dict[str, Any], vocabs: dict[str, Vocab],
           errors: FieldErrors) -> None:
    """The widgets, with each field's validation problem right under it."""
    seed(form, initial)

    def key(name: str) -> str:
        return widget_key(form, name)

    st.text_input(_("Title"), key=key("title"), max_chars=300)
    errors.show("title")
    c1, c2, c3 = st.columns(3)
    with c1:
        _type_and_time(key, vocabs, errors)
    with c2:
        _place(key, vocabs, errors)
    with c3:
        _method_and_toll(key, vocabs, errors)
    st.text_area(_("Narrative"), key=key("narrative"), height=200,
                 help=_("What happened, in the words of the sources. Arabic is fine."))
    errors.show("narrative", "record")


def _type_and_time(key: Callable[[str], str], vocabs: dict[str, Vocab],
                   errors: FieldErrors) -> None:
    vocab_ui.select(_("Incident type"), vocabs["incident_type"], key("incident_type"),
                    optional=True)
    errors.show("incident_type")
    st.date_input(_("Start date"), key=key("start_date"), min_value=EARLIEST,
                  max_value=dt.date.today(), format="YYYY-MM-DD")
    errors.show("start_date")
    st.date_input(_("End date"), key=key("end_date"), min_value=EARLIEST,
                  max_value=dt.date.today(), format="YYYY-MM-DD",
                  help=_("Leave empty for a single-day incident."))
    errors.show("end_date")
    vocab_ui.select(_("Date precision"), vocabs["date_precision"], key("date_precision"))
    errors.show("date_precision")
    st.text_input(_("Time of day"), key=key("time_of_day"),
                  placeholder=_("e.g. evening, 21:30"))
    errors.show("time_of_day")


def _place(key: Callable[[str], str], vocabs: dict[str, Vocab],
           errors: FieldErrors) -> None:
    st.text_input(_("Country (ISO code)"), key=key("country"), max_chars=2)
    errors.show("country")
    vocab_ui.select(_("Governorate"), vocabs[GOVERNORATE_VOCABULARY], key("admin1"),
                    optional=True)
    errors.show("admin1")
    st.text_input(_("District"), key=key("admin2"))
    errors.show("admin2")
    st.text_input(_("Locality"), key=key("locality"))
    errors.show("locality")
    st.number_input(_("Latitude"), key=key("latitude"), min_value=-90.0, max_value=90.0,
                    format="%.5f", step=0.01)
    st.number_input(_("Longitude"), key=key("longitude"), min_value=-180.0,
                    max_value=180.0, format="%.5f", step=0.01)
    errors.show("latitude", "longitude")
    vocab_ui.select(_("Location precision"), vocabs["geo_precision"], key("geo_precision"),
                    optional=True)


def _method_and_toll(key: Callable[[str], str], vocabs: dict[str, Vocab],
                     errors: FieldErrors) -> None:
    """How it was done and its toll, then how sure the record is and who may see it."""
    vocab_ui.select(_("Method"), vocabs["method"], key("method"), optional=True)
    errors.show("method")
    vocab_ui.select(_("Context"), vocabs["context"], key("context"), optional=True)
    errors.show("context")
    st.number_input(_("Fatalities"), key=key("fatalities"), min_value=0, step=1)
    st.number_input(_("Injured"), key=key("injured"), min_value=0, step=1)
    errors.show("fatalities", "injured")
    st.selectbox(_("Confidence"), CONFIDENCE_LEVELS, key=key("confidence"),
                 format_func=vocab_ui.choice_label)
    st.selectbox(_("Sensitivity"), SENSITIVITIES, key=key("sensitivity"),
                 format_func=vocab_ui.choice_label,
                 help=_("Restricted incidents are seen only by their author and "
                        "reviewers."))
    st.text_input(_("Tags (comma-separated)"), key=key("tags"))
