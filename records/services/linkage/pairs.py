"""Candidate pairs over records in memory: blocking, then scores with their reasons.

No all-pairs comparison. People are compared only within a blocking key (names.py: the
given name's skeleton with a later name's); a key shared by more than BLOCK_LIMIT people
("Mohammed Ali") is compared by sorted neighbourhood instead: its members in order of their
name key, each with the next NEIGHBOURS. Incidents are compared within a governorate when
their date intervals (at their precision) come within DATE_SLACK days, and across
governorates when they share a victim.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from records.services.linkage.names import (
    NameToken,
    _aligned,
    blocking_keys,
    name_tokens,
    token_keys,
)
from records.services.linkage.normalise import fold_text

BLOCK_LIMIT = 300
NEIGHBOURS = 25
DATE_SLACK = 3  # days between two reports' dates of one event (day precision)
NEAR_KM = 10.0


@dataclass
class PersonRecord:
    id: int
    key: str                   # uid
    names: tuple[str, ...]     # full name, original-script name, aliases (opened)
    birth_year: int | None = None
    age: int | None = None
    sex: str = "unknown"
    home_admin1: str | None = None
    profiles: tuple[str, ...] = ()
    tokens: tuple[tuple[NameToken, ...], ...] = field(default=(), repr=False)


@dataclass
class IncidentRecord:
    id: int
    key: str                   # ref
    title: str
    incident_type: str
    start: dt.date             # first and last day the dates stand for (incident_interval)
    end: dt.date
    exact_day: bool
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    locality: str | None = None
    victim_ids: frozenset[int] = frozenset()
    victim_names: tuple[str, ...] = ()
    victim_keys: frozenset = field(default=frozenset(), repr=False)

    def prepare(self) -> IncidentRecord:
        """Compute the victims' blocking keys (ids and name keys) once."""
        keys: set = set(self.victim_ids)
        for name in self.victim_names:
            keys |= blocking_keys(name)
        self.victim_keys = frozenset(keys)
        return self


@dataclass(frozen=True)
class Scored:
    a: int      # index into the records given
    b: int
    score: float
    reasons: tuple[tuple[str, object], ...]  # (reason code, detail) for the caller to word


# --- people -------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 18)
def _token_pair(a: NameToken, b: NameToken) -> float:
    from records.services.linkage.names import token_similarity
    return token_similarity(a, b)


def _names_score(ta: tuple[NameToken, ...], tb: tuple[NameToken, ...]) -> float:
    # names.name_score on tokens already made, with the token similarities cached.
    if not ta or not tb:
        return 0.0
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(short) == len(long):  # in order and of one length: token by token
        sims = [_token_pair(a, b) for a, b in zip(short, long, strict=True)]
    else:
        sims = _aligned(short, long)
    score = 100 * (0.25 * sum(sims) / len(sims) + 0.75 * min(sims))
    score -= 4 * (len(long) - len(short)) + (20 if len(short) == 1 else 0)
    return max(0.0, round(score, 1))


def _prepare(people: list[PersonRecord]) -> None:
    for person in people:
        if not person.tokens:
            person.tokens = tuple(t for t in (name_tokens.__wrapped__(n)
                                              for n in person.names if n) if t)


def _person_blocks(people: list[PersonRecord]) -> Iterator[tuple[int, int]]:
    # A key "~g|x" is a long name's way to meet the two-word names keyed "g|x": members of
    # both go in one block, and two long members there are not paired (they meet on their
    # full keys).
    blocks: dict[str, list[int]] = defaultdict(list)
    long_in: dict[str, set[int]] = defaultdict(set)
    for index, person in enumerate(people):
        keys: set[str] = set()
        for tokens in person.tokens:
            keys |= token_keys(tokens)
        for key in keys:
            if key.startswith("~"):
                blocks[key[1:]].append(index)
                long_in[key[1:]].add(index)
            else:
                blocks[key].append(index)
    seen: set[tuple[int, int]] = set()
    for key, members in blocks.items():
        if len(members) < 2:
            continue
        members = sorted(set(members))
        longs = long_in.get(key, set())
        if longs:
            shorts = [m for m in members if m not in longs]
            if not shorts:
                continue
            # Only pairs with a short name in them: each short against every member.
            pairs = ((a, b) for a in shorts[:BLOCK_LIMIT] for b in members if a != b)
        elif len(members) <= BLOCK_LIMIT:
            pairs = ((a, b) for i, a in enumerate(members) for b in members[i + 1:])
        else:
            ordered = sorted(members, key=lambda i: " ".join(t.key or t.skeleton
                                                            for t in people[i].tokens[0]))
            pairs = ((a, b) for i, a in enumerate(ordered)
                     for b in ordered[i + 1:i + 1 + NEIGHBOURS])
        for a, b in pairs:
            pair = (a, b) if a < b else (b, a)
            if pair not in seen:
                seen.add(pair)
                yield pair


def score_people(a: PersonRecord, b: PersonRecord) -> tuple[float, tuple]:
    """A person pair's score (0..100) and reasons: the best name score over both people's
    names, moved by what else is known (birth year or age, sex, home governorate)."""
    best = 0.0
    for ta in a.tokens:
        for tb in b.tokens:
            best = max(best, _names_score(ta, tb))
    score, reasons = best, [("name", best)]
    born_a = a.birth_year
    born_b = b.birth_year
    if born_a and born_b:
        gap = abs(born_a - born_b)
        score += 5 if gap <= 2 else -30
        reasons.append(("born_close" if gap <= 2 else "born_apart", (born_a, born_b)))
    elif a.age is not None and b.age is not None:
        gap = abs(a.age - b.age)
        score += 3 if gap <= 2 else -20
        reasons.append(("age_close" if gap <= 2 else "age_apart", (a.age, b.age)))
    if {a.sex, b.sex} == {"female", "male"}:
        score -= 40
        reasons.append(("sex_differs", None))
    if a.home_admin1 and b.home_admin1:
        same = a.home_admin1 == b.home_admin1
        score += 3 if same else -10
        reasons.append(("same_home" if same else "other_home", (a.home_admin1, b.home_admin1)))
    shared = sorted(set(a.profiles) & set(b.profiles) - {"witness"})
    if shared:
        score += 2
        reasons.append(("profile", shared[0]))
    return max(0.0, min(100.0, round(score, 1))), tuple(reasons)


def person_pairs(people: list[PersonRecord], *, min_score: float,
                 skip: set[tuple[str, str]] = frozenset()) -> list[Scored]:
    """Candidate pairs among `people` scoring at least `min_score`, highest first; pairs
    whose (smaller key, larger key) is in `skip` (judged not the same) left out."""
    _prepare(people)
    # A pair cannot reach min_score once its names alone are too far below it: the other
    # evidence adds at most 10.
    floor = min_score - 10
    found = []
    for a, b in _person_blocks(people):
        pa, pb = people[a], people[b]
        quick = max((_names_score(ta, tb) for ta in pa.tokens[:1] for tb in pb.tokens[:1]),
                    default=0.0)
        if quick < floor and len(pa.tokens) == 1 and len(pb.tokens) == 1:
            continue
        score, reasons = score_people(pa, pb)
        if score >= min_score and _ordered(pa.key, pb.key) not in skip:
            found.append(Scored(a, b, score, reasons))
    found.sort(key=lambda s: (-s.score, people[s.a].key, people[s.b].key))
    return found


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


class PeopleIndex:
    """People by blocking key (a long name's "~" keys with the plain ones), built once, so
    each probe is compared only with those sharing a key."""

    def __init__(self, people: Iterable[PersonRecord]) -> None:
        self.people = list(people)
        _prepare(self.people)
        self.by_key: dict[str, list[PersonRecord]] = defaultdict(list)
        for person in self.people:
            keys: set[str] = set()
            for tokens in person.tokens:
                keys |= {k.lstrip("~") for k in token_keys(tokens)}
            for key in keys:
                self.by_key[key].append(person)

    def near(self, name: str) -> list[PersonRecord]:
        seen: dict[int, PersonRecord] = {}
        for key in {k.lstrip("~") for k in blocking_keys(name)}:
            for person in self.by_key.get(key, ()):
                seen.setdefault(person.id, person)
        return list(seen.values())


def matches_for(name: str, people: Iterable[PersonRecord] | PeopleIndex, *,
                min_score: float, birth_year: int | None = None, limit: int = 10
                ) -> list[tuple[float, tuple, PersonRecord]]:
    """The people most likely to be `name` (a victim being added), best first."""
    index = people if isinstance(people, PeopleIndex) else PeopleIndex(people)
    probe = PersonRecord(id=0, key="", names=(name,), birth_year=birth_year)
    _prepare([probe])
    out = []
    for person in index.near(name):
        score, reasons = score_people(probe, person)
        if score >= min_score:
            out.append((score, reasons, person))
    out.sort(key=lambda item: (-item[0], item[2].key))
    return out[:limit]


# --- incidents ----------------------------------------------------------------------------

def _km(a: IncidentRecord, b: IncidentRecord) -> float | None:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _victim_match(a: IncidentRecord, b: IncidentRecord) -> tuple[str, object] | None:
    if a.victim_ids & b.victim_ids:
        return ("shared_victim", len(a.victim_ids & b.victim_ids))
    if not a.victim_keys & b.victim_keys:
        return None  # no two victim names share a blocking key: none can score 85
    best = 0.0
    for name_a in a.victim_names:
        for name_b in b.victim_names:
            best = max(best, _names_score(name_tokens(name_a), name_tokens(name_b)))
    return ("similar_victim", best) if best >= 85 else None


@lru_cache(maxsize=1 << 17)
def _folded(title: str) -> str:
    return fold_text(title)


def score_incidents(a: IncidentRecord, b: IncidentRecord, min_score: float = 0.0
                    ) -> tuple[float, tuple]:
    """An incident pair's score (0..100) and reasons: dates, place, type, victims, title.
    With `min_score`, a pair that cannot reach it is given up early (score 0)."""
    reasons: list[tuple[str, object]] = []
    score = 0.0
    gap = max((b.start - a.end).days, (a.start - b.end).days, 0)
    if gap == 0 and a.exact_day and b.exact_day:
        score += 30
        reasons.append(("same_day", None))
    elif gap == 0:
        score += 15
        reasons.append(("dates_overlap", None))
    elif gap <= DATE_SLACK:
        score += 20
        reasons.append(("days_apart", gap))
    km = _km(a, b)
    if km is not None and km <= NEAR_KM:
        score += 20
        reasons.append(("near", round(km, 1)))
    elif a.admin1 and a.admin1 == b.admin1:
        score += 10
        reasons.append(("same_governorate", a.admin1))
    if a.incident_type == b.incident_type:
        score += 15
        reasons.append(("same_type", a.incident_type))
    if score + 10 + (35 if a.victim_keys & b.victim_keys else 0) < min_score:
        return 0.0, ()
    victim = _victim_match(a, b)
    if victim:
        score += 35 if victim[0] == "shared_victim" else 30
        reasons.append(victim)
    title = fuzz.token_set_ratio(_folded(a.title), _folded(b.title))
    if title >= 60:
        score += round((title - 60) / 4, 1)  # at most 10
        reasons.append(("similar_title", round(title)))
    return min(100.0, round(score, 1)), tuple(reasons)


def _incident_blocks(incidents: list[IncidentRecord]) -> Iterator[tuple[int, int]]:
    seen: set[tuple[int, int]] = set()
    by_place: dict[str | None, list[int]] = defaultdict(list)
    for index, incident in enumerate(incidents):
        by_place[incident.admin1].append(index)
    slack = dt.timedelta(days=DATE_SLACK)
    victim_keys = [incident.victim_keys for incident in incidents]
    for members in by_place.values():
        # Interval sweep: each incident against those whose interval began before it and
        # has not ended (with the slack) when it begins.
        members.sort(key=lambda i: (incidents[i].start, incidents[i].end))
        active: list[int] = []
        for index in members:
            start = incidents[index].start
            active = [j for j in active if incidents[j].end + slack >= start]
            for j in active:
                # Dates known only to the month or year overlap with everything near them:
                # such a pair is worth a look only with a victim in common.
                if not (incidents[j].exact_day and incidents[index].exact_day) and not (
                        victim_keys[j] & victim_keys[index]):
                    continue
                pair = (j, index) if j < index else (index, j)
                if pair not in seen:
                    seen.add(pair)
                    yield pair
            active.append(index)
    by_victim: dict[int, list[int]] = defaultdict(list)
    for index, incident in enumerate(incidents):
        for victim in incident.victim_ids:
            by_victim[victim].append(index)
    for members in by_victim.values():
        for i, a in enumerate(members[:BLOCK_LIMIT]):
            for b in members[i + 1:BLOCK_LIMIT]:
                pair = (a, b) if a < b else (b, a)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def incident_pairs(incidents: list[IncidentRecord], *, min_score: float,
                   skip: set[tuple[str, str]] = frozenset()) -> list[Scored]:
    """Candidate incident pairs scoring at least `min_score`, highest first."""
    for incident in incidents:
        incident.prepare()
    found = []
    for a, b in _incident_blocks(incidents):
        ia, ib = incidents[a], incidents[b]
        score, reasons = score_incidents(ia, ib, min_score)
        if score >= min_score and _ordered(ia.key, ib.key) not in skip:
            found.append(Scored(a, b, score, reasons))
    found.sort(key=lambda s: (-s.score, incidents[s.a].key, incidents[s.b].key))
    return found
