"""AidData GCDF importer on small fixtures written for the project: layouts, mapping, re-imports,
bad input with exact messages. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from db.errors import UserError
from importers.aiddata import detect_layout, import_aiddata
from importers.core import ImportRejected

FIX = Path(__file__).resolve().parent / "fixtures"


def q(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def test_layouts_are_detected_from_the_header():
    assert detect_layout(["project_id", "recipient_condensed", "title"], "a.csv").version == "1.0"
    assert detect_layout(["AidData TUFF Project ID", "Title"], "a.csv").version == "2.0"
    assert detect_layout(["AidData Record ID", "Recipient ISO-3", "Title"], "a.csv").version == "3.0"
    assert detect_layout(["aid_data_record_id", "recipient_iso_3", "title"], "a.csv").version == "3.0"


def test_unknown_layout_is_a_clear_error(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("id,name\n1,x\n")
    with pytest.raises(UserError) as info:
        detect_layout(["id", "name"], "other.csv")
    assert str(info.value) == (
        "other.csv: not a known AidData GCDF layout: expected a header with the columns of "
        "v1.0: project_id, recipient_condensed; v2.0: AidData TUFF Project ID; v3.0: AidData Record ID, "
        "Recipient ISO-3 (got id, name, ...)"
    )


def test_v1_rows_become_projects_with_participants_sources_and_citations(few_countries):
    engine = few_countries
    report = import_aiddata(engine, FIX / "aiddata_v1.csv", subset=True)
    assert report.read == 3 and report.rejected == 0
    assert any("links to AidData records that are neither in this file nor in the database" in w and
               "AIDDATA-999" in w for w in report.warnings)
    assert any("currency 'XYZ1'" in w for w in report.warnings)
    (p,) = q(engine, "SELECT * FROM projects WHERE code = 'AIDDATA-101'")
    assert p.title == "Test highway section" and p.status == "under_construction"
    assert p.description.startswith("A loan for a road,\nwith a line break")
    assert (p.flow_type, p.flow_class, p.intent) == ("Loan (excluding debt rescheduling)", "OOF-like", "Commercial")
    assert (p.sector_code, p.sector) == ("210", "Transport and Storage")
    assert (Decimal(p.amount), p.currency, p.amount_year) == (Decimal("1000000000"), "CNY", 2012)
    assert (Decimal(str(p.amount_usd_constant)), p.usd_base_year) == (Decimal("170000000.51"), 2014)
    assert Decimal(p.amount_usd_nominal) == Decimal("158000000")
    assert str(p.committed_on)[:10] == "2012-01-01" and p.committed_precision == "year"
    assert str(p.started_on)[:10] == "2013-05-01" and p.started_precision == "day"
    assert p.location_narrative == "Almaty region" and not p.is_regional
    orgs = q(engine, "SELECT o.name, po.role FROM project_organisations po JOIN organisations o "
                     "ON o.id = po.organisation_id JOIN projects p ON p.id = po.project_id "
                     "WHERE p.code = 'AIDDATA-101' ORDER BY po.role")
    assert orgs == [("Example Policy Bank", "funding_agency"), ("Example Builders Co., Ltd.", "implementing_agency"),
                    ("Example Road Agency", "receiving_agency")]
    countries = q(engine, "SELECT c.code, pc.role FROM project_countries pc JOIN countries c ON c.id = pc.country_id "
                          "JOIN projects p ON p.id = pc.project_id WHERE p.code = 'AIDDATA-101' ORDER BY pc.role")
    assert countries == [("CHN", "financier"), ("KAZ", "recipient")]
    cites = q(engine, "SELECT s.key, s.kind, c.locator FROM citations c JOIN sources s ON s.id = c.source_id "
                      "JOIN projects p ON p.id = c.record_id AND c.record_type = 'project' "
                      "WHERE p.code = 'AIDDATA-101' ORDER BY s.key")
    assert cites == [("aiddata-gcdf-1.0", "dataset", "record 101 (row 2)"),
                     ("http://example.org/gov/2", "official_document", ""),
                     ("http://example.org/news/1", "news_article", "")]
    (release,) = q(engine, "SELECT * FROM sources WHERE key = 'aiddata-gcdf-1.0'")
    assert release.licence.startswith("Open Data Commons Attribution") and "Working Paper #46" in release.notes


def test_regional_rows_are_kept_and_links_are_written(few_countries):
    engine = few_countries
    import_aiddata(engine, FIX / "aiddata_v1.csv", subset=True)
    (p,) = q(engine, "SELECT * FROM projects WHERE code = 'AIDDATA-102'")
    assert p.is_regional and p.recipient_region == "Africa, regional" and p.committed_estimated
    assert p.amount is None and p.currency is None
    (src,) = q(engine, "SELECT key, url, title, kind FROM sources WHERE key = 'example.org/no-scheme'")
    assert src == ("example.org/no-scheme", None, "example.org/no-scheme", "web_page")
    links = q(engine, "SELECT a.code, b.code, l.kind FROM project_links l JOIN projects a ON a.id = l.project_id "
                      "JOIN projects b ON b.id = l.related_project_id")
    assert links == [("AIDDATA-103", "AIDDATA-101", "linked")]


def test_reimport_changes_nothing(few_countries):
    import_aiddata(few_countries, FIX / "aiddata_v1.csv", subset=True)
    again = import_aiddata(few_countries, FIX / "aiddata_v1.csv", subset=True)
    assert (again.inserted, again.updated) == (0, 0)
    assert again.unchanged == 3  # the three records; their four sources are counted per table
    assert again.details["sources"] == {"inserted": 0, "updated": 0, "unchanged": 5}  # and the release


def test_a_later_release_updates_the_same_projects_and_keeps_both_citations(few_countries):
    engine = few_countries
    import_aiddata(engine, FIX / "aiddata_v1.csv", subset=True)
    v2 = import_aiddata(engine, FIX / "aiddata_v2.csv", subset=True)
    assert v2.rejected == 0
    assert q(engine, "SELECT count(*) FROM projects WHERE code LIKE 'AIDDATA-%'") == [(4,)]
    (p,) = q(engine, "SELECT * FROM projects WHERE code = 'AIDDATA-101'")
    assert (p.title, p.status, p.usd_base_year) == ("Test highway section (v2 title)", "completed", 2017)
    assert p.committed_estimated and str(p.completed_on)[:10] == "2015-01-01" and p.completed_precision == "year"
    releases = q(engine, "SELECT s.key FROM citations c JOIN sources s ON s.id = c.source_id JOIN projects p "
                         "ON p.id = c.record_id AND c.record_type = 'project' WHERE p.code = 'AIDDATA-101' "
                         "AND s.kind = 'dataset' ORDER BY s.key")
    assert releases == [("aiddata-gcdf-1.0",), ("aiddata-gcdf-2.0",)]
    (src,) = q(engine, "SELECT title, publisher, kind FROM sources WHERE key = 'http://example.org/v2/b'")
    assert src == ("New report", "Example Ministry", "official_document")
    assert q(engine, "SELECT o.name FROM project_organisations po JOIN organisations o ON o.id = po.organisation_id "
                     "WHERE po.role = 'accountable_agency'") == [("Example Insurer",)]
    assert q(engine, "SELECT c.code FROM project_countries pc JOIN countries c ON c.id = pc.country_id JOIN projects p "
                     "ON p.id = pc.project_id WHERE p.code = 'AIDDATA-201' AND pc.role = 'recipient'") == [("SDN",)]


def test_v3_snake_case_export_with_parent_links(few_countries):
    engine = few_countries
    report = import_aiddata(engine, FIX / "aiddata_v3.csv", subset=True)
    assert (report.read, report.rejected) == (2, 0)
    (p,) = q(engine, "SELECT * FROM projects WHERE code = 'AIDDATA-101'")
    assert str(p.committed_on)[:10] == "2012-04-15" and p.committed_precision == "day"
    assert p.amount_estimated and p.usd_base_year == 2021
    assert q(engine, "SELECT a.code, b.code, l.kind FROM project_links l JOIN projects a ON a.id = l.project_id "
                     "JOIN projects b ON b.id = l.related_project_id") == [("AIDDATA-104", "AIDDATA-101", "parent")]


def _workbook_with_sheets_before_the_data(path: Path) -> Path:
    """The v3 fixture as the data sheet of a workbook whose first sheets are a read-me and the definitions."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Read Me"
    book.active.append(["A data set of made-up records"])
    definitions = book.create_sheet("Definitions")
    definitions.append(["Field Name", "Definition"])
    definitions.append(["AidData Record ID", "The record's id"])
    data = book.create_sheet("GCDF_3.0")
    with open(FIX / "aiddata_v3.csv", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            data.append(row)
    book.save(path)
    return path


def test_the_data_sheet_of_a_workbook_is_found_by_its_header(few_countries, tmp_path, cli, db_url):
    from tests.conftest import url_text

    path = _workbook_with_sheets_before_the_data(tmp_path / "gcdf3.xlsx")
    report = import_aiddata(few_countries, path, subset=True)
    assert (report.read, report.inserted, report.rejected) == (2, 2, 0)
    assert q(few_countries, "SELECT code FROM projects ORDER BY code") == [("AIDDATA-101",), ("AIDDATA-104",)]
    (options,), = q(few_countries, "SELECT options FROM import_runs WHERE importer = 'aiddata'")
    assert (json.loads(options) if isinstance(options, str) else options)["sheet"] == "GCDF_3.0"
    # the command says which sheet it read; --sheet names one, and a wrong name lists the sheets
    url = url_text(db_url)
    shown = cli("import", "aiddata", path, "--subset", "--dry-run", "-d", url)
    assert shown.exit_code == 0, shown.stderr
    assert "gcdf3.xlsx: AidData GCDF 3.0 layout, sheet 'GCDF_3.0'" in shown.stderr
    named = cli("import", "aiddata", path, "--subset", "--sheet", "GCDF_3.0", "--dry-run", "-d", url)
    assert named.exit_code == 0, named.stderr
    wrong = cli("import", "aiddata", path, "--sheet", "Definitions", "-d", url)
    assert wrong.exit_code == 3 and "gcdf3.xlsx: not a known AidData GCDF layout" in wrong.stderr
    missing = cli("import", "aiddata", path, "--sheet", "Data", "-d", url)
    assert missing.exit_code == 3
    assert "gcdf3.xlsx: no sheet named 'Data' (sheets: Read Me, Definitions, GCDF_3.0)" in missing.stderr


def test_a_sheet_named_for_a_csv_file_is_an_error(cli, tmp_path):
    result = cli("import", "aiddata", FIX / "aiddata_v3.csv", "--sheet", "GCDF_3.0", "-d", tmp_path / "x.sqlite")
    assert result.exit_code == 3
    assert result.stderr.strip() == "error: aiddata_v3.csv: --sheet applies to .xlsx workbooks only"
    assert not (tmp_path / "x.sqlite").exists()


def test_a_workbook_without_a_data_sheet_names_its_sheets(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Read Me"
    book.active.append(["notes"])
    book.create_sheet("Data").append(["id", "name"])
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(UserError) as info:
        import_aiddata(None, tmp_path / "other.xlsx")
    assert str(info.value).startswith("other.xlsx: no sheet has the header of a known AidData GCDF layout "
                                      "(sheets: Read Me, Data): expected the columns of v1.0")
    assert str(info.value).endswith("(the first sheet has notes, ...); name the data's sheet with --sheet")


def test_bad_amount_rejects_with_the_exact_message_and_writes_nothing(few_countries, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text((FIX / "aiddata_v1.csv").read_text().replace("1000000000,CNY", "1 bn,CNY"))
    with pytest.raises(ImportRejected) as info:
        import_aiddata(few_countries, path, subset=True)
    assert str(info.value.report.problems[0]) == "bad.csv:2 [amount]: expected a number like 1250000.50 (got '1 bn')"
    assert q(few_countries, "SELECT count(*) FROM projects") == [(0,)]


def test_a_missed_record_count_fails_unless_subset(few_countries):
    with pytest.raises(UserError) as info:
        import_aiddata(few_countries, FIX / "aiddata_v1.csv")
    assert str(info.value) == ("aiddata_v1.csv: AidData GCDF 1.0 files have 5,466 (the full release) records; this "
                               "one has 3. If it is an extract of a release, import it with --subset")
    assert q(few_countries, "SELECT count(*) FROM projects") == [(0,)]


def test_cli_import_aiddata(few_countries, db_url, cli):
    from tests.conftest import url_text

    result = cli("import", "aiddata", FIX / "aiddata_v1.csv", "--subset", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    assert "aiddata_v1.csv: AidData GCDF 1.0 layout" in result.stderr
    assert "read 3, inserted 3" in result.stdout
    bad = cli("import", "aiddata", FIX / "cow_states.csv", "-d", url_text(db_url))
    assert bad.exit_code == 3 and bad.stderr.startswith("error: cow_states.csv: not a known AidData GCDF layout")


def _with_columns(source: Path, target: Path, values: dict[str, list[str]]) -> Path:
    """A copy of a fixture with extra columns (one value per data row)."""
    with source.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[0] += list(values)
    for i, row in enumerate(rows[1:]):
        row += [column[i] for column in values.values()]
    with target.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return target


@pytest.mark.parametrize(("fixture", "columns", "expected"), [
    # v1.0 says recommended_for_research (True/False) and umbrella (0/1)
    ("aiddata_v1.csv", {"recommended_for_research": ["True", "False", ""]},
     {"AIDDATA-101": (True, False), "AIDDATA-102": (False, False), "AIDDATA-103": (None, True)}),
    # the v2.0 military-intent release says Recommended For Military Aggregates (Yes/No)
    ("aiddata_v2.csv", {"Recommended For Military Aggregates": ["No", "Yes"], "Umbrella": ["Yes", "No"]},
     {"AIDDATA-101": (False, True), "AIDDATA-201": (True, False)}),
    # v3.0 (snake_case export) says recommended_for_aggregates and umbrella
    ("aiddata_v3.csv", {"recommended_for_aggregates": ["Yes", "No"], "umbrella": ["No", ""]},
     {"AIDDATA-101": (True, False), "AIDDATA-104": (False, None)}),
])
def test_release_flags_are_read_in_every_known_spelling(few_countries, tmp_path, fixture, columns, expected):
    path = _with_columns(FIX / fixture, tmp_path / fixture, columns)
    report = import_aiddata(few_countries, path, subset=True)
    assert report.rejected == 0, report.problems
    assert not any("recommended" in w.lower() for w in report.warnings if "missing" in w)
    got = {code: (rec, umb) for code, rec, umb in q(
        few_countries, "SELECT code, recommended_for_aggregates, umbrella FROM projects WHERE code IN "
                       f"({', '.join(repr(c) for c in expected)})")}
    assert {code: (None if r is None else bool(r), None if u is None else bool(u)) for code, (r, u) in got.items()} \
        == expected


def test_a_file_without_the_flags_leaves_them_unknown_and_says_so(few_countries):
    report = import_aiddata(few_countries, FIX / "aiddata_v3.csv", subset=True)
    assert any("Recommended For Aggregates or Recommended For Research" in w for w in report.warnings)
    assert q(few_countries, "SELECT DISTINCT recommended_for_aggregates FROM projects") == [(None,)]


def test_an_import_rebuilds_country_pairs(few_countries):
    from db import bi

    assert bi.read_view(few_countries, "country_pairs") == []
    import_aiddata(few_countries, FIX / "aiddata_v1.csv", subset=True)
    pairs = {(r["country_code"], r["partner_code"]): r["shared_projects"]
             for r in bi.read_view(few_countries, "country_pairs")}
    assert pairs[("CHN", "KAZ")] == pairs[("KAZ", "CHN")] >= 1


def test_a_row_rejected_for_its_values_has_its_countries_checked_in_the_same_run(few_countries, tmp_path):
    """Every problem of a row in one pass: its values, and the countries it names, worded as every problem is."""
    rows = list(csv.reader((FIX / "aiddata_v1.csv").open(encoding="utf-8", newline="")))
    header = rows[0]
    rows[1][header.index("amount")] = "1 bn"
    rows[1][header.index("recipient_iso3")] = "KAZ; Kazakstan"
    rows[2][header.index("recipient_iso3")] = "Atlantis"  # a row whose values are good
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(ImportRejected) as info:
        import_aiddata(few_countries, path, subset=True)
    assert [str(p) for p in info.value.report.problems] == [
        "bad.csv:2 [amount]: expected a number like 1250000.50 (got '1 bn')",
        "bad.csv:2 [participants[recipient]]: expected a country name or code known to coopdb (did you mean "
        "Kazakhstan (KAZ)?) (got 'Kazakstan')",
        "bad.csv:4 [participants[recipient]]: expected a country name or code known to coopdb (got 'Atlantis')",
    ]
    assert q(few_countries, "SELECT count(*) FROM projects") == [(0,)]
