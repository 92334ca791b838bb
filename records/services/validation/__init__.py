"""Turning input into validated models, with problems that name the field; country and
governorate codes checked against ISO 3166."""

from records.services.validation.fields import (
    check_admin1,
    check_country,
    parse,
    problems_from_pydantic,
)

__all__ = ["check_admin1", "check_country", "parse", "problems_from_pydantic"]
