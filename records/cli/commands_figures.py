"""sijil figures add|list|remove · sijil presets list|show|save|rename|remove

Figures reported by sources (what the report sets beside its own counts) and the report
presets, through the same services as the Export and Reported figures pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from records.cli import app
from records.cli.common import acting_user, date_option, fail, open_engine
from records.db import read_session, unit_of_work
from records.models.reporting import FIGURE_METRICS, FIGURE_QUALIFIERS

if TYPE_CHECKING:
    from records.services.reports import ReportPresetRead

# The report services (and the PDF and chart libraries behind them) are imported inside
# each command: `sijil` loads them only when a figures or presets command runs.

figures_app = typer.Typer(help="Figures reported by sources, set beside Sijil's counts in "
                               "the report.", no_args_is_help=True)
presets_app = typer.Typer(help="Named report settings (admins manage them).",
                          no_args_is_help=True)
app.add_typer(figures_app, name="figures")
app.add_typer(presets_app, name="presets")


def _cell(value: object) -> str:
    return "-" if value is None or value == "" else " ".join(str(value).split())


@figures_app.command("add")
def figures_add(
    metric: str = typer.Option(..., "--metric", help=", ".join(FIGURE_METRICS)),
    value: str = typer.Option(..., "--value", help="The number reported (0 or more)."),
    source: str = typer.Option(..., "--source", help="Who reported it."),
    qualifier: str = typer.Option("exact", "--qualifier", help=", ".join(FIGURE_QUALIFIERS)),
    since: str | None = typer.Option(None, "--since", help="Start of the period (YYYY-MM-DD)."),
    until: str | None = typer.Option(None, "--until", help="End of the period (YYYY-MM-DD)."),
    governorate: str | None = typer.Option(None, "--governorate",
                                           help="ISO 3166-2 code, e.g. IQ-KA; none: all Iraq."),
    url: str | None = typer.Option(None, "--url", help="Address of the source (http/https)."),
    reported_on: str | None = typer.Option(None, "--reported-on",
                                           help="When the source published it (YYYY-MM-DD)."),
    note: str | None = typer.Option(None, "--note"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Record a figure a source reported; prints its id."""
    from records.services.reports import add_reported_figure

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        figure = add_reported_figure(session, {
            "metric": metric, "value": value, "qualifier": qualifier, "period_start": since,
            "period_end": until, "admin1": governorate, "source_name": source,
            "source_url": url, "reported_on": reported_on, "note": note}, by=by)
    typer.echo(f"added reported figure {figure.id}")


@figures_app.command("list")
def figures_list(
    since: str | None = typer.Option(None, "--since", help="Periods overlapping from this date."),
    until: str | None = typer.Option(None, "--until", help="… up to this date."),
    governorate: str | None = typer.Option(None, "--governorate", help="Only this governorate."),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """One figure per line, tab-separated: id, metric, qualifier, value, period start,
    period end, governorate (- for all Iraq), source, address, reported on."""
    from records.services.reports import list_reported_figures

    engine = open_engine()
    by = acting_user(engine, as_user)
    with read_session(engine) as session:
        figures = list_reported_figures(session, by=by, since=date_option("--since", since),
                                        until=date_option("--until", until),
                                        admin1=governorate)
    for f in figures:
        typer.echo("\t".join(_cell(v) for v in (
            f.id, f.metric, f.qualifier, f.value, f.period_start, f.period_end, f.admin1,
            f.source_name, f.source_url, f.reported_on)))


@figures_app.command("remove")
def figures_remove(
    figure_id: int = typer.Argument(..., help="The id `sijil figures list` prints."),
    reason: str | None = typer.Option(None, "--reason"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user."),
) -> None:
    """Remove a reported figure from lists and reports (the trail keeps it)."""
    from records.services.reports import remove_reported_figure

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        remove_reported_figure(session, figure_id, by=by, reason=reason)
    typer.echo(f"removed reported figure {figure_id}")


def _preset_line(p: ReportPresetRead) -> str:
    period = (f"last {p.last_months} months" if p.last_months
              else f"{_cell(p.since)}..{_cell(p.until)}")
    return "\t".join((p.name, _cell(p.title), _cell(p.organisation), period, p.level,
                      p.language, "logo" if p.logo_sha256 else "-"))


@presets_app.command("list")
def presets_list(as_user: str | None = typer.Option(None, "--as", help="Act as this user.")
                 ) -> None:
    """One preset per line, tab-separated: name, title, organisation, period, level,
    language, logo."""
    from records.services.reports import list_presets

    engine = open_engine()
    by = acting_user(engine, as_user)
    with read_session(engine) as session:
        for preset in list_presets(session, by=by):
            typer.echo(_preset_line(preset))


@presets_app.command("save")
def presets_save(
    name: str = typer.Argument(...),
    title: str | None = typer.Option(None, "--title"),
    subtitle: str | None = typer.Option(None, "--subtitle"),
    organisation: str | None = typer.Option(None, "--organisation"),
    logo: Path | None = typer.Option(None, "--logo", help="PNG or JPEG file."),
    since: str | None = typer.Option(None, "--since"),
    until: str | None = typer.Option(None, "--until"),
    last_months: int | None = typer.Option(None, "--last-months",
                                           help="The last N months up to the day of the "
                                                "report, instead of --since/--until."),
    level: str = typer.Option("public", "--level"),
    lang: str = typer.Option("en", "--lang"),
    status: str | None = typer.Option(None, "--status", help="STATUS[,STATUS] or all."),
    governorate: str | None = typer.Option(None, "--governorate"),
    incident_type: str | None = typer.Option(None, "--type"),
    perpetrator: str | None = typer.Option(None, "--perpetrator"),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (admin)."),
) -> None:
    """Create the preset NAME, or replace its settings (its logo stays unless --logo)."""
    from records.services.exchange import parse_statuses
    from records.services.reports import PresetSettings, save_preset

    statuses = parse_statuses(status)
    settings = PresetSettings(
        title=title, subtitle=subtitle, organisation=organisation,
        since=date_option("--since", since), until=date_option("--until", until),
        last_months=last_months, level=level, language=lang,
        filters={"statuses": list(statuses) if statuses is not None else "all",
                 "admin1": governorate, "incident_type": incident_type,
                 "perpetrator": perpetrator})
    data = None
    if logo is not None:
        if not logo.is_file():
            raise fail(f"--logo: no file {logo}")
        data = logo.read_bytes()
    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        preset = save_preset(session, name, settings, by=by, logo=data)
    typer.echo(f"saved report preset {preset.name} (version {preset.version})")


@presets_app.command("show")
def presets_show(name: str = typer.Argument(...),
                 as_user: str | None = typer.Option(None, "--as", help="Act as this user.")
                 ) -> None:
    """The preset's settings, one `field: value` per line."""
    from records.services.reports import get_preset

    engine = open_engine()
    by = acting_user(engine, as_user)
    with read_session(engine) as session:
        preset = get_preset(session, name, by=by)
    for key, value in preset.model_dump(exclude={"id"}).items():
        typer.echo(f"{key}: {_cell(value)}")


@presets_app.command("rename")
def presets_rename(name: str = typer.Argument(...), new_name: str = typer.Argument(...),
                   as_user: str | None = typer.Option(None, "--as", help="Act as this user.")
                   ) -> None:
    """Give a preset another name."""
    from records.services.reports import rename_preset

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        preset = rename_preset(session, name, new_name, by=by)
    typer.echo(f"renamed report preset {name} to {preset.name}")


@presets_app.command("remove")
def presets_remove(name: str = typer.Argument(...),
                   as_user: str | None = typer.Option(None, "--as", help="Act as this user.")
                   ) -> None:
    """Delete a preset (the trail keeps its values)."""
    from records.services.reports import delete_preset

    engine = open_engine()
    by = acting_user(engine, as_user)
    with unit_of_work(engine) as session:
        delete_preset(session, name, by=by)
    typer.echo(f"removed report preset {name}")
