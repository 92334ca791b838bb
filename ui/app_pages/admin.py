"""Admin: user accounts, vocabularies, and erasure (purge) of an incident or a person."""

import pandas as pd
import streamlit as st

from records.errors import SijilError
from records.labels import role_name
from records.models.user import ROLES
from records.services.audit import purge
from records.services.users import (
    add_user,
    list_users,
    login_delays,
    open_sessions,
    revoke_sessions,
    unlock_user,
    update_user,
)
from records.services.vocabularies import list_terms, save_term
from records.vocabulary_seed import GOVERNORATE_VOCABULARY, VOCABULARIES
from ui import downloads, state
from ui.components import (
    FieldErrors,
    escape_markdown,
    get_engine,
    principal,
    read_session,
    run_write,
)
from ui.components.download_link import show_download_link
from ui.components.feedback import clear_widgets, show_error
from ui.components.import_export import backup_download
from ui.components.tables import show_table
from ui.i18n import _, ngettext

BACKUP_DOWNLOAD = "admin_backup_download"
by = principal()
st.title(_("Admin"))
users_tab, vocab_tab, backup_tab, erase_tab = st.tabs(
    [_("Users"), _("Vocabularies"), _("Backup"), _("Erasure")])

with users_tab:
    with read_session(get_engine()) as session:
        users = list_users(session)
        delays = login_delays(session, by=by)
        logged_in = open_sessions(session, by=by)
    show_table(pd.DataFrame([{
        _("Username"): u.username, _("Name"): u.display_name, _("Role"): role_name(u.role),
        _("Active"): "✓" if u.is_active else "✗",
        # Failed log-ins lock nobody out; they make that address wait (docs/design.md §4).
        _("Log-in delayed until (UTC)"): (f"{delays[u.username]:%Y-%m-%d %H:%M:%S}"
                                          if u.username in delays else ""),
        _("Last log-in"): f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "",
        _("Open sessions"): logged_in.get(u.username, 0)}
        for u in users]), hide_index=True, width="stretch")

    left, right = st.columns(2)
    with left:
        st.subheader(_("Add a user"))
        add_errors = FieldErrors("add_user")
        with st.form("add_user"):
            username = st.text_input(_("Username"), key="add_user_username")
            add_errors.show("username")
            display_name = st.text_input(_("Display name"), key="add_user_display")
            role = st.selectbox(_("Role"), ROLES, index=ROLES.index("caseworker"),
                                key="add_user_role")
            password = st.text_input(_("Initial password"), type="password",
                                     key="add_user_password")
            add_errors.show("password", "role")
            if st.form_submit_button(_("Add user"), type="primary"):
                made = run_write(lambda s: add_user(s, username, password, role=role,
                                                    by=by, display_name=display_name),
                                 add_errors, success=_("User {name} added.").format(
                                     name=escape_markdown(username)))
                if made is not None:
                    clear_widgets("add_user_")
                    st.rerun()
    with right:
        st.subheader(_("Change a user"))
        edit_errors = FieldErrors("edit_user")
        names = [u.username for u in users]
        chosen = st.selectbox(_("User"), names, key="edit_user_pick")
        current = next(u for u in users if u.username == chosen)
        with st.form("edit_user"):
            new_role = st.selectbox(_("Role"), ROLES, index=ROLES.index(current.role))
            active = st.checkbox(_("Active"), value=current.is_active)
            new_password = st.text_input(_("New password (leave empty to keep)"),
                                         type="password")
            edit_errors.show("role", "password")
            if st.form_submit_button(_("Save user")):
                done = run_write(lambda s: update_user(
                    s, chosen, by=by, role=new_role, is_active=active,
                    password=new_password or None), edit_errors,
                    success=_("User {name} updated.").format(name=escape_markdown(chosen)))
                if done is not None:
                    st.rerun()
        if st.button(_("Unlock log-in"), key="unlock_user",
                     help=_("Forget this user's failed log-ins, so every address may try "
                            "again at once.")):
            lifted = run_write(lambda s: unlock_user(s, chosen, by=by))
            if lifted:
                state.flash(_("Log-in unlocked for {name}.").format(
                    name=escape_markdown(chosen)))
                st.rerun()
            elif lifted is False:
                st.info(_("No failed log-ins are counted for {name}; nothing to unlock.")
                        .format(name=escape_markdown(chosen)))
        if st.button(_("Log out everywhere"), key="revoke_sessions",
                     help=_("End every session of this user: each of their browsers shows "
                            "the log-in page at its next click.")):
            ended = run_write(lambda s: revoke_sessions(s, chosen, by=by))
            if ended:
                state.flash(ngettext("{name} was logged out of {n} session.",
                                     "{name} was logged out of {n} sessions.", ended)
                            .format(name=escape_markdown(chosen), n=ended))
                st.rerun()
            elif ended == 0:
                st.info(_("{name} has no open session.").format(name=escape_markdown(chosen)))

with vocab_tab:
    vocabularies = [*VOCABULARIES, GOVERNORATE_VOCABULARY]
    vocabulary = st.selectbox(_("Vocabulary"), vocabularies, key="vocab_pick")
    with read_session(get_engine()) as session:
        terms = list_terms(session, vocabulary, include_inactive=True)
    show_table(pd.DataFrame([{
        _("Code"): t.code, _("English"): t.label_en, _("Arabic"): t.label_ar or "",
        _("Kurdish"): t.label_ku or "", _("In use"): "✓" if t.is_active else "✗"}
        for t in terms]), hide_index=True, width="stretch")
    st.caption(_("Codes are stable and never renamed; labels can be edited."))
    by_code = {t.code: t for t in terms}
    options = ["", *by_code]
    code = st.selectbox(_("Term to edit (empty: add a new one)"), options,
                        format_func=lambda c: c or _("— new term —"), key="vocab_term")
    term = by_code.get(code)
    term_errors = FieldErrors("vocab_term")
    with st.form(f"vocab_term_{vocabulary}_{code}"):
        new_code = st.text_input(_("Code"), value=code, disabled=bool(code))
        term_errors.show("code")
        label_en = st.text_input(_("English label"), value=term.label_en if term else "")
        term_errors.show("label_en")
        label_ar = st.text_input(_("Arabic label"), value=(term.label_ar or "") if term else "")
        label_ku = st.text_input(_("Kurdish label"), value=(term.label_ku or "") if term else "")
        in_use = st.checkbox(_("In use"), value=term.is_active if term else True)
        if st.form_submit_button(_("Save term"), type="primary"):
            saved = run_write(lambda s: save_term(
                s, vocabulary, code or new_code, by=by, label_en=label_en,
                label_ar=label_ar, label_ku=label_ku, is_active=in_use), term_errors,
                success=_("Term saved."))
            if saved is not None:
                st.rerun()


with backup_tab:
    st.caption(_("One archive of the database and the evidence files, made while the "
                 "workspace runs, with a SHA-256 manifest. Encrypted data stays encrypted; "
                 "neither the master key nor the backup key ring is in it: keep them apart "
                 "from the backups. A purge makes every older backup's encrypted data "
                 "unreadable. Restore with `sijil restore` into an empty database and files "
                 "folder."))
    client = downloads.client_id()
    if client is None:
        st.warning(_("Downloads are offered only to a browser the workspace has recognised: "
                     "reload the page (the workspace must be started with sijil ui)."))
    elif st.button(_("Make a backup"), key="make_backup", type="primary"):
        try:
            st.session_state[BACKUP_DOWNLOAD] = backup_download(by=by, client=client)
        except SijilError as error:
            show_error(error)
    backup = st.session_state.get(BACKUP_DOWNLOAD)
    if backup is not None and downloads.offered(backup.token, client) is not None:
        st.success(ngettext("Backed up {n} incident", "Backed up {n} incidents",
                            backup.incidents).format(n=backup.incidents) + " " + ngettext(
            "and {n} evidence file.", "and {n} evidence files.", backup.files
        ).format(n=escape_markdown(str(backup.files))))
        st.caption(_("SHA-256 of the archive (recorded in the audit log):"))
        st.code(backup.sha256, language=None)
        show_download_link(backup.url, backup.file_name, downloads.LIFETIME_SECONDS // 60)


with erase_tab:
    st.caption(_("Purging deletes an incident or a person for good and destroys its data "
                 "key: its encrypted values, here, in the audit trail and in older backups, "
                 "can never be read again. The trail keeps a fingerprint of each row, so "
                 "it still verifies."))
    erase_errors = FieldErrors("purge")
    with st.form("purge"):
        target = st.text_input(_("Incident ref or person uid"), key="purge_target",
                               placeholder="INC-2020-00001")
        reason = st.text_area(_("Reason"), key="purge_reason")
        erase_errors.show("reason")
        sure = st.checkbox(_("I understand that this cannot be undone"), key="purge_sure")
        if st.form_submit_button(_("Purge for good"), type="primary"):
            if not sure:
                st.error(_("Tick the box to confirm that this cannot be undone."))
            elif not target.strip():
                st.error(_("Give the incident ref or the person's uid."))
            else:
                purged = run_write(lambda s: purge(s, target, by=by, reason=reason),
                                   erase_errors)
                if purged is not None:
                    st.success(_("Purged {what}.").format(what=escape_markdown(purged)))
                    st.warning(_("Older backups can no longer open any encrypted value: "
                                 "make a fresh backup now (tab Backup)."))
