"""Numbers next to things: capacities (MW, km) and amounts of money with currency and scale words.

"1,5 miliar dolar AS" (Indonesian: comma is the decimal sign, dot groups thousands) and
"$1.5 billion" (English) both give Decimal('1500000000') USD. Scale and currency words come from
the language's data file.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from importers.articles.lang import language_data

UNITS = {"mw": "MW", "megawatt": "MW", "мвт": "MW", "gw": "GW", "gigawatt": "GW", "гвт": "GW", "kw": "kW",
         "km": "km", "kilometer": "km", "kilometre": "km", "kilometres": "km", "kilometers": "km", "км": "km",
         "ha": "ha", "hektare": "ha", "hectares": "ha"}


@dataclass(frozen=True)
class Quantity:
    text: str
    start: int
    value: Decimal
    unit: str | None = None  # capacity unit
    currency: str | None = None  # ISO 4217 for money


def parse_number(raw: str, decimal_comma: bool) -> Decimal | None:
    group, point = (".", ",") if decimal_comma else (",", ".")
    if re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+(?:{re.escape(point)}\d+)?", raw):
        raw = raw.replace(group, "")
    raw = raw.replace(point, ".")
    try:
        return Decimal(raw)
    except InvalidOperation:
        return None


@functools.cache
def _pattern(lang: str) -> re.Pattern[str]:
    data = language_data(lang)
    def alternation(words) -> str:
        return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    currency = alternation(data["currency_words"])
    scale = alternation(data["scale_words"])
    units = alternation(UNITS)
    number = r"\d+(?:[.,]\d+)*"
    return re.compile(
        rf"(?:(?P<pre>{currency})\s?)?(?P<num>{number})(?:\s?(?P<scale>{scale})\.?)?"
        rf"(?:\s?(?P<unit>{units})(?!\w)|\s?(?P<post>{currency})(?!\w))?",
        re.IGNORECASE,
    )


def find_quantities(text: str, lang: str) -> list[Quantity]:
    data = language_data(lang)
    currencies = {k.casefold(): v for k, v in data["currency_words"].items()}
    scales = {k.casefold(): v for k, v in data["scale_words"].items()}
    out = []
    for m in _pattern(lang).finditer(text):
        if m.start() and (text[m.start() - 1].isalnum()):
            continue
        value = parse_number(m.group("num"), data["decimal_comma"])
        if value is None:
            continue
        if m.group("scale"):
            value *= Decimal(scales[m.group("scale").casefold()])
        if value == value.to_integral_value():
            value = value.to_integral_value()
        money = m.group("pre") or m.group("post")
        if m.group("unit"):
            out.append(Quantity(m.group().strip(), m.start(), value, unit=UNITS[m.group("unit").casefold()]))
        elif money:
            out.append(Quantity(m.group().strip(), m.start(), value, currency=currencies[money.casefold()]))
    return out
