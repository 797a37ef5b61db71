"""The JSON Schemas in docs/schemas/ are current, and our own files validate against them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from importers.bundle import LINE_KEY, RECORD_SECTIONS, known_fields
from importers.schemas import entity_schema, schema_files

ROOT = Path(__file__).resolve().parents[1]


def test_committed_schemas_are_current():
    for name, text in schema_files().items():
        committed = ROOT / "docs" / "schemas" / name
        assert committed.read_text(encoding="utf-8") == text, f"{committed} is stale: run `coopdb docs schemas`"


@pytest.mark.parametrize("section", RECORD_SECTIONS)
def test_schema_lists_exactly_the_fields_the_importer_knows(section):
    assert set(entity_schema(section)["properties"]) == known_fields(section)


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


BUNDLES = [*sorted((ROOT / "importers" / "data" / "reference").glob("*.yml")),
           ROOT / "tests" / "fixtures" / "bundle_small.yml"]


@pytest.mark.parametrize("path", BUNDLES, ids=lambda p: p.name)
def test_bundles_validate(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for section, items in data.items():
        schema = entity_schema(section)
        for item in items:
            jsonschema.validate(json.loads(json.dumps(_strip_lines(item), default=str)), schema)


def test_a_bad_record_fails_validation():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"code": "X", "title": "T", "status": "finished"}, entity_schema("projects"))
