"""Accountability for killings and attempted killings: how many cases saw each step of
justice (complaint, investigation, arrest, charge, trial, verdict), how many saw none at
all (the impunity rate), and the follow-up timeline of the most documented cases."""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from records.services.incidents import format_incident_date

# The steps towards accountability, in the order a case goes through them. Release,
# advocacy actions and UN communications are follow-up but not justice: they appear in
# the timelines and are not counted as a step.
STEPS = ("complaint", "investigation_opened", "arrest", "charge", "trial", "verdict")
COUNTED_TYPES = ("killing", "attempted_killing")
MAX_TIMELINES = 6


@dataclass
class TimelineEntry:
    date: str
    what: str
    detail: str = ""


@dataclass
class Timeline:
    ref: str
    title: str
    date: str
    place: str
    victims: str
    entries: list[TimelineEntry]


@dataclass
class Accountability:
    cases: int = 0
    by_step: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STEPS, 0))
    none: int = 0
    released_after_arrest: int = 0
    timelines: list[Timeline] = field(default_factory=list)

    @property
    def impunity_rate(self) -> int:
        """Percentage of cases with no step at all, rounded; 0 without cases."""
        return round(100 * self.none / self.cases) if self.cases else 0


def _concerns(event: dict) -> str:
    if event.get("person"):
        return event["person"]["full_name"]
    if event.get("actor"):
        return event["actor"]["name"]
    return ""


class AccountabilityTally:
    """Counted one record at a time, keeping only the MAX_TIMELINES richest timelines."""

    def __init__(self, names: dict[str, dict[str, str]], language: str):
        self.names, self.language = names, language
        self.result = Accountability()
        self._heap: list[tuple[int, int, str, dict]] = []

    def add(self, record: dict, place: str, victims: str) -> None:
        if record["incident_type"] not in COUNTED_TYPES:
            return
        kinds = {e["kind"] for e in record["case_events"]}
        result = self.result
        result.cases += 1
        for step in STEPS:
            result.by_step[step] += step in kinds
        result.none += not kinds & set(STEPS)
        result.released_after_arrest += {"arrest", "release"} <= kinds
        if record["case_events"]:
            key = (len(record["case_events"]), record["start_date"].toordinal(),
                   record["ref"], {"record": record, "place": place, "victims": victims})
            if len(self._heap) < MAX_TIMELINES:
                heapq.heappush(self._heap, key)
            elif key[:3] > self._heap[0][:3]:
                heapq.heapreplace(self._heap, key)

    def finish(self) -> Accountability:
        chosen = sorted(self._heap, key=lambda k: k[:3], reverse=True)
        self.result.timelines = [self._timeline(item[3]) for item in chosen]
        return self.result

    def _date(self, day, end, precision) -> str:
        return format_incident_date(day, end, precision, lang=self.language)

    def _timeline(self, item: dict) -> Timeline:
        record = item["record"]
        kinds, types = self.names["case_event_kind"], self.names["incident_type"]
        entries = [TimelineEntry(
            self._date(record["start_date"], record["end_date"], record["date_precision"]),
            types.get(record["incident_type"], record["incident_type"]), item["victims"])]
        for event in sorted(record["case_events"], key=lambda e: e["date"]):
            detail = " — ".join(p for p in (_concerns(event), event.get("description") or "")
                                if p)
            entries.append(TimelineEntry(self._date(event["date"], None,
                                                    event["date_precision"]),
                                         kinds.get(event["kind"], event["kind"]), detail))
        return Timeline(record["ref"], record["title"], entries[0].date, item["place"],
                        item["victims"], entries)
