"""Benchmark `coopdb export` (projects_by_country, CSV and Parquet) on a generated SQLite or PostgreSQL
database, next to a raw baseline in the same run: the driver's cursor reading the same view into csv.writer.

    .venv/bin/python bench/bench_export.py [--projects 100000] [--database-url URL]

Prints rows/s and peak Python memory (tracemalloc, measured in a second run) for each. Without
--database-url a temporary SQLite file is used; a PostgreSQL URL must name an empty database that the
benchmark may fill.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from db import bi, export, migrate
from db.engine import make_engine
from db.models import Base

T = Base.metadata.tables


def fill(engine, projects: int) -> None:
    with engine.begin() as conn:
        conn.execute(insert(T["countries"]), [
            {"code": c, "alpha2": c[:2], "alpha3": c, "name": c, "kind": "sovereign"} for c in ("CHN", "KAZ")])
        conn.execute(insert(T["projects"]), [
            {"code": f"P-{i}", "title": f"Project {i}", "sector": "ENERGY", "status": "operational",
             "committed_on": dt.date(2000 + i % 25, 1 + i % 12, 1), "committed_precision": "day",
             "amount": Decimal(i) * 1000, "currency": "USD", "amount_usd_nominal": Decimal(i) * 1000,
             "capacity": Decimal(i % 500), "capacity_unit": "MW", "latitude": Decimal("43.5"),
             "longitude": Decimal("69.7")} for i in range(projects)])
        conn.execute(insert(T["project_countries"]), [
            {"project_id": p, "country_id": c, "role": "host" if c == 2 else "financier"}
            for p in range(1, projects + 1) for c in (1, 2)])


def measure(label: str, fn) -> None:
    """Timed once as is, then run again under tracemalloc (which slows it) for the peak memory."""
    start = time.perf_counter()
    rows = fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{label:<28} {rows:>9,} rows  {rows / seconds:>10,.0f} rows/s  peak {peak / 2**20:6.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="coopdb-bench-"))
    engine = make_engine(args.database_url or f"sqlite:///{work / 'bench.sqlite'}")
    migrate.upgrade(engine)
    fill(engine, args.projects)
    print(f"{engine.dialect.name}, {args.projects:,} projects x 2 countries")

    def raw() -> int:
        sql = f"SELECT * FROM {bi.qualified_name('projects_by_country', engine.dialect.name)}"
        raw_conn = engine.raw_connection()
        try:
            cursor = raw_conn.driver_connection.cursor(**({"name": "bench"} if engine.dialect.name != "sqlite"
                                                          else {}))
            cursor.execute(sql)
            count = 0
            with (work / "raw.csv").open("w", newline="") as handle:
                writer = csv.writer(handle)
                while batch := cursor.fetchmany(10_000):
                    writer.writerows(batch)
                    count += len(batch)
            return count
        finally:
            raw_conn.close()

    measure("raw cursor -> csv.writer", raw)
    for fmt in ("csv", "parquet"):
        measure(f"coopdb export --format {fmt}",
                lambda fmt=fmt: export.export_view(engine, "projects_by_country", fmt, work).rows)


if __name__ == "__main__":
    main()
