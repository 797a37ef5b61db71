"""KeyLines: the compact record of a file's keys used for the whole-file duplicate check."""

from __future__ import annotations

import datetime as dt

from importers.keyset import KeyLines


def test_new_keys_and_repeats_report_the_first_line_across_growth():
    seen = KeyLines(capacity=8)
    for i in range(20_000):
        assert seen.add(f"P-{i}", i + 2) == (False, i + 2)
    assert len(seen) == 20_000
    assert seen.add("P-0", 99) == (True, 2)
    assert seen.add("P-19999", 5) == (True, 20_001)
    assert seen.add(("forum", "china", "member", dt.date(2001, 1, 1)), None) == (False, None)
    assert seen.add(("forum", "china", "member", dt.date(2001, 1, 1)), 7) == (True, None)
    assert len(seen) == 20_001


def test_keys_moved_to_disk_are_still_found_with_their_line():
    seen = KeyLines(capacity=8, limit=64)  # spills to disk every 32 keys
    for i in range(5_000):
        assert seen.add(f"P-{i}", i + 2) == (False, i + 2)
    assert seen._disk is not None  # the limit was reached: most keys live on disk
    assert len(seen._hashes) <= 64
    assert len(seen) == 5_000
    for i in (0, 31, 32, 2_500, 4_999):
        assert seen.add(f"P-{i}", 1) == (True, i + 2)
    assert seen.add(("forum", "china"), None) == (False, None)
    for i in range(5_000, 5_100):  # pushes the keyless-line key to disk too
        seen.add(f"P-{i}", i + 2)
    assert seen.add(("forum", "china"), 9) == (True, None)
    assert len(seen) == 5_101
    seen.close()
