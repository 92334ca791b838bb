"""The Export page's report settings and presets, and the Reported figures page."""

from __future__ import annotations

import datetime as dt

from records.db import read_session, unit_of_work
from records.services.incidents import create_incident
from records.services.reports import (
    PresetSettings,
    add_reported_figure,
    list_presets,
    list_reported_figures,
    save_preset,
)
from tests.factories import incident_data
from tests.test_export_data import seed_dated
from tests.ui.conftest import button, no_exceptions, texts
from tests.ui.test_import_export_pages import EXPORT_PAGE, browser  # noqa: F401 - fixture
from ui import downloads
from ui.components.report_files import CASE_SHEET_DOWNLOAD
from ui.state import EXPORT_DOWNLOAD, LANGUAGE

FIGURES_PAGE = "app_pages/reported_figures.py"
INCIDENT_PAGE = "app_pages/incident.py"


def test_a_preset_fills_the_report_settings_and_the_report_uses_them(app, engine, users,
                                                                     browser):  # noqa: F811
    seed_dated(engine, users)
    with unit_of_work(engine) as session:
        save_preset(session, "Karbala", PresetSettings(
            title="Attacks on defenders in Karbala", organisation="Iraqi Observatory",
            since=dt.date(2019, 1, 1), until=dt.date(2021, 12, 31),
            filters={"admin1": "IQ-KA"}), by=users["admin"])
    at = no_exceptions(app.open("vera", EXPORT_PAGE))
    assert not [s for s in at.selectbox if s.key == "export_preset"]
    at.selectbox(key="export_format").set_value("report-html")
    at = no_exceptions(at.run())
    assert at.selectbox(key="export_preset").options == ["— none —", "Karbala"]
    assert "Save as preset" not in [b.label for b in at.button]  # admins only
    at.selectbox(key="export_preset").set_value("Karbala")
    at = no_exceptions(at.run())
    assert at.text_input(key="export_title").value == "Attacks on defenders in Karbala"
    assert at.text_input(key="export_organisation").value == "Iraqi Observatory"
    assert at.date_input(key="export_since").value == dt.date(2019, 1, 1)
    assert at.selectbox(key="export_admin1").value == "IQ-KA"
    at.text_input(key="export_subtitle").set_value("Killings and attempts")
    button(at, "Export").click()
    at = no_exceptions(at.run())
    download = at.session_state[EXPORT_DOWNLOAD]
    html = downloads.offered(download.token, browser).data.decode("utf-8")
    for words in ("Attacks on defenders in Karbala", "Iraqi Observatory",
                  "Killings and attempts"):
        assert words in html


def test_an_admin_saves_the_settings_as_a_preset(app, engine, users, browser):  # noqa: F811
    at = no_exceptions(app.open("admin", EXPORT_PAGE))
    at.selectbox(key="export_format").set_value("report-pdf")
    at = no_exceptions(at.run())
    at.text_input(key="export_title").set_value("Monthly report")
    at.text_input(key="export_organisation").set_value("Iraqi Observatory")
    at.number_input(key="export_last_months").set_value(6)
    at.selectbox(key="export_report_language").set_value("ckb")
    at.text_input(key="export_preset_name").set_value("Monthly")
    button(at, "Save as preset").click()
    at = no_exceptions(at.run())
    assert "The preset Monthly was saved." in texts(at)
    assert at.selectbox(key="export_preset").value == "Monthly"
    with read_session(engine) as session:
        [preset] = list_presets(session, by=users["vera"])
    assert (preset.name, preset.title, preset.organisation, preset.last_months,
            preset.language, preset.since) == ("Monthly", "Monthly report",
                                               "Iraqi Observatory", 6, "ckb", None)
    assert preset.filters == {"statuses": ["verified", "published"]}


def test_caseworkers_add_reported_figures_and_viewers_read_them(app, engine, users):
    with unit_of_work(engine) as session:
        add_reported_figure(session, {"metric": "killed", "value": 30, "qualifier": "over",
                                      "period_start": "2019-10-01", "source_name": "UNAMI"},
                            by=users["carla"])
    viewer = no_exceptions(app.open("vera", FIGURES_PAGE))
    assert "Add a reported figure" not in texts(viewer)
    [table] = viewer.dataframe
    assert table.value.iloc[0].tolist()[:3] == [1, "Killed", "over 30"]
    at = no_exceptions(app.open("carla", FIGURES_PAGE))
    at.selectbox(key="figure_metric").set_value("attempted_killing")
    at.selectbox(key="figure_qualifier").set_value("at_least")
    at.number_input(key="figure_value").set_value(70)
    at.text_input(key="figure_source").set_value("")
    button(at, "Add figure").click()
    at = no_exceptions(at.run())
    assert "• source_name: a value is required" in texts(at)
    at.text_input(key="figure_source").set_value("IHCHR")
    at.selectbox(key="figure_admin1").set_value("IQ-KA")
    button(at, "Add figure").click()
    at = no_exceptions(at.run())
    assert "The figure was added." in texts(at)
    with read_session(engine) as session:
        added = list_reported_figures(session, by=users["vera"])[1]
    assert (added.metric, added.qualifier, added.value, added.source_name, added.admin1) == (
        "attempted_killing", "at_least", 70, "IHCHR", "IQ-KA")


def test_the_incident_page_offers_its_case_sheet(app, engine, users, browser):  # noqa: F811
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
    at = no_exceptions(app.open("carla", INCIDENT_PAGE, ref=ref))
    button(at, "Case sheet (PDF)").click()
    at = no_exceptions(at.run())
    ref_shown, file_name, token = at.session_state[CASE_SHEET_DOWNLOAD]
    assert (ref_shown, file_name) == (ref, f"{ref}.pdf")
    offered = downloads.offered(token, browser)
    assert offered.mime == "application/pdf" and offered.data.startswith(b"%PDF-")
    assert any(f'href="/download/{token}"' in e.proto.body for e in at.get("html"))


def test_the_figures_page_runs_in_arabic(app, engine, users):
    with unit_of_work(engine) as session:
        add_reported_figure(session, {"metric": "killed", "value": 30, "qualifier": "over",
                                      "source_name": "UNAMI"}, by=users["carla"])
    at = app.session("carla")
    at.session_state[LANGUAGE] = "ar"
    at.run()
    at.switch_page(FIGURES_PAGE)
    at = no_exceptions(at.run())
    assert at.dataframe[0].value.shape[0] == 1
