"""Benchmark the BI views at AidData scale on SQLite and PostgreSQL, side by side: `country_pairs` for one
country (from its table) next to the same answer computed on the fly as before migration 0008, the rebuild
that every import runs, and the views that `coopdb serve` pages through.

    .venv/bin/python bench/bench_bi.py [--projects 21000] [--forums 530] [--pg-admin-url URL]

The data is generated: 250 countries, --projects projects financed by one country with one recipient
(3 in 100 have 2 to 16), --forums forums with 3 to 190 members each (about the size of AidData 3.0 and the
COW IGO data set together), 500 agreements. PostgreSQL: a scratch database is created through the admin URL
(default postgresql://postgres@127.0.0.1:5432/postgres) and dropped afterwards. Prints milliseconds, the
median of --repeat runs, one column per database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from db import bi, migrate
from db.engine import make_engine
from db.models import Base

T = Base.metadata.tables
FROZEN = Path(__file__).resolve().parents[1] / "migrations" / "frozen" / "bi_views_0002.json"


def fill(engine, projects: int, forums: int) -> None:
    rnd = random.Random(16)
    letters = [a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    letters = [two for two in letters if two not in ("CN", "KZ")]
    codes = [("CHN", "CN"), ("KAZ", "KZ")] + [("Q" + two, two) for two in letters[:248]]
    with engine.begin() as conn:
        conn.execute(insert(T["countries"]), [
            {"code": c, "alpha2": a2, "alpha3": c, "name": c, "kind": "sovereign"} for c, a2 in codes])
        conn.execute(insert(T["projects"]), [
            {"code": f"P-{i}", "title": f"Project {i}", "committed_on": dt.date(2000 + i % 22, 1, 1),
             "committed_precision": "year", "amount": Decimal(rnd.randint(1, 10**9)) / 100, "currency": "USD",
             "amount_usd_nominal": Decimal(rnd.randint(1, 10**11)) / 100} for i in range(projects)])
        links = []
        for p in range(1, projects + 1):
            links.append({"project_id": p, "country_id": 1, "role": "financier"})
            n = rnd.randint(2, 16) if rnd.random() < 0.03 else 1
            for c in rnd.sample(range(2, 251), n):
                links.append({"project_id": p, "country_id": c, "role": "recipient"})
        conn.execute(insert(T["project_countries"]), links)
        conn.execute(insert(T["forums"]), [{"code": f"F{i}", "name": f"Forum {i}", "kind": "other"}
                                            for i in range(forums)])
        spans = []
        for f in range(1, forums + 1):
            for c in rnd.sample(range(1, 251), rnd.choice([3, 5, 10, 20, 40, 80, 120, 190])):
                start = rnd.randint(1816, 2010)
                spans.append({"forum_id": f, "country_id": c, "role": "member",
                              "started_on": dt.date(start, 1, 1), "started_precision": "year"})
                if rnd.random() < 0.1:
                    spans.append({"forum_id": f, "country_id": c, "role": "observer",
                                  "started_on": dt.date(start - 5, 1, 1), "started_precision": "year"})
        conn.execute(insert(T["memberships"]), spans)
        conn.execute(insert(T["agreements"]), [
            {"code": f"A{i}", "title": f"Agreement {i}", "kind": "treaty", "signed_on": dt.date(1990 + i % 30, 1, 1),
             "signed_precision": "year"} for i in range(500)])
        conn.execute(insert(T["agreement_parties"]), [
            {"agreement_id": a, "country_id": c, "role": "party"}
            for a in range(1, 501) for c in rnd.sample(range(1, 251), rnd.choice([2, 2, 3, 10]))])


def timed(engine, sql: str, repeat: int) -> float:
    times = []
    with engine.connect() as conn:
        for _ in range(repeat):
            start = time.perf_counter()
            conn.exec_driver_sql(sql).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def queries(dialect: str) -> dict[str, str]:
    name = lambda v: bi.qualified_name(v, dialect)  # noqa: E731
    old = next(s for s in json.loads(FROZEN.read_text())[dialect]["create"] if "country_pairs AS" in s)
    old_select = old.split(" AS\n", 1)[1]
    return {
        "country_pairs, one country (KAZ)": f"SELECT * FROM {name('country_pairs')} WHERE country_code = 'KAZ'",
        "  same, computed on the fly (0007)": f"SELECT * FROM ({old_select}) AS p WHERE country_code = 'KAZ'",
        "country_pairs, count(*)": f"SELECT COUNT(*) FROM {name('country_pairs')}",
        "  same, computed on the fly (0007) ": f"SELECT COUNT(*) FROM ({old_select}) AS p",
        "projects_by_country, one country": f"SELECT * FROM {name('projects_by_country')} WHERE country_code = 'KAZ'",
        "projects_by_country, first 101 rows": f"SELECT * FROM {name('projects_by_country')} LIMIT 101",
        "projects_by_country, count(*)": f"SELECT COUNT(*) FROM {name('projects_by_country')}",
        "projects, yearly totals": f"SELECT year, SUM(amount_usd_nominal) FROM {name('projects')} GROUP BY year",
        "countries, count(*)": f"SELECT COUNT(*) FROM {name('countries')}",
        "membership_spans, count(*)": f"SELECT COUNT(*) FROM {name('membership_spans')}",
        "dates, count(*)": f"SELECT COUNT(*) FROM {name('dates')}",
    }


def run(engine, args) -> dict[str, float]:
    migrate.upgrade(engine)
    fill(engine, args.projects, args.forums)
    results = {}
    start = time.perf_counter()
    with engine.begin() as conn:
        results["pairs"] = bi.refresh_country_pairs(conn)
    results["rebuild (each import, bi refresh)"] = (time.perf_counter() - start) * 1000
    for label, sql in queries(engine.dialect.name).items():
        repeat = 1 if "on the fly" in label else args.repeat
        results[label] = timed(engine, sql, repeat)
    return results


def serve_pages(path: Path, repeat: int) -> dict[str, float]:
    """ms to render each view's first page in `coopdb serve` (Datasette in process, under its time limit)."""
    import asyncio

    from db import serve

    app = serve.make_app(path)
    pages = {}

    async def fetch(url: str) -> float:
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = await app.client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200 or "SQL query took too long" in response.text:
                raise SystemExit(f"{url}: HTTP {response.status_code}, over the time limit")
        return statistics.median(times)

    async def all_pages() -> None:
        for view in bi.catalog():
            pages[f"serve: {view}"] = await fetch(f"/{path.stem}/{bi.qualified_name(view, 'sqlite')}")
        pages["serve: projects_by_country, KAZ"] = await fetch(f"/{path.stem}/bi_projects_by_country?country_code=KAZ")
        pages["serve: yearly_totals query"] = await fetch(f"/{path.stem}/yearly_totals")

    asyncio.run(all_pages())
    return pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=21_000)
    parser.add_argument("--forums", type=int, default=530)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    columns = {}
    work = Path(tempfile.mkdtemp(prefix="coopdb-bench-bi-"))
    engine = make_engine(f"sqlite:///{work / 'bench.sqlite'}")
    columns["SQLite"] = run(engine, args)
    engine.dispose()
    try:
        pages = serve_pages(work / "bench.sqlite", args.repeat)
    except ImportError:
        pages = {}  # without the serve extra
    admin_url = make_url(args.pg_admin_url)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"coopdb_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        engine = make_engine(admin_url.set(database=name))
        columns["PostgreSQL"] = run(engine, args)
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    sqlite, pg = columns["SQLite"], columns["PostgreSQL"]
    with make_engine(f"sqlite:///{work / 'bench.sqlite'}").connect() as conn:
        sizes = {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar() for t in
                 ("projects", "project_countries", "memberships", "agreement_parties")}
    print(", ".join(f"{t} {n:,}" for t, n in sizes.items()) + f"; {sqlite['pairs']:,} country pairs")
    print(f"{'ms (median of ' + str(args.repeat) + '; on the fly: 1 run)':<40} {'SQLite':>10} {'PostgreSQL':>11}")
    for label in sqlite:
        if label != "pairs":
            print(f"{label:<40} {sqlite[label]:>10,.1f} {pg[label]:>11,.1f}")
    for label, ms in pages.items():
        print(f"{label:<40} {ms:>10,.1f} {'-':>11}")


if __name__ == "__main__":
    main()
