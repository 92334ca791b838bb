"""All table models, imported here so Alembic and the services see one metadata."""

from sqlmodel import SQLModel

from records.models.actor import Actor
from records.models.audit import AuditCheckpoint, AuditEntry
from records.models.base import TableBase
from records.models.evidence import Attachment, CustodyEvent
from records.models.incident import (
    CaseEvent,
    Citation,
    Incident,
    Perpetrator,
    ReviewComment,
    Victim,
)
from records.models.keys import DataKey
from records.models.linkage import PairJudgedDistinct, RecordMerge
from records.models.person import Person
from records.models.presence import EditPresence
from records.models.reporting import ReportedFigure, ReportLogo, ReportPreset
from records.models.search import SearchText
from records.models.session import UserSession
from records.models.source import Source
from records.models.user import AppUser
from records.models.vocabulary import VocabularyTerm

metadata = SQLModel.metadata

__all__ = [
    "Actor",
    "AppUser",
    "Attachment",
    "AuditCheckpoint",
    "AuditEntry",
    "CaseEvent",
    "Citation",
    "CustodyEvent",
    "DataKey",
    "EditPresence",
    "Incident",
    "PairJudgedDistinct",
    "Perpetrator",
    "Person",
    "RecordMerge",
    "ReportLogo",
    "ReportPreset",
    "ReportedFigure",
    "ReviewComment",
    "SearchText",
    "Source",
    "TableBase",
    "UserSession",
    "Victim",
    "VocabularyTerm",
    "metadata",
]
