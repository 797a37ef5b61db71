"""Benchmark: what the database alone costs for what an import of projects writes, schema by schema.

    .venv/bin/python bench/schema_floor.py --rows 200000 [--backend sqlite|postgresql|both]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The "schema floor" of bench/import_projects.py (each generated row written as a project, its two
project_countries and its citation of the file, by plain `executemany` / `COPY` in one transaction, no
validation), next to the raw baseline (the same rows into one unindexed table), for variants of the
schema that show where the database's time goes:
  SQLite: as migrated (head); the vocabulary CHECKs as `IN` lists (revision 0002); foreign keys off.
  PostgreSQL: as migrated (run ids without foreign keys since migration 0014); with the foreign keys of
  created_run_id/updated_run_id/last_seen_run_id as before 0014; no foreign key checked at all
  (session_replication_role = replica).
The variants are measurements, not options.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import import_projects as bench

VARIANTS = {
    "sqlite": [("head", "as migrated"), ("in-lists", "vocabulary CHECKs as IN lists (0002)"),
               ("no-fk", "foreign keys off")],
    "postgresql": [("head", "as migrated"), ("run-fk", "with the run-id foreign keys (before 0014)"),
                   ("no-fk", "no foreign key checked")],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("COOPDB_TEST_PG_URL",
                                                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="coopdb-floor-"))
    csv_path = work / "projects.csv"
    bench.generate(csv_path, args.rows)
    print(f"{args.rows:,} rows, {csv_path.stat().st_size / 1e6:.0f} MB CSV")
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        print(f"\n{backend}")
        if backend == "sqlite":
            raw = bench.in_subprocess("raw_sqlite", str(csv_path))
            raw_name = "sqlite3.executemany"
        else:
            raw = bench.in_subprocess("raw_copy", args.pg_url, str(csv_path))
            raw_name = "raw COPY"
        raw_rate = args.rows / raw["seconds"]
        print(f"  {raw_name + ' (one unindexed table)':<52} {raw_rate:>10,.0f} rows/s")
        for variant, label in VARIANTS[backend]:
            if backend == "sqlite":
                result = bench.in_subprocess("floor_sqlite", str(csv_path), variant)
            else:
                with bench.scratch_database(args.pg_url) as url:
                    result = bench.in_subprocess("floor_copy", url, str(csv_path), variant)
            rate = args.rows / result["seconds"]
            print(f"  {'schema floor, ' + label:<52} {rate:>10,.0f} rows/s  {rate / raw_rate:.3f} of {raw_name}")
    csv_path.unlink()


if __name__ == "__main__":
    main()
