"""News articles: record an article as a source, find what it mentions, propose what is new.

    result = import_article(engine, text, name="article.id.txt", lang="auto", published=date(2025, 6, 18))
    result.report        # the import run's report (source and mentions)
    result.mentions      # known countries, forums, organisations, projects, agreements named, by sentence
    result.candidates    # proposed projects and agreements, for the review file (review.render)

The source's natural key is `sha256:<hex>` of the decoded text (BOM removed, nothing else changed);
importing the same text again finds the same source (filling in what it lacked) and the same
mentions. Nothing is fetched from the network. docs/articles.md explains the rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, delete, select

from db.models import Agreement, AgreementParty, Citation, Event, Mention, Project, Source
from db.upsert import upsert
from importers.articles.candidates import Candidate, CandidateFinder
from importers.articles.events import EventCandidate, find_events
from importers.articles.known import KnownProjects
from importers.articles.lang import SUPPORTED, Detection, detect_language, language_data
from importers.articles.matching import Ambiguous, Entity, Found, NameIndex
from importers.articles.text import Sentence, split_sentences, text_sha256
from importers.articles.updates import Update
from importers.articles.updates import propose as propose_updates
from importers.core import ImportReport, import_run
from importers.normalize import fold
from importers.records import SOURCE_COLUMNS, SourceRecord
from importers.writer import Writer

__all__ = ["ArticleResult", "analyse", "import_article"]

T_PARTIES = AgreementParty.__table__


@dataclass
class ArticleResult:
    key: str
    language: str
    detection: Detection
    sentences: list[Sentence]
    mentions: list[Found]
    ambiguous: list[Ambiguous]
    candidates: list[Candidate]
    # known projects the article reports (named as known, or recognised under another name), with what it says
    recognised: list[Candidate] = field(default_factory=list)
    # facts this article reports that a project or agreement already cites it for: (type, code, line)
    already_recorded: list[tuple[str, str, int]] = field(default_factory=list)
    # what the article says about known records that differs from their current values (review file `updates:`)
    updates: list[Update] = field(default_factory=list)
    # dated happenings it reports (visits, summits, signings, openings), for the review file's `events:`
    events: list[EventCandidate] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    report: ImportReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": {k: v for k, v in self.source.items() if k != "content"},
            "language": self.language, "language_note": self.detection.note,
            "sentences": len(self.sentences),
            "mentions": [mention_dict(m) for m in self.mentions],
            "ambiguous": [{"line": a.sentence.line, "text": a.text,
                           "could_be": [f"{e.entity_type}:{e.code}" for e in a.entities]} for a in self.ambiguous],
            "candidates": [c.as_dict() for c in self.candidates],
            "recognised": [c.as_dict() for c in self.recognised],
            "already_recorded": [{"type": t, "code": c, "line": n} for t, c, n in self.already_recorded],
            "updates": [u.as_dict() for u in self.updates],
            "events": [e.as_dict() for e in self.events],
            "report": self.report.as_dict() if self.report else None,
        }


def mention_dict(m: Found) -> dict[str, Any]:
    return {"entity_type": m.entity.entity_type, "code": m.entity.code, "name": m.entity.name,
            "matched_text": m.sentence.text[m.start - m.sentence.start:m.end - m.sentence.start],
            "matched_name": m.matched_name, "start_char": m.start, "end_char": m.end,
            "line": m.sentence.line, "sentence_index": m.sentence.index}


def choose_language(text: str, lang: str | None) -> tuple[str, Detection]:
    if lang in (None, "", "auto"):
        detection = detect_language(text)
        return detection.language, detection
    lang = lang.strip().lower()
    language_data(lang)  # raises a UserError for an unsupported language
    return lang, Detection(lang, True, "given")


def analyse(conn, text: str, *, lang: str | None = "auto", published: dt.date | None = None,
            published_precision: str | None = "day", index: NameIndex | None = None) -> ArticleResult:
    """Language, sentences, mentions, candidates, events and updates of a text; reads the database, writes
    nothing.

    A project candidate that is a known project under another name is recognised, not proposed
    (importers/articles/known.py). So is a candidate whose code or title is already a project's or
    agreement's (by title only when it is a name: "Uzbekistan–China agreement" may be any of theirs), and one
    read from a line of this article that one project or agreement of that kind already cites (the fact was
    recorded from that sentence, under another title; when several cite it, the candidate is only left out).
    What the article says about recognised records that differs from their current values becomes `updates`
    (importers/articles/updates.py); dated happenings become `events` (importers/articles/events.py)."""
    language, detection = choose_language(text, lang)
    sentences = split_sentences(text)
    index = index or NameIndex.load(conn)
    mentions, ambiguous = index.find(sentences, language)
    mentions = resolve_country_acronyms(mentions, index)
    countries = {e.code: e for e in index.entities.values() if e.entity_type == "country"}
    finder = CandidateFinder(language, published, published_precision=published_precision, countries=countries)
    found = finder.find(sentences, mentions)
    known_projects = KnownProjects(index, countries)
    for candidate in found:
        if candidate.known is None and candidate.section == "projects":
            match = known_projects.match(candidate)
            if match:
                candidate.known = match[0]
                candidate.reason(f"known project {match[0].code} ({match[1]!r}): recognised, not proposed")
    recognised = [c for c in found if c.known is not None]
    candidates = [c for c in found if c.known is None]
    known: dict[tuple[str, str], Entity] = {}
    for e in index.entities.values():
        for key in (e.code.upper(), fold(e.name)):
            known.setdefault((e.entity_type, key), e)
    kept = []
    for c in candidates:  # a candidate titled or coded as a known record is that record
        hit = known.get((c.section[:-1], c.code.upper())) or (
            None if c.generic else known.get((c.section[:-1], fold(c.title))))
        if hit is None:
            kept.append(c)
        else:
            c.known = hit
            recognised.append(c)
    candidates = kept
    cited = _cited_lines(conn, f"sha256:{text_sha256(text)}")
    recorded = [(c.section[:-1], code, s.line) for c in candidates for s in c.sentences
                for code in cited.get((c.section[:-1], s.line), ())]
    kept = []
    for c in candidates:  # read from a line a record of its kind cites: that record (when only one does)
        codes = {code for s in c.sentences for code in cited.get((c.section[:-1], s.line), ())}
        if not codes:
            kept.append(c)
        elif len(codes) == 1 and (hit := known.get((c.section[:-1], next(iter(codes)).upper()))) is not None:
            c.known = hit
            recognised.append(c)
    candidates = kept
    recognised = _pool_recognised(recognised)
    events = find_events(finder, sentences, mentions, [*candidates, *recognised])
    _signed_on_the_day(conn, events, recognised)
    events = _new_events(conn, events, cited)
    key = f"sha256:{text_sha256(text)}"
    source = conn.execute(select(Source.id, Source.priority).where(Source.key == key)).first()
    updates = propose_updates(conn, recognised, published=published,
                              priority=(source.priority or 0) if source else 0, source_id=source.id if source else None)
    return ArticleResult(key, language, detection, sentences, mentions, ambiguous, candidates, recognised,
                         sorted(set(recorded), key=lambda r: (r[2], r[1])), updates=updates, events=events)


def _signed_on_the_day(conn, events: list[EventCandidate], recognised: list[Candidate]) -> None:
    """A known agreement the article names, signed on the day of a visit it reports by the host and the
    visitors (all of them parties), was signed at that visit."""
    visits = [e for e in events if e.kind == "visit" and e.precision == "day"
              and any(role == "visitor" for _c, role in e.roles)]
    ids = [c.known.entity_id for c in recognised if c.known is not None and c.known.entity_type == "agreement"]
    if not visits or not ids:
        return
    a, p = Agreement.__table__, T_PARTIES
    signed = {r.id: (r.code, r.title, r.signed_on) for r in conn.execute(
        select(a.c.id, a.c.code, a.c.title, a.c.signed_on).where(a.c.id.in_(ids), a.c.signed_precision == "day"))}
    parties: dict[int, set[int]] = {}
    for agreement_id, country_id in conn.execute(select(p.c.agreement_id, p.c.country_id)
                                                 .where(p.c.agreement_id.in_(list(signed)))):
        parties.setdefault(agreement_id, set()).add(country_id)
    for event in visits:
        wanted = {c.entity_id for c, _role in event.roles}
        for agreement_id, (code, title, day) in signed.items():
            if day == event.occurred_on and wanted <= parties.get(agreement_id, set()) and code not in event.agreements:
                event.agreements[code] = title
                event.reasons.append(f"the known agreement {code}, named in the article, was signed by "
                                     f"{' and '.join(c.name for c, _r in event.roles)} that day")


def _new_events(conn, events: list[EventCandidate], cited: dict[tuple[str, int], list[str]]) -> list[EventCandidate]:
    """The events not recorded yet: neither an event's code already, nor read from a line an event cites."""
    codes = [e.code for e in events]
    known: set[str] = set()
    for start in range(0, len(codes), 1000):
        known.update(conn.execute(select(Event.code).where(Event.code.in_(codes[start:start + 1000]))).scalars())
    return [e for e in events if e.code not in known and not any(("event", n) in cited for n in e.lines)]


def _pool_recognised(things: list[Candidate]) -> list[Candidate]:
    """One entry per known project: sentences, names and facts of its candidates put together."""
    out: dict[tuple[str, int], Candidate] = {}
    for thing in things:
        assert thing.known is not None
        key = (thing.known.entity_type, thing.known.entity_id)
        first = out.get(key)
        if first is None:
            if thing.title != thing.known.name:
                thing.said = thing.title
            thing.title = thing.known.name
            out[key] = thing
            continue
        for sentence in thing.sentences:
            first.add_sentence(sentence)
        for name, lang in thing.names:
            first.add_name(name, lang)
        for k, v in thing.fields.items():
            first.fields.setdefault(k, v)
        for reason in thing.reasons:
            first.reason(reason)
    for thing in out.values():
        thing.sentences.sort(key=lambda s: s.index)
        thing.code = thing.known.code
    return list(out.values())


def resolve_country_acronyms(mentions: list[Found], index: NameIndex) -> list[Found]:
    """A country named only by an acronym ("ROK") that is the initials of another country the article
    names in full ("Republic of Kazakhstan" for a text on Kazakhstan) is that country, not the one the
    acronym usually means (South Korea)."""
    short = [m for m in mentions if m.entity.entity_type == "country" and m.matched_name.isupper()
             and len(m.matched_name) <= 4]
    if not short:
        return mentions
    named = {m.entity for m in mentions if m not in short and m.entity.entity_type == "country"}
    if not named:
        return mentions
    wanted = {(e.entity_type, e.entity_id) for e in named}
    initials: dict[str, set] = {}
    for entries in index.by_first.values():
        for entry in entries:
            if (entry.entity_type, entry.entity_id) in wanted and len(entry.words) > 1:
                letters = "".join(w[0] for w in entry.words).upper()
                initials.setdefault(letters, set()).add(index.entities[(entry.entity_type, entry.entity_id)])
    out = []
    for m in mentions:
        if m in short and m.entity not in named:
            fits = initials.get(m.matched_name.upper(), set())
            if len(fits) == 1:
                (entity,) = fits
                m = Found(entity, m.sentence, m.first, m.last, m.matched_name)
        out.append(m)
    return out


def _cited_lines(conn, key: str) -> dict[tuple[str, int], list[str]]:
    """(record type, line) -> codes of the projects and agreements that cite this article at that line."""
    cited: dict[tuple[str, int], list[str]] = {}
    for kind, model in (("project", Project), ("agreement", Agreement), ("event", Event)):
        rows = conn.execute(
            select(model.code, Citation.locator)
            .join(Citation, (Citation.record_id == model.id) & (Citation.record_type == kind))
            .join(Source, Source.id == Citation.source_id)
            .where(Source.key == key, Citation.locator.like("line %"))
        )
        for code, locator in rows:
            number = locator.removeprefix("line ").strip()
            if number.isdigit():
                cited.setdefault((kind, int(number)), []).append(code)
    return cited


def import_article(engine: Engine, text: str, *, name: str = "article", lang: str | None = "auto",
                   url: str | None = None, title: str | None = None, publisher: str | None = None,
                   published: tuple[dt.date, str] | None = None, dry_run: bool = False) -> ArticleResult:
    """Record the article as a source with its mentions, in one import run; return what was found."""
    language, detection = choose_language(text, lang)  # before the run: bad input records nothing
    digest = text_sha256(text)
    key = f"sha256:{digest}"
    options = {"lang": lang, "url": url, "title": title, "publisher": publisher,
               "published": published[0].isoformat() if published else None, "dry_run": dry_run}
    with import_run(engine, "article", file=name, options=options, dry_run=dry_run) as run:
        existing = run.conn.execute(select(Source.__table__).where(Source.key == key)).mappings().first()
        old = {c: existing[c] for c in SOURCE_COLUMNS} if existing is not None else {}
        given = {"kind": "news_article", "url": url, "title": title, "publisher": publisher,
                 "content_hash": digest, "content": text,
                 "language": language if lang not in (None, "", "auto") else None}
        if published:
            given["published_on"], given["published_precision"] = published
        values = {c: given.get(c) if given.get(c) is not None else old.get(c) for c in SOURCE_COLUMNS}
        values["language"] = values["language"] or language
        values["kind"] = old.get("kind") or "news_article"
        writer = Writer(run)
        writer.sources([SourceRecord(file=name, line=None, key=key, **values)])
        source_id = writer.source_id(key)
        run.report.read = 1
        pub_date = values["published_on"]
        result = analyse(run.conn, text, lang=language, published=pub_date,
                         published_precision=values.get("published_precision") or "day")
        result.detection = detection
        result.source = {"key": key, **values}
        if source_id is not None:
            result.source["id"] = source_id
        _store_mentions(run, source_id, result.mentions)
    result.report = run.report
    return result


def _store_mentions(run, source_id: int | None, mentions: list[Found]) -> None:
    run.report.read += len(mentions)
    if source_id is None:  # dry run of a new article: every mention would be new
        run.report.inserted += len(mentions)
        return
    rows = [{"source_id": source_id, "entity_type": m.entity.entity_type, "entity_id": m.entity.entity_id,
             "sentence_index": m.sentence.index, "line": m.sentence.line, "start_char": m.start, "end_char": m.end,
             "matched_text": m.sentence.text[m.start - m.sentence.start:m.end - m.sentence.start][:300],
             "matched_name": m.matched_name[:300], "sentence": m.sentence.text} for m in mentions]
    key = ("source_id", "start_char", "entity_type", "entity_id")
    result = upsert(run.conn, Mention.__table__, rows, key, run_id=run.run_id, dry_run=run.dry_run)
    run.report.add(result, "mentions")
    # Mentions this text no longer yields (names changed since the last import) are removed.
    wanted = {tuple(r[k] for k in key) for r in rows}
    stale = [r.id for r in run.conn.execute(
        select(Mention.id, *[Mention.__table__.c[k] for k in key]).where(Mention.source_id == source_id))
        if tuple(r[1:]) not in wanted]
    if stale:
        if not run.dry_run:
            run.conn.execute(delete(Mention).where(Mention.id.in_(stale)))
        run.report.details.setdefault("mentions", {})["removed"] = len(stale)
        run.warn(f"{len(stale)} mention(s) of this article no longer found were removed")


SUPPORTED_LANGUAGES = SUPPORTED
