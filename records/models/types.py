"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


# Default factories of table models are plain functions, not the builtins `list` and
# `dict`: pydantic inspects a factory's signature on every construction, and a builtin's
# signature is parsed from text (~85 µs against ~4 µs), half the cost of making a Person.
def empty_list() -> list:
    return []


def empty_dict() -> dict:
    return {}


def clean_list(value):
    """A list of short texts (tags, aliases) as every reader of them keeps it: each item
    trimmed, blank items dropped. Done on entry, so a file written and read back holds the
    same items as the database."""
    if not isinstance(value, list):
        return value
    items = [v.strip() if isinstance(v, str) else v for v in value]
    return [v for v in items if v != ""]


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every engine.

    SQLite has no time zones: values are stored as naive UTC and handed back aware, so code
    never compares naive with aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
