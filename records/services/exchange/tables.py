"""Tables read from a file for import: the rows of a UTF-8 CSV or of an XLSX sheet, each
checked against the import limits (limits.py) before it is parsed.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from records.errors import FieldProblem, ValidationError
from records.i18n import _
from records.services.exchange.limits import (
    MAX_CELL_CHARS,
    MAX_LINE_BYTES,
    MAX_XLSX_ROWS,
    check_archive,
    check_text_file,
)

csv.field_size_limit(MAX_CELL_CHARS)
Scanned = Callable[[str, int], None]  # (SHA-256 of the file, its lines)


@dataclass
class Table:
    header: list[str]
    rows: Callable[[], Iterator[tuple[int, list]]]
    warnings: list[str] = field(default_factory=list)

    def has_columns(self, required: tuple[str, ...], message: str,
                    problems: list[FieldProblem]) -> bool:
        """Whether the header has every required column; each missing one is a problem on
        row 1, reported with `message`."""
        missing = [c for c in required if c not in self.header]
        for column in missing:
            problems.append(FieldProblem(column, message, None, 1))
        return not missing

    def named_rows(self) -> Iterator[tuple[int, dict]]:
        """Each row as {column: cell}; cells a short row lacks are None."""
        for number, cells in self.rows():
            yield number, {h: (cells[i] if i < len(cells) else None)
                           for i, h in enumerate(self.header) if h}


def _encoding_problems(path: Path, scanned: Scanned | None = None) -> list[FieldProblem]:
    """The lines that are not UTF-8 (the first twenty), read a bounded piece at a time; a
    line longer than MAX_LINE_BYTES is refused, as the csv module would hold it whole.
    The same pass hashes the file: `scanned(sha256, lines)` when it was read to its end."""
    problems: list[FieldProblem] = []
    decoder = codecs.getincrementaldecoder("utf-8")()
    digest = hashlib.sha256()
    number, length = 1, 0
    with path.open("rb") as handle:
        while piece := handle.readline(1 << 20):
            digest.update(piece)
            length += len(piece)
            if length > MAX_LINE_BYTES:
                raise ValidationError([FieldProblem("(file)", _(
                    "line {n} is longer than {m:,} bytes").format(
                        n=number, m=MAX_LINE_BYTES), None, number)])
            if not _decodes(decoder, piece, number, problems) and len(problems) >= 20:
                return problems
            if piece.endswith(b"\n"):
                number, length = number + 1, 0
    _decodes(decoder, b"", number, problems, final=True)
    if scanned is not None:
        scanned(digest.hexdigest(), number - (length == 0))
    return problems


def _decodes(decoder, piece: bytes, number: int, problems: list[FieldProblem], *,
             final: bool = False) -> bool:
    try:
        decoder.decode(piece, final=final)
        return True
    except UnicodeDecodeError as error:
        decoder.reset()
        problems.append(FieldProblem(
            "(file)", _("line {n} is not UTF-8 (byte 0x{b:02x}); save the file as 'CSV UTF-8' "
                        "or convert it, e.g. iconv -f WINDOWS-1256 -t UTF-8").format(
                n=number, b=error.object[error.start]), None, number))
        return False


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of every record of the file, the header included; a cell longer than
    MAX_CELL_CHARS, or anything else the csv module cannot read, is one problem naming the
    line."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            for row in reader:
                yield reader.line_num, row
        except csv.Error as error:
            line = reader.line_num
            message = (_("a cell on line {n} is longer than {m:,} characters").format(
                n=line, m=MAX_CELL_CHARS) if "field limit" in str(error)
                else _("line {n} is not readable CSV: {e}").format(n=line, e=error))
            raise ValidationError([FieldProblem("(file)", message, None, line)]) from None


def read_csv(path: Path, scanned: Scanned | None = None) -> Table:
    """A UTF-8 CSV (with or without BOM, any line endings); binary data is refused in one
    sentence, other encodings with the lines that are not UTF-8. `scanned(sha256, lines)`
    is called once the byte pass before parsing has read the whole file."""
    check_text_file(path)
    problems = _encoding_problems(path, scanned)
    if problems:
        raise ValidationError(problems)
    # The header is read by the reader the first parse goes on with: a single parse (the
    # import's) opens the file once. A parse after it opens the file again.
    first = _csv_rows(path)
    header = next(first, (1, []))[1]
    unused = [first]

    def rows() -> Iterator[tuple[int, list]]:
        records = unused.pop() if unused else _csv_rows(path)
        if records is not first:
            next(records, None)
        for number, (_line, row) in enumerate(records, start=2):
            if any(cell.strip() for cell in row):
                yield number, row

    return Table([h.strip().lower() for h in header], rows)


def _unreadable(error: Exception) -> ValidationError:
    # openpyxl's own words, in one line and without the server's path to the upload.
    words = (str(error).splitlines() or [type(error).__name__])[0]
    words = re.sub(r"(/[^\s/]+)+/?", "…", words)
    return ValidationError.single("(file)", _("not a readable XLSX workbook: {e}").format(
        e=words))


def _checked_cells(header: list[str], number: int, row) -> list:
    """The row's cells; one longer than MAX_CELL_CHARS is refused with its row and column
    (and a row past the last one a workbook can have, with its number)."""
    if number > MAX_XLSX_ROWS:
        raise ValidationError([FieldProblem("(file)", _(
            "the sheet goes on past row {m:,}, the last an XLSX workbook can have").format(
                m=MAX_XLSX_ROWS), None, number)])
    cells = list(row)
    for i, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            column = header[i] if i < len(header) and header[i] else f"#{i + 1}"
            raise ValidationError([FieldProblem(column, _(
                "a cell of {n:,} characters; at most {m:,}").format(
                    n=len(cell), m=MAX_CELL_CHARS), None, number)])
    return cells


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    """The first sheet (or `sheet`) of an XLSX workbook, streamed, after the archive
    passed `check_archive`. Only the header's columns are read, and the sheet's declared
    dimensions are ignored, so a sheet that claims a million columns costs nothing."""
    from openpyxl import load_workbook

    check_archive(path, _("the workbook"))

    def open_sheet():
        try:
            book = load_workbook(path, read_only=True, data_only=True)
            ws = book[sheet] if sheet and sheet in book.sheetnames else book.worksheets[0]
            ws.reset_dimensions()
        except Exception as error:  # noqa: BLE001 - any unreadable workbook is a user error
            raise _unreadable(error) from None
        return book, ws

    book, ws = open_sheet()
    try:
        first = _checked_cells([], 1, next(ws.iter_rows(max_row=1, values_only=True), ()))
    except ValidationError:
        raise
    except Exception as error:  # noqa: BLE001 - a sheet that does not parse is a user error
        raise _unreadable(error) from None
    finally:
        book.close()
    header = [str(c).strip().lower() if c is not None else "" for c in first]
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, list]]:
        book, ws = open_sheet()
        try:
            numbered = enumerate(ws.iter_rows(min_row=2, max_col=max(len(header), 1),
                                              values_only=True), start=2)
            for number, row in numbered:
                cells = _checked_cells(header, number, row)
                if any(c is not None and str(c).strip() for c in cells):
                    yield number, cells
        except ValidationError:
            raise
        except Exception as error:  # noqa: BLE001 - a sheet that does not parse
            raise _unreadable(error) from None
        finally:
            book.close()

    return Table(header, rows)


def read_table(path: Path, sheet: str | None = None, scanned: Scanned | None = None
               ) -> Table:
    """The table of a CSV or XLSX file; `scanned` as for read_csv (a CSV only)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet)
    return read_csv(path, scanned)
