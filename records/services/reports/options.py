"""What the person writing a report chooses: its words on the cover (title, subtitle,
organisation, logo), the period, the audience level, the language and the filters.

One value carries them from the Export page, the CLI and a saved preset to the report, so
all three build the same report from the same choices. Empty words fall back to the
report's own title; no period means every date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from records.services.exchange.export_records import DEFAULT_STATUSES, ExportFilters

REPORT_LANGUAGES = ("en", "ar", "ckb")
# Logos are embedded as given; a larger file is almost certainly a photograph by mistake.
MAX_LOGO_BYTES = 2_000_000


@dataclass(frozen=True)
class ReportOptions:
    """The choices behind one report.

    `level` is an ExportLevel name ('public', 'partner', 'internal'); `lang` one of
    REPORT_LANGUAGES; `logo` the bytes of a PNG or JPEG file. `since`/`until` select the
    incidents whose dates (widened to their precision) overlap the period, and are the
    period the cover, the summary's trend and the reported figures speak of. `statuses`
    None means every status the level allows."""

    title: str | None = None
    subtitle: str | None = None
    organisation: str | None = None
    logo: bytes | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    level: str = "public"
    lang: str = "en"
    statuses: tuple[str, ...] | None = DEFAULT_STATUSES
    admin1: str | None = None
    incident_type: str | None = None
    perpetrator: str | None = None

    def export_filters(self) -> ExportFilters:
        """The incidents this report is about, as the export selects them."""
        return ExportFilters(statuses=self.statuses, since=self.since, until=self.until,
                             admin1=self.admin1, incident_type=self.incident_type,
                             perpetrator=self.perpetrator)

    def with_filters(self, filters: ExportFilters) -> ReportOptions:
        """These options with the selection of `filters` (period included)."""
        return replace(self, statuses=filters.statuses, since=filters.since,
                       until=filters.until, admin1=filters.admin1,
                       incident_type=filters.incident_type, perpetrator=filters.perpetrator)

    def logo_kind(self) -> str | None:
        """'png' or 'jpeg' from the logo's first bytes; None without a logo or for any
        other kind of file (the report then has no logo rather than a broken image)."""
        if not self.logo or len(self.logo) > MAX_LOGO_BYTES:
            return None
        if self.logo.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        if self.logo.startswith(b"\xff\xd8\xff"):
            return "jpeg"
        return None
