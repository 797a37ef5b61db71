"""Our flat layout: one row per record, turned into the dict layout of importers/bundle.py. The cells of
each list are spelled as its declaration in importers/entities.py says (`Flat`).

Scalar columns carry the field names of the bundle layout (`code`, `title`, `signed_on`, ...).
Multi-valued cells separate their items with `|`; an item that needs a qualifier writes it first,
followed by `:`:

    participants   host:Kazakhstan|financier:China       (projects; role:country)
    organisations  financier:China Development Bank      (projects; role:organisation code or name)
    parties        China|Kazakhstan or signatory:China    (agreements; role:country, role defaults to party)
    links          parent:KZ-WEST-EUROPE-HIGHWAY          (projects; kind:project code)
    countries      host:Kazakhstan|visitor:China          (events; role:country, role defaults to participant)
    status_events  agreed:2014-12|completed:2021          (projects; status:date)
    names          ru:ШОС|zh:上海合作组织                  (forums, organisations, projects; lang:name)
    codes          cow_igo:SCO                            (forums; scheme:code)
    identifiers    aiddata:39556|wikidata:Q42             (projects, agreements, events, forums, organisations)
    subjects, projects                                    (agreements; plain items)
    sources        https://example.org/a|doc-key          (every entity: the keys of its sources)
    quote          the supporting sentence (applies to every source of the row)

A value from JSON, YAML or XLSX that is already a list is taken as the list of items.
"""

from __future__ import annotations

import re
from typing import Any

from importers import fields as f
from importers.bundle import LISTS, SCALARS
from importers.entities import LAYOUTS

SEPARATOR = "|"

# flat column -> (bundle list field, qualifier key, item key, allowed qualifiers or None, default qualifier),
# per section, from the `flat` spellings of each list in importers/entities.py
QUALIFIED: dict[str, dict[str, tuple[str, str | None, str, tuple[str, ...] | None, str | None]]] = {
    section: {cell.column: (lf.name, cell.qualifier, cell.item, cell.allowed, cell.default)
              for lf in entity.lists for cell in lf.flat}
    for section, entity in LAYOUTS.items()
}
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")


def flat_columns(section: str) -> list[str]:
    """Every column the flat layout of `section` knows, in documented order."""
    cols = list(SCALARS[section])
    cols += [c.replace("_on", "_precision") for c in SCALARS[section] if c.endswith("_on")]
    cols += list(QUALIFIED[section])
    if "cites" in LISTS[section]:
        cols += ["sources", "quote"]
    return cols


def split_items(value: Any, separator: str = SEPARATOR) -> list[Any]:
    if f.blank(value):
        return []
    if isinstance(value, list):
        return [v for v in value if not f.blank(v)]
    return [part.strip() for part in str(value).split(separator) if part.strip()]


def _qualified_item(item: Any, spec, column: str) -> Any:
    _target, qual_key, item_key, allowed, default = spec
    if qual_key is None or isinstance(item, dict):
        return item
    text = str(item).strip()
    qualifier, sep, rest = text.partition(":")
    qualifier = qualifier.strip()
    if sep and (allowed is None or qualifier.lower().replace(" ", "_").replace("-", "_") in allowed) \
            and rest.strip() and (qual_key != "lang" or _LANG.match(qualifier)):
        return {qual_key: qualifier, item_key: rest.strip()}
    if default is not None:
        return {qual_key: default, item_key: text}
    example = f"{allowed[0]}:..." if allowed else "x:..."
    choices = f" ({', '.join(allowed)})" if allowed else ""
    raise f.BadValue(f"expected items like {example} with a {qual_key} first{choices}")


def to_bundle_dict(section: str, row: dict[str, Any], problem) -> dict[str, Any]:
    """A flat row into the bundle dict layout; `problem(field, value, expected)` collects item errors."""
    out: dict[str, Any] = {}
    qualified = QUALIFIED[section]
    sources = quote = None
    for column, value in row.items():
        if column in qualified:
            spec = qualified[column]
            target = spec[0]
            items = out.setdefault(target, [])
            for item in split_items(value):
                try:
                    items.append(_qualified_item(item, spec, column))
                except f.BadValue as exc:
                    problem(column, item, exc.expected)
        elif column == "sources" and "cites" in LISTS[section]:
            sources = split_items(value)
        elif column == "quote" and "cites" in LISTS[section]:
            quote = f.text(value)
        elif column == "cites" and "cites" in LISTS[section]:
            sources = value if isinstance(value, list) else split_items(value)
        else:
            out[column] = value
    if sources:
        out["cites"] = [item if isinstance(item, dict) or not quote else {"source": item, "quote": quote}
                        for item in sources]
    return out


def known_columns(section: str) -> set[str]:
    return set(flat_columns(section)) | set(LISTS[section]) | {"cites"}


def _header_key(name: str) -> str:
    """A header as compared for a hint: case folded, runs of spaces, hyphens, dots and underscores as one `_`."""
    return re.sub(r"[\s_.\-]+", "_", name.casefold()).strip("_")


def header_hints(columns: list[str], known: set[str] | list[str]) -> dict[str, str]:
    """Columns of a header that are not used but differ from a known column only in case, spacing or
    underscores (`Code` for `code`, `Signed On` for `signed_on`) -> that column. Only a hint: such a
    column is never read as the one it resembles."""
    present = set(columns)
    by_key: dict[str, str] = {}
    for name in sorted(known):
        if name not in present:
            by_key.setdefault(_header_key(name), name)
    return {c: by_key[_header_key(c)] for c in columns
            if c not in known and _header_key(c) in by_key}
