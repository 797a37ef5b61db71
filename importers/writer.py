"""Writing typed records: resolve references, upsert by natural key, attach citations.

    writer = Writer(run)                      # run: importers.core.RunContext
    writer.sources([...]); writer.forums([...]); writer.projects([...])   # batches, in any number

Each method takes one batch of records. A record whose reference cannot be resolved (an unknown or
ambiguous country, a forum, organisation, project or source that does not exist) is rejected with a
Problem naming its file, line and field, and nothing of it is written; the other records go on. The
run decides at the end whether rejected rows abort the whole import (the default) or not.

Values are statements (importers/statements.py, docs/provenance.md): each record is stated by one
source (`statement_source`, else its first cited source, else the input file), only the fields the input
carries (`present`, or a JSON/YAML record's own keys) are stated, and the record tables are derived from
all sources' statements by the precedence. A child row (participant, party, name, link) stays while any
source lists it; with `replace_participants` (`--replace-participants`) a record's participants also
retract those other sources list. Citations are added as before (record level).

Headline counts are per record: inserted when new, updated when a current value or child row changed,
unchanged otherwise. Per-table counts are in `report.details` (statements under `statements`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import func, select

from db.base import Base
from db.models import (
    Forum,
    ForumName,
    Organisation,
    OrganisationName,
    Project,
    Source,
)
from db.upsert import UpsertResult, _select_existing, insert_new, same_value, upsert
from db.vocab import IDENTIFIER_RECORD_TYPES
from importers import identity
from importers.core import Problem, RunContext
from importers.entities import AGREEMENT, BY_TABLE, FORUM, LAYOUTS, MEMBERSHIP, ORGANISATION, PROJECT, SOURCE, Entity
from importers.normalize import fold
from importers.records import (
    AGREEMENT_COLUMNS,
    PROJECT_COLUMNS,
    SOURCE_COLUMNS,
    AgreementRecord,
    Cite,
    ForumRecord,
    Located,
    MembershipRecord,
    Name,
    OrganisationRecord,
    ProjectRecord,
    SourceRecord,
)
from importers.resolve import SCHEMES, CountryResolver
from importers.statements import Item, StatementWriter

T = Base.metadata.tables
AMBIGUOUS = -1
_project_values = attrgetter(*PROJECT_COLUMNS)


def slug_code(text: str, limit: int = 110) -> str:
    """A stable code made from a name: 'China Development Bank' -> 'CHINA-DEVELOPMENT-BANK'."""
    folded = fold(text).upper().replace(" ", "-")
    return folded[:limit] or "UNNAMED"


@lru_cache(maxsize=1 << 16)
def _folded(name: str) -> str:
    """fold(name), remembered: a data set names the same agencies and forums on thousands of rows."""
    return fold(name)


class _Index:
    """code -> id and folded name -> id(s) for one table, loaded once per run and kept current."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, int] = {}

    def add(self, row_id: int, code: str, *names: str | None) -> None:
        self.by_code[code.upper()] = row_id
        for name in names:
            if name:
                key = _folded(name)
                current = self.by_name.get(key)
                self.by_name[key] = row_id if current in (None, row_id) else AMBIGUOUS

    def get(self, ref: str) -> int | None:
        hit = self.by_code.get(ref.strip().upper())
        return hit if hit is not None else self.by_name.get(_folded(ref))


class Writer:
    def __init__(self, run: RunContext, *, resolver: CountryResolver | None = None,
                 default_cites: Sequence[Cite] = ()) -> None:
        self.run = run
        self.conn = run.conn
        self._resolver = resolver
        self.default_cites = list(default_cites)
        self._forums: _Index | None = None
        self._orgs: _Index | None = None
        self._projects: dict[str, int] | None = None
        self._sources: dict[str, int] = {}
        self._countries: dict[tuple[str, str | None], int] = {}  # (reference, scheme) -> country id resolved
        # Codes (upper case) of projects whose links come later through project_links()
        self.links_later: set[str] = set()
        # When set: the fields the input has; other columns of existing rows are left as they are
        # (a file without a `status` column does not blank the status of the projects it names).
        self.present: set[str] | None = None
        # True: the participants of a project record replace the stored ones (see the module's docstring)
        self.replace_participants = False
        # The key of the source every record's statements belong to (a data set release); None: each
        # record's first cited source, else the input file
        self.statement_source: str | None = None
        self.statements = StatementWriter(run)
        self._outcome: dict[tuple[str, tuple], str] = {}
        self.dataset: str | None = None  # resolve country names with this data set's spellings first
        # True: a code may take over a record that another source created under another identifier scheme
        self.allow_takeover = False
        # (record type, code as imported) -> the code of the record it was found to be (identifier, merge)
        self._renamed: dict[tuple[str, str], str] = {}
        self._identified: dict[tuple[str, str, str], tuple[str, int | None]] = {}  # identifier -> file, line
        # (source id, forum id) -> the memberships that source lists for that forum in this import
        self._listed: dict[tuple[int, int], set[int]] = {}

    # ------------------------------------------------------------------ lookups
    @property
    def resolver(self) -> CountryResolver:
        if self._resolver is None:
            self._resolver = CountryResolver.load_required(self.conn)
        return self._resolver

    @property
    def forum_index(self) -> _Index:
        if self._forums is None:
            self._forums = _Index()
            for row in self.conn.execute(select(Forum.id, Forum.code, Forum.name, Forum.acronym)):
                self._forums.add(row.id, row.code, row.name, row.acronym)
            for row in self.conn.execute(select(ForumName.forum_id, ForumName.name)):
                self._forums.add(row.forum_id, f"#{row.forum_id}", row.name)
        return self._forums

    @property
    def org_index(self) -> _Index:
        if self._orgs is None:
            self._orgs = _Index()
            for row in self.conn.execute(
                select(Organisation.id, Organisation.code, Organisation.name, Organisation.acronym)
            ):
                self._orgs.add(row.id, row.code, row.name, row.acronym)
            for row in self.conn.execute(select(OrganisationName.organisation_id, OrganisationName.name)):
                self._orgs.add(row.organisation_id, f"#{row.organisation_id}", row.name)
        return self._orgs

    def project_id(self, code: str) -> int | None:
        """The id of the project with this code, or of the project the code was merged into or found to be."""
        if self._projects is None:
            self._projects = identity.merged(self.conn, PROJECT)
            self._projects.update({r.code.upper(): r.id for r in self.conn.execute(select(Project.id, Project.code))})
        code = code.strip().upper()
        code = self._renamed.get(("project", code), code).upper()
        return self._projects.get(code)

    def source_id(self, key: str) -> int | None:
        if key not in self._sources:
            found = self.conn.execute(select(Source.id).where(Source.key == key)).scalar_one_or_none()
            if found is None:
                return None
            self._sources[key] = found
        return self._sources[key]

    # ------------------------------------------------------------------ helpers
    def _problem(self, record: Located, field: str | None, value: Any, expected: str) -> None:
        """A problem of `record`, worded as every problem is: `expected …` (got the value)."""
        if not expected.startswith("expected "):
            expected = f"expected {expected}"
        self.run.reject(Problem(record.file, record.line, field, value, expected))

    def _country(self, record: Located, field: str, text: str, scheme: str | None = None) -> int | None:
        found = self._countries.get((text, scheme))
        if found is not None:
            return found
        country_id = self._resolve_country(record, field, text, scheme)
        if country_id is not None and len(self._countries) < 65_536:
            self._countries[(text, scheme)] = country_id
        return country_id

    def _resolve_country(self, record: Located, field: str, text: str, scheme: str | None) -> int | None:
        if scheme is None:
            scheme, text = split_ref(text)
            if scheme in ("forum", "organisation"):
                self._problem(record, field, text, "a country (this field takes no forum or organisation)")
                return None
        if scheme in SCHEMES:
            res = self.resolver.resolve_as(text, scheme, dataset=self.dataset)
        else:
            res = self.resolver.resolve_code(scheme, text) if scheme else \
                self.resolver.resolve(text, dataset=self.dataset)
        if res.ok:
            return res.country_id
        if res.how == "forum":
            self._problem(record, field, text, f"a country ({res.note}; forums are parties of agreements only)")
            return None
        if res.status == "ambiguous":
            options = ", ".join(f"{code} {name}" for code, name in res.candidates)
            self._problem(record, field, text, f"an unambiguous country: could be {options}")
        else:
            what = f"a {scheme} country code known to coopdb" if scheme else "a country name or code known to coopdb"
            self._problem(record, field, text, f"{what}{_did_you_mean(res.suggestions)}")
        return None

    def _forum(self, record: Located, field: str, ref: str) -> int | None:
        found = self.forum_index.get(ref)
        if found is None:
            self._problem(record, field, ref, "the code or name of a known forum (import forums first)")
        elif found == AMBIGUOUS:
            self._problem(record, field, ref, "a forum name that belongs to one forum only (use its code)")
            return None
        return found

    def _upsert(self, table: str, rows: list[dict], key: Sequence[str], compare: Sequence[str] | None = None,
                *, ids: bool = True) -> UpsertResult:
        result = upsert(self.conn, T[table], rows, key, run_id=self.run.run_id, compare=compare, ids=ids)
        self.run.report.add(result, table, count=False)
        return result

    def _cite(self, record_type: str, pairs: list[tuple[int | None, Located, list[Cite]]],
              fresh: set[int] = frozenset()) -> None:
        """Cite each record by its own sources, then by `default_cites` (the input file, located at the
        record's line unless the cite names a locator). `fresh`: ids of records this import inserted, whose
        citations cannot exist yet (written straight, without ON CONFLICT)."""
        rows, new_rows, seen = [], [], set()
        defaults = [(c, self.source_id(c.source_key)) for c in self.default_cites]
        for record_id, record, cites in pairs:
            line = f"line {record.line}" if record.line is not None else ""
            for cite, source_id, locator in [*((c, self.source_id(c.source_key), c.locator) for c in cites),
                                             *((c, source_id, c.locator or line) for c, source_id in defaults)]:
                if source_id is None:
                    self._problem(record, "source", cite.source_key, "the key or URL of a known source "
                                  "(list it in the sources of this import, or import it first)")
                    continue
                if record_id is None:  # a dry run: the record is not written, its sources are checked
                    continue
                k = (source_id, record_type, record_id, cite.field, locator)
                if k in seen:
                    continue
                seen.add(k)
                (new_rows if record_id in fresh else rows).append(
                    {"source_id": source_id, "record_type": record_type, "record_id": record_id,
                     "field": cite.field, "locator": locator, "quote": cite.quote})
        if new_rows:
            written = insert_new(self.conn, T["citations"], new_rows, run_id=self.run.run_id)
            self.run.report.add(UpsertResult(inserted=written), "citations", count=False)
        if rows:
            self._upsert("citations", rows, ("source_id", "record_type", "record_id", "field", "locator"),
                         compare=("quote",), ids=False)

    def _dedupe(self, records: Sequence[Located], key_of) -> list[Located]:
        seen: dict[Any, Located] = {}
        kept = []
        for record in records:
            key = key_of(record)
            if key in seen:
                first = seen[key]
                where = f"line {first.line}" if first.line is not None else "an earlier record"
                self._problem(record, None, key if not isinstance(key, tuple) else "/".join(map(str, key)),
                              f"a record appearing once (the same key is also on {where})")
                continue
            seen[key] = record
            kept.append(record)
        return kept

    # ------------------------------------------------------------------ entities
    def sources(self, records: Sequence[SourceRecord], *, count: bool = True) -> None:
        """Sources as records of the import (count=True) or as what other records cite (count=False:
        only in the per-table details, so that a data set's headline counts stay its rows). Where the import
        has a stating source (a data set release, the input file), their values are its statements, decided
        by the same precedence as every record's: an older release that describes a cited source changes
        nothing, whatever the order of the imports. Sources an import describes with no stating source of its
        own (an article, the reference data) are written directly, the newest import winning. Either way a
        value nobody gives keeps the stored one: a file without a publisher column clears nothing."""
        records = self._dedupe(records, lambda r: r.key)
        if self.statement_source is None and not self.default_cites:  # stated by nobody but the import itself
            self._write_sources_directly(records, count=count)
            return
        items = [item for r in records
                 if (item := self._item(SOURCE, r, (r.key,), {c: getattr(r, c) for c in SOURCE_COLUMNS}, {}))]
        if not items:
            return
        ids, outcome = self.statements.write(SOURCE, items)
        report = self.run.report
        for item in items:
            if count:
                state = outcome[item.key]
                setattr(report, state, getattr(report, state) + 1)
            self._sources[item.key[0]] = ids[item.key]

    def _write_sources_directly(self, records: Sequence[SourceRecord], *, count: bool) -> None:
        result = self._upsert("sources", self._source_rows(records, report=self.run.dry_run), ("key",))
        if count:
            inserted, report = set(result.inserted_keys), self.run.report
            for r in records:
                state = "inserted" if (r.key,) in inserted else "updated" if (r.key,) in result.changes \
                    else "unchanged"
                setattr(report, state, getattr(report, state) + 1)
        for (key,), source_id in result.ids.items():
            self._sources[key] = source_id

    def ensure_source(self, record: SourceRecord) -> int | None:
        """Upsert one source without counting it in the headline figures (e.g. the input file itself)."""
        result = self._upsert("sources", self._source_rows([record]), ("key",))
        source_id = result.ids.get((record.key,))
        if source_id is not None:
            self._sources[record.key] = source_id
        return source_id

    def _source_rows(self, records: Sequence[SourceRecord], *, report: bool = False) -> list[dict[str, Any]]:
        """The rows of sources written directly: a value a record leaves empty keeps the stored one. `report`:
        a dry run lists the sources whose values change."""
        rows = [{"key": r.key, **{c: getattr(r, c) for c in SOURCE_COLUMNS}} for r in records]
        stored = _select_existing(self.conn, T["sources"], ["key"], list(SOURCE_COLUMNS),
                                  [(row["key"],) for row in rows])
        for row in rows:
            old = stored.get((row["key"],))
            for c in SOURCE_COLUMNS:
                if row[c] is None:
                    row[c] = old[1][c] if old else (0 if c == "priority" else None)
            if report and old is not None:
                diff = {c: [old[1][c], row[c]] for c in SOURCE_COLUMNS if not same_value(old[1][c], row[c])}
                if diff:
                    self.run.report.changes.append({"table": "sources", "key": [row["key"]], "fields": diff})
        return rows

    # ------------------------------------------------------------------ statements
    def _stating_source(self, record: Located) -> tuple[str, str]:
        """The key of the source whose statement a record is, and where in it: the dataset release or input
        file set as `statement_source`, else the record's first cited source, else the input file
        (`default_cites`), else the import itself."""
        line = f"line {record.line}" if record.line is not None else ""
        cites = getattr(record, "cites", None) or []
        if self.statement_source is not None:
            return self.statement_source, next(
                (c.locator for c in cites if c.source_key == self.statement_source and c.locator), line)
        if cites:
            return cites[0].source_key, cites[0].locator or line
        if self.default_cites:
            return self.default_cites[0].source_key, self.default_cites[0].locator or line
        return self._import_source(), line

    def _known_sources(self, record: Located, stating: str | None = None) -> bool:
        """Whether every source a record names is known (its stating source, its citations); a problem for
        each that is not."""
        cites = getattr(record, "cites", None)
        if stating is None:
            stating = self.statement_source
        if not cites and (stating is None or stating in self._sources):  # the common case: nothing to look up
            return True
        cited = [c.source_key for c in cites or ()]
        unknown = [k for k in dict.fromkeys([*([stating] if stating else []), *cited]) if self.source_id(k) is None]
        for source_key in unknown:
            self._problem(record, "source", source_key, "the key or URL of a known source "
                          "(list it in the sources of this import, or import it first)")
        return not unknown

    def _import_source(self) -> str:
        """A source standing for the import itself, for records that name none (built-in files)."""
        key = f"import:{self.run.report.importer}"
        if self.source_id(key) is None:
            self.ensure_source(SourceRecord(key=key, kind="other", title=f"coopdb import {self.run.report.importer}",
                                            notes="Records imported without a source of their own."))
        return key

    def _item(self, entity: Entity, record: Located, key: tuple, values: dict[str, Any],
              children: dict[str, list[dict]]) -> Item | None:
        stating, locator = self._stating_source(record)
        if not self._known_sources(record, stating):  # a record is written with all its sources or not at all
            return None
        source_id = self.source_id(stating)
        present = record.present if record.present is not None else self.present
        if present is None:
            row, kids = dict(values), dict(children)
        else:
            columns = _present_columns(tuple(values), frozenset(present))
            row = dict(zip(columns, itemgetter(*columns)(values), strict=True)) if len(columns) > 1 else \
                {c: values[c] for c in columns}
            kids = {name: rows for name, rows in children.items() if _CARRIED_AS.get(name, name) in present}
        replace = frozenset(n for n in ("participants", "organisations") if n in kids) \
            if self.replace_participants else frozenset()
        return Item(key, row, source_id, locator, kids, replace)

    def _identify(self, entity: Entity, records: Sequence[Any]) -> list[Any]:
        """Find which record each imported record is: by its identifiers, else by a code merged into another
        record, else by its code; the record's `code` becomes the code of the record found. A record whose
        identifiers name two records, whose identifier is also on another record of the input, or whose code
        would take over a record another source created under another scheme is rejected (the last unless
        `allow_takeover`)."""
        if not records:
            return []
        held_ids = [(s, v) for r in records for s, v in getattr(r, "identifiers", ())]
        found = identity.lookup(self.conn, entity, held_ids) if held_ids else {}
        merged = identity.merged(self.conn, entity, [r.code for r in records])
        codes = identity.codes_of(self.conn, entity, [*found.values(), *merged.values()])
        # records found by code that carry identifiers none of which is known: the takeover guard
        unknown = [r for r in records if getattr(r, "identifiers", None)
                   and not any(p in found for p in r.identifiers) and r.code.upper() not in merged]
        by_code = identity.ids_of(self.conn, entity, [r.code for r in unknown]) if unknown else {}
        holding = identity.held(self.conn, entity, by_code.values()) if by_code else {}
        kept = []
        for r in records:
            pairs = list(getattr(r, "identifiers", ()))
            if not self._first_with(entity, r, pairs):
                continue
            targets = {found[p]: p for p in pairs if p in found}
            if len(targets) > 1:
                shown = ", ".join(f"{s} {v} is {codes[rid]}" for rid, (s, v) in targets.items())
                self._problem(r, "identifiers", "; ".join(f"{s}:{v}" for s, v in pairs),
                              f"identifiers of one record ({shown})")
                continue
            if targets:
                code = codes[next(iter(targets))]
            elif r.code.upper() in merged:
                code = codes[merged[r.code.upper()]]
            else:
                code = r.code
                existing = by_code.get(code.upper())
                if existing is not None and not self.allow_takeover and not self._may_take(entity, r, pairs,
                                                                                             holding.get(existing, [])):
                    continue
            if code != r.code:
                self._renamed[(entity.name, r.code.upper())] = code
                if r.code.upper() in self.links_later:
                    self.links_later.add(code.upper())
                r.code = code
            kept.append(r)
        return kept

    def _first_with(self, entity: Entity, record: Any, pairs: list[tuple[str, str]]) -> bool:
        """False (and a problem) when an identifier of the record is also on an earlier record of the import."""
        for scheme, value in pairs:
            first = self._identified.get((entity.name, scheme, value))
            if first is not None and first != (record.file, record.line):
                where = f"line {first[1]}" if first[1] is not None else "an earlier record"
                self._problem(record, "identifiers", f"{scheme}:{value}",
                              f"an identifier appearing once (also on {where})")
                return False
        for scheme, value in pairs:
            self._identified[(entity.name, scheme, value)] = (record.file, record.line)
        return True

    def _may_take(self, entity: Entity, record: Any, pairs: list[tuple[str, str]], held: list[identity.Held]) -> bool:
        """The takeover guard: a record found by code whose identifiers, given by another source, are all of
        schemes this record does not have, is another thing that happens to share the code."""
        stating, _locator = self._stating_source(record)
        source_id = self.source_id(stating)
        schemes = {s for s, _v in pairs}
        theirs = [h for h in held if h.source_id != source_id]
        if not theirs or any(h.scheme in schemes for h in held):
            return True
        h = theirs[0]
        mine = ", ".join(f"{s} {v}" for s, v in pairs)
        self._problem(record, "code", record.code,
                      f"a code of its own: {record.code} is the {entity.name} that {h.source_key or 'another source'} "
                      f"identifies as {h.scheme} {h.value}, and this record of {stating} is {mine}; give it another "
                      "code (a mapping's code: template such as \"LIST-{id}\"), or import with --allow-takeover "
                      "to make them one record")
        return False

    def _state(self, entity: Entity, pairs: list[tuple[Located, Item | None]], cite_type: str) -> dict[tuple, int]:
        """Write the items as statements, count each record once, cite them, give them their identifiers;
        returns key -> record id."""
        kept = [(r, item) for r, item in pairs if item is not None]
        ids, outcome = self.statements.write(entity, [item for _r, item in kept])
        given = [(ids[item.key], scheme, value, item.source_id) for r, item in kept
                 for scheme, value in getattr(r, "identifiers", ()) if item.key in ids]
        if given:
            self.run.report.add(identity.record(self.conn, entity, given, self.run.run_id), "identifiers",
                                count=False)
        report = self.run.report
        for r, item in kept:
            state = outcome[item.key]
            setattr(report, state, getattr(report, state) + 1)
            if entity is PROJECT and "links" not in item.children and (
                    r.links or item.key[0].upper() in self.links_later):
                # remembered only for the records whose links come later (project_links): memory stays flat
                self._outcome[(entity.name, item.key)] = state
        self._cite(cite_type, [(ids.get(item.key), r, getattr(r, "cites", [])) for r, item in kept],
                   {ids[item.key] for _r, item in kept if outcome[item.key] == "inserted"})
        return ids

    # ------------------------------------------------------------------ rejected records
    def check(self, section: str, records: Sequence[Located]) -> None:
        """Resolve the references of records already rejected for their values (countries, forums,
        organisations, projects, sources) and report each that fails, so that one run lists every problem
        of a row. Writes nothing, creates nothing."""
        for r in records:
            if section not in ("sources", "projects", "agreements"):  # the references the declaration names
                self._references(LAYOUTS[section], r)
            if section == "projects":
                self._project_refs(r, create=False)
            elif section == "agreements":
                self._agreement_refs(r)
            self._known_sources(r)

    # ------------------------------------------------------------------ entities
    def forums(self, records: Sequence[ForumRecord]) -> None:
        records = self._dedupe(self._identify(FORUM, records), FORUM.record_key)
        ids = self._write_declared(FORUM, records)
        codes = []
        for r in records:
            forum_id = ids.get((r.code,))
            if forum_id is None:
                continue
            self.forum_index.add(forum_id, r.code, r.name, r.acronym, *(n.name for n in r.names))
            codes += [{"forum_id": forum_id, "scheme": s, "code": c} for s, c in r.codes]
        if codes:
            self._upsert("forum_codes", codes, ("scheme", "code"))

    def memberships(self, records: Sequence[MembershipRecord]) -> None:
        pairs, seen = [], {}
        for r in records:
            forum_id = self._forum(r, "forum", r.forum)
            country_id = self._country(r, "country", r.country, r.country_code_scheme)
            if r.started_on is None:
                self._problem(r, "started_on", None, "a start date (a year is enough, e.g. 2001)")
            if forum_id is None or country_id is None or r.started_on is None:
                self._known_sources(r)
                continue
            key = (forum_id, country_id, r.role, r.started_on)
            if key in seen:
                first = seen[key]
                self._problem(r, None, f"{r.forum}/{r.country}/{r.role}/{r.started_on}",
                              f"a record appearing once (the same membership is also on line {first.line})")
                continue
            seen[key] = r
            values = {"started_precision": r.started_precision, "ended_on": r.ended_on,
                      "ended_precision": r.ended_precision, "note": r.note}
            pairs.append((r, self._item(MEMBERSHIP, r, key, values, {})))
        ids = self._state(MEMBERSHIP, pairs, "membership")
        for _r, item in pairs:
            if item is not None and item.key in ids:
                self._listed.setdefault((item.source_id, item.key[0]), set()).add(ids[item.key])

    def finish(self, *, retract: bool = True) -> None:
        """The end of an import. A source that lists the memberships of a forum and no longer lists one of
        them retracts its statement on it, and a membership no source states any more is deleted
        (docs/provenance.md). An import with a rejected record (`--allow-rejects`) retracts nothing: the
        lists it gives are not complete; nor does an extract (`retract=False`)."""
        listed, self._listed = self._listed, {}
        if listed and retract and not self.run.report.problems:
            self.statements.retract_unlisted(MEMBERSHIP, "forum_id", listed, cite_type="membership")

    def organisations(self, records: Sequence[OrganisationRecord]) -> None:
        records = self._dedupe(self._identify(ORGANISATION, records), ORGANISATION.record_key)
        ids = self._write_declared(ORGANISATION, records)
        for r in records:
            org_id = ids.get((r.code,))
            if org_id is not None:
                self.org_index.add(org_id, r.code, r.name, r.acronym, *(n.name for n in r.names))

    def _party(self, record: Located, field: str, ref: str) -> tuple[str, int] | None:
        """A party of an agreement: a country, else a forum or bloc, else an organisation. A reference may
        say which (`forum:EU`, `organisation:World Bank`) or how to read a country (`numeric:398`,
        `alpha2:KZ`, `names:Georgia`; see importers.resolve.SCHEMES)."""
        scheme, text = split_ref(ref)
        if scheme == "forum":
            forum_id = self._forum(record, field, text)
            return None if forum_id is None else ("forum", forum_id)
        if scheme == "organisation":
            org_id = self._organisation(record, field, text)
            return None if org_id is None else ("organisation", org_id)
        res = self.resolver.resolve_as(text, scheme or "auto", dataset=self.dataset)
        if res.ok:
            return ("country", res.country_id)
        if res.status == "unknown":
            forum_id = self.forum_index.get(res.code if res.how == "forum" else text)
            if forum_id is not None and forum_id != AMBIGUOUS:
                return ("forum", forum_id)
            org_id = self.org_index.get(text)
            if org_id is not None and org_id != AMBIGUOUS:
                return ("organisation", org_id)
            if res.how != "not_a_country":
                self._problem(record, field, text, "a country, forum or organisation known to coopdb (by name or "
                              f"code; import forums and organisations first){_did_you_mean(res.suggestions)}")
                return None
        self._country(record, field, ref)  # the message for an ambiguous name or a known non-country
        return None

    def _organisation(self, record: Located, field: str, ref: str) -> int | None:
        """The organisation a reference names (those a batch may create exist already: `_create_organisations`)."""
        found = self.org_index.get(ref)
        if found == AMBIGUOUS:
            self._problem(record, field, ref, "an organisation name that belongs to one organisation only")
            return None
        if found is None:
            self._problem(record, field, ref, "the code or name of a known organisation "
                          "(import organisations first)")
        return found

    def _create_organisations(self, records: Sequence[ProjectRecord]) -> None:
        """The organisations a batch's participants name and may create (`create_name`), created in one write:
        a name's slug is its code; names with one slug share the organisation the first of them created."""
        wanted: dict[str, list[str]] = {}
        for r in records:
            for p in r.participants:
                if p.is_organisation and p.create_name and self.org_index.get(p.ref) is None:
                    wanted.setdefault(slug_code(p.ref), []).append(p.ref)
        if not wanted:
            return
        rows = [{"code": code, "name": refs[0]} for code, refs in wanted.items()]
        result = self._upsert("organisations", rows, ("code",), compare=())
        for code, refs in wanted.items():
            found = result.ids.get((code,))
            if found is not None:
                for ref in refs:
                    self.org_index.add(found, code, ref)

    def projects(self, records: Sequence[ProjectRecord]) -> None:
        records = self._dedupe(self._identify(PROJECT, records), PROJECT.record_key)
        self._create_organisations(records)
        pairs, later = [], []
        for r in records:
            ok, framework_id, countries, orgs = self._project_refs(r)
            children = {"participants": countries, "organisations": orgs,
                        "names": [_name_row(n) for n in r.names],
                        "status_events": [{"status": s, "reached_on": d, "reached_precision": p}
                                          for s, d, p in r.status_events]}
            if r.code.upper() not in self.links_later:  # else written when the projects they name are (PendingLinks)
                if not r.links:
                    children["links"] = []
                elif self.missing_links(r):
                    later.append(r)  # written once this batch is: a link may name a project of the batch
                elif (links := self._links(r)) is not None:
                    children["links"] = links
            if not ok:
                self._known_sources(r)
                continue
            values = dict(zip(PROJECT_COLUMNS, _project_values(r), strict=True))
            values["framework_forum_id"] = framework_id
            pairs.append((r, self._item(PROJECT, r, (r.code,), values, children)))
        ids = self._state(PROJECT, pairs, "project")
        if self._projects is not None:
            for (code,), pid in ids.items():
                self._projects[code.upper()] = pid
        written = [r for r in later if (r.code,) in ids]
        if written:
            self.project_links(written)

    def _project_refs(self, r: ProjectRecord, *, create: bool = True) -> tuple[bool, int | None, list, list]:
        """(all resolved, framework forum id, participant country rows, organisation rows); a problem for each
        reference that does not resolve. `create=False`: organisations the input may create are not."""
        ok = True
        framework_id = None
        if r.framework:
            framework_id = self._forum(r, "framework", r.framework)
            ok &= framework_id is not None
        countries, orgs = [], []
        for p in r.participants:
            if p.is_organisation:
                if p.create_name and not create:
                    continue
                org_id = self._organisation(r, f"participants[{p.role}]", p.ref)
                ok &= org_id is not None
                orgs.append({"organisation_id": org_id, "role": p.role})
            else:
                country_id = self._country(r, f"participants[{p.role}]", p.ref)
                ok &= country_id is not None
                countries.append({"country_id": country_id, "role": p.role})
        return ok, framework_id, countries, orgs

    def missing_links(self, r: ProjectRecord) -> set[str]:
        """The codes (upper case) of the projects a record's links name that are not written yet; a link to
        the record itself names none (it is left out)."""
        own = r.code.strip().upper()
        return {c for code, _kind in r.links if (c := code.strip().upper()) != own and self.project_id(code) is None}

    def _links(self, r: ProjectRecord) -> list[dict] | None:
        links, ok = [], True
        for related, kind in r.links:
            if related.strip().upper() == r.code.strip().upper():
                continue  # itself
            related_id = self.project_id(related)
            if related_id is None:
                self._problem(r, "links", related, "the code of a known project (or one in this import)")
                ok = False
            elif related_id != self.project_id(r.code):
                links.append({"related_project_id": related_id, "kind": kind})
        return links if ok else None

    def project_links(self, records: Sequence[ProjectRecord]) -> None:
        """Write the links of projects already written in this run (a second pass, so that a link may
        name a project further down the same file). A record counted unchanged whose links change
        becomes updated."""
        pairs = []
        for r in records:
            found = self._renamed.get(("project", r.code.upper()))
            if found is not None:  # found by identifier or merged: the links belong to the record found
                r = replace(r, code=found)
            if self.project_id(r.code) is None:
                continue
            links = self._links(r)
            if links is not None:
                item = self._item(PROJECT, r, (r.code,), {}, {"links": links})
                pairs.append((r, item))
        kept = [(r, item) for r, item in pairs if item is not None]
        _ids, outcome = self.statements.write(PROJECT, [item for _r, item in kept], count=False)
        report = self.run.report
        for _r, item in kept:
            if outcome[item.key] == "updated" and self._outcome.get(("project", item.key)) == "unchanged":
                self._outcome[("project", item.key)] = "updated"
                report.unchanged -= 1
                report.updated += 1

    def agreements(self, records: Sequence[AgreementRecord]) -> None:
        records = self._dedupe(self._identify(AGREEMENT, records), AGREEMENT.record_key)
        pairs = []
        for r in records:
            ok, forum_id, parties, projects = self._agreement_refs(r)
            if not ok:
                self._known_sources(r)
                continue
            values = {"forum_id": forum_id, **{c: getattr(r, c) for c in AGREEMENT_COLUMNS}}
            subjects = [{"subject": s} for s in dict.fromkeys(x.strip().lower() for x in r.subjects) if s]
            children = {"parties": parties.get("country", []), "forum_parties": parties.get("forum", []),
                        "organisation_parties": parties.get("organisation", []), "subjects": subjects,
                        "projects": projects}
            pairs.append((r, self._item(AGREEMENT, r, (r.code,), values, children)))
        self._state(AGREEMENT, pairs, "agreement")


    def _agreement_refs(self, r: AgreementRecord) -> tuple[bool, int | None, dict[str, list[dict]], list[dict]]:
        """(all resolved, forum id, party rows by kind, project rows); a problem for each reference that does
        not resolve."""
        ok = True
        forum_id = None
        if r.forum:
            forum_id = self._forum(r, "forum", r.forum)
            ok &= forum_id is not None
        parties: dict[str, list[dict]] = {}
        for ref, role in r.parties:
            party = self._party(r, f"parties[{role}]", ref)
            ok &= party is not None
            if party is not None:
                kind, party_id = party
                column = {"country": "country_id", "forum": "forum_id", "organisation": "organisation_id"}[kind]
                parties.setdefault(kind, []).append({column: party_id, "role": role})
        projects = []
        for code in r.projects:
            pid = self.project_id(code)
            if pid is None:
                self._problem(r, "projects", code, "the code of a known project (import projects first)")
                ok = False
            projects.append({"project_id": pid})
        return ok, forum_id, parties, projects

    def _code_id(self, table: str, code: str) -> int | None:
        """The id of the record with this code, or of the record the code was merged into."""
        t = T[table]
        found = self.conn.execute(select(t.c.id).where(func.upper(t.c.code) == code.upper())).scalar()
        entity = BY_TABLE.get(table)
        if found is None and entity is not None and entity.name in IDENTIFIER_RECORD_TYPES:
            found = identity.merged(self.conn, entity, [code.upper()]).get(code.upper())
        return found

    def existing(self, section: str, records: Sequence[Located]) -> list[Located]:
        """The records of an update (`updates:` of a bundle) whose code is in the database or was merged into
        a record that is (the update then lands on that record); each other one is a problem: an update never
        inserts a record."""
        table = T[section]
        code_list = sorted({r.code.upper() for r in records})
        found: set[str] = set()
        for start in range(0, len(code_list), 1000):
            found.update(c.upper() for c in self.conn.execute(select(table.c.code).where(
                func.upper(table.c.code).in_(code_list[start:start + 1000]))).scalars())
        if LAYOUTS[section].name in IDENTIFIER_RECORD_TYPES:
            found.update(identity.merged(self.conn, LAYOUTS[section], [c for c in code_list if c not in found]))
        kept = []
        for r in records:
            if r.code.upper() in found:
                kept.append(r)
            else:
                self._problem(r, section[:-1], r.code, f"the code of a {section[:-1]} in the database (an update "
                              f"changes a known record; propose a new one under {section}:)")
        return kept

    def write(self, section: str, records: Sequence[Located]) -> None:
        """Write records of a section of importers/entities.py: by the entity's own method where it has
        children to resolve (projects, agreements, memberships) or indexes to keep (sources, forums,
        organisations), else from its declaration alone (events, and any entity declared later)."""
        own = getattr(self, section, None)
        if own is not None:
            own(records)
        else:
            self._write_declared(LAYOUTS[section], records)

    def _write_declared(self, entity: Entity, records: Sequence[Located]) -> dict[tuple, int]:
        """Records whose values are their own columns and references by code or name, written from the
        entity's declaration alone (importers/entities.py); returns key -> record id."""
        if entity.name in IDENTIFIER_RECORD_TYPES:  # found by identifier or merged code, like projects
            records = self._identify(entity, records)
        records = self._dedupe(records, entity.record_key)
        pairs = []
        for r in records:
            refs = self._references(entity, r)
            if refs is None:
                self._known_sources(r)
                continue
            values = {c: getattr(r, c) for c in entity.own_columns} | refs
            key = tuple(refs[c] if c in refs else getattr(r, c) for c in entity.key)
            children = {"names": [_name_row(n) for n in r.names]} if "names" in entity.list_names else {}
            linked = self._linked_children(entity, r)
            if linked is None:
                self._known_sources(r)
                continue
            pairs.append((r, self._item(entity, r, key, values, children | linked)))
        return self._state(entity, pairs, entity.name)

    def _linked_children(self, entity: Entity, r: Located) -> dict[str, list[dict]] | None:
        """The child rows of the lists that name records of another table, declared as a collection of the same
        name (an event's countries with their roles, the agreements signed at it); None when one does not
        resolve (each such reference is a problem)."""
        out: dict[str, list[dict]] = {}
        ok = True
        collections = {c.name: c for c in entity.collections}
        for lf in entity.lists:
            c = collections.get(lf.name)
            if c is None or lf.kind not in ("parties", "codes_of"):
                continue
            column = c.key[0]
            rows = []
            for item in getattr(r, lf.name):
                ref, role = item if lf.kind == "parties" else (item, None)
                found = self._reference(r, f"{lf.name}[{role}]" if role else lf.name, c.refs[column], ref)
                ok &= found is not None
                rows.append({column: found, "role": role} if role else {column: found})
            out[lf.name] = rows
        return out if ok else None

    def _references(self, entity: Entity, r: Located) -> dict[str, int | None] | None:
        """The id column of each reference a record makes by code or name, resolved as records of its table
        are; None when one does not resolve (each such reference is a problem)."""
        ids: dict[str, int | None] = {}
        ok = True
        for name, column in entity.references.items():
            given = getattr(r, name)
            ids[column] = self._reference(r, name, entity.reference_tables[name], given) if given else None
            ok &= not given or ids[column] is not None
        return ids if ok else None

    def _reference(self, r: Located, field: str, table: str, given: str) -> int | None:
        if table == "countries":
            return self._country(r, field, given, getattr(r, "country_code_scheme", None))
        if table == "forums":
            return self._forum(r, field, given)
        if table == "organisations":
            return self._organisation(r, field, given)
        found = self.project_id(given) if table == "projects" else self._code_id(table, given.strip())
        if found is None:
            self._problem(r, field, given, f"the code of a known {table[:-1]} (import {table} first)")
        return found


LINK_LAYERS = 8  # writes of one batch at most, each holding the records that link to the one before


class PendingLinks:
    """The links of a file's projects, written with their records wherever the projects they name exist.

    `write(write, batch)` writes a batch of records as they were read, links included: a record whose links
    name projects already written (or in the database) is written with them; one whose links name projects of
    its own batch is written right after the rest of the batch, with them; each other record is written without
    its links and waits by a project it still misses (a link may name a project further down the file).
    So a record is stated once, not written and then stated again for its links, unless it waits. Each waiting
    record is looked at when it starts waiting and when a project it waits for is written, never once per batch:
    a file of a million records that link to projects that never come costs one look each. `rest()`: the records
    still waiting, in the order they began to wait, for the end of the import."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.waiting: dict[str, list[tuple[int, ProjectRecord]]] = {}
        self._order = itertools.count()

    def write(self, write: Callable[[list[ProjectRecord]], None], batch: list[ProjectRecord]) -> None:
        """Write `batch` (its records with their links where the projects they name exist by then), then wake
        the records waiting for its projects, by the code a record gave and by the code it was found under (an
        identifier, a merge: the writer sets it on the record)."""
        given = [r.code for r in batch]
        in_batch = {code.strip().upper() for code in given}
        now, after, waits, written = [], [], [], []
        for r in batch:
            missing = self.writer.missing_links(r) if r.links else set()
            if not missing:
                now.append(r)
            elif missing <= in_batch:
                after.append((r, missing))  # once the projects of the batch it names are written
            else:  # waits for a project that this batch does not hold
                outside = min(missing - in_batch)
                now.append(self._later(r, self.waiting.setdefault(outside, [])))
        # the batch in layers: the records whose links name only written projects, then those naming them, ...
        for _layer in range(LINK_LAYERS):
            if not now:
                break
            write(now)
            written += now
            done = {r.code.strip().upper() for r in now}
            after = [(r, missing - done) for r, missing in after]
            now, after = [r for r, missing in after if not missing], [(r, m) for r, m in after if m]
        # left: a cycle, or a chain deeper than the layers: written now, stated again for their links
        rest = [*now, *(self._later(r, waits) for r, _missing in after)]
        if rest:
            write(rest)
            written += rest
        woken = [entry for code in {*given, *(r.code for r in written)}
                 for entry in self.waiting.pop(code.strip().upper(), ())]
        if waits or woken:
            self._check(sorted([*woken, *waits], key=itemgetter(0)))

    def _later(self, record: ProjectRecord, waits: list[tuple[int, ProjectRecord]]) -> ProjectRecord:
        """The record to write now, without its links; the record with them waits in `waits`."""
        self.writer.links_later.add(record.code.strip().upper())
        waits.append((next(self._order), record))
        return replace(record, links=[])

    def rest(self) -> list[ProjectRecord]:
        entries = sorted((e for waiting in self.waiting.values() for e in waiting), key=itemgetter(0))
        self.waiting = {}
        return [r for _n, r in entries]

    def _check(self, entries: list[tuple[int, ProjectRecord]]) -> None:
        ready = []
        for entry in entries:
            missing = self.writer.missing_links(entry[1])
            if missing:
                self.waiting.setdefault(min(missing), []).append(entry)
            else:
                ready.append(entry[1])
        if ready:
            self.writer.project_links(ready)


# Collections an input carries under another field: every kind of party comes from `parties`
_CARRIED_AS = {"forum_parties": "parties", "organisation_parties": "parties"}


@lru_cache(maxsize=256)
def _present_columns(columns: tuple[str, ...], present: frozenset[str]) -> tuple[str, ...]:
    """The columns of a record's values that its input carries (one answer per layout)."""
    return tuple(c for c in columns if c in present)


def _did_you_mean(suggestions) -> str:
    """' (did you mean Kazakhstan (KAZ) or …?)' for (code, name) suggestions; '' for none."""
    if not suggestions:
        return ""
    return " (did you mean " + " or ".join(f"{name} ({code})" for code, name in suggestions) + "?)"


def _name_row(name: Name) -> dict[str, Any]:
    return {"lang": name.lang, "name": name.name, "kind": name.kind, "note": name.note}


REF_PREFIXES = ("forum", "organisation", *SCHEMES)


def split_ref(ref: str) -> tuple[str | None, str]:
    """'numeric:398' -> ('numeric', '398'); 'forum:EU' -> ('forum', 'EU'); 'China' -> (None, 'China')."""
    head, sep, rest = ref.partition(":")
    if sep and head.strip().lower() in REF_PREFIXES and rest.strip():
        return head.strip().lower(), rest.strip()
    return None, ref
