"""Applying Alembic migrations from code, and keeping the application's role out of the schema.

One `upgrade_to_head()` serves the CLI, the app and the tests. On PostgreSQL the schema may
belong to one role (SIJIL_MIGRATION_URL) while the application connects as another
(SIJIL_DATABASE_URL) that reads and writes rows but cannot alter the schema, disable the
audit triggers, set session_replication_role, or change or remove audit entries;
`grant_app_role()` gives that role exactly what the write path needs (docs/design.md §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from alembic import command
from records.config import get_settings
from records.db import make_engine
from records.errors import SijilError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# SQLSTATE of "permission denied" and "must be owner of …".
INSUFFICIENT_PRIVILEGE = "42501"
NOT_POSTGRESQL = ("grant-app-role needs PostgreSQL (SIJIL_MIGRATION_URL): SQLite has no roles; "
                  "there the database file's permissions are the access control")

# What the application's role may do with each table; every other table of the schema gets
# ROW_PRIVILEGES. A new table that the application must not change or empty gets its own
# line here, written together with the revision that creates it.
ROW_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
TABLE_PRIVILEGES = {
    # Append-only (docs/design.md §5): the triggers refuse changes too, but a role that may
    # not even ask is a second lock that survives a disabled trigger.
    "audit_entry": "SELECT, INSERT",
    # Only Alembic writes it; the app reads it to tell whether the schema is at head.
    "alembic_version": "SELECT",
}
# The chain head row exists from migration a1d17c0de001 on: the write path locks it
# (SELECT … FOR UPDATE needs UPDATE on some column) and moves it, but never adds or removes
# it, and its id must stay 1. Its other columns, whichever exist, may be updated.
CHECKPOINT_TABLE = "audit_checkpoint"


class MigrationError(SijilError):
    """The schema cannot be brought to head by this role, or a role cannot be set up as the
    application's; the message says what to do."""


@dataclass
class GrantResult:
    role: str
    tables: int
    sequences: int
    warnings: list[str] = field(default_factory=list)


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["configure_logging"] = False
    return config


def _alembic(connection: Connection, fn, *args) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    fn(config, *args)


def _run(engine: Engine, fn, *args) -> None:
    with engine.begin() as connection:
        _alembic(connection, fn, *args)


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)


def _same_url(engine: Engine, url: str) -> bool:
    return (engine.url.render_as_string(hide_password=False)
            == make_url(url).render_as_string(hide_password=False))


def _database_of(url: str) -> tuple:
    parsed = make_url(url)
    return parsed.get_backend_name(), parsed.host, parsed.port, parsed.database


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op when it is already there).

    For the application's own engine (SIJIL_DATABASE_URL) when SIJIL_MIGRATION_URL names
    another role, the revisions run as that role, the schema owner; when any ran, the
    application's role is granted its privileges again in the same transaction, so the
    tables they add are usable at once. Otherwise they run on `engine`. A role that may not
    change the schema gets a MigrationError naming the fix, and nothing is half-applied
    (PostgreSQL changes the schema inside the transaction)."""
    settings = get_settings()
    if settings.migration_url != settings.database_url and _same_url(engine,
                                                                      settings.database_url):
        _upgrade_as_owner(settings.migration_url, settings.database_url)
        return
    try:
        _run(engine, command.upgrade, "head")
    except DBAPIError as error:
        if _sqlstate(error) != INSUFFICIENT_PRIVILEGE:
            raise
        role = engine.url.username or "the role of SIJIL_DATABASE_URL"
        raise MigrationError(
            f"the database schema is at revision {current_revision(engine) or 'none'}, not "
            f"{head_revision()}, and {role} may not change it: run `sijil db upgrade` with "
            "SIJIL_MIGRATION_URL set to the schema owner's URL") from None


def _upgrade_as_owner(migration_url: str, database_url: str) -> None:
    if _database_of(migration_url) != _database_of(database_url):
        raise MigrationError("SIJIL_MIGRATION_URL names another database than "
                             "SIJIL_DATABASE_URL: both must reach the same database")
    app_role = make_url(database_url).username
    owner = make_engine(migration_url)
    try:
        with owner.begin() as connection:
            before = MigrationContext.configure(connection).get_current_revision()
            _alembic(connection, command.upgrade, "head")
            changed = before != head_revision()
            if changed and app_role and connection.dialect.name == "postgresql" and (
                    connection.scalar(text("SELECT current_user")) != app_role):
                _grant(connection, app_role)
    finally:
        owner.dispose()


def downgrade_to(engine: Engine, revision: str = "base") -> None:
    _run(engine, command.downgrade, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def grant_app_role(engine: Engine, role: str) -> GrantResult:
    """Give PostgreSQL `role` what the application needs on the migrated schema, and no more.

    `engine` connects as the schema owner (SIJIL_MIGRATION_URL). The role gets CONNECT, USAGE
    on the schema, SELECT/INSERT/UPDATE/DELETE on the rows of every table, SELECT and INSERT
    only on audit_entry, SELECT and UPDATE (not of id) on audit_checkpoint, SELECT on
    alembic_version, and USAGE on the sequences; never CREATE, TRUNCATE, TRIGGER or ownership.
    Each table's privileges for the role are revoked and granted again in one transaction,
    so running it twice changes nothing and it corrects earlier grants. Tables made by later
    revisions need it again (`sijil db upgrade` with SIJIL_MIGRATION_URL set does it).

    Raises MigrationError when not on PostgreSQL, when the role does not exist, when the
    schema is not migrated or not owned by the connecting role, and when the role could
    change the schema anyway (superuser, CREATEROLE, member of the owner)."""
    if engine.dialect.name != "postgresql":
        raise MigrationError(NOT_POSTGRESQL)
    with engine.begin() as connection:
        return _grant(connection, role)


def _grant(conn: Connection, role: str) -> GrantResult:
    quote = conn.dialect.identifier_preparer.quote
    attributes = conn.execute(text("SELECT rolsuper, rolcreaterole FROM pg_roles "
                                   "WHERE rolname = :role"), {"role": role}).first()
    if attributes is None:
        raise MigrationError(f"role {role} does not exist: create it first "
                             f"(CREATE ROLE {quote(role)} LOGIN PASSWORD '…')")
    schema, database, me = conn.execute(
        text("SELECT current_schema(), current_database(), current_user")).one()
    owner = conn.scalar(text("SELECT tableowner FROM pg_tables WHERE schemaname = :schema "
                             "AND tablename = 'alembic_version'"), {"schema": schema})
    if owner is None:
        raise MigrationError(f"database {database} has no Sijil schema in {schema} yet: run "
                             "`sijil db upgrade` first")
    if not conn.scalar(text("SELECT pg_has_role(CAST(:owner AS name), 'USAGE')"),
                       {"owner": owner}):
        raise MigrationError(f"connected as {me}, which does not own the schema (its owner is "
                             f"{owner}): run with SIJIL_MIGRATION_URL set to the owner's URL")
    _refuse_powerful_role(conn, role, owner, schema, attributes)

    target = quote(role)
    statements = [f"GRANT CONNECT ON DATABASE {quote(database)} TO {target}",
                  f"GRANT USAGE ON SCHEMA {quote(schema)} TO {target}",
                  f"REVOKE CREATE ON SCHEMA {quote(schema)} FROM {target}"]
    tables = conn.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                               "AND tableowner = :owner ORDER BY tablename"),
                          {"schema": schema, "owner": owner}).all()
    for table in tables:
        name = f"{quote(schema)}.{quote(table)}"
        statements.append(f"REVOKE ALL ON TABLE {name} FROM {target}")
        if table == CHECKPOINT_TABLE:
            columns = conn.scalars(text(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                ":schema AND table_name = :table AND column_name <> 'id' ORDER BY column_name"),
                {"schema": schema, "table": table}).all()
            statements.append(f"GRANT SELECT ON TABLE {name} TO {target}")
            statements.append(f"GRANT UPDATE ({', '.join(quote(c) for c in columns)}) "
                              f"ON TABLE {name} TO {target}")
        else:
            privileges = TABLE_PRIVILEGES.get(table, ROW_PRIVILEGES)
            statements.append(f"GRANT {privileges} ON TABLE {name} TO {target}")
    sequences = conn.scalars(text("SELECT sequencename FROM pg_sequences WHERE schemaname = "
                                  ":schema AND sequenceowner = :owner ORDER BY sequencename"),
                             {"schema": schema, "owner": owner}).all()
    for sequence in sequences:
        name = f"{quote(schema)}.{quote(sequence)}"
        statements.append(f"REVOKE ALL ON SEQUENCE {name} FROM {target}")
        statements.append(f"GRANT USAGE ON SEQUENCE {name} TO {target}")
    for statement in statements:
        conn.exec_driver_sql(statement)
    return GrantResult(role, len(tables), len(sequences),
                       _left_open(conn, role, schema, database))


def _refuse_powerful_role(conn: Connection, role: str, owner: str, schema: str,
                          attributes) -> None:
    """A role that could alter the schema or switch the triggers off would make the grants
    a pretence; say so instead of granting."""
    reasons = ["is a superuser"] if attributes.rolsuper else _powers(
        conn, role, owner, schema, createrole=attributes.rolcreaterole)
    if reasons:
        raise MigrationError(
            f"role {role} {'; '.join(reasons)}: it could alter the schema or switch off the "
            "audit triggers; the application needs an ordinary role (LOGIN and nothing else)")


def _powers(conn: Connection, role: str, owner: str, schema: str, *,
            createrole: bool) -> list[str]:
    reasons = []
    if createrole:
        reasons.append("has CREATEROLE (it could make itself a member of the owner)")
    params = {"role": role, "owner": owner, "schema": schema}
    if role == owner:
        reasons.append("owns the tables")
    elif conn.scalar(text("SELECT pg_has_role(CAST(:role AS name), CAST(:owner AS name), "
                          "'MEMBER')"), params):
        reasons.append(f"is a member of {owner}, which owns the tables")
    elif conn.scalar(text("SELECT pg_has_role(CAST(:role AS name), nspowner, 'MEMBER') "
                          "FROM pg_namespace WHERE nspname = :schema"), params):
        reasons.append(f"owns schema {schema} (the database's owner owns public)")
    if conn.dialect.server_version_info >= (15,) and conn.scalar(text(
            "SELECT has_parameter_privilege(CAST(:role AS name), 'session_replication_role', "
            "'SET')"), params):
        reasons.append("may set session_replication_role")
    return reasons


def _left_open(conn: Connection, role: str, schema: str, database: str) -> list[str]:
    """What the role may still do through PUBLIC or roles it belongs to, which a grant to
    the role itself cannot take away."""
    params = {"role": role, "schema": schema, "database": database}
    warnings = []
    if conn.scalar(text("SELECT has_schema_privilege(CAST(:role AS name), :schema, 'CREATE')"),
                   params):
        warnings.append(f"{role} can still create tables in schema {schema} (through PUBLIC "
                        f"or another role): REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC")
    if conn.scalar(text("SELECT has_database_privilege(CAST(:role AS name), :database, "
                        "'CREATE')"), params):
        warnings.append(f"{role} can still create schemas in database {database}")
    changes = [p for p in ("UPDATE", "DELETE", "TRUNCATE") if conn.scalar(
        text("SELECT has_table_privilege(CAST(:role AS name), "
             "CAST(quote_ident(:schema) || '.audit_entry' AS text), :privilege)"),
        {**params, "privilege": p})]
    if changes:
        warnings.append(f"{role} still holds {', '.join(changes)} on audit_entry through "
                        "PUBLIC or another role")
    return warnings
