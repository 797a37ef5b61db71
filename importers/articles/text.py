"""An article's text: reading it safely, its hash, its words (tokens) and its sentences.

Offsets are 0-based character offsets into the decoded text exactly as stored in
`sources.content` (a leading BOM removed, nothing else changed); lines are 1-based.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from dataclasses import dataclass
from typing import NamedTuple

from charset_normalizer import from_bytes

from db.errors import UserError
from importers.normalize import fold

# A word: letters and digits (with combining accents), no underscore.
WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
# Punctuation that may sit between two words of one name: "China–Kazakhstan", "(Lianyungang)", "People’s".
NAME_GAP = re.compile(r"[\s\-\u2010-\u2015()'\u2018\u2019\"\u201c\u201d./&]{1,3}")


def decode(raw: bytes, where: str) -> str:
    """Bytes of a text file into str; a clear UserError for empty, binary or undecodable input."""
    if not raw.strip():
        raise UserError(f"{where}: the file is empty (expected the text of an article)")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw:
        raise UserError(f"{where}: a binary file, not text (expected the text of an article as UTF-8)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        best = from_bytes(raw).best()
        if best is None or best.chaos > 0.2:
            raise UserError(f"{where}: not readable as text (byte {exc.start} is not UTF-8 and no other "
                            "encoding fits); save the article as UTF-8") from None
        text = str(best)
    text = text.removeprefix("\ufeff")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(2, len(text) // 100):
        raise UserError(f"{where}: a binary file, not text (expected the text of an article as UTF-8)")
    if not text.strip():
        raise UserError(f"{where}: the file is empty (expected the text of an article)")
    return text


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    return fold(word).replace(" ", "")


class Token(NamedTuple):  # a tuple: millions of them in a long text, made three times faster than a dataclass
    start: int
    end: int
    text: str
    folded: str

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    line: int
    text: str
    tokens: tuple[Token, ...]


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    end = len(text) if end is None else end
    return [Token(m.start(), m.end(), m.group(), fold_word(m.group())) for m in WORD.finditer(text, start, end)]


def name_tokens(name: str) -> tuple[str, ...]:
    return tuple(fold_word(m.group()) for m in WORD.finditer(name))


def joined(sentence: Sentence, left: Token, right: Token) -> bool:
    """True when only name punctuation (a space, dash, bracket, quote) lies between two words."""
    gap = sentence.text[left.end - sentence.start:right.start - sentence.start]
    return gap == "" or NAME_GAP.fullmatch(gap) is not None


# A sentence ends at a line break, or at . ! ? (and closing quotes/brackets) followed by a space
# and something that can start a sentence, unless the word before the stop is a known abbreviation.
_STOP = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]?[A-Z\u0400-\u042f\d])", re.UNICODE)
ABBREVIATIONS = {"dr", "mr", "mrs", "ms", "prof", "st", "no", "jl", "dll", "dsb", "tsb", "sdr", "bpk", "ir",
                 "h", "hj", "vs", "etc", "inc", "ltd", "co", "corp", "jr", "sr", "gen", "col", "gov", "sen",
                 "rep", "u", "s", "mt", "ft", "approx", "г", "гг", "т", "им", "ул",
                 # abbreviated months: "Oct. 17", "Jan. 6", "Agu. 2024"
                 "jan", "feb", "mar", "apr", "jun", "jul", "aug", "agu", "agt", "sep", "sept", "oct", "okt", "nov",
                 "dec", "des"}


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their offsets, first line and words. Line breaks always end a sentence."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    spans: list[tuple[int, int]] = []
    for line_start, next_start in zip(line_starts, [*line_starts[1:], len(text) + 1], strict=True):
        line_end = next_start - 1 if next_start <= len(text) else len(text)
        cut = line_start
        for stop in _STOP.finditer(text, line_start, line_end):
            before = re.search(r"(\w+)\W*$", text[cut:stop.start()] + "")
            word = before.group(1) if before else ""
            if word.casefold() in ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
            spans.append((cut, stop.end()))
            cut = stop.end()
        spans.append((cut, line_end))
    sentences = []
    for start, end in spans:
        raw = text[start:end]
        lead = len(raw) - len(raw.lstrip())
        start, end = start + lead, start + len(raw.rstrip())
        if end <= start:
            continue
        line = bisect.bisect_right(line_starts, start)
        sentences.append(Sentence(len(sentences), start, end, line, text[start:end], tuple(tokenize(text, start, end))))
    return sentences
