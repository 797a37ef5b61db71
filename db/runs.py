"""Import runs that died: telling a dead `running` run from a live one, and marking it `interrupted`.

Each run records its owner when it starts: the host name and process id of the process running it and,
on PostgreSQL, the pid of the server backend holding its transaction. A run still `running` is dead when

- PostgreSQL: its backend is gone from pg_stat_activity (the server ends a backend whose client
  died or was killed, and `pg_terminate_backend` ends it directly), whichever host the run came from;
- SQLite: it ran on this host and its process no longer exists (a run from another host sharing the
  file cannot be checked and stays `running`);
- either: it belongs to this very process and is not one of the runs this process has open (a run
  whose bookkeeping failed after an error).

The data of such a run was never committed (an import is one transaction), so marking it is all there
is to do. `mark_interrupted` does it at the start of every import and in `coopdb status`. Runs from
before migration 0005 have no owner and are left alone.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading

from sqlalchemy import Connection, Engine, select, text, update
from sqlalchemy.exc import DBAPIError

from db.base import utcnow
from db.models import ImportRun

INTERRUPTED_MESSAGE = "interrupted: its process or database connection ended before the run finished; nothing " \
                      "of it was written"

_open_runs: set[int] = set()  # run ids this process is running now
_lock = threading.Lock()


def host_name() -> str:
    return socket.gethostname()[:255]


def opened(run_id: int) -> None:
    with _lock:
        _open_runs.add(run_id)


def closed(run_id: int) -> None:
    with _lock:
        _open_runs.discard(run_id)


def backend_pid(conn: Connection) -> int | None:
    """The server backend pid of a PostgreSQL connection (None on SQLite)."""
    if conn.dialect.name != "postgresql":
        return None
    return conn.connection.driver_connection.info.backend_pid


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def dead_runs(conn: Connection) -> list[int]:
    """Ids of runs marked `running` whose owner is known to be gone."""
    rows = conn.execute(
        select(ImportRun.id, ImportRun.owner_host, ImportRun.owner_pid, ImportRun.owner_backend_pid)
        .where(ImportRun.status == "running", ImportRun.owner_pid.is_not(None))
    ).all()
    if not rows:
        return []
    live_backends: set[int] = set()
    if conn.dialect.name == "postgresql":
        live_backends = {pid for (pid,) in conn.execute(text("SELECT pid FROM pg_stat_activity"))}
    here, me = host_name(), os.getpid()
    with _lock:
        mine = set(_open_runs)
    dead = []
    for run_id, host, pid, backend in rows:
        if host == here and pid == me:
            gone = run_id not in mine
        elif backend is not None and live_backends:
            gone = backend not in live_backends
        else:
            gone = host == here and not _process_alive(pid)
        if gone:
            dead.append(run_id)
    return dead


def mark_interrupted(engine: Engine, *, wait: bool = True) -> list[int]:
    """Mark dead `running` runs `interrupted`; returns their ids. Best effort: a database that cannot be
    written now (a read-only file; with wait=False a SQLite file another import is writing) is left as it
    is, and the ids found are still returned."""
    with engine.connect() as conn:
        dead = dead_runs(conn)
        if not dead:
            return []
        sqlite = conn.dialect.name == "sqlite"
        if sqlite and not wait:
            conn.exec_driver_sql("PRAGMA busy_timeout=200")
        try:
            with contextlib.suppress(DBAPIError):
                conn.execute(update(ImportRun).where(ImportRun.id.in_(dead), ImportRun.status == "running")
                             .values(status="interrupted", finished_at=utcnow(), message=INTERRUPTED_MESSAGE))
                conn.commit()
        finally:
            if sqlite and not wait:
                conn.rollback()
                conn.exec_driver_sql("PRAGMA busy_timeout=30000")
    return dead
