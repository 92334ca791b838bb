"""Every service that reads the database takes the acting principal (`by`) and applies
visibility itself: a lookup, a filter list or a count is a read like any other.

The test walks every public function of every package of records.services. A function that
reaches the database (it takes a session or an engine) without taking `by` must be listed
below with the reason it reads nothing of incidents, people, sources, actors or the trail.
A new service that forgets the principal fails here until someone decides, in review, that
it may.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import records.services

EXEMPT = {
    "access.leave_to_reviewers": "notes, inside the purge that checked `by`, who sees the "
                                 "rows it leaves in no incident: reads nothing",
    "backup.restore_backup": "fills an empty database from an archive and checks it as the "
                             "system: there are no accounts yet, and whoever runs it holds "
                             "the archive",
    "incidents.changed_fields": "validates changes to an incident its caller loaded for `by`",
    "incidents.check_incident_fields": "checks vocabulary codes and places of given input",
    "incidents.check_version": "compares the version of an incident its caller loaded for `by`",
    "incidents.flush_or_conflict": "writes an incident its caller loaded for `by`",
    "people.check_actor": "checks vocabulary codes of given input",
    "people.check_person": "checks vocabulary codes and places of given input",
    "people.check_source": "checks vocabulary codes of given input",
    "reports.write_report": "lays out records run_export already read and redacted for `by`",
    "search.forget_incident": "index upkeep inside the purge that checked `by`: reads nothing",
    "search.note_incidents": "index upkeep of a write its caller checked: reads nothing",
    "users.authenticate": "the log-in itself: there is nobody yet to act as",
    "users.check_password": "the log-in itself (its hash, before the write lock): nobody yet",
    "users.count_users": "accounts, not records: whether the first start is still open",
    "users.get_user": "accounts, not records: re-reads the logged-in account on each click",
    "users.list_users": "accounts, not records: names and roles for the admin page and CLI",
    "users.resume_session": "the log-in itself, from a session cookie: nobody to act as yet",
    "users.touch_session": "marks a session seen: reads and writes no record",
    "users.usernames": "accounts, not records: who created or changed what, for read models",
    "vocabularies.active_codes": "controlled vocabularies are public reference data",
    "vocabularies.check_code": "controlled vocabularies are public reference data",
    "vocabularies.labels": "controlled vocabularies are public reference data",
    "vocabularies.list_terms": "controlled vocabularies are public reference data",
    "vocabularies.seed_vocabularies": "writes the reference vocabularies at setup",
    "setup.prepare_database": "migrates the schema and seeds vocabularies at start",
}


def _public_functions():
    for module in pkgutil.iter_modules(records.services.__path__):
        package = importlib.import_module(f"records.services.{module.name}")
        for name in package.__all__:
            value = getattr(package, name)
            if inspect.isfunction(value):
                yield f"{module.name}.{name}", inspect.signature(value).parameters


def test_every_database_read_takes_the_principal_or_is_a_reviewed_exemption():
    reaching = {name for name, params in _public_functions()
                if ({"session", "engine"} & set(params)) and "by" not in params}
    assert sorted(reaching - set(EXEMPT)) == [], "these read without a principal"
    assert sorted(set(EXEMPT) - reaching) == [], "stale exemptions: remove them"


def test_the_walk_sees_the_services_it_guards():
    names = {name for name, _params in _public_functions()}
    assert {"people.find_similar_people", "people.list_actors", "people.list_sources",
            "incidents.list_incidents", "stats.dashboard_stats", "audit.list_entries",
            "audit.verify_chain", "evidence.verify_files", "exchange.run_export"} <= names


def test_lookups_take_the_principal():
    params = dict(_public_functions())
    for name in ("people.find_similar_people", "people.list_actors", "people.list_sources",
                 "audit.verify_chain", "evidence.verify_files"):
        assert params[name]["by"].kind is inspect.Parameter.KEYWORD_ONLY, name
