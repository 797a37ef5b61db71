"""`coopdb import countries` on SQLite and PostgreSQL: counts, idempotence, dry run, quickstart."""

from __future__ import annotations

from sqlalchemy import func, select

from db.models import Country, CountryCode, CountryName, ImportRun
from importers.countries import build_reference, import_countries
from importers.normalize import fold
from tests.conftest import url_text


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def test_import_twice_changes_nothing_the_second_time(engine):
    ref = build_reference()
    first = import_countries(engine)
    assert first.status == "succeeded"
    # headline counts are countries; names and codes are in the details
    assert first.read == first.inserted == len(ref.countries)
    assert first.details["country_names"]["inserted"] == len(ref.names)
    assert first.details["country_codes"]["inserted"] == len(ref.codes)
    assert (first.updated, first.rejected) == (0, 0)
    second = import_countries(engine)
    assert (second.inserted, second.updated) == (0, 0)
    assert second.unchanged == first.inserted
    assert _count(engine, Country) == len(ref.countries)
    assert _count(engine, CountryName) == len(ref.names)
    assert _count(engine, CountryCode) == len(ref.codes)
    with engine.connect() as conn:
        runs = conn.execute(select(ImportRun.importer, ImportRun.rows_inserted, ImportRun.rows_updated)
                            .order_by(ImportRun.id)).all()
    assert [tuple(r) for r in runs] == [("countries", first.inserted, 0), ("countries", 0, 0)]


def test_a_changed_value_is_one_update(engine):
    import_countries(engine)
    with engine.begin() as conn:
        conn.execute(Country.__table__.update().where(Country.code == "KAZ").values(name="Kazakstan"))
    again = import_countries(engine)
    assert (again.inserted, again.updated) == (0, 1)
    assert again.details["countries"]["updated"] == 1


def test_dry_run_writes_nothing(engine):
    report = import_countries(engine, dry_run=True)
    assert report.status == "dry_run" and report.inserted > 0
    assert _count(engine, Country) == 0
    assert _count(engine, ImportRun) == 0


def test_normalized_is_fold_of_name(engine):
    import_countries(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(CountryName.name, CountryName.normalized)).all()
    assert rows and all(normalized == fold(name) for name, normalized in rows)


def test_reference_content(engine):
    import_countries(engine)
    with engine.connect() as conn:
        kaz = conn.execute(select(Country.__table__).where(Country.code == "KAZ")).one()
        assert (kaz.alpha2, kaz.numeric, kaz.region, kaz.subregion, kaz.kind) == (
            "KZ", "398", "Asia", "Central Asia", "sovereign")
        sun = conn.execute(select(Country.__table__).where(Country.code == "SUN")).one()
        assert (sun.kind, sun.alpha3, str(sun.valid_to)) == ("former", None, "1992-08-30")
        xkx = conn.execute(select(Country.__table__).where(Country.code == "XKX")).one()
        assert (xkx.alpha2, xkx.kind, xkx.region) == ("XK", "other", "Europe")
        langs = set(conn.execute(select(CountryName.lang).where(CountryName.country_id == kaz.id)).scalars())
    assert {"en", "id", "ms", "ru", "kk", "zh", "ar", "fr", "es", "de", "pt", "tr", "ja", "ko", "fa", "uz",
            "hi"} <= langs


def test_cli_import_and_quickstart(cli, db_url):
    run = cli("import", "countries", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith("countries: done: read ")
    run = cli("quickstart", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert "countries" in run.stdout
    run = cli("import", "countries", "--json", "-d", url_text(db_url))
    import json

    data = json.loads(run.stdout)
    assert (data["inserted"], data["updated"]) == (0, 0)


def test_former_states_have_a_successor_for_maps():
    from importers.countries import build_reference

    successors = {c["code"]: c["country"] for c in build_reference().codes if c["scheme"] == "successor_of"}
    assert {k: successors[k] for k in ("SUN", "YUG", "CSK", "DDR", "BUR", "ZAR", "XBAV", "XOTT")} == {
        "SUN": "RUS", "YUG": "SRB", "CSK": "CZE", "DDR": "DEU", "BUR": "MMR", "ZAR": "COD", "XBAV": "DEU",
        "XOTT": "TUR"}
    assert "XKX" not in successors  # Kosovo has codes of its own
