"""The review workflow: submit, verify (four eyes), return, reopen, publish, archive, and
review comments."""

from records.services.review.workflow import (
    add_comment,
    archive_incident,
    publish_incident,
    reopen_incident,
    return_incident,
    submit_incident,
    verify_incident,
    workflow_actions,
)

__all__ = [
    "add_comment",
    "archive_incident",
    "publish_incident",
    "reopen_incident",
    "return_incident",
    "submit_incident",
    "verify_incident",
    "workflow_actions",
]
