"""What every `coopdb import ...` command shares (its options, the progress bar, the report), and the progress of
`coopdb export`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from rich.progress import (
    BarColumn,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress

from coopdb.cli.common import database_url_option, err, out, print_json
from importers.core import ECHO_LIMIT, ImportRejected, ImportReport, cut, run_again_on_deadlock
from importers.progress import Position, Progress

ProgressCallback = Progress  # called with a Position: rows read, units done of the total


def import_options(fn):
    """--dry-run, --allow-rejects, --force, --json, --quiet and --database-url."""
    fn = click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary (errors still go "
                      "to stderr).")(fn)
    fn = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")(fn)
    fn = click.option("--force", is_flag=True,
                      help="With --allow-rejects: replace an existing FILE.rejects.csv (default: refuse before "
                      "importing).")(fn)
    fn = click.option("--allow-rejects", is_flag=True,
                      help="Write the good rows and record each rejected one (in import_rejects and in "
                      "FILE.rejects.csv beside the input) instead of writing nothing.")(fn)
    fn = click.option("--dry-run", is_flag=True,
                      help="Validate and resolve against the database, report what would be inserted and "
                      "updated (with the changed fields), write nothing.")(fn)
    return database_url_option(fn)


@contextmanager
def progress_bar(label: str, quiet: bool) -> Iterator[ProgressCallback | None]:
    """A Rich progress bar on stderr when it is a terminal; None otherwise (piped, --quiet, --json). It shows
    the percentage of the input read (bytes of a text file, rows of a sheet), the records read and the time
    left; without a known total, the records and the time spent."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), TaskProgressColumn(),
               TextColumn("{task.fields[rows]:,} rows"), TimeRemainingColumn(), TimeElapsedColumn()]
    with RichProgress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None, rows=0)

        def update(position: Position) -> None:
            bar.update(task, completed=position.done, total=position.total, rows=position.rows)

        yield update


@contextmanager
def view_progress(quiet: bool) -> Iterator[Callable[[str, int], None] | None]:
    """For `coopdb export`: a line per view on stderr (when a terminal) with the rows fetched and the time spent
    (a view's row count is not known before it is read: counting would run its query twice)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    columns = [SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.fields[rows]:,} rows"),
               TimeElapsedColumn()]
    with RichProgress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(view: str, rows: int) -> None:
            if view not in tasks:
                for other in tasks.values():
                    bar.update(other, visible=False)
                tasks[view] = bar.add_task(view, total=None, rows=0)
            bar.update(tasks[view], rows=rows)

        yield update


def print_report(report: ImportReport, *, as_json: bool, quiet: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    for warning in report.warnings:
        err.print(f"warning: {warning}", markup=False)
    for problem in report.problems:
        err.print(str(problem), markup=False)
    if quiet:
        return
    if report.preview:
        out.print(f"the first {len(report.preview)} rows as they would be imported:", markup=False)
        for row in report.preview:
            line = row.get("line")
            cells = "; ".join(f"{k}={_cut(v)}" for k, v in row.items() if k != "line")
            out.print(f"  line {line}: {cells}", markup=False)
    prefix = "dry run, nothing written: would insert" if report.dry_run else "inserted"
    verb = "would update" if report.dry_run else "updated"
    run = f"run {report.run_id}: " if report.run_id else ""
    what = f"{report.importer} {report.file}" if report.file else report.importer  # several files: none named
    out.print(f"{run}{what}: read {report.read}, {prefix} {report.inserted}, "
              f"{verb} {report.updated}, unchanged {report.unchanged}, rejected {report.rejected} "
              f"({report.seconds:.1f} s)", markup=False)
    for table, counts in report.details.items():
        if counts.get("deleted"):
            out.print(f"  {'would delete' if report.dry_run else 'deleted'} {counts['deleted']} {table} rows "
                      "no longer listed", markup=False)
    for change in report.changes[:200]:
        key = "/".join(map(str, change["key"]))
        if change.get("deleted"):
            out.print(f"  would delete {change['table']} {key}", markup=False)
            continue
        fields = ", ".join(f"{k}: {plain(o)} -> {plain(n)}" for k, (o, n) in change["fields"].items())
        out.print(f"  {verb} {change['table']} {key}: {fields}", markup=False)
    if len(report.changes) > 200:
        out.print(f"  ... and {len(report.changes) - 200} more changes (use --json for all)")


def plain(value: object) -> str:
    """A value as a person reads it in a diff: 142.3, 2024-07-03, true, "a title", (empty); a text on one line
    (line breaks as \\n), a long one cut to its start and length as in every message (importers.core.cut): an
    article's text is part of one line of the diff, not the whole article over many lines."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        one_line = value.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
        if len(one_line) > ECHO_LIMIT:
            one_line = f"{one_line[:ECHO_LIMIT]}… ({len(value):,} characters)"
        return f'"{one_line}"'
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return cut(str(value))


def _cut(value: object, limit: int = 80) -> str:
    text = str(value).replace("\r\n", "\n").replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def run_and_report(call: Callable[[], ImportReport], *, as_json: bool, quiet: bool) -> ImportReport:
    """Run an import; print its report; on rejection print every problem and exit 3."""
    try:
        report = run_again_on_deadlock(call)
    except ImportRejected as exc:
        if as_json:
            print_json(exc.report.as_dict())
        else:
            for warning in exc.report.warnings:  # a column not used may be why every row failed
                err.print(f"warning: {warning}", markup=False)
            for problem in exc.report.problems:
                err.print(str(problem), markup=False)
        raise
    print_report(report, as_json=as_json, quiet=quiet)
    return report
