"""Log-in sessions kept on the server, so a reload or a second tab stays logged in.

The browser holds only a random token in a signed, HttpOnly, SameSite cookie; the table
keeps its SHA-256, never the token. Outside TableBase like edit_presence: `last_seen_at`
changes on every page run and means nothing to the trail, which records the events
instead (log-in, log-out, revocation). Each row names the trail's `login` entry that
opened it and carries a MAC under the installation's session key over what it says
(records/services/users/session_rows.py): a row written by SQL logs nobody in.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from records.models.types import UTCDateTime, utcnow


class UserSession(SQLModel, table=True):
    """One logged-in browser: whose, since when, last seen when, and whether it ended
    (log-out, revocation by an admin, deactivation) and why."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime,
                                   nullable=False)
    client: str | None = Field(default=None, max_length=100)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_why: str | None = Field(default=None, max_length=40)
    # The seq of the `login` entry that opened this session; every entry written under it
    # carries the same seq (audit_entry.login_seq).
    login_seq: int
    mac: str = Field(max_length=80)
