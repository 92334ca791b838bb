"""Whether a failed log-in takes the same time whatever the name (docs/design.md §4).

Times a log-in attempt as the log-in page makes it (authenticate in a unit of work,
committed even when it fails) on a temporary SQLite database, for: a name that does not
exist, a known name with a wrong password, a known name whose client is throttled, and an
unknown name whose client is throttled. The cases take turns, so a slow moment of the
machine falls on all of them. Prints the median and spread of each, each median's ratio
to the wrong-password one, and the slowest median over the fastest: within 1.20, the time
of an answer does not tell who has an account.
Run: python benchmarks/bench_login.py [--tries N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from records.db import make_engine, unit_of_work  # noqa: E402
from records.errors import AuthenticationError  # noqa: E402
from records.services.access import SYSTEM  # noqa: E402
from records.services.setup import prepare_database  # noqa: E402
from records.services.users import (  # noqa: E402
    FAILURES_BEFORE_DELAY,
    LOGIN_THROTTLE,
    add_user,
    authenticate,
)

PASSWORD = "correct horse battery"
THROTTLED_CLIENT = "203.0.113.9"
TOLERANCE = 0.20


def attempt(engine, name: str, password: str, client: str) -> tuple[float, str]:
    """Seconds one attempt took, and its answer."""
    started = time.perf_counter()
    with unit_of_work(engine) as session:
        try:
            authenticate(session, name, password, client=client)
            answer = "logged in"
        except AuthenticationError as error:
            answer = str(error)
    return time.perf_counter() - started, answer


def run(tries: int) -> bool:
    # A clock that stands still: the throttled cases stay throttled however long the run.
    LOGIN_THROTTLE.now = lambda: 0.0
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        prepare_database(engine)
        with unit_of_work(engine) as session:
            add_user(session, "bench_admin", PASSWORD, role="admin", by=SYSTEM)
            add_user(session, "bench_user", PASSWORD, role="caseworker", by=SYSTEM)
        for name in ("bench_user", "nobody_here"):
            for _ in range(FAILURES_BEFORE_DELAY):
                attempt(engine, name, "wrong password", THROTTLED_CLIENT)
        # Each unthrottled try comes from its own address, so none of them is throttled.
        cases: dict[str, Callable[[int], tuple[str, str, str]]] = {
            "unknown name": lambda i: ("nobody_here", "wrong password", f"192.0.2.{i}"),
            "known name, wrong password": lambda i: ("bench_user", "wrong password",
                                                     f"198.51.100.{i}"),
            "known name, throttled": lambda i: ("bench_user", PASSWORD, THROTTLED_CLIENT),
            "unknown name, throttled": lambda i: ("nobody_here", PASSWORD, THROTTLED_CLIENT),
        }
        for make in cases.values():  # warm-up: the stand-in hash is made on first use
            attempt(engine, *make(250))
        times: dict[str, list[float]] = {case: [] for case in cases}
        answers: dict[str, set[str]] = {case: set() for case in cases}
        for i in range(tries):
            for case, make in cases.items():
                seconds, answer = attempt(engine, *make(i))
                times[case].append(seconds)
                answers[case].add(answer)
        engine.dispose()

    medians = {case: statistics.median(values) for case, values in times.items()}
    reference = medians["known name, wrong password"]
    print(f"{tries} tries each, SQLite, argon2id as configured; one attempt = authenticate "
          "+ commit")
    print(f"{'case':<28} {'median':>9} {'p10':>9} {'p90':>9} {'stdev':>8} {'ratio':>6}")
    for case, values in times.items():
        median = medians[case]
        deciles = statistics.quantiles(values, n=10)
        ratio = median / reference
        print(f"{case:<28} {median * 1000:7.1f}ms {deciles[0] * 1000:7.1f}ms "
              f"{deciles[-1] * 1000:7.1f}ms {statistics.stdev(values) * 1000:6.1f}ms "
              f"{ratio:6.2f}")
    for case, seen in answers.items():
        print(f"  answer to {case}: {' | '.join(sorted(seen))}")
    spread = max(medians.values()) / min(medians.values())
    within = spread <= 1 + TOLERANCE
    print(f"slowest median / fastest median: {spread:.3f} "
          + ("(within ±20 %)" if within else "(MORE THAN 20 %: the time tells who exists)"))
    return within


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=30)
    args = parser.parse_args()
    sys.exit(0 if run(args.tries) else 1)


if __name__ == "__main__":
    main()
