"""What of an incident may be shown to whom.

Every export format, the advocacy report and the case sheet pass each incident through
`redact_incident`, the single place where the export levels of docs/design.md §6 are
applied. What a user reads in the workspace (pages, lists, the map) is shaped by the level
`reading_level` gives their role, through the same pieces (`redact_person`, `redact_place`,
`source_visible`), so a viewer's page shows no more than a public export:

- public: verified or published incidents only, never restricted ones; people named only
  as may_show_name allows (public figures, consenting victims; witnesses never); no contacts;
  only non-confidential published sources (no testimony of any kind); coordinates rounded
  to the district (0.1°, about 11 km) and the locality left out.
- partner: as public, plus every source not marked confidential (testimony included) and
  incidents of any status the exporter asks for (default still verified and published).
- internal: everything, contacts and confidential sources included (reviewers and admins).

People whose name is withheld also lose their uid in an export: a stable id would let a
reader link an unnamed victim to the same person named elsewhere.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from records.errors import PermissionDenied, ValidationError
from records.i18n import N_, _
from records.labels import role_name
from records.models.incident_io import PersonRead
from records.services.access.permissions import can_see_personal_data, has_role
from records.services.access.principal import Principal
from records.services.access.withheld_text import cut_record, record_cutter

# Identifying details that go with the name.
NAME_FIELDS = ("name_original", "affiliation", "occupation", "birth_year")
CONFIDENTIAL_PERSON_FIELDS = ("contact",)
TESTIMONY_KINDS = frozenset({"witness_testimony", "victim_testimony"})
PUBLISHABLE_STATUSES = ("verified", "published")


def withheld_name() -> str:
    return _("Name withheld")


def may_show_name(*, profiles, is_public_figure: bool, consented: bool, all_names: bool
                  ) -> bool:
    """The one rule for naming a person, used by the pages, the history and every export.

    A reader who sees every name (`all_names`: caseworkers and up, the internal export) sees
    it. Anyone else sees the name of a public figure or of a victim who consented to its
    publication, and never the name of a witness: naming a witness can cost a life."""
    if all_names:
        return True
    if "witness" in (profiles or ()):
        return False
    return bool(is_public_figure or consented)


def redact_person(person: PersonRead, *, consented: bool = False, all_names: bool,
                  show_confidential: bool) -> PersonRead:
    """The person as this reader may see them.

    Where may_show_name says no, the names, aliases and identifying details go; without
    `show_confidential` the contact goes (it never leaves the caseworkers and reviewers)."""
    update: dict = {}
    if not show_confidential:
        update.update(dict.fromkeys(CONFIDENTIAL_PERSON_FIELDS))
    if not may_show_name(profiles=person.profiles, is_public_figure=person.is_public_figure,
                         consented=consented, all_names=all_names):
        update.update(full_name=withheld_name(), aliases=[], name_withheld=True,
                      **dict.fromkeys(NAME_FIELDS))
    return person.model_copy(update=update) if update else person


@dataclass(frozen=True)
class ExportLevel:
    """One redaction level: who may use it and what it shows."""

    name: str
    role: str
    statuses: tuple[str, ...] | None
    restricted: bool
    all_names: bool
    contacts: bool
    confidential_sources: bool
    testimony: bool
    coordinate_decimals: int | None
    description: str

    @property
    def organisation_records(self) -> bool:
        """Review comments, evidence records and where an imported record came from: the
        organisation's own work, shown at the internal level only."""
        return self.name == "internal"


LEVELS: dict[str, ExportLevel] = {
    "public": ExportLevel(
        "public", "viewer", PUBLISHABLE_STATUSES, restricted=False, all_names=False,
        contacts=False, confidential_sources=False, testimony=False, coordinate_decimals=1,
        description=N_("Verified and published incidents only, restricted incidents left "
                       "out. Victims are named only where they are public figures or "
                       "consented to publication of their name; witnesses and contacts never "
                       "appear; only non-confidential published sources; coordinates rounded "
                       "to the district (0.1 degree).")),
    "partner": ExportLevel(
        "partner", "caseworker", None, restricted=False, all_names=False, contacts=False,
        confidential_sources=False, testimony=True, coordinate_decimals=1,
        description=N_("For trusted partner organisations: as public, plus every source "
                       "that is not confidential; restricted incidents left out; names only "
                       "of public figures and consenting victims; coordinates rounded to the "
                       "district.")),
    "internal": ExportLevel(
        "internal", "reviewer", None, restricted=True, all_names=True, contacts=True,
        confidential_sources=True, testimony=True, coordinate_decimals=None,
        description=N_("Everything, including unconsented names, contacts, confidential "
                       "sources and restricted incidents. For reviewers and admins only; "
                       "never leaves the organisation.")),
}


def reading_level(by: Principal) -> ExportLevel:
    """The level at which `by` reads records in the workspace (incident page, lists, map).

    | role                          | level    | what of a record they read               |
    |-------------------------------|----------|------------------------------------------|
    | viewer                        | public   | what a public export of it holds         |
    | caseworker, reviewer, admin   | internal | the record as entered                    |

    Which incidents a reader may open at all stays the visibility rule's business
    (`can_see_incident`): for viewers it is the public level's verified and published ones;
    caseworkers read restricted incidents only as their authors. Those who enter and review
    the data need the exact place, names and testimony to do it (docs/design.md §4)."""
    return LEVELS["internal"] if can_see_personal_data(by) else LEVELS["public"]


def allowed_levels(by: Principal) -> list[ExportLevel]:
    """The levels `by` may export at, least revealing first."""
    return [level for level in LEVELS.values() if has_role(by, level.role)]


def export_level(name: str, by: Principal) -> ExportLevel:
    """The level called `name`, if `by` may export at it.

    Raises ValidationError for an unknown level, PermissionDenied for a role below it."""
    level = LEVELS.get(name)
    if level is None:
        raise ValidationError.single("level", _("'{v}' is not a level; allowed: {a}").format(
            v=name, a=", ".join(LEVELS)), name)
    if not has_role(by, level.role):
        raise PermissionDenied(
            _("{user} ({role}) may not export at the {level} level: it needs the {needed} "
              "role.").format(user=by.username, role=role_name(by.role), level=name,
                              needed=role_name(level.role)))
    return level


def _person(person: dict | None, level: ExportLevel, consented: bool) -> dict | None:
    if person is None:
        return None
    shown = dict(person)
    if not level.contacts:
        shown.update(dict.fromkeys(CONFIDENTIAL_PERSON_FIELDS))
    if not may_show_name(profiles=person.get("profiles"),
                         is_public_figure=person.get("is_public_figure"), consented=consented,
                         all_names=level.all_names):
        shown.update(uid="", full_name=withheld_name(), aliases=[], name_withheld=True,
                     **dict.fromkeys(NAME_FIELDS))
    return shown


def source_visible(source, level: ExportLevel) -> bool:
    """Whether a source (a dict, or a row or read model, with kind and is_confidential) may
    appear at `level`."""
    if source is None:
        return False
    if isinstance(source, dict):
        kind, confidential = source.get("kind"), source.get("is_confidential")
    else:
        kind, confidential = source.kind, source.is_confidential
    if confidential and not level.confidential_sources:
        return False
    return level.testimony or kind not in TESTIMONY_KINDS


def round_coordinate(value: float, decimals: int) -> float:
    """`value` rounded to `decimals` places as the databases round a NUMERIC: on its
    decimal form, halves away from zero (Python's round() would take 32.65, stored as
    32.6499…, down, where the map's SQL takes it up; two roundings of one place would pin
    it down between them)."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def redact_place(place: dict, level: ExportLevel) -> dict:
    """The place fields of `place` (any of latitude, longitude, geo_precision, locality)
    that `level` shows otherwise, with the values it shows; empty when it shows them as
    they are. A level that rounds coordinates rounds them to its decimals, shows an exact or
    near place as the district, and leaves the locality out, coordinates or not: a street
    or village name would give back the precision the rounding took away."""
    decimals = level.coordinate_decimals
    if decimals is None:
        return {}
    shown: dict = {"locality": None}
    located = place.get("latitude") is not None and place.get("longitude") is not None
    if located:
        shown["latitude"] = round_coordinate(place["latitude"], decimals)
        shown["longitude"] = round_coordinate(place["longitude"], decimals)
    if place.get("geo_precision") in ("exact", "near") or (
            located and place.get("geo_precision") is None):
        shown["geo_precision"] = "district"
    return {name: value for name, value in shown.items() if name in place}


def redact_incident(record: dict, level: ExportLevel, *, fresh: bool = False) -> dict | None:
    """The incident record (as built by the exporter) as it may leave at `level`, or None
    when the incident must not appear at all. The input is not changed, unless `fresh`
    says it was built for this call alone: then its parts are passed on instead of copied
    (an export of 100 000 incidents spent a fifth of its time copying records it dropped)."""
    if level.statuses is not None and record["status"] not in level.statuses:
        return None
    if record["sensitivity"] == "restricted" and not level.restricted:
        return None
    if level.all_names and level.contacts and level.confidential_sources:
        return record if fresh else copy.deepcopy(record)
    clone = (lambda part: part) if fresh else copy.deepcopy
    # Review comments and evidence records never leave below the internal level.
    out = {k: v for k, v in record.items()
           if k not in ("victims", "perpetrators", "citations", "case_events", "comments",
                        "attachments")}
    out.update(redact_place(record, level))
    out["victims"] = [
        {**v, "person": _person(v["person"], level, v["consent_to_publish_name"])}
        for v in record["victims"]]
    out["perpetrators"] = [
        {**p, "actor": clone(p["actor"]), "person": _person(p["person"], level, False)}
        for p in record["perpetrators"]]
    out["citations"] = [clone(c) for c in record["citations"]
                        if source_visible(c["source"], level)]
    out["case_events"] = [
        {**e, "person": _person(e.get("person"), level, False),
         "source": clone(e["source"]) if source_visible(e["source"], level)
         else None}
        for e in record["case_events"]]
    # A withheld name must not come back through the free text beside it.
    return cut_record(out, record_cutter(record, out))
