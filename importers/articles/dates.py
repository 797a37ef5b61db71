"""Dates written in an article, made absolute from the publication date.

The forms of each language are listed in its data file (`dates:`), tried in order; the first that
matches at a position wins. Rules (pub = the publication date):
- "{day} {month} {year}", "{month} {year}", "pada/in {year}": as written (day, month or year precision);
- "{weekday} lalu", "last {weekday}", "on {weekday}": the last such weekday strictly before pub (day);
- "{month} lalu", "last {month}": that month in pub's year if it is before pub's month, else the year
  before; "pada/in {month}": that month in pub's year if not after pub's month, else the year before;
- "tahun lalu", "last year": pub's year minus one; "tahun ini", "this year": pub's year;
- "bulan lalu", "last month": the month before pub's; "kemarin", "yesterday": the day before pub;
- "pekan lalu", "last week", "на прошлой неделе": the month of the day a week before pub (month precision:
  the week is not a precision the schema has);
- "tahun depan", "pertengahan tahun depan", "next year", "в следующем году": pub's year plus one;
- "{day} {month}" and "{month} {day}" without a year ("4 июля", "On May 15", "Jan. 6"), Indonesian
  datelines "Rabu (3/7)" (day/month) and "Sabtu (5/6/2021)" (day/month/year): the year is pub's, or the
  year before when that would put the day more than half a year after pub;
- a day range "July 2-6", "2-6 июля" is its first day; months may be abbreviated ("Jan.", "Oct.");
- "by 2030", "к 2030 году", "до 2027 года": a target year (`FoundDate.target`), not when something happened.
Relative forms need the publication date; without it they are reported and left unresolved. A
publication date known only to the month (or year) resolves no day-relative form ("Rabu lalu").
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from importers.articles.lang import language_data

RELATIVE = {"last_weekday", "last_month_name", "month_name", "last_year", "this_year", "last_month", "yesterday",
            "last_week", "next_year", "day_month", "numeric_dm"}
NEEDS_DAY = {"last_weekday", "yesterday", "last_week", "day_month", "numeric_dm"}
NEEDS_MONTH = {"last_month_name", "month_name", "last_month"}


@dataclass(frozen=True)
class FoundDate:
    text: str
    start: int  # offset in the sentence text
    end: int
    on: dt.date | None
    precision: str | None
    rule: str
    problem: str | None = None  # why it could not be made absolute

    @property
    def target(self) -> bool:
        """A target year ("by 2030"): when something is due, not when it happened."""
        return self.rule == "target_year"

    def describe(self) -> str:
        if self.on is None:
            return f"{self.text!r}: {self.problem}"
        shown = {"day": self.on.isoformat(), "month": self.on.isoformat()[:7], "year": str(self.on.year)}
        return f"{self.text!r} -> {shown[self.precision or 'day']} ({self.rule})"


@functools.cache
def _patterns(lang: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    data = language_data(lang)
    alternatives = {
        "month": "|".join(sorted(map(re.escape, data["months"]), key=len, reverse=True)),
        "weekday": "|".join(sorted(map(re.escape, data["weekdays"]), key=len, reverse=True)),
        "year": r"(?:19|20)\d\d",
        "day": r"[0-3]?\d(?:\s?[-\u2013]\s?[0-3]?\d)?",
        "mnum": r"[01]?\d",
    }
    out = []
    for item in data["dates"]:
        regex = re.escape(item["form"]).replace(r"\ ", r",?\s+")
        for slot, alt in alternatives.items():
            regex = regex.replace(re.escape("{" + slot + "}"),
                                  f"(?P<{slot}>{alt})" + (r"\.?" if slot == "month" else ""))
        out.append((re.compile(rf"(?<!\w){regex}(?!\w)", re.IGNORECASE), item["kind"]))
    return tuple(out)


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _day(groups: dict[str, str]) -> int:
    return int(re.match(r"\d+", groups["day"]).group())


def _near(published: dt.date, month: int, day: int) -> dt.date:
    """The day in pub's year, or the year before when that is more than half a year after pub."""
    on = dt.date(published.year, month, day)
    return on if on <= published + dt.timedelta(days=183) else dt.date(published.year - 1, month, day)


def resolve(kind: str, groups: dict[str, str], lang: str, published: dt.date | None,
            precision: str = "day") -> tuple[dt.date | None, str | None, str | None]:
    """(date, precision, problem) for one matched form."""
    data = language_data(lang)
    month = data["months"].get(groups["month"].casefold().rstrip(".")) if groups.get("month") else None
    if groups.get("mnum"):
        month = int(groups["mnum"])
        if not 1 <= month <= 12:
            return None, None, "not a real date"
    try:
        if kind in ("day", "numeric_dmy"):
            return dt.date(int(groups["year"]), month, _day(groups)), "day", None
        if kind == "month":
            return _month_start(int(groups["year"]), month), "month", None
        if kind in ("year", "target_year"):
            return dt.date(int(groups["year"]), 1, 1), "year", None
        if published is None:
            return None, None, "relative date; give the publication date (--published) to make it absolute"
        if (kind in NEEDS_DAY and precision != "day") or (kind in NEEDS_MONTH and precision == "year"):
            return None, None, f"relative date; the publication date is known only to the {precision}"
        if kind in ("day_month", "numeric_dm"):
            return _near(published, month, _day(groups)), "day", None
    except ValueError:
        return None, None, "not a real date"
    if kind == "last_weekday":
        weekday = data["weekdays"][groups["weekday"].casefold()]
        back = (published.weekday() - weekday) % 7 or 7
        return published - dt.timedelta(days=back), "day", None
    if kind in ("last_month_name", "month_name"):
        same_year = month < published.month if kind == "last_month_name" else month <= published.month
        return _month_start(published.year if same_year else published.year - 1, month), "month", None
    if kind == "last_year":
        return dt.date(published.year - 1, 1, 1), "year", None
    if kind == "this_year":
        return dt.date(published.year, 1, 1), "year", None
    if kind == "last_month":
        first = published.replace(day=1) - dt.timedelta(days=1)
        return first.replace(day=1), "month", None
    if kind == "yesterday":
        return published - dt.timedelta(days=1), "day", None
    if kind == "last_week":
        return (published - dt.timedelta(days=7)).replace(day=1), "month", None
    if kind == "next_year":
        return dt.date(published.year + 1, 1, 1), "year", None
    raise ValueError(f"unknown date rule {kind}")


def find_dates(text: str, lang: str, published: dt.date | None, precision: str | None = "day") -> list[FoundDate]:
    """Dates in one sentence, left to right, not overlapping. `precision` is that of `published`."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _patterns(lang):
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            groups = {k: v for k, v in m.groupdict().items() if v}
            on, found_precision, problem = resolve(kind, groups, lang, published, precision or "day")
            taken.append((m.start(), m.end()))
            found.append(FoundDate(m.group(), m.start(), m.end(), on, found_precision, kind, problem))
    return sorted(found, key=lambda d: d.start)
