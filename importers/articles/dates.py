"""Dates written in an article, made absolute from the publication date.

The forms of each language are listed in its data file (`dates:`), tried in order; the first that
matches at a position wins. Rules (pub = the publication date):
- "{day} {month} {year}", "{month} {year}", "pada/in {year}": as written (day, month or year precision);
- "{weekday} lalu", "last {weekday}", "on {weekday}": the last such weekday strictly before pub (day);
- "{month} lalu", "last {month}": that month in pub's year if it is before pub's month, else the year
  before; "pada/in {month}": that month in pub's year if not after pub's month, else the year before;
- "tahun lalu", "last year": pub's year minus one; "tahun ini", "this year": pub's year;
- "bulan lalu", "last month": the month before pub's; "kemarin", "yesterday": the day before pub.
Relative forms need the publication date; without it they are reported and left unresolved.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from importers.articles.lang import language_data

RELATIVE = {"last_weekday", "last_month_name", "month_name", "last_year", "this_year", "last_month", "yesterday"}


@dataclass(frozen=True)
class FoundDate:
    text: str
    start: int  # offset in the sentence text
    end: int
    on: dt.date | None
    precision: str | None
    rule: str
    problem: str | None = None  # why it could not be made absolute

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
        "day": r"[0-3]?\d",
    }
    out = []
    for item in data["dates"]:
        regex = re.escape(item["form"]).replace(r"\ ", r",?\s+")
        for slot, alt in alternatives.items():
            regex = regex.replace(re.escape("{" + slot + "}"), f"(?P<{slot}>{alt})")
        out.append((re.compile(rf"(?<!\w){regex}(?!\w)", re.IGNORECASE), item["kind"]))
    return tuple(out)


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def resolve(kind: str, groups: dict[str, str], lang: str, published: dt.date | None
            ) -> tuple[dt.date | None, str | None, str | None]:
    """(date, precision, problem) for one matched form."""
    data = language_data(lang)
    month = data["months"].get(groups["month"].casefold()) if groups.get("month") else None
    if kind == "day":
        try:
            return dt.date(int(groups["year"]), month, int(groups["day"])), "day", None
        except ValueError:
            return None, None, "not a real date"
    if kind == "month":
        return _month_start(int(groups["year"]), month), "month", None
    if kind == "year":
        return dt.date(int(groups["year"]), 1, 1), "year", None
    if published is None:
        return None, None, "relative date; give the publication date (--published) to make it absolute"
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
    raise ValueError(f"unknown date rule {kind}")


def find_dates(text: str, lang: str, published: dt.date | None) -> list[FoundDate]:
    """Dates in one sentence, left to right, not overlapping."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern, kind in _patterns(lang):
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            groups = {k: v for k, v in m.groupdict().items() if v}
            on, precision, problem = resolve(kind, groups, lang, published)
            taken.append((m.start(), m.end()))
            found.append(FoundDate(m.group(), m.start(), m.end(), on, precision, kind, problem))
    return sorted(found, key=lambda d: d.start)
