"""The first start of an empty database: create the first admin account.

app.py calls render() for every address while there are no accounts."""

import streamlit as st

from records.services.access import SYSTEM
from records.services.users import add_user
from ui.components import FieldErrors, run_write
from ui.i18n import _


def render() -> None:
    st.title(_("Welcome to Sijil"))
    st.write(_("There are no user accounts yet. Create the first administrator account; "
               "it can then add caseworkers, reviewers and viewers."))
    errors = FieldErrors("first_admin")
    with st.form("first_admin"):
        username = st.text_input(_("Username"), key="first_username")
        errors.show("username")
        display_name = st.text_input(_("Display name"), key="first_display_name")
        password = st.text_input(_("Password"), type="password", key="first_password")
        repeat = st.text_input(_("Repeat the password"), type="password", key="first_repeat")
        errors.show("password", "role")
        submitted = st.form_submit_button(_("Create admin account"), type="primary")

    if submitted:
        if password != repeat:
            st.error(_("The two passwords differ."))
        else:
            created = run_write(lambda s: add_user(s, username or "", password or "", role="admin",
                                                   by=SYSTEM, display_name=display_name or ""),
                                errors, success=_("Account created: please log in."))
            if created is not None:
                st.rerun()
