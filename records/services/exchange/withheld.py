"""What redaction takes out of free text, told before it happens: to the caseworker when a
record is saved (which withheld names its text holds) and to the exporter before an export
(how many names will be cut, from how many incidents)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sqlmodel import Session

from records.i18n import _
from records.services.access import LEVELS, ExportLevel, Principal, can_see_personal_data
from records.services.access.redaction import redact_incident
from records.services.access.withheld_text import (
    NameCutter,
    record_texts,
    spellings_of,
    withheld_marker,
)
from records.services.exchange.export_records import (
    ExportFilters,
    incident_record,
    iter_records,
)
from records.services.incidents import load_incident

# The name rule of every level below internal, for records of any status and sensitivity:
# what a record's text would lose wherever it is shown without all names.
_BELOW_INTERNAL = dataclasses.replace(LEVELS["partner"], name="names", statuses=None,
                                      restricted=True)


@dataclass
class WithheldSummary:
    """What an export will cut from free text: `cuts` names in `incidents` incidents, and
    which names (only for a reader who may see them; empty otherwise)."""

    cuts: int = 0
    incidents: int = 0
    names: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if not self.cuts:
            return _("No names withheld from text.")
        line = _("Names withheld from text: {cuts} in {incidents} incidents.").format(
            cuts=self.cuts, incidents=self.incidents)
        return f"{line} {', '.join(self.names)}" if self.names else line


def _withheld_people(record: dict, shown: dict) -> dict[str, NameCutter]:
    """Each person whose name `shown` withholds, by full name, with their own cutter."""
    people: dict[str, NameCutter] = {}
    for part in ("victims", "perpetrators", "case_events"):
        for before, after in zip(record.get(part) or (), shown.get(part) or (),
                                 strict=False):
            person, redacted = before.get("person"), after.get("person")
            if person and redacted and redacted.get("name_withheld"):
                people.setdefault(person["full_name"], NameCutter.of(spellings_of(
                    person["full_name"], person.get("name_original"), person.get("aliases"))))
    return people


def _names_in(record: dict, shown: dict) -> list[str]:
    texts = record_texts(record)
    return [name for name, cutter in _withheld_people(record, shown).items()
            if cutter.found(*texts)]


def withheld_names_in(session: Session, ref: str, *, by: Principal) -> list[str]:
    """The people of incident `ref` whose name is withheld below the internal level (the
    rule of redaction.may_show_name) and whose name its free text holds, by full name: what
    a caseworker is told on saving. Empty for a reader who may not see those names."""
    if not can_see_personal_data(by):
        return []
    record = incident_record(load_incident(session, ref, by=by), {})
    shown = redact_incident(record, _BELOW_INTERNAL)
    return _names_in(record, shown) if shown is not None else []


def export_withheld(session: Session, filters: ExportFilters, level: ExportLevel, *,
                    by: Principal) -> WithheldSummary:
    """What an export at `level` of the incidents `filters` select will cut from their free
    text. Reads every selected incident: run it before the export, not instead of it."""
    summary = WithheldSummary()
    if level.all_names:
        return summary
    names: dict[str, None] = {}
    marker = withheld_marker()
    for record, shown in iter_records(session, filters, level, with_record=True):
        cuts = (sum(t.count(marker) for t in record_texts(shown))
                - sum(t.count(marker) for t in record_texts(record)))
        if cuts > 0:
            summary.cuts += cuts
            summary.incidents += 1
            names.update(dict.fromkeys(_names_in(record, shown)))
    if can_see_personal_data(by):
        summary.names = list(names)
    return summary
