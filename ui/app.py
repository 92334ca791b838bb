"""Entry point and router of the Sijil workspace: `streamlit run ui/app.py`."""

from __future__ import annotations

import streamlit as st

from records.errors import NotFound
from records.services.access import has_role
from records.services.users import count_users, get_user, principal_of
from ui import downloads, state
from ui.app_pages import first_admin, login
from ui.components.db import get_engine, read_session
from ui.components.text import apply_bidi_css, escape_markdown
from ui.i18n import _, set_language

st.set_page_config(page_title="Sijil", page_icon="📒", layout="wide")
set_language(st.session_state.get(state.LANGUAGE))
apply_bidi_css()


def pages() -> list[tuple[str, str, str, str, str, bool]]:
    """(file, title, icon, url path, lowest role, shown in the menu) of every page."""
    return [
        ("app_pages/dashboard.py", _("Dashboard"), ":material/dashboard:", "dashboard",
         "viewer", True),
        ("app_pages/incidents.py", _("Incidents"), ":material/table_rows:", "incidents",
         "viewer", True),
        ("app_pages/new_incident.py", _("New incident"), ":material/add_circle:", "new",
         "caseworker", True),
        ("app_pages/import_page.py", _("Import"), ":material/upload_file:", "import",
         "caseworker", True),
        ("app_pages/export_page.py", _("Export"), ":material/download:", "export",
         "viewer", True),
        ("app_pages/review_queue.py", _("Review queue"), ":material/fact_check:", "review",
         "reviewer", True),
        ("app_pages/audit_log.py", _("Audit log"), ":material/receipt_long:", "audit",
         "reviewer", True),
        ("app_pages/admin.py", _("Admin"), ":material/admin_panel_settings:", "admin",
         "admin", True),
        ("app_pages/incident.py", _("Incident"), ":material/description:", "incident",
         "viewer", False),
    ]


def log_out(message: str | None = None) -> None:
    downloads.withdraw(downloads.client_id())
    for key in list(st.session_state):
        del st.session_state[key]
    if message:
        st.session_state[state.EXPIRED] = message


def current_user():
    """The logged-in principal, re-read each run so a deactivated or re-roled account
    takes effect at once; None when nobody is logged in (or the session went idle)."""
    principal = st.session_state.get(state.PRINCIPAL)
    if principal is None:
        return None
    if state.is_idle():
        log_out(_("Your session expired after {m} minutes without activity. Please log in "
                  "again.").format(m=state.IDLE_TIMEOUT_SECONDS // 60))
        return None
    try:
        with read_session(get_engine()) as session:
            user = get_user(session, principal.username)
    except NotFound:
        user = None
    if user is None or not user.is_active:
        log_out(_("Your account is no longer active."))
        return None
    principal = principal_of(user)
    st.session_state[state.PRINCIPAL] = principal
    state.touch()
    return principal


def show_flash() -> None:
    flashed = state.pop_flash()
    if flashed:
        kind, message = flashed
        (st.success if kind == "success" else st.info)(message)


def gate(render) -> None:
    """Everyone must log in first. Every page is still registered (hidden), so a shared
    link such as /incident?ref=… keeps its address and opens once the user is in."""
    st.navigation([st.Page(file, title=title, url_path=path, default=path == "dashboard")
                   for file, title, _icon, path, _role, _visible in pages()],
                  position="hidden")
    show_flash()
    render()
    st.stop()


with read_session(get_engine()) as _session:
    _no_users = count_users(_session) == 0
if _no_users:
    gate(first_admin.render)

user = current_user()
if user is None:
    gate(login.render)

with st.sidebar:
    st.markdown(_("Logged in as **{name}**").format(name=escape_markdown(user.label)))
    st.caption(_("Role: {role}").format(role=escape_markdown(user.role)))
    if st.button(_("Log out"), key="logout"):
        log_out()
        st.rerun()

# A shared link to the app's root with ?ref=INC-… opens that incident.
landing = "incident" if "ref" in st.query_params else "dashboard"
page = st.navigation([
    st.Page(file, title=title, icon=icon, url_path=path, default=path == landing,
            visibility="visible" if visible else "hidden")
    for file, title, icon, path, role, visible in pages() if has_role(user, role)])
show_flash()
page.run()
