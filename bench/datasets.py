"""Benchmark: AidData v1.0, COW IGO v3 and a GCDF 3.0-sized workbook, imported on SQLite and PostgreSQL.

    .venv/bin/python bench/datasets.py [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--repeat N]
        [--gcdf3-rows 20985]

Each measurement runs in a fresh process (so peak memory is that import's own): first the raw read of
the file alone (rows parsed in the process, nothing written) as the baseline, then the import into a new database
holding the country reference, then (AidData) the import into a database that already holds COW IGO, whose
country pairs an import must not count again. The GCDF 3.0 release itself is not in ../shared/data: a workbook
of its shape (126 columns, 20,985 rows of made-up values, bench/synthetic_gcdf3.py) is written into a
temporary folder first (--gcdf3-rows 0 leaves it out). With --repeat N each measurement runs N times and the
median is shown (wall seconds of the same code vary by up to 20 % from run to run on a 2-core machine), with
the range of the N runs. Prints seconds (wall and CPU), the ratios to the raw read
(wall and CPU), rows/s and peak resident memory (ru_maxrss). CPU seconds and memory include the process that
reads a workbook beside the import (`read_rows(read_ahead=...)`): wall seconds show what reading ahead
saves, CPU seconds that it costs no less work.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"
AIDDATA = DATA / "aiddata-gcdf-v1" / "GlobalChineseOfficialFinanceDataset_v1.0.xlsx"
COW = DATA / "cow-igo-v3" / "igo_year_formatv3.csv"


def _measure(queue, kind: str, path: str, url: str | None) -> None:
    from importers.dataset_rows import read_rows

    started, cpu = time.perf_counter(), _cpu()
    if kind == "read":
        _header, rows = read_rows(path, read_ahead=False)
        count = sum(1 for _ in rows)
    else:
        from db import migrate
        from db.engine import make_engine
        from importers.aiddata import import_aiddata
        from importers.countries import import_countries
        from importers.cow_igo import import_cow_igo

        engine = make_engine(url)
        migrate.upgrade(engine)
        import_countries(engine)
        if kind == "aiddata-after-cow":
            import_cow_igo(engine, COW)
        started, cpu = time.perf_counter(), _cpu()
        report = import_cow_igo(engine, path) if kind == "cow" else \
            import_aiddata(engine, path, subset=kind == "gcdf3")  # made up: any number of rows
        count = report.read
        engine.dispose()
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    # the reading process of a workbook runs beside the import: its memory is in use at the same time
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    queue.put({"rows": count, "seconds": seconds, "cpu": cpu, "peak_mb": peak / 1024})


def _cpu() -> float:
    """CPU seconds of this process and of the processes it waited for (an import's reading process)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure_once(kind: str, path: Path, url: str | None = None) -> dict:
    queue = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=_measure, args=(queue, kind, str(path), url))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def measure(kind: str, path: Path, url: str | None = None, repeat: int = 1, fresh=None) -> dict:
    """The median of `repeat` runs (by wall seconds), with the range of their seconds; `fresh()` gives a new
    database URL for each run (else `url`)."""
    runs = sorted((measure_once(kind, path, fresh() if fresh else url) for _ in range(repeat)),
                  key=lambda r: r["seconds"])
    median = dict(runs[len(runs) // 2])
    median["range"] = (runs[0]["seconds"], runs[-1]["seconds"])
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="admin URL of a PostgreSQL server (a scratch database is created and dropped); "
                        "'' to skip PostgreSQL")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the median is shown")
    parser.add_argument("--gcdf3-rows", type=int, default=20985,
                        help="rows of the GCDF 3.0-sized workbook written for the run (0: left out)")
    args = parser.parse_args()
    if not AIDDATA.is_file() or not COW.is_file():
        sys.exit(f"the real data sets are not in {DATA}")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        files = [("AidData v1.0 .xlsx", AIDDATA, (("aiddata", ""), ("aiddata-after-cow", ", after COW"))),
                 ("COW IGO v3 .csv", COW, (("cow", ""),))]
        if args.gcdf3_rows:  # written by a process of its own: the memory it takes is not in this one's peak
            gcdf3 = Path(tmp) / "gcdf3.xlsx"
            subprocess.run([sys.executable, str(ROOT / "bench" / "synthetic_gcdf3.py"), str(gcdf3), "--rows",
                            str(args.gcdf3_rows)], check=True, stdout=subprocess.DEVNULL)
            files.append(("GCDF 3.0-sized .xlsx", gcdf3, (("gcdf3", ""),)))
        counter = iter(range(10**6))
        for name, path, runs in files:
            rows.append((name, "raw read (baseline)", measure("read", path, repeat=args.repeat)))
            for kind, label in runs:
                rows.append((name, f"sqlite{label}", measure(
                    kind, path, repeat=args.repeat, fresh=lambda kind=kind: f"sqlite:///{tmp}/{kind}{next(counter)}.sqlite")))
                if args.pg:
                    admin = create_engine(make_url(args.pg), isolation_level="AUTOCOMMIT")
                    made: list[str] = []

                    def fresh_pg(admin=admin, made=made) -> str:
                        db = f"coopdb_bench_{uuid.uuid4().hex[:8]}"
                        with admin.connect() as conn:
                            conn.execute(text(f'CREATE DATABASE "{db}"'))
                        made.append(db)
                        return make_url(args.pg).set(database=db).render_as_string(hide_password=False)

                    try:
                        rows.append((name, f"postgresql{label}", measure(kind, path, repeat=args.repeat,
                                                                         fresh=fresh_pg)))
                    finally:
                        with admin.connect() as conn:
                            for db in made:
                                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
                        admin.dispose()
    print(f"{'file':<20} {'run':<24} {'rows':>7} {'seconds':>8} {'CPU s':>6} {'x read':>6} {'x CPU':>6} {'rows/s':>8} "
          f"{'peak MB':>8}" + (f"  {'range s':>13}" if args.repeat > 1 else ""))
    baseline: dict[str, dict] = {}
    for name, run, r in rows:
        base = baseline.setdefault(name, r)  # the raw read comes first for each file
        print(f"{name:<20} {run:<24} {r['rows']:>7} {r['seconds']:>8.2f} {r['cpu']:>6.2f} "
              f"{r['seconds'] / base['seconds']:>6.2f} {r['cpu'] / base['cpu']:>6.2f} "
              f"{r['rows'] / r['seconds']:>8.0f} {r['peak_mb']:>8.0f}"
              + (f"  {r['range'][0]:>6.2f}-{r['range'][1]:<6.2f}" if args.repeat > 1 else ""))
    print("x read: seconds of the run / seconds of the raw read of the same file; x CPU: the same in CPU seconds of "
          "the process and its reading process (on a shared machine, wall seconds also count waiting for the other "
          "processes; on PostgreSQL the server's own CPU is not in the process's).")


if __name__ == "__main__":
    main()
