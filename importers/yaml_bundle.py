"""Importing a bundle file (YAML or JSON) of our record layout; see importers/bundle.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from db.errors import UserError
from importers.bundle import (
    LINE_KEY,
    carried_fields,
    iter_sections,
    known_fields,
    to_record,
    unknown_fields,
    update_item,
)
from importers.core import ImportReport, Problem, file_sha256, import_run, rejects_path
from importers.documents import load_document
from importers.fields import BadValue, date_with_precision
from importers.records import Cite, SourceRecord
from importers.tabular import header_hints
from importers.writer import Writer


def read_bundle(path: Path) -> Any:
    """The parsed YAML/JSON document (importers/documents.py: every scalar as text, lines as LINE_KEY)."""
    data = load_document(path)
    if data is None:
        raise UserError(f"{path.name}: the file is empty (expected sections such as forums: or projects:)")
    return data


def file_source(path: Path, digest: str | None = None, *, priority: int | None = None,
                source_date: str | None = None) -> SourceRecord:
    """The input file itself as a source, keyed by its name (`file:projects.csv`): every record cites it
    with its line, and a new version of the file is the same source, so that what it no longer says is
    retracted (docs/provenance.md). `content_hash` is the sha256 of the version imported last. Pass the
    run's `file_hash` as `digest` so that the file is not read a second time."""
    digest = digest or file_sha256(path)  # streamed: a large file is not held in memory to hash it
    published_on = precision = None
    if source_date is not None:
        try:
            published_on, precision = date_with_precision(source_date)
        except BadValue as exc:
            raise UserError(f"--source-date: {exc.expected} (got {source_date!r})") from None
    return SourceRecord(key=f"file:{path.name}", kind="dataset", title=path.name, content_hash=digest,
                        notes="Imported file; citations give the line of each record.", priority=priority,
                        published_on=published_on, published_precision=precision)


def import_bundle(engine: Engine, path: Path | str, *, dry_run: bool = False, allow_rejects: bool = False,
                  importer: str = "bundle", cite_file: bool = True, priority: int | None = None,
                  source_date: str | None = None, allow_takeover: bool = False,
                  force: bool = False) -> ImportReport:
    """`force`: with `allow_rejects`, replace an existing rejects file (importers.core.import_run)."""
    path = Path(path)
    data = read_bundle(path)
    sections = list(iter_sections(data, path.name))
    with import_run(engine, importer, file=path, options={"dry_run": dry_run, "allow_rejects": allow_rejects},
                    dry_run=dry_run, allow_rejects=allow_rejects, rejects_file=rejects_path(path), force=force) as run:
        writer = Writer(run)
        writer.allow_takeover = allow_takeover
        if cite_file:
            source = file_source(path, run.file_hash, priority=priority, source_date=source_date)
            writer.ensure_source(source)
            writer.default_cites = [Cite(source.key)]
        for section, items in sections:
            if section == "updates":
                _updates(run, writer, path, items)
                continue
            records, rejected = [], []
            unknown: set[str] = set()
            for item in items:
                run.report.read += 1
                if not isinstance(item, dict):
                    run.reject(Problem(path.name, None, section, item, "expected a mapping of fields"))
                    continue
                unknown |= unknown_fields(section, item)
                record, problems = to_record(section, item, path.name, item.get(LINE_KEY), partial=True)
                for problem in problems:
                    run.reject(problem)
                if problems:
                    rejected.append(record)  # its references are checked too: every problem in one pass
                elif record is not None:
                    # a record says what it names: the fields it leaves out keep their stored values
                    record.present = carried_fields(section, item)
                    records.append(record)
            hints = header_hints(sorted(unknown), known_fields(section))
            plain = sorted(unknown - set(hints))
            if plain:
                run.warn(f"{path.name}: fields not used in {section}: {', '.join(plain)}")
            for name, meant in hints.items():
                run.hint(f"{path.name}: field {name!r} was not used in {section}; did you mean {meant!r}?")
            writer.write(section, records)
            writer.check(section, rejected)
        writer.finish()
    return run.report


def _updates(run, writer: Writer, path: Path, items: list[Any]) -> None:
    """`updates:` items: what the cited source says about records that exist (never inserts one)."""
    by_section: dict[str, list] = {}
    unknown: dict[str, set[str]] = {}
    for item in items:
        run.report.read += 1
        if not isinstance(item, dict):
            run.reject(Problem(path.name, None, "updates", item, "expected a mapping of fields"))
            continue
        line = item.get(LINE_KEY)
        found = update_item(item)
        if isinstance(found, str):
            run.reject(Problem(path.name, line, "updates", None, found))
            continue
        section, data = found
        unknown.setdefault(section, set()).update(unknown_fields(section, data))
        record, problems = to_record(section, data, path.name, line, update=True)
        for problem in problems:
            run.reject(problem)
        if record is not None:
            record.present = carried_fields(section, data)
            by_section.setdefault(section, []).append(record)
    for section, names in unknown.items():
        if names:
            run.warn(f"{path.name}: fields not used in updates of {section}: {', '.join(sorted(names))}")
    for section, records in by_section.items():
        writer.write(section, writer.existing(section, records))
