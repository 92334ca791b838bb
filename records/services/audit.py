"""The audit trail as the UI and the CLI use it: verify it, read it, go back in it.

The trail itself is written by records.audit_chain, in the transaction of every change; this
module gathers the services built on it:
- verify_chain (audit_verify; the chain in audit_scan, the replay in audit_replay and
  audit_replay_entity, the work shared by audit_work and audit_helpers): the whole trail
  recomputed and replayed;
- list_entries, incident_history (audit_log): pages of entries, one incident's history;
- incident_as_of, incident_as_of_time, revert_incident, purge_incident (history).
"""

from records.services.audit_log import (
    AuditEntryRead,
    AuditPage,
    FieldChange,
    check_history_access,
    incident_history,
    list_entries,
)
from records.services.audit_verify import VerifyResult, verify_chain
from records.services.history import (
    incident_as_of,
    incident_as_of_time,
    purge_incident,
    revert_incident,
)

__all__ = [
    "AuditEntryRead",
    "AuditPage",
    "FieldChange",
    "VerifyResult",
    "check_history_access",
    "incident_as_of",
    "incident_as_of_time",
    "incident_history",
    "list_entries",
    "purge_incident",
    "revert_incident",
    "verify_chain",
]
