"""Build the sample report pages in docs/report/ from the seed cases (Fahim al-Taie,
Karbala, December 2019; Ihab al-Wazni, Karbala, 9 May 2021, a suspect arrested on 26 May
2021 and released in June 2021) and two figures reported by others, in a throw-away
SQLite database, through the same services as the application.

    .venv/bin/python docs/report/make_samples.py

Writes report-en.pdf, report-ar.pdf, case-sheet-en.pdf and PNGs of their first pages
and of the accountability page (pdftoppm -png -r 60)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
# A throw-away key for the throw-away database (never the installation's own).
os.environ.setdefault("SIJIL_SECRET_KEY", "c2lqaWwtdGVzdC1rZXktMDEyMzQ1Njc4OWFiY2RlZmc=")

from records.db import make_engine, read_session, unit_of_work  # noqa: E402
from records.services.access import SYSTEM  # noqa: E402
from records.services.reports import ReportOptions, run_report, write_case_sheet  # noqa: E402
from records.services.reports.figures import add_reported_figure  # noqa: E402
from records.services.setup import prepare_database  # noqa: E402
from records.services.users import add_user, principal_of  # noqa: E402
from tests.test_report_accountability import seed_cases  # noqa: E402

USERS = {"admin": "admin", "carla": "caseworker", "rana": "reviewer", "vera": "viewer"}


def _logo() -> bytes:
    """A plain square mark, drawn here so the sample needs no image file."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 112, 112), fill=(139, 30, 63))
    draw.ellipse((34, 34, 86, 86), fill="white")
    draw.rectangle((128, 40, 232, 52), fill=(139, 30, 63))
    draw.rectangle((128, 68, 200, 80), fill=(160, 160, 160))
    path = Path(tempfile.mkdtemp()) / "logo.png"
    image.save(path)
    return path.read_bytes()


def _png(pdf: Path, stem: str, page: int) -> None:
    """One page of `pdf` as HERE/stem.png, at the resolution of the issue's review."""
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page),  # noqa: S603,S607 - our own files
                    "-singlefile", str(pdf), str(HERE / stem)], check=True)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="sijil-samples-"))
    engine = make_engine(f"sqlite:///{folder / 'samples.db'}")
    prepare_database(engine)
    with unit_of_work(engine) as session:
        users = {name: principal_of(add_user(session, name, "correct horse battery",
                                              role=role, by=SYSTEM))
                 for name, role in USERS.items()}
    seed_cases(engine, users)
    with unit_of_work(engine) as session:
        for values in (
            {"metric": "killed", "value": 30, "qualifier": "over",
             "period_start": dt.date(2019, 10, 1), "period_end": dt.date(2021, 12, 31),
             "source_name": "Example Observatory (sample)"},
            {"metric": "attempted_killing", "value": 70, "qualifier": "at_least",
             "period_start": dt.date(2019, 10, 1), "period_end": dt.date(2021, 12, 31),
             "source_name": "Example Observatory (sample)"},
        ):
            add_reported_figure(session, values, by=users["carla"])
    logo = _logo()
    titles = {"en": ("Silenced in Karbala", "Killings of protest leaders and what followed",
                     "Example Rights Observatory"),
              "ar": ("إسكات كربلاء", "اغتيال قادة الاحتجاج وما تلاه", "مرصد الحقوق (مثال)")}
    for lang, (title, subtitle, organisation) in titles.items():
        options = ReportOptions(title=title, subtitle=subtitle, organisation=organisation,
                                logo=logo, since=dt.date(2019, 10, 1),
                                until=dt.date(2021, 12, 31), lang=lang)
        pdf = HERE / f"report-{lang}.pdf"
        run_report(engine, options, pdf, by=users["vera"])
        # Page 1: cover, summary and contents; 2: accountability; 3: reported and map.
        for page in (1, 2, 3):
            _png(pdf, f"report-{lang}-page-{page}", page)
    refs = seed_refs(engine)
    with unit_of_work(engine) as session:
        write_case_sheet(session, refs, HERE / "case-sheet-en.pdf", by=users["vera"])
    _png(HERE / "case-sheet-en.pdf", "case-sheet-en", 1)
    engine.dispose()
    shutil.rmtree(folder, ignore_errors=True)


def seed_refs(engine) -> str:
    """The ref of Ihab al-Wazni's killing."""
    from sqlmodel import select

    from records.models import Incident

    with read_session(engine) as session:
        return session.exec(select(Incident.ref).where(
            Incident.title == "Killing of Ihab al-Wazni")).one()


if __name__ == "__main__":
    main()
