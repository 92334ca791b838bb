"""The review workflow: submit, verify (four eyes), return, reopen, publish, archive, and
review comments; and the review queue, the longest waiting first."""

from records.services.review.queue import (
    QueueItem,
    QueuePage,
    iter_review_queue,
    list_review_queue,
)
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
    "QueueItem",
    "QueuePage",
    "add_comment",
    "archive_incident",
    "iter_review_queue",
    "list_review_queue",
    "publish_incident",
    "reopen_incident",
    "return_incident",
    "submit_incident",
    "verify_incident",
    "workflow_actions",
]
