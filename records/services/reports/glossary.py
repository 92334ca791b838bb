"""The glossary: only the vocabulary terms the report's incidents use, with how many
incidents (or victims, perpetrators, citations, steps) each covers."""

from __future__ import annotations

from collections import Counter

from records.i18n import N_, _

GLOSSARY_VOCABULARIES = (
    ("incident_type", N_("Incident types")), ("victim_outcome", N_("Victim outcomes")),
    ("profile", N_("Victim profiles")), ("actor_type", N_("Perpetrator types")),
    ("attribution", N_("Attribution levels")), ("source_kind", N_("Kinds of source")),
    ("case_event_kind", N_("Follow-up steps")),
)


def glossary(used: dict[str, Counter], names: dict[str, dict[str, str]]
             ) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(heading, [(label, code)])] in the current language, vocabularies without a used
    term left out, terms in their label's alphabetical order."""
    sections = []
    for vocabulary, title in GLOSSARY_VOCABULARIES:
        codes = [code for code, n in used.get(vocabulary, Counter()).items() if code and n]
        if codes:
            labels = names.get(vocabulary, {})
            sections.append((_(title), sorted(((labels.get(c, c), c) for c in codes),
                                              key=lambda t: t[0].casefold())))
    return sections
