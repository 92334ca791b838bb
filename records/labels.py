"""The words for the codes of statuses and roles, in the current language.

Codes are stored and compared; these names are what a sentence shows, so a message reads
"Rana (Reviewer)" or "its status is Verified" in the user's language, never a code.
"""

from __future__ import annotations

from records.i18n import N_, _

STATUS_NAMES = {"draft": N_("Draft"), "submitted": N_("Submitted"),
                "returned": N_("Returned"), "verified": N_("Verified"),
                "published": N_("Published"), "archived": N_("Archived")}
ROLE_NAMES = {"viewer": N_("Viewer"), "caseworker": N_("Caseworker"),
              "reviewer": N_("Reviewer"), "admin": N_("Administrator")}


def status_name(code: str) -> str:
    return _(STATUS_NAMES[code]) if code in STATUS_NAMES else code


def role_name(code: str) -> str:
    return _(ROLE_NAMES[code]) if code in ROLE_NAMES else code
