"""Password hashing: argon2id, and a check that costs the same whether or not the account
exists, so the time of an answer does not tell who has an account (docs/design.md §4)."""

from __future__ import annotations

import contextlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def hash_password(password: str) -> str:
    """An argon2id hash of `password` with the current parameters."""
    return _hasher.hash(password)


def needs_rehash(stored_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than the current ones."""
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _dummy_hash() -> str:
    # Made by the same hasher, so checking against it costs what checking a real account
    # costs; its password is random and thrown away, so nothing ever matches it.
    return _hasher.hash(secrets.token_urlsafe(32))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches `stored_hash`. Runs exactly one argon2id verification
    whatever it is given: without a hash (no such account, or an attempt refused before
    the check) or with an unreadable one, it checks against a dummy hash and says False."""
    if stored_hash is not None:
        try:
            return _hasher.verify(stored_hash, password)
        except VerificationError:
            return False
        except InvalidHashError:
            pass  # refused before any work was done: do the work below
    with contextlib.suppress(VerificationError):
        _hasher.verify(_dummy_hash(), password)
    return False
