"""Which columns the audit trail treats specially: the few places later encryption must cover."""

# Never written to the audit trail in clear: a value shows as a keyed digest
# ("hmac-sha256:…", records.keys.ChainKeys.credential_digest), which verification compares
# with the value in the database. Entries written before the trail was sealed show
# "[redacted]".
REDACTED_IN_AUDIT: dict[str, tuple[str, ...]] = {
    "app_user": ("password_hash",),
}

# Counters the log-in events already record; diffs of them would only be noise.
NOT_AUDITED: dict[str, tuple[str, ...]] = {
    "app_user": ("failed_logins", "locked_until", "last_login_at"),
}

# Columns the trail records only from its seal on (entries written before it left them
# out): the seal records each row's value at that moment, and a trail that is not sealed
# yet is replayed without them. last_edited_by_id is what the four-eyes rule reads.
AUDITED_FROM_SEAL: dict[str, tuple[str, ...]] = {
    "incident": ("last_edited_by_id",),
}
