"""Folding names for matching: case, accents, punctuation, spaces."""

from __future__ import annotations

import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)
_SPACES = re.compile(r"\s+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, no accents (Latin script), punctuation as spaces, single spaces.

    'Côte d’Ivoire' -> 'cote d ivoire'; 'ШОС' -> 'шос'; '上海合作组织' is kept as it is.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCT.sub(" ", text.replace("_", " "))
    return _SPACES.sub(" ", text).strip()
