"""AidData's Global Chinese Development Finance dataset (GCDF) -> projects, organisations, sources.

    import_aiddata(engine, "GlobalChineseOfficialFinanceDataset_v1.0.xlsx")

Reads the workbook (first sheet) or a CSV export of it, in the v1.0, v2.0 or v3.0 layout (detected
from the header; see importers/sources/aiddata.yml). Each AidData record becomes the project
`AIDDATA-<record id>`, whichever release it came from, so a later release updates the projects an
earlier one created and both releases stay cited. Rows are streamed and written in batches; a record
that links to other records (umbrella, parent, "linked to #123") is written with its links where the
records they name are written (earlier, or in its own batch), else its links follow once they are
(importers/writer.py PendingLinks). The mapping is documented in docs/datasets.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from db.errors import UserError
from db.models import Project
from importers.core import ImportReport, Problem, RunContext, import_run, rejects_path
from importers.dataset_rows import Row, Rows, header_table, metadata, read_rows, release_source
from importers.fields import BadValue, boolean, date_with_precision, integer, is_currency, numeric_of
from importers.progress import Progress, Ticker
from importers.readers import Table
from importers.records import Cite, Participant, ProjectRecord, SourceRecord
from importers.resolve import CountryResolver
from importers.writer import PendingLinks, Writer

BATCH = 1000
# Amounts of every money column are Numeric(20, 2): one converter, rounding to the cent
_MONEY = numeric_of(Project.__table__.c.amount, minimum=Decimal(0), round_excess=True)
_ISO3 = re.compile(r"[A-Z]{3}")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_LINKED = re.compile(r"\(([^()]*\blinked\b[^()]*)\)", re.I)
_HASH_ID = re.compile(r"#\s*(\d+)")
_V1_ITEMS = re.compile(r";\s+|;$")  # 'a, Type; b, Type' (a URL may hold ';' without a space)
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
SOURCE_KEY_LIMIT = 500


def compact(column: str) -> str:
    """Header matching ignores case, spaces and punctuation: 'Recipient ISO-3' == 'recipient_iso_3'."""
    return re.sub(r"[^0-9a-z]", "", column.lower())


@dataclass
class Layout:
    version: str
    spec: dict[str, Any]
    columns: dict[str, str]  # our field -> the header as written in this file
    agencies: dict[str, str]  # their column as written in this file -> our role
    missing: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    chosen: dict[str, Any] | None = None  # the published release the file is (choose_release)
    sheet: str | None = None  # the workbook's sheet read, and all its sheets
    sheets: list[str] = field(default_factory=list)

    @property
    def release(self) -> dict[str, Any]:
        return self.chosen or self.spec["release"]

    @property
    def releases(self) -> list[dict[str, Any]]:
        """The files AidData published in this layout: the full release first, then the others."""
        return [self.spec["release"], *self.spec.get("releases", [])]

    @property
    def label(self) -> str:
        return f"AidData GCDF {self.version}"


def fits_a_layout(header: list[str]) -> bool:
    """Whether a header has the marker columns of a known layout (the data sheet of a workbook)."""
    present = {compact(h) for h in header if h}
    return any(all(compact(c) in present for c in spec["detect"]) for spec in metadata("aiddata")["layouts"].values())


def detect_layout(header: list[str], file: str, sheets: list[str] | None = None) -> Layout:
    """The layout whose marker columns are all in the header, or a UserError naming the known ones (and the
    sheets of a workbook, none of which has such a header)."""
    meta = metadata("aiddata")
    present = {compact(h): h for h in header if h}
    for version, spec in meta["layouts"].items():
        if all(compact(c) in present for c in spec["detect"]):
            columns = {}
            missing = []
            for ours, theirs in spec["columns"].items():
                spellings = [theirs] if isinstance(theirs, str) else theirs
                found = next((present[compact(c)] for c in spellings if compact(c) in present), None)
                if found is None:
                    missing.append(" or ".join(spellings))
                else:
                    columns[ours] = found
            agencies = {present[compact(c)]: role for c, role in spec["agencies"].items() if compact(c) in present}
            for needed in ("id", "title"):
                if needed not in columns:
                    raise UserError(f"{file}: the AidData GCDF {version} layout needs the column "
                                    f"'{spec['columns'][needed]}', which is missing")
            used = {*columns.values(), *agencies}
            unmapped = [h for h in header if h and h not in used]
            return Layout(version, spec, columns, agencies, missing, unmapped)
    known = "; ".join(f"v{v}: {', '.join(s['detect'])}" for v, s in meta["layouts"].items())
    first = ", ".join(h for h in header[:4] if h) or "none"
    if sheets and len(sheets) > 1:
        raise UserError(f"{file}: no sheet has the header of a known AidData GCDF layout (sheets: "
                        f"{', '.join(sheets)}): expected the columns of {known} (the first sheet has {first}, ...); "
                        "name the data's sheet with --sheet")
    raise UserError(f"{file}: not a known AidData GCDF layout: expected a header with the columns of "
                    f"{known} (got {first}, ...)")


def choose_release(layout: Layout, header: list[str], count: Callable[[], int], subset: bool) -> dict[str, Any]:
    """Which published file this is: the release whose `detect` columns are all in the header, else (when the
    layout has other releases) the one whose record count the file has (`count()` reads the file once), else
    the layout's full release (whose count the import then checks, unless `subset`)."""
    present = {compact(h) for h in header if h}
    others = layout.spec.get("releases", [])
    for release in others:
        if release.get("detect") and all(compact(c) in present for c in release["detect"]):
            return release
    if others and not subset:
        n = count()
        for release in layout.releases:
            if release.get("records") == n:
                return release
    return layout.spec["release"]


def read_layout(path: Path | str, sheet: str | None = None) -> Layout:
    """The layout of a file, from its header alone (of a workbook: the first sheet that has one of the known
    layouts' headers, unless `sheet` names one)."""
    path = Path(path)
    return _layout_of(header_table(path, sheet=sheet or fits_a_layout), path.name, sheet)


def _layout_of(table: Table, file: str, sheet: str | None) -> Layout:
    """The layout of an opened file's header, with the sheet it was read from (a workbook's)."""
    sheets = getattr(table, "sheet_names", [])
    layout = detect_layout(table.columns, file, sheets if sheet is None else None)
    layout.sheets = sheets
    layout.sheet = table.sheet.title if sheets else None
    return layout


def source_key(url: str) -> str:
    """The URL itself, or `url:sha256:<hash>` when it is longer than a source key may be."""
    if len(url) <= SOURCE_KEY_LIMIT:
        return url
    return "url:sha256:" + hashlib.sha256(url.encode()).hexdigest()


def _date(value: str | None) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    match = _MDY.match(value)
    if match:
        month, day, year = (int(x) for x in match.groups())
        value = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        return date_with_precision(value)
    except BadValue:
        raise BadValue("expected a date like 2014-07-03 or 07/03/2014") from None


class _Mapper:
    """One row of a GCDF file -> a ProjectRecord and the SourceRecords it cites (or Problems)."""

    def __init__(self, layout: Layout, file: str, run: RunContext, resolver: CountryResolver) -> None:
        meta = metadata("aiddata")
        self.resolver = resolver
        self.layout = layout
        self.file = file
        self.run = run
        self.col = layout.columns
        self.status = meta["status"]
        self.source_kinds = meta["source_kinds"]
        self.regional = re.compile(meta["regional_pattern"])
        self.recipient_names = meta["recipient_names"]
        self.financier = meta["financier_country"]
        self.code_format = meta["project_code"]
        self.release_key = layout.release["key"]
        self.base_year = layout.spec["usd_base_year"]
        self.bad_currencies: dict[str, int] = {}
        self._agency_countries: dict[str, bool] = {}  # agency name -> whether it names a country

    def value(self, row: Row, ours: str) -> str | None:
        column = self.col.get(ours)
        return None if column is None else row.values.get(column)

    def convert(self, row: Row, ours: str, fn: Callable[[Any], Any], problems: list[Problem]) -> Any:
        raw = self.value(row, ours)
        try:
            return fn(raw)
        except BadValue as exc:
            problems.append(Problem(self.file, row.line, self.col.get(ours, ours), raw, exc.expected))
            return None

    def code(self, record_id: int | str) -> str:
        return self.code_format.format(id=record_id)

    def map(self, row: Row) -> tuple[ProjectRecord | None, list[SourceRecord], list[Problem], ProjectRecord | None]:
        """(the record, the sources it cites, no problems, None), or for a row with problems (None, [], the
        problems, a record of its participants alone, whose references are to be checked)."""
        problems: list[Problem] = []
        raw_id = self.value(row, "id")
        record_id = None
        with contextlib.suppress(BadValue):
            record_id = integer(raw_id)
        if record_id is None:
            problems.append(Problem(self.file, row.line, self.col["id"], raw_id,
                                    "expected an AidData record id (a whole number)"))
        title = self.value(row, "title")
        if title is None:
            problems.append(Problem(self.file, row.line, self.col["title"], None, "expected a title"))
        status_word = self.value(row, "status")
        status = None
        if status_word is not None:
            status = self.status.get(status_word)
            if status is None:
                problems.append(Problem(self.file, row.line, self.col["status"], status_word,
                                        f"expected one of {', '.join(self.status)}"))

        def money(ours: str) -> Decimal | None:  # rounded to the cent, as the column keeps it
            return self.convert(row, ours, _MONEY, problems)

        amount, usd_constant, usd_nominal = money("amount"), money("amount_usd_constant"), money("amount_usd_nominal")
        currency = self.value(row, "currency")
        if currency is not None and not is_currency(currency):
            self.bad_currencies[currency] = self.bad_currencies.get(currency, 0) + 1
            currency = None
        committed_year = self.convert(row, "committed_year", integer, problems)
        committed_on, committed_precision = self.convert(row, "committed_on", _date, problems) or (None, None)
        if committed_on is None and committed_year is not None:
            committed_on, committed_precision = date_with_precision(str(committed_year))
        started_on, started_precision = self._date_or_year(row, "started", problems)
        completed_on, completed_precision = self._date_or_year(row, "completed", problems)

        def flag(ours: str) -> bool:
            return bool(self.convert(row, ours, boolean, problems))

        recommended = self.convert(row, "recommended_for_aggregates", boolean, problems)
        umbrella = self.convert(row, "umbrella", boolean, problems)

        countries, regions = self._recipients(row)
        participants = [Participant(self.financier, "financier")]
        participants += [Participant(c, "recipient") for c in countries]
        for name, role in self._agencies(row):
            if self._names_a_country(name):  # e.g. 'China' as an implementing agency: the country takes part
                participants.append(Participant(name, "partner"))
            else:
                participants.append(Participant(name, role, is_organisation=True, create_name=True))
        if problems or record_id is None or title is None:
            # not written: only its references, to be checked (Writer.check) so that one run lists them too
            return None, [], problems, ProjectRecord(file=self.file, line=row.line, code=raw_id or "",
                                                     title=title or "", participants=participants)
        sources = self._sources(row)
        record = ProjectRecord(
            file=self.file, line=row.line, code=self.code(record_id), title=title[:500],
            description=self.value(row, "description"), sector=_cut(self.value(row, "sector"), 200),
            sector_code=_cut(self.value(row, "sector_code"), 16), status=status,
            intent=_cut(self.value(row, "intent"), 64), flow_type=_cut(self.value(row, "flow_type"), 100),
            flow_class=_cut(self.value(row, "flow_class"), 64),
            committed_on=committed_on, committed_precision=committed_precision,
            committed_estimated=flag("committed_estimated"),
            started_on=started_on, started_precision=started_precision, started_estimated=flag("started_estimated"),
            completed_on=completed_on, completed_precision=completed_precision,
            completed_estimated=flag("completed_estimated"),
            amount=amount, currency=currency if amount is not None else None,
            amount_year=committed_on.year if committed_on and amount is not None else None,
            amount_usd_nominal=usd_nominal, amount_usd_constant=usd_constant,
            usd_base_year=self.base_year if usd_constant is not None else None,
            amount_estimated=flag("amount_estimated"),
            location_narrative=self.value(row, "location_narrative"),
            is_regional=bool(regions), recipient_region=_cut("; ".join(regions), 200) if regions else None,
            recommended_for_aggregates=recommended, umbrella=umbrella,
            identifiers=[("aiddata", str(record_id))],
            participants=participants, links=self._links(row, record_id, title),
            cites=[Cite(self.release_key, f"record {record_id} (row {row.number})"),
                   *(Cite(s.key) for s in sources)],
        )
        return record, sources, [], None

    def _date_or_year(self, row: Row, what: str, problems: list[Problem]) -> tuple[Any, str | None]:
        on, precision = self.convert(row, f"{what}_on", _date, problems) or (None, None)
        if on is None:
            year = self.convert(row, f"{what}_year", integer, problems)
            if year is not None:
                on, precision = date_with_precision(str(year))
        return on, precision

    def _recipients(self, row: Row) -> tuple[list[str], list[str]]:
        iso3 = self.value(row, "recipient_iso3")
        entries = [e.strip() for e in re.split(r";", iso3) if e.strip()] if iso3 else []
        if not entries and self.value(row, "recipient"):
            entries = [self.value(row, "recipient")]  # type: ignore[list-item]
        countries, regions = [], []
        for entry in entries:
            if _ISO3.fullmatch(entry):
                countries.append(entry)
            elif self.regional.search(entry):
                regions.append(entry)
            else:
                countries.append(self.recipient_names.get(entry, entry))
        return countries, regions

    def _names_a_country(self, name: str) -> bool:
        found = self._agency_countries.get(name)
        if found is None:  # an agency name comes back on many rows: resolved once
            resolved = self.resolver.resolve(name)
            found = self._agency_countries[name] = resolved.ok and (resolved.how or "").startswith("name:")
        return found

    def _agencies(self, row: Row) -> Iterator[tuple[str, str]]:
        comma_type = self.layout.spec["agency_format"] == "name_comma_type"
        for column, role in self.layout.agencies.items():
            cell = row.values.get(column)
            if cell is None:
                continue
            if comma_type:
                names = [item.rsplit(", ", 1)[0] if ", " in item else item for item in _V1_ITEMS.split(cell)]
            else:
                names = cell.split("|")
            for name in names:
                name = name.strip().rstrip(",").strip()
                if name:
                    yield name[:300], role

    def _sources(self, row: Row) -> list[SourceRecord]:
        found: list[tuple[str, str | None, str | None, str | None]] = []  # url, type, title, publisher
        if self.layout.spec["source_format"] == "url_comma_type":
            cell = self.value(row, "sources")
            for item in _V1_ITEMS.split(cell or ""):
                url, _, kind = item.strip().partition(", ")
                if url.strip():
                    found.append((url.strip(), kind.strip() or None, None, None))
        else:
            urls = (self.value(row, "source_urls") or "").split("|")
            n = len(urls)

            def parallel(ours: str) -> list[str | None]:
                items = (self.value(row, ours) or "").split("|")
                return [i.strip() or None for i in items] if len(items) == n else [None] * n

            for url, kind, title, publisher in zip(urls, parallel("source_types"), parallel("source_titles"),
                                                   parallel("source_publishers"), strict=True):
                if url.strip():
                    found.append((url.strip(), kind, title, publisher))
        sources, seen = [], set()
        for url, kind, title, publisher in found:
            key = source_key(url)
            if key in seen:
                continue
            seen.add(key)
            is_url = bool(_URL.match(url))
            sources.append(SourceRecord(
                file=self.file, line=row.line, key=key, kind=self.source_kinds.get(kind or "", "web_page"),
                url=url[:2000] if is_url else None, title=_cut(title or (None if is_url else url), 500),
                publisher=_cut(publisher, 300), notes=f"AidData source type: {kind}" if kind else None,
            ))
        return sources

    def _links(self, row: Row, record_id: int, title: str) -> list[tuple[str, str]]:
        links: list[tuple[str, str]] = []
        for note in _LINKED.findall(title):
            kind = "umbrella" if "umbrella" in note.lower() else "linked"
            links += [(self.code(n), kind) for n in _HASH_ID.findall(note) if int(n) != record_id]
        parent = self.value(row, "parent_id")
        if parent and parent.isdigit() and int(parent) != record_id:
            links.append((self.code(parent), "parent"))
        return list(dict.fromkeys(links))


def _cut(text: str | None, limit: int) -> str | None:
    return None if text is None else text[:limit]


def import_aiddata(engine: Engine, path: Path | str, *, subset: bool = False, dry_run: bool = False,
                   allow_rejects: bool = False, batch_size: int = BATCH,
                   progress: Progress | None = None, force: bool = False,
                   allow_takeover: bool = False, sheet: str | None = None) -> ImportReport:
    """Import one GCDF file (.xlsx or .csv, any known layout), cited as the published release it is
    (`choose_release`). `subset`: the file is an extract, so its record count is not checked against the
    published releases (it is cited as the layout's full release). A workbook's data is read from `sheet`, else
    from its first sheet with the header of a known layout (the 3.0 workbook has more sheets than its data)."""
    path = Path(path)
    chosen = sheet or fits_a_layout
    header, rows = read_rows(path, sheet=chosen)
    layout = _layout_of(rows.table, path.name, sheet)
    layout.chosen = choose_release(layout, header, lambda: sum(1 for _row in read_rows(path, sheet=chosen)[1]),
                                   subset)
    options = {"layout": layout.version, "release": layout.release["key"], "subset": subset, "dry_run": dry_run,
               "allow_rejects": allow_rejects, **({"allow_takeover": True} if allow_takeover else {}),
               **({"sheet": layout.sheet} if len(layout.sheets) > 1 else {})}
    with import_run(engine, "aiddata", file=path, options=options, dry_run=dry_run,
                    allow_rejects=allow_rejects, rejects_file=rejects_path(path), force=force) as run:
        if layout.missing:
            run.warn(f"{path.name}: columns of the {layout.label} layout missing from the file (left empty): "
                     f"{', '.join(layout.missing)}")
        if layout.unmapped:
            run.warn(f"{path.name}: columns not imported: {', '.join(layout.unmapped)}")
        for warning in rows.warnings:
            run.warn(warning)
        _load(run, layout, path.name, rows, subset, batch_size, progress, allow_takeover)
    return run.report


def _load(run: RunContext, layout: Layout, file: str, rows: Rows, subset: bool, batch_size: int,
          progress: Progress | None, allow_takeover: bool = False) -> None:
    meta = metadata("aiddata")
    writer = Writer(run)
    writer.allow_takeover = allow_takeover
    writer.ensure_source(release_source(meta, layout.release))
    writer.statement_source = layout.release["key"]
    mapper = _Mapper(layout, file, run, writer.resolver)
    written_sources: set[str] = set()  # the first row naming a source sets its fields, in every run
    ids_in_file: dict[str, int] = {}  # project code -> line
    pending = PendingLinks(writer)  # links written with their records where the projects they name are there
    batch: list[ProjectRecord] = []
    sources: list[SourceRecord] = []

    def flush() -> None:
        writer.sources(sources, count=False)
        pending.write(writer.projects, batch)
        sources.clear()
        batch.clear()
        run.batch_done()

    ticker = Ticker(progress, rows.position, rows.unit)
    for row in rows:
        run.report.read += 1
        record, row_sources, problems, rejected = mapper.map(row)
        for problem in problems:
            run.reject(problem)
        if record is not None and record.code in ids_in_file:
            run.reject(Problem(file, row.line, layout.columns["id"], raw_id(record),
                               f"expected a record id appearing once (also on line {ids_in_file[record.code]})"))
            rejected, record = record, None
        if record is None:  # a rejected record is never written, not even in part; its references are checked
            writer.check("projects", [replace(rejected, cites=[])])
            continue
        ids_in_file[record.code] = row.line
        for source in row_sources:
            if source.key not in written_sources:
                written_sources.add(source.key)
                sources.append(source)
        batch.append(record)
        if len(batch) >= batch_size:
            flush()
        ticker.tick(run.report.read)
    flush()
    ticker.end(run.report.read)
    _check_count(layout, file, run.report.read, subset)
    dropped = []
    waiting = pending.rest()
    for record in waiting:
        keep = []
        for code, kind in record.links:
            if code in ids_in_file or writer.project_id(code) is not None:
                keep.append((code, kind))
            else:
                dropped.append(f"{code} (linked from {record.code})")
        record.links = keep
    writer.project_links(waiting)
    if dropped:
        run.warn(f"{file}: {len(dropped)} links to AidData records that are neither in this file nor in the "
                 f"database were left out, e.g. {', '.join(dropped[:3])}")
    for currency, count in sorted(mapper.bad_currencies.items()):
        run.warn(f"{file}: {count} rows have the currency {currency!r}, which is not an ISO 4217 code; "
                 "their currency is left empty")


def raw_id(record: ProjectRecord) -> str:
    return record.code.rsplit("-", 1)[-1]


def _check_count(layout: Layout, file: str, read: int, subset: bool) -> None:
    if subset or read == layout.release["records"]:
        return
    if layout.chosen is not None and layout.chosen is not layout.spec["release"]:
        raise UserError(f"{file}: {layout.release['title']} has {layout.release['records']:,} records; this file "
                        f"has {read:,}. If it is an extract of that release, import it with --subset")
    known = " or ".join(f"{r['records']:,} ({r['label']})" for r in layout.releases)
    raise UserError(f"{file}: {layout.label} files have {known} records; this one has {read:,}. If it is "
                    "an extract of a release, import it with --subset")
