"""Converting raw cell values into typed values, with the message a user needs when that fails.

Each converter takes the raw value (a string from CSV, or a typed value from YAML/JSON/XLSX) and
returns the typed value, or raises `BadValue(expected)`; the caller adds file, line and field.
Blank cells (empty or only spaces) are None.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any


class BadValue(ValueError):
    def __init__(self, expected: str):
        super().__init__(expected)
        self.expected = expected


NOT_SCALAR = "expected a single value, not a list or a mapping"


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_chars(value: str) -> str:
    """`value` unless it holds a character no column can store: NUL (PostgreSQL refuses it, SQLite cuts
    the text there) or half of a UTF-16 surrogate pair (JSON's "\\ud800"; not encodable as UTF-8)."""
    if "\x00" in value:
        raise BadValue("expected text without NUL characters (\\x00)")
    if not value.isascii() and _SURROGATE.search(value):
        raise BadValue("expected text without lone UTF-16 surrogates (\\ud800-\\udfff are halves of a pair, "
                       "not characters)")
    return value


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text(value: Any) -> str | None:
    if type(value) is str:  # the common case (every CSV cell), without the generic checks
        value = value.strip()
        if "\x00" in value or not value.isascii():
            check_chars(value)
        return value or None
    if blank(value):
        return None
    if isinstance(value, dict | list):
        raise BadValue(NOT_SCALAR)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return check_chars(str(value).strip())


def bounded_text(length: int | None) -> Any:
    """`text` that refuses more than `length` characters (the column's String(length); SQLite would
    keep them and PostgreSQL refuse them, so both refuse them here)."""
    if length is None:
        return text

    def convert(value: Any) -> str | None:
        if type(value) is str:  # text() inlined: this runs for most cells of a file
            result = value.strip()
            if "\x00" in result or not result.isascii():
                check_chars(result)
        else:
            result = text(value)
        if result and len(result) > length:
            raise BadValue(too_long(length, len(result)))
        return result or None

    convert.kind = "text"  # type: ignore[attr-defined]
    convert.max_length = length  # type: ignore[attr-defined]
    return convert


def too_long(length: int, got: int) -> str:
    return f"expected at most {length:,} characters, not {got:,}"


def fit(value: str | None, length: int) -> str | None:
    """`value` if it has at most `length` characters (for nested items: names, citations, ...)."""
    if value is not None and len(value) > length:
        raise BadValue(too_long(length, len(value)))
    return value


# Characters that show nothing: format characters (zero-width space and joiners, soft hyphen, BOM,
# bidi marks; Unicode category Cf), controls, and the few letters and marks that render as blank.
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")


def clean_key(value: str) -> str:
    """A key as one spelling: NFKC (full-width letters, ligatures and no-break spaces become their plain
    forms), invisible characters dropped, runs of spaces as one, trimmed. Case is kept."""
    if value.isascii() and value.isprintable():
        return " ".join(value.split())
    value = unicodedata.normalize("NFKC", value)
    kept = "".join(ch for ch in value if ch not in _INVISIBLE_EXTRA
                   and (unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\t\n\r"))
    return " ".join(kept.split())


def code_of(length: int | None = None) -> Any:
    """The converter of a record's code: `clean_key`, then upper case (the documented rule: codes
    compare without regard to case, and are stored in upper case), at most `length` characters."""

    def convert(value: Any) -> str | None:
        if type(value) is str and value.isascii():  # the common case, without the Unicode work
            code = value.strip()
            if not code:
                return None
            if "  " in code or not code.isprintable():
                code = clean_key(check_chars(code))
                if not code:
                    raise BadValue("expected a code with visible characters")
            code = code.upper()
            if length is not None and len(code) > length:
                raise BadValue(too_long(length, len(code)))
            return code
        raw = text(value)
        if raw is None:
            return None
        code = clean_key(raw).upper()
        if not code:
            raise BadValue("expected a code with visible characters")
        if length is not None and len(code) > length:
            raise BadValue(too_long(length, len(code)))
        return code

    convert.kind = "code"  # type: ignore[attr-defined]
    convert.max_length = length  # type: ignore[attr-defined]
    return convert


def with_lengths(converters: dict[str, Any], table: Any) -> dict[str, Any]:
    """`converters` with the text and code fields that are String(n) columns of `table` limited to n
    characters (the model says each length once)."""
    out = dict(converters)
    for name, convert in converters.items():
        column = table.c.get(name)
        length = getattr(getattr(column, "type", None), "length", None)
        if length is None:
            continue
        if convert is text:
            out[name] = bounded_text(length)
        elif getattr(convert, "kind", None) == "code":
            out[name] = code_of(length)
        elif convert is reference:
            out[name] = reference_of(length)
    return out


def reference(value: Any) -> str | None:
    """A reference to another record by code or name: `clean_key` (case kept: names are matched folded,
    codes in upper case)."""
    raw = text(value)
    return None if raw is None else clean_key(raw) or None


def reference_of(length: int) -> Any:
    """`reference` of at most `length` characters (a source's key is one)."""

    def convert(value: Any) -> str | None:
        return fit(reference(value), length)

    convert.kind = "text"  # type: ignore[attr-defined]
    convert.max_length = length  # type: ignore[attr-defined]
    return convert


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


# Commas in numbers. '.' is the decimal point. Commas that group digits by three are thousands
# separators when the number shows it: two or more groups (1,250,000) or a decimal point after them
# (1,250.50). A single comma with exactly three digits after it and no point (1,250) is ambiguous
# (1250, or 1.25 where the comma is the decimal mark) and refused, except in a comma-separated file,
# whose writer did not use the comma as the decimal mark (THOUSANDS_COMMA, set by the file import).
# Any other single comma is a decimal comma (1250,50 or 0,250 -> 1250.50, 0.250).
THOUSANDS_COMMA: ContextVar[bool] = ContextVar("THOUSANDS_COMMA", default=False)
_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3}){2,}(\.\d+)?|-?\d{1,3},\d{3}\.\d+")
_AMBIGUOUS = re.compile(r"[-+]?[1-9]\d{0,2},\d{3}")
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")
NUMBER_EXAMPLE = "expected a number like 1250000.50"
_MAX_NUMBER_TEXT = 100  # characters: no number a column keeps is longer


def _parse_number(value: Any) -> Decimal | None:
    if blank(value):
        return None
    if isinstance(value, bool):
        raise BadValue(NUMBER_EXAMPLE)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if value.bit_length() > 256:  # far beyond any column (and str() refuses over 4,300 digits)
            raise BadValue("expected a number that fits the column")
        number = Decimal(value)
    elif isinstance(value, float):
        # A spreadsheet keeps 15 significant digits; more are binary noise (0.1 + 0.2 -> 0.30000000000000004)
        number = Decimal(f"{value:.15g}")
    elif isinstance(value, dict | list):
        raise BadValue(NOT_SCALAR)
    else:
        raw = str(value).strip()
        if len(raw) > _MAX_NUMBER_TEXT:
            raise BadValue(NUMBER_EXAMPLE)
        raw = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if "," in raw:
            if _THOUSANDS.fullmatch(raw):
                raw = raw.replace(",", "")
            elif _AMBIGUOUS.fullmatch(raw):
                whole, _, rest = raw.partition(",")
                if THOUSANDS_COMMA.get():
                    return Decimal(whole + rest)
                raise BadValue(f"expected a number without ambiguity: {raw} reads as {whole}{rest} or as "
                               f"{whole}.{rest}; write one of them")
            elif _DECIMAL_COMMA.fullmatch(raw):
                raw = raw.replace(",", ".")
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise BadValue(NUMBER_EXAMPLE) from None
    if not number.is_finite():
        raise BadValue("expected a finite number")
    return number


def decimal(value: Any, *, minimum: Decimal | None = None) -> Decimal | None:
    """A number without a column's limits (see `number` for the converter of a Numeric column)."""
    number = _parse_number(value)
    if number is not None and minimum is not None and number < minimum:
        raise BadValue(f"expected a number of at least {minimum}")
    return number


def number(precision: int, scale: int, *, minimum: Decimal | None = None, maximum: Decimal | None = None,
           round_excess: bool = False) -> Any:
    """The converter of a Numeric(precision, scale) column: at most precision - scale digits before the
    point; more than `scale` decimals are refused (the column would round them away, differently on
    each database) unless they are zeros, or unless `round_excess` (then rounded half away from zero,
    as PostgreSQL rounds)."""
    whole_digits = precision - scale
    step = Decimal(1).scaleb(-scale)
    plain = re.compile(rf"-?\d{{1,{whole_digits}}}(?:\.\d{{0,{scale}}})?").fullmatch
    below = f"expected a number with at most {whole_digits} digits before the decimal point"
    if minimum is not None and maximum is not None:
        out_of_range = f"expected a number between {minimum} and {maximum}"
    elif minimum is not None:
        out_of_range = f"expected a number of at least {minimum}"
    else:
        out_of_range = f"expected a number of at most {maximum}"

    def convert(value: Any) -> Decimal | None:
        if type(value) is str and plain(value):  # digits within the column's limits: no checks to make
            result = Decimal(value)
            if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
                raise BadValue(out_of_range)
            return result
        result = _parse_number(value)
        if result is None:
            return None
        if result.is_zero():
            result = abs(result)
        elif result.adjusted() >= whole_digits:
            raise BadValue(below)
        if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
            raise BadValue(out_of_range)
        if result.as_tuple().exponent < -scale:  # type: ignore[operator]
            rounded = result.quantize(step, rounding=ROUND_HALF_UP)
            if rounded != result and not round_excess:
                raise BadValue(f"expected at most {scale} decimal places (the column keeps {scale})")
            if not rounded.is_zero() and rounded.adjusted() >= whole_digits:
                raise BadValue(below)
            result = rounded
        return result

    convert.kind = "number"  # type: ignore[attr-defined]
    return convert


def numeric_of(column: Any, **options: Any) -> Any:
    """`number` for a model column of type Numeric(precision, scale)."""
    return number(column.type.precision, column.type.scale, **options)


_MAX_INT_TEXT = 40


def integer(value: Any) -> int | None:
    if type(value) is str and value.isascii() and value.isdigit() and len(value) <= _MAX_INT_TEXT:
        return int(value)
    if blank(value):
        return None
    if isinstance(value, dict | list):
        raise BadValue(NOT_SCALAR)
    raw = str(value).strip() if not isinstance(value, int | float) else value
    if isinstance(raw, str) and len(raw) > _MAX_INT_TEXT:
        raise BadValue("expected a whole number like 2014")
    try:
        number = _parse_number(raw)
    except BadValue:
        raise BadValue("expected a whole number like 2014") from None
    if number is None or number != number.to_integral_value() or number.adjusted() >= _MAX_INT_TEXT:
        raise BadValue("expected a whole number like 2014")
    return int(number)


def whole(minimum: int, maximum: int, expected: str) -> Any:
    """`integer` within [minimum, maximum] (an Integer column holds 32 bits on PostgreSQL)."""

    def convert(value: Any) -> int | None:
        try:
            result = integer(value)
        except BadValue:
            raise BadValue(expected) from None
        if result is not None and not minimum <= result <= maximum:
            raise BadValue(expected)
        return result

    convert.kind = "integer"  # type: ignore[attr-defined]
    return convert


# Years of amounts and price bases: the years a date may have (see _date_with_precision)
year = whole(1000, 2999, "expected a year like 2014 (1000 to 2999)")


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
    """An ISO 4217 code: current (pycountry) or withdrawn since 1980 (importers/currencies.py)."""
    if blank(value):
        return None
    code = text(value).upper()  # type: ignore[union-attr]
    if _CURRENCY.fullmatch(code) and code in _currencies():
        return code
    raise BadValue("expected an ISO 4217 currency code like USD or CNY (current, or withdrawn like DEM)")


def is_currency(code: str) -> bool:
    """Whether `code` (as written) is an ISO 4217 code `currency` accepts."""
    return code in _currencies()


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    import pycountry

    from importers.currencies import NOT_AMOUNTS, WITHDRAWN

    return frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_AMOUNTS | WITHDRAWN


def coordinate_of(column: Any, limit: int) -> Any:
    """Decimal degrees within +-limit, rounded to the column's scale (6 decimals: about 11 cm), since
    GPS readings carry more decimals than any map needs."""
    fits = numeric_of(column, round_excess=True)
    expected = f"expected decimal degrees between -{limit} and {limit}"

    def convert(value: Any) -> Decimal | None:
        result = _parse_number(value)
        if result is not None and not -limit <= result <= limit:
            raise BadValue(expected)
        return fits(result)

    convert.kind = "number"  # type: ignore[attr-defined]
    return convert
