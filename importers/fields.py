"""Converting raw cell values into typed values, with the message a user needs when that fails.

Each converter takes the raw value (a string from CSV, or a typed value from YAML/JSON/XLSX) and
returns the typed value, or raises `BadValue(expected)`; the caller adds file, line and field.
Blank cells (empty or only spaces) are None.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any


class BadValue(ValueError):
    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any) -> str | None:
    if type(value) is str:  # the common case (every CSV cell), without the generic checks
        return value.strip() or None
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def date_with_precision(value: Any) -> tuple[dt.date | None, str | None]:
    """'2014' -> (2014-01-01, 'year'); '2014-07' -> month; '2014-07-03' -> day. Dates from YAML or
    Excel are days. Other formats are an error (mapping files can declare a date format)."""
    if type(value) is str:
        return _date_from_text(value)
    return _date_with_precision(value)


@lru_cache(maxsize=4096)
def _date_from_text(value: str) -> tuple[dt.date | None, str | None]:
    # Files repeat the same few thousand dates: parse each once (errors are not cached)
    return _date_with_precision(value)


def _date_with_precision(value: Any) -> tuple[dt.date | None, str | None]:
    if blank(value):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), "day"
    if isinstance(value, dt.date):
        return value, "day"
    if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer() \
            and 1000 <= value <= 2999:
        return dt.date(int(value), 1, 1), "year"
    match = _DATE.match(str(value).strip())
    if match:
        year, month, day = match.groups()
        try:
            if day:
                return dt.date(int(year), int(month), int(day)), "day"
            if month:
                return dt.date(int(year), int(month), 1), "month"
            return dt.date(int(year), 1, 1), "year"
        except ValueError:
            pass
    raise BadValue("expected a date like 2024-07-03, 2024-07 or 2024")


def date_in_format(value: Any, fmt: str) -> tuple[dt.date | None, str | None]:
    if blank(value):
        return None, None
    if isinstance(value, dt.date):
        return date_with_precision(value)
    try:
        parsed = dt.datetime.strptime(str(value).strip(), fmt).date()
    except ValueError:
        example = dt.date(2024, 7, 3).strftime(fmt)
        raise BadValue(f"expected a date in the format {fmt} like {example}") from None
    precision = "day" if "%d" in fmt else "month" if "%m" in fmt or "%b" in fmt or "%B" in fmt else "year"
    return parsed, precision


_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d+)?")


def decimal(value: Any, *, minimum: Decimal | None = None) -> Decimal | None:
    if blank(value):
        return None
    if isinstance(value, bool):
        raise BadValue("expected a number like 1250000.50")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        raw = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if "," in raw and _THOUSANDS.fullmatch(raw):
            raw = raw.replace(",", "")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise BadValue("expected a number like 1250000.50") from None
    if not number.is_finite():
        raise BadValue("expected a finite number")
    if minimum is not None and number < minimum:
        raise BadValue(f"expected a number of at least {minimum}")
    return number


def integer(value: Any) -> int | None:
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)
    if blank(value):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadValue("expected a whole number like 2014") from None
    if number != number.to_integral_value():
        raise BadValue("expected a whole number like 2014")
    return int(number)


_TRUE = {"true", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "no", "n", "0", "f", ""}


def boolean(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    folded = str(value).strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return None if folded == "" else False
    raise BadValue("expected true or false (also yes/no, 1/0)")


def choice(value: Any, allowed: tuple[str, ...]) -> str | None:
    if type(value) is str and value in allowed:  # already the stored spelling
        return value
    if blank(value):
        return None
    folded = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    if folded in allowed:
        return folded
    raise BadValue(f"expected one of {', '.join(allowed)}")


_CURRENCY = re.compile(r"[A-Z]{3}")


def currency(value: Any) -> str | None:
    if blank(value):
        return None
    code = str(value).strip().upper()
    if _CURRENCY.fullmatch(code):
        return code
    raise BadValue("expected an ISO 4217 currency code like USD or CNY")


def coordinate(value: Any, limit: int) -> Decimal | None:
    number = decimal(value)
    if number is not None and not -limit <= number <= limit:
        raise BadValue(f"expected decimal degrees between -{limit} and {limit}")
    return number
