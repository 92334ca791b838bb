"""User accounts: argon2id passwords, roles, log-in and its throttling."""

from records.services.users.accounts import (
    MAX_FAILED_LOGINS,
    add_user,
    authenticate,
    count_users,
    get_user,
    list_users,
    principal_of,
    update_user,
    usernames,
)

__all__ = [
    "MAX_FAILED_LOGINS",
    "add_user",
    "authenticate",
    "count_users",
    "get_user",
    "list_users",
    "principal_of",
    "update_user",
    "usernames",
]
