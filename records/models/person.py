"""People: victims, witnesses and individual perpetrators, known across databases by uid."""

from __future__ import annotations

import uuid

from pydantic import field_validator
from sqlalchemy import JSON, CheckConstraint, Column, Text
from sqlmodel import Field, SQLModel

from records.models.base import TableBase
from records.models.types import clean_list, empty_list

SEXES = ("female", "male", "other", "unknown")
# Who sees a person, group or source while it is in no incident
# (records/services/access/unlinked.py); NULL: reviewers and admins only.
UNLINKED_ROLES = ("viewer", "caseworker", "reviewer")
UNLINKED_CHECK = f"unlinked_seen_by IS NULL OR unlinked_seen_by IN {UNLINKED_ROLES!r}"


def new_uid() -> str:
    return str(uuid.uuid4())


class PersonBase(SQLModel):
    # Text columns: a sealed name (records/sealing.py) is longer than the name it holds.
    full_name: str = Field(min_length=1, max_length=300, index=True, sa_type=Text)
    name_original: str | None = Field(default=None, max_length=300, sa_type=Text)
    aliases: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    sex: str = Field(default="unknown", max_length=10)
    age: int | None = Field(default=None, ge=0, le=130)
    birth_year: int | None = Field(default=None, ge=1850, le=2100)
    occupation: str | None = Field(default=None, max_length=200)
    profiles: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    affiliation: str | None = Field(default=None, max_length=300)
    home_admin1: str | None = Field(default=None, max_length=10)
    is_public_figure: bool = False
    # Confidential: always sealed at rest (records/sealing.py).
    contact: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    _clean_aliases = field_validator("aliases", mode="before")(clean_list)

    @field_validator("full_name", "name_original", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("name_original", "occupation", "affiliation", "home_admin1", "contact",
                     mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value


class Person(PersonBase, TableBase, table=True):
    __tablename__ = "person"
    __table_args__ = (
        CheckConstraint("age IS NULL OR (age >= 0 AND age <= 130)", name="age_range"),
        CheckConstraint("birth_year IS NULL OR (birth_year >= 1850 AND birth_year <= 2100)",
                        name="birth_year_range"),
        CheckConstraint(f"sex IN {SEXES!r}", name="sex_known"),
        CheckConstraint("length(full_name) > 0", name="full_name_not_empty"),
        CheckConstraint(UNLINKED_CHECK, name="unlinked_seen_by_role"),
    )

    uid: str = Field(default_factory=new_uid, max_length=36, unique=True, index=True)
    unlinked_seen_by: str | None = Field(default=None, max_length=10)
    # Normalised form of both names (case, Arabic letter variants, diacritics) for matching.
    name_key: str = Field(default="", max_length=700, index=True)


class PersonCreate(PersonBase):
    uid: str | None = Field(default=None, max_length=36)
