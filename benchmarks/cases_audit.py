"""Case 5: `sijil audit verify` over the trail the demo data left (every incident of
`sijil demo` writes its entries through the normal write path): seconds and peak memory.
The target scales the issue's: 6 s for 1 000 000 entries."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from benchmarks.harness import Row, cli_env, run_process, sijil


def entries(url: str) -> int:
    from records.db import make_engine, read_session
    from records.models import AuditEntry

    engine = make_engine(url)
    with read_session(engine) as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry))
    engine.dispose()
    return count


def audit_row(engine_name: str, url: str, size: int, work: Path, repeat: int) -> Row:
    count = entries(url)
    runs = [run_process(sijil("audit", "verify"), cli_env(url, work)) for _ in range(repeat)]
    return Row(f"sijil audit verify ({count:,} entries)", engine_name, size,
               [r.seconds for r in runs], peak_mb=max(r.peak_mb or 0 for r in runs),
               target=6 * count / 1_000_000,
               target_text="≤ 6 s per 1 000 000 entries")
