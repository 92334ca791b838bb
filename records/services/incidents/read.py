"""Building read models of incidents, with what the acting user may not see left out."""

from __future__ import annotations

from sqlalchemy.orm import selectinload
from sqlmodel import Session, select

from records.errors import NotFound
from records.i18n import _
from records.models import (
    CaseEvent,
    Citation,
    Incident,
    Perpetrator,
    RecordMerge,
    ReviewComment,
    Victim,
)
from records.models.incident_io import (
    CaseEventRead,
    CitationRead,
    CommentRead,
    IncidentRead,
    PerpetratorRead,
    PersonRead,
    SourceRead,
    VictimRead,
)
from records.sealing import NAME_FIELDS, open_model, open_row
from records.services.access import (
    Principal,
    can_see_incident,
    reading_level,
    redact_person,
    redact_place,
    source_visible,
)
from records.services.access.withheld_text import (
    NameCutter,
    cut_read,
    cutter_for,
    spellings_of,
)
from records.services.users import usernames
from records.text import without_unstorable

# Everything an incident read model shows, loaded in a few queries instead of one per row.
INCIDENT_LOAD = (
    selectinload(Incident.victims).selectinload(Victim.person),
    selectinload(Incident.perpetrators).selectinload(Perpetrator.actor),
    selectinload(Incident.perpetrators).selectinload(Perpetrator.person),
    selectinload(Incident.citations).selectinload(Citation.source),
    selectinload(Incident.case_events).selectinload(CaseEvent.source),
    selectinload(Incident.case_events).selectinload(CaseEvent.person),
    selectinload(Incident.case_events).selectinload(CaseEvent.actor),
)


def load_incident(session: Session, ref: str, *, by: Principal,
                  for_update: bool = False) -> Incident:
    """The incident row, or NotFound when it does not exist or `by` may not see it."""
    # A ref from a URL or a box may hold a NUL, which PostgreSQL refuses in any query.
    ref = without_unstorable(ref)
    query = select(Incident).where(Incident.ref == ref.strip().upper())
    if for_update:
        query = query.with_for_update()
    incident = session.exec(query.options(*INCIDENT_LOAD)).first()
    if incident is None or not can_see_incident(by, incident):
        kept = _merged_into(session, ref.strip().upper(), by) if incident is None else None
        if kept is not None:
            raise NotFound(_("{ref} was merged into {kept}: open {kept}").format(
                ref=ref, kept=kept))
        raise NotFound(_("no incident {ref}").format(ref=ref))
    return incident


def _merged_into(session: Session, ref: str, by: Principal) -> str | None:
    """The ref of the incident that `ref` was merged into (following merges of merges),
    when `by` may see it; None otherwise, so a link to a merged-away incident leads on
    without telling anyone about an incident they may not see."""
    seen = {ref}
    while True:
        kept = session.exec(select(RecordMerge.kept_key).where(
            RecordMerge.kind == "incident", RecordMerge.merged_key == ref,
            RecordMerge.undone_at.is_(None)).order_by(RecordMerge.id.desc())).first()
        if kept is None or kept in seen:
            break
        seen.add(kept)
        ref = kept
    if len(seen) == 1:  # never merged
        return None
    incident = session.exec(select(Incident).where(Incident.ref == ref)).first()
    return ref if incident is not None and can_see_incident(by, incident) else None


class _People:
    """The people of one incident as a reader sees them, noting whose name is withheld
    (redaction.redact_person decides) so it can be cut from the text beside them too."""

    def __init__(self, session: Session, full: bool):
        self.session, self.full = session, full
        self.withheld: list[list[str]] = []
        self.named: list[list[str]] = []

    def shown(self, row, consented: bool = False) -> PersonRead | None:
        if row is None:
            return None
        shown = redact_person(open_model(self.session, PersonRead, row, full=self.full),
                              consented=consented, all_names=self.full,
                              show_confidential=self.full)
        if shown.name_withheld:
            # The spellings, opened here only to be cut from the free text.
            opened = open_row(self.session, row)
            self.withheld.append(spellings_of(*(opened[f] for f in NAME_FIELDS)))
        else:
            self.named.append(spellings_of(shown.full_name, shown.name_original,
                                           shown.aliases))
        return shown

    def cutter(self) -> NameCutter:
        return cutter_for(self.withheld, self.named)


def withheld_cutter(session: Session, incident: Incident, by: Principal) -> NameCutter:
    """What cuts the names of `incident`'s people withheld from `by` out of its text (the
    incident page does the same through incident_read; lists cut the title with it)."""
    people = _People(session, reading_level(by).all_names)
    if people.full:
        return people.cutter()
    for v in incident.victims:
        people.shown(v.person, v.consent_to_publish_name)
    for p in incident.perpetrators:
        people.shown(p.person)
    for e in incident.case_events:
        people.shown(e.person)
    return people.cutter()


def incident_read(session: Session, incident: Incident, by: Principal) -> IncidentRead:
    """The incident as `by` reads it: shaped by `reading_level(by)` with the export's own
    rules (names, contacts, sources, testimony, the place), so a viewer reads no more than a
    public export of it holds; a name withheld from `by` is cut from the text beside it."""
    level = reading_level(by)
    full = level.all_names
    people = _People(session, full)
    person = people.shown

    def source(s) -> SourceRead | None:
        return None if s is None else open_model(session, SourceRead, s, full=full)

    # Review comments are the organisation's work, like in an export.
    comments = session.exec(select(ReviewComment).where(
        ReviewComment.incident_id == incident.id).order_by(ReviewComment.id)).all() \
        if level.organisation_records else []
    names = usernames(session, {incident.created_by_id, incident.last_edited_by_id,
                                 incident.submitted_by_id, incident.verified_by_id}
                       | {c.author_id for c in comments})
    victims = [VictimRead(
        id=v.id, version=v.version, outcome=v.outcome,
        harm_description=open_row(session, v)["harm_description"],
        consent_to_publish_name=v.consent_to_publish_name,
        person=person(v.person, v.consent_to_publish_name)) for v in incident.victims]
    fields = {**incident.model_dump(include=set(IncidentRead.model_fields)
                                    - {"victims", "perpetrators", "citations", "case_events",
                                       "comments", "imported_status", "imported_from"}),
              **open_row(session, incident)}
    read = IncidentRead(
        **{**fields, **redact_place(fields, level)},
        created_by=names.get(incident.created_by_id),
        last_edited_by=names.get(incident.last_edited_by_id),
        submitted_by=names.get(incident.submitted_by_id),
        verified_by=names.get(incident.verified_by_id),
        # Where an imported record came from is the workspace's business, not a viewer's.
        imported_status=incident.imported_status if level.organisation_records else None,
        imported_from=incident.imported_from if level.organisation_records else None,
        victims=victims,
        perpetrators=[PerpetratorRead(
            id=p.id, version=p.version, attribution=p.attribution,
            basis=open_row(session, p)["basis"],
            actor=p.actor, person=person(p.person)) for p in incident.perpetrators],
        citations=[CitationRead(
            id=c.id, version=c.version, page=c.page, source=source(c.source),
            **open_row(session, c)) for c in incident.citations
            if source_visible(c.source, level)],
        case_events=[CaseEventRead(
            id=e.id, version=e.version, date=e.date, date_precision=e.date_precision,
            kind=e.kind, description=e.description,
            source=source(e.source) if source_visible(e.source, level) else None,
            person=person(e.person), actor=e.actor) for e in incident.case_events],
        comments=[CommentRead(id=c.id, author=names.get(c.author_id, "system"), body=c.body,
                              created_at=c.created_at) for c in comments],
    )
    # A withheld name must not come back through the free text beside it.
    return cut_read(read, people.cutter())
