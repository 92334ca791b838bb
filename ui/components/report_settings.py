"""The Export page's report settings: the widget keys, a preset poured into them, and the
widgets' values turned into ReportOptions or PresetSettings for the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import streamlit as st

from records.i18n import LANGUAGES
from records.services.access import Principal
from records.services.exchange import DEFAULT_STATUSES
from records.services.reports import (
    PresetSettings,
    ReportOptions,
    ReportPresetRead,
    check_logo,
    get_preset,
    preset_logo,
)
from records.services.reports.presets import months_before
from ui.components.db import get_engine, read_session
from ui.i18n import _

# Widget keys of the Export page (the preset writes into them before they are drawn).
PRESET = "export_preset"
PRESET_PENDING = "export_preset_pending"  # chosen by a save, applied on the next run
PRESET_NAME = "export_preset_name"
TITLE, SUBTITLE, ORGANISATION = "export_title", "export_subtitle", "export_organisation"
LOGO, USE_PRESET_LOGO = "export_logo", "export_use_preset_logo"
SINCE, UNTIL, LAST_MONTHS = "export_since", "export_until", "export_last_months"
STATUSES, ADMIN1, TYPE, PERPETRATOR = ("export_statuses", "export_admin1", "export_type",
                                       "export_perpetrator")
LEVEL, LANGUAGE = "export_level", "export_report_language"

DEFAULTS: dict[str, Any] = {TITLE: "", SUBTITLE: "", ORGANISATION: "", SINCE: None,
                            UNTIL: None, LAST_MONTHS: 0, STATUSES: list(DEFAULT_STATUSES),
                            ADMIN1: "", TYPE: "", PERPETRATOR: "", PRESET_NAME: "",
                            USE_PRESET_LOGO: True}


def seed_defaults() -> None:
    """Give every settings widget its starting value once, through session state only (a
    widget given both a default and a state value warns on the page)."""
    pending = st.session_state.pop(PRESET_PENDING, None)
    if pending is not None:
        st.session_state[PRESET] = pending
        st.session_state[PRESET_NAME] = pending
    for key, value in DEFAULTS.items():
        st.session_state.setdefault(key, value)


def apply_preset(by: Principal, *, levels: list[str], admin1: list[str],
                 types: list[str], perpetrators: list[str]) -> None:
    """on_change of the preset choice: pour the chosen preset into the widgets (before
    they are drawn on the rerun). A value the page does not offer (a level above the
    user's role, a retired code) is left as it was."""
    name = st.session_state.get(PRESET)
    if not name:
        return
    with read_session(get_engine()) as session:
        preset = get_preset(session, name, by=by)
    filters = preset.filters or {}
    statuses = filters.get("statuses")
    values: dict[str, Any] = {
        TITLE: preset.title or "", SUBTITLE: preset.subtitle or "",
        ORGANISATION: preset.organisation or "", SINCE: preset.since, UNTIL: preset.until,
        LAST_MONTHS: preset.last_months or 0, PRESET_NAME: preset.name,
        STATUSES: [] if statuses == "all" else list(statuses or DEFAULT_STATUSES),
        LANGUAGE: preset.language, USE_PRESET_LOGO: True}
    for key, value, offered in ((LEVEL, preset.level, levels),
                                (ADMIN1, filters.get("admin1") or "", admin1),
                                (TYPE, filters.get("incident_type") or "", types),
                                (PERPETRATOR, filters.get("perpetrator") or "", perpetrators)):
        if value in offered:
            values[key] = value
    st.session_state.update(values)


@dataclass
class ReportChoices:
    """What the settings widgets hold after the form was sent."""

    title: str
    subtitle: str
    organisation: str
    logo: bytes | None
    since: dt.date | None
    until: dt.date | None
    last_months: int
    level: str
    language: str
    statuses: list[str]
    admin1: str
    incident_type: str
    perpetrator: str

    def period(self, today: dt.date | None = None) -> tuple[dt.date | None, dt.date | None]:
        if self.last_months:
            today = today or dt.date.today()
            return months_before(today, self.last_months), today
        return self.since, self.until

    def settings(self) -> PresetSettings:
        return PresetSettings(
            title=self.title or None, subtitle=self.subtitle or None,
            organisation=self.organisation or None, since=self.since, until=self.until,
            last_months=self.last_months or None, level=self.level, language=self.language,
            filters={"statuses": self.statuses or "all", "admin1": self.admin1 or None,
                     "incident_type": self.incident_type or None,
                     "perpetrator": self.perpetrator or None})


def choices_from_state(logo: bytes | None) -> ReportChoices:
    get = st.session_state.get
    return ReportChoices(
        title=(get(TITLE) or "").strip(), subtitle=(get(SUBTITLE) or "").strip(),
        organisation=(get(ORGANISATION) or "").strip(), logo=logo, since=get(SINCE),
        until=get(UNTIL), last_months=int(get(LAST_MONTHS) or 0), level=get(LEVEL, "public"),
        language=get(LANGUAGE, "en"), statuses=list(get(STATUSES) or []),
        admin1=get(ADMIN1) or "", incident_type=get(TYPE) or "",
        perpetrator=get(PERPETRATOR) or "")


def report_options(choices: ReportChoices, *, by: Principal) -> ReportOptions:
    """The options of the report to write: an uploaded logo (checked: PNG or JPEG, small)
    or else the chosen preset's, unless the user turned that off. Raises ValidationError
    naming the field."""
    from records.errors import ValidationError

    if choices.last_months and (choices.since or choices.until):
        raise ValidationError.single("last_months", _("give either the last N months or "
                                                      "the dates, not both"))
    logo = choices.logo
    if logo:
        check_logo(logo)
    elif st.session_state.get(PRESET) and st.session_state.get(USE_PRESET_LOGO):
        with read_session(get_engine()) as session:
            found = preset_logo(session, st.session_state[PRESET], by=by)
        logo = found[0] if found else None
    since, until = choices.period()
    return ReportOptions(
        title=choices.title or None, subtitle=choices.subtitle or None,
        organisation=choices.organisation or None, logo=logo, since=since, until=until,
        level=choices.level, lang=choices.language,
        statuses=tuple(choices.statuses) if choices.statuses else None,
        admin1=choices.admin1 or None, incident_type=choices.incident_type or None,
        perpetrator=choices.perpetrator or None)


def preset_summary(preset: ReportPresetRead, level_labels: dict[str, str]) -> str:
    """One line saying what a preset holds, for the caption under the choice."""
    if preset.last_months:
        period = _("the last {n} months").format(n=preset.last_months)
    elif preset.since or preset.until:
        period = f"{preset.since or '…'} – {preset.until or '…'}"
    else:
        period = _("all dates")
    parts = [preset.title or _("the report's own title"), period,
             level_labels.get(preset.level, preset.level),
             LANGUAGES.get(preset.language, preset.language)]
    if preset.logo_sha256:
        parts.append(_("with a logo"))
    return " · ".join(parts)
