"""The incident (event) aggregate: the incident and the rows that hang off it."""

import datetime as dt

from pydantic import field_validator, model_validator
from sqlalchemy import JSON, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel

from records.models.actor import Actor
from records.models.base import TableBase
from records.models.person import Person
from records.models.source import Source
from records.models.types import clean_list, empty_list

STATUSES = ("draft", "submitted", "returned", "verified", "published", "archived")
CONFIDENCE_LEVELS = ("reported", "corroborated", "verified")
SENSITIVITIES = ("normal", "restricted")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class IncidentBase(SQLModel):
    """What a caseworker enters about an incident; shared by the table and the input models."""

    # Text columns: a restricted incident's title, district and locality are sealed
    # (records/sealing.py), and longer than the value they hold.
    title: str = Field(min_length=1, max_length=300, sa_type=Text)
    narrative: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    incident_type: str = Field(max_length=50, index=True)
    start_date: dt.date = Field(index=True)
    end_date: dt.date | None = None
    date_precision: str = Field(default="day", max_length=20)
    time_of_day: str | None = Field(default=None, max_length=50)
    country: str = Field(default="IQ", min_length=2, max_length=2)
    admin1: str | None = Field(default=None, max_length=10, index=True)
    admin2: str | None = Field(default=None, max_length=200, sa_type=Text)
    locality: str | None = Field(default=None, max_length=200, sa_type=Text)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    geo_precision: str | None = Field(default=None, max_length=20)
    method: str | None = Field(default=None, max_length=50)
    context: str | None = Field(default=None, max_length=50)
    fatalities: int = Field(default=0, ge=0)
    injured: int = Field(default=0, ge=0)
    confidence: str = Field(default="reported", max_length=20)
    sensitivity: str = Field(default="normal", max_length=20)
    tags: list[str] = Field(default_factory=empty_list, sa_column=Column(JSON, nullable=False))

    _strip_text = field_validator(
        "title", "time_of_day", "admin1", "admin2", "locality", "country", mode="before"
    )(_strip)
    _clean_tags = field_validator("tags", mode="before")(clean_list)

    @field_validator("admin2", "locality", "time_of_day", "admin1", "method", "context",
                     "geo_precision", mode="before")
    @classmethod
    def _blank_is_none(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("country", mode="after")
    @classmethod
    def _country_upper(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _dates_in_order(self) -> "IncidentBase":
        if self.end_date is not None and self.start_date is not None and (
            self.end_date < self.start_date
        ):
            raise ValueError("end_date: the end date is before the start date")
        return self


# The index searches go through (records/services/incidents/listing.py): looked up by id,
# it holds every column visibility, the list's filters and its order read.
SEARCH_INDEX = "ix_incident_search"
SEARCH_INDEX_COLUMNS = ("id", "status", "sensitivity", "created_by_id", "start_date", "ref",
                        "admin1", "incident_type", "end_date", "date_precision")


class Incident(IncidentBase, TableBase, table=True):
    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR (latitude >= -90 AND latitude <= 90)",
                        name="latitude_range"),
        CheckConstraint("longitude IS NULL OR (longitude >= -180 AND longitude <= 180)",
                        name="longitude_range"),
        CheckConstraint("fatalities >= 0", name="fatalities_nonnegative"),
        CheckConstraint("injured >= 0", name="injured_nonnegative"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        CheckConstraint(f"status IN {STATUSES!r}", name="status_known"),
        CheckConstraint(f"confidence IN {CONFIDENCE_LEVELS!r}", name="confidence_known"),
        CheckConstraint(f"sensitivity IN {SENSITIVITIES!r}", name="sensitivity_known"),
        CheckConstraint("length(title) > 0", name="title_not_empty"),
        Index("ix_incident_status_start_date", "status", "start_date"),
        # A search matching 20 000 incidents checks who may see each one, applies the
        # list's filters (governorate, type, period) and orders them from this narrow
        # index alone, without reading 20 000 rows (SEARCH_INDEX).
        Index(SEARCH_INDEX, *SEARCH_INDEX_COLUMNS),
    )

    ref: str = Field(max_length=20, unique=True, index=True)
    # The incident's id in the dataset it was imported from ("acled:IRQ12345"), so a second
    # import of the same events is recognised instead of duplicated.
    external_id: str | None = Field(default=None, max_length=100, unique=True, index=True)
    status: str = Field(default="draft", max_length=20, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    last_edited_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    submitted_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    verified_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    # Provenance of an imported record: the status the file gave it (kept, never obeyed:
    # an import lands as submitted at most) and where it came from ("file.csv sha256:…").
    imported_status: str | None = Field(default=None, max_length=20)
    imported_from: str | None = Field(default=None, max_length=300)
    # A restricted incident's exact place: latitude and longitude are then NULL and the pair
    # is kept here, sealed (records/sealed_coordinates.py); NULL for every other incident.
    coordinates: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    victims: list["Victim"] = Relationship(
        back_populates="incident", sa_relationship_kwargs={"order_by": "Victim.id"})
    perpetrators: list["Perpetrator"] = Relationship(
        back_populates="incident", sa_relationship_kwargs={"order_by": "Perpetrator.id"})
    citations: list["Citation"] = Relationship(
        back_populates="incident", sa_relationship_kwargs={"order_by": "Citation.id"})
    case_events: list["CaseEvent"] = Relationship(
        back_populates="incident", sa_relationship_kwargs={"order_by": "CaseEvent.id"})


class VictimBase(SQLModel):
    outcome: str = Field(max_length=30, index=True)
    harm_description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    consent_to_publish_name: bool = False


class Victim(VictimBase, TableBase, table=True):
    __tablename__ = "victim"
    __table_args__ = (UniqueConstraint("incident_id", "person_id"),)

    incident_id: int = Field(foreign_key="incident.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)

    incident: "Incident" = Relationship(back_populates="victims")
    person: Person = Relationship()


class PerpetratorBase(SQLModel):
    attribution: str = Field(default="alleged", max_length=40)
    basis: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Perpetrator(PerpetratorBase, TableBase, table=True):
    __tablename__ = "perpetrator"
    __table_args__ = (
        CheckConstraint("actor_id IS NOT NULL OR person_id IS NOT NULL", name="actor_or_person"),
    )

    incident_id: int = Field(foreign_key="incident.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="actor.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)

    incident: "Incident" = Relationship(back_populates="perpetrators")
    actor: Actor | None = Relationship()
    person: Person | None = Relationship()


class CitationBase(SQLModel):
    statement: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    page: str | None = Field(default=None, max_length=50)
    quote: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Citation(CitationBase, TableBase, table=True):
    __tablename__ = "citation"

    incident_id: int = Field(foreign_key="incident.id", index=True)
    source_id: int = Field(foreign_key="source.id", index=True)

    incident: "Incident" = Relationship(back_populates="citations")
    source: Source = Relationship()


class CaseEventBase(SQLModel):
    date: dt.date
    # As for incidents (records.services.incidents.dates): "released in June 2021" is
    # date 2021-06-01 with precision "month", never the first of June.
    date_precision: str = Field(default="day", max_length=20)
    kind: str = Field(max_length=40)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class CaseEvent(CaseEventBase, TableBase, table=True):
    __tablename__ = "case_event"
    __table_args__ = (
        CheckConstraint("person_id IS NULL OR actor_id IS NULL", name="person_or_actor"),
    )

    incident_id: int = Field(foreign_key="incident.id", index=True)
    source_id: int | None = Field(default=None, foreign_key="source.id")
    # Whom the step concerns: the suspect arrested, the unit charged.
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="actor.id", index=True)

    incident: "Incident" = Relationship(back_populates="case_events")
    source: Source | None = Relationship()
    person: Person | None = Relationship()
    actor: Actor | None = Relationship()


class ReviewComment(TableBase, table=True):
    __tablename__ = "review_comment"
    __table_args__ = (CheckConstraint("length(body) > 0", name="body_not_empty"),)

    incident_id: int = Field(foreign_key="incident.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="app_user.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
