"""Figures reported by sources ("over 30 activists killed since October 2019"): entered by
caseworkers and up, read by every logged-in role (they are public statements), set beside
Sijil's own counts in the report (docs/design.md §3, reported_figure).

Input comes as a mapping of field → value, typed (int, date) or as text from a form or the
command line; every problem names its field and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, or_
from sqlmodel import Session, select

from records.errors import ConflictError, FieldProblem, NotFound, ValidationError
from records.i18n import _
from records.models import AppUser, AuditEntry, ReportedFigure
from records.models.reporting import FIGURE_METRICS, FIGURE_QUALIFIERS, ReportedFigureRead
from records.models.types import utcnow
from records.services.access import Principal, act_as, require_role
from records.services.vocabularies import check_code

FIELDS = ("metric", "value", "qualifier", "period_start", "period_end", "admin1",
          "source_name", "source_url", "reported_on", "note")
REQUIRED = ("metric", "value", "source_name")
DATE_FIELDS = ("period_start", "period_end", "reported_on")
MAX_VALUE = 10_000_000
TEXT_LIMITS = {"source_name": 300, "source_url": 2_000, "note": 10_000}
# Whoever enters case records enters what others reported; everyone logged in reads it.
EDITOR_ROLE = "caseworker"
READER_ROLE = "viewer"


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _date(field: str, value: Any, problems: list[FieldProblem]) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.append(FieldProblem(field, _("'{value}' is not a date (YYYY-MM-DD)")
                                     .format(value=value), value))
        return None


def _count(value: Any, problems: list[FieldProblem]) -> int | None:
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        number = int(text) if text.isdigit() or (text[:1] == "-" and text[1:].isdigit()) \
            else None
    if number is None:
        problems.append(FieldProblem("value", _("'{value}' is not a whole number")
                                     .format(value=value), value))
    elif not 0 <= number <= MAX_VALUE:
        problems.append(FieldProblem("value", _("must be between 0 and {max}")
                                     .format(max=f"{MAX_VALUE:,}"), value))
        number = None
    return number


def _check_url(value: str, problems: list[FieldProblem]) -> None:
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        problems.append(FieldProblem("source_url", _("an address starting with http:// or "
                                                     "https:// is required"), value))


def clean_figure(session: Session, values: Mapping[str, Any], *,
                 partial: bool = False) -> dict[str, Any]:
    """The fields of `values`, typed and checked; ValidationError naming every bad field.
    With `partial`, only the fields given are checked (an update); else the required ones
    must be there and the rest default."""
    problems: list[FieldProblem] = []
    unknown = sorted(set(values) - set(FIELDS))
    for name in unknown:
        problems.append(FieldProblem(name, _("not a field of a reported figure")))
    clean: dict[str, Any] = {}
    for name in FIELDS:
        if name not in values and partial:
            continue
        value = values.get(name)
        if isinstance(value, str):
            value = value.strip()
        if _blank(value):
            if name in REQUIRED:
                problems.append(FieldProblem(name, _("a value is required"), value))
            elif name == "qualifier":
                clean[name] = "exact"
            else:
                clean[name] = None
            continue
        if name in DATE_FIELDS:
            clean[name] = _date(name, value, problems)
        elif name == "value":
            clean[name] = _count(value, problems)
        elif name in ("metric", "qualifier"):
            allowed = FIGURE_METRICS if name == "metric" else FIGURE_QUALIFIERS
            if value not in allowed:
                problems.append(FieldProblem(
                    name, _("'{value}' is not a known code; allowed: {allowed}")
                    .format(value=value, allowed=", ".join(allowed)), value))
            clean[name] = value
        elif name == "admin1":
            value = str(value).upper()
            check_code(session, "admin1", "governorate", value, problems)
            clean[name] = value
        else:
            value = str(value)
            limit = TEXT_LIMITS[name]
            if len(value) > limit:
                problems.append(FieldProblem(name, _("at most {n} characters").format(n=limit),
                                             value[:80]))
            if name == "source_url":
                _check_url(value, problems)
            clean[name] = value
    if problems:
        raise ValidationError(problems)
    return clean


def _check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and start > end:
        raise ValidationError.single("period_end", _("the period ends before it starts"),
                                     end.isoformat())


def last_change(session: Session, entity_type: str, entity_id: int) -> tuple[str, str]:
    """Who made the latest recorded change to a row, and when (UTC), for a stale save."""
    row = session.exec(
        select(AppUser.username, AuditEntry.at).select_from(AuditEntry)
        .join(AppUser, AppUser.id == AuditEntry.actor_id, isouter=True)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.seq.desc()).limit(1)).first()
    if row is None:
        return "system", _("an unknown time")
    return row[0] or "system", f"{row[1]:%Y-%m-%d %H:%M} UTC"


def _read(row: ReportedFigure) -> ReportedFigureRead:
    return ReportedFigureRead.model_validate(row, from_attributes=True)


def _load(session: Session, figure_id: int) -> ReportedFigure:
    row = session.get(ReportedFigure, figure_id)
    if row is None or row.deleted_at is not None:
        raise NotFound(_("no reported figure {id}").format(id=figure_id))
    return row


def add_reported_figure(session: Session, values: Mapping[str, Any], *,
                        by: Principal) -> ReportedFigureRead:
    """Record a figure a source reported (caseworker and up); audited as a create.
    Raises PermissionDenied, or ValidationError naming each bad field (nothing written)."""
    require_role(by, EDITOR_ROLE, _("record reported figures"))
    clean = clean_figure(session, values)
    _check_period(clean["period_start"], clean["period_end"])
    act_as(session, by)
    row = ReportedFigure(**clean, created_by_id=by.id)
    session.add(row)
    session.flush()
    return _read(row)


def update_reported_figure(session: Session, figure_id: int, changes: Mapping[str, Any], *,
                           by: Principal, expected_version: int | None = None
                           ) -> ReportedFigureRead:
    """Change the given fields of a figure (caseworker and up). A stale `expected_version`
    raises ConflictError; unchanged values write nothing. Raises NotFound, PermissionDenied,
    ValidationError."""
    require_role(by, EDITOR_ROLE, _("edit reported figures"))
    row = _load(session, figure_id)
    if expected_version is not None and row.version != expected_version:
        who, when = last_change(session, "reported_figure", figure_id)
        raise ConflictError(_("reported figure {id} was changed by {who} at {when} after you "
                              "opened it. Nothing was saved: reload it and apply your changes "
                              "again.").format(id=figure_id, who=who, when=when),
                            changed_by=who)
    clean = clean_figure(session, changes, partial=True)
    _check_period(clean.get("period_start", row.period_start),
                  clean.get("period_end", row.period_end))
    act_as(session, by)
    for name, value in clean.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
    session.flush()
    return _read(row)


def remove_reported_figure(session: Session, figure_id: int, *, by: Principal,
                           reason: str | None = None) -> None:
    """Remove a figure from lists and reports (caseworker and up). The row stays, marked
    deleted, so the trail still explains any report that quoted it."""
    require_role(by, EDITOR_ROLE, _("remove reported figures"))
    row = _load(session, figure_id)
    act_as(session, by, reason)
    row.deleted_at = utcnow()
    session.flush()


def get_reported_figure(session: Session, figure_id: int, *, by: Principal
                        ) -> ReportedFigureRead:
    """One figure not removed; NotFound otherwise."""
    require_role(by, READER_ROLE, _("read reported figures"))
    return _read(_load(session, figure_id))


def list_reported_figures(session: Session, *, by: Principal, since: dt.date | None = None,
                          until: dt.date | None = None, admin1: str | None = None,
                          metric: str | None = None) -> list[ReportedFigureRead]:
    """The figures not removed, in metric order, then the latest reported first.

    A figure covers [period_start, period_end]; without an end it runs to the day it was
    reported (without that too, it is open). It is listed when that covers any day of
    [since, until]; one with no period at all is always listed. `admin1` keeps only the
    figures of that governorate (nationwide figures have none); without it, every figure.
    """
    require_role(by, READER_ROLE, _("read reported figures"))
    query = select(ReportedFigure).where(ReportedFigure.deleted_at.is_(None))  # type: ignore[union-attr]
    end = func.coalesce(ReportedFigure.period_end, ReportedFigure.reported_on)
    if since is not None:
        query = query.where(or_(end.is_(None), end >= since))
    if until is not None:
        query = query.where(or_(ReportedFigure.period_start.is_(None),  # type: ignore[union-attr]
                                ReportedFigure.period_start <= until))
    if admin1:
        query = query.where(ReportedFigure.admin1 == admin1.upper())
    if metric:
        query = query.where(ReportedFigure.metric == metric)
    rows = session.exec(query).all()
    order = {code: i for i, code in enumerate(FIGURE_METRICS)}
    rows = sorted(rows, key=lambda r: (-(r.reported_on or dt.date.min).toordinal(), -r.id))
    rows.sort(key=lambda r: order.get(r.metric, len(order)))
    return [_read(r) for r in rows]


def reported_figures(session: Session, *, by: Principal, since: dt.date | None = None,
                     until: dt.date | None = None, admin1: str | None = None
                     ) -> list[ReportedFigureRead]:
    """What the report sets beside its own counts: the figures whose period overlaps
    [since, until] (see `list_reported_figures`), of `admin1` or, without it, all."""
    return list_reported_figures(session, by=by, since=since, until=until, admin1=admin1)
