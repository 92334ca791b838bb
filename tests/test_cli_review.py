"""sijil review list and sijil review submit|verify|return|publish|archive, run as a user
would run them: the same rules as the Review queue page, one line on a refusal."""

from __future__ import annotations

import datetime as dt
import random
import re

from records.db import read_session, unit_of_work
from records.models.incident_io import IncidentCreate
from records.services.incidents import create_incident, create_incidents, get_incident
from records.services.review import submit_incident
from tests.factories import incident_data

LINE = re.compile(r"(INC-\d{4}-\d{5})\t(\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)\t(\w+)\t(.*)")


def _drafts(engine, by, *titles) -> list[str]:
    with unit_of_work(engine) as session:
        return [create_incident(session, incident_data(title=t), by=by).ref for t in titles]


def _submit(engine, by, refs) -> None:
    with unit_of_work(engine) as session:
        for ref in refs:
            version = get_incident(session, ref, by=by).version
            submit_incident(session, ref, by=by, expected_version=version)


def _status(engine, ref, by) -> str:
    with read_session(engine) as session:
        return get_incident(session, ref, by=by).status


def _refused(done) -> str:
    """The one line a refusal prints, after checking it is one line and exit 1."""
    assert done.returncode == 1, done.stdout
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sijil: "), done.stderr
    return lines[0]


def test_list_prints_ref_time_submitter_title_oldest_submitted_first(engine, users, sijil):
    first, second, third = _drafts(engine, users["carla"], "Raid on the office",
                                   "Threats\tby phone", "Abduction near the market")
    _submit(engine, users["carla"], [third, first])
    _submit(engine, users["rana"], [second])
    done = sijil(engine, "review", "list", "--as", "ravi")
    assert (done.returncode, done.stderr) == (0, "")
    rows = [LINE.fullmatch(line).groups() for line in done.stdout.splitlines()]
    assert [(ref, who, title) for ref, _at, who, title in rows] == [
        (third, "carla", "Abduction near the market"),
        (first, "carla", "Raid on the office"),
        (second, "rana", "Threats by phone")]
    times = [dt.datetime.strptime(at, "%Y-%m-%d %H:%M:%SZ") for _ref, at, _w, _t in rows]
    assert times == sorted(times)


def test_list_pages_with_limit_and_after(engine, users, sijil_process):
    refs = _drafts(engine, users["carla"], *(f"Incident {n}" for n in range(5)))
    _submit(engine, users["carla"], refs)
    pages, after = [], []
    while True:
        done = sijil_process(engine, "review", "list", "--limit", "2", "--as", "rana", *after)
        assert done.returncode == 0
        pages.append([line.split("\t")[0] for line in done.stdout.splitlines()])
        if not done.stderr:
            break
        cursor = re.fullmatch(r"\(more waiting: continue with --after (\S+)\)\n",
                              done.stderr).group(1)
        after = ["--after", cursor]
    assert pages == [refs[0:2], refs[2:4], refs[4:5]]
    bad = sijil_process(engine, "review", "list", "--after", "yesterday", "--as", "rana")
    assert _refused(bad) == ("sijil: after: 'yesterday' is not a position in the review "
                             "queue")


def test_the_whole_workflow_from_the_command_line(engine, users, sijil):
    (ref,) = _drafts(engine, users["carla"], "Detention of a lawyer")
    done = sijil(engine, "review", "submit", ref, "--as", "carla")
    assert (done.returncode, done.stdout) == (0, f"{ref} is submitted (version 2)\n")
    done = sijil(engine, "review", "return", ref, "--as", "rana", "--note", "Name the court.")
    assert done.stdout == f"{ref} is returned (version 3)\n"
    with read_session(engine) as session:
        comments = get_incident(session, ref, by=users["carla"]).comments
    assert [(c.author, c.body) for c in comments] == [("rana", "Name the court.")]
    for step, who, status in [("submit", "carla", "submitted"), ("verify", "rana", "verified"),
                              ("publish", "ravi", "published")]:
        done = sijil(engine, "review", step, ref, "--as", who)
        assert (done.returncode, done.stderr) == (0, ""), (step, done.stderr)
        assert done.stdout.startswith(f"{ref} is {status} ")
    done = sijil(engine, "review", "archive", ref, "--as", "admin", "--note", "duplicate")
    assert done.stdout.startswith(f"{ref} is archived ")
    assert _status(engine, ref, users["admin"]) == "archived"


def test_refusals_are_one_line_and_change_nothing(engine, users, sijil):
    mine, theirs = _drafts(engine, users["rana"], "Reviewer's own record", "Another record")
    _submit(engine, users["rana"], [mine])
    expected = {
        # Four eyes: the submitter, and the system (no --as), never verify.
        ("verify", mine, "--as", "rana"): f"sijil: Four-eyes rule: you last edited or "
                                          f"submitted {mine}, so another reviewer must "
                                          "verify it.",
        ("verify", mine): f"sijil: Four-eyes rule: {mine} must be verified by a named "
                          "reviewer who did not edit or submit it, not by the system.",
        ("verify", theirs, "--as", "ravi"): f"sijil: {theirs} cannot be verified now: "
                                            "its status is Draft.",
        ("publish", mine, "--as", "carla"): "sijil: carla (Caseworker) may not publish "
                                            "incidents: it needs the Reviewer role.",
        ("submit", theirs, "--as", "vera"): f"sijil: no incident {theirs}",
        ("verify", "INC-2020-09999", "--as", "ravi"): "sijil: no incident INC-2020-09999",
        ("return", mine, "--as", "ravi"): "sijil: review return needs --note: say what "
                                          "needs to change",
        ("archive", mine, "--as", "ravi", "--note", "dup"): "sijil: ravi (Reviewer) may not "
                                                           "archive incidents: it needs the "
                                                           "Administrator role.",
    }
    for args, message in expected.items():
        assert _refused(sijil(engine, "review", *args)) == message, args
    assert _status(engine, mine, users["rana"]) == "submitted"
    assert _status(engine, theirs, users["rana"]) == "draft"


def test_a_thousand_submitted_incidents_are_listed_oldest_submitted_first(engine, users,
                                                                          sijil):
    carla = users["carla"]
    refs = [f"INC-2020-{n:05d}" for n in range(1, 1001)]
    submitted_order = refs[:]
    random.Random(7).shuffle(submitted_order)
    with unit_of_work(engine) as session:
        create_incidents(session, (IncidentCreate(
            ref=ref, title=f"Incident {ref}", incident_type="threat",
            start_date=dt.date(2020, 1, 1)) for ref in refs), by=carla)
        for ref in submitted_order:
            # Each draft is at version 1: created once, never edited.
            submit_incident(session, ref, by=carla, expected_version=1)
    done = sijil(engine, "review", "list", "--as", "rana")
    assert (done.returncode, done.stderr) == (0, "")
    assert [line.split("\t")[0] for line in done.stdout.splitlines()] == submitted_order
