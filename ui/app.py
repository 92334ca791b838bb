"""Entry point and router of the Sijil workspace: `streamlit run ui/app.py`."""

from __future__ import annotations

import streamlit as st

from records.errors import NotFound
from records.services.access import has_role
from records.services.users import count_users, get_user, principal_of
from ui import downloads, state
from ui.app_pages import first_admin, login
from ui.components import login_session
from ui.components.db import get_engine, read_session
from ui.components.language import adopt_user_language, apply_language, language_switch
from ui.components.text import apply_bidi_css, escape_markdown
from ui.components.vocab import role_label
from ui.i18n import _

st.set_page_config(page_title="Sijil", page_icon="📒", layout="wide")
# The language is this session's, set for this run only (records/i18n.py): never global.
apply_language()
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
        ("app_pages/reported_figures.py", _("Reported figures"), ":material/query_stats:",
         "figures", "viewer", True),
        ("app_pages/review_queue.py", _("Review queue"), ":material/fact_check:", "review",
         "reviewer", True),
        ("app_pages/duplicates.py", _("Duplicates"), ":material/join_inner:", "duplicates",
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
    language = st.session_state.get(state.LANGUAGE)
    for key in list(st.session_state):
        del st.session_state[key]
    if language:
        # The log-in page stays in the language just used; the next user's own choice,
        # stored with their account, takes over once they log in.
        st.session_state[state.LANGUAGE] = language
    if message:
        st.session_state[state.EXPIRED] = message


def current_user():
    """The logged-in principal, re-read each run so a deactivated or re-roled account
    takes effect at once; None when nobody is logged in (or the session went idle)."""
    # A reload or a new tab starts a new session state: the browser's cookie resumes it.
    principal = st.session_state.get(state.PRINCIPAL) or login_session.resume_from_cookie()
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
    if not login_session.still_live():  # logged out in another tab, or by an admin
        log_out(_("Your session has ended. Please log in again."))
        return None
    # Still acting under the log-in that opened this tab's session (audit entries name it).
    principal = principal_of(user, login_seq=principal.login_seq)
    st.session_state[state.PRINCIPAL] = principal
    state.touch()
    return principal


def show_flash() -> None:
    flashed = state.pop_flash()
    if flashed:
        kind, message = flashed
        (st.success if kind == "success" else st.info)(message)
    warning = state.pop_flash_warning()
    if warning:
        # It names people from the records: shown as text.
        st.warning(escape_markdown(warning))


def gate(render) -> None:
    """Everyone must log in first. Every page is still registered (hidden), so a shared
    link such as /incident?ref=… keeps its address and opens once the user is in."""
    st.navigation([st.Page(file, title=title, url_path=path, default=path == "dashboard")
                   for file, title, _icon, path, _role, _visible in pages()],
                  position="hidden")
    show_flash()
    render()
    login_session.claim_cookie()
    st.stop()


with read_session(get_engine()) as _session:
    _no_users = count_users(_session) == 0
if _no_users:
    gate(first_admin.render)

user = current_user()
if user is None:
    gate(login.render)

adopt_user_language(user)
with st.sidebar:
    st.markdown(_("Logged in as **{name}**").format(name=escape_markdown(user.label)))
    st.caption(_("Role: {role}").format(role=escape_markdown(role_label(user.role))))
    if st.button(_("Log out"), key="logout"):
        login_session.end(user)
        log_out()
        st.rerun()
    login_session.claim_cookie()
    language_switch(user)

allowed = [st.Page(file, title=title, icon=icon, url_path=path, default=path == "dashboard",
                   visibility="visible" if visible else "hidden")
           for file, title, icon, path, role, visible in pages() if has_role(user, role)]
page = st.navigation(allowed)
# The browser tab names the page (the incident page names its record).
st.set_page_config(page_title=_("{page} · Sijil").format(page=page.title))
# A shared link to the app's root with ?ref=INC-… opens that incident. (Making the incident
# page the default instead would move it to the root, and /incident?ref=… opened in a new
# tab would be "not found".)
if page.url_path == "" and "ref" in st.query_params:
    st.switch_page(next(p for p in allowed if p.url_path == "incident"),
                   query_params={"ref": st.query_params["ref"]})
show_flash()
page.run()
