"""The translation functions of the UI: the same gettext catalogues the services use, in the
language of the session whose page is running (set by ui/app.py at the start of each run)."""

from records.i18n import (
    LANGUAGES,
    _,
    current_language,
    format_day,
    format_number,
    is_right_to_left,
    ngettext,
    set_language,
)

__all__ = ["LANGUAGES", "_", "current_language", "format_day", "format_number",
           "is_right_to_left", "ngettext", "set_language"]
