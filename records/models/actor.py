"""Actors: the groups (or forces) alleged to have committed incidents."""

from __future__ import annotations

from pydantic import field_validator
from sqlalchemy import JSON, CheckConstraint, Column
from sqlmodel import Field, SQLModel

from records.models.base import TableBase
from records.models.person import UNLINKED_CHECK, new_uid
from records.models.types import clean_list, empty_list


class ActorBase(SQLModel):
    name: str = Field(min_length=1, max_length=300, index=True)
    aliases: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))
    actor_type: str = Field(max_length=50, index=True)

    _clean_aliases = field_validator("aliases", mode="before")(clean_list)


class Actor(ActorBase, TableBase, table=True):
    __tablename__ = "actor"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint(UNLINKED_CHECK, name="unlinked_seen_by_role"),
    )

    uid: str = Field(default_factory=new_uid, max_length=36, unique=True, index=True)
    parent_id: int | None = Field(default=None, foreign_key="actor.id")
    unlinked_seen_by: str | None = Field(default=None, max_length=10)


class ActorCreate(ActorBase):
    uid: str | None = Field(default=None, max_length=36)
    parent_uid: str | None = None
