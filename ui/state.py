"""Every session-state key the UI uses, named in one place.

Widget keys are built by the helpers below (prefix + record + field), so two forms never
share a key and a page can clear its own form by prefix."""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

PRINCIPAL = "sijil_principal"
LAST_SEEN = "sijil_last_seen"
SESSION_TOKEN = "sijil_session_token"  # noqa: S105 - the key's name, not a secret
SESSION_TOUCHED = "sijil_session_touched"
EXPIRED = "sijil_session_expired"
FLASH = "sijil_flash"
FLASH_WARNING = "sijil_flash_warning"
NEW_DRAFT = "sijil_new_incident_draft"
NEW_PARTS = "sijil_new_incident_parts"
INCIDENT_FILTERS = "sijil_incident_filters"
INCIDENT_PAGE = "sijil_incident_page"
AUDIT_FILTERS = "sijil_audit_filters"
AUDIT_PAGE = "sijil_audit_page"
CHAIN_RESULT = "sijil_chain_result"
LANGUAGE = "sijil_language"
LANGUAGE_PICKED = "sijil_language_picked"  # chosen on the log-in page, stored at log-in
LANGUAGE_OF = "sijil_language_of"  # the user whose stored language this session adopted
FIELD_ERRORS = "sijil_field_errors"
OPENED_VERSION = "sijil_opened_version"
EDITING = "sijil_editing"
DUPLICATES = "sijil_duplicates"
IMPORT_PREVIEW = "sijil_import_preview"
IMPORT_ROUND = "sijil_import_round"
EXPORT_DOWNLOAD = "sijil_export_download"
EVIDENCE_DOWNLOAD = "sijil_evidence_download"

# Sessions left idle this long are logged out: shared office computers are common.
IDLE_TIMEOUT_SECONDS = 30 * 60

PART_NAMES = ("victims", "perpetrators", "citations", "case_events")


def widget_key(form: str, field: str) -> str:
    return f"w_{form}_{field}"


def seed(form: str, values: dict[str, Any]) -> None:
    """Give a form's widgets their starting values, once: later runs keep what was typed."""
    for field, value in values.items():
        key = widget_key(form, field)
        if key not in st.session_state:
            st.session_state[key] = value


def clear_form(form: str) -> None:
    prefix = widget_key(form, "")
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]
    errors = st.session_state.get(FIELD_ERRORS, {})
    errors.pop(form, None)


def form_values(form: str, fields) -> dict[str, Any]:
    return {f: st.session_state.get(widget_key(form, f)) for f in fields}


def touch() -> None:
    st.session_state[LAST_SEEN] = time.monotonic()


def is_idle() -> bool:
    last = st.session_state.get(LAST_SEEN)
    return last is not None and time.monotonic() - last > IDLE_TIMEOUT_SECONDS


def flash(message: str, kind: str = "success") -> None:
    """A message to show once, after the rerun that follows a successful write."""
    st.session_state[FLASH] = (kind, message)


def pop_flash() -> tuple[str, str] | None:
    return st.session_state.pop(FLASH, None)


def flash_warning(message: str) -> None:
    """A warning to show once after the next rerun, beside the flashed message."""
    st.session_state[FLASH_WARNING] = message


def pop_flash_warning() -> str | None:
    return st.session_state.pop(FLASH_WARNING, None)


def opened_version(ref: str, current: int) -> int:
    """The version of `ref` the user started from; saves send it so a stale save is refused."""
    versions = st.session_state.setdefault(OPENED_VERSION, {})
    return versions.setdefault(ref, current)


def set_opened_version(ref: str, version: int | None) -> None:
    versions = st.session_state.setdefault(OPENED_VERSION, {})
    if version is None:
        versions.pop(ref, None)
    else:
        versions[ref] = version


def is_editing(ref: str) -> bool:
    """Whether this session has the Details form of `ref` open (its "Edit" was pressed)."""
    return ref in st.session_state.get(EDITING, set())


def set_editing(ref: str, editing: bool) -> None:
    refs = st.session_state.setdefault(EDITING, set())
    if editing:
        refs.add(ref)
    else:
        refs.discard(ref)
