"""Which uids a bulk import may find in the database, so it asks the database only about those.

An import of 100 000 incidents names several hundred thousand people, actors and sources by
uid, nearly all of them new: one query per uid was a fifth of the import's time. While an
import runs, the uids present when it started are read once per table (one query, a set of
strings: ~10 MB at 150 000 people), and the uids the import itself creates are added as it
builds them. A uid in neither cannot be in the database, so the look-up is skipped; a uid in
either is still looked up with the usual query, visibility included. Outside an import
(one incident entered on a page) nothing is installed and every look-up queries, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session, select

from records.models import Person, RecordMerge

_KEY = "sijil.known_uids"


class KnownUids:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.present: dict[type, set[str]] = {}
        # Model-agnostic: a uid noted here only costs a query if another table is asked.
        self.created: set[str] = set()
        # Rows found once (an armed group named by a thousand incidents): their id, and
        # whether the importer may see them, asked once per import.
        self.ids: dict[tuple[type, str], int] = {}
        self.visible: dict[tuple[type, int], bool] = {}
        self._merged: dict[str, str] | None = None

    def kept_uid(self, uid: str) -> str:
        """The uid of the person that `uid` was merged into (following a merge of the kept
        person in turn), or `uid` itself: a file written before a merge still names the
        merged-away person, who must not come back as a new duplicate."""
        if self._merged is None:
            with self.session.no_autoflush:
                # In merge order, so a later merge of the same uid (after an undo) wins.
                self._merged = dict(self.session.exec(
                    select(RecordMerge.merged_key, RecordMerge.kept_key)
                    .where(RecordMerge.kind == "person", RecordMerge.undone_at.is_(None))
                    .order_by(RecordMerge.id)).all())
        seen = {uid}
        while uid in self._merged and self._merged[uid] not in seen:
            uid = self._merged[uid]
            seen.add(uid)
        return uid

    def may_exist(self, model, uid: str) -> bool:
        if uid in self.created:
            return True
        present = self.present.get(model)
        if present is None:
            with self.session.no_autoflush:
                present = set(self.session.exec(
                    select(model.uid).where(model.uid.is_not(None))).all())
            self.present[model] = present
        return uid in present


@contextmanager
def known_uids(session: Session) -> Iterator[KnownUids]:
    """Install the directory on `session` for the length of a bulk import."""
    directory = session.info.get(_KEY)
    if directory is not None:  # nested (an import's own preview): share it
        yield directory
        return
    directory = session.info[_KEY] = KnownUids(session)
    try:
        yield directory
    finally:
        session.info.pop(_KEY, None)


def may_exist(session: Session, model, uid: str) -> bool:
    """False only when an import is running and `uid` is certainly not in `model`'s table."""
    directory = session.info.get(_KEY)
    return directory is None or directory.may_exist(model, uid)


def live_uid(session: Session, model, uid: str) -> str:
    """During an import: the uid of the person a merged-away uid now names (no row has the
    old one); any other uid, and any uid outside an import, unchanged."""
    directory = session.info.get(_KEY)
    if directory is None or model is not Person or directory.may_exist(model, uid):
        return uid
    return directory.kept_uid(uid)


def directory_of(session: Session) -> KnownUids | None:
    return session.info.get(_KEY)


def note_created(session: Session, uids: set[str]) -> None:
    """The import will write rows with these uids: later look-ups must query for them."""
    directory = session.info.get(_KEY)
    if directory is not None:
        directory.created |= uids
