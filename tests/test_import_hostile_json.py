"""A JSON file of any shape is answered with problems that name the place, never with a
traceback, and nothing is written."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from records.db import read_session, unit_of_work
from records.errors import ValidationError
from records.models import Incident
from records.services.exchange import import_file, preview_import

CASES = [
    ("null", ("(file)", None)),
    ("5", ("(file)", None)),
    ('[{"case_events": [1]}]', ("case_events.0", 1)),
    ('{"incidents": null}', ("(file)", None)),
    ('[{"victims": "abc"}]', ("victims", 1)),
    ('[{"victims": [1]}]', ("victims.0", 1)),
    ('[{"victims": [{"person": 5, "outcome": "killed"}]}]', ("victims.0.person", 1)),
    ('[{"perpetrators": [{"actor": "x"}]}]', ("perpetrators.0.actor", 1)),
    ('[{"case_events": [{"source": "x"}]}]', ("case_events.0.source", 1)),
    ('[{"case_events": "ab"}]', ("case_events", 1)),
    ("[" * 100_000 + "]" * 100_000, ("(file)", None)),
]


@pytest.mark.parametrize(("text", "first_problem"), CASES, ids=[c[0][:24] for c in CASES])
def test_a_json_file_of_another_shape_is_refused_naming_the_place(engine, users, tmp_path,
                                                                  text, first_problem):
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    try:
        with read_session(engine) as session:
            problems = preview_import(session, path, by=users["carla"]).problems
    except ValidationError as error:
        problems = error.problems
    assert (problems[0].field, problems[0].row) == first_problem
    with pytest.raises(ValidationError), unit_of_work(engine) as session:
        import_file(session, path, by=users["carla"])
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Incident)).one() == 0
