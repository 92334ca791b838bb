"""Report presets: admins manage them (audited), everyone who may export reads them, the
logo is checked by its content, the period "last N months" moves with the day, and
`sijil presets` / `sijil export --preset` round trips."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import subprocess

import pytest
from PIL import Image
from sqlmodel import select

from records.db import read_session, unit_of_work
from records.errors import NotFound, PermissionDenied, ValidationError
from records.models import AuditEntry, ReportPreset
from records.services.audit import verify_chain
from records.services.incidents import create_incident
from records.services.reports import (
    PresetSettings,
    delete_preset,
    get_preset,
    list_presets,
    preset_logo,
    rename_preset,
    save_preset,
)
from records.services.reports.presets import months_before
from tests.factories import incident_data

MONTHLY = PresetSettings(title="Attacks on defenders", organisation="Iraqi Observatory",
                         last_months=12, level="partner", language="ar",
                         filters={"statuses": ["verified", "published"], "admin1": "IQ-KA"})


def png(width: int = 40, height: int = 20) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(out, format="PNG")
    return out.getvalue()


def _save(engine, by, name="Monthly", settings=MONTHLY, **kw):
    with unit_of_work(engine) as session:
        return save_preset(session, name, settings, by=by, **kw)


def _refusal(engine, by, settings=MONTHLY, name="Monthly", **kw) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught, unit_of_work(engine) as session:
        save_preset(session, name, settings, by=by, **kw)
    return caught.value.by_field()


def test_months_before_keeps_the_day_or_the_months_last():
    assert months_before(dt.date(2026, 11, 29), 12) == dt.date(2025, 11, 29)
    assert months_before(dt.date(2021, 5, 31), 3) == dt.date(2021, 2, 28)
    assert months_before(dt.date(2020, 1, 15), 1) == dt.date(2019, 12, 15)


def test_an_admin_saves_and_everyone_reads_a_preset(engine, users):
    logo = png()
    saved = _save(engine, users["admin"], logo=logo)
    assert saved.logo_sha256 == hashlib.sha256(logo).hexdigest()
    with read_session(engine) as session:
        preset = get_preset(session, "Monthly", by=users["vera"])
        assert (preset.title, preset.organisation, preset.level, preset.language) == (
            "Attacks on defenders", "Iraqi Observatory", "partner", "ar")
        assert preset.filters == {"statuses": ["verified", "published"], "admin1": "IQ-KA"}
        assert preset.period(dt.date(2021, 6, 30)) == (dt.date(2020, 6, 30),
                                                       dt.date(2021, 6, 30))
        assert preset_logo(session, "Monthly", by=users["carla"]) == (logo, "image/png")
        assert [p.name for p in list_presets(session, by=users["vera"])] == ["Monthly"]


@pytest.mark.parametrize("who", ["vera", "carla", "rana"])
def test_only_admins_manage_presets(engine, users, who):
    _save(engine, users["admin"])
    by = users[who]
    for attempt in (lambda s: save_preset(s, "Other", MONTHLY, by=by),
                    lambda s: rename_preset(s, "Monthly", "Yearly", by=by),
                    lambda s: delete_preset(s, "Monthly", by=by)):
        with pytest.raises(PermissionDenied), unit_of_work(engine) as session:
            attempt(session)
    with read_session(engine) as session:
        assert [p.name for p in list_presets(session, by=by)] == ["Monthly"]


def test_bad_settings_are_named_and_nothing_is_written(engine, users):
    problems = _refusal(engine, users["admin"], PresetSettings(
        title="x" * 301, since=dt.date(2021, 1, 1), last_months=3, level="secret",
        language="fr", filters={"admin1": "IQ-ZZ", "colour": "red",
                                "statuses": ["draft", "lost"]}), name=" ")
    assert problems == {"name": "a value is required"}  # the name is checked first
    problems = _refusal(engine, users["admin"], PresetSettings(
        title="x" * 301, since=dt.date(2021, 1, 1), last_months=3, level="secret",
        language="fr", filters={"admin1": "IQ-ZZ", "colour": "red",
                                "statuses": ["draft", "lost"]}))
    assert set(problems) == {"title", "last_months", "level", "language", "filters.admin1",
                             "filters.colour", "filters.statuses"}
    assert problems["title"] == "at most 300 characters"
    assert problems["last_months"] == "give either the last N months or the dates, not both"
    assert problems["filters.statuses"].startswith("'lost' is not a status")
    assert _refusal(engine, users["admin"], PresetSettings(
        since=dt.date(2021, 2, 1), until=dt.date(2021, 1, 1))) == {
        "until": "the period ends before it starts"}
    with read_session(engine) as session:
        assert session.exec(select(ReportPreset)).all() == []


def test_a_logo_must_be_a_small_png_or_jpeg_by_its_content(engine, users):
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    assert _refusal(engine, users["admin"], logo=gif.getvalue()) == {
        "logo": "the logo must be a PNG or JPEG image (this file is image/gif)"}
    assert _refusal(engine, users["admin"], logo=b"<svg onload=alert(1)>") == {
        "logo": "the logo must be a PNG or JPEG image (this file is text/plain)"}
    assert _refusal(engine, users["admin"], logo=png()[:30]) == {
        "logo": "the logo image is damaged and cannot be read"}
    big = b"\x89PNG\r\n\x1a\n" + bytes(600 * 1024)
    assert _refusal(engine, users["admin"], logo=big) == {
        "logo": "the logo is 600 KB; at most 512 KB"}


def test_changes_are_audited_and_a_same_save_writes_nothing(engine, users):
    admin = users["admin"]
    first = _save(engine, admin)
    _save(engine, admin)  # unchanged
    _save(engine, admin, settings=PresetSettings(**{**MONTHLY.__dict__, "level": "public"}))
    with unit_of_work(engine) as session:
        rename_preset(session, "Monthly", "Karbala monthly", by=admin)
    with pytest.raises(ValidationError) as taken, unit_of_work(engine) as session:
        save_preset(session, "Other", MONTHLY, by=admin)
        rename_preset(session, "Other", "Karbala monthly", by=admin)
    assert taken.value.by_field() == {"name": "a preset named Karbala monthly exists already"}
    with unit_of_work(engine) as session:
        delete_preset(session, "Karbala monthly", by=admin)
    with read_session(engine) as session:
        entries = session.exec(select(AuditEntry).where(
            AuditEntry.entity_type == "report_preset").order_by(AuditEntry.seq)).all()
        assert [e.action for e in entries] == ["create", "update", "update", "delete"]
        assert {e.entity_id for e in entries} == {first.id}
        assert json.loads(entries[1].changes) == {"level": ["partner", "public"]}
        assert json.loads(entries[2].changes) == {"name": ["Monthly", "Karbala monthly"]}
        assert json.loads(entries[3].changes)["title"] == ["Attacks on defenders", None]
        assert verify_chain(session, by=admin).ok
        with pytest.raises(NotFound):
            get_preset(session, "Karbala monthly", by=admin)


def test_cli_save_list_and_export_with_the_preset(engine, users, sijil, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(png())
    saved = sijil(engine, "presets", "save", "Monthly", "--title", "Attacks on defenders",
                  "--organisation", "Iraqi Observatory", "--since", "2019-10-01",
                  "--until", "2021-12-31", "--logo", str(logo), "--as", "admin")
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout == "saved report preset Monthly (version 1)\n"
    listed = sijil(engine, "presets", "list", "--as", "vera")
    assert listed.stdout == ("Monthly\tAttacks on defenders\tIraqi Observatory\t"
                             "2019-10-01..2021-12-31\tpublic\ten\tlogo\n")
    out = tmp_path / "report.html"
    done = sijil(engine, "export", "--format", "report-html", "--preset", "Monthly",
                 "--subtitle", "Karbala and Baghdad", "--out", str(out), "--as", "vera")
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    for words in ("Attacks on defenders", "Iraqi Observatory", "Karbala and Baghdad"):
        assert words in html


def test_cli_case_sheet_of_one_incident(engine, users, sijil, tmp_path):
    with unit_of_work(engine) as session:
        ref = create_incident(session, incident_data(), by=users["carla"]).ref
    out = tmp_path / "case.pdf"
    done = sijil(engine, "export", "--format", "case-pdf", "--ref", ref.lower(),
                 "--out", str(out), "--as", "carla")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote the case sheet of {ref} to {out}\n"
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert ref in text
    assert "Shooting of a protest organiser near Tahrir Square" in text
    assert "partner level" in text  # the most a caseworker may export
