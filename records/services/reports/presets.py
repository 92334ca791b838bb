"""Report presets: the report's settings saved under a name, so a monthly report is made
the same way each month (docs/design.md §3, report_preset). Admins create, change, rename
and delete them; everyone who may export reads and uses them. Every change is audited
(the table derives from TableBase); the logo is stored once under its SHA-256 in
`report_logo` and the preset records that digest.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, SQLModel, select

from records.errors import ConflictError, FieldProblem, NotFound, ValidationError
from records.i18n import _
from records.models import ReportLogo, ReportPreset
from records.models.incident import STATUSES
from records.models.reporting import LOGO_TYPES, REPORT_LANGUAGES, REPORT_LEVELS
from records.services.access import Principal, act_as, require_role
from records.services.evidence import sniff_type
from records.services.reports.figures import last_change
from records.services.vocabularies import check_code

# A logo sits on the cover, a few centimetres wide: half a megabyte is plenty, and keeps
# a preset (and every report made with it) small.
LOGO_MAX_BYTES = 512 * 1024
MAX_LAST_MONTHS = 240
FILTER_KEYS = ("statuses", "admin1", "incident_type", "perpetrator")
TEXT_LIMITS = {"name": 100, "title": 300, "subtitle": 300, "organisation": 300}
MANAGER_ROLE = "admin"
# Every role may export at some level (docs/design.md §6), so every role may use a preset.
USER_ROLE = "viewer"


class ReportPresetRead(SQLModel):
    """A preset as the Export page, the CLI and the report read it."""

    id: int
    version: int
    name: str
    title: str | None = None
    subtitle: str | None = None
    organisation: str | None = None
    logo_sha256: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    last_months: int | None = None
    level: str = "public"
    language: str = "en"
    filters: dict = {}

    def period(self, today: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
        """(since, until): the fixed dates, or the last N months up to `today`."""
        if self.last_months:
            today = today or dt.date.today()
            return months_before(today, self.last_months), today
        return self.since, self.until


@dataclass
class PresetSettings:
    """What a preset holds besides its name and logo; every field optional but the level
    and language, which default like the Export page."""

    title: str | None = None
    subtitle: str | None = None
    organisation: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    last_months: int | None = None
    level: str = "public"
    language: str = "en"
    filters: dict = field(default_factory=dict)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier, the month's last day when it has fewer
    (31 May minus 3 months is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_logo(data: bytes) -> str:
    """The logo's type (image/png or image/jpeg) read from its content; ValidationError on
    the field `logo` for anything else, a file too large, or an image that does not
    decode."""
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError.single("logo", _("the logo is {size} KB; at most {max} KB")
                                     .format(size=len(data) // 1024,
                                             max=LOGO_MAX_BYTES // 1024))
    mime = sniff_type(data)
    if mime not in LOGO_TYPES:
        raise ValidationError.single("logo", _("the logo must be a PNG or JPEG image (this "
                                               "file is {type})").format(type=mime))
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # noqa: BLE001 - any decoding failure means the same to the user
        raise ValidationError.single("logo", _("the logo image is damaged and cannot be "
                                               "read")) from None
    return mime


def _text(name: str, value: Any, problems: list[FieldProblem]) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    if len(text) > TEXT_LIMITS[name]:
        problems.append(FieldProblem(name, _("at most {n} characters")
                                     .format(n=TEXT_LIMITS[name]), text[:80]))
    return text or None


def _clean_filters(session: Session, filters: Mapping[str, Any],
                   problems: list[FieldProblem]) -> dict:
    clean: dict[str, Any] = {}
    for key in sorted(set(filters) - set(FILTER_KEYS)):
        problems.append(FieldProblem(f"filters.{key}", _("not a report filter")))
    statuses = filters.get("statuses")
    if statuses is not None and statuses != "all":
        statuses = [statuses] if isinstance(statuses, str) else list(statuses)
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            problems.append(FieldProblem("filters.statuses", _("'{v}' is not a status; "
                                         "allowed: {a}").format(v=unknown[0],
                                                                a=", ".join(STATUSES))))
    if statuses is not None:
        clean["statuses"] = statuses
    for key, vocabulary in (("admin1", "governorate"), ("incident_type", "incident_type")):
        value = (filters.get(key) or "").strip() or None
        if value:
            check_code(session, f"filters.{key}", vocabulary, value, problems)
            clean[key] = value
    perpetrator = " ".join(str(filters.get("perpetrator") or "").split())
    if perpetrator:
        clean["perpetrator"] = perpetrator[:200]
    return clean


def clean_settings(session: Session, settings: PresetSettings) -> dict[str, Any]:
    """The settings as the table stores them; ValidationError naming every bad field."""
    problems: list[FieldProblem] = []
    clean = {name: _text(name, getattr(settings, name), problems)
             for name in ("title", "subtitle", "organisation")}
    if settings.level not in REPORT_LEVELS:
        problems.append(FieldProblem("level", _("'{value}' is not a known code; allowed: "
                                                "{allowed}").format(
            value=settings.level, allowed=", ".join(REPORT_LEVELS)), settings.level))
    if settings.language not in REPORT_LANGUAGES:
        problems.append(FieldProblem("language", _("'{value}' is not a known code; allowed: "
                                                   "{allowed}").format(
            value=settings.language, allowed=", ".join(REPORT_LANGUAGES)), settings.language))
    months = settings.last_months
    if months is not None and not 1 <= months <= MAX_LAST_MONTHS:
        problems.append(FieldProblem("last_months", _("must be between 1 and {max}")
                                     .format(max=MAX_LAST_MONTHS), months))
    if months and (settings.since or settings.until):
        problems.append(FieldProblem("last_months", _("give either the last N months or the "
                                                      "dates, not both"), months))
    if settings.since and settings.until and settings.since > settings.until:
        problems.append(FieldProblem("until", _("the period ends before it starts"),
                                     settings.until.isoformat()))
    clean |= {"since": settings.since, "until": settings.until, "last_months": months or None,
              "level": settings.level, "language": settings.language,
              "filters": _clean_filters(session, settings.filters or {}, problems)}
    if problems:
        raise ValidationError(problems)
    return clean


def _load(session: Session, name: str) -> ReportPreset:
    row = session.exec(select(ReportPreset).where(ReportPreset.name == name.strip())).first()
    if row is None:
        raise NotFound(_("no report preset named {name}").format(name=name))
    return row


def _read(row: ReportPreset) -> ReportPresetRead:
    return ReportPresetRead.model_validate(row, from_attributes=True)


def _clean_name(name: str) -> str:
    problems: list[FieldProblem] = []
    clean = _text("name", name, problems)
    if not clean:
        problems.append(FieldProblem("name", _("a value is required"), name))
    if problems:
        raise ValidationError(problems)
    return clean  # type: ignore[return-value]


def _check_new_name(session: Session, name: str, *, other_than: int) -> str:
    clean = _clean_name(name)
    taken = session.exec(select(ReportPreset.id).where(ReportPreset.name == clean)).first()
    if taken is not None and taken != other_than:
        raise ValidationError.single("name", _("a preset named {name} exists already")
                                     .format(name=clean), clean)
    return clean


def _store_logo(session: Session, data: bytes) -> str:
    mime = check_logo(data)
    digest = hashlib.sha256(data).hexdigest()
    if session.get(ReportLogo, digest) is None:
        session.add(ReportLogo(sha256=digest, mime_type=mime, data=data))
    return digest


def save_preset(session: Session, name: str, settings: PresetSettings, *, by: Principal,
                logo: bytes | None = None, remove_logo: bool = False,
                expected_version: int | None = None) -> ReportPresetRead:
    """Create the preset `name`, or replace the settings of the one of that name (admin
    only). `logo` sets a new logo; without it the preset keeps its logo unless
    `remove_logo`. Settings unchanged write nothing. Raises PermissionDenied,
    ValidationError naming the field, ConflictError for a stale `expected_version`."""
    require_role(by, MANAGER_ROLE, _("manage report presets"))
    clean_name = _clean_name(name)
    values = clean_settings(session, settings)
    row = session.exec(select(ReportPreset).where(ReportPreset.name == clean_name)).first()
    if row is not None and expected_version is not None and row.version != expected_version:
        who, when = last_change(session, "report_preset", row.id)
        raise ConflictError(_("the preset {name} was changed by {who} at {when} after you "
                              "opened it. Nothing was saved.").format(name=clean_name,
                                                                      who=who, when=when),
                            changed_by=who)
    act_as(session, by)
    if logo:
        values["logo_sha256"] = _store_logo(session, logo)
    elif remove_logo:
        values["logo_sha256"] = None
    if row is None:
        row = ReportPreset(name=clean_name, **values)
        session.add(row)
    else:
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
    session.flush()
    return _read(row)


def rename_preset(session: Session, name: str, new_name: str, *, by: Principal
                  ) -> ReportPresetRead:
    """Give the preset `name` another name not in use (admin only); audited."""
    require_role(by, MANAGER_ROLE, _("manage report presets"))
    row = _load(session, name)
    clean = _check_new_name(session, new_name, other_than=row.id)
    act_as(session, by)
    if row.name != clean:
        row.name = clean
    session.flush()
    return _read(row)


def delete_preset(session: Session, name: str, *, by: Principal) -> None:
    """Delete the preset `name` (admin only). Its delete entry in the trail keeps every
    value it had; the logo stays stored (another preset may use it)."""
    require_role(by, MANAGER_ROLE, _("manage report presets"))
    row = _load(session, name)
    act_as(session, by)
    session.delete(row)
    session.flush()


def list_presets(session: Session, *, by: Principal) -> list[ReportPresetRead]:
    """Every preset, by name."""
    require_role(by, USER_ROLE, _("use report presets"))
    rows = session.exec(select(ReportPreset).order_by(ReportPreset.name)).all()
    return [_read(r) for r in rows]


def get_preset(session: Session, name: str, *, by: Principal) -> ReportPresetRead:
    """The preset `name`; NotFound when there is none."""
    require_role(by, USER_ROLE, _("use report presets"))
    return _read(_load(session, name))


def preset_logo(session: Session, name: str, *, by: Principal) -> tuple[bytes, str] | None:
    """The preset's logo as (bytes, MIME type), or None when it has none."""
    preset = get_preset(session, name, by=by)
    if preset.logo_sha256 is None:
        return None
    logo = session.get(ReportLogo, preset.logo_sha256)
    return (logo.data, logo.mime_type) if logo is not None else None
