"""Read models of evidence files and their chain of custody (never live ORM objects)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class CustodyEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    attachment_id: int
    at: dt.datetime
    kind: str
    by_user: str | None = None
    counterpart: str | None = None
    method: str | None = None
    note: str = ""


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: int
    sha256: str
    size: int
    mime_type: str
    original_name: str
    description: str = ""
    captured_at: dt.datetime | None = None
    created_at: dt.datetime
    incident_ref: str | None = None
    source_uid: str | None = None
    uploaded_by: str | None = None
    custody: list[CustodyEventRead] = Field(default_factory=list)


@dataclass(frozen=True)
class FileProblem:
    """A stored file that is missing or no longer has the content its hash promises."""

    attachment_id: int
    original_name: str
    sha256: str
    incident_ref: str | None
    path: Path
    problem: str  # "missing" or "altered"

    def __str__(self) -> str:
        where = f" of {self.incident_ref}" if self.incident_ref else ""
        return (f"attachment {self.attachment_id}{where} ({self.original_name or 'unnamed'}): "
                f"{self.problem} file {self.path}")


@dataclass
class FilesReport:
    checked: int = 0
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def missing(self) -> list[FileProblem]:
        return [p for p in self.problems if p.problem == "missing"]

    @property
    def altered(self) -> list[FileProblem]:
        return [p for p in self.problems if p.problem == "altered"]
