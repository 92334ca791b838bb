"""The schema belongs to Alembic: up, down and up again, and no drift from the models."""

from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from records.migrations import current_revision, downgrade_to, head_revision, upgrade_to_head
from records.models import metadata
from records.models.search import include_name

DESIGN_TABLES = {
    "incident", "person", "victim", "actor", "perpetrator", "source", "citation", "attachment",
    "custody_event", "case_event", "app_user", "review_comment", "audit_entry",
    "vocabulary_term",
}


def _drift(engine, target=metadata) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_name": include_name})
        return compare_metadata(context, target)


def test_upgrade_downgrade_upgrade(empty_engine):
    upgrade_to_head(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert set(inspect(empty_engine).get_table_names()) >= DESIGN_TABLES
    downgrade_to(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert _drift(empty_engine) == []


def test_a_model_change_without_a_migration_is_detected(empty_engine):
    upgrade_to_head(empty_engine)
    changed = sa.MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["incident"].append_column(sa.Column("new_field", sa.String(20)))
    diffs = _drift(empty_engine, changed)
    assert [(d[0], d[3].name) for d in diffs if d[0] == "add_column"] == [
        ("add_column", "new_field")]


def test_alembic_check_reports_no_drift(empty_engine):
    upgrade_to_head(empty_engine)
    env = {**os.environ,
           "SIJIL_DATABASE_URL": empty_engine.url.render_as_string(hide_password=False)}
    result = subprocess.run([sys.executable, "-m", "alembic", "check"], env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "No new upgrade operations detected" in result.stdout + result.stderr


def test_sqlite_connections_are_configured(tmp_path):
    from records.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'pragma.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()
