"""sijil demo commands."""

from records.cli import app  # noqa: F401
