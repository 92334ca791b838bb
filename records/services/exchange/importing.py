"""Importing incidents from files: validate everything first, then write all or nothing.

`preview_import` reads and checks a file without writing (the UI's preview, `--dry-run`);
`import_file` checks again inside the caller's unit of work, in the same single parse that
writes: each incident is checked, then built through the normal write path (incident_build)
and flushed with its batch, so each record gets its own audit entry, plus one "import"
entry naming the file and its hash. A problem anywhere undoes what was written (a
savepoint) and nothing is imported.

Status on import (docs/design.md §4): no import verifies or publishes anything, whoever
runs it, the system principal included. The file's status is kept only as provenance
(`imported_status`, with `imported_from` naming the file and its SHA-256); an incident the
file calls submitted, verified or published lands as `submitted`, submitted by the importing
user, so a second person must verify it; any other lands as a draft. Confidence and
sensitivity are kept as given. Restoring a database with its statuses is a backup's job,
not an import's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import not_
from sqlmodel import Session, select

from records.audit_chain import append_event
from records.errors import FieldProblem, ValidationError
from records.i18n import _
from records.models import Incident, Source
from records.models.incident import STATUSES
from records.models.incident_io import IncidentCreate
from records.services.access import Principal, act_as, require_role, visible_incidents
from records.services.exchange.checks import (
    actor_parents,
    check_item,
    create_dict,
    located,
    parent_input,
)
from records.services.exchange.extras import Extras, read_extras, write_extras
from records.services.exchange.limits import value_problems
from records.services.exchange.readers import ImportItem, flat_items
from records.services.exchange.tables import read_table
from records.services.incidents import build_incident
from records.services.people import resolve_actor, resolve_source
from records.services.people.known_uids import known_uids, may_exist
from records.statistics import analyze_after_commit

FORMATS = ("sijil", "acled")
BATCH_SIZE = 500
# File statuses that said the record was ready for review or beyond: it lands in review.
INTO_REVIEW = ("submitted", "verified", "published")
Progress = Callable[[int, int], None]


@dataclass
class ExistingIncident:
    row: int
    ref: str
    reason: str


@dataclass
class ImportPreview:
    """What an import of the file would do: problems (if any), and what it would create."""

    path: str
    format: str
    incidents: int = 0
    victims: int = 0
    existing: list[ExistingIncident] = field(default_factory=list)
    problems: list[FieldProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sample: list[dict] = field(default_factory=list)
    # Likely duplicates per row (records.services.linkage.imports.RowDuplicate): reported,
    # never merged on their own.
    duplicates: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportResult:
    """`held_for_review`: incidents the file calls verified or published, which wait for
    a reviewer here instead (submitted)."""

    created: int
    refs: list[str]
    existing: list[ExistingIncident]
    held_for_review: int
    sha256: str
    warnings: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(child.relative_to(path).as_posix().encode())
            digest.update(file_sha256(child).encode())
        return digest.hexdigest()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _reader(path: Path, fmt: str, problems: list[FieldProblem], warnings: list[str],
            scanned: Callable[[str, int], None] | None = None
            ) -> Callable[[], Iterator[ImportItem]]:
    """A function that reads the file's incidents afresh each time it is called.
    `scanned(sha256, lines)` is called by the byte pass that checks a CSV file before it
    is parsed, so the import needs no pass of its own for the hash."""
    if fmt not in FORMATS:
        raise ValidationError.single("format", _("'{v}' is not a format; allowed: {a}").format(
            v=fmt, a=", ".join(FORMATS)), fmt)
    if not path.exists():
        raise ValidationError.single("file", _("no such file: {p}").format(p=path), str(path))
    if fmt == "acled":
        from records.services.exchange.acled import acled_items

        table = read_table(path)
        return lambda: acled_items(table, problems, warnings)
    if path.is_dir() or path.suffix.lower() == ".zip":
        from records.services.exchange.package_import import package_items

        return lambda: package_items(path, problems)
    if path.suffix.lower() == ".json":
        from records.services.exchange.package_import import json_items

        return lambda: json_items(path, problems)
    table = read_table(path, scanned=scanned)
    table.warnings = warnings
    return lambda: flat_items(table, problems)


class _Checker:
    """Checks items one by one, remembering what earlier items of the file define."""

    def __init__(self, session: Session, preview: ImportPreview, by: Principal,
                 files_dir: Path | str | None = None, *, importing: bool = False):
        self.session = session
        self.by = by
        self.preview = preview
        self.files_dir = files_dir
        self.importing = importing
        # Only incidents `by` may see are "already present": for the others, a preview
        # answers as for a ref or an external id nobody used.
        visible = visible_incidents(by)
        self.refs = set(session.exec(select(Incident.ref).where(visible)).all())
        self.external = dict(session.exec(select(Incident.external_id, Incident.ref)
                                          .where(Incident.external_id.is_not(None), visible)
                                          ).all())
        # Those `by` may not see: the import cannot take them (both are unique), so it
        # refuses the row, in words that hold for any incident (nothing of it is named).
        hidden = not_(visible)
        self.hidden = {"ref": set(session.exec(select(Incident.ref).where(hidden)).all()),
                       "external_id": set(session.exec(select(Incident.external_id).where(
                           Incident.external_id.is_not(None), hidden)).all())}
        self.file_refs: dict[str, int] = {}
        self.file_external: dict[str, int] = {}
        self.file_uids: set[str] = set()

    def existing(self, item: ImportItem) -> ExistingIncident | None:
        ref, external = item.record.get("ref"), item.record.get("external_id")
        if ref and ref in self.refs:
            return ExistingIncident(item.row, ref, _("already present"))
        if external and external in self.external:
            return ExistingIncident(item.row, self.external[external],
                                    _("already present as {id}").format(id=external))
        return None

    def check(self, item: ImportItem) -> list[FieldProblem]:
        problems: list[FieldProblem] = []
        record = item.record
        for key, seen in (("ref", self.file_refs), ("external_id", self.file_external)):
            value = record.get(key)
            if value and value in seen:
                row, column = item.locate(key)
                problems.append(FieldProblem(column, _("duplicate: already on row {r}").format(
                    r=seen[value]), value, row))
            elif value:
                seen[value] = item.row
            if value and self.importing and value in self.hidden[key]:
                row, column = item.locate(key)
                problems.append(FieldProblem(column, _(
                    "cannot be imported by you; ask a reviewer to import the file"), value,
                    row))
        if record.get("status") and record["status"] not in STATUSES:
            row, column = item.locate("status")
            problems.append(FieldProblem(column, _("'{v}' is not allowed; allowed: {a}").format(
                v=record["status"], a=", ".join(STATUSES)), record["status"], row))
        problems += check_item(self.session, item, self.file_uids, by=self.by,
                               warnings=self.preview.warnings, files_dir=self.files_dir)
        return problems


def _scan(session: Session, read, preview: ImportPreview, by: Principal,
          files_dir: Path | str | None, sample_size: int = 20) -> None:
    checker = _Checker(session, preview, by, files_dir)
    for item in read():
        _scan_item(checker, item, preview, sample_size)


def _scan_item(checker: _Checker, item: ImportItem, preview: ImportPreview,
               sample_size: int = 20) -> bool:
    """Check one item into `preview`; whether it is new and has no problem of its own."""
    hostile = [located(item, p) for p in value_problems(item.record)]
    if hostile:
        # Values no import may hold are refused before any query sees them.
        preview.problems += hostile
        preview.incidents += 1
        return False
    known = checker.existing(item)
    if known is not None:
        preview.existing.append(known)
        return False
    problems = checker.check(item)
    preview.problems += problems
    preview.incidents += 1
    preview.victims += len(item.record.get("victims") or [])
    if len(preview.sample) < sample_size:
        record = item.record
        preview.sample.append({
            "row": item.row, "ref": record.get("ref") or "", "title": record.get("title"),
            "start_date": record.get("start_date"), "victims": len(record["victims"]),
            "status": record.get("status") or "draft"})
    return not problems


def preview_import(session: Session, path: str | Path, *, fmt: str = "sijil",
                   by: Principal, files_dir: Path | str | None = None) -> ImportPreview:
    """Read and check the whole file, writing nothing: every problem (row, column, value,
    reason), the incidents already present, and how many incidents would be created.
    Evidence files the file lists that are not in `files_dir` (SIJIL_FILES_DIR) are
    warnings: their records are left out (extras.py)."""
    require_role(by, "caseworker", _("import incidents"))
    path = Path(path)
    preview = ImportPreview(str(path), fmt)
    file_problems: list[FieldProblem] = []
    try:
        read = _reader(path, fmt, file_problems, preview.warnings)
        with known_uids(session):
            _scan(session, read, preview, by, files_dir)
        if not (file_problems or preview.problems):
            from records.services.linkage.imports import import_duplicates

            # A second pass over the same reader: what it notes again was noted already.
            noted = len(preview.warnings), len(file_problems)
            preview.duplicates = import_duplicates(session, read(), by=by)
            del preview.warnings[noted[0]:], file_problems[noted[1]:]
    except ValidationError as error:
        file_problems += error.problems
    preview.problems = _distinct(file_problems + preview.problems)
    return preview


def _uids(data: IncidentCreate) -> set[str]:
    uids = {v.person.uid for v in data.victims if v.person and v.person.uid}
    uids |= {v.person_uid for v in data.victims if v.person_uid}
    for p in (*data.perpetrators, *data.case_events):
        uids |= {u for u in (p.actor_uid, p.person_uid, p.actor and p.actor.uid,
                             p.person and p.person.uid) if u}
    uids |= {c.source_uid or (c.source and c.source.uid) for c in data.citations} - {None}
    return uids


def _new_uids(incident: Incident) -> set[str]:
    """uids of the people, actors and sources this incident creates (not yet flushed):
    a later incident naming one of them must wait for a flush to find it."""
    rows = [v.person for v in incident.victims]
    rows += [r for p in (*incident.perpetrators, *incident.case_events)
             for r in (p.actor, p.person) if r is not None]
    rows += [c.source for c in incident.citations]
    return {r.uid for r in rows if r.id is None and r.uid}


def _source_rows_first(session: Session, data: IncidentCreate, by: Principal) -> None:
    """Create the sources this incident cites before its case events refer to them (the
    caller has flushed any the file made earlier): one flush, only when one is new."""
    wanted = {e.source_uid for e in data.case_events if e.source_uid}
    added = False
    with session.no_autoflush:
        for citation in data.citations:
            source = citation.source
            if source is not None and source.uid in wanted and (
                    not may_exist(session, Source, source.uid) or session.exec(
                    select(Source.id).where(Source.uid == source.uid)).first() is None):
                session.add(resolve_source(session, by, None, source, "", []))
                added = True
    if added:
        session.flush()


def provenance(path: Path, sha256: str) -> str:
    """Where imported records came from: "<file name> sha256:<hex>", the name shortened
    so the whole fits the column (300 characters)."""
    return f"{path.name[:200]} sha256:{sha256}"


class _Writer:
    """Creates incidents one by one, flushing only when an incident needs rows an earlier
    one added, or a batch is full (then forgetting the written rows to bound memory)."""

    def __init__(self, session: Session, by: Principal, batch_size: int, source: str,
                 files_dir: Path | str | None = None):
        self.session = session
        self.files_dir = files_dir
        # Comments and attachments wait for their incident's id: written after a flush.
        self.deferred: list[tuple[Incident, Extras]] = []
        self.by = by
        self.batch_size = batch_size
        self.source = source
        self.numbering = False
        self.pending: set[str] = set()
        self.done = 0
        self.held_for_review = 0
        self.refs: list[str] = []

    def write(self, item: ImportItem) -> None:
        if not self.numbering and not item.record.get("ref"):
            # New refs continue after the highest ref in the database, the file's included.
            self.session.flush()
            self.numbering = True
        incident = self._build(item)
        given = item.record.get("status") or None
        # The file's word is provenance, never a verification (docs/design.md §4): the
        # importer stands behind a submission at most, and a second person verifies.
        incident.status = "submitted" if given in INTO_REVIEW else "draft"
        incident.submitted_by_id = self.by.id if incident.status == "submitted" else None
        incident.verified_by_id = None
        incident.imported_status = given
        incident.imported_from = self.source
        self.held_for_review += given in ("verified", "published")
        incident.external_id = item.record.get("external_id") or None
        self.session.add(incident)
        extras = read_extras(item.record, [])
        if extras.comments or extras.attachments or extras.merges:
            self.deferred.append((incident, extras))
        self.pending |= _new_uids(incident)
        self.refs.append(incident.ref)
        self.done += 1

    def _build(self, item: ImportItem) -> Incident:
        data = item.checked or IncidentCreate.model_validate(create_dict(item.record))
        parents = actor_parents(item.record)
        wanted = {a.get("parent_uid") for _part, _i, a in parents}
        cited = {e.source_uid for e in data.case_events if e.source_uid}
        # Flush only when this incident names a row an earlier one added and the batch
        # has not written yet: lookups by uid read the database.
        if (_uids(data) | wanted | cited) & self.pending:
            self.session.flush()
            self.pending.clear()
        if cited:
            _source_rows_first(self.session, data, self.by)
        if parents:
            self._link_parents(data, parents)
        with self.session.no_autoflush:
            return build_incident(self.session, data, self.by)

    def _link_parents(self, data: IncidentCreate, parents: list[tuple[str, int, dict]]
                      ) -> None:
        """Give each new actor of the incident the parent group the file names: found by
        uid, else by name and type, else created first (and flushed, so the actor built
        next can point at it). An actor the incident names by uid alone already exists and
        keeps its own parent."""
        added = False
        for part, i, actor in parents:
            target = getattr(data, part)[i].actor
            if target is None:
                continue
            given = parent_input(actor)
            with self.session.no_autoflush:  # what the batch added is flushed when named
                parent = resolve_actor(self.session, self.by,
                                       None if given else actor.get("parent_uid"), given,
                                       "", [])
            if parent is None:
                continue
            if parent.id is None:
                self.session.add(parent)
                added = True
            target.parent_uid = parent.uid
        if added:
            self.session.flush()

    def flush(self) -> None:
        """Flush what was written, then the comments and attachments that waited for it."""
        self.session.flush()
        if self.deferred:
            write_extras(self.session, self.deferred, self.files_dir)
            self.deferred.clear()

    def end_of_batch(self) -> bool:
        """After a full batch: flush it, forget its rows and say so."""
        if self.done % self.batch_size:
            return False
        self.flush()
        self.session.expunge_all()
        self.pending.clear()
        return True


def import_file(session: Session, path: str | Path, *, fmt: str = "sijil", by: Principal,
                progress: Progress | None = None, batch_size: int = BATCH_SIZE,
                files_dir: Path | str | None = None) -> ImportResult:
    """Import the file in the caller's transaction: all of it, or nothing.

    Raises ValidationError listing every problem (row, column, value, reason) when any row
    is invalid, with nothing written; PermissionDenied below the caseworker role.
    Incidents already present (same ref or same external id) are skipped and reported.
    Review comments come back with the incident; evidence attachments only when their
    files are in `files_dir` (SIJIL_FILES_DIR; the others are warnings, extras.py).
    `progress(done, total)` is called as incidents are written."""
    require_role(by, "caseworker", _("import incidents"))
    path = Path(path)
    preview = ImportPreview(str(path), fmt)
    problems: list[FieldProblem] = []
    scan: dict = {}
    try:
        # A CSV's byte pass (encoding, line lengths) also hashes it; other formats are
        # hashed apart. The hash comes first: provenance names it on every incident.
        read = _reader(path, fmt, problems, preview.warnings,
                       scanned=lambda sha, lines: scan.update(sha256=sha, lines=lines))
    except ValidationError as error:
        raise ValidationError(_distinct(error.problems)) from None
    sha = scan.get("sha256") or file_sha256(path)
    # The trail keeps the name as provenance does: at most 200 characters of it.
    reason = _("import of {name} (sha256 {h})").format(name=path.name[:200], h=sha[:16])
    act_as(session, by, reason)
    checker = _Checker(session, preview, by, files_dir, importing=True)
    writer = _Writer(session, by, batch_size, provenance(path, sha), files_dir)
    report = progress or (lambda done, total: None)
    # Until the file is parsed only its data lines are known: at least its incidents.
    expected = max(scan.get("lines", 1) - 1, 0)
    report(0, expected)
    # What is written before a problem shows up is undone with this savepoint, so the
    # caller's transaction holds all of the file or nothing of it.
    savepoint = session.begin_nested()
    try:
        with known_uids(session):
            _write_items(session, read, checker, writer, preview, problems,
                         lambda: report(writer.done, max(expected, writer.done)))
    except ValidationError as error:
        problems += error.problems
    except BaseException:
        savepoint.rollback()
        raise
    problems = _distinct(problems + preview.problems)
    if problems:
        savepoint.rollback()
        raise ValidationError(problems)
    savepoint.commit()
    analyze_after_commit(session, writer.done)
    append_event(session, action="import", entity_type="incident", reason=reason,
                 changes={"file": path.name[:200], "sha256": sha, "format": fmt,
                          "created": writer.done, "skipped_existing": len(preview.existing),
                          "held_for_review": writer.held_for_review})
    report(writer.done, writer.done)
    return ImportResult(writer.done, writer.refs[:1000], preview.existing,
                        writer.held_for_review, sha, preview.warnings)


def _write_items(session: Session, read, checker: _Checker, writer: _Writer,
                 preview: ImportPreview, problems: list[FieldProblem], report) -> None:
    """One parse: each incident is checked, then written in the open batch while no
    problem has shown up (after one, checking goes on so every problem is reported, and
    nothing more is written). Incidents without a ref wait until the file's own refs are
    in place, so a new ref never takes one the file gives later: a file that has both
    is parsed a second time for them."""
    waiting: set[int] = set()
    for item in read():
        # Checks read the database; the batch's rows are flushed when it is full (or an
        # incident names one of them), not by every query.
        with session.no_autoflush:
            fine = _scan_item(checker, item, preview)
        if not fine or preview.problems or problems:
            continue
        if item.record.get("ref"):
            writer.write(item)
            if writer.end_of_batch():
                report()
        else:
            waiting.add(item.row)
    if waiting and not (preview.problems or problems):
        for item in read():
            if item.row in waiting:
                writer.write(item)
                if writer.end_of_batch():
                    report()
    if not (preview.problems or problems):
        writer.flush()


def _distinct(problems: list[FieldProblem]) -> list[FieldProblem]:
    """Each (row, column) once, in row order: a cell that failed to convert is reported
    once, not again as "required"."""
    unique: dict[tuple, FieldProblem] = {}
    for problem in problems:
        unique.setdefault((problem.row, problem.field), problem)
    return sorted(unique.values(), key=lambda p: (p.row or 0, p.field))
