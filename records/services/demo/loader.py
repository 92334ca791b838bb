"""Loading demo data (`sijil demo`): through create_incidents, so every incident is validated
and audited like any other, then a deterministic share moves through the review workflow as
fictional demo accounts. The data itself comes from records.services.demo.data."""

from __future__ import annotations

import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice

from sqlalchemy import Engine, event
from sqlmodel import Session, select

from records.audit_chain import audit_action
from records.db import unit_of_work
from records.errors import ValidationError
from records.i18n import _
from records.models import AppUser, Incident, ReviewComment
from records.models.incident import STATUSES
from records.services.access import Principal, act_as, require_role
from records.services.demo.data import (
    ARCHIVE_REASON,
    CHUNK_SIZE,
    CODED_VOCABULARIES,
    MAX_INCIDENTS,
    RETURN_COMMENT,
    STEPS,
    DemoItem,
    demo_incidents,
)
from records.services.incidents import create_incidents
from records.services.users import add_user, principal_of
from records.services.vocabularies import active_codes
from records.statistics import analyze_after_commit


@dataclass(frozen=True)
class DemoAccounts:
    admin: Principal
    caseworkers: tuple[Principal, Principal]
    reviewers: tuple[Principal, Principal]


DEMO_USERS = (  # the admin first: the first account of an empty database must be an admin
    ("demo_admin", "admin", "Demo Admin (fictional)"),
    ("demo_caseworker_1", "caseworker", "Demo Caseworker One (fictional)"),
    ("demo_caseworker_2", "caseworker", "Demo Caseworker Two (fictional)"),
    ("demo_reviewer_1", "reviewer", "Demo Reviewer One (fictional)"),
    ("demo_reviewer_2", "reviewer", "Demo Reviewer Two (fictional)"),
)


def ensure_demo_accounts(session: Session, *, by: Principal) -> DemoAccounts:
    """The fictional accounts that enter and review demo data, added when missing.

    New accounts get a random password that is never shown: an admin resets it to log in
    as one. Raises ValidationError when a demo name is taken by an account of another role
    or a deactivated one."""
    found = []
    for username, role, display_name in DEMO_USERS:
        user = session.exec(select(AppUser).where(AppUser.username == username)).first()
        if user is None:
            user = add_user(session, username, secrets.token_urlsafe(24), role=role,
                            by=by, display_name=display_name)
        elif user.role != role or not user.is_active:
            raise ValidationError.single("username", _(
                "the account {name} exists but is not an active {role}").format(
                name=username, role=role), username)
        found.append(principal_of(user))
    return DemoAccounts(admin=found[0], caseworkers=(found[1], found[2]),
                        reviewers=(found[3], found[4]))


@dataclass
class DemoSummary:
    seed: int
    incidents: int = 0
    victims: int = 0
    perpetrators: int = 0
    citations: int = 0
    case_events: int = 0
    restricted: int = 0
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, item: DemoItem) -> None:
        data = item.incident
        self.incidents += 1
        self.victims += len(data.victims)
        self.perpetrators += len(data.perpetrators)
        self.citations += len(data.citations)
        self.case_events += len(data.case_events)
        self.restricted += data.sensitivity == "restricted"
        self.statuses[item.status] += 1

    def line(self) -> str:
        statuses = ", ".join(f"{self.statuses[s]} {s}" for s in STATUSES if self.statuses[s])
        return (f"{self.incidents} demo incidents (seed {self.seed}; {statuses}; "
                f"{self.restricted} restricted) with {self.victims} victims, "
                f"{self.perpetrators} perpetrators, {self.citations} citations, "
                f"{self.case_events} case events in {self.seconds:.1f} s")


def _step(session: Session, rows: list[tuple[Incident, Principal]], step: str,
          reason: str) -> None:
    """One review step for many incidents: one audited flush per acting user."""
    by_user: dict[Principal, list[Incident]] = defaultdict(list)
    for incident, user in rows:
        by_user[user].append(incident)
    to = STEPS[step]
    why = {"return": RETURN_COMMENT, "archive": ARCHIVE_REASON}.get(step, reason)
    for user, incidents in by_user.items():
        act_as(session, user, reason)
        with audit_action(session, step, why):
            for incident in incidents:
                incident.status = to
                if step == "submit":
                    incident.submitted_by_id = user.id
                elif step == "verify":
                    incident.verified_by_id = user.id
                elif step == "return":
                    session.add(ReviewComment(incident_id=incident.id, author_id=user.id,
                                              body=RETURN_COMMENT))


def _load_chunk(session: Session, chunk: list[DemoItem], accounts: DemoAccounts,
                reason: str) -> None:
    created: list[Incident] = []

    def collect(_session, instance) -> None:
        if isinstance(instance, Incident):
            created.append(instance)

    ordered: list[DemoItem] = []
    # Each caseworker's incidents in one call; the group of the chunk's first incident goes
    # first, so the coalition exists before any brigade names it as its parent.
    groups: dict[int, list[DemoItem]] = {}
    for item in chunk:
        groups.setdefault(item.caseworker, []).append(item)
    event.listen(session, "transient_to_pending", collect)
    try:
        for index, group in groups.items():
            # One flush for the whole group: the rows stay in the session for the steps.
            create_incidents(session, (item.incident for item in group),
                             by=accounts.caseworkers[index], batch_size=len(group) + 1,
                             reason=reason)
            ordered += group
    finally:
        event.remove(session, "transient_to_pending", collect)
    assert len(created) == len(ordered)
    for step in STEPS:
        rows = []
        for incident, item in zip(created, ordered, strict=True):
            if step not in item.steps:
                continue
            if step == "submit":
                user = accounts.caseworkers[item.caseworker]
            elif step == "archive":
                user = accounts.admin
            else:
                user = accounts.reviewers[item.reviewer]
            rows.append((incident, user))
        if rows:
            _step(session, rows, step, reason)


def load_demo(engine: Engine, *, incidents: int, seed: int, by: Principal,
              progress: Callable[[int, int], None] | None = None,
              chunk_size: int = CHUNK_SIZE) -> DemoSummary:
    """Add `incidents` fictional incidents, entered by demo caseworkers, part of them
    submitted, returned, verified (by a demo reviewer, never the author), published or
    archived (by the demo admin).

    Every row goes through create_incidents and is audited. Each chunk of `chunk_size`
    incidents is its own transaction, so a long load never holds the write lock for
    minutes; `progress(done, total)` is called after each. Admins only (or the system);
    raises ValidationError for a count outside 1..MAX_INCIDENTS."""
    require_role(by, "admin", _("load demo data"))
    if not 1 <= incidents <= MAX_INCIDENTS:
        raise ValidationError.single("incidents", _("give a number from 1 to {n}").format(
            n=MAX_INCIDENTS), incidents)
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        accounts = ensure_demo_accounts(session, by=by)
        codes = {v: active_codes(session, v) for v in CODED_VOCABULARIES}
    summary = DemoSummary(seed=seed)
    reason = f"demo data (seed {seed}) loaded by {by.username}"
    items = demo_incidents(incidents, seed, codes)
    while chunk := list(islice(items, chunk_size)):
        with unit_of_work(engine) as session:
            _load_chunk(session, chunk, accounts, reason)
            if summary.incidents + len(chunk) == incidents:  # the last chunk
                analyze_after_commit(session, incidents)
        for item in chunk:
            summary.add(item)
        if progress is not None:
            progress(summary.incidents, incidents)
    summary.seconds = time.perf_counter() - started
    return summary
