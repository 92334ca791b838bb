"""Case 5: `sijil audit verify`: seconds and peak memory, over two trails.

- the trail the demo data left (every incident of `sijil demo` writes its entries through
  the normal write path): as large as the demo, a few entries per incident;
- a trail of 1 000 000 entries (--quick: 20 000) made by benchmarks/audit_trail.py in a
  database of its own, the size the issue's target names: 6 s for 1 000 000 entries.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from benchmarks.harness import Row, cli_env, run_process, say, sijil

TRAIL_ENTRIES = 1_000_000
QUICK_TRAIL_ENTRIES = 20_000


def entries(url: str) -> int:
    from records.db import make_engine, read_session
    from records.models import AuditEntry

    engine = make_engine(url)
    with read_session(engine) as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry))
    engine.dispose()
    return count


def _verify_row(engine_name: str, url: str, size: int, work: Path, repeat: int,
                label: str) -> Row:
    count = entries(url)
    runs = [run_process(sijil("audit", "verify"), cli_env(url, work)) for _ in range(repeat)]
    return Row(f"sijil audit verify ({count:,} entries{label})", engine_name, size,
               [r.seconds for r in runs], peak_mb=max(r.peak_mb or 0 for r in runs),
               target=6 * count / 1_000_000,
               target_text="≤ 6 s per 1 000 000 entries")


def _fresh(engine_name: str, url: str, work: Path):
    """A new empty database on the engine of `url`, and the Databases that drops it."""
    from sqlalchemy.engine import make_url

    from benchmarks.data import Databases

    server = None if engine_name == "sqlite" else make_url(url).render_as_string(
        hide_password=False)
    databases = Databases(work, server)
    return databases.fresh("trail"), databases


def audit_row(engine_name: str, url: str, size: int, work: Path, repeat: int,
              quick: bool = False) -> list[Row]:
    """Verify the demo's trail, then a generated one of TRAIL_ENTRIES entries
    (QUICK_TRAIL_ENTRIES with --quick)."""
    from benchmarks.audit_trail import build

    rows = [_verify_row(engine_name, url, size, work, repeat, "")]
    wanted = QUICK_TRAIL_ENTRIES if quick else TRAIL_ENTRIES
    trail, databases = _fresh(engine_name, url, work)
    try:
        say(f"[{engine_name}] a trail of {wanted:,} entries (benchmarks/audit_trail.py)")
        build(trail, wanted, work, say=say)
        rows.append(_verify_row(engine_name, trail, 0, work, repeat, ", generated"))
    finally:
        databases.drop_all()
    return rows
