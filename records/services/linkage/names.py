"""Name keys and name similarity across Arabic script and Latin transliterations.

A name is split into tokens (given name first, then father's, grandfather's, family name).
Articles and connectors (al-, el-, ال, bin, ibn) are dropped; "abd"/"abu"/"umm" are joined to
the word they govern. Each token gets:
- a Latin key: spelling variants folded (e/i, o/u, ou/u, ee/i, aa/a, kh/x, q/k, dh/z, th/s,
  ai/ay/ei/ey, doubled letters) and common given names brought to one form (lexicon.py);
- a consonant skeleton, comparable across scripts: Arabic letters transliterated to Latin
  consonants, vowels and medial w/y dropped on both sides.
Token similarity is rapidfuzz's normalised Indel similarity of those keys; a name score
aligns the tokens in order (the given name with the given name) and lets one mismatching
token pull the score down (relatives share every name but one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from records.services.linkage.lexicon import NAMES
from records.services.linkage.normalise import fold_text, is_arabic_script

# The score from which two names are shown as likely the same person: on the labelled set
# (tests/data/name_pairs.csv) precision and recall are flat from 82 to 90; 85 sits in the
# middle, so a spelling variant the rules miss by a little still reaches it.
DEFAULT_MIN_SCORE = 85.0

_ARABIC_CONSONANTS = str.maketrans({
    "ب": "b", "ت": "t", "ث": "s", "ج": "j", "ح": "h", "خ": "x", "د": "d", "ذ": "z",
    "ر": "r", "ز": "z", "س": "s", "ش": "$", "ص": "s", "ض": "z", "ط": "t", "ظ": "z",
    "غ": "g", "ف": "f", "ق": "k", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h",
    "پ": "p", "چ": "$", "ژ": "j", "گ": "g", "ڤ": "f",
    "ا": "", "ع": "", "ء": "", "و": "w", "ي": "y",
})
# Order matters: vowel pairs before single vowels, digraphs before their letters.
_LATIN_RULES: tuple[tuple[str, str], ...] = (
    (r"[^a-z]", ""), (r"dj", "j"), (r"kh", "x"), (r"gh", "g"), (r"sh|ch", "$"),
    (r"th", "s"), (r"dh", "z"), (r"ph", "f"), (r"ck|q|c", "k"),
    (r"aa", "a"), (r"ee|ie$", "i"), (r"ou|oo|uu", "u"), (r"(?:e|a)(?:i|y)(?![aeiou])", "ai"),
    (r"e", "i"), (r"o", "u"), (r"iy(?=a)", "i"), (r"(?<=[^aiu])y$", "i"),
    (r"(.)\1+", r"\1"),
)
_COMPILED = tuple((re.compile(p), r) for p, r in _LATIN_RULES)
_DROPPED = frozenset({"al", "el", "ul", "bin", "ben", "ibn", "bint", "ould", "wuld",
                      "بن", "ابن", "بنت", "ال"})
_JOINED_TO_NEXT = frozenset({"abd", "abdul", "abdel", "abdal", "abdil", "abu", "abou", "abo",
                             "umm", "um", "عبد", "ابو", "ام"})
_ABD_PREFIX = re.compile(r"^(?:abd[uea]l|abd)(?=[a-z]{3,})")


@lru_cache(maxsize=1 << 16)
def latin_key(token: str) -> str:
    """The spelling-variant key of one folded Latin token."""
    for pattern, repl in _COMPILED:
        token = pattern.sub(repl, token)
    return token


def _latin_skeleton(key: str) -> str:
    head, tail = key[:1], key[1:]
    if head in "aiu":
        head = ""
    tail = re.sub(r"[aiuwy]", "", tail)
    return _consonant_classes(head + tail)


def _consonant_classes(skeleton: str) -> str:
    # Letters transliterations swap: ج j/g, ض ظ ذ d/dh/z, پ p/b, ڤ v/f.
    return re.sub(r"(.)\1+", r"\1", skeleton.translate(_CLASSES))


_CLASSES = str.maketrans({"j": "g", "p": "b", "v": "f", "z": "d"})


def _arabic_skeleton(token: str) -> str:
    head, tail = token[:1], token[1:]
    tail = re.sub("[وي]", "", tail)
    return _consonant_classes(head.translate(_ARABIC_CONSONANTS)
                              + tail.translate(_ARABIC_CONSONANTS))


def _lexicon() -> tuple[dict[str, str], dict[str, str]]:
    arabic, latin = {}, {}
    for canonical, arabic_forms, variants in NAMES:
        key = latin_key(canonical)
        for form in arabic_forms:
            arabic[form] = key
        for spelling in (canonical, *variants):
            latin.setdefault(latin_key(spelling), key)
    return arabic, latin


_ARABIC_NAMES, _LATIN_NAMES = _lexicon()


@dataclass(frozen=True, slots=True, eq=False)
class NameToken:
    # Compared and hashed by identity: tokens are made once per distinct word (cached), and
    # the pair scores are cached by token, which must cost no more than a pointer.
    text: str        # the folded token (Arabic script or Latin)
    key: str         # Latin key; for Arabic script, the lexicon's key or "" when unknown
    skeleton: str    # consonant skeleton, comparable across scripts
    arabic: bool
    known: bool      # found in the name list (lexicon.py)


@lru_cache(maxsize=1 << 16)
def _token(text: str, arabic: bool) -> NameToken:
    if arabic:
        key = _ARABIC_NAMES.get(text, "")
        return NameToken(text, key, _arabic_skeleton(text), True, bool(key))
    key = latin_key(text)
    known = key in _LATIN_NAMES
    key = _LATIN_NAMES.get(key, key)
    return NameToken(text, key, _latin_skeleton(key), False, known)


@lru_cache(maxsize=1 << 14)
def _joined(prefix: str, word: str) -> NameToken:
    """A compound ("Abd al-Husayn", "عبد الحسين", "Abu Bakr"): the word keeps its own key from
    the name list and the prefix is put in front, in Latin, so scripts still compare."""
    part = _token(word, is_arabic_script(word))
    latin = {"عبد": "abd", "ابو": "abu", "ام": "um"}.get(prefix, prefix)
    latin = "abd" if latin.startswith("abd") else latin_key(latin)
    skeleton = _consonant_classes(_latin_skeleton(latin) + part.skeleton)
    key = latin + part.key if part.key else ""
    return NameToken(prefix + word, key, skeleton, part.arabic, part.known)


def _final_h_free(skeleton: str) -> str:
    # A final ة is folded to ه ("h"); Latin writes it "a" or "ah", and a true final h stays.
    return skeleton[:-1] if len(skeleton) > 1 and skeleton.endswith("h") else skeleton


# Sorani Kurdish writes vowels: ە is "e/a" and a word-initial ئ only carries a vowel.
_SORANI_VOWELS = str.maketrans({"ە": "ا", "ۆ": "و", "ێ": "ي"})
_INITIAL_HAMZA = re.compile(r"(?:(?<=\s)|^)ئ")


@lru_cache(maxsize=1 << 17)
def _folded_piece(piece: str) -> str:
    # One whitespace-separated piece of a name: pieces repeat across names, so this is cached.
    if piece.startswith("ئ"):
        piece = "ا" + piece[1:]
    return fold_text(piece.translate(_SORANI_VOWELS))


@lru_cache(maxsize=1 << 17)
def _word(word: str) -> tuple[str, ...]:
    """One folded word without its article; a Latin "Abdul..." split into "abd" and rest."""
    if is_arabic_script(word):
        if word.startswith("ال") and len(word) > 4:
            return (word[2:],)
        if word.startswith("وال") and len(word) > 5:
            return (word[3:],)
        return (word,)
    match = _ABD_PREFIX.match(word)
    if match and word not in _LATIN_NAMES:
        return ("abd", word[match.end():])
    if word[:2] in ("al", "el") and len(word) >= 6 and latin_key(word) not in _LATIN_NAMES:
        return (word[2:],)
    return (word,)


def _split(name: str) -> list[str]:
    folded = " ".join(_folded_piece(piece) for piece in name.split())
    if "عبد" in folded:
        # "عبدالرحمن", "عبد الرحمن": the article inside a compound name goes.
        folded = re.sub(r"عبد ?ال", "عبد ", folded)
    return [part for word in folded.split() for part in _word(word)]


@lru_cache(maxsize=1 << 12)
def name_tokens(name: str) -> tuple[NameToken, ...]:
    """The comparable tokens of a name, in order (particles dropped, compounds joined)."""
    tokens: list[NameToken] = []
    pending = ""
    for word in _split(name):
        if word in _DROPPED:
            continue
        if word in _JOINED_TO_NEXT:
            pending += "abd" if word.startswith("abd") else word
            continue
        if pending and word[:2] in ("al", "el", "ul") and len(word) > 4:
            word = word[2:]  # "Abd Allah", "Abu al-Hasan": the article inside the compound
        tokens.append(_joined(pending, word) if pending else
                      _token(word, is_arabic_script(word)))
        pending = ""
    if pending:
        tokens.append(_token(pending, is_arabic_script(pending)))
    return tuple(tokens)


def token_similarity(a: NameToken, b: NameToken) -> float:
    """0..1: how alike two tokens are, in the same script or across scripts. Squared, so a
    one-letter difference between two short names (Sami, Samir) weighs as a different name."""
    return _similarity(a, b) ** 2


def _similarity(a: NameToken, b: NameToken) -> float:
    if a.arabic and b.arabic and not (a.known and b.known):
        return Indel.normalized_similarity(a.text, b.text)
    if a.key and b.key:  # Latin, or Arabic found in the name list
        keys = Indel.normalized_similarity(a.key, b.key)
        if a.known or b.known or keys == 1.0:
            return keys
        # Two unlisted Latin spellings: "Dhiaa"/"Diaa", "Sarah"/"Sara" differ in letters
        # transliterations swap; with those letters in one class they are a near-exact key.
        classes = Indel.normalized_similarity(_final_h_free(_consonant_classes(a.key)),
                                              _final_h_free(_consonant_classes(b.key)))
        return max(keys, 0.95 * classes)
    if not a.skeleton or not b.skeleton:
        return 0.0
    return max(Indel.normalized_similarity(a.skeleton, b.skeleton),
               Indel.normalized_similarity(_final_h_free(a.skeleton),
                                           _final_h_free(b.skeleton)))


def _aligned(short: tuple[NameToken, ...], long: tuple[NameToken, ...]) -> list[float]:
    """Best in-order alignment of `short` into `long`, the first token with the first."""
    if len(short) == len(long):
        return [token_similarity(a, b) for a, b in zip(short, long, strict=True)]
    first = token_similarity(short[0], long[0])
    rest_s, rest_l = short[1:], long[1:]
    n, m = len(rest_s), len(rest_l)
    # best[i][j]: best total for rest_s[:i] placed in order within rest_l[:j]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    picks: list[list[list[float]]] = [[[] for _ in range(m + 1)] for _ in range(n + 1)]
    for i in range(1, n + 1):
        best[i][i - 1] = float("-inf")
        for j in range(i, m + 1):
            skip = best[i][j - 1] if j - 1 >= i else float("-inf")
            sim = token_similarity(rest_s[i - 1], rest_l[j - 1])
            take = best[i - 1][j - 1] + sim
            if take >= skip:
                best[i][j], picks[i][j] = take, picks[i - 1][j - 1] + [sim]
            else:
                best[i][j], picks[i][j] = skip, picks[i][j - 1]
    return [first, *picks[n][m]]


def name_score(a: str, b: str) -> float:
    """0..100: how likely two written names are the same name. A quarter of the mean of the
    aligned token similarities plus three quarters of the weakest one (relatives share every
    name but one, so one differing name must weigh), less 4 points per token only one name has
    (a father's name added in one report) and 20 when one name is a single word."""
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return 0.0
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    sims = _aligned(short, long)
    score = 100 * (0.25 * sum(sims) / len(sims) + 0.75 * min(sims))
    score -= 4 * (len(long) - len(short))
    if len(short) == 1:
        score -= 20
    return max(0.0, round(score, 1))


def blocking_keys(name: str) -> set[str]:
    """Keys two names of one person very likely share, from the token skeletons: the given
    name with the father's and the last name ("g|f|l"), and for a two-word name "g|x".
    A longer name also carries its "g|f" and "g|l" keys marked "~": it meets a two-word
    name there, but two long names meet only on their full key (pairs.py)."""
    return token_keys(name_tokens(name))


def token_keys(tokens: tuple[NameToken, ...]) -> set[str]:
    """blocking_keys of a name already split into tokens."""
    skeletons = [t.skeleton for t in tokens if t.skeleton]
    if len(skeletons) < 2:
        return {skeletons[0]} if skeletons else set()
    if len(skeletons) == 2:
        return {"|".join(skeletons)}
    first, second, last = skeletons[0], skeletons[1], skeletons[-1]
    return {f"{first}|{second}|{last}", f"~{first}|{second}", f"~{first}|{last}"}
