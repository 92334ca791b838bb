"""Log-in cost (case 6's log-in, records/services/users/passwords.py).

- Log-in p95 with 1 and with 8 at once: each log-in as the log-in page makes it (the
  argon2id check in a read session first, `check_password`, then `authenticate` and the
  session row in one unit of work), from threads as Streamlit's sessions are.
- A failed log-in costs the same whatever the name: the median for an unknown name over
  the median for a known name with a wrong password (within 1.20).
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from benchmarks.harness import PASSWORD, Row


def _log_in(engine, name: str, password: str, client: str) -> float:
    from records.db import read_session, unit_of_work
    from records.errors import AuthenticationError
    from records.services.users import authenticate, check_password, start_session

    started = time.perf_counter()
    with read_session(engine) as session:
        checked = check_password(session, name, password)
    with unit_of_work(engine) as session:
        try:
            principal = authenticate(session, name, password, client=client, checked=checked)
            start_session(session, by=principal, client=client)
        except AuthenticationError:
            pass
    return time.perf_counter() - started


def login_rows(engine_name: str, url: str, size: int, rounds: int) -> list[Row]:
    from records.db import make_engine

    engine = make_engine(url)
    _log_in(engine, "bench_user_1", PASSWORD, "192.0.2.1")  # warm: the dummy hash
    alone = [_log_in(engine, "bench_user_1", PASSWORD, "192.0.2.1")
             for _ in range(rounds * 2)]

    def one_of_eight(i: int) -> list[float]:
        return [_log_in(engine, f"bench_user_{i + 1}", PASSWORD, f"192.0.2.{i + 1}")
                for _ in range(rounds)]

    with ThreadPoolExecutor(8) as pool:
        crowd = [t for times in pool.map(one_of_eight, range(8)) for t in times]
    unknown, wrong = [], []
    for i in range(rounds * 2):  # taking turns: a slow moment falls on both
        unknown.append(_log_in(engine, "nobody_here", "wrong password", f"198.51.100.{i}"))
        wrong.append(_log_in(engine, "bench_user_2", "wrong password",
                             f"203.0.113.{i}"))
    engine.dispose()
    spread = max(statistics.median(unknown), statistics.median(wrong)) / min(
        statistics.median(unknown), statistics.median(wrong))
    return [
        Row("log-in, 8 at once", engine_name, size, crowd, unit="ms", p95=True,
            baseline="1 at a time", baseline_runs=alone, target=2.0,
            target_text="ratio ≤ 2"),
        Row("failed log-in, unknown name", engine_name, size, unknown, unit="ms",
            baseline="known name, wrong password", baseline_runs=wrong,
            target=1.2, target_text="ratio within 1.20",
            note=f"slowest/fastest {spread:.2f}"),
    ]
