"""What every case shares: timing a command in its own process (with its peak memory),
timing a function in this one, the statistics, and the table the run prints."""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The base64 of b"sijil-benchmark-key-0123456789ab": the databases are fictional, and no run
# ever uses the key file of the installation it runs on.
BENCH_KEY = "c2lqaWwtYmVuY2htYXJrLWtleS0wMTIzNDU2Nzg5YWI="
PASSWORD = "correct horse battery"


@dataclass
class Run:
    seconds: float
    peak_mb: float | None = None


@dataclass
class Row:
    """One line of the table: a case's median (and p95 when it has one), the median of what
    it is compared with, and the target it is held to (None: reported only)."""

    case: str
    engine: str
    size: int
    runs: list[float]
    unit: str = "s"
    baseline: str = ""
    baseline_runs: list[float] = field(default_factory=list)
    target: float | None = None
    target_text: str = ""
    peak_mb: float | None = None
    p95: bool = False
    note: str = ""

    @property
    def value(self) -> float:
        return percentile(self.runs, 95) if self.p95 else statistics.median(self.runs)

    @property
    def ratio(self) -> float | None:
        if not self.baseline_runs:
            return None
        base = (percentile(self.baseline_runs, 95) if self.p95
                else statistics.median(self.baseline_runs))
        return self.value / base if base else None

    def verdict(self) -> str:
        if self.target is None:
            return ""
        measured = self.ratio if self.ratio is not None else self.value
        return "met" if measured <= self.target else "missed"


def percentile(values: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile (p95 of ten values is the largest but none)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def cli_env(url: str, work: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SIJIL_USER", "SIJIL_HOST")}
    env.setdefault("SIJIL_SECRET_KEY", BENCH_KEY)
    env.update(SIJIL_DATABASE_URL=url, SIJIL_FILES_DIR=str(work / "files"), **extra)
    return env


# Runs the command as its own child and writes that child's wall time and peak resident
# memory to the file named first. A process forked from this one starts out as large as
# this one (the pages and libraries the benchmark has loaded), and Linux keeps that size
# as the peak of the command it then becomes; a small interpreter in between gives the
# command a clean start, so its peak is its own.
_MEASURE = """
import os, subprocess, sys, time
out, argv = sys.argv[1], sys.argv[2:]
stdout = open(os.environ["SIJIL_BENCH_STDOUT"], "wb") if os.environ.get("SIJIL_BENCH_STDOUT") \
    else None
started = time.perf_counter()
child = subprocess.Popen(argv, stdout=stdout)
_pid, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - started
with open(out, "w") as handle:
    handle.write(f"{seconds} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(argv: list[str], env: dict[str, str] | None = None, *,
                stdout: Path | None = None) -> Run:
    """Run `argv` to the end; its wall time and its peak resident memory (from the
    kernel's accounting of that one process, started from a small interpreter: _MEASURE).
    Raises RuntimeError when it fails."""
    scratch = Path(os.environ.get("TMPDIR", "/tmp"))
    err_path = scratch / f"sijil-bench-{os.getpid()}.err"
    measured = scratch / f"sijil-bench-{os.getpid()}.measure"
    child_env = dict(os.environ if env is None else env)
    child_env.pop("SIJIL_BENCH_STDOUT", None)
    if stdout:
        child_env["SIJIL_BENCH_STDOUT"] = str(stdout)
    with err_path.open("wb") as err:
        process = subprocess.run(  # noqa: S603
            [sys.executable, "-S", "-c", _MEASURE, str(measured), *argv], env=child_env,
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err, check=False)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} failed: "
                           f"{err_path.read_text(errors='replace')[-800:]}")
    seconds, peak_kb = measured.read_text().split()
    return Run(float(seconds), int(peak_kb) / 1024)


def sijil(*args: str) -> list[str]:
    return [sys.executable, "-m", "records", *args]


def timed(fn: Callable[[], object], repeat: int, *, warm: bool = True) -> list[float]:
    """Seconds of each of `repeat` calls of `fn` (after one untimed call when `warm`: a
    page in use has its caches filled)."""
    if warm:
        fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _number(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value * 1000:,.1f} ms"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:,.2f} s"


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table (it reads the same in a terminal and in the README)."""
    head = ("| case | engine | incidents | runs | median / p95 | compared with | ratio "
            "| peak memory | target | |")
    lines = [head, "|" + "---|" * 10]
    for row in rows:
        stat = "p95" if row.p95 else "median"
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else ""
        base = ""
        if row.baseline:
            value = (percentile(row.baseline_runs, 95) if row.p95
                     else statistics.median(row.baseline_runs)) if row.baseline_runs else 0
            base = f"{row.baseline}: {_number(value, row.unit)}"
        peak = f"{row.peak_mb:,.0f} MB" if row.peak_mb else ""
        lines.append(
            f"| {row.case}{' — ' + row.note if row.note else ''} | {row.engine} "
            f"| {row.size:,} | {len(row.runs)} | {stat} {_number(row.value, row.unit)} "
            f"| {base} | {ratio} | {peak} | {row.target_text} | {row.verdict()} |")
    return "\n".join(lines)
