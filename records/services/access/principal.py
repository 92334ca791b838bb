"""Who is acting: a user with a role, or the system (the CLI on the server, migrations)."""

from __future__ import annotations

from dataclasses import dataclass

from records.audit_chain import bind_user


@dataclass(frozen=True)
class Principal:
    id: int | None
    username: str
    role: str
    display_name: str = ""
    # The seq of the trail's `login` entry of the workspace session this principal acts
    # through; None outside a session (the CLI's --as, the system). Every entry it writes
    # carries it, so verification can tell a write from a session no log-in opened.
    login_seq: int | None = None

    @property
    def is_system(self) -> bool:
        return self.id is None

    @property
    def label(self) -> str:
        return self.display_name or self.username


SYSTEM = Principal(id=None, username="system", role="system", display_name="System")

# Role rank: a higher role can do everything a lower one can (docs/design.md §4).
ROLE_RANK = {"viewer": 0, "caseworker": 1, "reviewer": 2, "admin": 3, "system": 4}


def act_as(session, by: Principal, reason: str | None = None) -> None:
    """Bind the acting principal to the session so every audit entry names them (and the
    log-in they act under)."""
    bind_user(session, by.id, reason, by.login_seq)
