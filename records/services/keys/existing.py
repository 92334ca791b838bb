"""Sealing the values of a database that was filled before values were sealed at rest."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from records.i18n import _
from records.models import Attachment, Citation, Incident, Perpetrator, Person, Source, Victim
from records.sealed_coordinates import COORDINATES
from records.sealing import SEALABLE, seal_row
from records.services.access import Principal, act_as, require_role

PAGE = 500


def seal_existing_values(session: Session, *, by: Principal) -> int:
    """Seal every value the rule of records/sealing.py asks to be sealed and that is still
    in clear (rows written before it existed); returns how many rows changed. The change
    of each row is audited like any other; the trail's earlier entries keep what they
    recorded then. Admins (or the system)."""
    require_role(by, "admin", _("seal stored values"))
    act_as(session, by, "values sealed at rest")
    changed = 0
    for model in (Incident, Source, Person, Citation, Victim, Perpetrator, Attachment):
        fields = SEALABLE[model.__tablename__]
        if model is Incident:  # a restricted incident's coordinates move out of clear
            fields = (*fields, *COORDINATES)
        last = 0
        while True:
            rows = session.scalars(select(model).where(model.id > last)
                                   .order_by(model.id).limit(PAGE)).all()
            if not rows:
                break
            for row in rows:
                before = [getattr(row, f) for f in fields]
                seal_row(session, row)
                if [getattr(row, f) for f in fields] != before:
                    changed += 1
            session.flush()
            last = rows[-1].id
    return changed



