"""Password hashing: argon2id, and a check that costs the same whether or not the account
exists, so the time of an answer does not tell who has an account (docs/design.md §4).

The parameters are the first of OWASP's Password Storage Cheat Sheet for argon2id: 19 MiB
of memory, two passes, one lane (RFC 9106's second recommended option, 64 MiB and three
passes over four lanes, cost 0.3-0.6 s per log-in here and made eight log-ins at once take
9 s on two cores). A stored hash carries its parameters: one made with others still
verifies and is rehashed with these at its next log-in (`needs_rehash`).

At most HASHES_AT_ONCE hashes run at the same time (the rest wait their turn): a crowd
logging in at once then costs a bounded amount of memory and leaves a core for the pages
of everyone already logged in.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1
HASHES_AT_ONCE = max(1, (os.cpu_count() or 2) - 1)

_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB,
                         parallelism=PARALLELISM, hash_len=32, salt_len=16, type=Type.ID)
_turns = threading.BoundedSemaphore(HASHES_AT_ONCE)


def hash_password(password: str) -> str:
    """An argon2id hash of `password` with the current parameters."""
    with _turns:
        return _hasher.hash(password)


def needs_rehash(stored_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than the current ones."""
    return _hasher.check_needs_rehash(stored_hash)


def _verify(stored_hash: str, password: str) -> bool:
    with _turns:
        return _hasher.verify(stored_hash, password)


@cache
def _dummy_hash() -> str:
    # Made by the same hasher, so checking against it costs what checking a real account
    # costs; its password is random and thrown away, so nothing ever matches it.
    return hash_password(secrets.token_urlsafe(32))


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches `stored_hash`. Runs exactly one argon2id verification
    whatever it is given: without a hash (no such account, or an attempt refused before
    the check) or with an unreadable one, it checks against a dummy hash and says False."""
    if stored_hash is not None:
        try:
            return _verify(stored_hash, password)
        except VerificationError:
            return False
        except InvalidHashError:
            pass  # refused before any work was done: do the work below
    with contextlib.suppress(VerificationError):
        _verify(_dummy_hash(), password)
    return False
