"""Backups: one consistent archive of the database and the evidence files while the server
runs (`create_backup`), and its restoration into an empty place with the checks that say
it came back whole (`restore_backup`). docs/design.md §2 describes the archive."""

from records.services.backup.archive import BackupError, Manifest
from records.services.backup.making import BackupResult, audit_backup, create_backup
from records.services.backup.restoring import RestoreReport, restore_backup

__all__ = [
    "BackupError",
    "BackupResult",
    "Manifest",
    "RestoreReport",
    "audit_backup",
    "create_backup",
    "restore_backup",
]
