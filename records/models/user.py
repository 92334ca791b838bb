"""People who use Sijil and their roles."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import field_validator
from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from records.models.base import TableBase
from records.models.types import UTCDateTime

ROLES = ("viewer", "caseworker", "reviewer", "admin")
USERNAME = re.compile(r"[A-Za-z0-9_.@-]+")


class UserBase(SQLModel):
    username: str = Field(min_length=2, max_length=64, unique=True, index=True)
    display_name: str = Field(default="", max_length=200)
    role: str = Field(default="caseworker", max_length=20)
    is_active: bool = True

    @field_validator("username")
    @classmethod
    def _plain_username(cls, value: str) -> str:
        if not USERNAME.fullmatch(value):
            raise ValueError("use letters, digits and . _ @ - only, no spaces")
        return value


class AppUser(UserBase, TableBase, table=True):
    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role_known"),
        CheckConstraint("failed_logins >= 0", name="failed_logins_nonnegative"),
    )

    password_hash: str = Field(max_length=255)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The workspace's language for this user (en, ar, ckb); None: not chosen yet.
    language: str | None = Field(default=None, max_length=10)


class UserRead(UserBase):
    id: int
    version: int
    locked_until: datetime | None = None
    last_login_at: datetime | None = None
    language: str | None = None
