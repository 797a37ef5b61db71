"""Run bookkeeping: a run stopped by SIGTERM, SIGKILL or pg_terminate_backend never stays `running` and
never leaves data behind; a hot SQLite journal does not block read-only commands; concurrent imports of
the same rows in opposite orders all succeed on PostgreSQL; rejected runs keep their problems; import_runs is
append-only."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from db import runs as runs_lib
from db.base import utcnow
from db.engine import make_engine
from db.models import ImportReject, ImportRun, Project
from importers.core import ImportRejected, run_again_on_deadlock
from importers.files import import_file
from tests.conftest import url_text

MAIN = "from coopdb.cli import main; main()"


def _big_csv(path: Path, rows: int = 150_000, *, reverse: bool = False) -> Path:
    order = range(rows, 0, -1) if reverse else range(1, rows + 1)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("code,title,description,sector\n")
        for i in order:
            fh.write(f"RUN-{i:07d},Project number {i},A description long enough to take some room {i},energy\n")
    return path


def _start(url: str, *args: str, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", MAIN, *args, "-d", url], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _runs(url: str) -> list[tuple]:
    """(id, status, owner_backend_pid) of every run; tolerant of a SQLite file locked by the import."""
    if url.startswith("sqlite"):
        try:
            con = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=0.05)
            try:
                return con.execute("SELECT id, status, owner_backend_pid FROM import_runs ORDER BY id").fetchall()
            finally:
                con.close()
        except sqlite3.OperationalError:
            return []
    engine = make_engine(url)
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text(
            "SELECT id, status, owner_backend_pid FROM import_runs ORDER BY id"))]
    engine.dispose()
    return found


def _wait_for_writing(url: str, proc: subprocess.Popen, backend: str) -> tuple:
    """Until the import's run is `running` and its data transaction has begun writing."""
    deadline = time.monotonic() + 300
    journal = Path(url.removeprefix("sqlite:///") + "-journal")
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        found = [r for r in _runs(url) if r[1] == "running"]
        if found and (backend == "postgresql" or journal.exists()):
            if backend == "postgresql":
                time.sleep(1.0)  # well inside the data transaction
            return found[-1]
        time.sleep(0.05)
    raise AssertionError("the import did not start writing")


def _count(url, model) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(model)).scalar_one()
    engine.dispose()
    return n


def test_sigterm_is_handled_like_ctrl_c(db_url, backend, tmp_path):
    url = url_text(db_url)
    proc = _start(url, "import", "projects", str(_big_csv(tmp_path / "big.csv")), "-q", cwd=tmp_path)
    run_id = _wait_for_writing(url, proc, backend)[0]
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 143, err
    assert err == ("interrupted (SIGTERM): an import in progress was rolled back, nothing of it written, and its "
                   "run marked interrupted\n")
    assert [r[:2] for r in _runs(url)] == [(run_id, "interrupted")]
    assert _count(url, Project) == 0
    assert not Path(str(db_url.database) + "-journal").exists() or backend != "sqlite"


def test_a_killed_run_is_marked_interrupted_by_the_next_command(cli, db_url, backend, tmp_path):
    url = url_text(db_url)
    proc = _start(url, "import", "projects", str(_big_csv(tmp_path / "big.csv")), "-q", cwd=tmp_path)
    run_id = _wait_for_writing(url, proc, backend)[0]
    proc.kill()
    proc.wait(timeout=60)
    if backend == "sqlite":
        # The writer died mid-transaction: its journal is hot, and a read-only command must still work.
        assert Path(str(db_url.database) + "-journal").stat().st_size > 0
        counted = cli("sql", "SELECT count(*) AS n FROM projects", "-f", "csv", "--as-admin", "-d", url)
        assert (counted.exit_code, counted.stdout) == (0, "n\n0\n"), counted.stderr
    else:
        deadline = time.monotonic() + 60  # the server ends the backend of a dead client
        while time.monotonic() < deadline and _runs_backend_alive(url, run_id):
            time.sleep(0.1)
    assert [r[:2] for r in _runs(url)] == [(run_id, "running")]
    status = cli("status", "--json", "-d", url)
    assert status.exit_code == 0, status.stderr
    import json

    assert [(r["id"], r["status"]) for r in json.loads(status.stdout)["runs"]] == [(run_id, "interrupted")]
    assert [r[:2] for r in _runs(url)] == [(run_id, "interrupted")]
    assert _count(url, Project) == 0
    shown = cli("status", "-d", url)
    assert "interrupted" in shown.stdout


def _runs_backend_alive(url: str, run_id: int) -> bool:
    engine = make_engine(url)
    with engine.connect() as conn:
        alive = conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = (SELECT owner_backend_pid FROM import_runs "
            "WHERE id = :id)"), {"id": run_id}).scalar_one()
    engine.dispose()
    return bool(alive)


def test_pg_terminate_backend_gives_a_clean_message(db_url, backend, tmp_path):
    if backend != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    url = url_text(db_url)
    proc = _start(url, "import", "projects", str(_big_csv(tmp_path / "big.csv")), "-q", cwd=tmp_path)
    run_id, _status, backend_pid = _wait_for_writing(url, proc, backend)
    assert backend_pid is not None
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid}).scalar_one()
    engine.dispose()
    _out, err = proc.communicate(timeout=300)
    assert proc.returncode == 4, err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith("error: database unavailable:")  # the words depend on where the import was
    assert [r[:2] for r in _runs(url)] == [(run_id, "failed")]
    assert _count(url, Project) == 0


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_which_running_runs_are_dead(engine, backend):
    here = socket.gethostname()
    rows = {
        "dead process here": (here, _dead_pid(), None),
        "live process here": (here, os.getppid(), None),
        "other host": ("elsewhere.example", 12345, None),
        "before owners were recorded": (None, None, None),
    }
    if backend == "postgresql":
        with engine.connect() as conn:
            live_backend = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
            # a backend pid no server process has (pids are positive and below 2^22 on Linux)
            rows["other host, backend gone"] = ("elsewhere.example", 12345, 2**22 + 7)
            rows["other host, backend alive"] = ("elsewhere.example", 12345, live_backend)
            ids = _insert_runs(conn, rows)
            conn.commit()
            assert runs_lib.dead_runs(conn) == sorted([ids["dead process here"], ids["other host, backend gone"]]) \
                or set(runs_lib.dead_runs(conn)) == {ids["dead process here"], ids["other host, backend gone"]}
        marked = runs_lib.mark_interrupted(engine)
        assert set(marked) == {ids["dead process here"], ids["other host, backend gone"]}
    else:
        with engine.begin() as conn:
            ids = _insert_runs(conn, rows)
        assert runs_lib.mark_interrupted(engine) == [ids["dead process here"]]
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(ImportRun.id, ImportRun.status)).all())
    assert statuses[ids["dead process here"]] == "interrupted"
    assert statuses[ids["live process here"]] == "running"
    assert statuses[ids["before owners were recorded"]] == "running"
    assert runs_lib.mark_interrupted(engine) == []  # once marked, never again


def _insert_runs(conn, rows: dict) -> dict[str, int]:
    ids = {}
    for label, (host, pid, backend_pid) in rows.items():
        ids[label] = conn.execute(insert(ImportRun).values(
            importer=label, status="running", started_at=utcnow(), owner_host=host, owner_pid=pid,
            owner_backend_pid=backend_pid).returning(ImportRun.id)).scalar_one()
    return ids


def test_a_run_left_running_by_this_process_is_dead_unless_open(engine):
    with engine.begin() as conn:
        run_id = conn.execute(insert(ImportRun).values(
            importer="x", status="running", started_at=utcnow(), owner_host=socket.gethostname(),
            owner_pid=os.getpid()).returning(ImportRun.id)).scalar_one()
    runs_lib.opened(run_id)
    try:
        assert runs_lib.mark_interrupted(engine) == []
    finally:
        runs_lib.closed(run_id)
    assert runs_lib.mark_interrupted(engine) == [run_id]


def test_a_rejected_run_keeps_its_problems_and_none_of_its_data(engine, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("code,title,committed_on\nOK-1,Fine,2020-01-01\nBAD-1,Wrong date,31/02/2020\n")
    with pytest.raises(ImportRejected):
        import_file(engine, "projects", path)
    with engine.connect() as conn:
        run = conn.execute(select(ImportRun.id, ImportRun.status, ImportRun.rows_rejected)).one()
        rejects = conn.execute(select(ImportReject.run_id, ImportReject.line, ImportReject.field,
                                      ImportReject.value)).all()
        projects = conn.execute(select(func.count()).select_from(Project)).scalar_one()
    assert (run.status, run.rows_rejected, projects) == ("rejected", 1, 0)
    assert [tuple(r) for r in rejects] == [(run.id, 3, "committed_on", "31/02/2020")]


def test_concurrent_imports_of_the_same_rows_in_opposite_orders(engine, backend, tmp_path):
    """Four imports at once, two in each order: on PostgreSQL they lock the same keys in opposite orders and
    the server stops one to break the deadlock; the stopped one runs again, so all four succeed."""
    forward = _big_csv(tmp_path / "forward.csv", 3000)
    backward = _big_csv(tmp_path / "backward.csv", 3000, reverse=True)
    results: list[object] = []

    def one(path: Path) -> None:
        try:
            results.append(run_again_on_deadlock(lambda: import_file(engine, "projects", path, fast_path=False)))
        except Exception as exc:  # recorded, asserted below
            results.append(exc)

    threads = [threading.Thread(target=one, args=(p,)) for p in (forward, backward, forward, backward)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert [type(r).__name__ for r in results] == ["ImportReport"] * 4, results
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Project)).scalar_one() == 3000
        statuses = [s for (s,) in conn.execute(select(ImportRun.status).order_by(ImportRun.id))]
        failed = [m for (m,) in conn.execute(select(ImportRun.message).where(ImportRun.status == "failed"))]
    assert statuses.count("succeeded") == 4
    assert all("deadlock" in m.lower() for m in failed), failed
    assert sum(r.inserted for r in results) == 3000


APPEND_ONLY = ("import_runs is append-only: an import run cannot be deleted or get another id (rows name their "
               "runs in created_run_id, updated_run_id and last_seen_run_id)")


def test_an_import_run_that_rows_name_cannot_be_deleted_or_renumbered(engine, backend, tmp_path):
    """The run ids are not foreign keys (migration 0014): import_runs is append-only instead, so a run id
    that rows carry always names its run. Its status and counts still change as before."""
    import_file(engine, "projects", _big_csv(tmp_path / "p.csv", 3))
    with engine.connect() as conn:
        run_id = conn.execute(select(ImportRun.id)).scalar_one()
        assert conn.execute(select(func.count()).select_from(Project)
                            .where(Project.created_run_id == run_id)).scalar_one() == 3
    refused = [f"DELETE FROM import_runs WHERE id = {run_id}", "DELETE FROM import_runs",
               f"UPDATE import_runs SET id = {run_id + 100} WHERE id = {run_id}"]
    if backend == "postgresql":
        refused.append("TRUNCATE import_runs CASCADE")
    for statement in refused:
        with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
            conn.exec_driver_sql(statement)
        assert APPEND_ONLY in str(caught.value.orig), statement
    with engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE import_runs SET message = 'checked', id = id WHERE id = {run_id}")
    with engine.connect() as conn:
        assert conn.execute(select(ImportRun.id, ImportRun.message)).one() == (run_id, "checked")
