"""Controlled vocabularies: seeding, lookup, validation of codes, admin edits."""

from __future__ import annotations

from sqlmodel import Session, select

from records.errors import FieldProblem, NotFound, ValidationError
from records.i18n import LABEL_COLUMNS, _, current_language
from records.models import VocabularyTerm
from records.services.access import Principal, act_as, require_role
from records.vocabulary_seed import (
    GOVERNORATE_VOCABULARY,
    VOCABULARIES,
    governorate_terms,
    kurdish_label,
)

_CACHE_KEY = "sijil.vocab_codes"


def seed_vocabularies(session: Session) -> int:
    """Add every seed term that is missing, and give a Sorani label to the existing terms
    that have none (databases seeded before Sorani labels existed); labels an admin edited
    are left alone. Both are ordinary audited writes of the acting principal.

    Returns how many terms were added; running it again adds none and changes nothing.
    """
    unlabelled = session.exec(select(VocabularyTerm).where(
        VocabularyTerm.label_ku.is_(None))).all()  # type: ignore[union-attr]
    for term in unlabelled:
        label = kurdish_label(term.vocabulary, term.code)
        if label:
            term.label_ku = label
    existing = set(session.exec(select(VocabularyTerm.vocabulary, VocabularyTerm.code)).all())
    wanted: list[tuple[str, int, tuple[str, str, str | None]]] = []
    for vocabulary, terms in VOCABULARIES.items():
        wanted += [(vocabulary, i, term) for i, term in enumerate(terms)]
    wanted += [(GOVERNORATE_VOCABULARY, i, t) for i, t in enumerate(governorate_terms())]
    added = 0
    for vocabulary, order, (code, label_en, label_ar) in wanted:
        if (vocabulary, code) not in existing:
            session.add(VocabularyTerm(vocabulary=vocabulary, code=code, label_en=label_en,
                                       label_ar=label_ar,
                                       label_ku=kurdish_label(vocabulary, code),
                                       sort_order=order))
            added += 1
    session.flush()
    session.info.pop(_CACHE_KEY, None)
    return added


def active_codes(session: Session, vocabulary: str) -> list[str]:
    """Codes of a vocabulary in display order (cached for the session)."""
    cache = session.info.setdefault(_CACHE_KEY, {})
    if vocabulary not in cache:
        cache[vocabulary] = list(session.exec(
            select(VocabularyTerm.code)
            .where(VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.is_active)
            .order_by(VocabularyTerm.sort_order, VocabularyTerm.code)
        ).all())
    return cache[vocabulary]


def check_code(session: Session, field: str, vocabulary: str, value: str | None,
               problems: list[FieldProblem], *, required: bool = False) -> None:
    """Append a problem when `value` is not an active code of `vocabulary`."""
    if value is None or value == "":
        if required:
            problems.append(FieldProblem(field, _("a value is required"), value))
        return
    allowed = active_codes(session, vocabulary)
    if value not in allowed:
        problems.append(FieldProblem(
            field, _("'{value}' is not a known code; allowed: {allowed}")
            .format(value=value, allowed=", ".join(allowed)), value))


def list_terms(session: Session, vocabulary: str, *, include_inactive: bool = False
               ) -> list[VocabularyTerm]:
    query = select(VocabularyTerm).where(VocabularyTerm.vocabulary == vocabulary)
    if not include_inactive:
        query = query.where(VocabularyTerm.is_active)
    terms = session.exec(query.order_by(VocabularyTerm.sort_order, VocabularyTerm.code)).all()
    return [VocabularyTerm.model_validate(t.model_dump()) for t in terms]


def labels(session: Session, vocabulary: str, language: str | None = None) -> dict[str, str]:
    """code → label in `language` (en, ar, ckb; default: the current one), falling back to
    English where a term has no label in it."""
    column = LABEL_COLUMNS.get(language or current_language(), "label_en")
    return {t.code: (getattr(t, column) or t.label_en)
            for t in list_terms(session, vocabulary, include_inactive=True)}


def save_term(session: Session, vocabulary: str, code: str, *, by: Principal,
              label_en: str, label_ar: str | None = None, label_ku: str | None = None,
              is_active: bool = True) -> VocabularyTerm:
    """Add a term or edit its labels (admin only). Codes are stable: never renamed."""
    require_role(by, "admin", _("edit vocabularies"))
    code = code.strip()
    if not code or not code.replace("_", "").isalnum() or code != code.lower():
        raise ValidationError.single(
            "code", _("codes are lower-case letters, digits and underscores"), code)
    if not label_en.strip():
        raise ValidationError.single("label_en", _("an English label is required"), label_en)
    act_as(session, by)
    term = session.exec(select(VocabularyTerm).where(
        VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.code == code)).first()
    if term is None:
        if vocabulary not in VOCABULARIES and vocabulary != GOVERNORATE_VOCABULARY:
            raise NotFound(_("no vocabulary named {name}").format(name=vocabulary))
        order = len(list_terms(session, vocabulary, include_inactive=True))
        term = VocabularyTerm(vocabulary=vocabulary, code=code, label_en=label_en.strip(),
                              sort_order=order)
        session.add(term)
    term.label_en = label_en.strip()
    term.label_ar = (label_ar or "").strip() or None
    term.label_ku = (label_ku or "").strip() or None
    term.is_active = is_active
    session.flush()
    session.info.pop(_CACHE_KEY, None)
    return VocabularyTerm.model_validate(term.model_dump())
