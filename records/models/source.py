"""Sources of information about incidents, graded on the Admiralty scale."""

from __future__ import annotations

import datetime as dt

from pydantic import field_validator
from sqlalchemy import CheckConstraint, Column, Text
from sqlmodel import Field, SQLModel

from records.models.base import TableBase
from records.models.person import UNLINKED_CHECK, new_uid

RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
# Testimony is confidential unless someone decides otherwise.
CONFIDENTIAL_BY_DEFAULT = ("witness_testimony", "victim_testimony")


class SourceBase(SQLModel):
    kind: str = Field(max_length=40)
    # Text: the title of a confidential source is sealed (records/sealing.py), and longer.
    title: str = Field(min_length=1, max_length=500, sa_type=Text)
    publisher: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    published_on: dt.date | None = None
    language: str | None = Field(default=None, max_length=10)
    reliability: str | None = Field(default=None, max_length=1)
    credibility: int | None = Field(default=None, ge=1, le=6)

    @field_validator("reliability", mode="before")
    @classmethod
    def _grade(cls, value):
        if isinstance(value, str):
            value = value.strip().upper() or None
        if value is not None and value not in RELIABILITY_GRADES:
            raise ValueError("reliability is a grade from A to F (Admiralty scale)")
        return value


class Source(SourceBase, TableBase, table=True):
    __tablename__ = "source"
    __table_args__ = (
        CheckConstraint(f"reliability IS NULL OR reliability IN {RELIABILITY_GRADES!r}",
                        name="reliability_grade"),
        CheckConstraint("credibility IS NULL OR (credibility >= 1 AND credibility <= 6)",
                        name="credibility_range"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        CheckConstraint(UNLINKED_CHECK, name="unlinked_seen_by_role"),
    )

    uid: str = Field(default_factory=new_uid, max_length=36, unique=True, index=True)
    is_confidential: bool = False
    unlinked_seen_by: str | None = Field(default=None, max_length=10)


class SourceCreate(SourceBase):
    uid: str | None = Field(default=None, max_length=36)
    is_confidential: bool | None = None
