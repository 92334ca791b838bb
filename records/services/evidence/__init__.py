"""Evidence files: stored by content (SHA-256) on disk (store), their type read from their
content and their size limited (sniffing), described and traced by custody events
(attachments), shown and exported without identifying metadata (metadata, preview,
export_files), and verified against their hashes."""

from records.services.evidence.attachments import (
    add_attachment,
    add_custody_event,
    attachment_by_hash,
    audit_files_check,
    custody_events,
    list_attachments,
    open_attachment,
)
from records.services.evidence.export_files import FilesExport, export_attachments
from records.services.evidence.metadata import MetadataError, strip_metadata
from records.services.evidence.preview import Preview, preview_attachment
from records.services.evidence.sniffing import max_file_bytes, sniff_type
from records.services.evidence.store import (
    EvidenceFileError,
    file_path,
    store_file,
    verify_files,
)

__all__ = [
    "EvidenceFileError",
    "FilesExport",
    "MetadataError",
    "Preview",
    "add_attachment",
    "add_custody_event",
    "attachment_by_hash",
    "audit_files_check",
    "custody_events",
    "export_attachments",
    "file_path",
    "list_attachments",
    "max_file_bytes",
    "open_attachment",
    "preview_attachment",
    "sniff_type",
    "strip_metadata",
    "store_file",
    "verify_files",
]
