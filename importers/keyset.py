"""A compact record of the keys seen in a file and the line of each, in memory bounded whatever the file.

    seen = KeyLines()
    again, first = seen.add(key, line)   # again: the key was added before, on line `first`
    seen.close()                         # drops the spill file, if any

Keys are kept as their 64-bit hash only, in an open-addressing table of two arrays (16 bytes a slot).
When the table reaches `limit` slots it is moved into a private temporary SQLite database on disk
(hash as the integer primary key, with the line) and starts again empty; a key not found in memory is
then looked up there. So memory stays at most `limit` × 16 bytes (4 MB by default) plus SQLite's
page cache, for a file of any length. Two different keys with the same 64-bit hash (about one chance
in 10^8 for a million keys) would be taken for a duplicate.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections.abc import Hashable

_EMPTY = 0  # hashes equal to 0 are stored as 1 (0 marks a free slot)
LIMIT = 1 << 18  # slots kept in memory (4 MB) before the keys move to disk


class KeyLines:
    def __init__(self, capacity: int = 1 << 12, limit: int = LIMIT) -> None:
        self._initial = min(capacity, limit)
        self._limit = limit
        self._disk: sqlite3.Connection | None = None
        self._lookup: str = ""
        self._on_disk = 0
        self._reset(self._initial)

    def _reset(self, capacity: int) -> None:
        self._hashes = array("q", bytes(8 * capacity))
        self._lines = array("q", bytes(8 * capacity))
        self._mask = capacity - 1
        self._used = 0

    def __len__(self) -> int:
        return self._used + self._on_disk

    def add(self, key: Hashable, line: int | None) -> tuple[bool, int | None]:
        """(False, line) for a new key (stored with `line`); (True, its first line) for a key seen before."""
        h = hash(key) or 1
        hashes, mask = self._hashes, self._mask
        slot = h & mask
        while True:
            found = hashes[slot]
            if found == _EMPTY:
                break
            if found == h:
                stored = self._lines[slot]
                return True, None if stored == -1 else stored
            slot = (slot + 1) & mask
        if self._disk is not None:
            row = self._disk.execute(self._lookup, (h,)).fetchone()
            if row is not None:
                return True, None if row[0] == -1 else row[0]
        hashes[slot] = h
        self._lines[slot] = -1 if line is None else line
        self._used += 1
        if self._used * 2 > mask:
            if (mask + 1) * 2 > self._limit:
                self._spill()
            else:
                self._grow()
        return False, line

    def _spill(self) -> None:
        """Move every key in memory into the database on disk; memory starts again empty."""
        if self._disk is None:
            # "" opens a private temporary database on disk, deleted when closed
            self._disk = sqlite3.connect("", isolation_level=None)
            self._disk.execute("PRAGMA journal_mode=OFF")
            self._disk.execute("PRAGMA synchronous=OFF")
            self._disk.execute("PRAGMA cache_size=-2000")  # 2 MB of pages at most
            self._disk.execute("CREATE TABLE k (h INTEGER PRIMARY KEY, line INTEGER NOT NULL)")
            self._lookup = "SELECT line FROM k WHERE h = ?"
        lines = self._lines
        self._disk.execute("BEGIN")
        self._disk.executemany("INSERT INTO k VALUES (?, ?)",
                               ((h, lines[i]) for i, h in enumerate(self._hashes) if h != _EMPTY))
        self._disk.execute("COMMIT")
        self._on_disk += self._used
        self._reset(self._mask + 1)

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
            self._disk = None

    def _grow(self) -> None:
        old_hashes, old_lines = self._hashes, self._lines
        capacity = (self._mask + 1) * 2
        self._hashes = hashes = array("q", bytes(8 * capacity))
        self._lines = lines = array("q", bytes(8 * capacity))
        self._mask = mask = capacity - 1
        for i, h in enumerate(old_hashes):
            if h != _EMPTY:
                slot = h & mask
                while hashes[slot] != _EMPTY:
                    slot = (slot + 1) & mask
                hashes[slot] = h
                lines[slot] = old_lines[i]
