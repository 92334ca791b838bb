"""Candidate generation at national scale: 150 000 people and 100 000 incidents, made up in
memory (names from the name list in Latin and Arabic script, some reported twice with
another spelling), through the same blocking and scoring as `sijil duplicates`.

    .venv/bin/python benchmarks/bench_linkage.py [people] [incidents]

Prints the time of each step and the pairs found. Not a test: a figure for the design.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from records.services.linkage.lexicon import NAMES
from records.services.linkage.pairs import (
    IncidentRecord,
    PersonRecord,
    incident_pairs,
    person_pairs,
)

FAMILIES = ["al-Wazni", "al-Taie", "al-Jubouri", "al-Dulaimi", "al-Tamimi", "al-Obaidi",
            "al-Shammari", "al-Zubaidi", "al-Hashimi", "al-Douri", "al-Rubaie", "al-Khafaji",
            "al-Azzawi", "al-Saadi", "al-Ani", "al-Rawi", "al-Issawi", "al-Mousawi",
            "al-Hakim", "al-Jaber", "al-Maliki", "al-Kubaisi", "al-Karbalai", "al-Basri",
            "al-Najafi", "al-Hilli", "al-Kurdi", "al-Sudani", "al-Amiri", "al-Lami"]
GOVERNORATES = [f"IQ-{c}" for c in ("BG", "BA", "NI", "KA", "NA", "AN", "DI", "SD", "KI",
                                    "BB", "QA", "MA", "DQ", "WA", "MU", "AR", "SU", "DA")]
TYPES = ["killing", "attempted_killing", "abduction", "arrest", "threat", "injury"]


def _spelling(rng: random.Random, canonical: str, variants: tuple[str, ...],
              arabic: tuple[str, ...]) -> str:
    choice = rng.random()
    if choice < 0.15 and arabic:
        return arabic[0]
    if choice < 0.45 and variants:
        return rng.choice(variants).title()
    return canonical.rstrip("0123456789").title()


def make_people(count: int, rng: random.Random) -> list[PersonRecord]:
    given = [n for n in NAMES if n[0] != "abd"]
    people = []
    for index in range(count):
        if index % 20 == 19:  # one in twenty is someone already listed, spelt again
            model = people[rng.randrange(len(people))]
            base = model.names[0].replace("al-", "Al ").replace("ss", "s")
            people.append(PersonRecord(index, f"p{index:07d}", (base,), model.birth_year,
                                       None, model.sex, model.home_admin1))
            continue
        first, father = rng.choice(given), rng.choice(given)
        name = " ".join((_spelling(rng, *first), _spelling(rng, *father),
                         rng.choice(FAMILIES)))
        people.append(PersonRecord(index, f"p{index:07d}", (name,),
                                   rng.choice([None, rng.randint(1950, 2005)]), None,
                                   rng.choice(["male", "female", "unknown"]),
                                   rng.choice([None, *GOVERNORATES])))
    return people


def make_incidents(count: int, people: list[PersonRecord], rng: random.Random
                   ) -> list[IncidentRecord]:
    first_day = dt.date(2014, 1, 1)
    incidents = []
    for index in range(count):
        day = first_day + dt.timedelta(days=rng.randrange(3650))
        precision = rng.choices(["day", "month", "year"], [90, 8, 2])[0]
        start, end = day, day
        if precision == "month":
            start = day.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        elif precision == "year":
            start, end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
        victims = rng.sample(people, rng.choice([0, 1, 1, 1, 2, 3]))
        incidents.append(IncidentRecord(
            index, f"INC-{index:06d}", f"{rng.choice(TYPES)} in {rng.choice(GOVERNORATES)}",
            rng.choice(TYPES), start, end, precision == "day", rng.choice(GOVERNORATES),
            None, None, None, frozenset(v.id for v in victims),
            tuple(v.names[0] for v in victims)))
    return incidents


def main() -> None:
    n_people = int(sys.argv[1]) if len(sys.argv) > 1 else 150_000
    n_incidents = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(16)
    t0 = time.perf_counter()
    people = make_people(n_people, rng)
    incidents = make_incidents(n_incidents, people, rng)
    t1 = time.perf_counter()
    person_found = person_pairs(people, min_score=85.0)
    t2 = time.perf_counter()
    incident_found = incident_pairs(incidents, min_score=60.0)
    t3 = time.perf_counter()
    print(f"made {n_people} people and {n_incidents} incidents in {t1 - t0:.1f} s")
    print(f"people:    {len(person_found)} pairs at >= 85 in {t2 - t1:.1f} s")
    print(f"incidents: {len(incident_found)} pairs at >= 60 in {t3 - t2:.1f} s")
    print(f"candidate generation: {t3 - t1:.1f} s")


if __name__ == "__main__":
    main()
