"""A viewer's incident page shows no withheld name, not even in the free text of a follow-up
event, the narrative or a perpetrator's basis, in Arabic or in a transliteration; a
reviewer's page shows the text as written."""

from __future__ import annotations

from tests.test_withheld_text import folded_hits, seed_commander
from tests.ui.conftest import no_exceptions, texts

INCIDENT = "app_pages/incident.py"


def _everything(at) -> str:
    """The page's text and every cell of its tables."""
    cells = [d.value.to_string() for d in at.dataframe] + [
        t.value.to_string() for t in at.table]
    return "\n".join([texts(at), *cells])


def test_a_viewer_page_holds_no_withheld_name(app, engine, users):
    ref = seed_commander(engine, users)
    viewer = _everything(no_exceptions(app.open("vera", INCIDENT, ref=ref)))
    assert folded_hits(viewer) == []
    assert "Name withheld" in viewer and "[name withheld]" in viewer
    reviewer = _everything(no_exceptions(app.open("rana", INCIDENT, ref=ref)))
    assert "Aly Hasan Tikriti" in reviewer and "Abu Hamza" in reviewer
