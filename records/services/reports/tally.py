"""The report's running counts, gathered in one pass over the (redacted) records: figures
by year and month, places, perpetrators and the attribution level, profiles, outcomes,
confidence, the vocabulary terms used, sources cited, map points and accountability."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from records.i18n import _
from records.labels import STATUS_NAMES
from records.services.incidents import date_grain, format_incident_date
from records.services.reports.accountability import AccountabilityTally
from records.services.reports.words import CONFIDENCE_NAMES, separators

MAX_LISTED = 500
NARRATIVE_CHARS = 700
FIGURES = ("incidents", "killed", "injured", "attempts")
NAMED_VOCABULARIES = ("incident_type", "victim_outcome", "profile", "actor_type", "governorate",
                      "attribution", "source_kind", "case_event_kind")


def place_of(record: dict, governorates: dict[str, str]) -> str:
    parts = [record.get("locality"), record.get("admin2"),
             governorates.get(record.get("admin1") or "", record.get("admin1"))]
    return separators()[0].join(p for p in parts if p) or record.get("country") or ""


def victims_line(record: dict, names: dict[str, dict[str, str]]) -> str:
    outcomes = names["victim_outcome"]
    return separators()[1].join(
        f"{v['person']['full_name']} ({outcomes.get(v['outcome'], v['outcome'])})"
        for v in record["victims"])


@dataclass
class Tally:
    names: dict[str, dict[str, str]]
    language: str = "en"
    totals: Counter = field(default_factory=Counter)
    years: defaultdict[int, Counter] = field(default_factory=lambda: defaultdict(Counter))
    months: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    perpetrators: Counter = field(default_factory=Counter)
    # actor type code → attribution code → incidents
    attribution: defaultdict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    profiles: Counter = field(default_factory=Counter)
    profile_codes: Counter = field(default_factory=Counter)
    outcomes: Counter = field(default_factory=Counter)
    confidence: Counter = field(default_factory=Counter)
    by_code: Counter = field(default_factory=Counter)
    points: Counter = field(default_factory=Counter)
    used: defaultdict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    listed: list[dict] = field(default_factory=list)
    sources: dict[str, dict] = field(default_factory=dict)
    accountability: AccountabilityTally | None = None
    first: dt.date | None = None
    last: dt.date | None = None

    def __post_init__(self) -> None:
        self.accountability = AccountabilityTally(self.names, self.language)

    def add(self, record: dict) -> None:
        self._count_figures(record)
        self._count_categories(record)
        self._place_on_map(record)
        for citation in record["citations"]:
            source = citation["source"]
            self.sources.setdefault(source["uid"] or source["title"], source)
            self.used["source_kind"][source.get("kind")] += 1
        for event in record["case_events"]:
            self.used["case_event_kind"][event["kind"]] += 1
        self.accountability.add(record, place_of(record, self.names["governorate"]),
                                victims_line(record, self.names))
        if len(self.listed) < MAX_LISTED:
            self.listed.append(incident_entry(record, self.names, self.language))

    def _count_figures(self, record: dict) -> None:
        self.totals["incidents"] += 1
        start = record["start_date"]
        end = record["end_date"] or start
        self.first = start if self.first is None else min(self.first, start)
        self.last = end if self.last is None else max(self.last, end)
        year = self.years[record["start_date"].year]
        attempt = record["incident_type"] == "attempted_killing"
        for counter in (self.totals, year):
            counter["killed"] += record["fatalities"]
            counter["injured"] += record["injured"]
            counter["attempts"] += attempt
            counter["victims"] += len(record["victims"])
        year["incidents"] += 1
        self.confidence[record["confidence"]] += 1
        # A date known only to its year belongs to no month: counted by year, and said so.
        if date_grain(record["date_precision"]) == "year":
            self.totals["year_only"] += 1
        else:
            self.months[record["start_date"].strftime("%Y-%m")] += 1

    def _count_categories(self, record: dict) -> None:
        admin1 = record.get("admin1")
        if admin1:
            self.by_code[admin1] += 1
        self.places[self.names["governorate"].get(admin1, admin1) if admin1
                    else _("Unknown")] += 1
        self.used["incident_type"][record["incident_type"]] += 1
        kinds: dict[str, set[str]] = defaultdict(set)
        for p in record["perpetrators"]:
            if p["actor"]:
                kinds[p["actor"]["actor_type"]].add(p["attribution"])
            self.used["attribution"][p["attribution"]] += 1
        for kind, levels in kinds.items():
            self.perpetrators[self.names["actor_type"].get(kind, kind)] += 1
            self.used["actor_type"][kind] += 1
            for level in levels:
                self.attribution[kind][level] += 1
        for victim in record["victims"]:
            self.outcomes[victim["outcome"]] += 1
            self.used["victim_outcome"][victim["outcome"]] += 1
            for code in victim["person"].get("profiles") or []:
                self.profile_codes[code] += 1
                self.used["profile"][code] += 1
            for code in victim["person"].get("profiles") or [_("none recorded")]:
                self.profiles[self.names["profile"].get(code, code)] += 1

    def _place_on_map(self, record: dict) -> None:
        if record.get("latitude") is None or record.get("longitude") is None:
            return
        # One circle per place as the level shows it, sized by the victims there.
        self.points[(record["longitude"], record["latitude"])] += max(1, len(record["victims"]))


def month_series(months: Counter) -> list[tuple[str, int]]:
    """Every month from the first to the last counted, months without incidents as 0."""
    span = sorted(months)
    items = []
    if span:
        y, m = map(int, span[0].split("-"))
        while f"{y:04d}-{m:02d}" <= span[-1]:
            key = f"{y:04d}-{m:02d}"
            items.append((key, months.get(key, 0)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return items


def incident_entry(record: dict, names: dict[str, dict[str, str]], language: str) -> dict:
    narrative = record.get("narrative") or ""
    if len(narrative) > NARRATIVE_CHARS:
        narrative = narrative[:NARRATIVE_CHARS].rsplit(" ", 1)[0] + " …"
    victims = []
    for victim in record["victims"]:
        person = victim["person"]
        name = person["full_name"]
        if person.get("name_original"):
            name = f"{name} ({person['name_original']})"
        victims.append({"name": name, "withheld": bool(person.get("name_withheld")),
                        "outcome": names["victim_outcome"].get(victim["outcome"],
                                                               victim["outcome"]),
                        "profiles": separators()[0].join(names["profile"].get(p, p)
                                                         for p in person.get("profiles") or [])})
    return {
        "ref": record["ref"], "title": record["title"],
        "date": format_incident_date(record["start_date"], record["end_date"],
                                     record["date_precision"], lang=language),
        "type": names["incident_type"].get(record["incident_type"], record["incident_type"]),
        "place": place_of(record, names["governorate"]),
        "status": _(STATUS_NAMES.get(record["status"], record["status"])),
        "confidence": _(CONFIDENCE_NAMES.get(record["confidence"], record["confidence"])),
        "killed": record["fatalities"],
        "injured": record["injured"], "victims": victims, "narrative": narrative,
        "perpetrators": [
            f"{p['actor']['name'] if p['actor'] else p['person']['full_name']} "
            f"({names['attribution'].get(p['attribution'], p['attribution'])})"
            for p in record["perpetrators"]],
        "sources": [c["source"]["title"] for c in record["citations"]],
    }
