"""The import and export pages: preview, all-or-nothing import, redacted downloads."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import select

from records.db import read_session
from records.models import Incident
from tests.test_export_data import PUBLIC_NAME, SECRETS, seed_sensitive
from tests.ui.conftest import button, no_exceptions, shown, texts
from ui import downloads
from ui.components.import_export import safe_name
from ui.state import EXPORT_DOWNLOAD

IMPORT_PAGE = "app_pages/import_page.py"
EXPORT_PAGE = "app_pages/export_page.py"
# The `sijil_client` cookie a browser would bring (AppTest has no browser to send one).
CLIENT = "B" * 43
OTHER_CLIENT = "C" * 43
HEADER = ["incident_ref", "title", "incident_type", "start_date", "admin1", "status",
          "victim_name", "victim_outcome", "victim_consent"]


def _csv(*rows: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for n, changes in enumerate(rows, start=1):
        values = {"incident_ref": f"INC-2019-{n:05d}", "title": f"Imported incident {n}",
                  "incident_type": "killing", "start_date": "2019-10-25", "admin1": "IQ-BG",
                  "status": "verified", "victim_name": f"Imported victim {n}",
                  "victim_outcome": "killed", "victim_consent": "no", **changes}
        writer.writerow([values[c] for c in HEADER])
    return out.getvalue().encode()


@pytest.fixture
def browser(monkeypatch) -> str:
    """The export page runs as if served by ui/server.py to a browser with this cookie."""
    monkeypatch.setattr(downloads, "client_id", lambda: CLIENT)
    return CLIENT


def _links(at) -> list[str]:
    return [e.proto.body for e in at.get("html") if "<a " in e.proto.body]


def _incidents(engine) -> dict[str, str]:
    with read_session(engine) as session:
        return dict(session.exec(select(Incident.ref, Incident.status)).all())


def _upload(at, name: str, data: bytes):
    at.file_uploader[0].set_value((name, data, "text/csv"))
    return no_exceptions(at.run())


def test_a_caseworker_imports_a_valid_file_after_seeing_the_preview(app, engine):
    at = no_exceptions(app.open("carla", IMPORT_PAGE))
    at = _upload(at, "legacy.csv", _csv({}, {"title": "اغتيال ناشط في كربلاء"}))
    assert [m.value for m in at.metric] == ["2", "2", "0"]
    sample = at.dataframe[0].value
    assert list(sample["Ref"]) == ["INC-2019-00001", "INC-2019-00002"]
    assert list(sample["Title"]) == ["Imported incident 1", "اغتيال ناشط في كربلاء"]
    assert _incidents(engine) == {}

    assert not button(at, "Import").disabled
    button(at, "Import").click()
    at = no_exceptions(at.run())
    assert ("Imported 2 incidents from legacy.csv: INC-2019-00001, INC-2019-00002. "
            "2 held for review: the file's status is kept as provenance, and someone other "
            "than the importer verifies them here.") in texts(at)
    # The file calls them verified: an import verifies nothing, so they wait for review.
    assert _incidents(engine) == {"INC-2019-00001": "submitted",
                                  "INC-2019-00002": "submitted"}
    assert at.file_uploader[0].value is None


def test_the_same_file_again_is_shown_as_already_present(app, engine):
    data = _csv({})
    at = _upload(no_exceptions(app.open("carla", IMPORT_PAGE)), "first.csv", data)
    button(at, "Import").click()
    at = no_exceptions(at.run())
    at = _upload(at, "again.csv", data)
    assert [m.value for m in at.metric] == ["0", "0", "1"]
    assert list(at.dataframe[-1].value["Ref"]) == ["INC-2019-00001"]
    assert "Nothing new to import" in texts(at)
    assert button(at, "Import").disabled


def test_bad_rows_are_listed_and_the_import_button_stays_disabled(app, engine):
    at = no_exceptions(app.open("carla", IMPORT_PAGE))
    at = _upload(at, "bad.csv", _csv({}, {"incident_type": "massacre"},
                                      {"start_date": "2019-02-30"}))
    assert "2 problems found. Nothing can be imported" in texts(at)
    table = at.dataframe[0].value
    assert list(table["Row"]) == ["3", "4"]
    assert list(table["Column"]) == ["incident_type", "start_date"]
    assert list(table["Value"]) == ["massacre", "2019-02-30"]
    assert table["Reason"][0].startswith("'massacre' is not a known code")
    assert table["Reason"][1] == "not a valid date"
    assert button(at, "Import").disabled
    assert not at.metric
    assert _incidents(engine) == {}


def test_a_viewer_downloads_a_public_csv_without_unconsented_names(app, engine, users,
                                                                   browser):
    refs = seed_sensitive(engine, users)
    at = no_exceptions(app.open("vera", EXPORT_PAGE))
    assert at.multiselect(key="export_statuses").value == ["verified", "published"]
    button(at, "Export").click()
    at = no_exceptions(at.run())
    download = at.session_state[EXPORT_DOWNLOAD]
    assert download.file_name.startswith("sijil-public-")
    assert download.file_name.endswith(".csv")
    offered = downloads.offered(download.token, CLIENT)
    assert (offered.file_name, offered.mime) == (download.file_name, "text/csv")
    content = offered.data.decode("utf-8")
    assert refs["published"] in content
    assert PUBLIC_NAME in content
    leaked = {what: secret for what, secret in SECRETS.items() if secret in content}
    assert leaked == {}
    assert download.incidents == 1
    assert "1 incident, 2 rows exported at the Public level." in texts(at)
    assert "The link works for 5 minutes, and only in this browser." in texts(at)
    assert [c.value for c in at.code] == [download.sha256]
    # A link to the guarded route, never Streamlit's download button (served at /media/).
    assert not at.download_button
    [link] = _links(at)
    assert f'href="/download/{download.token}"' in link
    assert f'download="{download.file_name}"' in link
    assert "/media/" not in link


def test_an_offer_serves_only_its_browser_and_only_for_five_minutes(app, engine, users,
                                                                    browser, monkeypatch):
    token = downloads.offer(CLIENT, b"contact", "sijil-internal-x.csv", "text/csv", now=100.0)
    assert downloads.offered(token, CLIENT, now=100.0 + 299).data == b"contact"
    assert downloads.offered(token, OTHER_CLIENT, now=100.0) is None
    assert downloads.offered(token, None, now=100.0) is None
    assert downloads.offered(token, "not a cookie", now=100.0) is None
    assert downloads.offered("guessed", CLIENT, now=100.0) is None
    assert downloads.offered(token, CLIENT, now=100.0 + 300) is None
    # A browser's next export replaces its previous file.
    first = downloads.offer(CLIENT, b"one", "a.csv", "text/csv")
    second = downloads.offer(CLIENT, b"two", "b.csv", "text/csv")
    assert downloads.offered(first, CLIENT) is None
    assert downloads.offered(second, CLIENT).data == b"two"

    # The page says so once the link has expired.
    seed_sensitive(engine, users)
    at = no_exceptions(app.open("vera", EXPORT_PAGE))
    button(at, "Export").click()
    at = no_exceptions(at.run())
    later = downloads.time.monotonic() + downloads.LIFETIME_SECONDS + 1
    monkeypatch.setattr(downloads.time, "monotonic", lambda: later)
    at = no_exceptions(at.run())
    assert ("The download link has expired (a link lasts 5 minutes, and a newer export from "
            "this browser replaces it). Export again to get the file.") in texts(at)
    assert not _links(at)


def test_without_the_sijil_server_nothing_is_exported(app, engine, users):
    seed_sensitive(engine, users)
    at = no_exceptions(app.open("rana", EXPORT_PAGE))
    assert "The workspace must be started with sijil ui (or make run)" in texts(at)
    assert button(at, "Export").disabled


def test_levels_follow_the_role(app):
    viewer = no_exceptions(app.open("vera", EXPORT_PAGE))
    assert viewer.selectbox(key="export_level").options == ["Public"]
    assert "Verified and published incidents only" in texts(viewer)
    caseworker = no_exceptions(app.open("carla", EXPORT_PAGE))
    assert caseworker.selectbox(key="export_level").options == ["Public", "Partner"]
    reviewer = no_exceptions(app.open("rana", EXPORT_PAGE))
    assert reviewer.selectbox(key="export_level").options == ["Public", "Partner", "Internal"]
    reviewer.selectbox(key="export_level").set_value("internal")
    assert "unconsented names" in texts(no_exceptions(reviewer.run()))


def test_a_viewer_has_no_import_page(app):
    viewer = no_exceptions(app.open("vera"))
    with pytest.raises(ValueError):
        viewer.switch_page(IMPORT_PAGE)


def test_uploaded_names_lose_their_folders_and_odd_characters():
    assert safe_name("../../etc/passwd.csv") == "passwd.csv"
    assert safe_name("C:\\Users\\x\\Report 2019.XLSX") == "Report 2019.xlsx"
    assert safe_name("a<b>|c.json") == "a_b_c.json"
    assert safe_name(".zip") == "upload.zip"


def test_a_missing_pdf_library_is_shown_plainly_and_nothing_is_offered(app, monkeypatch,
                                                                       browser):
    from records.services.reports import pdf as reports_pdf

    def missing() -> None:
        raise reports_pdf.ReportDependencyMissing(
            "the PDF report needs fpdf2 (Arabic text shaping): pip install fpdf2")

    monkeypatch.setattr(reports_pdf, "check_pdf_dependencies", missing)
    at = no_exceptions(app.open("vera", EXPORT_PAGE))
    at.selectbox(key="export_format").set_value("report-pdf")
    button(at, "Export").click()
    at = no_exceptions(at.run())
    assert [shown(e.value) for e in at.error] == [
        "the PDF report needs fpdf2 (Arabic text shaping): pip install fpdf2"]
    assert not at.download_button and not _links(at)
    assert EXPORT_DOWNLOAD not in at.session_state
