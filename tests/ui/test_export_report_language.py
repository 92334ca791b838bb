"""The Export page offers the report in a language of its own, the session's by default."""

from __future__ import annotations

from tests.test_export_data import seed_dated
from tests.ui.conftest import button, no_exceptions
from tests.ui.test_import_export_pages import EXPORT_PAGE, browser  # noqa: F401 - fixture
from ui import downloads
from ui.state import EXPORT_DOWNLOAD


def test_the_report_is_written_in_the_language_chosen_for_it(app, engine, users, browser):  # noqa: F811
    seed_dated(engine, users)
    at = no_exceptions(app.open("vera", EXPORT_PAGE))
    assert not [s for s in at.selectbox if s.key == "export_report_language"]
    at.selectbox(key="export_format").set_value("report-html")
    at = no_exceptions(at.run())
    language = at.selectbox(key="export_report_language")
    assert language.value == "en"
    assert language.options == ["English", "العربية", "کوردی"]
    language.set_value("ar")
    button(at, "Export").click()
    at = no_exceptions(at.run())
    download = at.session_state[EXPORT_DOWNLOAD]
    html = downloads.offered(download.token, browser).data.decode("utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    assert "<td>كانون الأول 2019</td>" in html
