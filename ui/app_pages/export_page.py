"""Export: incidents redacted to a level the user's role allows, as a file to download; for
the advocacy report also its cover (title, subtitle, organisation, logo), period and
language, and the named presets that hold them (admins save them, everyone uses them).

The file is offered to this browser only (ui/downloads.py, served by ui/server.py), never
through st.download_button, whose /media/ addresses answer anyone who has them."""

import datetime as dt

import streamlit as st

from records.errors import SijilError, ValidationError
from records.i18n import LANGUAGES
from records.services.access import LEVELS, allowed_levels, has_role
from records.services.exchange import FORMATS, ExportFilters, parse_statuses
from records.services.people import list_actors
from records.services.reports import (
    delete_preset,
    list_presets,
    list_reported_figures,
    rename_preset,
    save_preset,
)
from ui import downloads
from ui.components import (
    escape_markdown,
    get_engine,
    load_vocabularies,
    principal,
    read_session,
    show_error,
    unit_of_work,
)
from ui.components import report_settings as rs
from ui.components.download_link import show_download_link
from ui.components.import_export import export_download, export_withheld_line
from ui.components.report_files import report_download
from ui.components.vocab import STATUSES, status_label
from ui.i18n import _, ngettext
from ui.state import EXPORT_DOWNLOAD, LANGUAGE, flash

LINK_MINUTES = downloads.LIFETIME_SECONDS // 60
FIGURES_PAGE = "app_pages/reported_figures.py"  # a file path, not words

by = principal()
client = downloads.client_id()
vocabs = load_vocabularies()
is_admin = has_role(by, "admin")
st.title(_("Export"))
with read_session(get_engine()) as session:
    actors = {a.uid: a.name for a in list_actors(session, by=by, limit=500)}
    presets = {p.name: p for p in list_presets(session, by=by)}
    figure_count = len(list_reported_figures(session, by=by))

format_labels = {"csv": _("CSV (one row per victim)"), "xlsx": _("Excel workbook"),
                 "json": _("JSON"), "geojson": _("GeoJSON (map points)"),
                 "datapackage": _("Data package (.zip)"),
                 "report-html": _("Advocacy report (HTML)"),
                 "report-pdf": _("Advocacy report (PDF)")}
level_labels = {"public": _("Public"), "partner": _("Partner"), "internal": _("Internal")}
levels = [level.name for level in allowed_levels(by)]
# Perpetrator: an actor type (every actor of that kind) or one named actor.
perpetrators = {"": "—"}
perpetrators |= {code: _("Any {type}").format(type=vocabs["actor_type"].label(code))
                 for code in vocabs["actor_type"].codes}
perpetrators |= actors
rs.seed_defaults()
if st.session_state.get(rs.PRESET) not in ("", None, *presets):
    st.session_state[rs.PRESET] = ""  # deleted or renamed since

c1, c2 = st.columns(2)
fmt = c1.selectbox(_("Format"), FORMATS, format_func=lambda f: format_labels.get(f, f),
                   key="export_format")
level = c2.selectbox(_("Redaction level"), levels,
                     format_func=lambda name: level_labels.get(name, name), key=rs.LEVEL)
st.info(escape_markdown(_(LEVELS[level].description)))
is_report = fmt.startswith("report-")
if is_report:
    st.subheader(_("Report"))
    c1, c2 = st.columns(2)
    c1.selectbox(_("Preset"), ["", *presets], key=rs.PRESET,
                 format_func=lambda name: name or _("— none —"),
                 on_change=rs.apply_preset, kwargs={
                     "by": by, "levels": levels, "admin1": vocabs["governorate"].codes,
                     "types": vocabs["incident_type"].codes, "perpetrators": list(perpetrators)},
                 help=_("Saved report settings: choosing one fills in the fields below."))
    chosen = presets.get(st.session_state.get(rs.PRESET) or "")
    if chosen is not None:
        c1.caption(escape_markdown(rs.preset_summary(chosen, level_labels)))
    # The report is written in one language for its readers, the session's by default.
    current = st.session_state.get(LANGUAGE, "en")
    st.session_state.setdefault(rs.LANGUAGE, current if current in LANGUAGES else "en")
    c2.selectbox(_("Report language"), list(LANGUAGES), format_func=LANGUAGES.get,
                 key=rs.LANGUAGE)
    c2.caption(escape_markdown(ngettext(
        "{n} reported figure will be set beside the documented counts.",
        "{n} reported figures will be set beside the documented counts.",
        figure_count).format(n=figure_count)))
    st.page_link(FIGURES_PAGE, label=_("Reported figures"),
                 icon=":material/query_stats:")

logo_upload = None
save = False
with st.form("export_filters"):
    if is_report:
        c1, c2 = st.columns(2)
        c1.text_input(_("Title"), key=rs.TITLE, max_chars=300,
                      placeholder=_("Attacks on human-rights defenders, activists and "
                                    "journalists"))
        c2.text_input(_("Subtitle"), key=rs.SUBTITLE, max_chars=300)
        c1, c2 = st.columns(2)
        c1.text_input(_("Organisation"), key=rs.ORGANISATION, max_chars=300)
        logo_upload = c2.file_uploader(_("Logo (PNG or JPEG, at most 512 KB)"),
                                       type=["png", "jpg", "jpeg"], key=rs.LOGO)
        if chosen is not None and chosen.logo_sha256:
            c2.checkbox(_("Use the preset's logo when none is uploaded"),
                        key=rs.USE_PRESET_LOGO)
    c1, c2, c3 = st.columns(3)
    c1.multiselect(_("Status"), STATUSES, format_func=status_label, key=rs.STATUSES,
                   help=_("Leave empty for every status, archived included. The level may "
                          "narrow this further."))
    c2.date_input(_("From"), format="YYYY-MM-DD", min_value=dt.date(1900, 1, 1), key=rs.SINCE)
    c3.date_input(_("Until"), format="YYYY-MM-DD", min_value=dt.date(1900, 1, 1), key=rs.UNTIL)
    if is_report:
        c3.number_input(_("Or the last N months"), min_value=0, max_value=240, step=1,
                        key=rs.LAST_MONTHS,
                        help=_("0: use the dates. A preset with N months always reports "
                               "on the N months up to the day it is used."))
    c1, c2, c3 = st.columns(3)
    c1.selectbox(_("Governorate"), ["", *vocabs["governorate"].codes],
                 format_func=vocabs["governorate"].label, key=rs.ADMIN1)
    c2.selectbox(_("Incident type"), ["", *vocabs["incident_type"].codes],
                 format_func=vocabs["incident_type"].label, key=rs.TYPE)
    c3.selectbox(_("Perpetrator"), list(perpetrators), format_func=perpetrators.get,
                 key=rs.PERPETRATOR)
    run = st.form_submit_button(_("Export"), type="primary", disabled=client is None)
    if is_report and is_admin:
        st.divider()
        c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
        c1.text_input(_("Preset name"), key=rs.PRESET_NAME, max_chars=100,
                      help=_("Saving under the name of an existing preset replaces its "
                             "settings."))
        save = c2.form_submit_button(_("Save as preset"))

if client is None:
    st.warning(_("Exports are offered only to a browser the workspace has recognised: reload "
                 "the page. The workspace must be started with sijil ui (or make run), which "
                 "ties each download to the browser that made it."))

choices = rs.choices_from_state(logo_upload.getvalue() if logo_upload else None)
if save:
    name = st.session_state.get(rs.PRESET_NAME) or ""
    try:
        with unit_of_work(get_engine()) as session:
            saved = save_preset(session, name, choices.settings(), by=by, logo=choices.logo)
        st.session_state[rs.PRESET_PENDING] = saved.name
        flash(_("The preset {name} was saved.").format(name=escape_markdown(saved.name)))
        st.rerun()
    except SijilError as error:
        show_error(error)

if run and client is not None:
    st.session_state.pop(EXPORT_DOWNLOAD, None)
    bar = st.progress(0.0, text=_("Exporting…"))

    def progress(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0,
                     text=_("Exporting… {done} of {total}").format(done=done, total=total))

    try:
        if is_report:
            options = rs.report_options(choices, by=by)
            st.session_state[EXPORT_DOWNLOAD] = report_download(
                options, pdf=fmt == "report-pdf", by=by, client=client, progress=progress)
        else:
            filters = ExportFilters(
                statuses=parse_statuses(",".join(choices.statuses) or "all"),
                since=choices.since, until=choices.until, admin1=choices.admin1 or None,
                incident_type=choices.incident_type or None,
                perpetrator=choices.perpetrator or None)
            # What will be withheld from free text is said before the file is written.
            withheld = export_withheld_line(level, filters, by=by)
            st.info(escape_markdown(withheld))
            st.session_state[EXPORT_DOWNLOAD] = export_download(
                fmt, level, filters, by=by, client=client, progress=progress,
                withheld=withheld)
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
    if download.withheld and not run:
        st.caption(escape_markdown(download.withheld))
    st.caption(_("SHA-256 of the file (recorded in the audit log):"))
    st.code(download.sha256, language=None)
    show_download_link(download.url, download.file_name, LINK_MINUTES)

if is_report and is_admin and presets:
    with st.expander(_("Manage presets")):
        with st.form("preset_manage"):
            target = st.selectbox(_("Preset to rename or delete"), list(presets),
                                  key="export_manage_preset")
            new_name = st.text_input(_("New name"), key="export_manage_name", max_chars=100)
            c1, c2 = st.columns(2)
            rename = c1.form_submit_button(_("Rename"))
            remove = c2.form_submit_button(_("Delete"))
            confirm = st.checkbox(_("Yes, delete this preset"), key="export_manage_confirm")
        try:
            if rename:
                with unit_of_work(get_engine()) as session:
                    renamed = rename_preset(session, target, new_name, by=by)
                if st.session_state.get(rs.PRESET) == target:
                    st.session_state[rs.PRESET_PENDING] = renamed.name
                flash(_("The preset {old} is now called {new}.").format(
                    old=escape_markdown(target), new=escape_markdown(renamed.name)))
                st.rerun()
            if remove and not confirm:
                st.warning(_("Tick the box to confirm the deletion."))
            elif remove:
                with unit_of_work(get_engine()) as session:
                    delete_preset(session, target, by=by)
                flash(_("The preset {name} was deleted.").format(name=escape_markdown(target)))
                st.rerun()
        except SijilError as error:
            show_error(error)
