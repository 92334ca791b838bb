"""Log-in throttling per username and client: growing delays instead of a lock.

A lock per account let anyone lock anyone out, the admin included, with five wrong tries.
Here failures count per (username, client address): after FAILURES_BEFORE_DELAY of them,
each further attempt from that client for that name must wait a delay that doubles with
every failure, up to MAX_DELAY; a success clears the count. Someone elsewhere slows only
their own attempts. Unknown names are counted exactly like known ones, so the answer never
says whether a name exists.

The counts live in this process only: a restart forgets them, and several server
processes would each count on their own (docs/design.md §4).
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

FAILURES_BEFORE_DELAY = 5
FIRST_DELAY = 2.0  # seconds, after the FAILURES_BEFORE_DELAY-th failure; doubles after each
MAX_DELAY = 15 * 60.0
# A count with no failure for this long is forgotten; longer than MAX_DELAY, so waiting out
# the delays never starts an attacker afresh.
FORGET_AFTER = 24 * 3600.0
# Memory stays bounded whatever is typed; past this, the oldest counts are dropped first.
MAX_ENTRIES = 100_000


@dataclass
class _Failures:
    count: int
    last: float


def client_key(client: str) -> str:
    """The part of a client address that identifies one client: an IPv6 address by its
    /64 network, because one host can pick any address inside it."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address.packed, 64), strict=False))
    return str(address)


class LoginThrottle:
    """Failure counts per (username, client), safe to share between threads.

    `now` is the clock in seconds (monotonic); tests put in their own."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[bytes, str], _Failures] = OrderedDict()
        # Names are kept only as keyed digests: people type passwords into the name field,
        # and what they typed should not sit readable in the server's memory for a day.
        self._key = os.urandom(16)

    def _name(self, username: str) -> bytes:
        text = username.strip().casefold().encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, key=self._key, digest_size=16).digest()

    def _left(self, failures: _Failures, now: float) -> float:
        beyond = failures.count - FAILURES_BEFORE_DELAY
        if beyond < 0:
            return 0.0
        delay = min(MAX_DELAY, FIRST_DELAY * 2.0 ** min(beyond, 32))
        return max(0.0, failures.last + delay - now)

    def attempt(self, username: str, client: str) -> float:
        """Start an attempt: the seconds still to wait (> 0, the attempt is refused and not
        counted), or 0.0 when it may go ahead.

        An attempt that goes ahead is counted as a failure at once, so that many attempts
        sent together cannot all pass before the first one fails; `succeeded` clears it."""
        key = (self._name(username), client_key(client))
        with self._lock:
            now = self.now()
            failures = self._entries.get(key)
            if failures is not None and now - failures.last > FORGET_AFTER:
                failures = None
            if failures is not None:
                left = self._left(failures, now)
                if left > 0:
                    return left
            self._entries[key] = _Failures((failures.count if failures else 0) + 1, now)
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)
            return 0.0

    def succeeded(self, username: str, client: str) -> None:
        """A correct password: this client starts afresh for this name."""
        with self._lock:
            self._entries.pop((self._name(username), client_key(client)), None)

    def delays(self, usernames: Iterable[str]) -> dict[str, float]:
        """Name → the longest wait any client has before it may try that name again, for
        those of `usernames` that have one."""
        names = {self._name(u): u for u in usernames}
        found: dict[str, float] = {}
        with self._lock:
            now = self.now()
            for (name, _client), failures in self._entries.items():
                left = self._left(failures, now) if name in names else 0.0
                if left > 0:
                    found[names[name]] = max(left, found.get(names[name], 0.0))
        return found

    def clients(self, username: str) -> int:
        """How many clients have failures counted for this name."""
        name = self._name(username)
        with self._lock:
            return sum(1 for n, _client in self._entries if n == name)

    def clear(self, username: str) -> int:
        """Forget the failures of every client for this name; how many clients had any."""
        name = self._name(username)
        with self._lock:
            keys = [k for k in self._entries if k[0] == name]
            for key in keys:
                del self._entries[key]
            return len(keys)

    def reset(self) -> None:
        """Forget everything (tests start each from a clean state)."""
        with self._lock:
            self._entries.clear()


# The one throttle of this process: every log-in goes through it.
LOGIN_THROTTLE = LoginThrottle()


def clear_after_commit(session: Session, username: str) -> None:
    """Forget the log-in failures for `username` once `session` commits: the change that
    lifts them (an unlock, a new password) is recorded first, or they stay."""
    event.listen(session, "after_commit", lambda _session: LOGIN_THROTTLE.clear(username),
                 once=True)
