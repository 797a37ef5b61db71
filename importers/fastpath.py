"""A typed fast path for flat CSV files of projects: cells straight into a ProjectRecord.

    fast = FlatProjects.plan(entity, format, columns, mapping)   # None when the file does not fit
    record = fast(file, line, row)                              # None: take the general path

Decided once per file: the file fits when it is CSV/TSV without a mapping and every column is a
scalar field of a project or `participants`. Each row then goes through the converters of its
columns only, and participants `role:country` are split in place, without the bundle dict of
importers/tabular.py and the generic walk of importers/bundle.py. Any row that is not plainly valid
(a value a converter refuses, a required field missing, a participant item that is not exactly
`<country role>:<name>`) returns None, and the caller validates it on the general path, so every
message stays the one the general path writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from db import vocab
from importers import fields as f
from importers.bundle import REQUIRED, SCALARS
from importers.records import Participant, ProjectRecord
from importers.tabular import SEPARATOR

_COUNTRY_ROLES = frozenset(vocab.PROJECT_COUNTRY_ROLES)


_MISSING = object()
MEMO_LIMIT = 4096  # distinct values remembered per column (a few hundred KB at most)


def memoized(convert: Callable[[Any], Any], limit: int = MEMO_LIMIT) -> Callable[[Any], Any]:
    """`convert` remembering its result for the first `limit` distinct cells. Columns such as status,
    sector, currency, dates, years and units repeat a few values over millions of rows; their results
    (str, Decimal, date, tuples) are immutable, so one object serves every row. A refused value is not
    remembered: it raises again, and the row takes the general path for its message."""
    cache: dict[Any, Any] = {}

    def cached(raw: Any) -> Any:
        value = cache.get(raw, _MISSING)
        if value is _MISSING:
            value = convert(raw)
            if len(cache) < limit:
                cache[raw] = value
        return value

    return cached


class FlatProjects:
    def __init__(self, columns: list[str]) -> None:
        converters = SCALARS["projects"]
        # text cells are only stripped: remembering them would cost more than it saves
        self.plan = [(c, converters[c] if _unique(converters[c]) else memoized(converters[c]),
                      c.replace("_on", "_precision") if c.endswith("_on") else None)
                     for c in columns if c in converters]
        self.participants = "participants" in columns
        self.required = REQUIRED["projects"]
        # participants cell -> its parsed items (None: not plainly valid); cells repeat across rows
        self._participants = memoized(_participants)

    @classmethod
    def plan_for(cls, entity: str, format: str, columns: list[str], mapping: Any) -> FlatProjects | None:
        if entity != "projects" or mapping is not None or format not in ("csv", "tsv"):
            return None
        scalars = SCALARS["projects"]
        if not columns or any(c not in scalars and c != "participants" for c in columns):
            return None
        return cls(columns)

    def __call__(self, file: str, line: int | None, row: dict[str, Any]) -> ProjectRecord | None:
        values: dict[str, Any] = {}
        try:
            for name, convert, precision_name in self.plan:
                converted = convert(row[name])
                if precision_name:
                    values[name], values[precision_name] = converted
                elif converted is not None:
                    values[name] = converted
        except f.BadValue:
            return None
        for name in self.required:
            if values.get(name) is None:
                return None
        participants: list[Participant] = []
        if self.participants:
            parsed = self._participants(row["participants"])
            if parsed is None:
                return None
            participants = list(parsed)
        return ProjectRecord(file=file, line=line, participants=participants, **values)


def _unique(convert: Callable[[Any], Any]) -> bool:
    """Text and code cells differ from row to row: not worth remembering."""
    return convert is f.text or getattr(convert, "kind", None) in ("text", "code")


def _participants(cell: str) -> tuple[Participant, ...] | None:
    """`host:Kazakhstan|financier:China` -> its items, or None when one is not `<country role>:<name>`.
    The general path keeps every item, duplicates included (the writer drops them); so does this."""
    items = []
    for item in cell.split(SEPARATOR):
        item = item.strip()
        if not item:
            continue
        role, sep, ref = item.partition(":")
        ref = ref.strip()
        if not sep or role not in _COUNTRY_ROLES or not ref:
            return None
        items.append(Participant(ref, role))
    return tuple(items)
