"""Exact decimal sums on SQLite.

SQLite stores a NUMERIC(20,2) amount as a binary float and adds floats: summing many amounts prints noise
such as 3450854288.2499995. Every connection coopdb opens (and `coopdb serve`'s) replaces SUM, TOTAL and AVG
with versions that add the values as decimals: each float is read as the shortest decimal that gives it back
(3450854288.25), which is the amount as it was stored, and the exact total is returned as the float nearest to
it, which prints as the exact decimal. Integer sums stay integers. `exact_value` turns what a query returns
into a Decimal for printing and exports. PostgreSQL's numeric is exact already.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal, InvalidOperation
from typing import Any


def _decimal(value: Any) -> Decimal | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    try:  # SUM reads text that looks like a number as that number, anything else as 0
        return Decimal(str(value).strip())
    except InvalidOperation:
        return 0


class _ExactSum:
    """SUM(x) as an aggregate and as a window function: NULL without values, an integer for integers."""

    def __init__(self) -> None:
        self.total: Decimal | int = 0
        self.count = 0
        self.inexact = False

    def step(self, value: Any) -> None:
        number = _decimal(value)
        if number is None:
            return
        self.count += 1
        if not isinstance(number, int):
            self.inexact = True
        self.total += number

    def inverse(self, value: Any) -> None:
        number = _decimal(value)
        if number is not None:
            self.count -= 1
            self.total -= number

    def value(self) -> Any:
        if self.count == 0:
            return None
        return float(self.total) if self.inexact else int(self.total)

    def finalize(self) -> Any:
        return self.value()


class _ExactTotal(_ExactSum):
    def value(self) -> Any:
        return float(self.total)


class _ExactAvg(_ExactSum):
    def value(self) -> Any:
        return None if self.count == 0 else float(Decimal(self.total) / self.count)


def register(connection: sqlite3.Connection) -> None:
    """Replace SUM, TOTAL and AVG on one sqlite3 connection (the built-ins are overloadable by name)."""
    for name, cls in (("sum", _ExactSum), ("total", _ExactTotal), ("avg", _ExactAvg)):
        connection.create_window_function(name, 1, cls)


def exact_value(value: Any) -> Any:
    """A float from SQLite as the shortest Decimal that gives it back; anything else unchanged."""
    return Decimal(repr(value)) if isinstance(value, float) else value
