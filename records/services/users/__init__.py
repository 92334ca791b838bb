"""User accounts: argon2id passwords, roles, log-in and its throttling."""

from records.services.users.accounts import (
    add_user,
    count_users,
    get_user,
    list_users,
    principal_of,
    update_user,
    usernames,
)
from records.services.users.login import (
    authenticate,
    login_delays,
    throttled_message,
    unlock_user,
    wrong_login_message,
)
from records.services.users.throttle import FAILURES_BEFORE_DELAY, LOGIN_THROTTLE

__all__ = [
    "FAILURES_BEFORE_DELAY",
    "LOGIN_THROTTLE",
    "add_user",
    "authenticate",
    "count_users",
    "get_user",
    "list_users",
    "login_delays",
    "principal_of",
    "throttled_message",
    "unlock_user",
    "update_user",
    "usernames",
    "wrong_login_message",
]
