"""`sijil demo` as a user runs it, on the test database (the first and last test in a new
process, the others in this one: tests/cli_runner.py)."""

from __future__ import annotations

from sqlmodel import func, select

from records.db import read_session
from records.models import AppUser, Incident


def test_demo_adds_incidents_and_prints_one_summary_line(engine, sijil_process):
    result = sijil_process(engine, "demo", "--incidents", "12", "--seed", "4")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("added 12 demo incidents (seed 4; ")
    assert "Traceback" not in result.stderr
    with read_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Incident)).one() == 12
        creators = set(session.exec(
            select(AppUser.username).join(Incident, Incident.created_by_id == AppUser.id)
        ).all())
    assert creators <= {"demo_caseworker_1", "demo_caseworker_2"}


def test_demo_as_an_admin_works_and_as_a_viewer_is_refused(engine, sijil):
    assert sijil(engine, "demo", "--incidents", "3", "--as", "admin").returncode == 0
    refused = sijil(engine, "demo", "--incidents", "3", "--as", "vera")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "sijil: vera (Viewer) may not load demo data: it needs the Administrator role.")


def test_demo_refuses_a_count_out_of_range(engine, sijil):
    result = sijil(engine, "demo", "--incidents", "0")
    assert result.returncode == 1
    assert result.stderr.strip() == "sijil: incidents: give a number from 1 to 500000"


def test_demo_with_a_count_that_is_not_a_number_is_a_usage_error(engine, sijil_process):
    result = sijil_process(engine, "demo", "--incidents", "many")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
