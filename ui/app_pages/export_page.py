"""Export: incidents redacted to a level the user's role allows, as a file to download.

The file is offered to this browser only (ui/downloads.py, served by ui/server.py), never
through st.download_button, whose /media/ addresses answer anyone who has them."""

import datetime as dt

import streamlit as st

from records.errors import SijilError, ValidationError
from records.i18n import LANGUAGES
from records.services.access import LEVELS, allowed_levels
from records.services.exchange import DEFAULT_STATUSES, FORMATS, ExportFilters, parse_statuses
from records.services.people import list_actors
from ui import downloads
from ui.components import (
    escape_markdown,
    get_engine,
    load_vocabularies,
    principal,
    read_session,
    show_error,
)
from ui.components.download_link import show_download_link
from ui.components.import_export import export_download
from ui.components.vocab import STATUSES, status_label
from ui.i18n import _, ngettext
from ui.state import EXPORT_DOWNLOAD, LANGUAGE

LINK_MINUTES = downloads.LIFETIME_SECONDS // 60

by = principal()
client = downloads.client_id()
vocabs = load_vocabularies()
st.title(_("Export"))
with read_session(get_engine()) as session:
    actors = {a.uid: a.name for a in list_actors(session, by=by, limit=500)}

format_labels = {"csv": _("CSV (one row per victim)"), "xlsx": _("Excel workbook"),
                 "json": _("JSON"), "geojson": _("GeoJSON (map points)"),
                 "datapackage": _("Data package (.zip)"),
                 "report-html": _("Advocacy report (HTML)"),
                 "report-pdf": _("Advocacy report (PDF)")}
level_labels = {"public": _("Public"), "partner": _("Partner"), "internal": _("Internal")}
levels = [level.name for level in allowed_levels(by)]

c1, c2 = st.columns(2)
fmt = c1.selectbox(_("Format"), FORMATS, format_func=lambda f: format_labels.get(f, f),
                   key="export_format")
level = c2.selectbox(_("Redaction level"), levels,
                     format_func=lambda name: level_labels.get(name, name), key="export_level")
st.info(escape_markdown(_(LEVELS[level].description)))
report_language = "en"
if fmt.startswith("report-"):
    # The report is written in one language for its readers, the session's by default.
    current = st.session_state.get(LANGUAGE, "en")
    report_language = st.selectbox(_("Report language"), list(LANGUAGES),
                                   index=list(LANGUAGES).index(current)
                                   if current in LANGUAGES else 0,
                                   format_func=LANGUAGES.get, key="export_report_language")

# Perpetrator: an actor type (every actor of that kind) or one named actor.
perpetrators = {"": "—"}
perpetrators |= {code: _("Any {type}").format(type=vocabs["actor_type"].label(code))
                 for code in vocabs["actor_type"].codes}
perpetrators |= actors

with st.form("export_filters"):
    c1, c2, c3 = st.columns(3)
    statuses = c1.multiselect(_("Status"), STATUSES, default=list(DEFAULT_STATUSES),
                              format_func=status_label, key="export_statuses",
                              help=_("Leave empty for every status, archived included. The "
                                     "level may narrow this further."))
    since = c2.date_input(_("From"), value=None, format="YYYY-MM-DD",
                          min_value=dt.date(1900, 1, 1), key="export_since")
    until = c3.date_input(_("Until"), value=None, format="YYYY-MM-DD",
                          min_value=dt.date(1900, 1, 1), key="export_until")
    c1, c2, c3 = st.columns(3)
    admin1 = c1.selectbox(_("Governorate"), ["", *vocabs["governorate"].codes],
                          format_func=vocabs["governorate"].label, key="export_admin1")
    incident_type = c2.selectbox(_("Incident type"), ["", *vocabs["incident_type"].codes],
                                 format_func=vocabs["incident_type"].label, key="export_type")
    perpetrator = c3.selectbox(_("Perpetrator"), list(perpetrators),
                               format_func=perpetrators.get, key="export_perpetrator")
    run = st.form_submit_button(_("Export"), type="primary", disabled=client is None)

if client is None:
    st.warning(_("Exports are offered only to a browser the workspace has recognised: reload "
                 "the page. The workspace must be started with sijil ui (or make run), which "
                 "ties each download to the browser that made it."))

if run and client is not None:
    st.session_state.pop(EXPORT_DOWNLOAD, None)
    bar = st.progress(0.0, text=_("Exporting…"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0,
                     text=_("Exporting… {done} of {total}").format(done=done, total=total))

    try:
        filters = ExportFilters(statuses=parse_statuses(",".join(statuses) or "all"),
                                since=since, until=until, admin1=admin1 or None,
                                incident_type=incident_type or None,
                                perpetrator=perpetrator or None)
        st.session_state[EXPORT_DOWNLOAD] = export_download(fmt, level, filters, by=by,
                                                            client=client, progress=progress,
                                                            language=report_language)
    except ValidationError as error:
        st.error(_("Nothing was exported."))
        for problem in error.problems:
            st.text(f"• {problem.field}: {problem.message}")
    except SijilError as error:
        show_error(error)
    bar.empty()

download = st.session_state.get(EXPORT_DOWNLOAD)
if download is not None and downloads.offered(download.token, client) is None:
    st.session_state.pop(EXPORT_DOWNLOAD, None)
    st.info(_("The download link has expired (a link lasts {m} minutes, and a newer export "
              "from this browser replaces it). Export again to get the file.").format(
        m=LINK_MINUTES))
elif download is not None:
    st.success(ngettext("{n} incident", "{n} incidents", download.incidents).format(
        n=download.incidents) + ", " + ngettext(
        "{n} row exported at the {level} level.", "{n} rows exported at the {level} level.",
        download.rows).format(n=download.rows, level=escape_markdown(
            level_labels.get(download.level, download.level))))
    st.caption(_("SHA-256 of the file (recorded in the audit log):"))
    st.code(download.sha256, language=None)
    show_download_link(download.url, download.file_name, LINK_MINUTES)
