"""The advocacy report: its figures, charts and map, as self-contained HTML or as PDF."""

from records.services.reports.content import (
    write_report,
)
from records.services.reports.pdf import (
    ReportDependencyMissing,
    check_pdf_dependencies,
)

__all__ = [
    "ReportDependencyMissing",
    "check_pdf_dependencies",
    "write_report",
]
