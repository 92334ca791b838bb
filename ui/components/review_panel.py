"""Comments and workflow actions on one incident: verify, return, publish, reopen."""

from __future__ import annotations

import streamlit as st

from records.errors import PermissionDenied
from records.services.access import check_four_eyes
from records.services.review import (
    add_comment,
    publish_incident,
    reopen_incident,
    return_incident,
    verify_incident,
    workflow_actions,
)
from ui import state
from ui.components.feedback import FieldErrors, run_write
from ui.components.text import escape_markdown
from ui.i18n import _


def comments(record) -> None:
    if not record.comments:
        st.caption(_("No review comments yet."))
    for comment in record.comments:
        with st.container(border=True):
            st.caption(escape_markdown(
                f"{comment.author} · {comment.created_at:%Y-%m-%d %H:%M} UTC"))
            st.text(comment.body)


def four_eyes_notice(by, record) -> bool:
    """Explain the rule up front when a reviewer opens a record they last touched."""
    try:
        check_four_eyes(by, record)
    except PermissionDenied:
        st.info(_("Four-eyes rule: a record is verified by someone other than the person who "
                  "last edited or submitted it. You did, so another reviewer must verify "
                  "{ref}; you can still comment or return it.").format(
                    ref=escape_markdown(record.ref)))
        return True
    return False


def review_actions(record, by) -> None:
    comments(record)
    version = state.opened_version(record.ref, record.version)
    key = f"review_{record.ref}"
    errors = FieldErrors(key)
    actions = workflow_actions(by, record)
    if "verify" in actions:
        four_eyes_notice(by, record)
    pressed, text = _review_form(key, actions, errors)
    if pressed is None:
        return
    result = run_write(_write_of(pressed, record.ref, text, by, version), errors,
                       success=_success_of(pressed).format(ref=record.ref))
    if result is not None:
        state.set_opened_version(record.ref, result.version)
        st.session_state.pop(f"{key}_comment", None)
        st.rerun()


def _review_form(key: str, actions, errors: FieldErrors) -> tuple[str | None, str]:
    """The comment box and a button for each allowed action: the one pressed, the comment."""
    with st.form(key):
        comment = st.text_area(_("Comment"), key=f"{key}_comment", height=100)
        errors.show("comment")
        # A row that wraps, not fixed columns: a long label (or its translation) is never cut.
        row = st.container(horizontal=True)
        pressed = {"comment": row.form_submit_button(_("Add comment"))}
        if "verify" in actions:
            pressed["verify"] = row.form_submit_button(_("Verify"), type="primary")
        if "return" in actions:
            pressed["return"] = row.form_submit_button(_("Return to caseworker"))
        if "publish" in actions:
            pressed["publish"] = row.form_submit_button(_("Publish"))
        if "reopen" in actions:
            pressed["reopen"] = row.form_submit_button(_("Reopen as draft"))
    action = next((name for name, hit in pressed.items() if hit), None)
    return action, (comment or "").strip()


def _write_of(action: str, ref: str, text: str, by, version: int):
    def write(session):
        if action == "verify":
            if text:
                add_comment(session, ref, text, by=by)
            return verify_incident(session, ref, by=by, expected_version=version,
                                   reason=text or None)
        if action == "return":
            return return_incident(session, ref, by=by, expected_version=version,
                                   comment=text)
        if action == "publish":
            return publish_incident(session, ref, by=by, expected_version=version,
                                    reason=text or None)
        if action == "reopen":
            return reopen_incident(session, ref, by=by, expected_version=version)
        return add_comment(session, ref, text, by=by)

    return write


def _success_of(action: str) -> str:
    return {"verify": _("Verified {ref}."), "return": _("Returned {ref} to the caseworker."),
            "publish": _("Published {ref}."), "reopen": _("{ref} is a draft again."),
            "comment": _("Comment added to {ref}.")}[action]
