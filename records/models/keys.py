"""Data keys, stored only wrapped under the installation's master key (records/keys.py).

Like audit_entry, this table is outside TableBase: its rows are not diffed into the trail
(a wrapped key changes on every rotation and means nothing to a reader); the trail records
the events instead (the seal names the chain key, `keys_rotate` each rotation).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from records.models.types import UTCDateTime, utcnow


class DataKey(SQLModel, table=True):
    """One data key: what it is for (`purpose`), whose it is (`owner`), and the key itself,
    AES-GCM-wrapped under the master key named by `master_key_id`, with its purpose and
    owner bound in as associated data. `purpose` is 'chain' (the audit chain's key, owner
    'installation') today; field encryption will add one key per incident or person
    (owner 'incident:<ref>', 'person:<uid>'), and several organisations one owner each.
    A destroyed key keeps its row, without the key: what it encrypted is unreadable for
    good, and the row says when that happened."""

    __tablename__ = "data_key"
    __table_args__ = (
        UniqueConstraint("purpose", "owner"),
        CheckConstraint("(wrapped IS NULL) = (destroyed_at IS NOT NULL)",
                        name="wrapped_until_destroyed"),
        CheckConstraint("length(purpose) > 0 AND length(owner) > 0", name="named"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # A fingerprint derived from the key (records.keys.key_id): names it in the trail.
    key_id: str = Field(max_length=32, unique=True)
    purpose: str = Field(max_length=40)
    owner: str = Field(max_length=120)
    wrapped: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    master_key_id: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    destroyed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
