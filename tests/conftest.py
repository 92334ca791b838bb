"""Engines for every database test: a real SQLite file and a real PostgreSQL database.

Each test gets its own database, copied from a template migrated once per run, so tests
never see each other's rows. PostgreSQL variants are mandatory when SIJIL_TEST_POSTGRES_URL
is set; otherwise they use the local server if it answers and are skipped, saying why, if not.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from records.db import make_engine, unit_of_work
from records.services.access import SYSTEM, Principal
from records.services.setup import prepare_database
from records.services.users import add_user, principal_of
from tests.cli_runner import run_in_process, run_in_subprocess

# Every test process and every CLI subprocess it starts writes and verifies the trail with
# this key (the base64 of b"sijil-test-key-0123456789abcdefg") unless the environment names
# one: never with the key file of the developer's own installation.
TEST_SECRET_KEY = "c2lqaWwtdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2RlZmc="
os.environ.setdefault("SIJIL_SECRET_KEY", TEST_SECRET_KEY)
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1/test"
PASSWORD = "correct horse battery"
# Test databases dropped together (each on its own connection of the server's 100).
DROPS_AT_ONCE = 6
TEST_USERS = {
    "admin": "admin",
    "carla": "caseworker",
    "chen": "caseworker",
    "rana": "reviewer",
    "ravi": "reviewer",
    "vera": "viewer",
}


def pytest_collection_modifyitems(config, items) -> None:
    """The long tests (marked `browser` or `long`) first: pytest-xdist hands tests out in
    this order, so they spread over the workers early and the short ones fill in at the
    end, and the workers finish together. Otherwise the order is the files' own."""
    items.sort(key=lambda item: not (item.get_closest_marker("browser")
                                     or item.get_closest_marker("long")))


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

    def drop_later(self, name: str) -> None:
        """Drop `name` in the background. PostgreSQL makes every DROP DATABASE wait for a
        checkpoint (a second or more on a busy disk); drops waiting at the same time share
        one, so the queued ones go together. The session ends once all are dropped."""
        self._dropping.put(name)

    def start_dropping(self) -> None:
        self._dropping: queue.Queue[str | None] = queue.Queue()
        self._drop_errors: list[str] = []
        self._dropper = threading.Thread(target=self._drop_queued, name="drop-databases",
                                         daemon=True)
        self._dropper.start()

    def finish_dropping(self) -> None:
        self._dropping.put(None)
        self._dropper.join()
        if self._drop_errors:
            raise RuntimeError(f"test databases not dropped: {self._drop_errors}")

    def _drop_queued(self) -> None:
        def drop(name: str) -> None:
            try:
                self.drop(name)
            except Exception as error:  # noqa: BLE001 - reported when the session ends
                self._drop_errors.append(f"{name}: {error}")

        with ThreadPoolExecutor(max_workers=DROPS_AT_ONCE) as pool:
            done = False
            while not done:
                batch = [self._dropping.get()]
                while len(batch) < DROPS_AT_ONCE and not self._dropping.empty():
                    batch.append(self._dropping.get())
                done = None in batch
                list(pool.map(drop, [name for name in batch if name is not None]))


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
    server.start_dropping()
    yield server
    server.finish_dropping()
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
    pg_server.drop_later(name)


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


@pytest.fixture(autouse=True)
def backup_key_ring(tmp_path, monkeypatch) -> Path:
    """Each test's own backup key ring: never the developer's, never another test's."""
    ring = tmp_path / "keys" / "backup-keys.json"
    monkeypatch.setenv("SIJIL_BACKUP_KEYS_FILE", str(ring))
    return ring


@pytest.fixture
def users(engine) -> dict[str, Principal]:
    from records.db import read_session
    from records.services.users import list_users

    with read_session(engine) as session:
        return {u.username: principal_of(u) for u in list_users(session)}


@pytest.fixture
def sijil() -> Callable[..., subprocess.CompletedProcess]:
    """Run the `sijil` CLI on a test database, in this process (tests/cli_runner.py).

    `sijil(engine, "audit", "verify")`; the database may also be given as a URL, the
    standard input as `stdin=` and the evidence folder as `files_dir=`. The result is a
    CompletedProcess: returncode, stdout and stderr as a terminal would see them.
    """
    return run_in_process


@pytest.fixture
def sijil_process() -> Callable[..., subprocess.CompletedProcess]:
    """As `sijil`, but `python -m records` in a new process, exactly as a user runs it."""
    return run_in_subprocess


@pytest.fixture
def files(monkeypatch, tmp_path) -> Path:
    """An empty evidence folder, made SIJIL_FILES_DIR for the test."""
    root = tmp_path / "files"
    monkeypatch.setenv("SIJIL_FILES_DIR", str(root))
    return root
