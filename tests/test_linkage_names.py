"""Name matching across Arabic script and transliterations, measured on a labelled set."""

import csv
from pathlib import Path

import pytest

from records.services.linkage import DEFAULT_MIN_SCORE, blocking_keys, name_score

PAIRS = Path(__file__).parent / "data" / "name_pairs.csv"


def _labelled():
    with PAIRS.open(encoding="utf-8") as handle:
        return [(r["name_a"], r["name_b"], r["same"] == "1") for r in csv.DictReader(handle)]


def test_labelled_set_is_large_and_mixed():
    rows = _labelled()
    assert len(rows) >= 300
    assert sum(same for *_, same in rows) >= 150 and sum(not same for *_, same in rows) >= 100
    arabic = [r for r in rows if any("\u0600" <= c <= "\u06ff" for c in r[0] + r[1])]
    assert len(arabic) >= 100


def test_precision_and_recall_at_the_default_score():
    rows = _labelled()
    tp = fp = fn = 0
    for a, b, same in rows:
        hit = name_score(a, b) >= DEFAULT_MIN_SCORE
        tp += hit and same
        fp += hit and not same
        fn += same and not hit
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"persons: n={len(rows)} precision={precision:.3f} recall={recall:.3f} "
          f"at {DEFAULT_MIN_SCORE}")
    assert precision >= 0.95
    assert recall >= 0.90


@pytest.mark.parametrize("a, b", [
    ("Ihab al-Wazni", "Ehab Al Wazni"),
    ("Ihab al Wazni", "Ehab al Wazni"),          # no hyphen: the missed case
    ("Ihab al-Wazni", "إيهاب الوزني"),
    ("Fahim al-Taie", "فهيم الطائي"),
    ("Abdul Rahman Khalil", "عبد الرحمن خليل"),
])
def test_spellings_of_one_name_match(a, b):
    assert name_score(a, b) >= DEFAULT_MIN_SCORE
    assert blocking_keys(a) & blocking_keys(b)


@pytest.mark.parametrize("a, b", [
    ("Ali Hassan", "Ali Hussein"),
    ("Ali Hassan", "علي حسين"),
    ("Ali Hassan", "Hassan Ali"),                # son and father: order is meaning
    ("Ali Hassan al-Wazni", "Ahmed Hassan al-Wazni"),  # brothers
])
def test_different_people_do_not_match(a, b):
    assert name_score(a, b) < DEFAULT_MIN_SCORE


def test_score_is_symmetric_and_bounded():
    assert name_score("Ihab al-Wazni", "Ihab Ahmed al-Wazni") == 96.0
    assert name_score("Ihab Ahmed al-Wazni", "Ihab al-Wazni") == 96.0
    assert name_score("", "Ihab") == 0.0
