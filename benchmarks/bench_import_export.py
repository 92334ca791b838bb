"""Import and export of N incidents (default 100 000) on SQLite or PostgreSQL.

    python benchmarks/bench_import_export.py [--incidents N] [--url URL]

Writes a flat CSV of synthetic, clearly fictional incidents (one victim, one perpetrator and
one citation each; a few actors and sources shared), imports it in one transaction through
the normal write path (validated, audited), then exports it as CSV and data package at the
internal level and as CSV at the partner level (imports land in review, so a public export
of them would be empty). Prints seconds and incidents per second.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from records.db import make_engine, read_session, unit_of_work
from records.services.access import SYSTEM
from records.services.exchange import (
    COLUMNS,
    ExportFilters,
    ExportRequest,
    import_file,
    preview_import,
    run_export,
)
from records.services.setup import prepare_database

TYPES = ["killing", "attempted_killing", "abduction", "threat", "arbitrary_detention"]
GOVERNORATES = ["IQ-BG", "IQ-BA", "IQ-NI", "IQ-KA", "IQ-DQ", "IQ-NA"]
ACTORS = [(str(uuid.UUID(int=i + 1)), f"Fictional armed group {i}", "non_state_armed_group")
          for i in range(20)]
SOURCES = [(str(uuid.UUID(int=1000 + i)), f"Fictional News {i}") for i in range(50)]


def write_file(path: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for i in range(n):
            year = 2000 + i // 99_999
            actor = rng.choice(ACTORS)
            source = rng.choice(SOURCES)
            writer.writerow({
                "incident_ref": f"INC-{year}-{i % 99_999 + 1:05d}",
                "title": f"Fictional incident {i}", "narrative": "A fictional narrative. " * 5,
                "incident_type": rng.choice(TYPES),
                "start_date": dt.date(year, rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
                "date_precision": "day", "country": "IQ", "admin1": rng.choice(GOVERNORATES),
                "latitude": round(rng.uniform(29.5, 37), 4),
                "longitude": round(rng.uniform(39, 48), 4), "geo_precision": "near",
                "status": rng.choice(["verified", "published", "draft"]),
                "confidence": "reported", "sensitivity": "normal",
                "perpetrator_actor_uid": actor[0], "perpetrator_actor_name": actor[1],
                "perpetrator_actor_type": actor[2], "perpetrator_attribution": "alleged",
                "citation_source_uid": source[0], "citation_source_kind": "media",
                "citation_source_title": source[1], "citation_statement": "Reports it.",
                "victim_uid": str(uuid.UUID(int=10**9 + i)),
                "victim_name": f"Fictional Person {i}", "victim_name_original": "شخص خيالي",
                "victim_sex": "unknown", "victim_outcome": rng.choice(["killed", "injured"]),
                "victim_consent": rng.choice(["true", "false"]),
            })


def fresh_database(url: str | None, folder: Path) -> str:
    if not url:
        return f"sqlite:///{folder / 'bench.db'}"
    name = f"sijil_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def timed(label: str, n: int, action):
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"{label:<34} {seconds:8.1f} s  {n / seconds:8.0f} incidents/s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--url", help="a PostgreSQL server URL (default: a SQLite file)")
    args = parser.parse_args()
    n = args.incidents
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(fresh_database(args.url, folder))
        prepare_database(engine)
        source = folder / "incidents.csv"
        print(f"{n} incidents on {engine.dialect.name}")
        timed("write the CSV", n, lambda: write_file(source, n))

        def validate():
            with read_session(engine) as session:
                return preview_import(session, source, by=SYSTEM)

        preview = timed("validate (dry run)", n, validate)
        assert preview.ok, preview.problems[:5]

        def load():
            with unit_of_work(engine) as session:
                return import_file(session, source, by=SYSTEM)

        assert timed("import (validate + write, audited)", n, load).created == n
        everything = ExportFilters(statuses=None)
        for label, fmt, level, out in (
                ("export csv, internal", "csv", "internal", folder / "all.csv"),
                ("export datapackage, internal", "datapackage", "internal", folder / "p.zip"),
                ("export csv, partner", "csv", "partner", folder / "partner.csv")):
            result = timed(label, n, lambda fmt=fmt, level=level, out=out: run_export(
                engine, ExportRequest(fmt, out, level, everything), by=SYSTEM))
            print(f"{'':<34} {result.incidents} incidents, {out.stat().st_size / 1e6:.1f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()
