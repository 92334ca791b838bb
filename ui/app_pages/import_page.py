"""Import: upload a file, see every problem or what would be created, then import it all."""

import pandas as pd
import streamlit as st

from records.errors import SijilError, ValidationError
from ui import state
from ui.components import escape_markdown, principal, show_error
from ui.components.import_export import (
    UPLOAD_TYPES,
    duplicates_table,
    import_upload,
    preview_upload,
    problems_table,
)
from ui.components.tables import show_table
from ui.i18n import _, ngettext

SHOWN_REFS = 5

by = principal()
st.title(_("Import"))
st.caption(_("Every row is checked before anything is written: a file with any problem "
             "imports nothing. Incidents already in the database are skipped."))

formats = {"sijil": _("Sijil (CSV, Excel, JSON or data package)"),
           "acled": _("ACLED (CSV or Excel export)")}
fmt = st.radio(_("Format"), list(formats), format_func=formats.get, horizontal=True,
               key="import_format")
# A new uploader after each import, so the imported file is not offered again.
upload_round = st.session_state.get(state.IMPORT_ROUND, 0)
upload = st.file_uploader(_("File to import"), type=list(UPLOAD_TYPES),
                          key=f"import_file_{upload_round}",
                          help=_("CSV or Excel with one row per victim, Sijil JSON, or a "
                                 "Sijil data package (.zip)."))
if upload is None:
    st.session_state.pop(state.IMPORT_PREVIEW, None)
    st.stop()

# The preview reads the whole file: keep it while the file and format stay the same.
preview_key = (upload.file_id, fmt)
cached = st.session_state.get(state.IMPORT_PREVIEW)
if cached is None or cached[0] != preview_key:
    try:
        with st.spinner(_("Checking every row…")):
            preview = preview_upload(upload.getvalue(), upload.name, fmt=fmt, by=by)
    except SijilError as error:
        show_error(error)
        st.stop()
    st.session_state[state.IMPORT_PREVIEW] = (preview_key, preview)
else:
    preview = cached[1]

for warning in preview.warnings:
    st.warning(escape_markdown(warning))

if not preview.ok:
    st.error(ngettext("{n} problem found. Nothing can be imported until the file is corrected.",
                      "{n} problems found. Nothing can be imported until the file is corrected.",
                      len(preview.problems)).format(n=len(preview.problems)))
    show_table(problems_table(preview.problems), hide_index=True, width="stretch")
else:
    c1, c2, c3 = st.columns(3)
    c1.metric(_("Incidents to create"), preview.incidents)
    c2.metric(_("Victims"), preview.victims)
    c3.metric(_("Already present (skipped)"), len(preview.existing))
    if preview.sample:
        st.subheader(_("First incidents of the file"))
        show_table(pd.DataFrame([{
            _("Row"): str(s["row"]), _("Ref"): s["ref"] or _("(new)"), _("Title"): s["title"],
            _("Start date"): str(s["start_date"] or ""), _("Victims"): s["victims"],
            _("Status in the file"): s["status"]} for s in preview.sample]),
            hide_index=True, width="stretch")
        st.caption(_("No import verifies or publishes anything: incidents the file calls "
                     "submitted, verified or published wait for review here, others are "
                     "saved as drafts. The file's status is kept as provenance."))
if preview.existing:
    st.subheader(_("Already present, will be skipped"))
    show_table(pd.DataFrame([{_("Row"): str(e.row), _("Ref"): e.ref, _("Reason"): e.reason}
                               for e in preview.existing]), hide_index=True, width="stretch")
if preview.duplicates:
    st.subheader(_("Likely duplicates (nothing is merged)"))
    st.caption(_("Rows that may describe a person or an incident already recorded. The import "
                 "creates them as new records; a reviewer can merge them afterwards on the "
                 "Duplicates page."))
    show_table(duplicates_table(preview))

ready = preview.ok and preview.incidents > 0
if preview.ok and not ready:
    st.info(_("Nothing new to import: every incident of the file is already present.")
            if preview.existing else _("The file holds no incidents."))
if st.button(_("Import"), type="primary", disabled=not ready, key="import_run"):
    bar = st.progress(0.0, text=_("Importing…"))

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0,
                     text=_("Importing… {done} of {total}").format(done=done, total=total))

    try:
        result = import_upload(upload.getvalue(), upload.name, fmt=fmt, by=by,
                               progress=progress)
    except ValidationError as error:
        bar.empty()
        st.error(_("Nothing was imported: the file has problems."))
        show_table(problems_table(error.problems), hide_index=True, width="stretch")
        st.session_state.pop(state.IMPORT_PREVIEW, None)
        st.stop()
    except SijilError as error:
        bar.empty()
        show_error(error)
        st.stop()
    refs = ", ".join(escape_markdown(r) for r in result.refs[:SHOWN_REFS])
    more = ", …" if result.created > SHOWN_REFS else ""
    message = ngettext("Imported {n} incident from {name}: {refs}{more}.",
                       "Imported {n} incidents from {name}: {refs}{more}.",
                       result.created).format(
        n=result.created, name=escape_markdown(upload.name), refs=refs, more=more)
    if result.held_for_review:
        message += " " + ngettext(
            "{n} held for review: the file's status is kept as provenance, and someone "
            "other than the importer verifies it here.",
            "{n} held for review: the file's status is kept as provenance, and someone "
            "other than the importer verifies them here.", result.held_for_review).format(
            n=result.held_for_review)
    if result.existing:
        message += " " + _("{n} already present, skipped.").format(n=len(result.existing))
    state.flash(message)
    st.session_state.pop(state.IMPORT_PREVIEW, None)
    st.session_state[state.IMPORT_ROUND] = upload_round + 1
    st.rerun()
