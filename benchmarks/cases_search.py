"""Case 4: search and the pages people wait for.

Search: ten queries (Latin and Arabic script, one and two words, words the demo data
holds) through `list_incidents`, as a reviewer (every name) and as a viewer (the names
anyone may see, published records only), each several times; the p95 of all of them.
Pages: a whole AppTest run of the Incidents page (first page, and a page filtered by
governorate and a word) and of an incident's page, at N incidents vs a small database.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from benchmarks.harness import ROOT, Row, timed

QUERIES = ("killing", "gunmen", "basrah", "killing basrah", "detention ninawa",
           "البصرة", "نينوى", "القمراوي", "البصرة القمراوي", "بغداد زردان")


def _principals(engine) -> dict:
    from records.db import read_session
    from records.services.users import get_user, principal_of

    with read_session(engine) as session:
        return {name: principal_of(get_user(session, name))
                for name in ("bench_reviewer", "bench_viewer", "bench_admin")}


def search_row(engine_name: str, url: str, size: int, repeat: int) -> list[Row]:
    from records.db import make_engine, read_session
    from records.services.incidents import IncidentFilter, list_incidents

    engine = make_engine(url)
    people = _principals(engine)
    times: list[float] = []
    cpu: list[float] = []
    for words in QUERIES:
        for name in ("bench_reviewer", "bench_viewer"):
            def run(words=words, by=people[name]):
                started = time.process_time()
                with read_session(engine) as session:
                    list_incidents(session, by=by, filters=IncidentFilter(text=words),
                                   page_size=50)
                cpu.append(time.process_time() - started)
            run()  # warm, not counted
            cpu.pop()
            times += timed(run, repeat, warm=False)
    engine.dispose()
    # CPU time too: on a machine shared with other work the wall time says more about
    # the neighbours than about the query (SQLite runs in this process).
    return [Row("search, first page of 50 (10 queries × 2 roles)", engine_name, size, times,
                unit="ms", p95=True, target=0.050, target_text="p95 ≤ 50 ms"),
            Row("search, CPU time of the same", engine_name, size, cpu, unit="ms", p95=True,
                note="SQLite: all of it; PostgreSQL: this side only")]


def _app(url: str, work: Path):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["SIJIL_DATABASE_URL"] = url
    os.environ["SIJIL_FILES_DIR"] = str(work / "files")
    st.cache_resource.clear()
    return AppTest.from_file(str(ROOT / "ui" / "app.py"), default_timeout=300)


def page_times(url: str, work: Path, repeat: int) -> dict[str, list[float]]:
    """Seconds of whole AppTest runs of each page, as a reviewer."""
    from records.db import make_engine, read_session
    from records.services.incidents import list_incidents
    from ui import state

    engine = make_engine(url)
    reviewer = _principals(engine)["bench_reviewer"]
    with read_session(engine) as session:
        ref = list_incidents(session, by=reviewer, page_size=1).items[0].ref
    engine.dispose()
    out = {}
    for label, page, filters, query in (
            ("Incidents page, first page", "app_pages/incidents.py", {}, {}),
            ("Incidents page, filtered", "app_pages/incidents.py",
             {"admin1": "IQ-BG", "text": "killing"}, {}),
            ("incident page", "app_pages/incident.py", {}, {"ref": ref})):
        at = _app(url, work)
        at.session_state[state.PRINCIPAL] = reviewer
        at.run()
        at.session_state[state.INCIDENT_FILTERS] = dict(filters)
        at.query_params.update(query)
        at.switch_page(page)

        def run(at=at, page=page):
            at.run()
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception[0].message}")

        out[label] = timed(run, repeat)
    return out


def page_rows(engine_name: str, url: str, size: int, small_url: str, small: int,
              work: Path, repeat: int) -> list[Row]:
    large = page_times(url, work, repeat)
    base = page_times(small_url, work, repeat)
    return [Row(label, engine_name, size, runs, unit="ms",
                baseline=f"same at {small:,}", baseline_runs=base[label], target=1.3,
                target_text="ratio ≤ 1.3") for label, runs in large.items()]
