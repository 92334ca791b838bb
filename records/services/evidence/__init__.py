"""Evidence files: stored by content (SHA-256) on disk (store), described and traced by
custody events (attachments), and verified against their hashes."""

from records.services.evidence.attachments import (
    add_attachment,
    add_custody_event,
    audit_files_check,
    list_attachments,
    open_attachment,
)
from records.services.evidence.store import (
    EvidenceFileError,
    file_path,
    store_file,
    verify_files,
)

__all__ = [
    "EvidenceFileError",
    "add_attachment",
    "add_custody_event",
    "audit_files_check",
    "file_path",
    "list_attachments",
    "open_attachment",
    "store_file",
    "verify_files",
]
