"""A larger database for the read cases only (search, pages), made fast: the demo
database copied, then its incidents and their index rows copied in SQL until it holds the
size asked for (refs suffixed -1, -2, …; no victims, perpetrators or trail entries for the
copies). Building 100 000 incidents through `sijil demo` takes as long as the demo does;
reading them costs the same either way. Never used for the write or audit cases: the trail
does not hold the copies, so `sijil audit verify` would rightly refuse such a database."""

from __future__ import annotations

import shutil
import uuid

from sqlalchemy import create_engine, func, insert, literal, null, select, text
from sqlalchemy.engine import make_url

from benchmarks.data import Databases


def copy_database(databases: Databases, url: str) -> str:
    """A copy of the database at `url`, as a new database of the run."""
    from records.db import make_engine

    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        target = databases.fresh("reads")
        shutil.copyfile(make_url(url).database, make_url(target).database)
        return target
    engine.dispose()
    name = f"sijil_bench_reads_{uuid.uuid4().hex[:6]}"
    admin = create_engine(databases.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"'))
    admin.dispose()
    databases.made.append(name)
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def replicate(url: str, incidents: int) -> int:
    """Copy the incidents at `url` (and their search rows) until there are `incidents`;
    returns how many there are."""
    from records.db import make_engine
    from records.models import Incident, SearchText

    engine = make_engine(url)
    inc, found = Incident.__table__, SearchText.__table__
    with engine.begin() as conn:
        originals = conn.scalar(select(func.count()).select_from(inc))
        last_id = conn.scalar(select(func.max(inc.c.id)))
        copies = max(0, -(-incidents // originals) - 1)
        columns = [c for c in inc.c if c.name != "id"]
        for k in range(1, copies + 1):
            wanted = min(originals, incidents - originals * k)
            if wanted <= 0:
                break
            chosen = (select(*[(c + literal(f"-{k}")).label("ref") if c.name == "ref"
                               else null().label(c.name) if c.name == "external_id" else c
                               for c in columns])
                      .where(inc.c.id <= last_id).order_by(inc.c.id).limit(wanted))
            conn.execute(insert(inc).from_select([c.name for c in columns], chosen))
            copy = inc.alias("copy")
            rows = (select(copy.c.id, found.c.title, found.c.body, found.c.names_public,
                           found.c.names_all)
                    .join(inc, inc.c.id == found.c.incident_id)
                    .join(copy, copy.c.ref == inc.c.ref + literal(f"-{k}")))
            conn.execute(insert(found).from_select(
                ["incident_id", "title", "body", "names_public", "names_all"], rows))
        total = conn.scalar(select(func.count()).select_from(inc))
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return total
