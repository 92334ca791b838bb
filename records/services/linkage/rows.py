"""Rows as JSON and back, exactly: what a merge keeps so that undoing it restores them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, select
from sqlmodel import Session

from records.audit_chain import to_json_value
from records.models import (
    Attachment,
    CaseEvent,
    Citation,
    Incident,
    Perpetrator,
    Person,
    ReviewComment,
    Victim,
)
from records.models.types import UTCDateTime

MODELS = {m.__tablename__: m for m in (Attachment, CaseEvent, Citation, Incident, Perpetrator,
                                       Person, ReviewComment, Victim)}


def stored_row(session: Session, table: str, row_id: int) -> dict[str, Any]:
    """Every column of one row as the database holds it (sealed values stay sealed), as
    JSON values."""
    columns = MODELS[table].__table__
    row = session.connection().execute(select(columns).where(columns.c.id == row_id)).one()
    return {key: to_json_value(value) for key, value in row._mapping.items()}


def _from_json(column, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, UTCDateTime):
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    return value


def rebuilt(table: str, values: dict[str, Any]):
    """A new ORM row carrying exactly `values` (from stored_row), id and timestamps too."""
    model = MODELS[table]
    columns = model.__table__.c
    return model(**{key: _from_json(columns[key], value) for key, value in values.items()})
