"""Which columns the audit trail treats specially: the few places later encryption must cover."""

# Never written to the audit trail in clear: a changed value shows as "[redacted]".
REDACTED_IN_AUDIT: dict[str, tuple[str, ...]] = {
    "app_user": ("password_hash",),
}

# Counters the log-in events already record; diffs of them would only be noise.
NOT_AUDITED: dict[str, tuple[str, ...]] = {
    "app_user": ("failed_logins", "locked_until", "last_login_at"),
    # The actor of each entry already says who edited; this column only serves the
    # four-eyes check.
    "incident": ("last_edited_by_id",),
}
