"""New incident and the incident page: create, validate, submit, conflicts, safe text."""

from __future__ import annotations

import datetime as dt

from records.db import read_session, unit_of_work
from records.services.incidents import create_incident, get_incident, update_incident
from tests.factories import incident_data
from tests.ui.conftest import button, field, fill_incident, no_exceptions, shown, texts
from ui import state

NEW = "app_pages/new_incident.py"
INCIDENT = "app_pages/incident.py"


def _create(engine, by, **overrides):
    with unit_of_work(engine) as session:
        return create_incident(session, incident_data(**overrides), by=by)


def _add_victim(at, name: str, original: str = "", outcome: str = "injured"):
    at.text_input(key="new_victims_full_name").set_value(name)
    at.text_input(key="new_victims_name_original").set_value(original)
    at.selectbox(key="new_victims_outcome").set_value(outcome)
    button(at, "Add victim").click()
    return no_exceptions(at.run())


def test_create_an_incident_with_a_victim_and_a_source(app, engine, users):
    at = no_exceptions(app.open("carla", NEW))
    assert {"Title", "Incident type", "Start date", "Date precision", "Governorate",
            "Locality", "Narrative"} <= {w.label for w in [*at.text_input, *at.selectbox,
                                                           *at.date_input, *at.text_area]}
    _add_victim(at, "Sami Example", "سامي المثال")
    at.text_input(key="new_citations_title").set_value("Example News report")
    button(at, "Add source").click()
    no_exceptions(at.run())
    fill_incident(at, narrative="أطلق مسلحان النار على المنظم.")
    button(at, "Save draft").click()
    no_exceptions(at.run())
    assert "Saved INC-2021-00001 as a draft." in texts(at)
    assert at.query_params["ref"] == "INC-2021-00001"
    with read_session(engine) as session:
        saved = get_incident(session, "INC-2021-00001", by=users["carla"])
    assert saved.status == "draft"
    assert saved.narrative == "أطلق مسلحان النار على المنظم."
    assert [(v.person.full_name, v.person.name_original, v.outcome) for v in saved.victims] \
        == [("Sami Example", "سامي المثال", "injured")]
    assert [c.source.title for c in saved.citations] == ["Example News report"]


def test_a_validation_error_is_shown_at_its_field_and_the_input_is_kept(app):
    at = no_exceptions(app.open("carla", NEW))
    fill_incident(at, title="", locality="Kept locality", end_date=dt.date(2021, 3, 1))
    button(at, "Save draft").click()
    no_exceptions(at.run())
    errors = [shown(e.value) for e in at.error]
    assert "Nothing was saved. Please correct the fields marked below." in errors
    assert any(e.startswith("title: ") for e in errors)
    assert field(at, "new_incident", "locality").value == "Kept locality"
    assert at.query_params.get("ref") is None


def test_a_likely_duplicate_person_is_pointed_out(app, engine, users):
    _create(engine, users["carla"])
    at = no_exceptions(app.open("chen", NEW))
    _add_victim(at, "sami example")
    assert "Likely the same person is already recorded" in texts(at)
    assert state.NEW_PARTS not in at.session_state or not at.session_state[
        state.NEW_PARTS]["victims"]


def test_submit_for_review_from_the_new_incident_page(app, engine, users):
    at = no_exceptions(app.open("carla", NEW))
    fill_incident(at)
    button(at, "Submit for review").click()
    no_exceptions(at.run())
    assert "Submitted INC-2021-00001 for review." in texts(at)
    with read_session(engine) as session:
        assert get_incident(session, "INC-2021-00001", by=users["carla"]).status \
            == "submitted"


def test_a_shared_link_opens_the_incident(app, engine, users):
    created = _create(engine, users["carla"])
    at = app.session("vera")
    at.query_params["ref"] = created.ref
    no_exceptions(at.run())
    assert shown(at.title[0].value) == created.ref


def test_a_restricted_incident_is_not_shown_to_a_viewer(app, engine, users):
    created = _create(engine, users["carla"], sensitivity="restricted")
    at = no_exceptions(app.open("vera", INCIDENT, ref=created.ref))
    assert f"no incident {created.ref}" in texts(at)
    at.switch_page("app_pages/incidents.py")
    no_exceptions(at.run())
    assert not at.dataframe


def test_user_text_is_shown_as_text(app, engine, users):
    title = "<img src=x onerror=alert(1)> **bold** :red[x]"
    created = _create(engine, users["carla"], title=title)
    at = no_exceptions(app.open("carla", INCIDENT, ref=created.ref))
    assert not [m for m in at.markdown if getattr(m, "allow_html", False)]
    heading = at.markdown[[i for i, m in enumerate(at.markdown) if "img" in m.value][0]]
    assert heading.value == ("### \\<img src\\=x onerror\\=alert\\(1\\)\\> \\*\\*bold\\*\\* "
                             "\\:red\\[x\\]")
    button(at, "Edit details").click()
    no_exceptions(at.run())
    assert field(at, f"edit_{created.ref}", "title").value == title


def test_a_second_save_of_the_same_version_is_refused_and_keeps_the_input(app, engine, users):
    created = _create(engine, users["carla"])
    form = f"edit_{created.ref}"
    first = no_exceptions(app.open("carla", INCIDENT, ref=created.ref))
    second = no_exceptions(app.open("rana", INCIDENT, ref=created.ref))
    for at in (first, second):
        button(at, "Edit details").click()
        no_exceptions(at.run())
    field(first, form, "locality").set_value("Changed by Carla")
    button(first, "Save draft").click()
    no_exceptions(first.run())
    assert f"Saved {created.ref}." in texts(first)

    field(second, form, "title").set_value("Rana's better title")
    field(second, form, "locality").set_value("Changed by Rana")
    button(second, "Save draft").click()
    no_exceptions(second.run())
    shown = texts(second)
    assert f"{created.ref} was changed by carla at " in shown
    assert "Nothing was saved" in shown
    assert field(second, form, "title").value == "Rana's better title"
    assert field(second, form, "locality").value == "Changed by Rana"
    with read_session(engine) as session:
        now = get_incident(session, created.ref, by=users["rana"])
    assert (now.title, now.locality) == (created.title, "Changed by Carla")

    # A later click still refuses: the form keeps the version Rana started from.
    button(second, "Save draft").click()
    no_exceptions(second.run())
    assert "was changed by carla" in texts(second)
    button(second, "Discard my input and reload").click()
    no_exceptions(second.run())
    assert field(second, form, "locality").value == "Changed by Carla"


def test_a_caseworker_cannot_edit_a_colleagues_incident(app, engine, users):
    created = _create(engine, users["carla"])
    at = no_exceptions(app.open("chen", INCIDENT, ref=created.ref))
    assert "only its author or a reviewer may edit it" in texts(at)
    assert "Save draft" not in [b.label for b in at.button]


def test_adding_a_victim_to_a_saved_incident(app, engine, users):
    created = _create(engine, users["carla"])
    at = no_exceptions(app.open("carla", INCIDENT, ref=created.ref))
    form = f"add_victims_{created.ref}"
    at.text_input(key=f"{form}_full_name").set_value("Huda Example")
    at.text_input(key=f"{form}_name_original").set_value("هدى المثال")
    at.selectbox(key=f"{form}_outcome").set_value("killed")
    button(at, "Add victim").click()
    no_exceptions(at.run())
    with read_session(engine) as session:
        now = get_incident(session, created.ref, by=users["carla"])
    assert [v.person.full_name for v in now.victims] == ["Sami Example", "Huda Example"]
    assert now.fatalities == 1


def test_editing_after_someone_else_added_a_part_is_refused(app, engine, users):
    created = _create(engine, users["carla"])
    at = no_exceptions(app.open("carla", INCIDENT, ref=created.ref))
    with unit_of_work(engine) as session:
        update_incident(session, created.ref, {"locality": "Elsewhere"}, by=users["rana"],
                        expected_version=created.version)
    no_exceptions(at.run())
    assert f"{created.ref} was changed by rana" in texts(at)


def test_a_month_dated_incident_reads_as_its_month_on_the_incident_page(app, engine, users):
    from tests.test_export_data import seed_dated

    refs = seed_dated(engine, users)
    for reader in ("vera", "rana"):  # the read-only details, and the editing form
        at = no_exceptions(app.open(reader, INCIDENT, ref=refs["december"]))
        if reader == "rana":
            button(at, "Edit details").click()
            no_exceptions(at.run())
        page = texts(at)
        assert "December 2019" in page
        assert "2019-12-01" not in page
    details = [t.value for t in app.open("vera", INCIDENT, ref=refs["december"]).text]
    assert "December 2019" in details and "Month" in details


def test_who_is_editing_is_shown_to_the_others_with_the_time(app, engine, users,
                                                             monkeypatch):
    monkeypatch.setattr("records.services.incidents.presence.utcnow",
                        lambda: dt.datetime(2026, 11, 30, 10, 42, 57, tzinfo=dt.UTC))
    created = _create(engine, users["carla"])
    carla = no_exceptions(app.open("carla", INCIDENT, ref=created.ref))
    rana = no_exceptions(app.open("rana", INCIDENT, ref=created.ref))
    assert "has been editing" not in texts(rana)

    button(carla, "Edit details").click()
    no_exceptions(carla.run())
    no_exceptions(rana.run())
    assert [shown(i.value) for i in rana.info] == [
        "carla has been editing this incident since 10:42 UTC."]
    assert "has been editing" not in texts(carla)

    button(carla, "Cancel").click()
    no_exceptions(carla.run())
    assert "Edit details" in [b.label for b in carla.button]
    no_exceptions(rana.run())
    assert "has been editing" not in texts(rana)

    button(carla, "Edit details").click()
    no_exceptions(carla.run())
    field(carla, f"edit_{created.ref}", "locality").set_value("Changed by Carla")
    button(carla, "Save draft").click()
    no_exceptions(carla.run())
    assert f"Saved {created.ref}." in texts(carla)
    no_exceptions(rana.run())
    assert "has been editing" not in texts(rana)


def test_a_link_to_a_merged_away_incident_names_where_it_went(app, engine, users):
    from records.services.linkage import merge_records

    kept = _create(engine, users["carla"])
    merged = _create(engine, users["carla"])
    with unit_of_work(engine) as session:
        merge_records(session, kept.ref, merged.ref, by=users["rana"])
    at = no_exceptions(app.open("carla", INCIDENT, ref=merged.ref))
    assert f"{merged.ref} was merged into {kept.ref}: open {kept.ref}" in shown(texts(at))
    # A viewer may not see the draft it became: told only that there is no such incident.
    at = no_exceptions(app.open("vera", INCIDENT, ref=merged.ref))
    assert f"no incident {merged.ref}" in shown(texts(at)) and kept.ref not in texts(at)
