"""Building blocks shared by the pages."""

from ui.components.db import get_engine, principal, read_session, unit_of_work
from ui.components.feedback import FieldErrors, run_write, show_error
from ui.components.text import escape_markdown, labelled
from ui.components.vocab import load_vocabularies

__all__ = ["FieldErrors", "escape_markdown", "get_engine", "labelled", "load_vocabularies",
           "principal", "read_session", "run_write", "show_error", "unit_of_work"]
