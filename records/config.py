"""Settings read from the environment, the same for the app, the CLI and Alembic.

SIJIL_DATABASE_URL     the database (default sqlite:///data/sijil.db)
SIJIL_FILES_DIR        evidence files, stored by SHA-256 (default data/files)
SIJIL_HOST             the address `sijil ui` listens on (default 127.0.0.1: this computer
                       only; set 0.0.0.0 only behind a reverse proxy that adds TLS)
SIJIL_SETUP_CODE_FILE  where `sijil ui` keeps the digest of an empty database's one-time
                       setup code (mode 0600, removed once the first admin exists); default
                       beside an SQLite database file (data/sijil.db -> data/sijil.setup-code),
                       for a database server data/<database name>.setup-code
SIJIL_SECRET_KEY       the installation's secret key (`sijil keys generate` prints one); it
                       keys the audit chain and wraps the keys of encrypted data
SIJIL_SECRET_KEY_FILE  where to read the key when SIJIL_SECRET_KEY is not set (default
                       ~/.config/sijil/secret.key, outside the data folder so a copy of the
                       data is not a copy of its key; `make run` creates it, mode 0600)
SIJIL_BACKUP_KEYS_FILE the backup key ring: the key of each backup generation, wrapped under
                       the master key (default beside the key file: backup-keys.json, mode
                       0600); a purge removes the keys of every backup made before it
SIJIL_MAX_FILE_MB      the largest evidence file accepted, in megabytes (default 50); a larger
                       one is refused before anything is stored
SIJIL_MIGRATION_URL    the database as its owner, for schema changes (default: the same as
                       SIJIL_DATABASE_URL); on PostgreSQL the application's own role need not
                       and should not be allowed to alter the schema
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///data/sijil.db"
DEFAULT_FILES_DIR = "data/files"
# Only this computer: anything wider is the deployer's decision (a reverse proxy with TLS).
DEFAULT_HOST = "127.0.0.1"
SETUP_CODE_FOLDER = "data"
DEFAULT_MAX_FILE_MB = 50


@dataclass(frozen=True)
class Settings:
    database_url: str
    files_dir: Path
    host: str
    setup_code_file: Path
    secret_key: str | None
    secret_key_file: Path
    migration_url: str
    max_file_mb: int = DEFAULT_MAX_FILE_MB
    backup_keys_file: Path | None = None


def _default_key_file() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "sijil" / "secret.key"


def _setup_code_file(database_url: str) -> Path:
    """Named after its database, so a code belongs to one database (and each test database
    has its own): beside an SQLite file; for a database server, in the data folder."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(database_url)
    except ArgumentError:  # reported where the engine is made, not here
        return Path(SETUP_CODE_FOLDER) / "sijil.setup-code"
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            return Path(url.database).with_suffix(".setup-code")
        return Path(SETUP_CODE_FOLDER) / "sijil.setup-code"
    return Path(SETUP_CODE_FOLDER) / f"{Path(url.database or 'sijil').name}.setup-code"


def _max_file_mb(raw: str | None) -> int:
    if not raw:
        return DEFAULT_MAX_FILE_MB
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        from records.errors import SijilError

        raise SijilError(f"SIJIL_MAX_FILE_MB must be a whole number of megabytes, at least 1 "
                         f"(e.g. {DEFAULT_MAX_FILE_MB}), not {raw!r}")
    return int(text)


def get_settings() -> Settings:
    """Read the settings now, so tests and subprocesses can change the environment."""
    database_url = os.environ.get("SIJIL_DATABASE_URL") or DEFAULT_DATABASE_URL
    setup_code_file = os.environ.get("SIJIL_SETUP_CODE_FILE")
    secret_key_file = Path(os.environ.get("SIJIL_SECRET_KEY_FILE") or _default_key_file())
    return Settings(
        database_url=database_url,
        files_dir=Path(os.environ.get("SIJIL_FILES_DIR") or DEFAULT_FILES_DIR),
        host=os.environ.get("SIJIL_HOST") or DEFAULT_HOST,
        setup_code_file=Path(setup_code_file) if setup_code_file
        else _setup_code_file(database_url),
        secret_key=os.environ.get("SIJIL_SECRET_KEY") or None,
        secret_key_file=secret_key_file,
        migration_url=os.environ.get("SIJIL_MIGRATION_URL") or database_url,
        max_file_mb=_max_file_mb(os.environ.get("SIJIL_MAX_FILE_MB")),
        # Beside the master key, never in the data folder: a copy of the data and its
        # backups must not be a copy of the keys that open them.
        backup_keys_file=Path(os.environ.get("SIJIL_BACKUP_KEYS_FILE")
                              or secret_key_file.with_name("backup-keys.json")),
    )
