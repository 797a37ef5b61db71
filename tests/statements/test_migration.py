"""Migration 0007: a database of the schema before statements, upgraded, keeps every current value, and
imports on it then behave as on a database that always had statements (both backends)."""

from __future__ import annotations

from sqlalchemy import select, text

from db import migrate
from db.models import Base
from importers.files import import_file
from importers.yaml_bundle import import_bundle
from tests.pipeline.conftest import world  # noqa: F401  (fixture)
from tests.statements.test_precedence import RELEASES

T = Base.metadata.tables
SKIP = {"statements", "import_runs", "import_rejects"}


def dump(engine) -> dict[str, list[tuple]]:
    """Every data table as sorted tuples of its values, bookkeeping columns left out."""
    tables = {}
    with engine.connect() as conn:
        for name, table in T.items():
            if name in SKIP:
                continue
            columns = [c for c in table.c if c.name not in ("created_at", "updated_at", "created_run_id",
                                                                "updated_run_id", "priority")]
            if name == "country_pair_totals":  # derived: rebuilt (new ids) by migration 0008 and imports
                columns = [c for c in columns if c.name != "id"]
            query = select(*columns)
            if name == "sources":  # the fallback source that migration 0007 adds
                query = query.where(table.c.key != "coopdb:before-statements")
            tables[name] = sorted((tuple(r) for r in conn.execute(query)), key=repr)
    return tables


def test_upgrade_keeps_current_values_and_later_imports_settle(world, tmp_path):  # noqa: F811
    files = []
    for name in ("r2017", "r2021"):
        path = tmp_path / f"{name}.yml"
        path.write_text(RELEASES[name], encoding="utf-8")
        files.append(path)
        import_bundle(world, path)
    flat = tmp_path / "extra.csv"
    flat.write_text("code,title,sector,participants\nP-8,Tunnel,transport,host:Russia\n")
    import_file(world, "projects", flat)
    before = dump(world)

    migrate.downgrade(world, "0006")
    with world.begin() as conn:  # input files were sources keyed by their hash before 0007
        conn.execute(text("UPDATE sources SET key = 'file:sha256:' || content_hash WHERE key LIKE 'file:%'"))
    migrate.upgrade(world)

    assert dump(world) == before
    with world.connect() as conn:
        by_type = dict(conn.execute(text("SELECT record_type, COUNT(*) FROM statements GROUP BY record_type")).all())
        keys = {r[0] for r in conn.execute(text("SELECT key FROM sources"))}
    assert by_type == {"project": 4}  # one statement per record, of the fallback source
    assert {"file:extra.csv", "coopdb:before-statements"} <= keys

    # Re-importing the sources rebuilds their statements: the older release first wins over the fallback
    # (P-1's title goes back to 2017 for a while), the newer one then wins over it again.
    assert import_bundle(world, files[0]).updated == 1
    assert import_bundle(world, files[1]).updated == 1
    report = import_file(world, "projects", flat)
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 1)
    assert dump(world) == before
    for path in files:  # and from now on every re-import settles
        report = import_bundle(world, path)
        assert (report.inserted, report.updated) == (0, 0), path.name
