"""Comparable forms of names: one word form across languages, scripts and inflections.

`stem(word)` folds a word (case, accents), then
- Cyrillic: a Russian adjective made from a place keeps its stem ("Жанатасская", "Жанатасскую",
  "Тургусунской" -> "жанатас", "тургусун"); other words go through the Snowball Russian stemmer;
  the result is transliterated to Latin letters ("zhanatas"), so that it meets the Latin name;
- Latin: the Indonesian clitics -nya/-lah/-kah/-pun are cut, then the Snowball English stemmer
  ("Workshops" -> "workshop", "Zhanatas" -> "zhanata": the same on both sides of a comparison).
Two names are compared by the sets of their stems (`core`), with the words that only say where a
thing is or what kind it is (country names, cue words) left out by the caller. rapidfuzz scores
rank near matches (a transliteration that differs by a letter, "lyanyungan" / "lianyungang"); they
never decide alone: see `same_thing`.
"""

from __future__ import annotations

import functools
import re

import snowballstemmer
from rapidfuzz import fuzz

from importers.normalize import fold

TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u",
    "ү": "u", "һ": "h",
}
RU_ADJECTIVE = re.compile(r"^(?P<stem>\w{3,}?)(?:ск|цк)(?:ая|ую|ой|ого|ому|ом|ий|ие|их|им|ими|ое|ые|ым|ых|о)$")
ID_CLITICS = ("nya", "lah", "kah", "pun")
FUZZY_FLOOR = 80  # a transliterated word and a Latin word this close may be one name, if more agrees


@functools.cache
def _stemmer(lang: str):
    return snowballstemmer.stemmer(lang)


def is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


def same_word(word: str, wanted: str) -> bool:
    """A folded word of a text is a wanted word of a word list: Russian (Cyrillic) ones by their beginnings, so that
    a list names a word once for all its cases ("соглашени" for соглашение, соглашения, ...)."""
    return word.startswith(wanted) if is_cyrillic(wanted) else word == wanted


def phrase_at(words: list[str], phrase: tuple[str, ...], prefix: bool = True) -> int | None:
    """Where a phrase starts in a sentence's folded words (Russian words by their beginnings unless `prefix` is
    off), else None."""
    n = len(phrase)
    for i in range(len(words) - n + 1):
        if all(same_word(w, p) if prefix else w == p for w, p in zip(words[i:i + n], phrase, strict=True)):
            return i
    return None


def translit(word: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in word.lower())


def adjective_stem(word: str) -> str | None:
    """The place a Russian adjective is made from: "Жанатасскую" -> "Жанатас"; None for other words."""
    m = RU_ADJECTIVE.match(word)
    return m.group("stem") if m else None


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    low = word.lower().replace("ё", "е")
    if is_cyrillic(low):
        adjective = adjective_stem(low)
        base = adjective if adjective else _stemmer("russian").stemWord(low)
        return _stemmer("english").stemWord(fold(translit(base)).replace(" ", ""))
    low = fold(low).replace(" ", "")
    for clitic in ID_CLITICS:
        if low.endswith(clitic) and len(low) - len(clitic) >= 4:
            low = low[: -len(clitic)]
            break
    return _stemmer("english").stemWord(low)


def title_form(word: str) -> str:
    """A word for an English title: Cyrillic transliterated (an adjective reduced to its place)."""
    if not is_cyrillic(word):
        return word
    base = adjective_stem(word) or word
    return translit(base).capitalize()


def close(a: str, b: str) -> bool:
    return a == b or (len(a) >= 5 and len(b) >= 5 and fuzz.ratio(a, b) >= FUZZY_FLOOR)


def same_thing(a: frozenset[str], b: frozenset[str], *, fuzzy: bool = False) -> bool:
    """True when two cores name one thing: equal, or one holds all of the other's words and one more at
    most (a longer form of the same name: "Turgusun" / "Turgusun 1"), the smaller with a word of four
    letters or more. With fuzzy (a transliterated side), a word may match a near one (rapidfuzz ratio
    >= 80)."""
    if not a or not b:
        return False
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    if not any(len(w) >= 4 for w in small) or len(big) - len(small) > 1:
        return False
    if small <= big:
        return True
    return fuzzy and all(any(close(w, v) for v in big) for w in small)


def score(a: str, b: str) -> float:
    """Similarity of two names as written (0-100), for ranking several possible matches."""
    return fuzz.token_set_ratio(fold(a), fold(b))
