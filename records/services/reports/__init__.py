"""The advocacy report: its figures, charts and map, as self-contained HTML or as PDF."""

from records.services.reports.case_sheet import (
    write_case_sheet,
)
from records.services.reports.content import (
    write_report,
)
from records.services.reports.figures import (
    add_reported_figure,
    get_reported_figure,
    list_reported_figures,
    remove_reported_figure,
    reported_figures,
    update_reported_figure,
)
from records.services.reports.options import (
    REPORT_LANGUAGES,
    ReportOptions,
)
from records.services.reports.pdf import (
    ReportDependencyMissing,
    check_pdf_dependencies,
)
from records.services.reports.presets import (
    LOGO_MAX_BYTES,
    PresetSettings,
    ReportPresetRead,
    check_logo,
    delete_preset,
    get_preset,
    list_presets,
    preset_logo,
    rename_preset,
    save_preset,
)
from records.services.reports.run import (
    run_report,
)

__all__ = [
    "LOGO_MAX_BYTES",
    "PresetSettings",
    "ReportPresetRead",
    "add_reported_figure",
    "check_logo",
    "delete_preset",
    "get_preset",
    "get_reported_figure",
    "list_presets",
    "list_reported_figures",
    "preset_logo",
    "remove_reported_figure",
    "rename_preset",
    "reported_figures",
    "save_preset",
    "update_reported_figure",
    "REPORT_LANGUAGES",
    "ReportDependencyMissing",
    "ReportOptions",
    "check_pdf_dependencies",
    "run_report",
    "write_case_sheet",
    "write_report",
]
