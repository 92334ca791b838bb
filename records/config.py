"""Settings read from the environment, the same for the app, the CLI and Alembic."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///data/sijil.db"
DEFAULT_FILES_DIR = "data/files"


@dataclass(frozen=True)
class Settings:
    database_url: str
    files_dir: Path


def get_settings() -> Settings:
    """Read the settings now, so tests and subprocesses can change the environment."""
    return Settings(
        database_url=os.environ.get("SIJIL_DATABASE_URL") or DEFAULT_DATABASE_URL,
        files_dir=Path(os.environ.get("SIJIL_FILES_DIR") or DEFAULT_FILES_DIR),
    )
