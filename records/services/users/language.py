"""The workspace language each user chose, kept with their account."""

from __future__ import annotations

from sqlmodel import Session

from records.errors import ValidationError
from records.i18n import LANGUAGES, _
from records.models.user import UserRead
from records.services.access import Principal, act_as
from records.services.users.accounts import _read, load_user


def set_user_language(session: Session, *, by: Principal, language: str) -> UserRead:
    """Store `language` (en, ar, ckb) as the logged-in user's own choice, audited like every
    account change; choosing the language already stored writes nothing.

    Raises ValidationError for a language the workspace does not offer."""
    if language not in LANGUAGES:
        raise ValidationError.single(
            "language", _("'{value}' is not a language of the workspace; choose one of "
                          "{allowed}").format(value=language, allowed=", ".join(LANGUAGES)),
            language)
    user = load_user(session, by.username)
    if user.language != language:
        act_as(session, by)
        user.language = language
        session.flush()
    return _read(user)
