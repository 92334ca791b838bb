"""The report's fixed wording: names of levels, filters, statuses, confidence levels and
follow-up steps, the verification and exclusion paragraphs. Marked with N_ and translated
where they are written, in the report's language."""

from __future__ import annotations

from records.i18n import N_, _, is_right_to_left

LEVEL_NAMES = {"public": N_("public"), "partner": N_("partner"), "internal": N_("internal")}
FILTER_NAMES = {"statuses": N_("statuses"), "since": N_("since"), "until": N_("until"),
                "admin1": N_("governorate"), "incident_type": N_("incident type"),
                "perpetrator": N_("perpetrator")}
CONFIDENCE_NAMES = {"reported": N_("Reported"), "corroborated": N_("Corroborated"),
                    "verified": N_("Verified")}
DEFAULT_TITLE = N_("Attacks on human-rights defenders, activists and journalists")
VERIFICATION = N_(
    "Each incident is entered by a caseworker from the sources listed, then checked by a "
    "reviewer who did not enter or submit it (four-eyes rule) before it is marked verified; "
    "published incidents are verified incidents released for publication. Confidence says "
    "how well the facts are established: reported (one source), corroborated (independent "
    "sources agree), verified (confirmed by the organisation's own investigation). Sources are "
    "graded on the Admiralty scale (reliability A-F, credibility 1-6). Counts of people "
    "killed and injured are the larger of the reported figure and the victims listed. "
    "Categories follow HURIDOCS Events Standard Formats, ACLED and the OHCHR guidance on SDG "
    "indicator 16.10.1.")
EXCLUDED = (
    N_("Incidents not yet verified (drafts, incidents in review or returned to their "
       "author) are left out: they have not passed the four-eyes check."),
    N_("Archived incidents (duplicates and withdrawn records) are left out unless the "
       "filters ask for them."),
    N_("Incidents marked restricted, to protect the people in them, appear only in "
       "internal reports."),
    N_("Names of victims who did not consent to publication and are not public figures "
       "are withheld below the internal level; witnesses and contacts never appear."),
    N_("Places are shown no more precisely than the level allows; confidential sources "
       "are not cited below the internal level."),
)
FOLLOW_UP_NOTE = N_(
    "A killing or attempted killing counts as followed up by a step when at least one "
    "case event of that kind is recorded for it; cases with none of these steps are "
    "counted as having no follow-up at all (the impunity rate). Releases, advocacy "
    "actions and UN communications are listed in the timelines but are not steps "
    "towards accountability.")
REPORTED_NOTE = N_(
    "Figures reported by other organisations and the media, each beside Sijil's own "
    "count for the same measure, period and governorate at this report's level. A "
    "difference is expected: Sijil counts only incidents it has documented and verified.")


def separators() -> tuple[str, str]:
    """The comma and the semicolon that join lists in the current language."""
    return ("، ", "؛ ") if is_right_to_left() else (", ", "; ")


def level_name(name: str) -> str:
    return _(LEVEL_NAMES.get(name, name))
