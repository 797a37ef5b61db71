"""How far an import has read its input, for whoever shows progress (the CLI draws a bar; the library
never prints).

    ticker = Ticker(progress, reader.position, unit="bytes")   # reader.position() -> (done, total)
    for row in rows:
        ticker.tick(rows_read)         # calls progress(Position) every `every` rows
    ticker.end(rows_read)              # and once at the end, with done == total

The unit is what the reader can measure cheaply as it goes: the bytes read of a text file (CSV, TSV, JSON
Lines, JSON, YAML), the rows of a sheet for a workbook (its total from the sheet's dimension, `max_row`).
`total` is None when the input does not say (a sheet saved without a dimension).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    rows: int  # records read so far
    done: int  # units read so far
    total: int | None  # units in the whole input; None: unknown
    unit: str  # "bytes" or "rows"

    @property
    def fraction(self) -> float | None:
        """Between 0 and 1, or None when the total is unknown."""
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


Progress = Callable[[Position], None]
Measure = Callable[[], tuple[int, int | None]]  # -> (done, total)

EVERY = 500  # rows between two reports: often enough for a bar, rare enough to cost nothing


class Ticker:
    def __init__(self, progress: Progress | None, measure: Measure, unit: str, every: int = EVERY) -> None:
        self.progress = progress
        self.measure = measure
        self.unit = unit
        self.every = every

    def tick(self, rows: int) -> None:
        if self.progress is not None and rows % self.every == 0:
            done, total = self.measure()
            self.progress(Position(rows, done, total, self.unit))

    def end(self, rows: int) -> None:
        """The last report: everything read (done == total when the total is known)."""
        if self.progress is not None:
            done, total = self.measure()
            self.progress(Position(rows, total if total is not None else done, total, self.unit))
