"""The languages the article reader supports, their word lists, and a small offline detector.

Each language has a data file `lang_<code>.yml` beside this module (function words, cue words,
month and weekday names, number words). Detection: Cyrillic letters mean Russian; otherwise
Indonesian and English are told apart by how many of their function words the text uses.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.errors import UserError
from db.yamldata import load_data
from importers.articles.text import name_tokens, tokenize

HERE = Path(__file__).resolve().parent
SUPPORTED = ("id", "en", "ru")


@functools.cache
def language_data(code: str) -> dict[str, Any]:
    if code not in SUPPORTED:
        raise UserError(f"language {code!r} is not supported (expected auto, {', '.join(SUPPORTED)})")
    with open(HERE / f"lang_{code}.yml", encoding="utf-8") as fh:
        data = load_data(fh)
    data["function_set"] = frozenset(w.casefold() for w in data["function_words"])
    return data


@dataclass(frozen=True)
class Detection:
    language: str
    sure: bool
    note: str


def detect_language(text: str) -> Detection:
    """Guess id, en or ru. Raises UserError when the text is in none of them (or in another script)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        raise UserError("the text has no words (expected the text of an article)")
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in letters if ch.isascii() or "\u00c0" <= ch <= "\u024f")
    if cyrillic / len(letters) > 0.5:
        return Detection("ru", True, f"{cyrillic} of {len(letters)} letters are Cyrillic")
    if latin / len(letters) < 0.5:
        raise UserError("the text is not in a supported language: most letters are neither Latin nor "
                        f"Cyrillic (supported: {', '.join(SUPPORTED)})")
    words = [t.folded for t in tokenize(text)]
    scores = {code: sum(1 for w in words if w in language_data(code)["function_set"]) for code in ("id", "en")}
    best, other = sorted(scores, key=lambda c: -scores[c])
    share = scores[best] / max(1, len(words))
    counts = f"{scores['id']} Indonesian and {scores['en']} English function words in {len(words)} words"
    if scores[best] == 0 or (len(words) >= 30 and share < 0.08):
        raise UserError(f"the text does not look Indonesian, English or Russian ({counts}); pass --lang id, "
                        "en or ru if it is one of them")
    sure = scores[best] >= 5 and scores[best] >= 2 * scores[other]
    note = counts if sure else f"unsure: {counts}; pass --lang to choose"
    return Detection(best, sure, note)


@functools.cache
def cue_tokens(code: str, section: str) -> tuple[tuple[tuple[str, ...], dict[str, Any]], ...]:
    """(folded cue words, cue entry) of one cue section, longest first."""
    entries = [(name_tokens(e["cue"]), e) for e in language_data(code)[section]]
    return tuple(sorted(entries, key=lambda pair: -len(pair[0])))
