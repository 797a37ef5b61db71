"""Importing one file of our documented layout (or someone else's, through a mapping file).

    report = import_file(engine, "projects", "projects.csv", mapping=None, dry_run=False,
                         allow_rejects=False, progress=None)

read (streamed rows with their line) -> validate (importers.bundle.to_record: types, required fields,
vocabularies, dates, money; keys appearing twice anywhere in the file) -> resolve and upsert
(importers.writer.Writer, in batches; a row rejected for its values still has its references resolved,
Writer.check, so that one run reports all its problems) -> report. `progress` is called with an
importers.progress.Position every 500 rows and at the end. All in one transaction: by default any rejected
row means nothing is written. With allow_rejects the good rows are written and every problem goes
to import_rejects and to `<input>.rejects.csv` beside the input.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from db.errors import UserError
from importers import fields as f
from importers.bundle import to_record
from importers.core import ImportReport, Problem, RunContext, import_run, rejects_path
from importers.entities import LAYOUTS
from importers.fastpath import FlatProjects
from importers.keyset import KeyLines
from importers.mapping import COUNTRY_FIELD, Mapping, load_mapping
from importers.progress import Progress, Ticker
from importers.read_ahead import ReadAhead, worth_reading_ahead
from importers.readers import open_table
from importers.records import Cite, SourceRecord
from importers.tabular import header_hints, known_columns, to_bundle_dict
from importers.writer import PendingLinks, Writer
from importers.yaml_bundle import file_source


def datasets() -> tuple[str, ...]:
    """The data sets with their own country spellings (importers/data/country_aliases.yml)."""
    from importers.countries import aliases_data

    return tuple(aliases_data()["datasets"])

ENTITIES = tuple(LAYOUTS)  # every record layout of importers/entities.py
BATCH_SIZE = 5000
PREVIEW_ROWS = 5


def _shown_key(key: Any) -> str:
    return "/".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


class _FileImport:
    def __init__(self, run: RunContext, entity: str, name: str, mapping: Mapping | None):
        self.run = run
        self.entity = entity
        self.name = name
        self.mapping = mapping
        self.writer = Writer(run)
        self.write = partial(self.writer.write, entity)
        self.seen = KeyLines()  # every key of the file with its line (in bounded memory, see keyset.py)
        self.pending = PendingLinks(self.writer)  # links written with their records where their projects are
        # Flat CSV files of projects: rows straight into records where they are plainly valid
        self.fast: FlatProjects | None = None
        # JSON, JSON Lines and YAML records name their own fields: what a record leaves out is kept
        # as it is in the database (a CSV header names the fields of every row at once).
        self.present_per_row = False
        self.present: dict[frozenset[str], frozenset[str] | None] = {}
        self.number = 0  # data rows read: `{row}` in a mapping's templates
        self.preview: list[dict[str, Any]] = []  # the first mapped rows, for a dry run to show
        self.new_sources: list[SourceRecord] = []  # sources a mapping creates from a column
        self.sources_written: set[str] = set()
        self.rejected: list[Any] = []  # records rejected for their values, whose references are still checked

    def problem(self, line: int | None, field: str | None, value: Any, expected: str) -> None:
        shown = value if not isinstance(value, dict | list) else None
        self.run.reject(Problem(self.name, line, field, shown, expected))

    def record(self, line: int | None, row: dict[str, Any]) -> Any:
        def problem(field, value, expected):
            self.problem(line, field, value, expected)

        columns = row.keys()
        self.number += 1
        if self.fast is not None:
            record = self.fast(self.name, line, row)
            if record is not None:
                return self._once(line, record)
        before = len(self.run.report.problems)
        if self.mapping is not None:
            row = self.mapping.apply(row, self.entity, problem, self.number, line, self.new_sources)
            if len(self.preview) < PREVIEW_ROWS:
                known = known_columns(self.entity)
                shown = {k: v for k, v in row.items() if k in known and not f.blank(v)}
                first = {k: shown.pop(k) for k in ("code", "identifiers") if k in shown}  # what the row is
                self.preview.append({"line": line, **first, **shown})
        raw = to_bundle_dict(self.entity, row, problem)
        record, problems = to_record(self.entity, raw, self.name, line, partial=True)
        for p in problems:
            self.run.reject(p)
        if self.mapping is not None and self.mapping.model.organisations:
            for participant in getattr(record, "participants", ()):
                if participant.is_organisation:
                    participant.create_name = True  # organisations named in their columns are created
        if len(self.run.report.problems) > before:
            self.rejected.append(record)  # its references are checked at the next flush: every problem at once
            return None
        record = self._once(line, record)
        if record is None:
            return None
        if self.present_per_row:
            fields = frozenset(columns)
            if fields not in self.present:
                carried = _present_fields(self.entity, list(columns), self.mapping, nested=True)
                self.present[fields] = frozenset(carried) if carried is not None else None
            record.present = self.present[fields]  # None: every field (the writer's `present` is None then)
        return record

    def _once(self, line: int | None, record: Any) -> Any:
        """The record, unless its key was already in the file (then a problem and None)."""
        key = LAYOUTS[self.entity].record_key(record)
        again, first = self.seen.add(key, line)
        if again:
            where = f"line {first}" if first is not None else "an earlier record"
            self.problem(line, None, _shown_key(key), f"a record appearing once (the same key is also on {where})")
            return None
        return record

    def flush(self, records: list[Any]) -> None:
        if self.new_sources:
            fresh = {}
            for source in self.new_sources:
                if source.key not in self.sources_written:
                    fresh.setdefault(source.key, source)
            self.new_sources = []
            if fresh:
                present, self.writer.present = self.writer.present, {"key", "kind", "url", "notes"} | (
                    {"title"} if any(s.title for s in fresh.values()) else set())
                self.writer.sources(list(fresh.values()), count=False)
                self.writer.present = present
                self.sources_written |= set(fresh)
        if records and self.entity == "projects":  # links go as soon as the projects they name are written
            self.pending.write(self._write, records)
        elif records:
            self._write(records)
        if self.rejected:
            self.writer.check(self.entity, self.rejected)
            self.rejected = []

    def _write(self, records: list[Any]) -> None:
        if not self.present_per_row:
            self.write(records)
            return
        # each record carries the fields of its own keys (`record.present`)
        present, self.writer.present = self.writer.present, None
        try:
            self.write(records)
        finally:
            self.writer.present = present

    def finish(self) -> None:
        self.seen.close()
        rest = self.pending.rest()
        if rest:
            self.writer.project_links(rest)
        self.writer.finish()


def import_file(
    engine: Engine,
    entity: str,
    path: Path | str,
    *,
    format: str | None = None,
    sheet: str | None = None,
    mapping: Path | str | Mapping | None = None,
    dry_run: bool = False,
    allow_rejects: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    importer: str | None = None,
    fast_path: bool = True,
    replace_participants: bool = False,
    dataset: str | None = None,
    priority: int | None = None,
    source_date: str | None = None,
    allow_takeover: bool = False,
    force: bool = False,
) -> ImportReport:
    """`dataset`: resolve country names with that data set's spellings first (cow, aiddata, iigo; a
    mapping file may name one too). With `allow_rejects`, the rejects file `<stem>.rejects.csv` beside the
    input is checked before anything is read (it must not exist unless `force`, nor be a folder, and its
    folder must be writable), written before the import commits and given its name after."""
    if entity not in ENTITIES:
        raise UserError(f"unknown entity {entity!r} (expected one of {', '.join(ENTITIES)})")
    path = Path(path)
    loaded = load_mapping(mapping) if isinstance(mapping, str | Path) else mapping
    if loaded is not None:
        loaded.check(entity)
        dataset = dataset or loaded.dataset
    if dataset is not None and dataset not in datasets():
        raise UserError(f"unknown dataset {dataset!r} (expected one of {', '.join(datasets())})")
    table = open_table(path, entity=entity, format=format, sheet=sheet,
                       header_row=loaded.header_row if loaded else 1,
                       encoding=loaded.model.encoding if loaded else None)
    if replace_participants and entity != "projects":
        raise UserError("--replace-participants applies to projects only")
    options = {"entity": entity, "format": table.format, "sheet": sheet, "dry_run": dry_run,
               "allow_rejects": allow_rejects, "mapping": None if loaded is None else loaded.name,
               **({"replace_participants": True} if replace_participants else {}),
               **({"allow_takeover": True} if allow_takeover else {}),
               **({"dataset": dataset} if dataset else {})}
    # A comma-separated file does not use the comma as its decimal mark: 1,250 there is 1250
    thousands = f.THOUSANDS_COMMA.set(getattr(table, "delimiter", None) == ",")
    try:
        report = _import_table(engine, entity, path, table, loaded, options, importer=importer, dry_run=dry_run,
                               allow_rejects=allow_rejects, progress=progress, batch_size=batch_size,
                               fast_path=fast_path, replace_participants=replace_participants, dataset=dataset,
                               priority=priority, source_date=source_date, allow_takeover=allow_takeover,
                               force=force)
    finally:
        f.THOUSANDS_COMMA.reset(thousands)
    return report


def _import_table(engine: Engine, entity: str, path: Path, table: Any, loaded: Mapping | None,
                  options: dict[str, Any], *, importer: str | None, dry_run: bool, allow_rejects: bool,
                  progress: Progress | None, batch_size: int, fast_path: bool, replace_participants: bool,
                  dataset: str | None, priority: int | None, source_date: str | None, force: bool,
                  allow_takeover: bool = False) -> ImportReport:
    with import_run(engine, importer or entity, file=path, options=options, dry_run=dry_run,
                    allow_rejects=allow_rejects, rejects_file=rejects_path(path), force=force) as run:
        for warning in table.warnings:
            run.warn(warning)
        job = _FileImport(run, entity, path.name, loaded)
        job.writer.dataset = dataset
        job.writer.allow_takeover = allow_takeover
        if loaded is not None:
            for warning in loaded.bind(table.columns):
                run.warn(warning)
        # the input file states its records, sources included (their values are its statements, ranked by
        # --priority and --source-date like any file's: docs/provenance.md)
        source = file_source(path, run.file_hash, priority=priority, source_date=source_date)
        job.writer.ensure_source(source)
        job.writer.default_cites = [Cite(source.key)]
        _warn_unused(run, entity, table.columns, loaded, path.name)
        job.writer.present = _present_fields(entity, table.columns, loaded)
        job.writer.replace_participants = replace_participants
        job.present_per_row = table.format in ("json", "jsonl", "yaml")
        if fast_path and not dry_run:
            job.fast = FlatProjects.plan_for(entity, table.format, table.columns, loaded)
        batch: list[Any] = []
        report = run.report
        ahead = ReadAhead(table.name, table.rows, table.position, release=table.close,
                          finish=lambda: (table.problems, table.truncated)) \
            if worth_reading_ahead(table.format) else None
        ticker = Ticker(progress, ahead.position if ahead else table.position, table.unit)
        try:
            for line, row in (ahead or table.rows()):
                report.read += 1
                record = job.record(line, row)
                if record is not None:
                    batch.append(record)
                if len(batch) + len(job.rejected) >= batch_size:
                    job.flush(batch)
                    batch = []
                    run.batch_done()
                ticker.tick(report.read)
        finally:
            if ahead is not None:
                ahead.close()
        if ahead is not None:  # what the reading process met: the rows it could not take
            table.problems, table.truncated = ahead.result
        job.flush(batch)
        job.finish()
        if table.truncated:
            raise UserError(f"{table.problems[-1]}; nothing written (the rest of the file cannot be read)")
        if table.problems:
            report.read += sum(1 for p in table.problems if p.line is not None)
            for problem in table.problems:
                run.reject(problem)
        ticker.end(report.read)
        if not table.columns and report.read == 0:
            raise UserError(f"{path.name}: no records found")
        report.preview = job.preview if dry_run and loaded is not None else []
    return run.report


def _warn_unused(run: RunContext, entity: str, columns: list[str], mapping: Mapping | None, name: str) -> None:
    """One warning naming the columns nothing reads; for each that differs from a column of the layout only in
    case or spacing (`Code`, `Signed On`), a hint of its own (also kept in `report.hints`, and shown when the
    import fails: its rows then usually lack a required field)."""
    known = known_columns(entity)
    if mapping is not None:
        used = mapping.used_columns()
        unused = [c for c in columns if c not in used and c not in known]
        targets = {t for c in used for t in mapping.columns.get(c, [])}
        hints = {c: k for c, k in header_hints(unused, known).items() if k not in targets}
    else:
        unused = [c for c in columns if c not in known]
        hints = header_hints(unused, known)
    plain = [c for c in unused if c not in hints]
    if plain:
        run.warn(f"{name}: columns not used for {entity}: {', '.join(plain)}")
    for column, meant in hints.items():
        run.hint(f"{name}: column {column!r} was not used; did you mean {meant!r}?")


def _present_fields(entity: str, columns: list[str], mapping: Mapping | None, *,
                    nested: bool = False) -> set[str] | None:
    """The record fields the input carries (None: all of them, when nothing names the columns). In a
    JSON/YAML record (`nested`) the participants list holds organisations too; in a flat row they have
    their own `organisations` column."""
    if not columns:
        return None
    names = set(columns)
    if mapping is not None:
        names = {t for c in columns for t in mapping.columns.get(c, [c])} | set(mapping.constants)
        names |= set(mapping.templates) | set(mapping.model.derive)
        if entity in COUNTRY_FIELD and any(mapping.matching(c) for c in mapping.countries):
            names.add(COUNTRY_FIELD[entity])  # their country columns become participants / parties
        if mapping.model.organisations:
            names.add("organisations")
        if mapping.model.sources:
            names.add("sources")
    present = set(names)
    references = LAYOUTS[entity].references
    for name in names:
        if name.endswith("_on"):
            present.add(name.replace("_on", "_precision"))
        if name in references:  # stored as an id under another column name
            present.add(references[name])
    present |= set(LAYOUTS[entity].key_fields) - set(references)  # a key is always given
    if nested and "participants" in names:
        present.add("organisations")
    return present
