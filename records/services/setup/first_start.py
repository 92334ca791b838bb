"""The first start of an empty database: a one-time setup code, and exactly one first admin.

Whoever reaches the workspace's port first must not be able to claim the database. So
`sijil ui`, run by whoever holds the server, prints a setup code in its terminal, and the
first-admin form asks for it (docs/design.md §4). Only the code's SHA-256 digest is kept, in
a file only its owner may read (`SIJIL_SETUP_CODE_FILE`), where both the CLI that issues the
code and the server process that checks it find it; the file goes once the first admin
exists. (A fast hash is enough: the code is random, about 122 bits, not a chosen password.)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from sqlalchemy import event
from sqlmodel import Session

from records.config import get_settings
from records.errors import ConflictError, PermissionDenied
from records.i18n import _
from records.models.user import UserRead
from records.private_paths import make_private_dirs
from records.services.access import Principal, require_role
from records.services.users import add_user, count_users

# No 0/O, 1/I/L or U: the code is read off a terminal and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_GROUPS = 5
GROUP_LENGTH = 5
_DIGEST_PREFIX = "sha256:"


def setup_code_file() -> Path:
    """Where the digest of the current setup code is kept (SIJIL_SETUP_CODE_FILE)."""
    return get_settings().setup_code_file


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _digest(code: str) -> str:
    return _DIGEST_PREFIX + hashlib.sha256(_normalise(code).encode()).hexdigest()


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` readable by its owner only, replacing it in one step."""
    make_private_dirs(path.parent)
    handle, temporary = tempfile.mkstemp(prefix=".setup-code-", dir=path.parent)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def discard_setup_code() -> None:
    """Remove the setup code file, if there is one (the code no longer opens anything)."""
    setup_code_file().unlink(missing_ok=True)


def issue_setup_code(session: Session, *, by: Principal) -> str | None:
    """A new one-time setup code while the database has no accounts, else None.

    The code replaces any earlier one; only its digest is written (mode 0600, at
    `setup_code_file()`). Once accounts exist any leftover file is removed and None is
    returned. Only the system principal (the CLI on the server) issues codes: anyone else
    gets PermissionDenied."""
    require_role(by, "system", _("issue a setup code"))
    if count_users(session) > 0:
        discard_setup_code()
        return None
    groups = ["".join(secrets.choice(CODE_ALPHABET) for _i in range(GROUP_LENGTH))
              for _g in range(CODE_GROUPS)]
    code = "-".join(groups)
    _write_private(setup_code_file(), _digest(code) + "\n")
    return code


def _check_setup_code(setup_code: str | None) -> None:
    if not (setup_code or "").strip():
        raise PermissionDenied(_("Enter the setup code printed in the terminal where Sijil "
                                 "was started (sijil ui)."))
    try:
        kept = setup_code_file().read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        kept = ""
    if not kept.startswith(_DIGEST_PREFIX):
        raise PermissionDenied(_("No setup code has been issued for this database: start the "
                                 "workspace with sijil ui, which prints one in its terminal."))
    if not hmac.compare_digest(kept, _digest(setup_code or "")):
        raise PermissionDenied(_("The setup code is wrong: use the code printed in the "
                                 "terminal where Sijil was started (sijil ui). Starting it "
                                 "again prints a new one."))


def create_first_admin(session: Session, *, setup_code: str, username: str, password: str,
                       display_name: str = "", by: Principal) -> UserRead:
    """Create the first account, an admin, for whoever holds the setup code.

    Must run inside `records.db.unit_of_work`: it locks the chain head before anything is
    read, so of two concurrent calls the second counts the first one's account and is
    refused; there is only ever one first admin. `by` is whoever asks (the workspace passes
    the system principal, as nobody can be logged in yet): the code is what authorises.
    Raises ConflictError once any account exists, PermissionDenied for a missing or wrong
    code (or none issued), ValidationError for a bad username or password; in each case
    nothing is written. The code's file is removed when the transaction commits."""
    if count_users(session) > 0:
        raise ConflictError(_("An administrator account already exists: please log in."))
    _check_setup_code(setup_code)
    user = add_user(session, username, password, role="admin", by=by,
                    display_name=display_name)
    event.listen(session, "after_commit", lambda _session: discard_setup_code(), once=True)
    return user
