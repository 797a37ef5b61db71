"""Folding names for matching: case, accents, punctuation, spaces."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+", re.UNICODE)
_ASCII_PUNCTUATION = re.compile(r"[^a-z0-9\s]")  # in lower-case ASCII: what is neither letter, digit nor space


@functools.lru_cache(maxsize=4096)
def _is_latin(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("LATIN")


def fold(text: str) -> str:
    """Lower case, no accents (Latin script), punctuation as spaces, single spaces.

    'Côte d’Ivoire' -> 'cote d ivoire'; 'ШОС' -> 'шос'; '上海合作组织' is kept as it is; no-break and
    other Unicode spaces count as spaces; invisible format characters (zero-width space, soft
    hyphen) are dropped. Marks of other scripts stay (Cyrillic 'й', Devanagari vowel signs), since
    removing them would make different words equal.
    """
    if text.isascii():  # the same result, without a look at each character's category
        return _SPACES.sub(" ", _ASCII_PUNCTUATION.sub(" ", text.lower())).strip()
    return _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    kept: list[str] = []
    base = ""
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        if category.startswith("M"):
            if base and _is_latin(base):
                continue  # an accent on a Latin letter
            kept.append(ch)
            continue
        base = ch
        kept.append(ch if category[0] in "LN" or ch.isspace() else " ")
    text = unicodedata.normalize("NFKC", "".join(kept)).casefold()
    return _SPACES.sub(" ", text).strip()
