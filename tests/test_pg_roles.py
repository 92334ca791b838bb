"""Two roles on PostgreSQL: the schema owner migrates, the application's role works with rows
and nothing more (docs/design.md §2, §7).

Each test makes its own roles (LOGIN, no superuser, unique names, dropped afterwards). The
application's role gets its privileges from `sijil db grant-app-role`; it then works through
the normal write path, but can neither change nor remove audit entries, switch the triggers
or the replication role off, nor change the schema.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from alembic import command
from records.db import make_engine, read_session, unit_of_work
from records.migrations import (
    MigrationError,
    alembic_config,
    current_revision,
    grant_app_role,
    head_revision,
)
from records.services.access import SYSTEM
from records.services.audit import verify_chain
from records.services.incidents import create_incident
from records.services.setup import prepare_database
from records.services.users import add_user, principal_of
from tests.conftest import DEFAULT_PG_URL, PASSWORD, TEST_USERS, PgServer
from tests.factories import incident_data

GRANTED = re.compile(r"granted (\S+) the rows of \d+ tables and \d+ sequences; "
                     r"audit_entry: read and append only; no schema changes")
PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")

# What an attacker holding the application's credentials would try first. Every one must be
# refused for lack of privilege (42501), not stopped by a trigger that could be switched off.
REFUSED = [
    "UPDATE audit_entry SET reason = 'rewritten'",
    "DELETE FROM audit_entry",
    "TRUNCATE audit_entry",
    "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
    "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update_delete",
    "DROP TRIGGER audit_entry_no_update_delete ON audit_entry",
    "CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    "DELETE FROM audit_checkpoint",
    "UPDATE audit_checkpoint SET id = 2",
    "INSERT INTO audit_checkpoint (id, seq, hash, updated_at) VALUES (2, 0, '', now())",
    "CREATE TABLE planted (id integer)",
    "DROP TABLE review_comment",
    "ALTER TABLE incident ADD COLUMN planted text",
    "SET session_replication_role = replica",
]


@dataclass
class Installation:
    database: str
    owner_url: str
    app_url: str
    role: str
    app: Engine


@pytest.fixture
def server(pg_server: PgServer | None) -> PgServer:
    if pg_server is None:
        pytest.skip(f"no PostgreSQL at {DEFAULT_PG_URL} (set SIJIL_TEST_POSTGRES_URL)")
    return pg_server


@pytest.fixture
def new_role(server: PgServer) -> Iterator[Callable[..., str]]:
    """Make a role with a unique name (and a password, for servers that ask); returns its
    URL on `database`. Every role made is dropped after the test's databases are."""
    made: list[str] = []

    def make(database: str, options: str = "") -> str:
        name = f"sijil_t_{uuid.uuid4().hex[:12]}"
        password = secrets.token_hex(16)
        with server.admin.connect() as conn:
            conn.execute(text(f"CREATE ROLE {name} LOGIN {options} PASSWORD '{password}'"))
        made.append(name)
        return make_url(server.database_url(database)).set(
            username=name, password=password).render_as_string(hide_password=False)

    yield make
    with server.admin.connect() as conn:
        for name in made:
            conn.execute(text(f"DROP ROLE IF EXISTS {name}"))


@pytest.fixture
def installation(server: PgServer, new_role) -> Iterator[Installation]:
    """A fresh migrated database with vocabularies and no accounts, owned by the test
    server's role, and an ordinary role for the application that has no privileges yet."""
    database = server.create(server.bare_template)
    app_url = new_role(database)
    app = make_engine(app_url)
    yield Installation(database, server.database_url(database), app_url,
                       make_url(app_url).username, app)
    app.dispose()
    server.drop(database)


@pytest.fixture(autouse=True)
def _one_url(monkeypatch) -> None:
    # A developer's own SIJIL_MIGRATION_URL would send the CLI to another database.
    monkeypatch.delenv("SIJIL_MIGRATION_URL", raising=False)


def _granted(sijil, place: Installation) -> None:
    result = sijil(place.owner_url, "db", "grant-app-role", place.role)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert GRANTED.fullmatch(result.stdout.strip()).group(1) == place.role


def _sqlstate(engine: Engine, statement: str) -> str | None:
    """The SQLSTATE `statement` fails with, None when it succeeds (then it is rolled back)."""
    with engine.connect() as conn:
        try:
            conn.exec_driver_sql(statement)
        except DBAPIError as error:
            return error.orig.sqlstate
        finally:
            conn.rollback()
    return None


def _table_privileges(engine: Engine, role: str, table: str) -> set[str]:
    with engine.connect() as conn:
        return {p for p in PRIVILEGES if conn.scalar(
            text("SELECT has_table_privilege(CAST(:role AS name), :table, :p)"),
            {"role": role, "table": table, "p": p})}


def _seed_accounts(engine: Engine) -> dict:
    with unit_of_work(engine) as session:
        return {name: principal_of(add_user(session, name, PASSWORD, role=TEST_USERS[name],
                                            by=SYSTEM))
                for name in ("admin", "carla")}


def _trail_ok(engine: Engine) -> None:
    with read_session(engine) as session:
        result = verify_chain(session, by=SYSTEM, workers=1)
    assert result.ok, result.message


def test_the_app_role_works_through_the_write_path_after_the_grant(installation, sijil):
    _granted(sijil, installation)
    app = installation.app
    prepare_database(app)  # what the app and the CLI do on start: at head, nothing to migrate
    users = _seed_accounts(app)
    with unit_of_work(app) as session:
        incident = create_incident(session, incident_data(), by=users["carla"])
    assert incident.ref == "INC-2020-00001"
    with app.connect() as conn:
        assert conn.scalar(text("SELECT current_user")) == installation.role
        assert conn.scalar(text("SELECT count(*) FROM audit_entry "
                                "WHERE incident_ref = 'INC-2020-00001'")) == 5
    _trail_ok(app)


def test_the_grant_is_exact_and_running_it_again_changes_nothing(installation, sijil):
    _granted(sijil, installation)
    owner = make_engine(installation.owner_url)
    acl = ("SELECT c.relname, c.relacl::text, a.attname, a.attacl::text FROM pg_class c "
           "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attacl IS NOT NULL "
           "WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1, 3")
    with owner.connect() as conn:
        first = conn.execute(text(acl)).all()
    _granted(sijil, installation)
    with owner.connect() as conn:
        assert conn.execute(text(acl)).all() == first
        checkpoint_update = conn.execute(text(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'audit_checkpoint'::regclass "
            "AND attnum > 0 AND has_column_privilege(CAST(:role AS name), attrelid, attnum, "
            "'UPDATE') ORDER BY attname"), {"role": installation.role}).scalars().all()
    role = installation.role
    assert _table_privileges(owner, role, "audit_entry") == {"SELECT", "INSERT"}
    assert _table_privileges(owner, role, "audit_checkpoint") == {"SELECT"}
    # The chain head moves (seq, hash, updated_at and whatever a later revision adds), but
    # its id stays 1: no second head can be made by renumbering.
    assert "id" not in checkpoint_update
    assert {"hash", "seq", "updated_at"} <= set(checkpoint_update)
    assert _table_privileges(owner, role, "alembic_version") == {"SELECT"}
    assert _table_privileges(owner, role, "incident") == {"SELECT", "INSERT", "UPDATE",
                                                          "DELETE"}
    owner.dispose()


def test_the_app_role_cannot_touch_the_trail_or_the_schema(installation, sijil):
    _granted(sijil, installation)
    app = installation.app
    with app.connect() as conn:
        entries = conn.execute(text("SELECT seq, hash FROM audit_entry ORDER BY seq")).all()
    assert entries  # the vocabularies' entries
    assert {s: _sqlstate(app, s) for s in REFUSED} == {s: "42501" for s in REFUSED}
    with app.connect() as conn:
        assert conn.scalar(text("SHOW session_replication_role")) == "origin"
        assert conn.execute(text("SELECT seq, hash FROM audit_entry ORDER BY seq")).all() == (
            entries)
    _trail_ok(app)


def test_a_refused_replication_role_leaves_the_trail_protected(installation, sijil):
    """The attack of the finding, in one session: replica mode would skip the triggers."""
    _granted(sijil, installation)
    with installation.app.connect() as conn:
        with pytest.raises(DBAPIError, match="session_replication_role"):
            conn.exec_driver_sql("SET session_replication_role = replica")
        conn.rollback()
        for statement in ("UPDATE audit_entry SET reason = 'rewritten' WHERE seq = 1",
                          "DELETE FROM audit_entry WHERE seq = 1"):
            with pytest.raises(DBAPIError, match="permission denied for table audit_entry"):
                conn.exec_driver_sql(statement)
            conn.rollback()
    _trail_ok(installation.app)


def _upgrade_to(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_the_app_role_is_told_to_upgrade_as_the_owner(server, new_role, sijil, monkeypatch):
    """A schema one revision behind: the app's role stops with the fix and changes nothing;
    `sijil db upgrade` with the owner's URL migrates, and the table the newest revision adds
    is granted in the same step (the app's first write uses it)."""
    database = server.create(None)
    try:
        app_url = new_role(database)
        place = Installation(database, server.database_url(database), app_url,
                             make_url(app_url).username, make_engine(app_url))
        owner = make_engine(place.owner_url)
        behind = ScriptDirectory.from_config(alembic_config()).get_revision(
            head_revision()).down_revision
        _upgrade_to(owner, behind)
        _granted(sijil, place)
        refused = sijil(place.app_url, "user", "list")
        assert refused.returncode == 1
        assert refused.stderr.strip() == (
            f"sijil: the database schema is at revision {behind}, not {head_revision()}, and "
            f"{place.role} may not change it: run `sijil db upgrade` with "
            "SIJIL_MIGRATION_URL set to the schema owner's URL")
        assert current_revision(owner) == behind

        monkeypatch.setenv("SIJIL_MIGRATION_URL", place.owner_url)
        upgraded = sijil(place.app_url, "db", "upgrade")
        assert (upgraded.returncode, upgraded.stdout.strip()) == (
            0, f"database at revision {head_revision()} (head)"), upgraded.stderr
        _seed_accounts(place.app)
        _trail_ok(place.app)
        owner.dispose()
        place.app.dispose()
    finally:
        server.drop(database)


def test_a_new_installation_follows_the_recipe(server, new_role, sijil, monkeypatch):
    """README's recipe: an owner role and an application role, a database the owner owns,
    both URLs, `sijil db upgrade`, `sijil db grant-app-role`; then the app works."""
    database = server.create(None)
    try:
        owner_url, app_url = new_role(database), new_role(database)
        owner_role, app_role = make_url(owner_url).username, make_url(app_url).username
        with server.admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" OWNER TO {owner_role}'))
        monkeypatch.setenv("SIJIL_MIGRATION_URL", owner_url)
        upgraded = sijil(app_url, "db", "upgrade")
        assert (upgraded.returncode, upgraded.stderr) == (0, ""), upgraded.stderr
        granted = sijil(app_url, "db", "grant-app-role", app_role)
        assert (granted.returncode, granted.stderr) == (0, ""), granted.stderr
        monkeypatch.delenv("SIJIL_MIGRATION_URL")
        added = sijil(app_url, "user", "add", "admin", "--role", "admin", "--password-stdin",
                      stdin=f"{PASSWORD}\n")
        assert (added.returncode, added.stdout.strip()) == (0, "added admin (admin)")
        app = make_engine(app_url)
        assert _sqlstate(app, "DROP TABLE incident") == "42501"
        _trail_ok(app)
        app.dispose()
    finally:
        server.drop(database)


def test_grant_app_role_refuses_roles_that_could_change_the_schema(installation, new_role,
                                                                   sijil, server):
    creator = make_url(new_role(installation.database, "CREATEROLE")).username
    result = sijil(installation.owner_url, "db", "grant-app-role", creator)
    assert (result.returncode, result.stderr.strip()) == (1, (
        f"sijil: role {creator} has CREATEROLE (it could make itself a member of the owner): "
        "it could alter the schema or switch off the audit triggers; the application needs "
        "an ordinary role (LOGIN and nothing else)"))
    with server.admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{installation.database}" OWNER TO '
                          f"{installation.role}"))
    result = sijil(installation.owner_url, "db", "grant-app-role", installation.role)
    assert (result.returncode, result.stderr.strip()) == (1, (
        f"sijil: role {installation.role} owns schema public (the database's owner owns "
        "public): it could alter the schema or switch off the audit triggers; the application "
        "needs an ordinary role (LOGIN and nothing else)"))


def test_grant_app_role_errors_are_one_line_and_exit_1(installation, sijil):
    missing = f"sijil_t_{uuid.uuid4().hex[:12]}"
    result = sijil(installation.owner_url, "db", "grant-app-role", missing)
    assert (result.returncode, result.stderr.strip()) == (
        1, f"sijil: role {missing} does not exist: create it first "
           f"(CREATE ROLE {missing} LOGIN PASSWORD '…')")
    owner_engine = make_engine(installation.owner_url)
    with owner_engine.connect() as conn:
        owner = conn.scalar(text("SELECT tableowner FROM pg_tables "
                                 "WHERE tablename = 'alembic_version'"))
    as_app = sijil(installation.app_url, "db", "grant-app-role", installation.role)
    assert (as_app.returncode, as_app.stderr.strip()) == (
        1, f"sijil: connected as {installation.role}, which does not own the schema (its "
           f"owner is {owner}): run with SIJIL_MIGRATION_URL set to the owner's URL")
    with pytest.raises(MigrationError, match="does not exist"):
        grant_app_role(owner_engine, missing)
    owner_engine.dispose()


def test_grant_app_role_needs_postgresql(sijil, tmp_path):
    database = tmp_path / "data" / "sijil.db"
    result = sijil(f"sqlite:///{database}", "db", "grant-app-role", "sijil_app")
    assert (result.returncode, result.stdout, result.stderr.strip()) == (
        1, "", "sijil: grant-app-role needs PostgreSQL (SIJIL_MIGRATION_URL): SQLite has no "
               "roles; there the database file's permissions are the access control")
    assert not database.parent.exists()
