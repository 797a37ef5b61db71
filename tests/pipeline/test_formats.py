"""Every file format and encoding gives the same records."""

from __future__ import annotations

import codecs
import datetime as dt
import json

import openpyxl
import pytest
import yaml
from sqlalchemy import select

from db.errors import UserError
from db.models import Project
from importers.files import import_file
from tests.pipeline.conftest import count

HEADER = ["code", "title", "status", "committed_on", "amount", "currency", "participants"]
ROWS = [
    ["KZ-ZHANATAS", "Zhanatas wind farm – 100 MW", "operational", "2019-05", "1200000", "USD",
     "host:Kazakhstan|financier:China"],
    ["KZ-TURGUSUN", "Turgusun hydropower plant", "completed", "2021", "", "", "host:KZ|builder:CN"],
]


def _csv_text(delimiter: str = ",") -> str:
    return "\n".join(delimiter.join(cells) for cells in [HEADER, *ROWS]) + "\n"


def _write(tmp_path, kind: str):
    if kind == "utf8":
        path = tmp_path / "p.csv"
        path.write_text(_csv_text(), encoding="utf-8")
    elif kind == "utf8-bom":
        path = tmp_path / "p.csv"
        path.write_bytes(codecs.BOM_UTF8 + _csv_text().encode())
    elif kind == "utf16-excel":  # Excel's "Unicode text": UTF-16 LE with BOM, tab-separated, CRLF
        path = tmp_path / "p.txt"
        path.write_bytes(codecs.BOM_UTF16_LE + _csv_text("\t").replace("\n", "\r\n").encode("utf-16-le"))
    elif kind == "cp1252":
        path = tmp_path / "p.csv"
        path.write_bytes(_csv_text(";").encode("cp1252"))
    elif kind == "semicolon":
        path = tmp_path / "p.csv"
        path.write_text(_csv_text(";"), encoding="utf-8")
    elif kind == "tsv":
        path = tmp_path / "p.tsv"
        path.write_text(_csv_text("\t"), encoding="utf-8")
    elif kind == "json":
        path = tmp_path / "p.json"
        path.write_text(json.dumps([dict(zip(HEADER, r, strict=True)) for r in ROWS]), encoding="utf-8")
    elif kind == "jsonl":
        path = tmp_path / "p.jsonl"
        path.write_text("".join(json.dumps(dict(zip(HEADER, r, strict=True))) + "\n" for r in ROWS))
    elif kind == "yaml":
        path = tmp_path / "p.yaml"
        items = [dict(zip(HEADER, r, strict=True)) for r in ROWS]
        for item in items:  # YAML may carry real lists
            item["participants"] = item["participants"].split("|")
        path.write_text(yaml.safe_dump({"projects": items}, allow_unicode=True), encoding="utf-8")
    elif kind == "xlsx":
        path = tmp_path / "p.xlsx"
        book = openpyxl.Workbook()
        book.active.title = "Notes"
        sheet = book.create_sheet("Projects")
        sheet.append(HEADER)
        for r in ROWS:
            sheet.append([*r[:3], dt.datetime(2019, 5, 1) if r[3] == "2019-05" else 2021,
                          float(r[4]) if r[4] else None, r[5] or None, r[6]])
        book.save(path)
    return path


KINDS = ["utf8", "utf8-bom", "utf16-excel", "cp1252", "semicolon", "tsv", "json", "jsonl", "yaml", "xlsx"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_format_imports_the_same_projects(world, tmp_path, kind):
    path = _write(tmp_path, kind)
    report = import_file(world, "projects", path, sheet="Projects" if kind == "xlsx" else None)
    assert (report.read, report.inserted, report.rejected) == (2, 2, 0), report.problems
    with world.connect() as conn:
        rows = {r.code: r for r in conn.execute(select(Project))}
    assert rows["KZ-ZHANATAS"].title == "Zhanatas wind farm – 100 MW"
    assert rows["KZ-ZHANATAS"].amount == 1200000
    assert count(world, "project_countries") == 4
    if kind == "cp1252":
        assert report.warnings[0] == "p.csv: not UTF-8, read as Windows-1252; check accented names " \
                                     "(save as UTF-8 to silence this)"
    else:
        assert report.warnings == []
    # the day Excel stored is a day; the text "2019-05" is a month
    assert rows["KZ-ZHANATAS"].committed_precision == ("day" if kind == "xlsx" else "month")
    again = import_file(world, "projects", path, sheet="Projects" if kind == "xlsx" else None)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_format_from_option_overrides_the_extension(world, tmp_path):
    path = tmp_path / "export.dat"
    path.write_text(_csv_text(), encoding="utf-8")
    with pytest.raises(UserError, match=r"export.dat: cannot tell the format from the extension '.dat'; "
                       r"give --format \(csv, tsv, json, jsonl, yaml, xlsx\)"):
        import_file(world, "projects", path)
    assert import_file(world, "projects", path, format="csv").inserted == 2
