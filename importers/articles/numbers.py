"""Numbers next to things: quantities with a unit that says what they measure, and amounts of money.

"1,5 miliar dolar AS" (Indonesian: comma is the decimal sign, dot groups thousands) and
"$1.5 billion" (English) both give Decimal('1500000000') USD. Scale and currency words come from
the language's data file. Units carry a meaning (`Quantity.measure`):
- power: MW, GW, kW, MWp, МВт, ... (a power plant's capacity);
- length: km, kilometres, км; a length followed by "per jam", "per hour", "/h", "в час" is a speed,
  and one said to be "away"/"from"/"dari"/"от" something, or after "jarak"/"berjarak"/"distance",
  is a distance: neither is a project's size;
- area: ha, hectares, hektare, гектаров, km2 ("The 294-hectare dry port");
- money: a currency word or sign before or after the number.
A size after "by", "на", "bertambah" is a change ("expanded by 50 MW"), not the size.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from importers.articles.lang import language_data

# unit as written (folded) -> (unit stored in capacity_unit, what it measures)
UNITS = {
    "mw": ("MW", "power"), "mwp": ("MW", "power"), "megawatt": ("MW", "power"), "megawatts": ("MW", "power"),
    "мвт": ("MW", "power"), "gw": ("GW", "power"), "gigawatt": ("GW", "power"), "gigawatts": ("GW", "power"),
    "гвт": ("GW", "power"), "kw": ("kW", "power"), "квт": ("kW", "power"),
    "km": ("km", "length"), "kilometer": ("km", "length"), "kilometre": ("km", "length"),
    "kilometres": ("km", "length"), "kilometers": ("km", "length"), "км": ("km", "length"),
    "ha": ("ha", "area"), "hektare": ("ha", "area"), "hectare": ("ha", "area"), "hectares": ("ha", "area"),
    "гектаров": ("ha", "area"), "гектара": ("ha", "area"), "га": ("ha", "area"),
    "km2": ("km2", "area"), "км2": ("km2", "area"),
}
SPEED_AFTER = re.compile(r"^\s*(?:/\s*(?:h|jam|ч)\b|per\s+(?:jam|hour)\b|an\s+hour\b|в\s+час\b)", re.IGNORECASE)
DISTANCE_AFTER = re.compile(r"^\s*(?:away|from|off|dari|от|до)\b", re.IGNORECASE)
CHANGE_BEFORE = re.compile(r"(?:\bby|(?<!\w)на|\bbertambah|\bditambah)\s+(?:\w+\s+)?$", re.IGNORECASE)
DISTANCE_BEFORE = re.compile(r"(?:\bjarak|\bberjarak|\bdistance|\bsejauh|\bрасстоянии|(?<!\w)в)\s+(?:\w+\s+)?$",
                             re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    text: str
    start: int
    value: Decimal
    unit: str | None = None  # capacity unit
    currency: str | None = None  # ISO 4217 for money
    measure: str | None = None  # power, length, area, speed, distance, money

    @property
    def is_size(self) -> bool:
        """A project's size (capacity): power, length or area, not a speed or a distance."""
        return self.measure in ("power", "length", "area")


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
        rf"(?:(?P<times>\d{{1,2}})\s?[x\u00d7]\s?)?(?:(?P<pre>{currency})\s?)?(?P<num>{number})"
        rf"(?:[\s-]?(?P<scale>{scale})(?!\w)\.?)?"
        rf"(?:[\s-]?(?P<unit>{units})(?!\w)|\s?(?P<post>{currency})(?!\w))?",
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
        if m.group("times") and m.group("unit"):  # "2 x 135 MW": two units of 135 MW
            value *= int(m.group("times"))
        if value == value.to_integral_value():
            value = value.to_integral_value()
        money = m.group("pre") or m.group("post")
        if m.group("unit"):
            unit, measure = UNITS[m.group("unit").casefold()]
            if measure == "length":
                if SPEED_AFTER.match(text, m.end()) or SPEED_AFTER.match(text[m.end():]):
                    measure = "speed"
                elif DISTANCE_AFTER.match(text[m.end():]) or DISTANCE_BEFORE.search(text[:m.start()]):
                    measure = "distance"
            if measure in ("power", "length", "area") and CHANGE_BEFORE.search(text[:m.start()]):
                measure = "change"  # "expanded by 50 MW", "расширение на 50 МВт": not the size
            out.append(Quantity(m.group().strip(), m.start(), value, unit=unit, measure=measure))
        elif money:
            out.append(Quantity(m.group().strip(), m.start(), value, currency=currencies[money.casefold()],
                                measure="money"))
    return out
