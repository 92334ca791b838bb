"""Engines for every database test: a real SQLite file and a real PostgreSQL database.

Each test gets its own database, copied from a template migrated once per run, so tests
never see each other's rows. PostgreSQL variants are mandatory when SIJIL_TEST_POSTGRES_URL
is set; otherwise they use the local server if it answers and are skipped, saying why, if not.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from records.db import make_engine, unit_of_work
from records.services.access import SYSTEM, Principal
from records.services.setup import prepare_database
from records.services.users import add_user, principal_of

ROOT = Path(__file__).resolve().parent.parent
# Every test process and every CLI subprocess it starts writes and verifies the trail with
# this key (the base64 of b"sijil-test-key-0123456789abcdefg") unless the environment names
# one: never with the key file of the developer's own installation.
TEST_SECRET_KEY = "c2lqaWwtdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2RlZmc="
os.environ.setdefault("SIJIL_SECRET_KEY", TEST_SECRET_KEY)
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1/test"
PASSWORD = "correct horse battery"
TEST_USERS = {
    "admin": "admin",
    "carla": "caseworker",
    "chen": "caseworker",
    "rana": "reviewer",
    "ravi": "reviewer",
    "vera": "viewer",
}


def _postgres_url() -> tuple[str | None, str]:
    configured = os.environ.get("SIJIL_TEST_POSTGRES_URL")
    url = configured or DEFAULT_PG_URL
    try:
        probe = create_engine(url)
        with probe.connect():
            pass
        probe.dispose()
        return url, ""
    except Exception as error:  # noqa: BLE001 - any failure to connect means "no server"
        if configured:
            pytest.exit(f"SIJIL_TEST_POSTGRES_URL={configured} is not reachable: {error}",
                        returncode=3)
        return None, f"no PostgreSQL at {DEFAULT_PG_URL} (set SIJIL_TEST_POSTGRES_URL)"


def _seed_users(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        for name, role in TEST_USERS.items():
            add_user(session, name, PASSWORD, role=role, by=SYSTEM,
                     display_name=name.title())


@dataclass
class PgServer:
    admin: Engine
    url: str
    template: str
    bare_template: str

    def database_url(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def create(self, template: str | None) -> str:
        """A new database, a copy of `template`; without one, an empty database."""
        name = f"sijil_t_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _make_template(server_admin: Engine, url: str, name: str, with_users: bool) -> None:
    with server_admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    prepare_database(engine)
    if with_users:
        _seed_users(engine)
    engine.dispose()


@pytest.fixture(scope="session")
def pg_server(worker_id: str) -> Iterator[PgServer | None]:
    url, reason = _postgres_url()
    if url is None:
        yield None
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    suffix = f"{worker_id}_{os.getpid()}"
    server = PgServer(admin, url, f"sijil_tpl_{suffix}", f"sijil_tplbare_{suffix}")
    _make_template(admin, url, server.template, with_users=True)
    _make_template(admin, url, server.bare_template, with_users=False)
    yield server
    server.drop(server.template)
    server.drop(server.bare_template)
    admin.dispose()


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory) -> dict[str, str]:
    paths = {}
    for kind in ("users", "bare"):
        path = tmp_path_factory.mktemp("template") / f"{kind}.db"
        engine = make_engine(f"sqlite:///{path}")
        prepare_database(engine)
        if kind == "users":
            _seed_users(engine)
        engine.dispose()
        paths[kind] = str(path)
    return paths


def _engine_for(request, tmp_path, sqlite_templates, pg_server, kind: str) -> Iterator[Engine]:
    """A new database of `kind`: a copy of the "users" or "bare" template, or "empty"."""
    if request.param == "sqlite":
        path = tmp_path / f"sijil-{kind}.db"
        if kind in sqlite_templates:
            shutil.copyfile(sqlite_templates[kind], path)
        engine = make_engine(f"sqlite:///{path}")
        yield engine
        engine.dispose()
        return
    if pg_server is None:
        pytest.skip(_postgres_url()[1])
    name = pg_server.create({"users": pg_server.template,
                             "bare": pg_server.bare_template}.get(kind))
    engine = make_engine(pg_server.database_url(name))
    yield engine
    engine.dispose()
    pg_server.drop(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path, sqlite_templates, pg_server) -> Iterator[Engine]:
    """A migrated database with vocabularies and the TEST_USERS accounts."""
    yield from _engine_for(request, tmp_path, sqlite_templates, pg_server, "users")


@pytest.fixture(params=["sqlite", "postgresql"])
def bare_engine(request, tmp_path, sqlite_templates, pg_server) -> Iterator[Engine]:
    """A migrated database with vocabularies and no user accounts."""
    yield from _engine_for(request, tmp_path, sqlite_templates, pg_server, "bare")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path, sqlite_templates, pg_server) -> Iterator[Engine]:
    """An empty database: no schema at all."""
    yield from _engine_for(request, tmp_path, sqlite_templates, pg_server, "empty")


@pytest.fixture
def users(engine) -> dict[str, Principal]:
    from records.db import read_session
    from records.services.users import list_users

    with read_session(engine) as session:
        return {u.username: principal_of(u) for u in list_users(session)}


@pytest.fixture
def sijil() -> Callable[..., subprocess.CompletedProcess]:
    """Run the `sijil` CLI in a subprocess on a test database, as a user would.

    `sijil(engine, "audit", "verify")`; the database may also be given as a URL, the
    standard input as `stdin=` and the evidence folder as `files_dir=`.
    """
    def run(database: Engine | str, *args: str, stdin: str = "",
            files_dir: Path | None = None) -> subprocess.CompletedProcess:
        url = (database if isinstance(database, str)
               else database.url.render_as_string(hide_password=False))
        env = {**os.environ, "SIJIL_DATABASE_URL": url}
        env.pop("SIJIL_USER", None)  # a developer's own SIJIL_USER would change who acts
        if files_dir is not None:
            env["SIJIL_FILES_DIR"] = str(files_dir)
        return subprocess.run([sys.executable, "-m", "records", *args], input=stdin, env=env,
                              cwd=ROOT, capture_output=True, text=True, timeout=300,
                              check=False)

    return run


@pytest.fixture
def files(monkeypatch, tmp_path) -> Path:
    """An empty evidence folder, made SIJIL_FILES_DIR for the test."""
    root = tmp_path / "files"
    monkeypatch.setenv("SIJIL_FILES_DIR", str(root))
    return root
