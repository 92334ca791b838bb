"""A viewer's incident page and list show what the public level promises: the place rounded
to 0.1° and shown as a district, no locality, no testimony; a reviewer's show the record as
entered."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.test_reading_level import LOCALITY, TESTIMONY, _verified
from tests.ui.conftest import no_exceptions, texts

INCIDENT = "app_pages/incident.py"
INCIDENTS = "app_pages/incidents.py"


def _everything(at: AppTest) -> str:
    """The page's text and every table's cells."""
    tables = [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join([texts(at), *tables])


def test_a_viewers_incident_page_holds_neither_exact_place_nor_locality(app, engine, users):
    ref = _verified(engine, users)
    page = _everything(no_exceptions(app.open("vera", INCIDENT, ref=ref)))
    assert "32.6, 44.0" in page
    assert "Example News report" in page  # the tables are really read
    for hidden in ("32.615", "44.025", LOCALITY, TESTIMONY):
        assert hidden not in page, hidden


def test_a_viewers_list_holds_no_locality(app, engine, users):
    ref = _verified(engine, users)
    page = _everything(no_exceptions(app.open("vera", INCIDENTS)))
    assert ref in page
    assert LOCALITY not in page


def test_a_reviewers_incident_page_shows_the_exact_place(app, engine, users):
    ref = _verified(engine, users)
    page = _everything(no_exceptions(app.open("rana", INCIDENT, ref=ref)))
    for shown in ("32.615, 44.025", LOCALITY, TESTIMONY):
        assert shown in page, shown
