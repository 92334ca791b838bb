"""sijil audit commands."""

from records.cli import app  # noqa: F401
