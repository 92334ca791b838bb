"""User accounts: argon2id passwords, roles, log-in and its throttling, log-in sessions."""

from records.services.users.accounts import (
    add_user,
    count_users,
    get_user,
    list_users,
    principal_of,
    update_user,
    usernames,
)
from records.services.users.language import set_user_language
from records.services.users.login import (
    PasswordCheck,
    authenticate,
    check_password,
    login_delays,
    throttled_message,
    unlock_user,
    wrong_login_message,
)
from records.services.users.session_rows import genuine_session
from records.services.users.sessions import (
    IDLE_EXPIRY,
    TOUCH_EVERY,
    end_session,
    open_sessions,
    resume_session,
    revoke_sessions,
    start_session,
    touch_session,
    valid_token,
)
from records.services.users.throttle import FAILURES_BEFORE_DELAY, LOGIN_THROTTLE

__all__ = [
    "FAILURES_BEFORE_DELAY",
    "IDLE_EXPIRY",
    "LOGIN_THROTTLE",
    "TOUCH_EVERY",
    "add_user",
    "PasswordCheck",
    "authenticate",
    "check_password",
    "count_users",
    "end_session",
    "genuine_session",
    "get_user",
    "list_users",
    "login_delays",
    "open_sessions",
    "principal_of",
    "resume_session",
    "revoke_sessions",
    "set_user_language",
    "start_session",
    "throttled_message",
    "touch_session",
    "unlock_user",
    "update_user",
    "usernames",
    "valid_token",
    "wrong_login_message",
]
