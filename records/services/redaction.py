"""What of a person may be shown to whom. Exports and reports build on the same rules."""

from __future__ import annotations

from records.i18n import _
from records.models.incident_io import PersonRead


def withheld_name() -> str:
    return _("Name withheld")


def redact_person(person: PersonRead, *, show_name: bool, show_confidential: bool
                  ) -> PersonRead:
    """The person as this reader may see them.

    Without `show_name` the names, aliases and identifying details go; without
    `show_confidential` the contact goes (it never leaves the caseworkers and reviewers)."""
    update: dict = {}
    if not show_confidential:
        update["contact"] = None
    if not show_name:
        update.update(full_name=withheld_name(), name_original=None, aliases=[],
                      affiliation=None, occupation=None, birth_year=None, name_withheld=True)
    return person.model_copy(update=update) if update else person
