"""The workspace language of this browser session: set at the start of every page run,
switched in the sidebar or on the log-in page, remembered with the user's account."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from records.services.users import get_user, set_user_language
from ui import state
from ui.components.db import get_engine, read_session, unit_of_work
from ui.i18n import LANGUAGES, _, current_language, is_right_to_left, set_language

RTL_CSS = Path(__file__).resolve().parent.parent / "static" / "rtl.css"
# Sets the document's language and direction (screen readers, the browser's own controls);
# built only from the fixed codes of LANGUAGES, never from anything a user typed.
_DOCUMENT_SCRIPT = ("<script>document.documentElement.lang = '{lang}';"
                    "document.documentElement.dir = '{dir}';</script>")


def apply_language() -> str:
    """Make the session's language the one of this page run (every `_` reads it) and lay the
    page out in its direction. Returns the language code."""
    language = set_language(st.session_state.get(state.LANGUAGE))
    rtl = is_right_to_left(language)
    if rtl:
        st.html(RTL_CSS)
    st.html(_DOCUMENT_SCRIPT.format(lang=language, dir="rtl" if rtl else "ltr"),
            unsafe_allow_javascript=True)
    return language


def adopt_user_language(user) -> None:
    """Once per log-in: a language picked on the log-in page becomes the user's stored choice;
    otherwise the stored choice becomes the session's (and the page is drawn again in it)."""
    if st.session_state.get(state.LANGUAGE_OF) == user.username:
        return
    st.session_state[state.LANGUAGE_OF] = user.username
    picked = st.session_state.pop(state.LANGUAGE_PICKED, None)
    if picked:
        with unit_of_work(get_engine()) as session:
            set_user_language(session, by=user, language=picked)
        return
    with read_session(get_engine()) as session:
        stored = get_user(session, user.username).language
    if stored in LANGUAGES and stored != current_language():
        st.session_state[state.LANGUAGE] = stored
        st.rerun()


def language_switch(user=None, *, key: str = "language_switch") -> None:
    """A select box of the languages, each named in itself; the choice takes effect at once
    and, for a logged-in user, is stored with their account."""
    codes = list(LANGUAGES)

    def switched() -> None:
        chosen = st.session_state[key]
        st.session_state[state.LANGUAGE] = chosen
        if user is None:
            st.session_state[state.LANGUAGE_PICKED] = chosen
            return
        with unit_of_work(get_engine()) as session:
            set_user_language(session, by=user, language=chosen)

    st.selectbox(_("Language"), codes, index=codes.index(current_language()),
                 format_func=LANGUAGES.get, key=key, on_change=switched)
