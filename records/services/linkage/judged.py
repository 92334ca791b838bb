"""Pairs judged not the same: remembered, so the pair is not proposed again."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from records.errors import ValidationError
from records.i18n import _
from records.models import PairJudgedDistinct
from records.services.access import Principal, act_as, require_role


def judged_pairs(session: Session, kind: str) -> set[tuple[str, str]]:
    """The (smaller key, larger key) pairs of `kind` judged not the same."""
    table = PairJudgedDistinct.__table__
    rows = session.connection().execute(select(table.c.a_key, table.c.b_key).where(
        table.c.kind == kind))
    return {(row.a_key, row.b_key) for row in rows}


def judge_distinct(session: Session, kind: str, a_key: str, b_key: str, *, by: Principal
                   ) -> bool:
    """Remember that `a_key` and `b_key` (person uids or incident refs) are not the same.
    Returns False when that was already known (nothing written). Reviewers and admins.
    Raises PermissionDenied, ValidationError (an unknown kind, or one key twice)."""
    require_role(by, "reviewer", _("judge duplicates"))
    if kind not in ("person", "incident"):
        raise ValidationError.single("kind", _("the kind is person or incident"))
    a, b = sorted((a_key.strip(), b_key.strip()))
    if a == b:
        raise ValidationError.single("records", _("a record cannot be judged against itself"))
    if (a, b) in judged_pairs(session, kind):
        return False
    act_as(session, by)
    session.add(PairJudgedDistinct(kind=kind, a_key=a, b_key=b, judged_by_id=by.id))
    session.flush()
    return True
