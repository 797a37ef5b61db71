"""Writing typed records: resolve references, upsert by natural key, attach citations.

    writer = Writer(run)                      # run: importers.core.RunContext
    writer.sources([...]); writer.forums([...]); writer.projects([...])   # batches, in any number

Each method takes one batch of records. A record whose reference cannot be resolved (an unknown or
ambiguous country, a forum, organisation, project or source that does not exist) is rejected with a
Problem naming its file, line and field, and nothing of it is written; the other records go on. The
run decides at the end whether rejected rows abort the whole import (the default) or not.

Children (participants, parties, names, links, citations) are added or updated, never deleted: an
import that no longer lists a participant leaves the old row, which other sources may support. With
`writer.replace_participants` (`coopdb import projects --replace-participants`) the participants a
record lists replace the stored ones instead: a participant it no longer lists is deleted, with its
citations, and the project counts as updated.

Headline counts are per record: inserted when its main row is new, updated when its main row or any
of its children changed, unchanged otherwise. Per-table counts are in `report.details`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import Any

from sqlalchemy import delete, select

from db.base import Base
from db.models import (
    Forum,
    ForumName,
    Organisation,
    OrganisationName,
    Project,
    Source,
)
from db.upsert import UpsertResult, upsert
from importers.core import Problem, RunContext
from importers.normalize import fold
from importers.records import (
    AGREEMENT_COLUMNS,
    FORUM_COLUMNS,
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

T = Base.metadata.tables
AMBIGUOUS = -1
_project_values = attrgetter(*PROJECT_COLUMNS)
DRY_RUN_ID = -2  # the id of a row a dry run would insert


def slug_code(text: str, limit: int = 110) -> str:
    """A stable code made from a name: 'China Development Bank' -> 'CHINA-DEVELOPMENT-BANK'."""
    folded = fold(text).upper().replace(" ", "-")
    return folded[:limit] or "UNNAMED"


class _Index:
    """code -> id and folded name -> id(s) for one table, loaded once per run and kept current."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, int] = {}

    def add(self, row_id: int, code: str, *names: str | None) -> None:
        self.by_code[code.upper()] = row_id
        for name in names:
            if name:
                key = fold(name)
                current = self.by_name.get(key)
                self.by_name[key] = row_id if current in (None, row_id) else AMBIGUOUS

    def get(self, ref: str) -> int | None:
        hit = self.by_code.get(ref.strip().upper())
        return hit if hit is not None else self.by_name.get(fold(ref))


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
        # Codes (upper case) of projects whose links come later through project_links()
        self.links_later: set[str] = set()
        # When set: the fields the input has; other columns of existing rows are left as they are
        # (a file without a `status` column does not blank the status of the projects it names).
        self.present: set[str] | None = None
        self._unchanged_projects: set[int] = set()
        # True: the participants of a project record replace the stored ones (see the module's docstring)
        self.replace_participants = False
        self.dataset: str | None = None  # resolve country names with this data set's spellings first

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
        if self._projects is None:
            self._projects = {r.code.upper(): r.id for r in self.conn.execute(select(Project.id, Project.code))}
        return self._projects.get(code.strip().upper())

    def source_id(self, key: str) -> int | None:
        if key not in self._sources:
            found = self.conn.execute(select(Source.id).where(Source.key == key)).scalar_one_or_none()
            if found is None:
                return None
            self._sources[key] = found
        return self._sources[key]

    # ------------------------------------------------------------------ helpers
    def _problem(self, record: Located, field: str | None, value: Any, expected: str) -> None:
        self.run.reject(Problem(record.file, record.line, field, value, expected))

    def _country(self, record: Located, field: str, text: str, scheme: str | None = None) -> int | None:
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
            hint = ""
            if res.suggestions:
                hint = "; did you mean " + " or ".join(f"{name} ({code})" for code, name in res.suggestions)
            what = f"a {scheme} country code" if scheme else "a known country name or ISO code"
            self._problem(record, field, text, f"{what}{hint}")
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
        result = upsert(self.conn, T[table], rows, key, run_id=self.run.run_id, dry_run=self.run.dry_run,
                        compare=compare, ids=ids)
        self.run.report.add(result, table, count=False)
        return result

    def _present(self, rows: list[dict]) -> list[str] | None:
        if self.present is None or not rows:
            return None
        return [c for c in rows[0] if c in self.present]

    def _count(self, main: UpsertResult, keys: Iterable[Any], touched: set[Any]) -> list[Any]:
        """Count each record as inserted, updated or unchanged; returns the unchanged keys."""
        inserted = set(main.inserted_keys)
        report = self.run.report
        unchanged = []
        for key in keys:
            if key in inserted:
                report.inserted += 1
            elif key in main.changes or key in touched:
                report.updated += 1
            else:
                unchanged.append(key)
        report.unchanged += len(unchanged)
        return unchanged

    def _children(self, table: str, rows: list[dict], key: Sequence[str]) -> set[int]:
        """Upsert child rows; returns the parent ids (first key column) whose children changed."""
        return _touched_parents(self._upsert(table, rows, key, ids=False))

    def _names(self, table: str, parent_col: str, pairs: list[tuple[int | None, Name]]) -> set[int]:
        rows, seen = [], set()
        for parent_id, name in pairs:
            if parent_id is None:
                continue
            k = (parent_id, name.lang, name.name)
            if k in seen:
                continue
            seen.add(k)
            rows.append({parent_col: parent_id, "lang": name.lang, "name": name.name, "kind": name.kind,
                         "normalized": fold(name.name), "note": name.note})
        result = self._upsert(table, rows, (parent_col, "lang", "name"), ids=False)
        return _touched_parents(result)

    def _cite(self, record_type: str, pairs: list[tuple[int | None, Located, list[Cite]]]) -> None:
        """Cite each record by its own sources, then by `default_cites` (the input file, located at the
        record's line unless the cite names a locator)."""
        rows, seen = [], set()
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
                rows.append({"source_id": source_id, "record_type": record_type, "record_id": record_id,
                             "field": cite.field, "locator": locator, "quote": cite.quote})
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
        only in the per-table details, so that a data set's headline counts stay its rows)."""
        records = self._dedupe(records, lambda r: r.key)
        rows = [{"key": r.key, **{c: getattr(r, c) for c in SOURCE_COLUMNS}} for r in records]
        result = self._upsert("sources", rows, ("key",), compare=self._present(rows))
        if count:
            self._count(result, [(r.key,) for r in records], set())
        for (key,), source_id in result.ids.items():
            self._sources[key] = source_id
        if self.run.dry_run:  # would be inserted: known to the rest of this dry run
            for (key,) in result.inserted_keys:
                self._sources.setdefault(key, DRY_RUN_ID)

    def ensure_source(self, record: SourceRecord) -> int | None:
        """Upsert one source without counting it in the headline figures (e.g. the input file itself)."""
        row = {"key": record.key, **{c: getattr(record, c) for c in SOURCE_COLUMNS}}
        result = self._upsert("sources", [row], ("key",))
        source_id = result.ids.get((record.key,))
        if source_id is None and self.run.dry_run and result.inserted_keys:
            source_id = DRY_RUN_ID
        if source_id is not None:
            self._sources[record.key] = source_id
        return source_id

    def forums(self, records: Sequence[ForumRecord]) -> None:
        records = self._dedupe(records, lambda r: r.code.upper())
        rows = [{"code": r.code, **{c: getattr(r, c) for c in FORUM_COLUMNS}} for r in records]
        main = self._upsert("forums", rows, ("code",), compare=self._present(rows))
        touched: set[int] = set()
        names, codes = [], []
        for r in records:
            forum_id = main.ids.get((r.code,))
            if forum_id is None:
                continue
            self.forum_index.add(forum_id, r.code, r.name, r.acronym, *(n.name for n in r.names))
            names += [(forum_id, n) for n in r.names]
            codes += [{"forum_id": forum_id, "scheme": s, "code": c} for s, c in r.codes]
        touched |= self._names("forum_names", "forum_id", names)
        code_result = self._upsert("forum_codes", codes, ("scheme", "code"))
        owner = {(c["scheme"], c["code"]): c["forum_id"] for c in codes}
        touched |= {owner[k] for k in [*code_result.inserted_keys, *code_result.changes] if k in owner}
        self._count(main, [(r.code,) for r in records], {(c,) for c in _codes_of(main, touched)})
        self._cite("forum", [(main.ids.get((r.code,)), r, r.cites) for r in records])

    def memberships(self, records: Sequence[MembershipRecord]) -> None:
        rows, kept, seen = [], [], {}
        for r in records:
            forum_id = self._forum(r, "forum", r.forum)
            country_id = self._country(r, "country", r.country, r.country_code_scheme)
            if r.started_on is None:
                self._problem(r, "started_on", None, "a start date (a year is enough, e.g. 2001)")
                continue
            if forum_id is None or country_id is None:
                continue
            key = (forum_id, country_id, r.role, r.started_on)
            if key in seen:
                first = seen[key]
                self._problem(r, None, f"{r.forum}/{r.country}/{r.role}/{r.started_on}",
                              f"a record appearing once (the same membership is also on line {first.line})")
                continue
            seen[key] = r
            rows.append({"forum_id": forum_id, "country_id": country_id, "role": r.role,
                         "started_on": r.started_on, "started_precision": r.started_precision,
                         "ended_on": r.ended_on, "ended_precision": r.ended_precision, "note": r.note})
            kept.append((key, r))
        main = self._upsert("memberships", rows, ("forum_id", "country_id", "role", "started_on"),
                            compare=self._present(rows))
        self._count(main, [k for k, _r in kept], set())
        self._cite("membership", [(main.ids.get(k), r, r.cites) for k, r in kept])

    def organisations(self, records: Sequence[OrganisationRecord]) -> None:
        records = self._dedupe(records, lambda r: r.code.upper())
        rows, kept = [], []
        for r in records:
            country_id = self._country(r, "country", r.country) if r.country else None
            if r.country and country_id is None:
                continue
            rows.append({"code": r.code, "name": r.name, "acronym": r.acronym, "kind": r.kind,
                         "country_id": country_id})
            kept.append(r)
        main = self._upsert("organisations", rows, ("code",), compare=self._present(rows))
        names = []
        for r in kept:
            org_id = main.ids.get((r.code,))
            if org_id is not None:
                self.org_index.add(org_id, r.code, r.name, r.acronym, *(n.name for n in r.names))
                names += [(org_id, n) for n in r.names]
        touched = self._names("organisation_names", "organisation_id", names)
        self._count(main, [(r.code,) for r in kept], {(c,) for c in _codes_of(main, touched)})
        self._cite("organisation", [(main.ids.get((r.code,)), r, r.cites) for r in kept])

    def _party(self, record: Located, field: str, ref: str) -> tuple[str, int] | None:
        """A party of an agreement: a country, else a forum or bloc, else an organisation. A reference may
        say which (`forum:EU`, `organisation:World Bank`) or how to read a country (`numeric:398`,
        `alpha2:KZ`, `names:Georgia`; see importers.resolve.SCHEMES)."""
        scheme, text = split_ref(ref)
        if scheme == "forum":
            forum_id = self._forum(record, field, text)
            return None if forum_id is None else ("forum", forum_id)
        if scheme == "organisation":
            org_id = self._organisation(record, field, text, False)
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
                hint = ""
                if res.suggestions:
                    hint = "; did you mean " + " or ".join(f"{name} ({code})" for code, name in res.suggestions)
                self._problem(record, field, text, "a known country, forum or organisation (by name or code; "
                              f"import forums and organisations first){hint}")
                return None
        self._country(record, field, ref)  # the message for an ambiguous name or a known non-country
        return None

    def _organisation(self, record: Located, field: str, ref: str, create: bool) -> int | None:
        found = self.org_index.get(ref)
        if found == AMBIGUOUS:
            self._problem(record, field, ref, "an organisation name that belongs to one organisation only")
            return None
        if found is None and create:
            code = slug_code(ref)
            result = self._upsert("organisations", [{"code": code, "name": ref}], ("code",), compare=())
            found = result.ids.get((code,))
            if found is None and self.run.dry_run and result.inserted_keys:
                found = DRY_RUN_ID
            if found is not None:
                self.org_index.add(found, code, ref)
        if found is None:
            self._problem(record, field, ref, "the code or name of a known organisation "
                          "(import organisations first)")
        return found

    def projects(self, records: Sequence[ProjectRecord]) -> None:
        records = self._dedupe(records, lambda r: r.code.upper())
        resolved = []
        for r in records:
            ok = True
            framework_id = None
            if r.framework:
                framework_id = self._forum(r, "framework", r.framework)
                ok &= framework_id is not None
            countries, orgs = [], []
            for p in r.participants:
                if p.is_organisation:
                    org_id = self._organisation(r, f"participants[{p.role}]", p.ref, p.create_name)
                    ok &= org_id is not None
                    orgs.append((org_id, p.role))
                else:
                    country_id = self._country(r, f"participants[{p.role}]", p.ref)
                    ok &= country_id is not None
                    countries.append((country_id, p.role))
            if ok:
                resolved.append((r, framework_id, countries, orgs))
        rows = []
        for r, fid, _c, _o in resolved:
            row = dict(zip(PROJECT_COLUMNS, _project_values(r), strict=True))
            row["code"] = r.code
            row["framework_forum_id"] = fid
            rows.append(row)
        main = self._upsert("projects", rows, ("code",), compare=self._present(rows))
        if self._projects is not None:
            for (code,), pid in main.ids.items():
                self._projects[code.upper()] = pid
        pc, po, names, events = [], [], [], []
        for r, _fid, countries, orgs in resolved:
            pid = main.ids.get((r.code,))
            if pid is None:
                continue
            pc += [{"project_id": pid, "country_id": cid, "role": role} for cid, role in dict.fromkeys(countries)]
            po += [{"project_id": pid, "organisation_id": oid, "role": role} for oid, role in dict.fromkeys(orgs)]
            names += [(pid, n) for n in r.names]
            events += [{"project_id": pid, "status": s, "reached_on": d, "reached_precision": p}
                       for s, d, p in r.status_events]
        touched = self._children("project_countries", pc, ("project_id", "country_id", "role"))
        touched |= self._children("project_organisations", po, ("project_id", "organisation_id", "role"))
        if self.replace_participants:
            listed = {pid: r.code for r, *_ in resolved if (pid := main.ids.get((r.code,))) is not None and pid > 0}
            touched |= self._drop_unlisted_participants(listed, pc, po)
        touched |= self._names("project_names", "project_id", names)
        touched |= self._children("project_status_events", events, ("project_id", "status"))
        links = []
        for r, *_ in resolved:
            pid = main.ids.get((r.code,))
            for related, kind in r.links:
                related_id = self.project_id(related)
                if related_id is None:
                    self._problem(r, "links", related, "the code of a known project (or one in this import)")
                elif pid is not None and related_id != pid:
                    links.append({"project_id": pid, "related_project_id": related_id, "kind": kind})
        links = list({(x["project_id"], x["related_project_id"], x["kind"]): x for x in links}.values())
        touched |= _touched_parents(self._upsert("project_links", links,
                                                 ("project_id", "related_project_id", "kind"), ids=False))
        unchanged = self._count(main, [(r.code,) for r, *_ in resolved], {(c,) for c in _codes_of(main, touched)})
        if self.links_later:
            self._unchanged_projects |= {main.ids[k] for k in unchanged if k[0].upper() in self.links_later}
        self._cite("project", [(main.ids.get((r.code,)), r, r.cites) for r, *_ in resolved])

    def _drop_unlisted_participants(self, listed: dict[int, str], pc: list[dict], po: list[dict]) -> set[int]:
        """Delete the participants of the projects in `listed` (id -> code) that their records do not list,
        with the citations of those rows; a dry run only reports them. Countries only when the input
        carries `participants`, organisations only when it carries `organisations`. Returns the ids of
        the projects that lose one."""
        report = self.run.report
        citations = T["citations"]
        ids = list(listed)
        lost: set[int] = set()
        for field, table, ref_column, ref_table, record_type, kept in (
            ("participants", "project_countries", "country_id", "countries", "project_country",
             {(r["project_id"], r["country_id"], r["role"]) for r in pc}),
            ("organisations", "project_organisations", "organisation_id", "organisations", "project_organisation",
             {(r["project_id"], r["organisation_id"], r["role"]) for r in po}),
        ):
            if self.present is not None and field not in self.present:
                continue
            child, ref = T[table], T[ref_table]
            gone = []
            for start in range(0, len(ids), 10_000):
                query = (select(child.c.id, child.c.project_id, child.c[ref_column].label("ref_id"), child.c.role,
                                ref.c.code.label("ref_code"))
                         .join(ref, ref.c.id == child.c[ref_column])
                         .where(child.c.project_id.in_(ids[start:start + 10_000])))
                gone += [row for row in self.conn.execute(query)
                         if (row.project_id, row.ref_id, row.role) not in kept]
            if not gone:
                continue
            lost |= {row.project_id for row in gone}
            per = report.details.setdefault(table, {"inserted": 0, "updated": 0, "unchanged": 0})
            per["deleted"] = per.get("deleted", 0) + len(gone)
            if self.run.dry_run:
                report.changes += [{"table": table, "key": [listed[row.project_id], row.ref_code, row.role],
                                    "fields": {}, "deleted": True} for row in gone]
                continue
            row_ids = [row.id for row in gone]
            for start in range(0, len(row_ids), 10_000):
                chunk = row_ids[start:start + 10_000]
                self.conn.execute(delete(citations).where(citations.c.record_type == record_type,
                                                          citations.c.record_id.in_(chunk)))
                self.conn.execute(delete(child).where(child.c.id.in_(chunk)))
        return lost

    def project_links(self, records: Sequence[ProjectRecord]) -> None:
        """Write the links of projects already written in this run (a second pass, so that a link may
        name a project further down the same file). A record counted unchanged whose links are new
        becomes updated."""
        links, owner = [], {}
        for r in records:
            pid = self.project_id(r.code)
            if pid is None:
                continue
            owner[pid] = r
            for related, kind in r.links:
                related_id = self.project_id(related)
                if related_id is None:
                    self._problem(r, "links", related, "the code of a known project (or one in this import)")
                elif related_id != pid:
                    links.append({"project_id": pid, "related_project_id": related_id, "kind": kind})
        links = list({(x["project_id"], x["related_project_id"], x["kind"]): x for x in links}.values())
        touched = _touched_parents(self._upsert("project_links", links,
                                                ("project_id", "related_project_id", "kind"), ids=False))
        report = self.run.report
        for pid in touched:
            if pid in self._unchanged_projects and report.unchanged > 0:
                self._unchanged_projects.discard(pid)
                report.unchanged -= 1
                report.updated += 1

    def agreements(self, records: Sequence[AgreementRecord]) -> None:
        records = self._dedupe(records, lambda r: r.code.upper())
        resolved = []
        for r in records:
            ok = True
            forum_id = None
            if r.forum:
                forum_id = self._forum(r, "forum", r.forum)
                ok &= forum_id is not None
            parties = []
            for ref, role in r.parties:
                party = self._party(r, f"parties[{role}]", ref)
                ok &= party is not None
                parties.append((party, role))
            projects = []
            for code in r.projects:
                pid = self.project_id(code)
                if pid is None:
                    self._problem(r, "projects", code, "the code of a known project (import projects first)")
                    ok = False
                projects.append(pid)
            if ok:
                resolved.append((r, forum_id, parties, projects))
        rows = [{"code": r.code, "forum_id": fid, **{c: getattr(r, c) for c in AGREEMENT_COLUMNS}}
                for r, fid, _p, _j in resolved]
        main = self._upsert("agreements", rows, ("code",), compare=self._present(rows))
        ap, af, ao, subjects, ajp = [], [], [], [], []
        for r, _fid, parties, projects in resolved:
            aid = main.ids.get((r.code,))
            if aid is None:
                continue
            for (kind, party_id), role in dict.fromkeys(parties):
                rows_of, column = {"country": (ap, "country_id"), "forum": (af, "forum_id"),
                                   "organisation": (ao, "organisation_id")}[kind]
                rows_of.append({"agreement_id": aid, column: party_id, "role": role})
            subjects += [{"agreement_id": aid, "subject": s.strip().lower()}
                         for s in dict.fromkeys(x.strip().lower() for x in r.subjects) if s]
            ajp += [{"agreement_id": aid, "project_id": p} for p in dict.fromkeys(projects)]
        touched = self._children("agreement_parties", ap, ("agreement_id", "country_id", "role"))
        touched |= self._children("agreement_forums", af, ("agreement_id", "forum_id", "role"))
        touched |= self._children("agreement_organisations", ao, ("agreement_id", "organisation_id", "role"))
        touched |= self._children("agreement_subjects", subjects, ("agreement_id", "subject"))
        touched |= self._children("agreement_projects", ajp, ("agreement_id", "project_id"))
        self._count(main, [(r.code,) for r, *_ in resolved], {(c,) for c in _codes_of(main, touched)})
        self._cite("agreement", [(main.ids.get((r.code,)), r, r.cites) for r, *_ in resolved])


REF_PREFIXES = ("forum", "organisation", *SCHEMES)


def split_ref(ref: str) -> tuple[str | None, str]:
    """'numeric:398' -> ('numeric', '398'); 'forum:EU' -> ('forum', 'EU'); 'China' -> (None, 'China')."""
    head, sep, rest = ref.partition(":")
    if sep and head.strip().lower() in REF_PREFIXES and rest.strip():
        return head.strip().lower(), rest.strip()
    return None, ref


def _touched_parents(result: UpsertResult) -> set[int]:
    """Parent ids whose child rows were inserted or changed (the parent is the key's first column)."""
    keys = set(result.inserted_keys) | set(result.changes)
    return {k[0] for k in keys}


def _codes_of(main: UpsertResult, parent_ids: set[int]) -> set[str]:
    return {key[0] for key, pid in main.ids.items() if pid in parent_ids}
