"""Input and read models of the incident aggregate (never live ORM objects)."""

from __future__ import annotations

import copy
import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, create_model, field_validator, model_validator
from sqlmodel import Field

from records.models.actor import ActorBase, ActorCreate
from records.models.incident import (
    CaseEventBase,
    CitationBase,
    IncidentBase,
    PerpetratorBase,
    VictimBase,
)
from records.models.person import PersonBase, PersonCreate
from records.models.source import SourceBase, SourceCreate

REF_FORMAT = re.compile(r"INC-\d{4}-\d{5}")


class VictimInput(VictimBase):
    """A victim: an existing person (by uid) or a new one."""

    person_uid: str | None = None
    person: PersonCreate | None = None

    @model_validator(mode="after")
    def _one_person(self) -> VictimInput:
        if (self.person_uid is None) == (self.person is None):
            raise ValueError("person: give either an existing person or a new one")
        return self


class PerpetratorInput(PerpetratorBase):
    actor_uid: str | None = None
    actor: ActorCreate | None = None
    person_uid: str | None = None
    person: PersonCreate | None = None

    @model_validator(mode="after")
    def _someone(self) -> PerpetratorInput:
        if not (self.actor_uid or self.actor or self.person_uid or self.person):
            raise ValueError("actor: name the group or the person alleged responsible")
        return self


class CitationInput(CitationBase):
    source_uid: str | None = None
    source: SourceCreate | None = None

    @model_validator(mode="after")
    def _one_source(self) -> CitationInput:
        if (self.source_uid is None) == (self.source is None):
            raise ValueError("source: give either an existing source or a new one")
        return self


class CaseEventInput(CaseEventBase):
    """A step of the case's follow-up; it may name whom it concerns (the suspect arrested:
    an existing person by uid or a new one, as for victims; or a group, by uid or name, as
    for perpetrators), never both."""

    source_uid: str | None = None
    person_uid: str | None = None
    person: PersonCreate | None = None
    actor_uid: str | None = None
    actor: ActorCreate | None = None
    # Mark the person concerned a public figure (True) or not (False); None leaves the mark.
    person_public_figure: bool | None = None

    @model_validator(mode="after")
    def _one_concerned(self) -> CaseEventInput:
        if self.person_uid and self.person:
            raise ValueError("person: give either an existing person or a new one")
        if self.actor_uid and self.actor:
            raise ValueError("actor: give either an existing actor or a new one")
        if (self.person_uid or self.person) and (self.actor_uid or self.actor):
            raise ValueError("actor: a follow-up event concerns a person or a group, not "
                             "both")
        return self


class IncidentCreate(IncidentBase):
    ref: str | None = Field(default=None, max_length=20)
    victims: list[VictimInput] = Field(default_factory=list)
    perpetrators: list[PerpetratorInput] = Field(default_factory=list)
    citations: list[CitationInput] = Field(default_factory=list)
    case_events: list[CaseEventInput] = Field(default_factory=list)

    @field_validator("ref", mode="before")
    @classmethod
    def _ref_format(cls, value):
        if isinstance(value, str):
            value = value.strip().upper() or None
        if value is not None and not REF_FORMAT.fullmatch(value):
            raise ValueError("a reference looks like INC-2021-00042")
        return value


def _all_optional(model: type[BaseModel], name: str) -> type[BaseModel]:
    """The same fields and constraints as `model`, each optional and unset by default, for
    partial updates applied with model_dump(exclude_unset=True)."""
    fields = {}
    for field_name, info in model.model_fields.items():
        optional = copy.copy(info)
        optional.default = None
        optional.default_factory = None
        fields[field_name] = (info.annotation | None, optional)
    return create_model(name, __config__=ConfigDict(extra="forbid"), **fields)


IncidentUpdate = _all_optional(IncidentBase, "IncidentUpdate")


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PersonRead(PersonBase, _Read):
    id: int
    uid: str
    version: int
    name_withheld: bool = False


class ActorRead(ActorBase, _Read):
    id: int
    uid: str
    parent_id: int | None = None
    version: int


class SourceRead(SourceBase, _Read):
    id: int
    uid: str
    is_confidential: bool
    version: int


class VictimRead(VictimBase, _Read):
    id: int
    version: int
    person: PersonRead


class PerpetratorRead(PerpetratorBase, _Read):
    id: int
    version: int
    actor: ActorRead | None = None
    person: PersonRead | None = None


class CitationRead(CitationBase, _Read):
    id: int
    version: int
    source: SourceRead


class CaseEventRead(CaseEventBase, _Read):
    id: int
    version: int
    source: SourceRead | None = None
    person: PersonRead | None = None
    actor: ActorRead | None = None


class CommentRead(_Read):
    id: int
    author: str
    body: str
    created_at: dt.datetime


class IncidentSummary(_Read):
    ref: str
    title: str
    incident_type: str
    start_date: dt.date
    admin1: str | None
    locality: str | None
    status: str
    sensitivity: str
    confidence: str
    fatalities: int
    injured: int
    version: int
    updated_at: dt.datetime


class IncidentRead(IncidentBase, _Read):
    id: int
    ref: str
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str | None = None
    last_edited_by: str | None = None
    submitted_by: str | None = None
    verified_by: str | None = None
    created_by_id: int | None = None
    last_edited_by_id: int | None = None
    submitted_by_id: int | None = None
    imported_status: str | None = None
    imported_from: str | None = None
    victims: list[VictimRead] = Field(default_factory=list)
    perpetrators: list[PerpetratorRead] = Field(default_factory=list)
    citations: list[CitationRead] = Field(default_factory=list)
    case_events: list[CaseEventRead] = Field(default_factory=list)
    comments: list[CommentRead] = Field(default_factory=list)
