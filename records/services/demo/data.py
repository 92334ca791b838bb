"""Synthetic, clearly fictional incidents for `sijil demo`: pure and deterministic for a seed.

Names, places and groups are invented, in Latin and Arabic script, within Iraq's real
governorates; every record says it is fictional."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from records.models.incident import CONFIDENCE_LEVELS, SENSITIVITIES, STATUSES
from records.models.incident_io import IncidentCreate
from records.vocabulary_seed import VOCABULARIES, governorate_terms

MAX_INCIDENTS = 500_000
CHUNK_SIZE = 1000
FIRST_DAY, LAST_DAY = dt.date(2016, 1, 1), dt.date(2024, 12, 31)
DEMO_TAG = "demo"
CODED_VOCABULARIES = ("incident_type", "method", "context", "victim_outcome", "profile",
                      "actor_type", "source_kind", "case_event_kind", "attribution",
                      "date_precision", "geo_precision")


def _pairs(text: str) -> list[tuple[str, str]]:
    return [tuple(item.split(" ", 1)) for item in text.split("|")]  # type: ignore[misc]


# Invented name parts (Latin, Arabic script): their combinations name no real person.
MALE_NAMES = _pairs(
    "Adnar عدنار|Basrun بسرون|Darwan داروان|Fardan فردان|Ghassar غسار|Hazran حزران|"
    "Jalwan جلوان|Kasrad كسراد|Lurad لوراد|Marzan مرزان|Nawfar نوفر|Qadran قدران|"
    "Rafwan رفوان|Sadwan سدوان|Tarwan طروان|Zardan زردان")
FEMALE_NAMES = _pairs(
    "Amsala أمسالة|Bariha بريحة|Dalwa دلوة|Fanira فنيرة|Hadra هدرة|Jurayna جرينة|"
    "Lamsa لمسة|Mayrun ميرون|Narwa نروة|Ruzna روزنة|Sanara سنارة|Tamsa تمسة|"
    "Wazna وزنة|Zurayfa زريفة")
FAMILY_NAMES = _pairs(
    "Al-Qamrawi القمراوي|Al-Zanbari الزنباري|Al-Fadwani الفدواني|Al-Tawrani الطوراني|"
    "Al-Kharzani الخرزاني|Al-Sabwani السبواني|Al-Dabrani الدبراني|Al-Hazwani الهزواني|"
    "Al-Jarfani الجرفاني|Al-Lawzawi اللوزاوي|Al-Bazrani البزراني|Al-Warqani الورقاني|"
    "Al-Ghaymani الغيماني|Al-Shimrawi الشمراوي|Al-Yasmani الياسماني|Al-Kuthrani الكثراني|"
    "Al-Tiflawi التفلاوي|Al-Nadwari الندواري")
PLACE_NAMES = ("Zanbaq", "Qamar", "Rihan", "Marjan", "Narjis", "Tuffah", "Luluah", "Fayruz",
               "Kharuba", "Simsim", "Zaytun", "Najma")
PLACE_KINDS = ("Hay al-", "Souq al-", "Bab al-", "Shari' al-", "Tal al-")
# Approximate centres of the governorates; demo points are scattered around them.
CENTRES = {
    "IQ-AN": (33.42, 43.30), "IQ-AR": (36.19, 44.01), "IQ-BA": (30.51, 47.78),
    "IQ-BB": (32.48, 44.42), "IQ-BG": (33.31, 44.37), "IQ-DA": (36.87, 42.99),
    "IQ-DI": (33.75, 44.64), "IQ-DQ": (31.05, 46.26), "IQ-KA": (32.62, 44.02),
    "IQ-KI": (35.47, 44.39), "IQ-MA": (31.84, 47.15), "IQ-MU": (31.31, 45.28),
    "IQ-NA": (32.03, 44.35), "IQ-NI": (36.34, 43.13), "IQ-QA": (31.99, 44.93),
    "IQ-SD": (34.61, 43.68), "IQ-SU": (35.56, 45.44), "IQ-WA": (32.51, 45.82),
}
COALITION = ("Coalition of the Silver Reeds (demo)", "state_affiliated_armed_group")
# Fixed, so that brigades can name their coalition in every demo database and every seed.
COALITION_UID = "d3e0c0a1-5e1f-4d3a-9b7c-000000000001"
BRIGADES = ("Silver Reeds 7th Brigade (demo)", "Silver Reeds 12th Brigade (demo)")
ACTORS = (
    ("Unidentified gunmen (demo)", "unidentified_gunmen"),
    ("Rapid Response Directorate (demo)", "state_forces"),
    ("Provincial Police Command (demo)", "state_forces"),
    (BRIGADES[0], "state_affiliated_armed_group"),
    (BRIGADES[1], "state_affiliated_armed_group"),
    ("Companions of the Grey Dawn (demo)", "non_state_armed_group"),
    ("Clan of Bayt Zardan (demo)", "tribal_group"),
)
PUBLISHERS = ("The Fictional Tigris Times", "Demo Broadcast Network",
              "Example Observatory for Civic Space", "Demo Legal Aid Collective")
AFFILIATIONS = ("Fictional Civic Forum (demo)", "Demo Union of Port Workers",
                "Example Press Syndicate (demo)", "Demo Students' Initiative")
OCCUPATIONS = ("teacher", "student", "reporter", "engineer", "nurse", "lawyer", "shopkeeper",
               "lecturer", "oil-sector worker", "photographer")
OUTCOMES = {
    "killing": ("killed", "injured", "unharmed"), "attempted_killing": ("injured", "unharmed"),
    "abduction": ("abducted", "released"), "enforced_disappearance": ("disappeared",),
    "arbitrary_detention": ("detained", "released"), "torture": ("injured", "released"),
    "threat": ("unharmed",), "assault": ("injured", "unharmed"),
    "attack_on_property": ("unharmed",),
}
METHODS = {
    "killing": ("firearm", "ied", "knife", "vehicle", "drone", "poison"),
    "attempted_killing": ("firearm", "ied", "knife", "vehicle"),
    "threat": ("online", "other", "unknown"), "assault": ("beating", "tear_gas_canister"),
    "attack_on_property": ("arson", "ied", "firearm"), "torture": ("beating", "other"),
}
PROFILES = {
    "protest_related": ("protester", "activist"), "journalism_related": ("journalist", "blogger"),
    "human_rights_work": ("human_rights_defender", "lawyer"),
    "labour_related": ("trade_unionist",), "election_related": ("political_candidate",),
}
CASE_EVENT_ORDER = ("complaint", "investigation_opened", "arrest", "charge", "trial", "verdict",
                    "release", "advocacy_action", "un_communication")
STATUS_WEIGHTS = {"draft": 20, "submitted": 15, "returned": 5, "verified": 25, "published": 30,
                  "archived": 5}
WORKFLOW = {  # the review steps that lead to each status
    "draft": (), "submitted": ("submit",), "returned": ("submit", "return"),
    "verified": ("submit", "verify"), "published": ("submit", "verify", "publish"),
}
# Each review step, in the order they happen, and the status it leads to.
STEPS = {"submit": "submitted", "return": "returned", "verify": "verified",
         "publish": "published", "archive": "archived"}
RETURN_COMMENT = "Please add a second, independent source before verification (demo)."
ARCHIVE_REASON = "Duplicate of another demo record (demo)."


@dataclass(frozen=True)
class DemoItem:
    """One generated incident, the workflow steps it goes through, and who takes them."""

    incident: IncidentCreate
    status: str
    steps: tuple[str, ...]
    caseworker: int
    reviewer: int


_LABELS = {(v, code): en for v, terms in VOCABULARIES.items() for code, en, _ar in terms}


def _label(vocabulary: str, code: str) -> str:
    return _LABELS.get((vocabulary, code)) or code.replace("_", " ").capitalize()


class _Generator:
    def __init__(self, seed: int, codes: Mapping[str, Sequence[str]]):
        self.rng = random.Random(seed)  # noqa: S311 - reproducible fiction, not secrets
        self.codes = {v: list(codes.get(v) or ()) for v in CODED_VOCABULARIES}
        self.places = [(c, n) for c, n, _ar in governorate_terms()]
        self.serial = 0

    def code(self, vocabulary: str, preferred: Sequence[str] = ()) -> str | None:
        allowed = self.codes[vocabulary]
        usable = [c for c in preferred if c in allowed] or allowed
        return self.rng.choice(usable) if usable else None

    def cover(self, i: int, values: Sequence[str], weights: Sequence[int] | None = None) -> str:
        """values[i] for the first incidents, so even a small demo has every value."""
        if i < len(values):
            return values[i]
        return self.rng.choices(values, weights=weights)[0]

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def name(self, sex: str) -> tuple[str, str]:
        given = self.rng.choice(FEMALE_NAMES if sex == "female" else MALE_NAMES)
        father = self.rng.choice(MALE_NAMES)
        family = self.rng.choice(FAMILY_NAMES)
        return (f"{given[0]} {father[0]} {family[0]}", f"{given[1]} {father[1]} {family[1]}")

    def person(self, admin1: str, profiles: Sequence[str]) -> dict:
        rng = self.rng
        sex = rng.choices(("male", "female", "unknown"), weights=(68, 30, 2))[0]
        latin, arabic = self.name(sex)
        script = rng.random()
        full_name, original = ((arabic, None) if script < 0.05 else
                               (latin, None) if script < 0.15 else (latin, arabic))
        person = {"full_name": full_name, "name_original": original, "sex": sex,
                  "profiles": [p for p in profiles if p in self.codes["profile"]],
                  "home_admin1": admin1 if rng.random() < 0.8 else rng.choice(self.places)[0],
                  "occupation": rng.choice(OCCUPATIONS) if rng.random() < 0.6 else None,
                  "is_public_figure": rng.random() < 0.08}
        age_kind = rng.random()
        if age_kind < 0.7:
            person["age"] = rng.randint(17, 75)
        elif age_kind < 0.85:
            person["birth_year"] = rng.randint(1950, 2004)
        if rng.random() < 0.25:
            person["affiliation"] = rng.choice(AFFILIATIONS)
        if rng.random() < 0.3:
            person["contact"] = f"{latin.split()[0].lower()}.{self.next_serial()}@example.org"
        if rng.random() < 0.1:
            person["aliases"] = [f"Abu {rng.choice(MALE_NAMES)[0]}"]
        return person

    def victims(self, incident_type: str, context: str | None, admin1: str) -> list[dict]:
        rng = self.rng
        outcomes = OUTCOMES.get(incident_type, tuple(self.codes["victim_outcome"]))
        # About 1.5 people per incident, the proportion the national-scale benchmarks
        # assume (docs/design.md §9).
        count = rng.choices((1, 2, 3, 4, 5), weights=(64, 20, 9, 5, 2))[0]
        victims = []
        for n in range(count):
            outcome = outcomes[0] if n == 0 else rng.choice(outcomes)
            if n == 0:
                wanted = PROFILES.get(context or "", ("activist", "human_rights_defender"))
                profiles = [rng.choice(wanted)]
            else:
                profiles = [rng.choice(("family_member", "bystander", "activist", "witness"))]
            victims.append({
                "person": self.person(admin1, profiles),
                "outcome": self.code("victim_outcome", (outcome,)),
                "harm_description": f"{_label('victim_outcome', outcome)} (fictional account).",
                "consent_to_publish_name": rng.random() < 0.45,
            })
        return victims

    def perpetrators(self, first: bool) -> list[dict]:
        rng = self.rng
        if first:
            # The coalition must exist before a brigade can name it as its parent.
            return [{"actor": {"name": COALITION[0], "actor_type": COALITION[1],
                               "uid": COALITION_UID},
                     "attribution": self.code("attribution", ("alleged",)),
                     "basis": "Fictional witness accounts."}]
        result = []
        for _n in range(rng.choices((0, 1, 2), weights=(15, 70, 15))[0]):
            entry: dict = {"attribution": self.code("attribution"),
                           "basis": rng.choice(("Witness accounts (fictional).",
                                                "A statement claiming the attack (fictional).",
                                                "Vehicle and uniforms described by relatives."))}
            if rng.random() < 0.1:
                latin, arabic = self.name("male")
                entry["person"] = {"full_name": latin, "name_original": arabic, "sex": "male"}
            else:
                name, actor_type = rng.choice(ACTORS)
                if actor_type not in self.codes["actor_type"]:
                    name, actor_type = ACTORS[0][0], self.code("actor_type")
                entry["actor"] = {"name": name, "actor_type": actor_type}
                if name in BRIGADES:
                    entry["actor"]["parent_uid"] = COALITION_UID
            result.append(entry)
        return result

    def citations(self, start: dt.date, type_label: str, place: str) -> list[dict]:
        rng = self.rng
        result = []
        for _n in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
            kind = self.code("source_kind")
            serial = self.next_serial()
            titles = {
                "ngo_report": f"Civic-space bulletin, {start:%B %Y} (demo)",
                "witness_testimony": f"Testimony of witness W-{serial:06d} (demo)",
                "victim_testimony": f"Testimony of victim V-{serial:06d} (demo)",
                "official_statement": f"Statement of the police of {place} (demo)",
                "court_record": f"Court record, case {serial}/{start.year} (demo)",
            }
            source = {"kind": kind, "title": titles.get(kind, f"{type_label} in {place} (demo)"),
                      "publisher": rng.choice(PUBLISHERS),
                      "published_on": start + dt.timedelta(days=rng.randint(0, 20)),
                      "language": rng.choices(("ar", "en", "ku"), weights=(60, 25, 15))[0],
                      "reliability": rng.choice("ABCDEF"), "credibility": rng.randint(1, 6)}
            if kind not in ("witness_testimony", "victim_testimony", "court_record"):
                source["url"] = f"https://example.org/demo/{kind}/{serial}"
            if kind == "ngo_report" and rng.random() < 0.3:
                source["is_confidential"] = True
            result.append({"source": source, "statement": f"Describes the {type_label.lower()}.",
                           "page": f"p. {rng.randint(1, 40)}" if rng.random() < 0.3 else None})
        return result

    def case_events(self, start: dt.date) -> list[dict]:
        rng = self.rng
        count = rng.choices((0, 1, 2, 3), weights=(45, 30, 15, 10))[0]
        kinds = sorted(rng.sample(CASE_EVENT_ORDER, count), key=CASE_EVENT_ORDER.index)
        result, day = [], start
        for kind in kinds:
            day += dt.timedelta(days=rng.randint(1, 90))
            code = self.code("case_event_kind", (kind,))
            result.append({"date": day, "kind": code,
                           "description": f"{_label('case_event_kind', code)} (fictional)."})
        return result

    def item(self, i: int) -> DemoItem:
        rng = self.rng
        types = self.codes["incident_type"]
        incident_type = self.cover(i, types)
        start = FIRST_DAY + dt.timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))
        precision = rng.choices(("day", "month", "year", "approximate"), (85, 8, 3, 4))[0]
        if precision == "month":
            start = start.replace(day=1)
        elif precision == "year":
            start = start.replace(month=1, day=1)
        admin1, governorate = rng.choice(self.places)
        locality = f"{rng.choice(PLACE_KINDS)}{rng.choice(PLACE_NAMES)}"
        context = self.code("context")
        type_label = ("Other incident" if incident_type == "other"
                      else _label("incident_type", incident_type))
        lat, lon = CENTRES.get(admin1, (None, None))
        geo = rng.choices(("exact", "near", "district", "governorate"), (40, 30, 20, 10))[0]
        spread = {"exact": 0.25, "near": 0.25, "district": 0.15}.get(geo, 0.0)
        victims = self.victims(incident_type, context, admin1)
        data = {
            "title": f"{type_label} in {locality}, {governorate} (demo)",
            "narrative": (f"Fictional demo record. {_affected(len(victims))} affected in "
                          f"{locality}. Every name, place and organisation here is invented."),
            "incident_type": incident_type, "start_date": start, "date_precision":
                self.code("date_precision", (precision,)),
            "time_of_day": rng.choice(("morning", "afternoon", "evening", "night", None)),
            "country": "IQ", "admin1": admin1, "admin2": f"{rng.choice(PLACE_NAMES)} district",
            "locality": locality,
            "latitude": None if lat is None else round(lat + rng.uniform(-spread, spread), 5),
            "longitude": None if lon is None else round(lon + rng.uniform(-spread, spread), 5),
            "geo_precision": self.code("geo_precision", (geo,)),
            "method": self.code("method", METHODS.get(incident_type, ("unknown",))),
            "context": context,
            "confidence": self.cover(i, CONFIDENCE_LEVELS, (50, 30, 20)),
            "sensitivity": self.cover(i, SENSITIVITIES, (92, 8)),
            "tags": [DEMO_TAG] + (["tishreen"] if context == "protest_related"
                                  and start.year in (2019, 2020) else []),
            "victims": victims, "perpetrators": self.perpetrators(i == 0),
            "citations": self.citations(start, type_label, governorate),
            "case_events": self.case_events(start),
        }
        if incident_type in ("abduction", "arbitrary_detention") and rng.random() < 0.5:
            data["end_date"] = start + dt.timedelta(days=rng.randint(1, 60))
        status = self.cover(i, STATUSES, [STATUS_WEIGHTS[s] for s in STATUSES])
        if status == "archived":
            steps = (*WORKFLOW[rng.choice(tuple(WORKFLOW))], "archive")
        else:
            steps = WORKFLOW[status]
        return DemoItem(incident=IncidentCreate.model_validate(data), status=status,
                        steps=steps, caseworker=rng.randrange(2), reviewer=rng.randrange(2))


def demo_incidents(count: int, seed: int,
                   codes: Mapping[str, Sequence[str]] | None = None) -> Iterator[DemoItem]:
    """`count` fictional incidents, the same for the same seed and vocabulary codes.

    `codes` maps each vocabulary to its active codes (default: the seed vocabularies), so
    the data stays valid in a database where an admin retired some terms."""
    if codes is None:
        codes = {v: [code for code, _en, _ar in VOCABULARIES[v]] for v in CODED_VOCABULARIES}
    generator = _Generator(seed, codes)
    for i in range(count):
        yield generator.item(i)


def _affected(count: int) -> str:
    return "1 person was" if count == 1 else f"{count} people were"
