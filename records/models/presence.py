"""Who has an incident open for editing now (issue 13): shown to the others, never a lock.

Outside TableBase like data_key: a presence row is a hint that expires, not a record, so
it is neither versioned nor written to the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from records.models.types import UTCDateTime, utcnow


class EditPresence(SQLModel, table=True):
    """`user_id` has had incident `incident_ref` open for editing since `since`; `seen_at`
    is their last sign of life (a row older than the expiry is ignored and replaced)."""

    __tablename__ = "edit_presence"
    __table_args__ = (UniqueConstraint("incident_ref", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_ref: str = Field(max_length=20, index=True)
    user_id: int = Field(foreign_key="app_user.id")
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
