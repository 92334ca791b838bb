"""Helper processes that share the units of a verification (protocol: records.services.audit.work).

One thread per helper hands it the next unit as soon as it is free and passes each result
to the verifying thread, which alone records results and reports progress. If any helper
fails, or sees another state of the database than the parent (a write landed between the
two snapshots), the helpers are stopped and the caller verifies in its own process.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import subprocess
import sys
import threading
from collections import deque

log = logging.getLogger(__name__)

HELPER_COMMAND = [sys.executable, "-m", "records.services.audit.work"]


def _start(task: dict) -> subprocess.Popen:
    # The task goes through stdin: the database URL may hold a password, the keys derived
    # from the chain key are in it, and argv is public. The master key stays out of the
    # helper's environment: it needs only what the task hands it.
    # Its stderr is dropped: a chatty failure must never fill a pipe and block both sides.
    env = {name: value for name, value in os.environ.items() if name != "SIJIL_SECRET_KEY"}
    helper = subprocess.Popen(  # noqa: S603 - this interpreter, a module of this package
        HELPER_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True, bufsize=1, env=env)
    assert helper.stdin is not None
    with contextlib.suppress(OSError):  # one that died at once is noticed by its feeder
        helper.stdin.write(json.dumps(task) + "\n")
        helper.stdin.flush()
    return helper


def _feed(helper: subprocess.Popen, head: tuple[int, str], todo: deque, lock: threading.Lock,
          wanted, results: queue.Queue) -> None:
    """Run in a thread: give the helper units until none is left; every outcome goes to
    `results`, ending with ("end", None, None)."""
    assert helper.stdin is not None and helper.stdout is not None
    try:
        seen = json.loads(helper.stdout.readline() or "null")
        if seen is None or tuple(seen["head"]) != tuple(head):
            results.put(("stale" if seen else "failed", None, None))
            return
        while True:
            with lock:
                while todo and not wanted(todo[0]):
                    todo.popleft()
                if not todo:
                    return
                unit = todo.popleft()
            helper.stdin.write(json.dumps(unit) + "\n")
            helper.stdin.flush()
            line = helper.stdout.readline()
            if not line:
                results.put(("failed", unit, None))
                return
            results.put(("done", unit, json.loads(line)))
    except Exception:  # whatever went wrong, the parent must know the work is not done
        results.put(("failed", None, None))
    finally:
        results.put(("end", None, None))


def stop_helpers(helpers: list[subprocess.Popen], *, kill: bool = False) -> None:
    for helper in helpers:
        if kill:
            helper.kill()
        with contextlib.suppress(OSError):
            helper.stdin.close()  # type: ignore[union-attr]
        try:
            helper.wait(timeout=5)
        except subprocess.TimeoutExpired:
            helper.kill()
            helper.wait()


def start_helpers(task: dict, count: int) -> list[subprocess.Popen]:
    """Start the helpers early: they import and connect while the parent plans the units."""
    return [_start(task) for _ in range(count)]


def run_in_helpers(helpers: list[subprocess.Popen], units: list[dict], head: tuple[int, str],
                   tally, report) -> bool:
    """Run `units` in the helpers, adding each result to `tally` (which says which units
    are still wanted) and calling `report` after each. Returns False, having stopped them,
    when the helpers could not do all of it."""
    todo, lock, results = deque(units), threading.Lock(), queue.Queue()
    threads = [threading.Thread(target=_feed, daemon=True,
                                args=(h, head, todo, lock, tally.wanted, results))
               for h in helpers]
    for thread in threads:
        thread.start()
    ended, ok = 0, True
    try:
        while ended < len(helpers):
            what, unit, result = results.get()
            if what == "end":
                ended += 1
            elif what == "done" and ok:
                tally.add(unit, result)
                report()
            elif what in ("failed", "stale") and ok:
                ok = False
                log.warning("a verification helper %s; verifying in this process",
                            "read a later state of the database" if what == "stale"
                            else "failed")
                with lock:
                    todo.clear()  # the other helpers stop after their current unit
                for helper in helpers:
                    helper.kill()
    except BaseException:
        stop_helpers(helpers, kill=True)
        raise
    stop_helpers(helpers)
    return ok
