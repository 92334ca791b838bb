"""Previous / Next under a paged list whose page number lives in the session."""

from __future__ import annotations

import streamlit as st

from ui.i18n import _


def page_buttons(page, state_key: str) -> None:
    """Buttons that move `page` (a records.models.page.Page) one page back or on, keeping
    the new number under `state_key` of the session."""
    previous, following, _spacer = st.columns([1, 1, 6])
    if previous.button(_("← Previous"), disabled=page.page <= 1):
        st.session_state[state_key] = page.page - 1
        st.rerun()
    if following.button(_("Next →"), disabled=page.page >= page.pages):
        st.session_state[state_key] = page.page + 1
        st.rerun()
