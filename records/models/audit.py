"""The append-only, hash-chained audit trail and its chain head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from records.models.types import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    """One change. Rows are never updated or deleted (database triggers refuse it)."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        # A row's entries in the order they were written: history and verification read them so.
        Index("ix_audit_entry_entity", "entity_type", "entity_id", "seq"),
        # Verification asks which log-ins the entries were written under: the index answers.
        Index("ix_audit_entry_login", "login_seq", "actor_id", "seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True, index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    action: str = Field(max_length=40, index=True)
    entity_type: str = Field(max_length=40)
    entity_id: int | None = None
    incident_ref: str | None = Field(default=None, max_length=20, index=True)
    changes: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    # The seq of the `login` entry of the workspace session the entry was written under
    # (None: not through a session: the CLI, the system). Hashed with the entry when set.
    login_seq: int | None = None


class AuditCheckpoint(SQLModel, table=True):
    """The chain head (last seq and hash), kept outside the trail so a cut tail shows."""

    __tablename__ = "audit_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
