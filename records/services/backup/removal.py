"""Taking back a restore that failed its checks: a trail that does not verify means the
data may have been changed behind it, and a workspace must not start on it. The database
and the files folder are put back as the restore found them (empty)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from records.private_paths import private_file

# What a PostgreSQL dump of Sijil can create, outside PostgreSQL's own schemas, each as the
# DROP statement's object kind and its qualified name.
_PG_OBJECTS = """
SELECT 'SCHEMA', format('%I', nspname) FROM pg_namespace
 WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
   AND nspname NOT LIKE 'pg\\_%'
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                      WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
       format('%I.%I', n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
UNION ALL
SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE'
                      ELSE 'FUNCTION' END,
       format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
UNION ALL
SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
       format('%I.%I', n.nspname, t.typname)
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE t.typtype IN ('d', 'e', 'r', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
UNION ALL
SELECT 'EXTENSION', format('%I', extname) FROM pg_extension
"""
# Dropped in this order; CASCADE takes what depends on each (indexes, triggers, owned
# sequences), IF EXISTS what an earlier CASCADE took already.
_ORDER = ("SCHEMA", "MATERIALIZED VIEW", "VIEW", "FOREIGN TABLE", "TABLE", "SEQUENCE",
          "PROCEDURE", "AGGREGATE", "FUNCTION", "DOMAIN", "TYPE", "EXTENSION")


def database_objects(engine: Engine) -> frozenset[tuple[str, str]]:
    """What the database holds before a restore ((kind, name) on PostgreSQL; nothing to
    note for SQLite, whose file is replaced whole)."""
    if engine.dialect.name != "postgresql":
        return frozenset()
    with engine.connect() as conn:
        return frozenset((kind, name) for kind, name in conn.execute(text(_PG_OBJECTS)))


def remove_restored(engine: Engine, before: frozenset[tuple[str, str]],
                    files_root: Path, *, files_existed: bool) -> None:
    """Undo a restore: drop what it added to the database (PostgreSQL: every object not in
    `before`, in one transaction; SQLite: the file, its WAL and shared memory, leaving an
    empty owner-only file as the restore found) and remove the files folder (an empty one
    is left if there was one before)."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            added = set(conn.execute(text(_PG_OBJECTS)).all()) - before
            for kind in _ORDER:
                for name in sorted(n for k, n in added if k == kind):
                    conn.execute(text(f"DROP {kind} IF EXISTS {name} CASCADE"))
        engine.dispose()
    else:
        database = Path(make_url(engine.url).database)
        engine.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        private_file(database)
    if files_root.exists():
        shutil.rmtree(files_root)
    if files_existed:
        files_root.mkdir(mode=0o700)
