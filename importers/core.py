"""What every importer shares: problems with their location, the run record, the report.

An import is one transaction and one `import_runs` row:

    with import_run(engine, "projects", file=path, options=opts) as run:
        ... run.conn (the transaction), run.run_id, run.reject(problem), run.warn(text),
        ... run.report.add(upsert_result)

On leaving the block without error the data and the run row (status succeeded, counts) are
committed together. If rows were rejected and the caller did not allow rejects, or any error
escapes, the data transaction is rolled back and only the bookkeeping is kept: the run row, marked
`rejected`, `failed` or (Ctrl-C, SIGTERM) `interrupted` with 0 records written, and for each problem found
a row in `import_rejects` (file, line, field, the value as read, the reason), so that `coopdb status` and
SQL can answer why a run wrote nothing. No imported data is kept. A dry run is the real run rolled back
at the end: it writes nothing at all, not even the run row, and reports what the real run would do (problems
without allow_rejects: ImportRejected, as the real run). With allow_rejects the problems also go to the
rejects file the importer names (`rejects_file`, FILE.rejects.csv beside its input). A run whose process
dies is marked `interrupted` by the next command (db/runs.py).
"""

from __future__ import annotations

import contextlib
import csv
import gc
import hashlib
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, insert, update
from sqlalchemy.exc import DBAPIError

from db import bi, runs
from db.base import utcnow
from db.errors import DatabaseError, UserError
from db.migrate import require_head
from db.models import ImportReject, ImportRun
from db.outfiles import OutFile, neutralise
from db.upsert import UpsertResult

ECHO_LIMIT = 200  # characters of a value shown in a message or kept in import_rejects


def cut(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text`, or its first `limit` characters, an ellipsis and its length."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def storable(value: Any) -> str | None:
    """A problem's value as text any column and file can keep: a NUL character or half of a surrogate
    pair (the very values refused) written as their escapes, \\x00 and \\ud800."""
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    if "\x00" in text or not text.isascii():
        text = text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")
    return text


T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is, what it was, what was expected."""

    file: str
    line: int | None
    field: str | None
    value: Any
    expected: str

    def __post_init__(self) -> None:
        # A value is echoed into messages and import_rejects: a long one only by its start and length
        if isinstance(self.value, str) and len(self.value) > ECHO_LIMIT:
            object.__setattr__(self, "value", cut(self.value))
        elif isinstance(self.value, list | dict | tuple | set):  # a record that is not a mapping, ...
            object.__setattr__(self, "value", cut(repr(self.value)))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            where += f" [{self.field}]"
        got = "" if self.value is None else f" (got {self.value!r})"
        return f"{where}: {self.expected}{got}"


class ImportRejected(UserError):
    """Rows were rejected and the import was all-or-nothing: nothing was written."""

    def __init__(self, report: ImportReport):
        self.report = report
        n = len(report.problems)
        first = str(report.problems[0]) if report.problems else ""
        hints = "".join(f"; {hint}" for hint in report.hints)
        super().__init__(
            f"{n} problem{'s' if n != 1 else ''} in {report.file or 'the input'}, nothing written "
            f"(first: {first}){hints}; fix them, or use --allow-rejects to load the good rows"
        )


@dataclass
class ImportReport:
    importer: str
    file: str | None = None
    run_id: int | None = None
    status: str = "running"
    dry_run: bool = False
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    # Warnings that may explain the problems (a column `Code` not used: did you mean `code`?)
    hints: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # For dry runs and --json: what would change ({"table", "key", "fields": {col: [old, new]}})
    changes: list[dict[str, Any]] = field(default_factory=list)
    details: dict[str, dict[str, int]] = field(default_factory=dict)
    # A dry run through a mapping file: the first rows as they would be imported (our layout)
    preview: list[dict[str, Any]] = field(default_factory=list)

    def add(self, result: UpsertResult, table: str | None = None, *, count: bool = True) -> None:
        """Add an upsert's counts; per table always, to the headline counts when `count`."""
        if count:
            self.inserted += result.inserted
            self.updated += result.updated
            self.unchanged += result.unchanged
        if table:
            per = self.details.setdefault(table, {"inserted": 0, "updated": 0, "unchanged": 0})
            per["inserted"] += result.inserted
            per["updated"] += result.updated
            per["unchanged"] += result.unchanged
            if self.dry_run:  # the changed columns (a real write, rolled back later, gives none)
                for key, diff in result.changes.items():
                    if not diff:
                        continue
                    self.changes.append({"table": table, "key": list(key),
                                         "fields": {c: [o, n] for c, (o, n) in diff.items()}})

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [str(p) for p in self.problems]
        return data


def in_row_order(problems: list[Problem]) -> list[Problem]:
    """The problems by file (in the order first met) and line, so that the problems of one row (its values,
    then its references, found later in the run) stand together; those of a whole file (no line) first."""
    files: dict[str, int] = {}
    for p in problems:
        files.setdefault(p.file, len(files))
    return sorted(problems, key=lambda p: (files[p.file], p.line is not None, p.line or 0))


@dataclass
class RunContext:
    conn: Connection
    run_id: int | None
    report: ImportReport
    allow_rejects: bool = False
    file_hash: str | None = None  # sha256 of the input file, computed once per run
    # (link table, group, country) of the links that pair countries up (db.bi.PAIR_LINKS) that the run deleted
    # or moved: with the rows it wrote, what decides which country pairs it may have changed
    unlinked: set[tuple[str, int, int]] = field(default_factory=set)

    @property
    def dry_run(self) -> bool:
        return self.report.dry_run

    def note_unlinked(self, table: str, row_ids: list[int]) -> None:
        """Call before deleting rows of `table` (or pointing them at another record) by id: links that pair
        countries up are remembered for the update of country_pair_totals at the end of the run."""
        self.unlinked |= bi.links_of(self.conn, table, row_ids)

    def reject(self, problem: Problem) -> None:
        self.report.problems.append(problem)

    def batch_done(self) -> None:
        """Between two batches, once the last one is written and let go: the cyclic garbage made since (a few
        hundred objects: SQLAlchemy's compiled statements) is collected while the collector is paused for the
        import (`_collector_paused`). Few objects are young at that point, so the look is short; without it
        that garbage would stay until the import ends, a few MB per 100,000 rows."""
        if not gc.isenabled():
            gc.collect(1)

    def warn(self, message: str) -> None:
        if message not in self.report.warnings:
            self.report.warnings.append(message)

    def hint(self, message: str) -> None:
        """A warning that may explain the problems (a header like `Code` for `code`): kept in `hints` too, and
        repeated in the message of a failed import."""
        self.warn(message)
        if message not in self.report.hints:
            self.report.hints.append(message)


# SQLSTATEs after which the whole run may simply be run again: deadlock_detected, serialization_failure
_RETRYABLE = ("40P01", "40001")
RUN_ATTEMPTS = 3


def run_again_on_deadlock(call: Callable[[], T], attempts: int = RUN_ATTEMPTS) -> T:
    """Call an import (`lambda: import_file(...)`), and call it again when PostgreSQL stopped it to break a
    deadlock with another import writing the same rows in another order: the stopped run was rolled back
    (and marked failed), so running it again is safe. After `attempts` a DatabaseError (exit 4) says so."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as exc:  # SQLAlchemy's DBAPIError, or psycopg's own error from a COPY
            cause = exc.orig if isinstance(exc, DBAPIError) else exc
            if getattr(cause, "sqlstate", None) not in _RETRYABLE:
                raise
            if attempt == attempts:
                raise DatabaseError(
                    f"the import was stopped {attempts} times by the database to break a deadlock with another "
                    "import writing the same rows; nothing was written: run it again when the other import has "
                    "finished") from None
            time.sleep(random.uniform(0.1, 0.5) * attempt)  # let the other import get ahead
    raise AssertionError("unreachable")


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _finish_run(engine: Engine, report: ImportReport, message: str | None) -> None:
    if report.run_id is None:
        return
    with engine.begin() as conn:
        conn.execute(
            update(ImportRun).where(ImportRun.id == report.run_id).values(
                status=report.status, finished_at=utcnow(), rows_read=report.read,
                rows_inserted=report.inserted, rows_updated=report.updated,
                rows_unchanged=report.unchanged, rows_rejected=report.rejected, message=storable(message),
            )
        )
        if report.status != "succeeded":
            _record_rejects(conn, report)


def _record_rejects(conn: Connection, report: ImportReport) -> None:
    if report.problems and report.run_id is not None:
        conn.execute(insert(ImportReject), [
            {"run_id": report.run_id, "file_name": p.file, "line": p.line, "field": p.field,
             "value": storable(p.value), "reason": p.expected}
            for p in report.problems
        ])


def _changed_anything(report: ImportReport) -> bool:
    """False only for a run that inserted, updated and deleted nothing (e.g. an unchanged file again): it
    need not even look for the country pairs it changed (db.bi.update_country_pairs)."""
    if report.inserted or report.updated:
        return True
    return any(per.get(k) for per in report.details.values() for k in ("inserted", "updated", "deleted"))


def rejects_path(path: Path) -> Path:
    """Where an import of `path` with --allow-rejects writes its problems: `<stem>.rejects.csv` beside it."""
    return path.with_name(f"{path.stem}.rejects.csv")


def write_rejects(target: OutFile, problems: list[Problem]) -> None:
    """The problems as CSV into `target` (not yet published). Values are cut as everywhere (`storable`)
    and text a spreadsheet would run as a formula is prefixed with ' (the raw value is in import_rejects)."""
    with target.open("w") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line", "field", "value", "reason", "file"])
        for p in problems:
            writer.writerow(["" if p.line is None else p.line, neutralise(p.field or ""),
                             neutralise(storable(p.value) or ""), neutralise(p.expected), neutralise(p.file)])


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while an import runs, and running again after it, however it ends. An
    import keeps each batch's records, rows and statements alive until the batch is written: the collector
    scanned every one of those objects at least once and found nothing to free (reference counting frees them
    when the batch goes), 8-10 % of the CPU time of a first import even with its first threshold raised to
    50,000 objects, as it was before (docs/performance.md). The cyclic garbage an import makes (SQLAlchemy's
    compiled statements, about 150 objects a batch) is collected between batches (`RunContext.batch_done`) and
    after the import. A caller that paused the collector itself keeps it paused."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@contextmanager
def import_run(
    engine: Engine,
    importer: str,
    *,
    file: str | Path | None = None,
    options: dict[str, Any] | None = None,
    dry_run: bool = False,
    allow_rejects: bool = False,
    rejects_file: Path | None = None,
    force: bool = False,
) -> Iterator[RunContext]:
    """The rules every importer follows (see the module's docstring). `rejects_file`: with `allow_rejects`
    (not in a dry run), where the problems are written as CSV: checked before anything is read (it must not
    exist unless `force`), written before the import commits, given its name after. A dry run that finds
    problems without `allow_rejects` ends in ImportRejected, as the real run would."""
    rejects = OutFile(rejects_file, force=force) if rejects_file is not None and allow_rejects and not dry_run \
        else None
    try:
        with _collector_paused(), _import_run(engine, importer, file=file, options=options, dry_run=dry_run,
                                              allow_rejects=allow_rejects, rejects=rejects) as run:
            yield run
        if rejects is not None and run.report.problems:
            try:
                target = rejects.publish()
            except UserError as exc:  # the rows are committed: say where the problems are instead of failing
                run.report.warnings.append(f"{len(run.report.problems)} problem(s) not written to the rejects "
                                           f"file: {exc}")
            else:
                run.report.warnings.append(f"{len(run.report.problems)} problem(s) written to {target}")
    finally:
        if rejects is not None:
            rejects.discard()


@contextmanager
def _import_run(engine: Engine, importer: str, *, file: str | Path | None, options: dict[str, Any] | None,
                dry_run: bool, allow_rejects: bool, rejects: OutFile | None) -> Iterator[RunContext]:
    require_head(engine)
    started = time.perf_counter()
    report = ImportReport(importer=importer, file=None if file is None else str(file), dry_run=dry_run)
    file_hash = file_sha256(file) if file is not None and Path(file).is_file() else None
    runs.mark_interrupted(engine)  # runs whose process died since: see db/runs.py
    conn = engine.connect()
    run_row = insert(ImportRun).values(
        importer=importer, file_name=report.file, file_hash=file_hash, options=options or {}, status="running",
        started_at=utcnow(), owner_host=runs.host_name(), owner_pid=os.getpid(),
        owner_backend_pid=runs.backend_pid(conn),
    ).returning(ImportRun.id)
    if not dry_run:
        with engine.begin() as bookkeeping:
            report.run_id = bookkeeping.execute(run_row).scalar_one()
        runs.opened(report.run_id)
    transaction = conn.begin()
    if dry_run:
        # A dry run is the real run rolled back at the end, its run row included: it reports exactly
        # what the real run would do.
        report.run_id = conn.execute(run_row).scalar_one()
    run = RunContext(conn=conn, run_id=report.run_id, report=report, allow_rejects=allow_rejects,
                     file_hash=file_hash)
    try:
        yield run
        report.problems = in_row_order(report.problems)
        report.rejected = max(report.rejected, len({(p.file, p.line) for p in report.problems}))
        report.seconds = round(time.perf_counter() - started, 3)
        if dry_run:
            report.status = "dry_run"
            report.run_id = None
            transaction.rollback()
            if report.problems and not allow_rejects:
                raise ImportRejected(report)  # what the real run would end in
            return
        if report.problems and not allow_rejects:
            transaction.rollback()
            report.status = "rejected"
            report.inserted = report.updated = report.unchanged = 0  # nothing was written
            _finish_run(engine, report, f"{len(report.problems)} problem(s); nothing written")
            raise ImportRejected(report)
        report.status = "succeeded"
        conn.execute(
            update(ImportRun).where(ImportRun.id == report.run_id).values(
                status="succeeded", finished_at=utcnow(), rows_read=report.read,
                rows_inserted=report.inserted, rows_updated=report.updated,
                rows_unchanged=report.unchanged, rows_rejected=report.rejected,
                message=storable("; ".join(report.warnings) or None),
            )
        )
        _record_rejects(conn, report)
        if _changed_anything(report):  # the counts behind bi.country_pairs, in the import's transaction
            bi.update_country_pairs(conn, report.run_id, run.unlinked)
        if rejects is not None and report.problems:
            write_rejects(rejects, report.problems)  # before the import commits: a failure here writes nothing
        transaction.commit()
    except ImportRejected:
        raise
    except BaseException as exc:
        try:
            if transaction.is_active:
                transaction.rollback()
        except Exception:
            # Stopped in the middle of a command (Ctrl-C, SIGTERM) or ended by the server, the connection
            # cannot roll back: discard it (the server rolls the transaction back) rather than hand it to
            # the pool, whose own reset would fail and log a traceback.
            with contextlib.suppress(Exception):
                conn.invalidate()
        if dry_run:
            report.run_id = None  # its run row was rolled back with the rest
        # Ctrl-C and SIGTERM (see coopdb.cli.main) stop a run without anything being wrong with it
        report.status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        report.inserted = report.updated = report.unchanged = 0  # rolled back: nothing was written
        report.seconds = round(time.perf_counter() - started, 3)
        with contextlib.suppress(Exception):  # the original error matters more than the bookkeeping
            _finish_run(engine, report, f"{type(exc).__name__}: {exc}"[:2000])
        raise
    finally:
        if report.run_id is not None:
            runs.closed(report.run_id)
        with contextlib.suppress(Exception):
            conn.close()
