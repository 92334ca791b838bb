"""Record linkage: merges of two people or two incidents, and pairs judged not the same."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Text, UniqueConstraint
from sqlmodel import Field

from records.models.base import TableBase
from records.models.types import UTCDateTime

LINKAGE_KINDS = ("person", "incident")


class RecordMerge(TableBase, table=True):
    """Record `merged_key` (a person's uid, an incident's ref) was merged into `kept_key`.

    `snapshot` (JSON) holds what undoing needs and nothing a reader is shown: the merged-away
    row and any link rows the merge deleted, as stored (a sealed name stays sealed), and
    every link row it moved, with the column and the id it had before. A merge that came
    with an import has no `merged_id` (the merged-away record was never in this database)
    and a snapshot that only says so: it cannot be undone here."""

    __tablename__ = "record_merge"
    __table_args__ = (
        CheckConstraint("kind IN ('person', 'incident')", name="kind_known"),
        CheckConstraint("kept_key <> merged_key", name="two_records"),
    )

    kind: str = Field(max_length=10, index=True)
    kept_id: int = Field(index=True)
    kept_key: str = Field(max_length=36, index=True)
    merged_id: int | None = None
    merged_key: str = Field(max_length=36, index=True)
    score: float | None = None
    snapshot: str = Field(sa_column=Column(Text, nullable=False))
    merged_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    undone_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class PairJudgedDistinct(TableBase, table=True):
    """A reviewer said `a_key` and `b_key` are not the same person (incident): the pair is
    not proposed again. Keys are uids (refs), the smaller first."""

    __tablename__ = "pair_judged_distinct"
    __table_args__ = (
        CheckConstraint("kind IN ('person', 'incident')", name="kind_known"),
        CheckConstraint("a_key < b_key", name="keys_in_order"),
        UniqueConstraint("kind", "a_key", "b_key"),
    )

    kind: str = Field(max_length=10)
    a_key: str = Field(max_length=36)
    b_key: str = Field(max_length=36)
    judged_by_id: int | None = Field(default=None, foreign_key="app_user.id")
