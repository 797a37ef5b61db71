"""Folding names for matching: the ASCII shortcut gives what the character-by-character fold gives."""

from __future__ import annotations

import random

import pytest

from importers.normalize import _fold_unicode, fold


def test_every_ascii_character_folds_as_the_full_rules_fold_it():
    for code in range(128):
        text = f"A{chr(code)}b"
        assert fold(text) == _fold_unicode(text), repr(text)


def test_ascii_names_fold_as_the_full_rules_fold_them():
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(128)] + list("      aeiouKZ-'.,()")
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        assert fold(text) == _fold_unicode(text), repr(text)


@pytest.mark.parametrize(("text", "folded"), [
    ("Côte d’Ivoire", "cote d ivoire"), ("  China Development\tBank,  ", "china development bank"),
    ("U.S.A.", "u s a"), ("ШОС", "шос"), ("Kazakhstan\u00a0", "kazakhstan"),
])
def test_names_fold_to_their_matching_form(text, folded):
    assert fold(text) == folded
