"""The audit trail after it is written (records.audit_chain writes it, in the transaction of
every change): verify it (chain, head, replay), read it (pages of entries, one incident's
history) and go back in it (an incident as of an entry, revert, purge).

The names below are loaded on first use rather than when the package is imported: the helper
processes of a verification import `audit.work`, which needs only the standard library,
orjson and the driver, and must start in a tenth of a second, not after the ORM.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

_EXPORTS = {
    "AuditEntryRead": "log",
    "AuditPage": "log",
    "FieldChange": "log",
    "check_history_access": "log",
    "incident_history": "log",
    "list_entries": "log",
    "ReadableEntry": "readable",
    "audit_filter_choices": "readable",
    "readable_entries": "readable",
    "readable_history": "readable",
    "VerifyResult": "verify",
    "trail_anchor": "verify",
    "verify_chain": "verify",
    "incident_as_of": "history",
    "incident_as_of_time": "history",
    "purge_incident": "erasure",
    "purge": "erasure",
    "purge_person": "erasure",
    "revert_incident": "revert",
}

__all__ = [
    "AuditEntryRead",
    "AuditPage",
    "FieldChange",
    "ReadableEntry",
    "VerifyResult",
    "audit_filter_choices",
    "check_history_access",
    "incident_as_of",
    "incident_as_of_time",
    "incident_history",
    "list_entries",
    "purge",
    "purge_incident",
    "purge_person",
    "readable_entries",
    "readable_history",
    "revert_incident",
    "trail_anchor",
    "verify_chain",
]

if TYPE_CHECKING:
    from records.services.audit.erasure import purge, purge_incident, purge_person
    from records.services.audit.history import (
        incident_as_of,
        incident_as_of_time,
    )
    from records.services.audit.log import (
        AuditEntryRead,
        AuditPage,
        FieldChange,
        check_history_access,
        incident_history,
        list_entries,
    )
    from records.services.audit.readable import (
        ReadableEntry,
        audit_filter_choices,
        readable_entries,
        readable_history,
    )
    from records.services.audit.revert import revert_incident
    from records.services.audit.verify import VerifyResult, trail_anchor, verify_chain


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
