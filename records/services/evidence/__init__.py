"""Evidence files: stored by content (SHA-256) on disk, described, traced by custody events
and verified against their hashes."""

from records.services.evidence.attachments import (
    EvidenceFileError,
    add_attachment,
    add_custody_event,
    audit_files_check,
    file_path,
    list_attachments,
    open_attachment,
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
