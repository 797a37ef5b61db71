"""Informal IGOs (Vabulas & Snidal; BRICS, G20, G7, ...) -> forums and memberships.

    import_iigo(engine, ["IIGO_informal_igo_organizations.csv", "IIGO_informal_igo_memberships.csv"])

Takes the organisations file, the memberships file or both (recognised by their headers). Each
grouping becomes a forum of kind informal_grouping with the external code (iigo, igoID). Groupings
are matched between the two files by title (the ids are not unique: two groupings are called BP);
a grouping named only in the memberships file is created from it. The forum code is the igoID made
code-like (G-77, G5-6-7-8), or from the title when the id is blank or shared, unless
importers/sources/iigo.yml says otherwise. A membership runs from its Begin year to its End year
(precision: year), NULL while it lasts. Countries resolve by the ISO code in stateID, else by the
state's name.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Engine

from db.errors import UserError
from importers.core import ImportReport, Problem, import_run, rejects_path
from importers.dataset_rows import ForumCodes, Row, metadata, read_rows, release_source
from importers.fields import BadValue, integer
from importers.normalize import fold
from importers.records import Cite, ForumRecord, MembershipRecord
from importers.writer import Writer, slug_code

NO_BEGIN = "The IIGO data gives no Begin year for this membership: started_on is the grouping's first year."
ORGANISATIONS = {"igoID", "Title", "Begin", "End"}
MEMBERSHIPS = {"stateID", "StateName", "igoID", "Title", "Begin", "End"}


def _kind(header: list[str], file: str) -> str:
    if set(header) >= MEMBERSHIPS:
        return "memberships"
    if set(header) >= ORGANISATIONS:
        return "organisations"
    raise UserError(f"{file}: not an IIGO file: expected the organisations header (igoID, Title, Begin, End, ...) "
                    f"or the memberships header (stateID, StateName, igoID, Title, Begin, End) "
                    f"(got {', '.join(header[:6])})")


def _year(row: Row, column: str, file: str, problems: list[Problem]) -> dt.date | None:
    raw = row.values.get(column)
    try:
        year = integer(raw)
    except BadValue as exc:
        problems.append(Problem(file, row.line, column, raw, exc.expected))
        return None
    return dt.date(year, 1, 1) if year else None


def import_iigo(engine: Engine, paths: Sequence[Path | str], *, dry_run: bool = False,
                allow_rejects: bool = False, force: bool = False) -> ImportReport:
    """`force`: with `allow_rejects`, replace an existing rejects file (named after the first file given; its
    `file` column names the file of each problem)."""
    meta = metadata("iigo")
    files: dict[str, tuple[Path, list[Row]]] = {}
    warnings: list[str] = []
    for p in map(Path, paths):
        header, rows = read_rows(p)
        warnings += rows.warnings
        kind = _kind(header, p.name)
        if kind in files:
            raise UserError(f"{p.name}: two IIGO {kind} files given ({files[kind][0].name} and {p.name})")
        files[kind] = (p, list(rows))  # a few thousand rows: read whole, to match titles across files
    first = next(iter(files.values()))[0]
    options = {"files": [str(p) for p, _r in files.values()], "dry_run": dry_run, "allow_rejects": allow_rejects}
    with import_run(engine, "iigo", file=first if len(files) == 1 else None, options=options, dry_run=dry_run,
                    allow_rejects=allow_rejects, rejects_file=rejects_path(first), force=force) as run:
        for warning in warnings:
            run.warn(warning)
        writer = Writer(run)
        release = meta["release"]["key"]
        writer.ensure_source(release_source(meta, meta["release"]))
        writer.statement_source = meta["release"]["key"]
        codes = ForumCodes(run.conn, meta["code_scheme"], "IIGO", meta.get("same_as"))
        # one forum per folded title; organisations file first, then titles only in memberships
        entries: dict[str, tuple[str, str, Row, str]] = {}  # folded title -> (igoID, title, row, file)
        for kind in ("organisations", "memberships"):
            if kind in files:
                path, rows = files[kind]
                for row in rows:
                    title = row.values.get("Title")
                    if title and fold(title) not in entries:
                        entries[fold(title)] = (row.values.get("igoID") or "", title, row, path.name)
        id_use = Counter(i for i, *_ in entries.values() if i)
        forums: dict[str, ForumRecord] = {}
        begins: dict[str, list[dt.date]] = {}
        if "memberships" in files:
            for row in files["memberships"][1]:
                title = row.values.get("Title")
                begun = _year(row, "Begin", files["memberships"][0].name, [])
                if title and begun:
                    begins.setdefault(fold(title), []).append(begun)
        for key, (igo_id, title, row, file) in entries.items():
            ext = igo_id if igo_id and id_use[igo_id] == 1 else f"{igo_id}: {title}" if igo_id else title
            override = meta["forum_codes"].get(igo_id) if igo_id else None
            code = codes.code(ext, override or (slug_code(igo_id, 64) if igo_id and id_use[igo_id] == 1
                                                else slug_code(title, 64)))
            problems: list[Problem] = []
            founded = _year(row, "Begin", file, problems) or min(begins.get(key, []), default=None)
            from_organisations = "organisations" in files and file == files["organisations"][0].name
            dissolved = _year(row, "End", file, problems) if from_organisations else None
            for problem in problems:
                run.reject(problem)
            forums[key] = codes.keep_existing(ForumRecord(
                file=file, line=row.line, code=code, name=title[:300], kind=meta["forum_kind"],
                acronym=igo_id[:32] if igo_id else None, founded_on=founded,
                founded_precision="year" if founded else None, dissolved_on=dissolved,
                dissolved_precision="year" if dissolved else None, codes=[(meta["code_scheme"], ext)],
                cites=[Cite(release, f"{file} line {row.line}")],
            ))
        if "organisations" in files:
            run.report.read += len(files["organisations"][1])
        writer.forums(list(forums.values()))
        if "memberships" in files:
            path, rows = files["memberships"]
            memberships = []
            for row in rows:
                run.report.read += 1
                problems = []
                title = row.values.get("Title")
                started = _year(row, "Begin", path.name, problems)
                note = None
                forum = forums.get(fold(title)) if title else None
                if started is None and not problems and forum is not None and forum.founded_on is not None:
                    started, note = forum.founded_on, NO_BEGIN
                ended = _year(row, "End", path.name, problems)
                if not title:
                    problems.append(Problem(path.name, row.line, "Title", None, "expected the grouping's title"))
                for problem in problems:
                    run.reject(problem)
                if problems:
                    continue
                state_id = row.values.get("stateID") or ""
                country = state_id if state_id and writer.resolver.resolve(state_id).ok else \
                    row.values.get("StateName") or state_id
                memberships.append(MembershipRecord(
                    file=path.name, line=row.line, forum=forums[fold(title)].code, country=country,
                    role="member", started_on=started, started_precision="year", ended_on=ended,
                    ended_precision="year" if ended else None, note=note,
                    cites=[Cite(release, f"{path.name} line {row.line}")],
                ))
            writer.memberships(memberships)
        writer.finish()
    return run.report
