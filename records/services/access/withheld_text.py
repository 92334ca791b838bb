"""Withheld names taken out of free text.

Where `redaction.may_show_name` withholds a person's name, the name must not come back
through a narrative, a follow-up event's description, a perpetrator's basis, a harm
description, a citation or a file description shown beside "Name withheld". `NameCutter`
finds every recorded spelling of those people (full name, original-script name, aliases)
in a text and replaces each occurrence with "[name withheld]".

Matching goes through the linkage's name tokens (records/services/linkage/names.py), so
what linkage treats as one spelling is cut as one: Arabic with or without hamza,
diacritics or tatweel, ta marbuta written as ha, the article and "bin"/"ibn" dropped,
"Abd"/"Abu" joined to the next word, Latin transliterations folded (Hassan/Hasan,
Hussein/Husayn) and an Arabic name from the name list against its Latin spelling. A
spelling matches only as a whole sequence of words, in order; a name of three or more
words is also cut where it appears as its given and father's names or its given and last
names, the short forms writers use. Unrelated words are never cut on their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from records.i18n import _
from records.sealing import erased_text
from records.services.linkage.names import NameToken, name_tokens
from records.services.linkage.normalise import is_arabic_script

# Apostrophes and transliteration signs belong to a word ("Ta'i", "Saʿid"), as in fold_text.
_IN_WORD = frozenset("'’‘`´ʼʻʿʾ\u200c\u200d\u0640")
# An English possessive after a name ("Ali Hassan's"): the name is cut, the "'s" stays.
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
# Arabic proclitics written joined to the next word: "and", "so", "with/by", "for", "like".
_PROCLITICS = ("و", "ف", "ب", "ل", "ك")


def withheld_marker() -> str:
    """What stands where a withheld name was cut, in the reader's language."""
    return _("[name withheld]")


def spellings_of(full_name: str | None, name_original: str | None = None,
                 aliases: Iterable[str] | None = None) -> list[str]:
    """A person's recorded spellings, in the order given, blanks left out."""
    return [s.strip() for s in (full_name, name_original, *(aliases or ())) if s and s.strip()]


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char in _IN_WORD or unicodedata.category(char).startswith("M")


def _words(text: str) -> list[tuple[str, int, int]]:
    """The words of `text` with their start and end offsets."""
    words, start = [], None
    for i, char in enumerate(text):
        if _is_word_char(char):
            if start is None:
                start = i
        elif start is not None:
            words.append((text[start:i], start, i))
            start = None
    if start is not None:
        words.append((text[start:], start, len(text)))
    out = []
    for word, begin, end in words:
        possessive = _POSSESSIVE.search(word)
        if possessive and possessive.start() > 0:
            word, end = word[:possessive.start()], begin + possessive.start()
        out.append((word, begin, end))
    return out


def _same(a: NameToken, b: NameToken) -> bool:
    """Whether a word of the text is this word of the name, strictly: the same folded
    Arabic, the same Latin key, or across scripts the same name-list entry or consonants."""
    if a.arabic and b.arabic:
        return a.text == b.text or (a.known and b.known and a.key == b.key)
    if not a.arabic and not b.arabic:
        return bool(a.key) and a.key == b.key  # a word of digits has no key
    if a.known and b.known:
        return a.key == b.key
    if a.known or b.known:
        return False  # a listed name against an unlisted word: different names
    return len(a.skeleton) >= 3 and a.skeleton == b.skeleton


def _sequences(spelling: str) -> list[tuple[NameToken, ...]]:
    tokens = name_tokens(spelling)
    if not tokens:
        return []
    found = [tokens]
    if len(tokens) >= 3:
        found += [tokens[:2], (tokens[0], tokens[-1])]
    return found


@dataclass(frozen=True)
class NameCutter:
    """Finds and cuts the spellings of withheld names in free text."""

    spellings: tuple[str, ...]

    @classmethod
    def of(cls, spellings: Iterable[str]) -> NameCutter:
        return cls(tuple(dict.fromkeys(s for s in spellings if s and s.strip())))

    def __bool__(self) -> bool:
        return bool(self.spellings)

    def _patterns(self) -> Iterator[tuple[str, tuple[NameToken, ...]]]:
        for spelling in self.spellings:
            for sequence in _sequences(spelling):
                yield spelling, sequence

    def _matches(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, spelling) of each occurrence, leftmost and longest first."""
        words = _words(text)
        if not words:
            return []
        patterns = list(self._patterns())
        longest = max((len(s) for _, s in patterns), default=0)
        # Two words _same() calls alike share their key or their skeleton: a word that
        # shares neither with the first word of any name starts no match.
        keys = {s[0].key for _, s in patterns if s[0].key}
        skeletons = {s[0].skeleton for _, s in patterns if s[0].skeleton}
        found = []
        for i in range(len(words)):
            if all(head is not None and head.key not in keys and head.skeleton not in skeletons
                   for _variant, head in _starts(words[i][0])):
                continue
            for spelling, sequence in patterns:
                end = _match_at(words, i, sequence, longest)
                if end is not None:
                    found.append((words[i][1], words[end][2], spelling))
        found.sort(key=lambda m: (m[0], -m[1]))
        kept, reach = [], -1
        for start, end, spelling in found:
            if start >= reach:
                kept.append((start, end, spelling))
                reach = end
        return kept

    def cut(self, text: str | None) -> str | None:
        """`text` with every occurrence of a withheld name replaced by the marker."""
        if not text or not self.spellings:
            return text
        matches = self._matches(text)
        if not matches:
            return text
        marker, parts, last = withheld_marker(), [], 0
        for start, end, _spelling in matches:
            parts += [text[last:start], marker]
            last = end
        parts.append(text[last:])
        return "".join(parts)

    def found(self, *texts: str | None) -> list[str]:
        """The spellings (as recorded) that occur in any of `texts`, in recorded order."""
        seen = {spelling for text in texts if text for _s, _e, spelling in self._matches(text)}
        return [s for s in self.spellings if s in seen]


@lru_cache(maxsize=1 << 14)
def _starts(word: str) -> tuple[tuple[str, NameToken | None], ...]:
    """How a run of words may begin with `word`: the word, and for Arabic script the word
    without a joined proclitic ("وعلي"), each with the token it makes alone, or None when
    it makes no token of its own (a particle, or "Abu"/"Abd" joined to the next word)."""
    variants = [word]
    if len(word) > 3 and word[0] in _PROCLITICS and is_arabic_script(word):
        variants.append(word[1:])
    starts = []
    for variant in variants:
        tokens = name_tokens(variant)
        joined = len(name_tokens(variant + " x")) == 1
        starts.append((variant, tokens[0] if len(tokens) == 1 and not joined else None))
    return tuple(starts)


def _match_at(words: list[tuple[str, int, int]], i: int, sequence: tuple[NameToken, ...],
              longest: int) -> int | None:
    """The index of the last word of the shortest run of words from `i` whose name tokens
    are `sequence`, or None. A run may hold more words than the name has tokens: particles
    ("al", "bin") and compounds ("Abu Bakr") are words that make no token of their own."""
    for variant, head in _starts(words[i][0]):
        if head is not None and not _same(head, sequence[0]):
            continue
        for j in range(i, min(len(words), i + 2 * longest + 2)):
            run = " ".join([variant, *(w for w, _s, _e in words[i + 1:j + 1])])
            # Uncached: runs of a text are seldom seen twice, and would push the names
            # that record linkage compares out of name_tokens' cache.
            tokens = name_tokens.__wrapped__(run)
            if len(tokens) > len(sequence):
                break
            if len(tokens) == len(sequence) and all(
                    _same(a, b) for a, b in zip(tokens, sequence, strict=True)):
                return j
    return None


# --- the surfaces -------------------------------------------------------------------------

# The free text of an exported record (export_records.incident_record) and of its parts.
RECORD_TEXT = ("title", "narrative")
PART_TEXT = {"victims": ("harm_description",), "perpetrators": ("basis",),
             "citations": ("statement", "quote"), "case_events": ("description",),
             "attachments": ("description",)}


def cutter_for(withheld: Iterable[Iterable[str]], shown: Iterable[Iterable[str]] = ()
               ) -> NameCutter:
    """A cutter for the spellings of the people whose name is withheld, less any spelling
    that the same record shows as a name anyway (a consenting victim who is also named as
    a witness's relative): cutting a name printed beside the text would hide nothing."""
    # A name whose key was destroyed reads as the erased marker: nothing to look for.
    named = {s for spellings in shown for s in spellings} | {erased_text()}
    return NameCutter.of(s for spellings in withheld for s in spellings if s not in named)


def cut_record(record: dict, cutter: NameCutter) -> dict:
    """An exported record (a dict) with the withheld names cut from its free text. The
    record's own parts are replaced, never changed in place."""
    if not cutter:
        return record
    out = {**record, **{f: cutter.cut(record.get(f)) for f in RECORD_TEXT if f in record}}
    for part, fields in PART_TEXT.items():
        if record.get(part):
            out[part] = [{**row, **{f: cutter.cut(row.get(f)) for f in fields if f in row}}
                         for row in record[part]]
    return out


def cut_read(read, cutter: NameCutter):
    """An incident read model (records.models.incident_io.IncidentRead) with the withheld
    names cut from its free text."""
    if not cutter:
        return read

    def rows(items, fields):
        return [item.model_copy(update={f: cutter.cut(getattr(item, f)) for f in fields})
                for item in items]

    return read.model_copy(update={
        **{f: cutter.cut(getattr(read, f)) for f in RECORD_TEXT},
        **{part: rows(getattr(read, part), fields) for part, fields in PART_TEXT.items()
           if part != "attachments"}})


_PEOPLE_PARTS = ("victims", "perpetrators", "case_events")


def _spellings(person: dict) -> list[str]:
    return spellings_of(person.get("full_name"), person.get("name_original"),
                        person.get("aliases"))


def record_cutter(record: dict, shown: dict) -> NameCutter:
    """The cutter for an exported record: `record` as built (names opened) and `shown`, the
    same record after redaction, whose people say which names are withheld. Victims,
    perpetrators and follow-up events are in the same order in both."""
    withheld, named = [], []
    for part in _PEOPLE_PARTS:
        for before, after in zip(record.get(part) or (), shown.get(part) or (), strict=False):
            person, redacted = before.get("person"), after.get("person")
            if person is None or redacted is None:
                continue
            (withheld if redacted.get("name_withheld") else named).append(_spellings(person))
    return cutter_for(withheld, named)


def record_texts(record: dict) -> list[str]:
    """Every free text of an exported record and of its parts."""
    texts = [record.get(f) for f in RECORD_TEXT]
    texts += [row.get(f) for part, fields in PART_TEXT.items()
              for row in record.get(part) or () for f in fields]
    return [t for t in texts if t]
