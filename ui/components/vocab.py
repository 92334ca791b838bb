"""Vocabulary codes and their labels, loaded once per page run."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from records.labels import role_name, status_name
from records.services.vocabularies import labels, list_terms
from records.vocabulary_seed import GOVERNORATE_VOCABULARY
from ui.components.db import get_engine, read_session
from ui.i18n import _, current_language

VOCABULARIES = ("incident_type", "method", "context", "victim_outcome", "profile",
                "actor_type", "source_kind", "case_event_kind", "custody_kind", "attribution",
                "date_precision", "geo_precision", GOVERNORATE_VOCABULARY)


@dataclass
class Vocab:
    codes: list[str]
    labels: dict[str, str]

    def label(self, code: str | None) -> str:
        if not code:
            return "—"
        return self.labels.get(code, code)


def load_vocabularies() -> dict[str, Vocab]:
    with read_session(get_engine()) as session:
        return {name: Vocab([t.code for t in list_terms(session, name)],
                            labels(session, name, current_language()))
                for name in VOCABULARIES}


def select(label: str, vocab: Vocab, key: str, *, optional: bool = False, **kwargs):
    """A select box of codes showing their labels; optional ones start with "—"."""
    options = ([""] if optional else []) + vocab.codes
    current = st.session_state.get(key)
    if current and current not in options:
        # A retired code still in use stays selectable so editing does not lose it.
        options.append(current)
    if key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = options[0]
    return st.selectbox(label, options, format_func=vocab.label, key=key, **kwargs)


def choice_label(value: str) -> str:
    return {"normal": _("Normal"), "restricted": _("Restricted"), "reported": _("Reported"),
            "corroborated": _("Corroborated"), "verified": _("Verified"),
            "female": _("Female"), "male": _("Male"), "other": _("Other"),
            "unknown": _("Unknown")}.get(value, value)


def role_label(role: str) -> str:
    return role_name(role)


STATUSES = ("draft", "submitted", "returned", "verified", "published", "archived")


def status_label(status: str) -> str:
    return status_name(status)
