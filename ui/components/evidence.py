"""Evidence files of an incident: upload (stored by SHA-256), the list with checksums, and
the chosen file's preview, downloads and chain of custody (evidence_file)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from records.services.incidents import get_incident
from ui import state
from ui.components.db import get_engine, read_session
from ui.components.evidence_file import evidence_file
from ui.components.feedback import clear_widgets, run_write
from ui.components.tables import show_table
from ui.i18n import _


def evidence(record, by, *, editable: bool) -> None:
    from records.services.evidence import add_attachment, list_attachments, max_file_bytes

    with read_session(get_engine()) as session:
        files = list_attachments(session, record.ref, by=by)
    if files:
        show_table(pd.DataFrame([{
            _("File"): f.original_name, _("Size (bytes)"): f.size,
            _("Type"): f.mime_type, _("Description"): f.description or "",
            _("SHA-256"): f.sha256} for f in files]), hide_index=True, width="stretch")
        evidence_file(files, by, editable=editable)
    else:
        st.caption(_("No evidence files yet."))
    if not editable:
        return
    key = f"evidence_{record.ref}"
    with st.form(key):
        upload = st.file_uploader(_("Evidence file"), key=f"{key}_file", help=_(
            "Up to {mb} MB. Its type is read from its content, not its name.").format(
                mb=max_file_bytes() // 1_000_000))
        description = st.text_input(_("Description"), key=f"{key}_description")
        go = st.form_submit_button(_("Upload"))
    if go:
        if upload is None:
            st.error(_("Choose a file first."))
            return
        version = state.opened_version(record.ref, record.version)

        def write(session):
            stored = add_attachment(session, record.ref, filename=upload.name,
                                    data=upload.getvalue(), by=by,
                                    expected_version=version, description=description)
            return stored, get_incident(session, record.ref, by=by).version

        result = run_write(write)
        if result is not None:
            stored, new_version = result
            state.flash(_("Stored {name}: SHA-256 {sha}").format(name=stored.original_name,
                                                                sha=stored.sha256))
            state.set_opened_version(record.ref, new_version)
            clear_widgets(f"{key}_")
            st.rerun()
