"""Reading a YAML or JSON document whole, safely, every scalar as the text it was written as.

    data = load_document(path)                 # lists, dicts (each with its line as `__line__`), str, None
    data = load_document(path, lines=False)    # without the line keys (mapping files)

The types come from our record layout, not from YAML: `yes`, `NO`, `012`, `1:20` and `2024-02-30` are
the strings they look like (YAML 1.1 would make them True, False, 10, 80 and crash on the date),
and the field's converter (importers/fields.py) reads them as a number, a date or a flag where the
field wants one. Only `null`, `~` and an empty value are None. JSON is read by the same loader (its
numbers and `true`/`false` become text the converters read).

Refused, with the file and line: the same key twice in one mapping; nesting deeper than MAX_DEPTH;
aliases that would expand to more than MAX_ALIAS_NODES nodes (a "billion laughs" bomb of a few
hundred bytes), or that refer to themselves; files larger than MAX_DOCUMENT_BYTES (use CSV or JSON
Lines, which stream, for larger data); merge keys (`<<`) are plain keys.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from db.errors import UserError

LINE_KEY = "__line__"
MAX_DEPTH = 64  # our layout nests 4 levels (sections, records, lists, items)
MAX_ALIAS_NODES = 100_000  # nodes that aliases may add to a document
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024


class DocumentError(yaml.MarkedYAMLError):
    """A document we refuse: its message is complete (no 'not valid YAML' prefix)."""


class _TextResolver(yaml.resolver.BaseResolver):
    """Plain scalars are strings, except the spellings of null."""


_TextResolver.yaml_implicit_resolvers = {}
_TextResolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
                                    ["~", "n", "N", ""])


class _TextLoader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
                  yaml.constructor.SafeConstructor, _TextResolver):
    lines = True

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _TextResolver.__init__(self)
        self._depth = 0
        self._alias_nodes = 0
        self._sizes: dict[int, int] = {}

    # -- composing: depth, aliases
    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                if node.end_mark is None:  # still being composed: the alias is inside its anchor
                    raise DocumentError(None, None, f"the alias *{event.anchor} refers to itself", event.start_mark)
                self._alias_nodes += self._size(node)
                if self._alias_nodes > MAX_ALIAS_NODES:
                    raise DocumentError(None, None, f"aliases expand to more than {MAX_ALIAS_NODES:,} values "
                                        "(an alias bomb?); write the values out", event.start_mark)
            return super().compose_node(parent, index)
        nested = self.check_event(SequenceStartEvent, MappingStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise DocumentError(None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1

    def _size(self, node: Node) -> int:
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        total, stack = 0, [node]
        while stack:
            item = stack.pop()
            total += 1
            if isinstance(item, SequenceNode):
                stack.extend(item.value)
            elif isinstance(item, MappingNode):
                for key, value in item.value:
                    stack.extend((key, value))
            if total > MAX_ALIAS_NODES:
                break
        self._sizes[id(node)] = total
        return total

    # -- constructing: duplicate keys, lines
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            if isinstance(key_node, ScalarNode):
                key = self.construct_object(key_node)
                if key in seen:
                    raise DocumentError(None, None, f"the key {key!r} appears twice in one mapping (first on "
                                        f"line {seen[key]})", key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
        mapping = super().construct_mapping(node, deep=deep)
        if self.lines:
            mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping

    def flatten_mapping(self, node: MappingNode) -> None:
        """No merge keys: `<<` is a key like any other."""


class _PlainLoader(_TextLoader):
    lines = False


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UserError(f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None


def load_document(path: Path, *, lines: bool = True, what: str = "YAML/JSON") -> Any:
    """The parsed document; UserError (file:line) for anything we refuse."""
    from importers.inputs import check_input

    check_input(path)
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        raise UserError(f"{path.name}: {size:,} bytes is more than a YAML/JSON document may have "
                        f"({MAX_DOCUMENT_BYTES:,}); use CSV or JSON Lines (one record per line) for larger data")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not raw.strip():
        return None
    text = _decode(raw, path.name)
    loader = _TextLoader(text) if lines else _PlainLoader(text)
    try:
        return loader.get_single_data()
    except DocumentError as exc:
        raise UserError(f"{path.name}:{exc.problem_mark.line + 1}: {exc.problem}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path.name}:{mark.line + 1}" if mark else path.name
        raise UserError(f"{where}: not valid {what} ({exc.problem})") from None
    except RecursionError:
        raise UserError(f"{path.name}: nested too deeply to read") from None
    finally:
        loader.dispose()
