"""What the advocacy report is built with besides the incidents: figures others reported,
and the report settings saved under a name (issue 18; docs/design.md §3).

Both tables derive from TableBase, so every change is in the audit trail. A preset's logo
lives in `report_logo`, outside the trail like `data_key`: it is content-addressed (its key
is its SHA-256), never changed once written, and the preset row records only that digest,
so the trail names exactly which image a preset used without carrying the bytes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, Column, LargeBinary, Text
from sqlmodel import Field, SQLModel

from records.models.base import TableBase
from records.models.types import UTCDateTime, empty_dict, utcnow

# What a reported figure counts: the outcomes the report sets beside its own counts.
FIGURE_METRICS = ("killed", "attempted_killing", "injured", "abducted", "arrested",
                  "disappeared")
# How the source qualified its number ("over 30", "at least 70", "about 100").
FIGURE_QUALIFIERS = ("exact", "at_least", "over", "about", "up_to")
REPORT_LEVELS = ("public", "partner", "internal")
REPORT_LANGUAGES = ("en", "ar", "ckb")
LOGO_TYPES = ("image/png", "image/jpeg")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ReportedFigure(TableBase, table=True):
    """A number a source published about a scope: `value` people `metric` (killed,
    injured …), qualified (`over` 30), over a period, in one governorate (`admin1`) or all
    of Iraq (NULL). Public statements: every logged-in role reads them. Removed softly
    (`deleted_at`), so the trail and any report that quoted one still explain it."""

    __tablename__ = "reported_figure"
    __table_args__ = (
        CheckConstraint(_in("metric", FIGURE_METRICS), name="metric_known"),
        CheckConstraint(_in("qualifier", FIGURE_QUALIFIERS), name="qualifier_known"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        CheckConstraint("period_start IS NULL OR period_end IS NULL OR "
                        "period_start <= period_end", name="period_in_order"),
        CheckConstraint("length(source_name) > 0", name="source_named"),
    )

    metric: str = Field(max_length=40, index=True)
    value: int
    qualifier: str = Field(default="exact", max_length=20)
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    admin1: str | None = Field(default=None, max_length=10)
    source_name: str = Field(max_length=300)
    source_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    reported_on: dt.date | None = None
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    deleted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)


class ReportedFigureRead(SQLModel):
    """A reported figure as the pages, the CLI and the report read it."""

    id: int
    version: int
    metric: str
    value: int
    qualifier: str
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    admin1: str | None = None
    source_name: str
    source_url: str | None = None
    reported_on: dt.date | None = None
    note: str | None = None


class ReportPreset(TableBase, table=True):
    """Report settings saved under a unique `name`: the
    cover's words, the logo (by digest, see `ReportLogo`), the period (fixed dates or the
    last N months), level, language and filters (`filters`: statuses, admin1,
    incident_type, perpetrator). Admins manage them; whoever may export uses them. A
    preset is settings, not evidence: deleting one removes the row (the trail's delete
    entry keeps every value it had)."""

    __tablename__ = "report_preset"
    __table_args__ = (
        CheckConstraint("length(name) > 0", name="named"),
        CheckConstraint(_in("level", REPORT_LEVELS), name="level_known"),
        CheckConstraint(_in("language", REPORT_LANGUAGES), name="language_known"),
        CheckConstraint("last_months IS NULL OR (last_months >= 1 AND last_months <= 240)",
                        name="last_months_range"),
        CheckConstraint("last_months IS NULL OR (since IS NULL AND until IS NULL)",
                        name="one_kind_of_period"),
        CheckConstraint("since IS NULL OR until IS NULL OR since <= until",
                        name="period_in_order"),
    )

    name: str = Field(max_length=100, unique=True)
    title: str | None = Field(default=None, max_length=300)
    subtitle: str | None = Field(default=None, max_length=300)
    organisation: str | None = Field(default=None, max_length=300)
    logo_sha256: str | None = Field(default=None, max_length=64,
                                    foreign_key="report_logo.sha256")
    since: dt.date | None = None
    until: dt.date | None = None
    last_months: int | None = None
    level: str = Field(default="public", max_length=20)
    language: str = Field(default="en", max_length=10)
    filters: dict = Field(default_factory=empty_dict, sa_column=Column(JSON, nullable=False))


class ReportLogo(SQLModel, table=True):
    """A logo image, stored once under its SHA-256 and never changed (see the module
    docstring for why it is outside the trail)."""

    __tablename__ = "report_logo"
    __table_args__ = (CheckConstraint(_in("mime_type", LOGO_TYPES), name="type_known"),)

    sha256: str = Field(primary_key=True, max_length=64)
    mime_type: str = Field(max_length=20)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime,
                                    nullable=False)
