"""Turning input into validated models, with problems that name the field."""

from __future__ import annotations

from typing import Any, TypeVar

import pycountry
import pydantic

from records.errors import FieldProblem, ValidationError
from records.i18n import _

M = TypeVar("M", bound=pydantic.BaseModel)


def problems_from_pydantic(error: pydantic.ValidationError, prefix: str = "") -> list[FieldProblem]:
    problems = []
    for item in error.errors():
        loc = ".".join(str(p) for p in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        at_model = not item["loc"] or isinstance(item["loc"][-1], int)
        if at_model and item["type"] == "value_error" and ": " in message:
            # Model-level checks say which field they concern ("end_date: ..."), also
            # those of an item in a list ("case_events.0" + "actor: ...").
            field, message = message.split(": ", 1)
            loc = f"{loc}.{field}" if loc else field
        field = f"{prefix}{loc}" if loc else prefix.rstrip(".") or "record"
        problems.append(FieldProblem(field, message, item.get("input")))
    return problems


def parse(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate `data` as `model`, raising ValidationError naming each bad field."""
    if isinstance(data, model):
        data = data.model_dump()
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        raise ValidationError(problems_from_pydantic(error, prefix)) from None


def check_country(field: str, code: str | None, problems: list[FieldProblem]) -> None:
    if code and pycountry.countries.get(alpha_2=code.upper()) is None:
        problems.append(FieldProblem(field, _("unknown country code (ISO 3166-1 alpha-2)"), code))


def check_admin1(field: str, code: str | None, country: str | None,
                 problems: list[FieldProblem]) -> None:
    """admin1 must be an ISO 3166-2 subdivision of the country, e.g. IQ-KA."""
    if not code:
        return
    subdivision = pycountry.subdivisions.get(code=code.upper())
    if subdivision is None:
        problems.append(FieldProblem(
            field, _("unknown governorate '{code}' (use an ISO 3166-2 code such as IQ-BG)")
            .format(code=code), code))
    elif country and subdivision.country_code != country.upper():
        problems.append(FieldProblem(
            field, _("governorate {code} is not in country {country}")
            .format(code=code, country=country), code))
