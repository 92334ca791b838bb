"""The databases a run measures: fresh ones on SQLite (files in the work folder) or on a
PostgreSQL server (new databases, dropped at the end), migrated, with the benchmark's
accounts, and filled with `sijil demo`."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.harness import PASSWORD, Run, cli_env, run_process, sijil

# The admin first: the first account of an empty database must be an admin.
ACCOUNTS = {"bench_admin": "admin", "bench_reviewer": "reviewer", "bench_viewer": "viewer",
            **{f"bench_user_{i}": "reviewer" for i in range(1, 9)}}


class Databases:
    """Makes and forgets the run's databases on one engine."""

    def __init__(self, work: Path, postgres: str | None = None) -> None:
        self.work = work
        self.postgres = postgres
        self.made: list[str] = []

    @property
    def engine(self) -> str:
        return "postgresql" if self.postgres else "sqlite"

    def fresh(self, label: str) -> str:
        """The URL of a new, empty database."""
        if self.postgres is None:
            path = self.work / f"{label}-{uuid.uuid4().hex[:6]}.db"
            self.made.append(str(path))
            return f"sqlite:///{path}"
        name = f"sijil_bench_{label}_{uuid.uuid4().hex[:6]}".lower()
        admin = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.made.append(name)
        return make_url(self.postgres).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.postgres is None:
            for path in self.made:
                for suffix in ("", "-wal", "-shm"):
                    Path(path + suffix).unlink(missing_ok=True)
            return
        admin = create_engine(self.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str, work: Path) -> None:
    """Migrate the database and add the benchmark's accounts (password PASSWORD)."""
    run_process(sijil("db", "upgrade"), cli_env(url, work))
    from records.db import make_engine, unit_of_work
    from records.services.access import SYSTEM
    from records.services.users import add_user

    engine = make_engine(url)
    for name, role in ACCOUNTS.items():
        with unit_of_work(engine) as session:
            add_user(session, name, PASSWORD, role=role, by=SYSTEM,
                     display_name=name.replace("_", " ").title())
    engine.dispose()


def fill(url: str, work: Path, incidents: int) -> Run:
    """`sijil demo --incidents N` on a prepared database: its time and peak memory."""
    return run_process(sijil("demo", "--incidents", str(incidents), "--seed", "1",
                             "--as", "bench_admin"), cli_env(url, work))


def demo_database(databases: Databases, label: str, incidents: int) -> tuple[str, Run]:
    url = databases.fresh(label)
    prepare(url, databases.work)
    return url, fill(url, databases.work, incidents)
