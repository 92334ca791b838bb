"""A link to a merged-away incident leads on to the incident it was merged into, and only
for someone who may see that incident."""

from __future__ import annotations

import pytest

from records.db import read_session, unit_of_work
from records.errors import NotFound
from records.services.incidents import create_incident, get_incident
from records.services.linkage import merge_records, unmerge
from tests.factories import incident_data


def _two(engine, users):
    with unit_of_work(engine) as session:
        kept = create_incident(session, incident_data(
            title="Killing of Ihab al-Wazni (fictional)"),
            by=users["chen"])
        merged = create_incident(session, incident_data(
            title="Activist shot in Karbala (fictional)"), by=users["chen"])
    return kept.ref, merged.ref


def _open(engine, ref, by) -> str:
    with read_session(engine) as session, pytest.raises(NotFound) as raised:
        get_incident(session, ref, by=by)
    return str(raised.value)


def test_a_merged_away_ref_names_the_kept_incident(engine, users):
    kept, merged = _two(engine, users)
    with unit_of_work(engine) as session:
        merge = merge_records(session, kept, merged, by=users["rana"])
    assert _open(engine, merged, users["carla"]) == (
        f"{merged} was merged into {kept}: open {kept}")
    assert _open(engine, merged.lower(), users["rana"]).endswith(f"open {kept}")
    # Undone: the incident is back under its own ref.
    with unit_of_work(engine) as session:
        unmerge(session, merge.id, by=users["rana"])
    with read_session(engine) as session:
        assert get_incident(session, merged, by=users["carla"]).ref == merged


def test_a_hidden_kept_incident_is_not_named(engine, users):
    """Both are drafts, which a viewer may not see: vera is told only that there is no
    such incident, as for any incident she may not see."""
    kept, merged = _two(engine, users)
    with unit_of_work(engine) as session:
        merge_records(session, kept, merged, by=users["rana"])
    assert _open(engine, merged, users["vera"]) == f"no incident {merged}"
    assert _open(engine, merged, users["rana"]) == (
        f"{merged} was merged into {kept}: open {kept}")
