"""Engines and sessions: one engine per process, one short session per unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.engine import make_url
from sqlmodel import Session

from records.config import get_settings
from records.private_paths import make_private_dirs, private_file

SQLITE_BUSY_TIMEOUT_MS = 10_000

# SQLAlchemy writes a table hint (Select.with_hint(table, text, "sqlite")) only for dialects
# that declare where it goes; SQLite's own hint, INDEXED BY, goes right after the table
# name, so its compiler is told to write it there. Only statements that ask for a hint for
# "sqlite" are changed (the search, records/services/incidents/listing.py).
SQLiteCompiler.get_from_hint_text = lambda self, table, text: text


def make_engine(url: str | None = None, **kwargs) -> Engine:
    """Create the engine for `url` (default: SIJIL_DATABASE_URL), with SQLite made safe.

    SQLite connections get foreign keys, WAL and a busy timeout; transactions begin with an
    explicit BEGIN so that write units of work can take the write lock up front (IMMEDIATE)
    and never fail half-way on a lock upgrade.
    """
    url = url or get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)

    database = (Path(parsed.database) if parsed.database and parsed.database != ":memory:"
                else None)
    if database is not None:
        make_private_dirs(database.parent)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    if database is not None:
        @event.listens_for(engine, "do_connect")
        def _private_database(*_args) -> None:
            # Before SQLite opens (or creates) the file: owner-only, and so its WAL and
            # shared-memory files, which SQLite creates with the database file's mode.
            private_file(database)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted content is overwritten, not left in free pages: a destroyed data key
        # (a purge) must not survive in the file.
        cursor.execute("PRAGMA secure_delete=ON")
        # 32 MiB of page cache instead of SQLite's 2 MiB: a search or a listing at
        # 100 000 incidents reads its indexes from memory after the first time.
        cursor.execute("PRAGMA cache_size=-32768")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("sijil_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def is_sqlite(engine_or_session) -> bool:
    bind = engine_or_session.get_bind() if isinstance(engine_or_session, Session) else (
        engine_or_session
    )
    return bind.dialect.name == "sqlite"


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A short session for reads; nothing it does is committed."""
    with Session(engine, expire_on_commit=False) as session, _faults_said():
        yield session


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One write transaction: commits when the block ends, rolls back on any error.

    The audit chain head is locked first (SQLite: BEGIN IMMEDIATE; PostgreSQL: the chain
    head row FOR UPDATE), so concurrent writers append to one chain in turn.
    """
    from records.audit_chain import lock_chain_head

    with Session(engine.execution_options(sijil_write=True), expire_on_commit=False) as session:
        try:
            with _faults_said():
                lock_chain_head(session)
                yield session
                session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def _faults_said() -> Iterator[None]:
    # A read-only file, a full disk or a lock held too long reaches the user as one
    # sentence (records/db_faults.py), never as a driver's traceback.
    from records.db_faults import explain

    try:
        yield
    except Exception as error:
        fault = explain(error)
        if fault is None:
            raise
        raise fault from error
