"""Each entity declared once (importers/entities.py): records, bundle validation, the flat layout, JSON
Schemas and the import commands all come from the declaration, and agree with the model."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from db.models import Event
from importers import bundle, tabular
from importers.entities import LAYOUTS, Entity, ListField
from importers.files import ENTITIES, import_file
from importers.records import RECORD_TYPES, record_class
from importers.schemas import entity_schema
from tests.conftest import url_text
from tests.test_writer import countries  # noqa: F401  (fixture)


@pytest.mark.parametrize("section", list(LAYOUTS))
def test_every_layer_names_the_fields_the_declaration_names(section):
    entity = LAYOUTS[section]
    record_fields = {f.name for f in dataclasses.fields(RECORD_TYPES[section])}
    layout = set(entity.scalars) | set(entity.list_names)
    assert layout <= record_fields  # every field a file may give lands in the record
    assert set(entity_schema(section)["properties"]) == bundle.known_fields(section)
    assert entity_schema(section)["required"] == list(entity.required)
    flat = set(tabular.flat_columns(section))
    assert set(entity.scalars) <= flat
    assert {cell.column for lf in entity.lists for cell in lf.flat} <= flat
    assert section in ENTITIES


@pytest.mark.parametrize("section", list(LAYOUTS))
def test_fields_are_columns_of_the_model(section):
    entity = LAYOUTS[section]
    for name, column in entity.input_columns.items():
        assert column in entity.t.c, f"{section}.{name} fills {column}, which the model lacks"
    for name, column in entity.references.items():
        assert entity.t.c[column].foreign_keys, f"{section}.{name}: {column} is not a foreign key"
    for name, values in entity.choices.items():  # the vocabulary is the model's CHECK, not a copy
        assert values == entity.vocabularies[entity.input_columns[name]]


def test_a_converter_follows_the_column_type_and_length():
    project = LAYOUTS["projects"]
    assert project.scalars["committed_on"]("2024-07") == (dt.date(2024, 7, 1), "month")
    assert project.scalars["amount_year"]("2014") == 2014
    assert project.scalars["is_regional"]("yes") is True
    with pytest.raises(ValueError, match="pledged"):
        project.scalars["status"]("finished")
    length = project.t.c.title.type.length  # String(500) in the model
    assert project.scalars["title"]("x" * length) == "x" * length
    with pytest.raises(ValueError, match=f"at most {length}"):
        project.scalars["title"]("x" * (length + 1))


def test_a_new_declaration_gets_its_record_validation_and_schema_without_other_code():
    """What adding an entity takes: a declaration (here over an existing table, standing in for its own
    model and migration) gives a record type, converters, required-field checks and list parsing."""
    event = LAYOUTS["events"]
    declared = Entity(name="gathering", table="events", key=("code",), fields=("kind", "title", "occurred_on",
                      "occurred_precision", "country_id"), section="gatherings", required=("code", "title"),
                      references={"country": "country_id"}, lists=(ListField("cites", "cites"),))
    cls = record_class(declared)
    record = cls(code="G-1", title="A meeting", country="Kazakhstan")
    assert (record.code, record.country, record.cites, record.occurred_precision) == \
        ("G-1", "Kazakhstan", [], None)
    assert declared.scalars["kind"]("visit") == "visit"  # the model's vocabulary, read off its CHECK
    assert declared.choices["kind"] == event.choices["kind"]
    assert declared.record_key(cls(code="g-1")) == "G-1"


def test_a_natural_key_of_several_columns_is_folded_like_the_resolver():
    membership = LAYOUTS["memberships"]
    record = RECORD_TYPES["memberships"](forum="Shanghai Cooperation Organisation", country="KAZAKHSTAN",
                                         started_on=dt.date(2001, 6, 15))
    assert membership.key_fields == ("forum", "country", "role", "started_on")
    assert membership.record_key(record)[1:] == ("kazakhstan", "member", dt.date(2001, 6, 15))


def test_events_import_from_a_flat_file_like_every_declared_entity(countries, tmp_path, cli):  # noqa: F811
    """`coopdb import events` exists because events are declared; a CSV of events imports, a second run
    changes nothing, and a bad row names its line, field and what was expected."""
    good = tmp_path / "events.csv"
    good.write_text("code,kind,title,occurred_on,place_name,country\n"
                    "KZ-CN-VISIT-2024,visit,State visit to Kazakhstan,2024-07-03,Astana,Kazakhstan\n"
                    "SCO-SUMMIT-2024,summit,SCO summit,2024-07,Astana,KAZ\n", encoding="utf-8")
    first = import_file(countries, "events", good)
    assert (first.read, first.inserted, first.rejected) == (2, 2, 0)
    again = import_file(countries, "events", good)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    with countries.connect() as conn:
        rows = conn.execute(select(Event.code, Event.occurred_on, Event.occurred_precision)
                            .order_by(Event.code)).all()
    assert rows == [("KZ-CN-VISIT-2024", dt.date(2024, 7, 3), "day"),
                    ("SCO-SUMMIT-2024", dt.date(2024, 7, 1), "month")]

    bad = tmp_path / "bad.csv"
    bad.write_text("code,kind,title\nX-1,parade,A parade\n", encoding="utf-8")
    result = cli("import", "events", str(bad), "-d", url_text(countries.url))
    assert result.exit_code == 3
    assert "bad.csv:2 [kind]: expected one of signing, opening, visit" in result.output


def test_a_rejected_event_row_reports_its_unknown_references_too(countries, tmp_path):  # noqa: F811
    """One pass: a row rejected for its kind still has its references resolved from the declaration."""
    path = tmp_path / "events.csv"
    path.write_text("code,kind,title,country,project\nX-1,parade,A parade,Atlantis,NO-SUCH-PROJECT\n",
                    encoding="utf-8")
    report = import_file(countries, "events", path, allow_rejects=True)
    fields = sorted(p.field for p in report.problems)
    assert fields == ["country", "kind", "project"]
    assert any("the code of a known project (import projects first)" in p.expected for p in report.problems)
    with countries.connect() as conn:
        assert conn.execute(select(Event.code)).all() == []
