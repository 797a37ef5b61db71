"""The mapping language without a database: load errors, templates, transforms, dates, columns."""

from __future__ import annotations

import pytest

from db.errors import UserError
from importers.mapping import date_in_formats, fix_mojibake, load_mapping, render, split_numbered
from importers.readers import open_table


def _load(tmp_path, text: str):
    path = tmp_path / "theirs.yml"
    path.write_text(text, encoding="utf-8")
    return load_mapping(path)


def _apply(mapping, row, entity="projects", number=1):
    problems = []
    out = mapping.apply(row, entity, lambda *p: problems.append(p), number, number + 1)
    return out, problems


@pytest.mark.parametrize(("text", "message"), [
    ("header_rows: 5\n", "theirs.yml: unknown key 'header_rows'; did you mean 'header_row'?"),
    ("countries: {Party 1: {role: party, schem: numeric}}\n",
     "theirs.yml: unknown key 'countries.Party 1.schem'; did you mean 'scheme'?"),
    ("countries: {Party 1: {role: party, scheme: iso}}\n", "theirs.yml: countries.Party 1.scheme: Input should be"),
    ("header_row: zero\n", "theirs.yml: header_row: Input should be a valid integer"),
    ("dates: {signed_on: dd/mm/yyyy}\n", "theirs.yml: dates.signed_on: 'dd/mm/yyyy' is not a date format"),
    ("dates: {signed_on: ['%d/%m/%Y', '%m-%Q']}\n", "'%m-%Q' is not a date format (%Q is not a date directive)"),
    ("transforms: {amount: [{scael: 1000}]}\n", "theirs.yml: transforms.amount[0]: unknown transform 'scael'"),
    ("transforms: {code: [{regex: '('}]}\n", "not a regular expression"),
])
def test_a_typo_is_an_error_at_load_naming_the_file_and_the_key(tmp_path, text, message):
    with pytest.raises(UserError) as caught:
        _load(tmp_path, text)
    assert message in str(caught.value)


def test_templates_number_rows_and_join_columns(tmp_path):
    mapping = _load(tmp_path, 'templates: {code: "TRACKER-{row:04}", committed_on: "{Year}-{Month:02}"}\n'
                              "columns: {Name: title}\n")
    mapping.bind(["Name", "Year", "Month"])
    out, problems = _apply(mapping, {"Name": "A", "Year": "2019", "Month": "3"}, number=7)
    assert (out["code"], out["committed_on"], out["title"], problems) == ("TRACKER-0007", "2019-03", "A", [])
    out, _ = _apply(mapping, {"Name": "B", "Year": "2019", "Month": ""})
    assert out["committed_on"] == "2019"  # a blank month leaves its separator out
    assert render("{A} {B}", {"A": "", "B": " "}, {}, 1, 2) is None


def test_transforms_in_order(tmp_path):
    mapping = _load(tmp_path, "transforms:\n"
                              "  amount: [{scale: 1000000}]\n"
                              "  amount_usd_constant: [{round: 2}]\n"
                              "  title: [normalize_space, fix_mojibake]\n"
                              "  code: [{regex: 'IIA-(\\d+)'}]\n"
                              "  sources: [{remove: ',.*$'}]\n"
                              "  description: [strip_numbering, upper]\n")
    out, _ = _apply(mapping, {"amount": "1,500.5", "amount_usd_constant": "1364094.335",
                              "title": " CÃ´te\u00a0d\u2019Ivoire  road ",
                              "code": "UNCTAD-IIA-1234", "sources": "http://a.org/x, Media Report",
                              "description": "2. second item"})
    assert out == {"amount": "1500500000", "amount_usd_constant": "1364094.34", "title": "Côte d’Ivoire road",
                   "code": "1234",
                   "sources": "http://a.org/x", "description": "SECOND ITEM"}


def test_split_numbered_and_mojibake():
    assert split_numbered("1. China 2. Kazakhstan 3) Russian Federation") == ["China", "Kazakhstan",
                                                                              "Russian Federation"]
    assert split_numbered("(1) EU; (2) Viet Nam") == ["EU", "Viet Nam"]
    assert fix_mojibake("SÃ£o TomÃ©") == "São Tomé"
    assert fix_mojibake("Århus") == "Århus"  # not mojibake: left alone


def test_fallback_date_formats():
    assert date_in_formats("06-2000", ["%d/%m/%Y", "%m-%Y"])[1] == "month"
    assert str(date_in_formats("20/04/2005", ["%d/%m/%Y", "%m-%Y"])[0]) == "2005-04-20"
    with pytest.raises(ValueError) as caught:
        date_in_formats("2005.04.20", ["%d/%m/%Y", "%m-%Y"])
    assert str(caught.value) == ("expected a date in one of the formats %d/%m/%Y, %m-%Y (like 03/07/2024, "
                                 "07-2024)")


def test_derived_values_and_conditional_constants(tmp_path):
    mapping = _load(tmp_path, "derive: {status: [{when: in_force_on, value: in_force}, "
                              "{when: Signed, matches: '\\d{4}', value: signed}]}\n"
                              "constants: {usd_base_year: {value: 2017, when: amount_usd_constant}, sector: trade}\n")
    out, _ = _apply(mapping, {"in_force_on": "1994", "Signed": "1992"}, "agreements")
    assert out["status"] == "in_force"
    out, _ = _apply(mapping, {"in_force_on": "", "Signed": "1992"}, "agreements")
    assert out["status"] == "signed"
    out, _ = _apply(mapping, {"amount_usd_constant": ""})
    assert "usd_base_year" not in out and out["sector"] == "trade"
    out, _ = _apply(mapping, {"amount_usd_constant": "5"})
    assert out["usd_base_year"] == "2017"  # mapping files keep values as written; the field converts


def test_country_columns_wildcards_schemes_lookups_and_aliases(tmp_path):
    mapping = _load(tmp_path, 'countries: {"c*": {role: party, scheme: numeric}, '
                              "Others: {role: signatory, split: ';', numbered: true}}\n"
                              "lookups: {parties: {n/a: null, E.U.: forum:EU}}\n"
                              "aliases: {Korea Rep: KOR}\n"
                              'ignore: ["mc*"]\n')
    header = ["c1", "c2", "c10", "c3", "mc1", "Others"]
    assert mapping.bind(header) == []
    out, _ = _apply(mapping, {"c1": "398", "c2": "4", "c10": "E.U.", "c3": "n/a", "mc1": "40",
                              "Others": "1. Korea Rep 2. China; Kazakhstan"}, "agreements")
    assert out["parties"] == ("party:numeric:398|party:numeric:4|party:forum:EU|signatory:KOR|"
                              "signatory:China|signatory:Kazakhstan")
    assert "mc1" not in out and mapping.used_columns() >= set(header)


def test_one_column_feeds_two_fields(tmp_path):
    mapping = _load(tmp_path, "columns: {Year: [committed_on, amount_year]}\n")
    out, _ = _apply(mapping, {"Year": "2014"})
    assert (out["committed_on"], out["amount_year"]) == ("2014", "2014")


def test_missing_mapped_columns_are_named_with_a_did_you_mean(tmp_path):
    mapping = _load(tmp_path, "columns: {project title: title, Amount: amount}\n"
                              "countries: {Recipient Country: host}\n"
                              'templates: {code: "X-{Project Id}"}\n')
    warnings = mapping.bind(["Project Title", "Amount", "Recipient", "Project ID"])
    assert warnings == [
        "theirs.yml: column 'project title' is not in the file's header; did you mean 'Project Title'?",
        "theirs.yml: column 'Recipient Country' is not in the file's header; did you mean 'Recipient'?",
        "theirs.yml: template field {Project Id} is not a column of the file; did you mean 'Project ID'?",
    ]


def test_header_row_skips_the_title_block(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("My tracker,,\nUSD millions,,\n,,\nYear,Country,Amount\n2019,Kazakhstan,5\n")
    table = open_table(path, entity="projects", header_row=4)
    assert table.columns == ["Year", "Country", "Amount"]
    assert list(table.rows()) == [(5, {"Year": "2019", "Country": "Kazakhstan", "Amount": "5"})]


def test_a_stray_byte_in_a_utf8_file_is_repaired_with_a_warning(tmp_path):
    path = tmp_path / "forums.csv"
    path.write_bytes(b"code,name\nCICA,Conf\xc3\xa9rence\nX,Caf\xe9 Forum\n")  # one Windows-1252 byte
    table = open_table(path, entity="forums")
    assert [row["name"] for _line, row in table.rows()] == ["Conférence", "Café Forum"]
    assert table.warnings == ["forums.csv: UTF-8 with 1 stray byte(s) in another encoding (first on line 3), "
                              "read as Windows-1252; check that line"]


def test_organisation_columns_strip_the_type_after_the_last_comma(tmp_path):
    mapping = _load(tmp_path, "organisations:\n"
                              "  Funding Agency: {role: funding_agency, split: ';', strip_type: true}\n"
                              "  Contractor: builder\n")
    mapping.bind(["Funding Agency", "Contractor"])
    out, _ = _apply(mapping, {"Funding Agency": "Export-Import Bank of China, Government Agency; "
                                                "China Overseas Engineering Group Co., Ltd. , State-Owned Company",
                              "Contractor": "Sinohydro, Ltd"})
    assert out["organisations"] == ("funding_agency:Export-Import Bank of China|"
                                    "funding_agency:China Overseas Engineering Group Co., Ltd.|builder:Sinohydro, Ltd")


def test_source_cells_url_then_type(tmp_path):
    mapping = _load(tmp_path, "sources:\n  Sources: {split: ';', kinds: {Media Report: news_article}}\n")
    mapping.bind(["Sources"])
    created = []
    out = mapping.apply({"Sources": "http://a.org/x?q=a,b, Media Report, including Wikileaks; "
                                    "world.example.cn/GB/1.html, Media Report; doc-key-7"},
                        "projects", lambda *p: None, 1, 2, created)
    assert out["sources"] == "http://a.org/x?q=a,b|world.example.cn/GB/1.html|doc-key-7"
    assert [(s.key, s.url, s.kind, s.notes) for s in created] == [
        ("http://a.org/x?q=a,b", "http://a.org/x?q=a,b", "web_page", "Media Report, including Wikileaks"),
        ("world.example.cn/GB/1.html", None, "news_article", "Media Report"),
        ("doc-key-7", None, "web_page", None),
    ]
