"""The report and the case sheet, written to a temporary file by the services and offered
to this browser only (ui/downloads.py), like every export."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from records.errors import SijilError
from records.models.types import utcnow
from records.services.access import Principal
from records.services.exchange import Progress
from records.services.reports import ReportOptions, run_report
from ui import downloads
from ui.components.db import get_engine, read_session
from ui.components.download_link import show_download_link
from ui.components.feedback import show_error
from ui.components.import_export import EXPORT_FILES, ExportDownload
from ui.i18n import _

# Session-state key of the case sheet offered on the incident page: which incident it is
# of, and its link.
CASE_SHEET_DOWNLOAD = "sijil_case_sheet_download"


def report_download(options: ReportOptions, *, pdf: bool, by: Principal, client: str,
                    progress: Progress | None = None) -> ExportDownload:
    """Write the (audited) report chosen by `options` and offer it to the browser
    `client`."""
    extension, mime = EXPORT_FILES["report-pdf" if pdf else "report-html"]
    file_name = f"sijil-report-{options.level}-{utcnow():%Y%m%d-%H%M}.{extension}"
    with tempfile.TemporaryDirectory(prefix="sijil-report-") as folder:
        result = run_report(get_engine(), options, Path(folder) / file_name, by=by, pdf=pdf,
                            progress=progress)
        token = downloads.offer(client, result.path.read_bytes(), file_name, mime)
    return ExportDownload(file_name, result.level, result.incidents, result.rows,
                          result.sha256, token)


def _write_case_sheet(ref: str, out: Path, *, by: Principal, lang: str) -> None:
    # Imported when asked for: the case sheet's module may not be there in every build.
    from records.services import reports

    writer = getattr(reports, "write_case_sheet", None)
    if writer is None:
        raise NotImplementedError
    with read_session(get_engine()) as session:
        writer(session, ref, out, by=by, lang=lang, fmt="pdf")


def case_sheet_button(ref: str, *, by: Principal, lang: str) -> None:
    """A "Case sheet (PDF)" button (never inside a form); once made, the link to it."""
    client = downloads.client_id()
    if st.button(_("Case sheet (PDF)"), key="case_sheet", icon=":material/picture_as_pdf:",
                 disabled=client is None,
                 help=_("A printable sheet of this incident, at the most detailed level "
                        "your role may export.")):
        st.session_state.pop(CASE_SHEET_DOWNLOAD, None)
        file_name = f"{ref}.pdf"
        try:
            with tempfile.TemporaryDirectory(prefix="sijil-case-") as folder:
                path = Path(folder) / file_name
                _write_case_sheet(ref, path, by=by, lang=lang)
                token = downloads.offer(client, path.read_bytes(), file_name,
                                        "application/pdf")
            st.session_state[CASE_SHEET_DOWNLOAD] = (ref, file_name, token)
        except NotImplementedError:
            st.info(_("Case sheets are not available in this installation yet."))
        except SijilError as error:
            show_error(error)
    offered = st.session_state.get(CASE_SHEET_DOWNLOAD)
    if offered and offered[0] == ref and downloads.offered(offered[2], client) is not None:
        show_download_link(downloads.url(offered[2]), offered[1],
                           downloads.LIFETIME_SECONDS // 60)
