"""Sijil's data package: datapackage.json and one CSV per table (Frictionless Data).

Each table has a Table Schema with field types, the vocabulary codes as enum constraints,
primary keys and foreign keys, so `frictionless validate datapackage.json` checks a package
without Sijil. People whose name is withheld get a fresh uid per appearance in the package,
so nothing links them across incidents.
"""

from __future__ import annotations

import csv
import json
import uuid
import zipfile
from pathlib import Path

from records.services.exchange.flat import cell_value, safe_cell

# table → [(field, type, vocabulary or fixed choices, required)]
TABLES: dict[str, list[tuple[str, str, object, bool]]] = {
    "incidents": [
        ("ref", "string", None, True), ("external_id", "string", None, False),
        ("title", "string", None, True), ("narrative", "string", None, False),
        ("incident_type", "string", "incident_type", True), ("start_date", "date", None, True),
        ("end_date", "date", None, False), ("date_precision", "string", "date_precision", True),
        ("time_of_day", "string", None, False), ("country", "string", None, True),
        ("admin1", "string", "governorate", False), ("admin2", "string", None, False),
        ("locality", "string", None, False), ("latitude", "number", None, False),
        ("longitude", "number", None, False),
        ("geo_precision", "string", "geo_precision", False),
        ("method", "string", "method", False), ("context", "string", "context", False),
        ("fatalities", "integer", None, True), ("injured", "integer", None, True),
        ("status", "string", "statuses", True),
        ("imported_status", "string", "statuses", False),
        ("imported_from", "string", None, False),
        ("confidence", "string", "confidences", True),
        ("sensitivity", "string", "sensitivities", True), ("tags", "string", None, False),
    ],
    "persons": [
        ("uid", "string", None, True), ("full_name", "string", None, True),
        ("name_original", "string", None, False), ("aliases", "string", None, False),
        ("sex", "string", "sexes", True), ("age", "integer", None, False),
        ("birth_year", "integer", None, False), ("occupation", "string", None, False),
        ("profiles", "string", None, False), ("affiliation", "string", None, False),
        ("home_admin1", "string", "governorate", False),
        ("is_public_figure", "boolean", None, True), ("contact", "string", None, False),
        ("name_withheld", "boolean", None, True),
    ],
    "actors": [
        ("uid", "string", None, True), ("name", "string", None, True),
        ("aliases", "string", None, False), ("actor_type", "string", "actor_type", True),
        ("parent_uid", "string", None, False),
    ],
    "sources": [
        ("uid", "string", None, True), ("kind", "string", "source_kind", True),
        ("title", "string", None, True), ("publisher", "string", None, False),
        ("url", "string", None, False), ("published_on", "date", None, False),
        ("language", "string", None, False), ("reliability", "string", "reliabilities", False),
        ("credibility", "integer", None, False), ("is_confidential", "boolean", None, True),
    ],
    "victims": [
        ("incident_ref", "string", None, True), ("person_uid", "string", None, True),
        ("outcome", "string", "victim_outcome", True), ("harm_description", "string", None,
                                                       False),
        ("consent_to_publish_name", "boolean", None, True),
    ],
    "perpetrators": [
        ("incident_ref", "string", None, True), ("actor_uid", "string", None, False),
        ("person_uid", "string", None, False), ("attribution", "string", "attribution", True),
        ("basis", "string", None, False),
    ],
    "citations": [
        ("incident_ref", "string", None, True), ("source_uid", "string", None, True),
        ("statement", "string", None, False), ("page", "string", None, False),
        ("quote", "string", None, False),
    ],
    "case_events": [
        ("incident_ref", "string", None, True), ("date", "date", None, True),
        ("date_precision", "string", "date_precision", True),
        ("kind", "string", "case_event_kind", True), ("description", "string", None, False),
        ("source_uid", "string", None, False), ("person_uid", "string", None, False),
        ("actor_uid", "string", None, False),
    ],
    # Internal level only (empty below it): review comments, and evidence records with
    # their custody events (records/services/exchange/extras.py; the files are not here).
    "comments": [
        ("incident_ref", "string", None, True), ("author", "string", None, False),
        ("at", "datetime", None, True), ("body", "string", None, True),
    ],
    "attachments": [
        ("incident_ref", "string", None, True), ("sha256", "string", None, True),
        ("size", "integer", None, True), ("mime_type", "string", None, True),
        ("original_name", "string", None, False), ("captured_at", "datetime", None, False),
        ("description", "string", None, False), ("source_uid", "string", None, False),
        ("uploaded_by", "string", None, False),
    ],
    "custody_events": [
        ("incident_ref", "string", None, True), ("attachment_sha256", "string", None, True),
        ("at", "datetime", None, True), ("kind", "string", "custody_kind", True),
        ("by", "string", None, False), ("counterpart", "string", None, False),
        ("method", "string", None, False), ("note", "string", None, False),
    ],
    # The merge history: a person's merges with each incident naming the person (extras.py).
    "merges": [
        ("incident_ref", "string", None, True),
        ("kind", "string", None, True),
        ("kept_key", "string", None, True), ("merged_key", "string", None, True),
        ("at", "datetime", None, True), ("by", "string", None, False),
        ("score", "number", None, False), ("undone_at", "datetime", None, False),
        ("undone_by", "string", None, False),
    ],
}
PRIMARY_KEYS = {"incidents": "ref", "persons": "uid", "actors": "uid", "sources": "uid"}
FOREIGN_KEYS = {
    "victims": [("incident_ref", "incidents", "ref"), ("person_uid", "persons", "uid")],
    "perpetrators": [("incident_ref", "incidents", "ref"), ("actor_uid", "actors", "uid"),
                     ("person_uid", "persons", "uid")],
    "citations": [("incident_ref", "incidents", "ref"), ("source_uid", "sources", "uid")],
    "case_events": [("incident_ref", "incidents", "ref"), ("source_uid", "sources", "uid"),
                    ("person_uid", "persons", "uid"), ("actor_uid", "actors", "uid")],
    # "" is the table itself (Table Schema): a group's parent is another group.
    "actors": [("parent_uid", "", "uid")],
    "comments": [("incident_ref", "incidents", "ref")],
    "attachments": [("incident_ref", "incidents", "ref")],
    "custody_events": [("incident_ref", "incidents", "ref")],
    "merges": [("incident_ref", "incidents", "ref")],
}
LIST_FIELDS = {"tags", "aliases", "profiles"}


class PackageWriter:
    """Writes the tables row by row as records stream in; entities are written once."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.files = {name: (folder / f"{name}.csv").open("w", encoding="utf-8", newline="")
                      for name in TABLES}
        self.writers = {name: csv.writer(handle) for name, handle in self.files.items()}
        for name, writer in self.writers.items():
            writer.writerow([f[0] for f in TABLES[name]])
        self.seen: dict[str, set[str]] = {"persons": set(), "actors": set(), "sources": set()}

    def _row(self, table: str, data: dict) -> None:
        self.writers[table].writerow([safe_cell(cell_value(data.get(f[0])))
                                      for f in TABLES[table]])

    def _entity(self, table: str, data: dict) -> str:
        uid = data.get("uid") or ""
        if table == "persons" and not uid:
            uid = str(uuid.uuid4())
        if uid not in self.seen[table]:
            self.seen[table].add(uid)
            self._row(table, {**data, "uid": uid})
        return uid

    def _actor(self, actor: dict | None) -> str | None:
        """The actor's uid, its row (and its parent group's, so the link resolves inside
        the package) written once."""
        if actor is None:
            return None
        if actor.get("parent_uid"):
            self._entity("actors", {"uid": actor["parent_uid"], "name": actor["parent_name"],
                                    "actor_type": actor["parent_type"]})
        return self._entity("actors", actor)

    def add(self, record: dict) -> None:
        ref = record["ref"]
        self._row("incidents", record)
        for v in record["victims"]:
            self._row("victims", {**v, "incident_ref": ref,
                                  "person_uid": self._entity("persons", v["person"])})
        for p in record["perpetrators"]:
            self._row("perpetrators", {
                **p, "incident_ref": ref, "actor_uid": self._actor(p["actor"]),
                "person_uid": self._entity("persons", p["person"]) if p["person"] else None})
        for c in record["citations"]:
            self._row("citations", {**c, "incident_ref": ref,
                                    "source_uid": self._entity("sources", c["source"])})
        for e in record["case_events"]:
            source_uid = self._entity("sources", e["source"]) if e["source"] else None
            self._row("case_events", {
                **e, "incident_ref": ref, "source_uid": source_uid,
                "person_uid": self._entity("persons", e["person"]) if e.get("person") else None,
                "actor_uid": self._actor(e.get("actor"))})
        for c in record.get("comments", []):
            self._row("comments", {**c, "incident_ref": ref})
        for a in record.get("attachments", []):
            self._row("attachments", {**a, "incident_ref": ref})
            for event in a["custody"]:
                self._row("custody_events", {**event, "incident_ref": ref,
                                             "attachment_sha256": a["sha256"]})
        for m in record.get("merges", []):
            self._row("merges", {**m, "incident_ref": ref})

    def close(self, descriptor: dict) -> None:
        for handle in self.files.values():
            handle.close()
        (self.folder / "datapackage.json").write_text(
            json.dumps(descriptor, ensure_ascii=False, indent=2), encoding="utf-8")


def descriptor(choices: dict[str, list[str]], *, title: str, description: str) -> dict:
    """datapackage.json: the resources with their Table Schemas."""
    resources = []
    for name, fields in TABLES.items():
        schema_fields = []
        for field, kind, vocabulary, required in fields:
            spec: dict = {"name": field, "type": kind}
            constraints: dict = {}
            if required:
                constraints["required"] = True
            if vocabulary is not None:
                constraints["enum"] = choices[vocabulary]
            if kind == "boolean":
                spec.update(trueValues=["true"], falseValues=["false"])
            if constraints:
                spec["constraints"] = constraints
            schema_fields.append(spec)
        schema: dict = {"fields": schema_fields, "missingValues": [""]}
        if name in PRIMARY_KEYS:
            schema["primaryKey"] = [PRIMARY_KEYS[name]]
        if name in FOREIGN_KEYS:
            schema["foreignKeys"] = [
                {"fields": [column], "reference": {"resource": table, "fields": [key]}}
                for column, table, key in FOREIGN_KEYS[name]]
        resources.append({"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                          "schema": schema})
    return {"name": "sijil-incidents", "title": title, "description": description,
            "profile": "tabular-data-package", "resources": resources}


def zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for child in sorted(folder.iterdir()):
            archive.write(child, child.name)
