"""Alembic environment: the URL from records.config, the metadata from records.models.

Run by hand (`alembic upgrade head`), it connects through SIJIL_MIGRATION_URL, the schema
owner (by default the same as SIJIL_DATABASE_URL): the application's own role may not be
allowed to change the schema (docs/design.md §2).
"""

from logging.config import fileConfig

from sqlalchemy import Connection

import records.audit_chain  # noqa: F401  (registers the audit listener before any data step)
from alembic import context
from records.config import get_settings
from records.db import make_engine
from records.models import metadata
from records.models.search import include_name

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=metadata,
        include_name=include_name,
        render_as_batch=True,
        compare_type=True,
        literal_binds=connection is None,
    )


def run_migrations_offline() -> None:
    _configure(url=get_settings().migration_url)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(get_settings().migration_url)
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
