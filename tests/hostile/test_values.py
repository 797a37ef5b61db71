"""Bad values in good files: numbers, text, codes, currencies and dates, on SQLite and PostgreSQL.

Each case is one row that must be refused with its exact message and leave the database as it was;
each accepted spelling must be stored the same on both backends.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from importers.core import ImportRejected
from importers.files import import_file
from tests.pipeline.conftest import T, data_counts

LONG_DIGITS = "1" * 5001

# (header, row, [messages]) -- the row is line 2 of p.csv (comma) or p.txt (semicolon: see SEMICOLON)
REFUSED = {
    "infinite amount": ("code,title,amount", "P-1,T,inf",
                        ["p.csv:2 [amount]: expected a finite number (got 'inf')"]),
    "NaN amount": ("code,title,amount", "P-1,T,NaN", ["p.csv:2 [amount]: expected a finite number (got 'NaN')"]),
    "amount 1e309": ("code,title,amount", "P-1,T,1e309",
                     ["p.csv:2 [amount]: expected a number with at most 18 digits before the decimal point "
                      "(got '1e309')"]),
    "amount 1e25": ("code,title,amount", "P-1,T,1e25",
                    ["p.csv:2 [amount]: expected a number with at most 18 digits before the decimal point "
                     "(got '1e25')"]),
    "amount of 19 digits": ("code,title,amount", "P-1,T,1000000000000000000",
                            ["p.csv:2 [amount]: expected a number with at most 18 digits before the decimal "
                             "point (got '1000000000000000000')"]),
    "rounding up past the precision": ("code,title,amount", "P-1,T,999999999999999999.995",
                                       ["p.csv:2 [amount]: expected at most 2 decimal places (the column keeps 2) "
                                        "(got '999999999999999999.995')"]),
    "a fraction of a cent": ("code,title,amount", "P-1,T,0.001",
                             ["p.csv:2 [amount]: expected at most 2 decimal places (the column keeps 2) "
                              "(got '0.001')"]),
    "capacity beyond 3 decimals": ("code,title,capacity", "P-1,T,1.0005",
                                   ["p.csv:2 [capacity]: expected at most 3 decimal places (the column keeps 3) "
                                    "(got '1.0005')"]),
    "5,001-digit amount": ("code,title,amount", f"P-1,T,{LONG_DIGITS}",
                           [f"p.csv:2 [amount]: expected a number like 1250000.50 (got '{'1' * 200}… "
                            "(5,001 characters)')"]),
    "amount_year 1e30": ("code,title,amount_year", "P-1,T,1e30",
                         ["p.csv:2 [amount_year]: expected a year like 2014 (1000 to 2999) (got '1e30')"]),
    "5,001-digit year": ("code,title,amount_year", f"P-1,T,{LONG_DIGITS}",
                         [f"p.csv:2 [amount_year]: expected a year like 2014 (1000 to 2999) (got '{'1' * 200}… "
                          "(5,001 characters)')"]),
    "year 20140": ("code,title,usd_base_year", "P-1,T,20140",
                   ["p.csv:2 [usd_base_year]: expected a year like 2014 (1000 to 2999) (got '20140')"]),
    "latitude 91": ("code,title,latitude", "P-1,T,91",
                    ["p.csv:2 [latitude]: expected decimal degrees between -90 and 90 (got '91')"]),
    "longitude -inf": ("code,title,longitude", "P-1,T,-Infinity",
                       ["p.csv:2 [longitude]: expected a finite number (got '-Infinity')"]),
    "unknown currency": ("code,title,amount,currency", "P-1,T,5,XYZ",
                         ["p.csv:2 [currency]: expected an ISO 4217 currency code like USD or CNY (current, or "
                          "withdrawn like DEM) (got 'XYZ')"]),
    "no-currency code": ("code,title,amount,currency", "P-1,T,5,XXX",
                         ["p.csv:2 [currency]: expected an ISO 4217 currency code like USD or CNY (current, or "
                          "withdrawn like DEM) (got 'XXX')"]),
    "NUL in a title": ("code,title", "P-1,a\x00b",
                       ["p.csv:2 [title]: expected text without NUL characters (\\x00) (got 'a\\x00b')"]),
    "NUL in a code": ("code,title", "P-\x001,T",
                      ["p.csv:2 [code]: expected text without NUL characters (\\x00) (got 'P-\\x001')"]),
    "NUL in a participant": ("code,title,organisations", "P-1,T,builder:Acme\x00Corp",
                             ["p.csv:2 [participants]: expected text without NUL characters (\\x00)"]),
    "title over 500 characters": ("code,title", "P-1," + "x" * 501,
                                  [f"p.csv:2 [title]: expected at most 500 characters, not 501 (got '{'x' * 200}… "
                                   "(501 characters)')"]),
    "code over 120 characters": ("code,title", "P-" + "X" * 119 + ",T",
                                 [f"p.csv:2 [code]: expected at most 120 characters, not 121 (got 'P-{'X' * 119}')"]),
    "currency over 3 letters": ("code,title,currency", "P-1,T,USDX",
                                ["p.csv:2 [currency]: expected an ISO 4217 currency code like USD or CNY (current, "
                                 "or withdrawn like DEM) (got 'USDX')"]),
    "organisation name over 300": ("code,title,organisations", "P-1,T,builder:" + "O" * 301,
                                   ["p.csv:2 [participants]: expected at most 300 characters, not 301 "
                                    f"(got '{'O' * 200}… (301 characters)')"]),
    "a code of invisible characters": ("code,title", "\u200b\u200d,T",
                                       ["p.csv:2 [code]: expected a code with visible characters "
                                        "(got '\\u200b\\u200d')"]),
    "day precision of a year": ("code,title,committed_on,committed_precision", "P-1,T,2024,day",
                                ["p.csv:2 [committed_precision]: expected a precision no finer than the date "
                                 "(2024 gives the year only) (got 'day')"]),
    "month precision of a year": ("code,title,committed_on,committed_precision", "P-1,T,2024,month",
                                  ["p.csv:2 [committed_precision]: expected a precision no finer than the date "
                                   "(2024 gives the year only) (got 'month')"]),
    "day precision of a month": ("code,title,completed_on,completed_precision", "P-1,T,2024-07,day",
                                 ["p.csv:2 [completed_precision]: expected a precision no finer than the date "
                                  "(2024-07 gives the month only) (got 'day')"]),
}

SEMICOLON = {
    "1,250 is ambiguous": ("code;title;amount", "P-1;T;1,250",
                           ["p.txt:2 [amount]: expected a number without ambiguity: 1,250 reads as 1250 or as "
                            "1.250; write one of them (got '1,250')"]),
    "-7,500 is ambiguous": ("code;title;amount", "P-1;T;-7,500",
                            ["p.txt:2 [amount]: expected a number without ambiguity: -7,500 reads as -7500 or as "
                             "-7.500; write one of them (got '-7,500')"]),
}


def _refused(world, tmp_path, name: str, header: str, row: str, messages: list[str]) -> None:
    path = tmp_path / name
    path.write_bytes(f"{header}\n{row}\n".encode())
    before = data_counts(world)
    with pytest.raises(ImportRejected) as caught:
        import_file(world, "projects", path)
    assert [str(p) for p in caught.value.report.problems] == messages
    assert data_counts(world) == before


@pytest.mark.parametrize("case", REFUSED)
def test_bad_value_is_refused_on_both_backends(world, tmp_path, case):
    header, row, messages = REFUSED[case]
    _refused(world, tmp_path, "p.csv", header, row, messages)


@pytest.mark.parametrize("case", SEMICOLON)
def test_ambiguous_comma_is_refused(world, tmp_path, case):
    header, row, messages = SEMICOLON[case]
    _refused(world, tmp_path, "p.txt", header, row, messages)


def _stored(engine, code: str, *columns: str):
    projects = T["projects"]
    with engine.connect() as conn:
        return conn.execute(select(*(projects.c[c] for c in columns)).where(projects.c.code == code)).one()


ACCEPTED = [
    # (cell as written, stored amount): the same on both backends
    ("1,250,000", Decimal("1250000.00")),
    ("1,250.50", Decimal("1250.50")),
    ("1250,50", Decimal("1250.50")),
    ("0,250", Decimal("0.25")),
    ("1 250 000", Decimal("1250000.00")),
    ("1250.500", Decimal("1250.50")),  # zeros beyond the scale say nothing: kept
    ("999999999999999999.99", Decimal("999999999999999999.99")),
    ("1E+3", Decimal("1000.00")),
    ("-0", Decimal("0.00")),
]


@pytest.mark.parametrize(("cell", "stored"), ACCEPTED)
def test_number_spellings_are_stored_alike(world, tmp_path, backend, cell, stored):
    path = tmp_path / "p.txt"
    path.write_text(f"code;title;amount\nP-1;T;{cell}\n", encoding="utf-8")
    import_file(world, "projects", path)
    (amount,) = _stored(world, "P-1", "amount")
    if backend == "sqlite" and len(stored.as_tuple().digits) > 15:
        # SQLite keeps a NUMERIC column as an 8-byte float: 15 significant digits (docs/security.md)
        assert Decimal(str(amount)) == Decimal(str(float(stored)))
    else:
        assert Decimal(str(amount)).quantize(Decimal("0.01")) == stored


@pytest.mark.parametrize(("name", "text", "stored"), [
    ("p.csv", 'code,title,amount\nP-1,T,"1,250"\n', Decimal("1250.00")),  # a comma file: the comma groups
    ("p.tsv", "code\ttitle\tamount\nP-1\tT\t1,250.5\n", Decimal("1250.50")),
])
def test_thousands_comma_where_the_file_says_so(world, tmp_path, name, text, stored):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    import_file(world, "projects", path)
    assert Decimal(str(_stored(world, "P-1", "amount")[0])).quantize(Decimal("0.01")) == stored


def test_single_comma_group_is_ambiguous_outside_comma_files(world, tmp_path):
    _refused(world, tmp_path, "p.tsv", "code\ttitle\tamount", "P-1\tT\t45,000",
             ["p.tsv:2 [amount]: expected a number without ambiguity: 45,000 reads as 45000 or as 45.000; "
              "write one of them (got '45,000')"])


def test_coordinates_are_rounded_to_the_column_on_both_backends(world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("code,title,latitude,longitude\nP-1,T,43.238949123,76.8897125\n", encoding="utf-8")
    import_file(world, "projects", path)
    latitude, longitude = _stored(world, "P-1", "latitude", "longitude")
    assert (Decimal(str(latitude)), Decimal(str(longitude))) == (Decimal("43.238949"), Decimal("76.889713"))


def test_withdrawn_currency_is_accepted_in_any_case(world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("code,title,amount,currency,amount_year\nP-1,T,5,ghc,2004\nP-2,T,5,Zwd,2005\n", encoding="utf-8")
    import_file(world, "projects", path)
    assert _stored(world, "P-1", "currency") == ("GHC",)
    assert _stored(world, "P-2", "currency") == ("ZWD",)


def test_currency_withdrawn_lately_is_accepted_whatever_the_installed_pycountry(world, tmp_path):
    """The lev (BGN) of a 2010 loan stays a currency after Bulgaria took the euro: pycountry 26 no longer lists it."""
    path = tmp_path / "p.csv"
    path.write_text("code,title,amount,currency,amount_year\nP-1,T,5,BGN,2010\nP-2,T,5,HRK,2015\n", encoding="utf-8")
    report = import_file(world, "projects", path)
    assert (report.inserted, report.rejected) == (2, 0)
    assert _stored(world, "P-1", "currency") == ("BGN",)
    assert _stored(world, "P-2", "currency") == ("HRK",)


def test_codes_differing_in_case_or_invisibles_are_one_record(world, tmp_path):
    for number, code in enumerate(["sa-case-1", "SA-CASE-1", "SA-CASE-1\u200b", "\ufeffＳＡ-case-1\u00ad"]):
        path = tmp_path / f"p{number}.csv"
        path.write_text(f"code,title\n{code},Same project\n", encoding="utf-8")
        report = import_file(world, "projects", path)
        assert (report.inserted, report.unchanged) == ((1, 0) if number == 0 else (0, 1))
    with world.connect() as conn:
        assert conn.execute(select(T["projects"].c.code)).scalars().all() == ["SA-CASE-1"]


def test_references_by_code_are_normalised_too(world, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("code,title,links\nkz-a,A,\nkz-b,B,parent:kz-a\u200b\n", encoding="utf-8")
    report = import_file(world, "projects", path)
    assert report.inserted == 2
    links = T["project_links"]
    with world.connect() as conn:
        assert conn.execute(select(links.c.kind)).scalars().all() == ["parent"]


def test_a_long_value_is_cut_in_messages_and_in_import_rejects(world, tmp_path):
    huge = "y" * 50_000_000
    path = tmp_path / "p.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for record in ({"code": "P-1", "title": huge}, {"code": "P-2", "title": "fine"}):
            fh.write(json.dumps(record) + "\n")
    report = import_file(world, "projects", path, allow_rejects=True)
    cut = f"{'y' * 200}… (50,000,000 characters)"
    assert [str(p) for p in report.problems] == [
        f"p.jsonl:1 [title]: expected at most 500 characters, not 50,000,000 (got '{cut}')"]
    with world.connect() as conn:
        assert conn.execute(select(T["import_rejects"].c.value)).scalars().all() == [cut]
    assert (tmp_path / "p.rejects.csv").stat().st_size < 1000


def test_migration_0004_gives_stored_codes_their_one_spelling(empty_url):
    from sqlalchemy import insert

    from db import migrate
    from db.engine import make_engine

    engine = make_engine(empty_url)
    try:
        migrate.upgrade(engine, "0003")
        projects = T["projects"]
        with engine.begin() as conn:
            for code in ["sa-case-1", "kz-\u200bwind", "Dup-1", "DUP-1", "twin-a", "Twin-A", "OK-1"]:
                conn.execute(insert(projects).values(code=code, title=code))
        migrate.upgrade(engine)
        with engine.connect() as conn:
            codes = conn.execute(select(projects.c.code).order_by(projects.c.id)).scalars().all()
        # rows whose spelling another row has or shares stay as they were, to merge by hand
        assert codes == ["SA-CASE-1", "KZ-WIND", "Dup-1", "DUP-1", "twin-a", "Twin-A", "OK-1"]
    finally:
        engine.dispose()
