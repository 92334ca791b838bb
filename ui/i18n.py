"""The one translation function of the UI: the same gettext catalogue the services use."""

from records.i18n import _, set_language

__all__ = ["_", "set_language"]
