"""Typed errors raised by the services; the CLI and the UI turn them into plain messages."""

from __future__ import annotations

from dataclasses import dataclass, field


class SijilError(Exception):
    """Base of every error a user can cause; its message is meant to be shown as it is."""


@dataclass
class FieldProblem:
    field: str
    message: str
    value: object = None
    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


@dataclass
class ValidationError(SijilError):
    """One or more fields are invalid; nothing was written."""

    problems: list[FieldProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems) or "invalid input"

    @classmethod
    def single(cls, field_name: str, message: str, value: object = None) -> ValidationError:
        return cls([FieldProblem(field_name, message, value)])

    def by_field(self) -> dict[str, str]:
        return {p.field: p.message for p in self.problems}


class ConflictError(SijilError):
    """A stale version was saved: someone else changed the record first; nothing was written."""

    def __init__(self, message: str, *, changed_by: str | None = None, changed_at=None):
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class PermissionDenied(SijilError):
    """The acting user's role or relation to the record does not allow this action."""


class NotFound(SijilError):
    """The record named does not exist (or is not visible to the acting user)."""


class AuthenticationError(SijilError):
    """Wrong username or password, inactive or locked account."""


class DatabaseFault(SijilError):
    """The database cannot do what was asked for a reason outside the record: it is
    read-only, the disk is full, another writer held it too long, or it cannot be reached.
    Nothing was written; the message says what to do."""
