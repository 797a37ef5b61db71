"""Benchmark: `coopdb import projects` on N generated rows, next to raw loading of the same rows.

    .venv/bin/python bench/import_projects.py --rows 100000 [--backend sqlite|postgresql|both]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--dlt-path DIR]

Generates a CSV of N projects (13 columns, two countries as participants per row), then measures,
each in its own subprocess so that peak memory (RSS) is clean:
  first import, unchanged re-import, a second source overlapping half of the projects (new titles and
  amounts, as many new projects) (the pipeline: read, validate, resolve, write statements, derive, cite);
  peer: dlt loading the same rows (participants as a nested child table, merge on code), when installed;
  baseline: PostgreSQL raw `COPY` (psycopg copy) of the same rows into a plain 13-column table /
  SQLite `sqlite3.executemany` of the same rows (parsed by csv.reader) in one transaction;
  schema floor: the same rows written into coopdb's own tables (a project, its two project_countries,
  its citation of the file and its statement: values and participants as JSON; with their keys,
  indexes, CHECKs and foreign keys) by plain `COPY` / `executemany` in one transaction, ids counted in
  Python, countries by a dict, no validation: what the database alone costs for what an import writes.
Prints rows/s, peak RSS, CPU seconds (the process; on PostgreSQL also the server backends of the scratch
database) and the ratio to both, for each import the RSS reached at each tenth of the file, now and peak so
far (a check that memory does not grow with the number of rows), and at the end one table with both
backends side by side and the load average before and after.

dlt is no dependency of coopdb: install it into the venv (`pip install 'dlt[postgres,sqlalchemy]'`) or
into a directory of its own (`pip install --target DIR ...`) and pass `--dlt-path DIR`, which only the
dlt subprocess adds to its import path (after the venv's packages).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADER = ["code", "title", "sector", "status", "committed_on", "amount", "currency", "amount_year",
          "capacity", "capacity_unit", "location_name", "participants", "description"]
COUNTRIES = [("CHN", "CN", "China"), ("KAZ", "KZ", "Kazakhstan"), ("RUS", "RU", "Russia"),
             ("UZB", "UZ", "Uzbekistan"), ("KGZ", "KG", "Kyrgyzstan"), ("PAK", "PK", "Pakistan")]
STATUSES = ["pledged", "agreed", "under_construction", "completed", "operational"]


def generate(path: Path, n: int) -> None:
    rng = random.Random(7)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(n):
            host = COUNTRIES[1 + i % 5]
            w.writerow([f"BENCH-{i:08d}", f"Project {i} in {host[2]}", rng.choice(["energy", "transport", "water"]),
                        rng.choice(STATUSES), f"{2000 + i % 24}-{1 + i % 12:02d}", f"{rng.randint(1, 10**9)}.50",
                        "USD", 2000 + i % 24, rng.randint(1, 900), "MW", f"Site {i % 977}",
                        f"host:{host[2]}|financier:China", f"Generated project number {i}"])


def generate_overlap(path: Path, n: int) -> None:
    """A second source: the first half of the projects again with a new title and amount, then as many new."""
    rng = random.Random(11)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for j in range(n):
            i = j if j < n // 2 else n + j
            host = COUNTRIES[1 + i % 5]
            w.writerow([f"BENCH-{i:08d}", f"Project {i} in {host[2]} (second source)",
                        rng.choice(["energy", "transport", "water"]), rng.choice(STATUSES),
                        f"{2000 + i % 24}-{1 + i % 12:02d}", f"{rng.randint(1, 10**9)}.25", "USD", 2000 + i % 24,
                        rng.randint(1, 900), "MW", f"Site {i % 977}", f"host:{host[2]}|financier:China",
                        f"Generated project number {i}"])


def child_dlt(destination: str, credentials: str, path: str, dlt_path: str = "") -> dict:
    """The peer a user would pick: dlt loading the same rows, participants as a nested child table
    (`projects__participants`), merged on `code` (its upsert), into the same database engine."""
    if dlt_path:
        sys.path.append(dlt_path)
    import dlt

    def rows():
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                cells = row.pop("participants")
                row["participants"] = [dict(zip(("role", "country"), c.split(":", 1), strict=True))
                                       for c in cells.split("|") if c]
                yield row

    resource = dlt.resource(rows(), name="projects", write_disposition="merge", primary_key="code")
    if destination == "sqlalchemy":
        dest = dlt.destinations.sqlalchemy(credentials)
    else:
        from sqlalchemy.engine import make_url

        url = make_url(credentials)
        if url.password is None:  # dlt insists on a password; a server with trust auth ignores it
            url = url.set(password="unused")
        dest = dlt.destinations.postgres(url.render_as_string(hide_password=False))
    pipeline = dlt.pipeline(pipeline_name=f"bench_{uuid.uuid4().hex[:8]}", destination=dest,
                            dataset_name="bench", pipelines_dir=str(Path(path).parent / "dlt"))
    with ServerCpu(credentials) as server:
        cpu0 = cpu_seconds()
        started = time.perf_counter()
        pipeline.run(resource)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "cpu": cpu_seconds() - cpu0, "server_cpu": server.seconds}


def prepare(url: str) -> None:
    from sqlalchemy import insert

    from db import migrate
    from db.engine import make_engine
    from db.models import Base
    from importers.normalize import fold

    engine = make_engine(url)
    migrate.upgrade(engine)
    t = Base.metadata.tables
    with engine.begin() as conn:
        for code, a2, name in COUNTRIES:
            cid = conn.execute(insert(t["countries"]).values(code=code, alpha2=a2, alpha3=code, name=name,
                                                             kind="sovereign").returning(t["countries"].c.id)).scalar()
            conn.execute(insert(t["country_names"]).values(country_id=cid, lang="en", name=name, kind="common",
                                                           normalized=fold(name)))
    engine.dispose()


def peak_mb() -> float:
    """Peak resident memory of this process, plus that of the process that read the file beside the import
    (importers/read_ahead.py), which ran at the same time."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process so far and of the processes it waited for (the reader of
    the file)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _backend_cpu(database: bytes) -> dict[int, float]:
    """pid -> CPU seconds (user + system) of the PostgreSQL backends connected to `database` now."""
    tick, found = os.sysconf("SC_CLK_TCK"), {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read()
            if not cmd.startswith(b"postgres: ") or database not in cmd:
                continue
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            found[int(pid)] = (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return found


class ServerCpu:
    """CPU seconds the PostgreSQL server spends for one database while a step runs, read from /proc (the
    server runs on this machine) every 0.2 s, so that a backend that exits before the end still counts
    (up to its last sample). Always 0 for SQLite.

        with ServerCpu(url) as server: ...;  server.seconds
    """

    def __init__(self, url: str) -> None:
        self.database = b" " + url.rsplit("/", 1)[1].split("?")[0].encode() + b" " \
            if url.startswith("postgres") else None
        self.seen: dict[int, float] = {}
        self.base: dict[int, float] = {}
        self.seconds = 0.0
        self._stop = threading.Event()

    def _sample(self) -> None:
        self.seen.update(_backend_cpu(self.database))

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def __enter__(self) -> ServerCpu:
        if self.database is not None:
            self.base = _backend_cpu(self.database)
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.database is not None:
            self._sample()
            self._stop.set()
            self._thread.join()
            self.seconds = sum(cpu - self.base.get(pid, 0.0) for pid, cpu in self.seen.items())


def rss_mb() -> float:
    """The resident set size now (Linux), for the checkpoints."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child_import(url: str, path: str, rows: str) -> dict:
    from db.engine import make_engine
    from importers.files import import_file

    engine = make_engine(url)
    step = max(1, int(rows) // 10)
    checkpoints: list[tuple[int, float, float]] = []

    def progress(position) -> None:  # importers.progress.Position
        if position.rows // step > len(checkpoints):
            checkpoints.append((position.rows, rss_mb(), peak_mb()))

    with ServerCpu(url) as server:
        cpu0 = cpu_seconds()
        start = time.perf_counter()
        report = import_file(engine, "projects", path, progress=progress)
        seconds = time.perf_counter() - start
        engine.dispose()
    return {"seconds": seconds, "cpu": cpu_seconds() - cpu0, "server_cpu": server.seconds, "read": report.read,
            "inserted": report.inserted, "updated": report.updated,
            "unchanged": report.unchanged, "rejected": report.rejected, "peak_mb": peak_mb(),
            "checkpoints": checkpoints}


def child_raw_sqlite(path: str) -> dict:
    db = Path(tempfile.mkdtemp()) / "raw.sqlite"
    conn = sqlite3.connect(db)
    conn.execute(f"CREATE TABLE raw ({', '.join(c + ' TEXT' for c in HEADER)})")
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        conn.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(HEADER))})", reader)
    conn.commit()
    seconds = time.perf_counter() - start
    conn.close()
    db.unlink()
    return {"seconds": seconds, "peak_mb": peak_mb(), "cpu": cpu_seconds() - cpu0}


def child_raw_copy(pg_admin: str, path: str) -> dict:
    import psycopg

    conninfo = pg_admin.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        conn.execute("CREATE TEMP TABLE raw (" + ", ".join(c + " text" for c in HEADER) + ")")
        server = ServerCpu(pg_admin).__enter__()
        cpu0 = cpu_seconds()
        start = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY raw FROM STDIN (FORMAT csv, HEADER true)") as copy, \
                open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - start
        server.__exit__()
    return {"seconds": seconds, "peak_mb": peak_mb(), "cpu": cpu_seconds() - cpu0, "server_cpu": server.seconds}


def _floor_setup(url: str) -> tuple[dict[str, int], int, int]:
    """A migrated database with the bench's countries, one import run and one file source."""
    from sqlalchemy import insert, select

    from db.base import utcnow
    from db.engine import make_engine
    from db.models import Base

    prepare(url)
    t = Base.metadata.tables
    engine = make_engine(url)
    with engine.begin() as conn:
        run_id = conn.execute(insert(t["import_runs"]).values(
            importer="floor", status="running", started_at=utcnow())
            .returning(t["import_runs"].c.id)).scalar()
        source_id = conn.execute(insert(t["sources"]).values(key="file:floor", kind="dataset")
                                 .returning(t["sources"].c.id)).scalar()
        countries = {name: cid for cid, name in conn.execute(select(t["countries"].c.id, t["countries"].c.name))}
    engine.dispose()
    return countries, run_id, source_id


PROJECT_FLOOR_COLUMNS = ["id", "code", "title", "sector", "status", "committed_on", "committed_precision",
                         "amount", "currency", "amount_year", "capacity", "capacity_unit", "location_name",
                         "description", "committed_estimated", "started_estimated", "completed_estimated",
                         "amount_estimated", "is_regional", "created_at", "updated_at", "created_run_id",
                         "updated_run_id"]


STATEMENT_COLUMNS = ("record_type, record_id, source_id, data, field_runs, locator, first_seen_at, last_seen_at, "
                     "last_seen_run_id, created_at, updated_at, created_run_id, updated_run_id")


def _floor_rows(path: str, countries: dict[str, int], run_id: int, source_id: int, now: str):
    """(project, [participants], citation, statement) tuples shaped from the CSV with no checking at all."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        for i, (code, title, sector, status, committed, amount, currency, year, capacity, unit, site,
                participants, description) in enumerate(reader, start=1):
            project = (i, code, title, sector, status, committed + "-01", "month", amount, currency, year,
                       capacity, unit, site, description, False, False, False, False, False, now, now,
                       run_id, run_id)
            parts = []
            for item in participants.split("|"):
                role, _, name = item.partition(":")
                parts.append((i, countries[name], role, now, now, run_id, run_id))
            # its statement: the values and the participants list as JSON, one row per record and source
            data = {"title": title, "sector": sector, "status": status, "committed_on": committed + "-01",
                    "committed_precision": "month", "amount": amount, "currency": currency,
                    "amount_year": int(year), "capacity": capacity, "capacity_unit": unit, "location_name": site,
                    "description": description,
                    "participants": [[countries[name], role] for role, _, name in
                                     (item.partition(":") for item in participants.split("|"))]}
            runs = dict.fromkeys(data, run_id)
            statement = ("project", i, source_id, json.dumps(data, sort_keys=True), json.dumps(runs, sort_keys=True),
                         f"line {i + 1}", now, now, run_id, now, now, run_id, run_id)
            yield project, parts, (source_id, "project", i, "*", f"line {i + 1}", now, now, run_id, run_id), statement


def child_floor_sqlite(path: str, variant: str = "head") -> dict:
    """variant (bench/schema_floor.py): head; in-lists (the schema of revision 0002, vocabulary CHECKs
    as IN lists); no-fk (foreign keys off)."""
    db = Path(tempfile.mkdtemp()) / "floor.sqlite"
    countries, run_id, source_id = _floor_setup(f"sqlite:///{db}")
    if variant == "in-lists":
        from db import migrate
        from db.engine import make_engine

        engine = make_engine(f"sqlite:///{db}")
        migrate.downgrade(engine, "0002")
        engine.dispose()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA foreign_keys={'OFF' if variant == 'no-fk' else 'ON'}")
    now = time.strftime("%Y-%m-%d %H:%M:%S.000000")
    project_sql = (f"INSERT INTO projects ({', '.join(PROJECT_FLOOR_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(PROJECT_FLOOR_COLUMNS))})")
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    cur = conn.cursor()
    cur.execute("BEGIN IMMEDIATE")
    batch: list = []
    for row in _floor_rows(path, countries, run_id, source_id, now):
        batch.append(row)
        if len(batch) == 50_000:
            _floor_sqlite_batch(cur, project_sql, batch)
            batch = []
    _floor_sqlite_batch(cur, project_sql, batch)
    conn.commit()
    seconds = time.perf_counter() - start
    conn.close()
    db.unlink()
    return {"seconds": seconds, "peak_mb": peak_mb(), "cpu": cpu_seconds() - cpu0}


def _floor_sqlite_batch(cur, project_sql: str, batch: list) -> None:
    cur.executemany(project_sql, [p for p, _parts, _c, _s in batch])
    cur.executemany("INSERT INTO project_countries (project_id, country_id, role, created_at, updated_at, "
                    "created_run_id, updated_run_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [x for _p, parts, _c, _s in batch for x in parts])
    cur.executemany("INSERT INTO citations (source_id, record_type, record_id, field, locator, created_at, "
                    "updated_at, created_run_id, updated_run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [c for _p, _parts, c, _s in batch])
    cur.executemany(f"INSERT INTO statements ({STATEMENT_COLUMNS}) VALUES ({', '.join('?' * 13)})",
                    [st for _p, _parts, _c, st in batch])


def child_floor_copy(url: str, path: str, variant: str = "head") -> dict:
    """variant (bench/schema_floor.py): head; no-run-fk (without the foreign keys of created_run_id and
    updated_run_id); no-fk (no foreign key checked: session_replication_role = replica)."""
    import psycopg

    countries, run_id, source_id = _floor_setup(url)
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    now = time.strftime("%Y-%m-%d %H:%M:%S+00")
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        if variant == "no-run-fk":
            for table in ("projects", "project_countries", "citations"):
                cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT fk_{table}_created_run_id_import_runs, "
                            f"DROP CONSTRAINT fk_{table}_updated_run_id_import_runs")
            conn.commit()
        if variant == "no-fk":
            cur.execute("SET session_replication_role = replica")
        server = ServerCpu(url).__enter__()
        cpu0 = cpu_seconds()
        start = time.perf_counter()
        batch: list = []
        for row in _floor_rows(path, countries, run_id, source_id, now):
            batch.append(row)
            if len(batch) == 50_000:
                _floor_copy_batch(cur, batch)
                batch = []
        _floor_copy_batch(cur, batch)
        conn.commit()
        seconds = time.perf_counter() - start
        server.__exit__()
    return {"seconds": seconds, "peak_mb": peak_mb(), "cpu": cpu_seconds() - cpu0, "server_cpu": server.seconds}


def _floor_copy_batch(cur, batch: list) -> None:
    """Four COPYs, one table after the other (one COPY at a time on a connection; the children after
    their projects, for the foreign keys)."""
    with cur.copy(f"COPY projects ({', '.join(PROJECT_FLOOR_COLUMNS)}) FROM STDIN") as copy:
        for project, _parts, _c, _s in batch:
            copy.write_row(project)
    with cur.copy("COPY project_countries (project_id, country_id, role, created_at, updated_at, "
                  "created_run_id, updated_run_id) FROM STDIN") as copy:
        for _p, parts, _c, _s in batch:
            for part in parts:
                copy.write_row(part)
    with cur.copy("COPY citations (source_id, record_type, record_id, field, locator, created_at, updated_at, "
                  "created_run_id, updated_run_id) FROM STDIN") as copy:
        for _p, _parts, citation, _s in batch:
            copy.write_row(citation)
    with cur.copy(f"COPY statements ({STATEMENT_COLUMNS}) FROM STDIN") as copy:
        for _p, _parts, _c, statement in batch:
            copy.write_row(statement)


@contextmanager
def scratch_database(pg_url: str) -> Iterator[str]:
    """The URL of a new PostgreSQL database on the server of `pg_url`, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"coopdb_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class ChildFailed(RuntimeError):
    pass


def in_subprocess(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        tail = "\n".join(out.stderr.strip().splitlines()[-5:])
        raise ChildFailed(f"{args[0]} failed (exit {out.returncode}):\n{tail}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def peer_run(*args: str) -> dict | None:
    """The dlt step: its failure is printed and leaves the peer out instead of losing the other figures."""
    try:
        return in_subprocess(*args)
    except ChildFailed as failure:
        print(f"dlt left out: {failure}", flush=True)
        return None


def _has_dlt(dlt_path: str) -> bool:
    if dlt_path:
        sys.path.append(dlt_path)
    try:
        import dlt  # noqa: F401
    except ImportError:
        return False
    finally:
        if dlt_path:
            sys.path.remove(dlt_path)
    return True


def _cpu(res: dict) -> str:
    server = res.get("server_cpu")
    return f"{res['cpu']:.1f}" + (f" + {server:.1f} server" if server else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=os.environ.get("COOPDB_TEST_PG_URL",
                                                           "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--dlt-path", default=os.environ.get("COOPDB_BENCH_DLT_PATH", ""),
                        help="a directory dlt was installed into (pip install --target DIR "
                             "'dlt[postgres,sqlalchemy]'); "
                             "only the dlt subprocess imports from it")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        result = {"import": child_import, "raw_sqlite": child_raw_sqlite, "raw_copy": child_raw_copy,
                  "floor_sqlite": child_floor_sqlite, "floor_copy": child_floor_copy, "dlt": child_dlt}[kind](*rest)
        print(json.dumps(result))
        return

    work = Path(tempfile.mkdtemp(prefix="coopdb-bench-"))
    csv_path = work / "projects.csv"
    generate(csv_path, args.rows)
    overlap_path = work / "second_source.csv"
    generate_overlap(overlap_path, args.rows)
    has_dlt = _has_dlt(args.dlt_path)
    if not has_dlt:
        print("dlt is not installed: the peer is left out (pip install 'dlt[postgres,sqlalchemy]', or into a "
              "directory given as --dlt-path)")
    size_mb = csv_path.stat().st_size / 1e6
    load_before = os.getloadavg()
    started = time.time()
    print(f"{args.rows:,} rows, {len(HEADER)} columns, {size_mb:.0f} MB CSV; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {load_before[0]:.1f} "
          f"on {os.cpu_count()} cores")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    table: dict[str, dict[str, dict]] = {}
    for backend in backends:
        if backend == "sqlite":
            raw_name = "sqlite3.executemany"
            raw = in_subprocess("raw_sqlite", str(csv_path))
            floor = in_subprocess("floor_sqlite", str(csv_path))
            url = f"sqlite:///{work / 'bench.sqlite'}"
            prepare(url)
            first = in_subprocess("import", url, str(csv_path), str(args.rows))
            again = in_subprocess("import", url, str(csv_path), str(args.rows))
            second = in_subprocess("import", url, str(overlap_path), str(args.rows))
            peer = peer_run("dlt", "sqlalchemy", f"sqlite:///{work / 'dlt.sqlite'}", str(csv_path),
                            args.dlt_path) if has_dlt else None
        else:
            raw_name = "raw COPY"
            with scratch_database(args.pg_url) as url:
                raw = in_subprocess("raw_copy", url, str(csv_path))
                floor = in_subprocess("floor_copy", url, str(csv_path))
            with scratch_database(args.pg_url) as url:  # the imports start from an empty database
                prepare(url)
                first = in_subprocess("import", url, str(csv_path), str(args.rows))
                again = in_subprocess("import", url, str(csv_path), str(args.rows))
                second = in_subprocess("import", url, str(overlap_path), str(args.rows))
            with scratch_database(args.pg_url) as url:
                peer = peer_run("dlt", "postgres", url.replace("+psycopg", ""), str(csv_path),
                                args.dlt_path) if has_dlt else None
        raw_rate = args.rows / raw["seconds"]
        floor_rate = args.rows / floor["seconds"]
        peer_rate = args.rows / peer["seconds"] if peer is not None else None
        print(f"\n{backend} (CPU seconds: the process + the server's backends)")
        print(f"  {raw_name:<28} {raw_rate:>10,.0f} rows/s  {raw['peak_mb']:>6.0f} MB peak RSS  CPU {_cpu(raw)} s")
        print(f"  {'schema floor':<28} {floor_rate:>10,.0f} rows/s  {floor['peak_mb']:>6.0f} MB peak RSS  "
              f"CPU {_cpu(floor)} s  {floor_rate / raw_rate:.3f} of {raw_name}")
        if peer is not None:
            print(f"  {'dlt (merge, nested)':<28} {peer_rate:>10,.0f} rows/s  {peer['peak_mb']:>6.0f} MB peak RSS  "
                  f"CPU {_cpu(peer)} s  {peer_rate / floor_rate:.2f} of the floor")
        rows = {"schema floor": floor, **({"dlt (merge, nested)": peer} if peer is not None else {})}
        for label, res in (("first import", first), ("unchanged re-import", again),
                           ("second source (50% overlap)", second)):
            rows[label] = res
            rate = args.rows / res["seconds"]
            vs_peer = f", {rate / peer_rate:.2f}x dlt" if peer is not None else ""
            print(f"  {label:<28} {rate:>10,.0f} rows/s  {res['peak_mb']:>6.0f} MB peak RSS  CPU {_cpu(res)} s  "
                  f"{rate / floor_rate:.2f} of the floor{vs_peer}  "
                  f"(inserted {res['inserted']:,}, updated {res['updated']:,}, "
                  f"unchanged {res['unchanged']:,}, rejected {res['rejected']:,})")
            # Memory must not grow with N: RSS now / peak so far at each tenth of the file
            print("    RSS now/peak MB at rows " + ", ".join(f"{read:,}: {now:.0f}/{top:.0f}"
                                                         for read, now, top in res["checkpoints"]))
        table[backend] = {label: {"rate": args.rows / res["seconds"], "peak": res["peak_mb"], "cpu": _cpu(res),
                                  "floor": args.rows / res["seconds"] / floor_rate,
                                  "dlt": args.rows / res["seconds"] / peer_rate if peer_rate else None}
                          for label, res in rows.items()}
    load_after = os.getloadavg()
    print(f"\n{args.rows:,} rows; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
          f"({(time.time() - started) / 60:.0f} minutes)")
    header = "| what | " + " | ".join(f"{b}: rows/s | peak MB | CPU s | of floor | × dlt" for b in table) + " |"
    print(header)
    print("|---|" + "---:|" * (5 * len(table)))
    for label in dict.fromkeys(label for figures in table.values() for label in figures):
        cells = []
        for b in table:
            v = table[b].get(label)
            if v is None:
                cells += [""] * 5
                continue
            cells += [f"{v['rate']:,.0f}", f"{v['peak']:.0f}", v["cpu"], f"{v['floor']:.2f}",
                      "" if v["dlt"] is None else f"{v['dlt']:.2f}"]
        print(f"| {label} | " + " | ".join(cells) + " |")
    csv_path.unlink()
    overlap_path.unlink()


if __name__ == "__main__":
    main()
