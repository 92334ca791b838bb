"""Records in and out of Sijil: reading and checking files for import (Sijil's flat format,
JSON, the data package, ACLED; hostile files refused within the limits of limits.py), and
exports in every format at an export level, the internal one with review comments and
evidence records (extras.py)."""

from records.services.exchange.export_records import (
    DEFAULT_STATUSES,
    ExportFilters,
    parse_statuses,
)
from records.services.exchange.exporting import (
    FORMATS,
    ExportRequest,
    run_export,
)
from records.services.exchange.flat import (
    COLUMNS,
)
from records.services.exchange.importing import (
    ImportPreview,
    ImportResult,
    Progress,
    file_sha256,
    import_file,
    preview_import,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_STATUSES",
    "ExportFilters",
    "ExportRequest",
    "FORMATS",
    "ImportPreview",
    "ImportResult",
    "Progress",
    "file_sha256",
    "import_file",
    "parse_statuses",
    "preview_import",
    "run_export",
]
