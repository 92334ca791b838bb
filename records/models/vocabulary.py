"""Controlled vocabularies: stable codes with labels in English, Arabic and Kurdish."""

from __future__ import annotations

from sqlalchemy import UniqueConstraint
from sqlmodel import Field

from records.models.base import TableBase


class VocabularyTerm(TableBase, table=True):
    __tablename__ = "vocabulary_term"
    __table_args__ = (UniqueConstraint("vocabulary", "code"),)

    vocabulary: str = Field(max_length=50, index=True)
    code: str = Field(max_length=60)
    label_en: str = Field(max_length=200)
    label_ar: str | None = Field(default=None, max_length=200)
    label_ku: str | None = Field(default=None, max_length=200)
    sort_order: int = 0
    is_active: bool = True
