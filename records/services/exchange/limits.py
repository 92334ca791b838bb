"""What an import file may hold (docs/design.md §7, Import limits).

A file from outside is read before anyone has looked at it, so it may be hostile: a zip that
expands a thousandfold, JSON nested until the parser's stack runs out, a picture renamed
.csv, NUL characters (PostgreSQL refuses them in text and SQLite would keep them), a value
of a hundred megabytes in a column the database does not bound. Each limit below is far
above what Sijil's own exports write for a national dataset and low enough that one file
cannot exhaust the server; each refusal is one problem naming the file, or the row and
column, and nothing is written.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from records.errors import FieldProblem, ValidationError
from records.i18n import _

# A JSON import is parsed whole, so its size bounds the memory it takes.
MAX_JSON_BYTES = 1 << 30
# The export nests six levels (incidents, case events, actor, aliases …).
MAX_JSON_DEPTH = 32
# XLSX workbooks and zipped data packages: the uncompressed size of all members together,
# how many members, and how many times a member larger than RATIO_FLOOR may expand
# (Sijil's own exports expand 2 to 15 times; a zip bomb, a thousand times).
MAX_ARCHIVE_BYTES = 2 << 30
MAX_ARCHIVE_MEMBERS = 1_000
MAX_COMPRESSION_RATIO = 100
RATIO_FLOOR = 1 << 20
# One CSV or XLSX cell (a list cell joins several long texts), the rows a workbook can
# have (the XLSX format's own limit), and a CSV file and one of its lines (the csv module
# holds a line whole).
MAX_CELL_CHARS = 1_000_000
MAX_XLSX_ROWS = 1_048_576
MAX_CSV_BYTES = 2 << 30
MAX_LINE_BYTES = 64 << 20
# Text columns the models leave unbounded (the database column is TEXT), as an import
# may fill them: a long narrative is 20 000 characters.
MAX_LONG_TEXT = 100_000
MAX_SHORT_TEXT = 2_000
TEXT_LIMITS = {
    "narrative": MAX_LONG_TEXT, "harm_description": MAX_LONG_TEXT, "basis": MAX_LONG_TEXT,
    "statement": MAX_LONG_TEXT, "quote": MAX_LONG_TEXT, "description": MAX_LONG_TEXT,
    "body": MAX_LONG_TEXT, "note": MAX_LONG_TEXT, "contact": MAX_SHORT_TEXT,
    "url": MAX_SHORT_TEXT,
    # The column's own length: the importer sets it, no input model checks it.
    "external_id": 100,
}
# Lists of short texts (JSON columns): tags, aliases, profiles.
LIST_FIELDS = frozenset({"tags", "aliases", "profiles"})
MAX_LIST_ITEMS = 100
MAX_LIST_ITEM_CHARS = 300
# Counts: the INTEGER columns hold 2**31 - 1; no incident counts a million dead.
COUNT_FIELDS = frozenset({"fatalities", "injured"})
MAX_COUNT = 1_000_000
# Fields of a record that must be text when given (a JSON file may give anything).
TEXT_KEYS = ("ref", "external_id", "status")
# How much of a CSV file is looked at to tell text from binary data.
SNIFF_BYTES = 8192

_SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive (an XLSX workbook or a zipped data package?)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word document"),
    (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip archive"),
)


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB" if size >= 1 << 20 else f"{size:,} bytes"


def _size_over(size: int, limit: int) -> str:
    """A size above `limit` in words that never read as the limit itself: rounded to whole
    megabytes, a size just over the limit would show the limit's own figure."""
    shown = _megabytes(size)
    if shown == _megabytes(limit):
        return _("more than {limit}").format(limit=shown)
    return shown


def _refuse(message: str, row: int | None = None) -> ValidationError:
    return ValidationError([FieldProblem("(file)", message, None, row)])


def check_archive(path: Path, what: str) -> None:
    """Refuse a zip (an XLSX workbook, a zipped data package) before anything parses it:
    too many members, more than MAX_ARCHIVE_BYTES declared uncompressed, a member that
    expands more than MAX_COMPRESSION_RATIO times, or a member whose content does not have
    the size and checksum the archive declares. The content is read once, streamed: zipfile
    never yields more than the declared size, so a member that holds more fails its
    checksum instead."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ARCHIVE_MEMBERS:
                raise _refuse(_("{what} has {n} files inside; at most {m} are read").format(
                    what=what, n=len(members), m=MAX_ARCHIVE_MEMBERS))
            declared = sum(m.file_size for m in members)
            if declared > MAX_ARCHIVE_BYTES:
                raise _refuse(_("{what} expands to {size}; at most {limit} are read").format(
                    what=what, size=_size_over(declared, MAX_ARCHIVE_BYTES),
                    limit=_megabytes(MAX_ARCHIVE_BYTES)))
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_FLOOR and ratio > MAX_COMPRESSION_RATIO:
                    raise _refuse(_(
                        "{what}: {name} expands {ratio:,.0f} times, to {size}; a file that "
                        "expands more than {m} times is refused (a zip bomb?)").format(
                            what=what, name=member.filename[:100], ratio=ratio,
                            size=_megabytes(member.file_size), m=MAX_COMPRESSION_RATIO))
            for member in members:
                _read_member(archive, member, what)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError,
            RuntimeError, NotImplementedError, ValueError) as error:
        raise _refuse(_("{what} is not a readable zip archive: {e}").format(
            what=what, e=error)) from None


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, what: str) -> None:
    read = 0
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 20):
            read += len(chunk)
    if read != member.file_size:
        raise _refuse(_("{what} is damaged: {name} holds {n} bytes, not the {d} it "
                        "declares").format(what=what, name=member.filename[:100], n=read,
                                           d=member.file_size))


def check_folder(path: Path, files: list[Path] | None = None) -> None:
    """A data package folder's tables (`files`, else its CSV files) may not hold more than
    an archive would expand to."""
    files = files if files is not None else [p for p in path.glob("*.csv") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    if total > MAX_ARCHIVE_BYTES:
        raise _refuse(_("the data package holds {size} of tables; at most {limit} are "
                        "read").format(size=_size_over(total, MAX_ARCHIVE_BYTES),
                                       limit=_megabytes(MAX_ARCHIVE_BYTES)))


def check_text_file(path: Path) -> None:
    """Refuse, in one sentence, a file given as CSV that is binary data (a known file
    signature, UTF-16 text, or a NUL byte near its start) or larger than MAX_CSV_BYTES."""
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise _refuse(_("the CSV file is {size}; at most {limit} are read").format(
            size=_size_over(size, MAX_CSV_BYTES), limit=_megabytes(MAX_CSV_BYTES)))
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            raise _refuse(_("{name} is {kind}, not a CSV file").format(name=path.name,
                                                                      kind=kind))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _refuse(_("{name} is UTF-16 text; save it as 'CSV UTF-8'").format(
            name=path.name))
    if b"\x00" in head:
        raise _refuse(_("{name} holds binary data (NUL bytes), not CSV text").format(
            name=path.name))


def load_json(path: Path):
    """The parsed JSON file, refused when it is larger than MAX_JSON_BYTES, not JSON, or
    nested deeper than MAX_JSON_DEPTH."""
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        raise _refuse(_("the JSON file is {size}; at most {limit} are read").format(
            size=_size_over(size, MAX_JSON_BYTES), limit=_megabytes(MAX_JSON_BYTES)))
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except RecursionError:
        raise _refuse(_("not a readable JSON file: nested deeper than {m} levels").format(
            m=MAX_JSON_DEPTH)) from None
    except (UnicodeDecodeError, ValueError) as error:
        # ValueError also covers numbers too long to convert (Python's digit limit).
        raise _refuse(_("not a readable JSON file: {e}").format(e=error)) from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise _refuse(_("not a readable JSON file: nested deeper than {m} levels").format(
            m=MAX_JSON_DEPTH))
    return data


def _depth(data) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                items = value.values() if isinstance(value, dict) else value
                stack.extend((item, depth + 1) for item in items)
    return deepest


def _walk(value, path: str, depth: int = 0) -> Iterator[tuple[str, object]]:
    yield path, value
    if depth > MAX_JSON_DEPTH:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, f"{path}.{i}" if path else str(i), depth + 1)


def _not_text(value: str) -> str | None:
    if "\x00" in value:
        return _("contains a NUL character (\\x00), which is not text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("contains a character that is not valid Unicode text (an unpaired "
                 "surrogate)")
    return None


def _shortened(value: str) -> str:
    return value[:40] + "…"


def value_problems(record: dict) -> list[FieldProblem]:
    """What no import may write, whatever the file's format, each at its field path
    ("victims.0.person.contact"): text with NUL characters or unpaired surrogates, text
    longer than TEXT_LIMITS allows, lists of more or longer items than LIST_FIELDS allow,
    counts above MAX_COUNT, and a ref, external id or status that is not text. Checked before
    the record reaches the database (or a query), so PostgreSQL and SQLite refuse alike."""
    problems = []
    for key in TEXT_KEYS:
        if record.get(key) is not None and not isinstance(record[key], str):
            problems.append(FieldProblem(key, _("text was expected"), None))
    for path, value in _walk(record, ""):
        field = path.rsplit(".", 1)[-1]
        if isinstance(value, str):
            reason = _not_text(value)
            if reason:
                problems.append(FieldProblem(path, reason, None))
            elif len(value) > TEXT_LIMITS.get(field, MAX_CELL_CHARS):
                problems.append(FieldProblem(path, _(
                    "{n:,} characters; at most {m:,} may be imported").format(
                        n=len(value), m=TEXT_LIMITS.get(field, MAX_CELL_CHARS)),
                    _shortened(value)))
        elif field in LIST_FIELDS and isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                problems.append(FieldProblem(path, _("{n} items; at most {m}").format(
                    n=len(value), m=MAX_LIST_ITEMS), None))
            long = [v for v in value if isinstance(v, str) and len(v) > MAX_LIST_ITEM_CHARS]
            if long:
                problems.append(FieldProblem(path, _(
                    "an item of {n:,} characters; at most {m} each").format(
                        n=len(long[0]), m=MAX_LIST_ITEM_CHARS), _shortened(long[0])))
        elif (field in COUNT_FIELDS and isinstance(value, int | float)
              and not isinstance(value, bool) and abs(value) > MAX_COUNT):
            problems.append(FieldProblem(path, _("at most {m:,}").format(m=MAX_COUNT), None))
    return problems
