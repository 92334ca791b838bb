"""The Duplicates page tells a reviewer that a merge sends a verified or published incident
back to review, and a merge made there does so."""

from __future__ import annotations

from records.db import read_session
from records.services.incidents import get_incident
from tests.test_merge_four_eyes import INVENTED, _draft, _published
from tests.ui.conftest import button, no_exceptions, texts

SAID = ("A merge or undo sends each verified or published incident it changes back to "
        "review: another reviewer must verify it.")


def test_a_merge_on_the_page_sends_the_published_incident_to_review(app, engine, users):
    # The draft first: its person is the pair's first, the one kept.
    draft = _draft(engine, users["ravi"], "Threat to an activist (fictional)", INVENTED)
    published = _published(engine, users, "Killing of Qasim (fictional)",
                           "Invented Victim Qasem (fictional)")
    at = no_exceptions(app.open("ravi", "app_pages/duplicates.py"))
    assert SAID in texts(at)
    button(at, "Merge into the first").click()
    no_exceptions(at.run())
    with read_session(engine) as session:
        record = get_incident(session, published, by=users["ravi"])
        assert (record.status, record.last_edited_by) == ("submitted", "ravi")
        assert [v.person.full_name for v in record.victims] == [INVENTED]
        assert get_incident(session, draft, by=users["ravi"]).status == "draft"
