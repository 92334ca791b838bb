"""Reading Sijil's flat format for import: typed cells, and the incidents of a table
(tables.py) with the row and column each of their fields came from.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from records.errors import FieldProblem
from records.i18n import _
from records.services.exchange.flat import (
    BOOL_COLUMNS,
    CODE_COLUMNS,
    COLUMNS,
    DATE_COLUMNS,
    FLOAT_COLUMNS,
    INCIDENT_COLUMNS,
    INT_COLUMNS,
    LIST_COLUMNS,
    LIST_GROUPS,
    REQUIRED_COLUMNS,
    VICTIM_COLUMNS,
    split_list,
    unneutralise,
)
from records.services.exchange.tables import Table

_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0", ""}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_OTHER_DATE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


@dataclass
class ImportItem:
    """One incident read from a file, with where each of its fields came from."""

    row: int
    record: dict
    locate: Callable[[str], tuple[int, str]]
    # The record as IncidentCreate once checks.check_item has validated it without a
    # problem, so the writer does not validate it a second time.
    checked: object | None = None


def parse_date(value) -> dt.date:
    """An ISO date (YYYY-MM-DD); day/month orders that could be read two ways are refused."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("not a valid date")) from None
    if _OTHER_DATE.match(text):
        raise ValueError(_("ambiguous date: write it as YYYY-MM-DD"))
    raise ValueError(_("not a date: write it as YYYY-MM-DD"))


def convert(column: str, value, *, cell: bool = True):
    """A cell (or, with cell=False, one item of a list cell) as the type its column holds;
    ValueError with a reason when it cannot be."""
    if isinstance(value, str) and cell:
        value = unneutralise(value)
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if column in LIST_COLUMNS:
            return []
        if column in BOOL_COLUMNS:
            return False
        return None if column not in COLUMNS or column in _NULLABLE else value or ""
    if column in DATE_COLUMNS:
        return parse_date(value)
    if column in INT_COLUMNS:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            raise ValueError(_("not a whole number")) from None
    if column in FLOAT_COLUMNS:
        try:
            return float(str(value).strip().replace(",", "."))
        except ValueError:
            raise ValueError(_("not a number")) from None
    if column in BOOL_COLUMNS:
        text = str(value).strip().lower()
        if isinstance(value, bool):
            return value
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise ValueError(_("not yes/no: write true or false"))
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    text = str(value)
    if column in LIST_COLUMNS:
        return [i.strip() for i in split_list(text) if i.strip()]
    if column in CODE_COLUMNS:
        return text.strip()
    return text


# Text columns where an empty cell means "not known" rather than "".
_NULLABLE = (INT_COLUMNS | FLOAT_COLUMNS | DATE_COLUMNS | CODE_COLUMNS
             | {"time_of_day", "admin2", "locality", "victim_name_original",
                "victim_occupation", "victim_affiliation", "victim_contact",
                "perpetrator_actor_name", "perpetrator_person_name", "citation_page",
                "citation_source_publisher", "citation_source_url", "imported_from",
                "perpetrator_actor_parent_name", "case_event_person_name",
                "case_event_actor_name", "case_event_actor_parent_name"})

_PATHS: dict[str, dict[str, str]] = {
    "victims": {p: c for c, p in VICTIM_COLUMNS.items()},
    **{part: {p: c for c, p in columns.items()} for part, columns, _n in LIST_GROUPS},
}
_PATHS["victims"]["person_uid"] = "victim_uid"
_PATHS["victims"]["person"] = "victim_name"
_PATHS["perpetrators"].update({"actor": "perpetrator_actor_name",
                               "person": "perpetrator_person_name",
                               "actor_uid": "perpetrator_actor_uid"})
_PATHS["citations"].update({"source": "citation_source_title",
                            "source_uid": "citation_source_uid"})
_PATHS["case_events"].update({"source_uid": "case_event_source_uid",
                              "person_uid": "case_event_person_uid",
                              "person": "case_event_person_name",
                              "actor_uid": "case_event_actor_uid",
                              "actor": "case_event_actor_name"})
_INCIDENT_PATHS = {p: c for c, p in INCIDENT_COLUMNS.items()}


def flat_locator(first_row: int, victim_rows: list[int]) -> Callable[[str], tuple[int, str]]:
    """Map a field path of the record ("victims.1.person.full_name") to (row, column)."""
    def locate(path: str) -> tuple[int, str]:
        head, _sep, rest = path.partition(".")
        if head in _PATHS:
            index, _sep, sub = rest.partition(".")
            row = first_row
            if head == "victims" and index.isdigit() and int(index) < len(victim_rows):
                row = victim_rows[int(index)]
            return row, _PATHS[head].get(sub, _PATHS[head].get(sub.split(".")[0], path))
        return first_row, _INCIDENT_PATHS.get(head, head)
    return locate


def _nest(values: dict[str, object], columns: dict[str, str]) -> dict:
    out: dict = {}
    for column, path in columns.items():
        target = out
        *parents, leaf = path.split(".")
        for key in parents:
            target = target.setdefault(key, {})
        target[leaf] = values.get(column)
    return out


def _convert_columns(raw: dict[str, object], columns, row: int, problems: list[FieldProblem],
                     *, cell: bool = True) -> dict[str, object]:
    """The values of `columns` converted; one that cannot be is None, and a problem."""
    values: dict[str, object] = {}
    for column in columns:
        try:
            values[column] = convert(column, raw.get(column), cell=cell)
        except ValueError as error:
            problems.append(FieldProblem(column, str(error), raw.get(column), row))
            values[column] = None
    return values


def _parallel(raw: dict[str, object], part: str, columns: dict, count_column: str, row: int,
              problems: list[FieldProblem]) -> list[dict]:
    counted = split_list(unneutralise(str(raw.get(count_column) or "")))
    n = len(counted) if any(c.strip() for c in counted) else 0
    items = []
    split = {}
    for column in columns:
        value = raw.get(column)
        if isinstance(value, dt.date):
            # A spreadsheet keeps a date typed into a list column as a date, not as text.
            value = (value.date() if isinstance(value, dt.datetime) else value).isoformat()
        cell = unneutralise(str(value or "")) if value is not None else ""
        parts = split_list(cell) if not isinstance(value, int | float) else [cell]
        if len(parts) > n and any(p.strip() for p in parts[n:]):
            problems.append(FieldProblem(column, _("has {k} items but {c} has {n}").format(
                k=len(parts), c=count_column, n=n), raw.get(column), row))
        split[column] = parts + [""] * (n - len(parts))
    for i in range(n):
        values = _convert_columns({column: split[column][i] for column in columns}, columns,
                                  row, problems, cell=False)
        item = _nest(values, columns)
        for key in ("actor", "person", "source"):
            if isinstance(item.get(key), dict) and not any(
                    v not in (None, "", False) for v in item[key].values()):
                item[key] = None
        if part == "case_events":
            item["source_uid"] = (item.pop("source") or {}).get("uid")
        items.append(item)
    return items


def flat_items(table: Table, problems: list[FieldProblem]) -> Iterator[ImportItem]:
    """Incidents of a flat-format table; conversion problems are appended to `problems`.

    Rows of one incident share an incident_ref and must be adjacent; a ref that comes back
    after other incidents is reported as a duplicate."""
    if not table.has_columns(REQUIRED_COLUMNS, _("the column is missing"), problems):
        return
    unknown = [h for h in table.header if h and h not in COLUMNS]
    if unknown:
        table.warnings.append(_("ignored unknown columns: {c}").format(c=", ".join(unknown)))
    for group in _incident_groups(table, problems):
        yield _flat_item(group, problems)


def _ref(raw: dict[str, object]) -> str:
    return str(raw.get("incident_ref") or "").strip()


def _incident_groups(table: Table, problems: list[FieldProblem]
                     ) -> Iterator[list[tuple[int, dict]]]:
    """The rows of each incident: adjacent rows with the same incident_ref (a row without
    one is an incident of its own)."""
    seen: dict[str, int] = {}
    group: list[tuple[int, dict]] = []
    for number, raw in table.named_rows():
        ref = _ref(raw)
        if group and ref and ref == _ref(group[0][1]):
            group.append((number, raw))
            continue
        if group:
            yield group
        group = [(number, raw)]
        if ref:
            if ref in seen:
                problems.append(FieldProblem("incident_ref", _(
                    "duplicate ref: already used on row {r} (rows of one incident must be "
                    "adjacent)").format(r=seen[ref]), ref, number))
            seen[ref] = number
    if group:
        yield group


def _flat_item(group: list[tuple[int, dict]], problems: list[FieldProblem]) -> ImportItem:
    """One incident from its rows: the incident and its lists from the first row, a victim
    from every row that names one."""
    first_row, first = group[0]
    values = _convert_columns(first, INCIDENT_COLUMNS, first_row, problems)
    record = {key: values[column] for column, key in INCIDENT_COLUMNS.items()}
    for part, columns, count_column in LIST_GROUPS:
        record[part] = _parallel(first, part, columns, count_column, first_row, problems)
    victims, victim_rows = [], []
    for row, raw in group:
        if row != first_row:
            _check_same_incident(raw, row, first, first_row, problems)
        if any(raw.get(c) not in (None, "") for c in VICTIM_COLUMNS):
            victims.append(_victim(raw, row, problems))
            victim_rows.append(row)
    record["victims"] = victims
    return ImportItem(first_row, record, flat_locator(first_row, victim_rows))


def _check_same_incident(raw: dict[str, object], row: int, first: dict[str, object],
                         first_row: int, problems: list[FieldProblem]) -> None:
    """A later row of an incident must repeat its incident columns; the first that differs
    is reported."""
    for column in INCIDENT_COLUMNS:
        if _differs(raw.get(column), first.get(column)):
            problems.append(FieldProblem(column, _(
                "differs from row {r} of the same incident_ref (duplicate ref?)")
                .format(r=first_row), raw.get(column), row))
            return


def _victim(raw: dict[str, object], row: int, problems: list[FieldProblem]) -> dict:
    victim = _nest(_convert_columns(raw, VICTIM_COLUMNS, row, problems), VICTIM_COLUMNS)
    victim["person"].pop("name_withheld", None)
    return victim


def _differs(a, b) -> bool:
    return str(a if a is not None else "").strip() != str(b if b is not None else "").strip()
