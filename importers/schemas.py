"""JSON Schemas (draft 2020-12) of our record layout, one per entity, generated from the declarations in
importers/entities.py (through the converters of importers/bundle.py).

They describe one record as JSON, YAML and bundle files write it (lists as lists, references by code
or name); CSV/XLSX rows use the flat spelling of the same fields (docs/formats.md). The committed
files in docs/schemas/ are checked against this generator by the tests.
"""

from __future__ import annotations

import json
from typing import Any

from db import vocab
from importers import fields as f
from importers.bundle import RECORD_SECTIONS, REQUIRED, SCALARS
from importers.entities import LAYOUTS, ListField

DATE = {"anyOf": [{"type": "string", "pattern": r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$"}, {"type": "integer"}],
        "description": "A date: 2024-07-03, 2024-07 or 2024; the precision is inferred unless <name>_precision "
                       "is given."}
TEXT = {"type": "string"}
NUMBER = {"type": ["number", "string"], "description": "A number; strings like '1,250,000.50' are accepted."}
BOOLEAN = {"type": ["boolean", "string", "integer"], "description": "true/false, yes/no or 1/0."}
CITE = {"anyOf": [{"type": "string", "description": "The key or URL of a source."},
                  {"type": "object", "required": ["source"], "additionalProperties": False,
                   "properties": {"source": TEXT, "locator": TEXT, "quote": TEXT, "field": TEXT}}]}
NAME = {"anyOf": [TEXT, {"type": "object", "required": ["name"], "additionalProperties": False,
                         "properties": {"name": TEXT, "lang": TEXT, "kind": {"enum": list(vocab.NAME_KINDS)},
                                        "note": TEXT}}]}

def _pair(ref_keys: tuple[str, ...], roles: tuple[str, ...], role_key: str = "role", plain: bool = True) -> dict:
    obj = {"type": "object", "additionalProperties": False,
           "properties": {**{k: TEXT for k in ref_keys}, role_key: {"enum": list(roles)}}}
    return {"type": "array", "items": {"anyOf": [TEXT, obj]} if plain else obj}


# The schema of each kind of list (importers/entities.py ListField.kind)
_LISTS_OF_KIND: dict[str, dict[str, Any]] = {
    "cites": {"type": "array", "items": CITE},
    "names": {"type": "array", "items": NAME},
    "codes": {"type": "array", "items": {"type": "object", "required": ["scheme", "code"],
                                         "properties": {"scheme": TEXT, "code": TEXT}}},
    "identifiers": {"type": "array", "items": {"type": "object", "required": ["scheme", "value"],
                                               "properties": {"scheme": TEXT, "value": TEXT}}},
    "status_events": {"type": "array", "items": {"type": "object", "required": ["status"], "properties": {
        "status": {"enum": list(vocab.PROJECT_STATUSES)}, "on": DATE}}},
    "texts": {"type": "array", "items": TEXT},
    "codes_of": {"type": "array", "items": TEXT},
}


def list_schema(lf: ListField) -> dict[str, Any]:
    if lf.kind in ("participants", "parties", "links"):  # items naming a record, with a role
        schema = _pair(lf.refs, lf.all_roles, plain=lf.default_role is not None)
    else:
        schema = dict(_LISTS_OF_KIND[lf.kind])
    return {**schema, "description": lf.doc} if lf.doc else schema


def _scalar(section: str, name: str, convert) -> dict[str, Any]:
    choices = LAYOUTS[section].choices
    if name in choices:
        return {"enum": list(choices[name])}
    if name.endswith("_on"):
        return DATE
    if convert is f.boolean:
        return BOOLEAN
    kind = getattr(convert, "kind", None)
    if convert is f.integer or kind == "integer":
        return {"type": ["integer", "string"]}
    if convert in (f.text, f.reference):
        return TEXT
    if kind in ("text", "code"):
        return {**TEXT, "maxLength": convert.max_length} if convert.max_length else TEXT
    return NUMBER if name not in ("currency",) else {"type": "string", "pattern": "^[A-Za-z]{3}$"}


def entity_schema(section: str) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for name, convert in SCALARS[section].items():
        properties[name] = _scalar(section, name, convert)
        if name.endswith("_on"):
            properties[name.replace("_on", "_precision")] = {"enum": list(vocab.DATE_PRECISIONS)}
    for lf in LAYOUTS[section].lists:
        properties[lf.name] = list_schema(lf)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://coopdb.invalid/schemas/{section}.schema.json",
        "title": f"coopdb {section} record",
        "type": "object",
        "required": list(REQUIRED[section]),
        "properties": properties,
    }


def schema_files() -> dict[str, str]:
    """File name -> JSON text, for every entity."""
    return {f"{s}.schema.json": json.dumps(entity_schema(s), indent=2, ensure_ascii=False) + "\n"
            for s in RECORD_SECTIONS}
