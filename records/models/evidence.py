"""Evidence files (stored content-addressed on disk) and their chain of custody."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Text
from sqlmodel import Field

from records.models.base import TableBase
from records.models.types import UTCDateTime, utcnow


class Attachment(TableBase, table=True):
    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint("size >= 0", name="size_nonnegative"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    sha256: str = Field(max_length=64, index=True)
    size: int
    mime_type: str = Field(default="application/octet-stream", max_length=200)
    original_name: str = Field(default="", max_length=500)
    captured_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    incident_id: int | None = Field(default=None, foreign_key="incident.id", index=True)
    source_id: int | None = Field(default=None, foreign_key="source.id", index=True)
    uploaded_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class CustodyEvent(TableBase, table=True):
    __tablename__ = "custody_event"

    attachment_id: int = Field(foreign_key="attachment.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    kind: str = Field(max_length=30)
    by_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    counterpart: str | None = Field(default=None, max_length=300)
    method: str | None = Field(default=None, max_length=300)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
