"""The link that fetches a file offered to this browser (ui/downloads.py)."""

from __future__ import annotations

import html

import streamlit as st

from ui.components.text import escape_markdown
from ui.i18n import _


def show_download_link(url: str, file_name: str, minutes: int) -> None:
    """A plain same-site link with `download`: the browser fetches it with its own cookie
    and saves it, and the page stays as it is. Styled like Streamlit's secondary buttons;
    every text in it is escaped."""
    label = _("Download {name}").format(name=file_name)
    st.html(f'<a href="{html.escape(url)}" download="{html.escape(file_name)}"'
            ' style="display:inline-block;padding:0.4rem 0.9rem;border-radius:0.5rem;'
            "border:1px solid rgba(128,128,128,0.45);color:inherit;text-decoration:none;"
            f'font-weight:600">⤓ {html.escape(label)}</a>')
    st.caption(_("The link works for {m} minutes, and only in this browser.").format(
        m=escape_markdown(str(minutes))))
