"""The process-wide engine and the logged-in principal."""

from __future__ import annotations

import streamlit as st
from sqlalchemy import Engine

from records.config import get_settings
from records.db import make_engine, read_session, unit_of_work
from records.services.access import Principal
from records.services.setup import prepare_database
from ui import state

__all__ = ["get_engine", "principal", "read_session", "unit_of_work"]


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    engine = make_engine(url)
    prepare_database(engine)
    return engine


def get_engine() -> Engine:
    """One engine per process and database URL, migrated and seeded on first use."""
    return _engine(get_settings().database_url)


def principal() -> Principal:
    """The logged-in user; pages only run after app.py has checked there is one."""
    return st.session_state[state.PRINCIPAL]
