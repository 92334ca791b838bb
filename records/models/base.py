"""Fields every table shares, and the metadata naming convention Alembic relies on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from records.models.types import UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Columns that every row has and that an audit diff leaves out: they change on every write.
BOOKKEEPING_FIELDS = frozenset({"id", "created_at", "updated_at", "version"})


class TableBase(SQLModel):
    """id, created_at, updated_at and the optimistic-locking version of every editable row."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )
    version: int = Field(default=1, nullable=False)

    @declared_attr
    def __mapper_args__(cls) -> dict:
        # The ORM adds "WHERE version = :seen" to every UPDATE, so a race between two
        # writers that both passed the service's version check still fails safely.
        return {"version_id_col": cls.__table__.c.version}
