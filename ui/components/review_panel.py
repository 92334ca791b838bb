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
from ui.i18n import _


def comments(record) -> None:
    if not record.comments:
        st.caption(_("No review comments yet."))
    for comment in record.comments:
        with st.container(border=True):
            st.caption(f"{comment.author} · {comment.created_at:%Y-%m-%d %H:%M} UTC")
            st.text(comment.body)


def four_eyes_notice(actor, record) -> bool:
    """Explain the rule up front when a reviewer opens a record they last touched."""
    try:
        check_four_eyes(actor, record)
    except PermissionDenied:
        st.info(_("Four-eyes rule: a record is verified by someone other than the person who "
                  "last edited or submitted it. You did, so another reviewer must verify "
                  "{ref}; you can still comment or return it.").format(ref=record.ref))
        return True
    return False


def review_actions(record, actor) -> None:
    comments(record)
    version = state.opened_version(record.ref, record.version)
    key = f"review_{record.ref}"
    errors = FieldErrors(key)
    actions = workflow_actions(actor, record)
    if "verify" in actions:
        four_eyes_notice(actor, record)
    with st.form(key):
        comment = st.text_area(_("Comment"), key=f"{key}_comment", height=100)
        errors.show("comment")
        cols = st.columns(4)
        do_comment = cols[0].form_submit_button(_("Add comment"))
        verify = back = publish = reopen = False
        if "verify" in actions:
            verify = cols[1].form_submit_button(_("Verify"), type="primary")
        if "return" in actions:
            back = cols[2].form_submit_button(_("Return to caseworker"))
        if "publish" in actions:
            publish = cols[1].form_submit_button(_("Publish"))
        if "reopen" in actions:
            reopen = cols[1].form_submit_button(_("Reopen as draft"))
    if not (do_comment or verify or back or publish or reopen):
        return
    text = (comment or "").strip()

    def write(session):
        ref = record.ref
        if verify:
            if text:
                add_comment(session, ref, text, actor=actor)
            return verify_incident(session, ref, actor=actor, expected_version=version,
                                   reason=text or None)
        if back:
            return return_incident(session, ref, actor=actor, expected_version=version,
                                   comment=text)
        if publish:
            return publish_incident(session, ref, actor=actor, expected_version=version,
                                    reason=text or None)
        if reopen:
            return reopen_incident(session, ref, actor=actor, expected_version=version)
        return add_comment(session, ref, text, actor=actor)

    message = (_("Verified {ref}.") if verify else _("Returned {ref} to the caseworker.")
               if back else _("Published {ref}.") if publish else _("{ref} is a draft again.")
               if reopen else _("Comment added to {ref}."))
    result = run_write(write, errors, success=message.format(ref=record.ref))
    if result is not None:
        state.set_opened_version(record.ref, result.version)
        st.session_state.pop(f"{key}_comment", None)
        st.rerun()
