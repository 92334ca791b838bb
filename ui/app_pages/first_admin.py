"""The first start of an empty database: create the first admin account.

app.py calls render() for every address while there are no accounts. Whoever reaches the
page must also hold the setup code that `sijil ui` printed in its terminal, so the first
person at the port cannot claim the database (records.services.setup)."""

import streamlit as st

from records.services.access import SYSTEM
from records.services.setup import create_first_admin
from ui.components import FieldErrors, run_write
from ui.i18n import _


def render() -> None:
    st.title(_("Welcome to Sijil"))
    st.write(_("There are no user accounts yet. Create the first administrator account; "
               "it can then add caseworkers, reviewers and viewers."))
    st.write(_("You need the one-time setup code that was printed in the terminal where "
               "Sijil was started (sijil ui or make run)."))
    errors = FieldErrors("first_admin")
    with st.form("first_admin"):
        setup_code = st.text_input(_("Setup code"), key="first_setup_code",
                                   placeholder="XXXXX-XXXXX-XXXXX-XXXXX-XXXXX",
                                   autocomplete="off")
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
            created = run_write(
                lambda s: create_first_admin(s, setup_code=setup_code or "",
                                             username=username or "",
                                             password=password or "",
                                             display_name=display_name or "", by=SYSTEM),
                errors, success=_("Account created: please log in."))
            if created is not None:
                st.rerun()
