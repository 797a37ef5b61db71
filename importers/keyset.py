"""A compact record of the keys seen in a file and the line of each: 16 bytes a key, not ~100.

    seen = KeyLines()
    again, first = seen.add(key, line)   # again: the key was added before, on line `first`

Keys are kept as their 64-bit hash only, in an open-addressing table of two arrays, so a file of
millions of records costs tens of MB. Two different keys with the same 64-bit hash (about one chance
in 10^8 for a million keys) would be taken for a duplicate.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable

_EMPTY = 0  # hashes equal to 0 are stored as 1 (0 marks a free slot)


class KeyLines:
    def __init__(self, capacity: int = 1 << 12) -> None:
        self._hashes = array("q", bytes(8 * capacity))
        self._lines = array("q", bytes(8 * capacity))
        self._mask = capacity - 1
        self._used = 0

    def __len__(self) -> int:
        return self._used

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
        hashes[slot] = h
        self._lines[slot] = -1 if line is None else line
        self._used += 1
        if self._used * 2 > mask:
            self._grow()
        return False, line

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
