"""Record linkage: one victim, one incident, however many reports and spellings.

Owns text folding for search and the name keys and scores (normalise, names, lexicon), the
person and incident candidate pairs with scores and reasons (candidates), the pairs judged
"not the same" (judged), and merging two records into one and undoing it (merge).

The search index folds with `fold_text` while it is being imported itself, so only the
folding and name modules load with the package; the rest load on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from records.services.linkage.names import (
    DEFAULT_MIN_SCORE,
    blocking_keys,
    name_score,
    name_tokens,
)
from records.services.linkage.normalise import fold_text, is_arabic_script

_LAZY = {
    "MergeRead": "merge", "MergeRefused": "merge", "list_merges": "merge",
    "merge_incidents": "merge", "merge_people": "merge", "merge_records": "merge",
    "unmerge": "merge",
    "Candidate": "candidates", "incident_candidates": "candidates",
    "person_candidates": "candidates", "similar_incidents": "candidates",
    "similar_people": "candidates", "candidate_pairs": "candidates",
    "default_min_score": "candidates", "DEFAULT_INCIDENT_MIN_SCORE": "candidates",
    "judge_distinct": "judged",
}

__all__ = [
    "DEFAULT_INCIDENT_MIN_SCORE",
    "DEFAULT_MIN_SCORE",
    "Candidate",
    "MergeRead",
    "MergeRefused",
    "blocking_keys",
    "candidate_pairs",
    "default_min_score",
    "fold_text",
    "incident_candidates",
    "is_arabic_script",
    "judge_distinct",
    "list_merges",
    "merge_incidents",
    "merge_people",
    "merge_records",
    "name_score",
    "name_tokens",
    "person_candidates",
    "similar_incidents",
    "similar_people",
    "unmerge",
]

if TYPE_CHECKING:
    from records.services.linkage.candidates import (
        DEFAULT_INCIDENT_MIN_SCORE,
        Candidate,
        candidate_pairs,
        default_min_score,
        incident_candidates,
        person_candidates,
        similar_incidents,
        similar_people,
    )
    from records.services.linkage.judged import judge_distinct
    from records.services.linkage.merge import (
        MergeRead,
        MergeRefused,
        list_merges,
        merge_incidents,
        merge_people,
        merge_records,
        unmerge,
    )


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
