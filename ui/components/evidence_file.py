"""One evidence file in the incident's Evidence tab: its preview, its downloads and its
chain of custody, with the form that adds to it.

Previews reach the page inside its own message as a data: address, and downloads through
ui/downloads.py: never st.image, st.pdf or st.download_button, whose /media/ addresses
answer anyone who has them."""

from __future__ import annotations

import base64
import datetime as dt

import pandas as pd
import streamlit as st

from records.errors import SijilError
from records.services.access import has_role
from ui import downloads, state
from ui.components.db import get_engine, read_session
from ui.components.download_link import show_download_link
from ui.components.feedback import FieldErrors, run_write, show_error
from ui.components.tables import show_table
from ui.components.text import escape_markdown
from ui.components.vocab import load_vocabularies, select
from ui.i18n import _


@st.cache_data(ttl=60, max_entries=32, show_spinner=False)
def _drawn(attachment_id: int, sha256: str, reader: tuple, _by):
    """Drawn once a minute at most per file and reader: the page runs again on every click
    of any tab, and a PDF is drawn in a process of its own. Keyed by the reader, so a
    picture never reaches someone the service did not give it to."""
    from records.services.evidence import preview_attachment

    with read_session(get_engine()) as session:
        return preview_attachment(session, attachment_id, by=_by)


def _preview(attachment, by) -> None:
    from records.services.evidence import MetadataError

    try:
        preview = _drawn(attachment.id, attachment.sha256, (by.id, by.role), by)
    except MetadataError as error:
        st.warning(escape_markdown(str(error)))
        return
    if preview is None:
        st.caption(_("No preview for this file; download it to look at it."))
        return
    # The picture is one the server drew itself (JPEG or PNG): nothing from the file but
    # pixels reaches the page.
    source = f"data:{preview.mime};base64,{base64.b64encode(preview.data).decode()}"
    st.html(f'<img src="{source}" alt="" style="max-width:100%;max-height:24rem;'
            'border:1px solid rgba(128,128,128,0.35);border-radius:0.25rem">')
    if preview.pages is not None:
        st.caption(_("First page of {n}.").format(n=preview.pages))
    else:
        st.caption(_("Shown without its location, camera and other metadata; the original "
                     "is kept unchanged."))


def _offer(attachment, by, client: str, *, original: bool) -> None:
    from records.services.evidence import open_attachment

    try:
        with read_session(get_engine()) as session:
            _read, content = open_attachment(session, attachment.id, by=by,
                                             original=original)
    except SijilError as error:
        show_error(error)
        return
    token = downloads.offer(client, content, attachment.original_name, attachment.mime_type)
    st.session_state[state.EVIDENCE_DOWNLOAD] = (attachment.id, original, token)


def _downloads(attachment, by) -> None:
    client = downloads.client_id()
    if client is None:
        st.caption(_("Downloads are offered only in the workspace started with sijil ui, "
                     "which ties each download to the browser that asked for it."))
        return
    left, right = st.columns(2)
    if left.button(_("Download"), key=f"evidence_get_{attachment.id}",
                   help=_("Images come without their location, camera and other "
                          "metadata.")):
        _offer(attachment, by, client, original=False)
    if has_role(by, "reviewer") and right.button(
            _("Download the original"), key=f"evidence_original_{attachment.id}",
            help=_("The file exactly as received, metadata and all.")):
        _offer(attachment, by, client, original=True)
    offered = st.session_state.get(state.EVIDENCE_DOWNLOAD)
    if offered and offered[0] == attachment.id and downloads.offered(offered[2], client):
        if offered[1]:
            st.caption(_("The original, exactly as received:"))
        show_download_link(downloads.url(offered[2]), attachment.original_name,
                           downloads.LIFETIME_SECONDS // 60)


def _custody_log(attachment, vocab) -> None:
    st.markdown(f"**{escape_markdown(_('Chain of custody'))}**")
    show_table(pd.DataFrame([{
        _("When (UTC)"): e.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        _("Event"): vocab.label(e.kind), _("By"): e.by_user or _("system"),
        _("From or to"): e.counterpart or "", _("How"): e.method or "",
        _("Note"): e.note} for e in attachment.custody]), hide_index=True, width="stretch")


def _when(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    if day is None:
        return None  # now
    return dt.datetime.combine(day, time or dt.time(0, 0), tzinfo=dt.UTC)


def _custody_form(attachment, by, vocab) -> None:
    from records.services.evidence import add_custody_event

    key = f"custody_{attachment.id}_"
    errors = FieldErrors(key)
    if st.session_state.pop(f"{key}saved", False):
        # Set, not deleted: the browser keeps a form's values unless told new ones.
        for name, empty in (("day", None), ("time", None), ("counterpart", ""),
                            ("method", ""), ("note", "")):
            st.session_state[f"{key}{name}"] = empty
    with st.form(f"{key}form"):
        st.markdown(f"**{escape_markdown(_('Add to the chain of custody'))}**")
        kind = select(_("Event"), vocab, f"{key}kind")
        errors.show("kind")
        day_column, time_column = st.columns(2)
        day = day_column.date_input(_("Date (UTC; empty: now)"), value=None,
                                    key=f"{key}day")
        time = time_column.time_input(_("Time (UTC)"), value=None, key=f"{key}time")
        errors.show("at")
        counterpart = st.text_input(_("From or to whom"), key=f"{key}counterpart")
        errors.show("counterpart")
        method = st.text_input(_("How (by hand, courier, encrypted drive…)"),
                               key=f"{key}method")
        errors.show("method")
        note = st.text_area(_("Note"), key=f"{key}note", height=80)
        go = st.form_submit_button(_("Add event"))
    if go:
        done = run_write(lambda session: add_custody_event(
            session, attachment.id, kind=kind, by=by, at=_when(day, time),
            counterpart=counterpart, method=method, note=note), errors,
            success=_("Added to the chain of custody of {name}.").format(
                name=escape_markdown(attachment.original_name)))
        if done is not None:
            st.session_state[f"{key}saved"] = True
            st.rerun()


def evidence_file(files, by, *, editable: bool) -> None:
    """The file chosen from `files` (read models of list_attachments): preview, downloads,
    custody log and, for those who may edit the incident, the custody form."""
    names = {f.id: f"{f.original_name} · {f.sha256[:12]}" for f in files}
    chosen = st.selectbox(_("File"), list(names), format_func=names.get,
                          key=f"evidence_file_{files[0].incident_ref}")
    attachment = next(f for f in files if f.id == chosen)
    vocab = load_vocabularies()["custody_kind"]
    _preview(attachment, by)
    _downloads(attachment, by)
    _custody_log(attachment, vocab)
    if editable:
        _custody_form(attachment, by, vocab)
