"""Correlates of War IGO v3 (IGO-year, one column per state) -> forums and membership spans.

    import_cow_igo(engine, "igo_year_formatv3.csv", states="cow_states2016.csv")

Each IGO (`ioname`) becomes a forum of kind intergovernmental_organisation, with its COW
abbreviation as the external code (cow_igo, ABBR); a forum that already carries that code keeps its
own coopdb code. Each run of consecutive years in which a state has the same status becomes one
membership: 1 full -> member, 2 associate -> associate, 3 observer -> observer. Any other value ends
the run: 0 (not a member), -9 (missing), -1 (state not in the system) and blank; a later year with a
status starts a new span. Spans run from their first to their last year (precision: year, stored as
1 January); a span that reaches the last year of the file is still running (ended_on NULL). State
columns are COW state names without spaces (`congobrazz`); the COW state list maps them to COW
abbreviations, which the country resolver knows (scheme cow_abbrev). The file must be grouped by IGO
and in year order within each IGO, as published.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Engine

from db.errors import UserError
from db.yamldata import load_data
from importers.core import ImportReport, Problem, RunContext, import_run, rejects_path
from importers.dataset_rows import SOURCES_DIR, ForumCodes, Row, metadata, read_rows, release_source
from importers.fields import BadValue, integer
from importers.progress import Progress, Ticker
from importers.records import Cite, ForumRecord, MembershipRecord, Name
from importers.writer import Writer

BATCH = 2000
_VALID = frozenset((None, "0", "1", "2", "3", "-9", "-1"))  # cells as read: blank is None


@dataclass
class _Span:
    role: str
    first: int
    last: int
    first_line: int
    last_line: int


def read_states(path: Path | str) -> dict[str, str]:
    """COW state list: the wide file's state column name (`state`) -> COW abbreviation (`stateabb`). COW's own
    list (states2016.csv) has no `state` column: its abbreviations are checked against coopdb's table of the
    columns (importers/sources/cow_state_columns.yml), which then maps them."""
    header, rows = read_rows(path)
    if "stateabb" not in header:
        raise UserError(f"{Path(path).name}: expected the COW state list with the columns stateabb (and state) "
                        f"(got {', '.join(header[:6])})")
    if "state" not in header:
        listed = {r.values["stateabb"] for r in rows if r.values.get("stateabb")}
        return {column: abbrev for column, abbrev in state_columns_table().items() if abbrev in listed}
    return {r.values["state"]: r.values["stateabb"] for r in rows if r.values.get("state") and r.values.get("stateabb")}


@cache
def state_columns_table() -> dict[str, str]:
    """coopdb's own table of the IGO-year file's state columns -> COW abbreviations (scripts/cow_state_columns.py)."""
    with open(SOURCES_DIR / "cow_state_columns.yml", encoding="utf-8") as fh:
        return {str(k): str(v) for k, v in load_data(fh).items()}


def default_states_file(path: Path) -> Path | None:
    """A COW state list beside the file: cow_states*.csv (as packaged with igoR) or COW's own states*.csv."""
    candidates = sorted(path.parent.glob("cow_states*.csv")) or sorted(path.parent.glob("states*.csv"))
    return candidates[-1] if candidates else None


def import_cow_igo(engine: Engine, path: Path | str, *, states: Path | str | None = None, subset: bool = False,
                   dry_run: bool = False, allow_rejects: bool = False,
                   progress: Progress | None = None, force: bool = False) -> ImportReport:
    """Import the COW IGO-year file. `states`: the COW state list (default: cow_states*.csv or states*.csv
    beside the file, else coopdb's own table of the file's state columns). `subset`: the file is an extract, so
    its row and IGO counts are not checked."""
    path = Path(path)
    states_path = Path(states) if states else default_states_file(path)
    state_abbrevs = read_states(states_path) if states_path is not None else state_columns_table()
    header, rows = read_rows(path)
    meta = metadata("cow_igo")
    if header[:3] != ["ioname", "orgname", "year"]:
        raise UserError(f"{path.name}: expected the COW IGO-year file, whose header starts with ioname, orgname, "
                        f"year (got {', '.join(header[:3])})")
    state_columns = [h for h in header[3:] if h and h not in meta["non_state_columns"]]
    unknown = [c for c in state_columns if c not in state_abbrevs]
    if unknown:
        listed = states_path.name if states_path is not None else "importers/sources/cow_state_columns.yml"
        raise UserError(f"{path.name}: state columns not in the COW state list {listed}: "
                        f"{', '.join(unknown[:10])}")
    options = {"states": str(states_path) if states_path is not None else "coopdb's table of the state columns",
               "subset": subset, "dry_run": dry_run, "allow_rejects": allow_rejects}
    with import_run(engine, "cow-igo", file=path, options=options, dry_run=dry_run,
                    allow_rejects=allow_rejects, rejects_file=rejects_path(path), force=force) as run:
        for warning in rows.warnings:
            run.warn(warning)
        _Loader(run, meta, path.name, state_columns, state_abbrevs, progress).load(rows, subset)
    return run.report


class _Loader:
    def __init__(self, run: RunContext, meta: dict, file: str, state_columns: list[str],
                 state_abbrevs: dict[str, str], progress: Progress | None) -> None:
        self.run = run
        self.meta = meta
        self.file = file
        self.state_columns = state_columns
        self.abbrevs = state_abbrevs
        self.progress = progress
        self.ticker: Ticker | None = None
        self.roles: dict[str, str] = meta["roles"]
        # a row's values -> the cells of the state columns, in their order (a tuple, even for one column)
        if len(state_columns) > 1:
            self.cells = operator.itemgetter(*state_columns)
        else:
            self.cells = lambda values: tuple(values[c] for c in state_columns)
        self.writer = Writer(run)
        self.release = meta["release"]["key"]
        self.scheme = meta["code_scheme"]
        self.forum_codes = ForumCodes(run.conn, self.scheme, "COW", meta.get("same_as"))
        self.spans: list[tuple[str, str, _Span]] = []  # (forum code, state column, span)
        # IGO-year lines of the file; the headline `read` counts the records made of them (forums, memberships)
        self.lines = 0
        self.last_year = 0

    def load(self, rows, subset: bool) -> None:
        self.writer.ensure_source(release_source(self.meta, self.meta["release"]))
        self.writer.statement_source = self.meta["release"]["key"]
        forums: list[ForumRecord] = []
        done: set[str] = set()
        group: list[Row] = []
        self.ticker = Ticker(self.progress, rows.position, rows.unit)
        for row in rows:
            self.lines += 1
            if group and row.values["ioname"] != group[0].values["ioname"]:
                forums.append(self.igo(group, done))
                self.run.report.read += 1
                group = []
                if len(forums) >= BATCH // 10:
                    self.writer.forums(forums)
                    forums.clear()
            group.append(row)
            self.ticker.tick(self.lines)
        self.ticker.end(self.lines)
        if group:
            forums.append(self.igo(group, done))
            self.run.report.read += 1
        self.writer.forums(forums)
        if not subset:
            self.check_counts(len(done))
        self.write_memberships()
        # an extract may hold some years of a forum only: its spans are not the release's whole list
        self.writer.finish(retract=not subset)

    def check_counts(self, igos: int) -> None:
        read = self.lines
        if (read, igos) != (self.meta["expected_rows"], self.meta["expected_forums"]):
            raise UserError(f"{self.file}: the COW IGO v3.0 file has {self.meta['expected_rows']:,} IGO-years of "
                            f"{self.meta['expected_forums']:,} IGOs; this one has {read:,} of {igos:,}. If it is "
                            "an extract, import it with --subset")

    def igo(self, group: list[Row], done: set[str]) -> ForumRecord:
        first = group[0]
        abbr = first.values["ioname"] or ""
        if abbr in done:
            self.run.reject(Problem(self.file, first.line, "ioname", abbr,
                                    "expected the rows of one IGO together (this IGO appeared earlier in the file)"))
        done.add(abbr)
        code = self.forum_codes.code(abbr, abbr)
        open_spans: dict[int, _Span] = {}  # index of the state column -> its span running up to the last row
        previous = None  # the year and the line of the last row taken
        previous_line = 0
        previous_cells: tuple = ()
        roles: dict[int, str] = {}
        valid = True

        def end(ended) -> None:  # the spans that ran up to the previous row
            for i in ended:
                span = open_spans.pop(i)
                span.last, span.last_line = previous, previous_line
                self.spans.append((code, self.state_columns[i], span))

        for row in group:
            try:
                year = integer(row.values["year"])
            except BadValue as exc:
                self.run.reject(Problem(self.file, row.line, "year", row.values["year"], exc.expected))
                self.check(row)
                continue
            if year is None or (previous is not None and year <= previous):
                self.run.reject(Problem(self.file, row.line, "year", row.values["year"],
                                        f"expected a year after {previous} (rows of one IGO in year order)"))
                self.check(row)
                continue
            # the row's cells of the state columns, taken at once: 232 states a row, most of them 0 or -1, and
            # most rows the same as the year before, which changes no span
            cells = self.cells(row.values)
            changed = cells != previous_cells
            if changed:
                valid, roles, previous_cells = _VALID.issuperset(cells), self.roles_of(cells), cells
            if not valid:
                for column, value in zip(self.state_columns, cells, strict=True):
                    if value not in _VALID:
                        self.run.reject(Problem(self.file, row.line, column, value,
                                                "expected a COW membership code: 0, 1, 2, 3, -9 or -1"))
            if previous is not None and year != previous + 1:  # a gap in the years ends every span
                end(sorted(open_spans))
            elif changed:  # a span ends where its state has another role or none
                end(sorted(i for i, span in open_spans.items() if roles.get(i) != span.role))
            if changed or not open_spans:
                for i, role in roles.items():
                    if i not in open_spans:
                        open_spans[i] = _Span(role, year, year, row.line, row.line)
            previous, previous_line = year, row.line
            self.last_year = max(self.last_year, year)
        end(list(open_spans))  # still running in the last row of the IGO: in the order they began
        last = group[-1].values
        name = (first.values.get("longorgname") or first.values.get("orgname") or abbr)[:300]
        founded = _year(first.values.get("sdate"))
        dead = (last.get("dead") or "0") not in ("0", "")
        dissolved = _year(last.get("deaddate")) if dead else None
        names = [Name(n[:300], "en", "common") for n in {first.values.get("orgname")} if n and n != name]
        return self.forum_codes.keep_existing(ForumRecord(
            file=self.file, line=first.line, code=code, name=name, kind=self.meta["forum_kind"],
            acronym=abbr[:32], founded_on=founded, founded_precision="year" if founded else None,
            dissolved_on=dissolved, dissolved_precision="year" if dissolved else None,
            names=names, codes=[(self.scheme, abbr)],
            cites=[Cite(self.release, f"ioname {abbr} (lines {first.line}-{group[-1].line})")],
        ))

    def roles_of(self, cells: tuple) -> dict[int, str]:
        """Index of the state column -> the role its cell gives, in column order (a few states among the 232)."""
        found = {}
        for code, role in self.roles.items():
            i = -1
            with contextlib.suppress(ValueError):
                while True:
                    i = cells.index(code, i + 1)
                    found[i] = role
        return dict(sorted(found.items()))

    def check(self, row: Row) -> None:
        """The countries of a row rejected for its year, resolved as its memberships would be, so that one run
        lists every problem of the row."""
        self.writer.check("memberships", [
            MembershipRecord(file=self.file, line=row.line, country=self.abbrevs[column],
                             country_code_scheme=self.meta["country_code_scheme"])
            for column in self.state_columns if self.roles.get(row.values[column] or "") is not None])

    def write_memberships(self) -> None:
        batch: list[MembershipRecord] = []
        for code, column, span in self.spans:
            self.run.report.read += 1
            running = span.last == self.last_year
            batch.append(MembershipRecord(
                file=self.file, line=span.first_line, forum=code, country=self.abbrevs[column],
                country_code_scheme=self.meta["country_code_scheme"], role=span.role,
                started_on=dt.date(span.first, 1, 1), started_precision="year",
                ended_on=None if running else dt.date(span.last, 1, 1), ended_precision=None if running else "year",
                cites=[Cite(self.release, f"ioname {code}, column {column}, lines {span.first_line}-{span.last_line}")],
            ))
            if len(batch) >= BATCH:
                self.writer.memberships(batch)
                batch.clear()
                self.run.batch_done()
        self.writer.memberships(batch)


def _year(value: str | None) -> dt.date | None:
    try:
        year = integer(value)
    except BadValue:
        return None
    return dt.date(year, 1, 1) if year and year > 0 else None
