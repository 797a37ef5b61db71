"""`coopdb import article FILE` and `coopdb mentions`: news articles as sources, and what they name."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from coopdb.cli.common import database_url_option, engine_for, err, out, print_json
from coopdb.cli.reporting import print_report
from db.errors import UserError
from importers import fields
from importers.articles import import_article, review
from importers.articles.query import list_mentions
from importers.articles.text import decode


def _published(value: str | None):
    if value is None:
        return None
    try:
        day, precision = fields.date_with_precision(value)
    except fields.BadValue as exc:
        raise UserError(f"--published: {exc.expected} (got {value!r})") from None
    return day, precision


@click.command("article")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--lang", default="auto", show_default=True, metavar="auto|id|en|ru",
              help="Language of the article; auto detects Indonesian, English or Russian and says when unsure.")
@click.option("--url", help="Address where the article can be read (stored, never fetched).")
@click.option("--title", help="Title of the article.")
@click.option("--publisher", help="Publisher or outlet.")
@click.option("--published", metavar="DATE", help="Publication date (2025-06-18, 2025-06 or 2025); relative dates "
              "in the text ('Rabu lalu', 'last year') are counted from it.")
@click.option("--review", "review_path", type=click.Path(dir_okay=False), help="Write the candidates here "
              "(default: <name>.review.yml beside the input; none for stdin unless given).")
@click.option("--force", is_flag=True, help="Overwrite a review file that was edited since it was written.")
@click.option("--dry-run", is_flag=True, help="Show what would be recorded; write nothing, not even the review file.")
@click.option("--json", "as_json", is_flag=True, help="Print the mentions and candidates as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@database_url_option
def import_article_cmd(file, lang, url, title, publisher, published, review_path, force, dry_run, as_json, quiet,
                       database_url):
    """Record a news article (a text file, or - for stdin) as a source, store the known countries, forums,
    projects, agreements and organisations it names (table mentions), and write the projects and
    agreements it reports that the database does not know yet to a review file (a bundle) to check,
    edit and import. Nothing is fetched from the network."""
    if file == "-":
        raw, name, default_review = sys.stdin.buffer.read(), "<stdin>", None
    else:
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UserError(f"{file}: cannot read the file ({exc.strerror})") from None
        name, default_review = path.name, path.with_name(path.name + ".review.yml")
        if path.suffix in (".txt", ".text", ".md"):
            default_review = path.with_suffix(".review.yml")
    text = decode(raw, name)
    target = Path(review_path) if review_path else default_review
    if target is not None and not dry_run:
        review.check_writable(target, force)  # before importing: a refusal records nothing
    engine = engine_for(database_url)
    result = import_article(engine, text, name=name, lang=lang, url=url, title=title, publisher=publisher,
                            published=_published(published), dry_run=dry_run)
    body = review.render(result.source, result.candidates, article=name, lang=result.language,
                         language_note=result.detection.note, recognised=result.recognised, updates=result.updates,
                         events=result.events)
    if target is not None and not dry_run:
        review.write(target, body, force)
    if as_json:
        data = result.as_dict()
        data["review_file"] = None if target is None or dry_run else str(target)
        print_json(data)
        return
    if not result.detection.sure:
        err.print(f"warning: language guessed as {result.language} ({result.detection.note})")
    if quiet:
        return
    print_report(result.report, as_json=False, quiet=False)
    entities = {(m.entity.entity_type, m.entity.code) for m in result.mentions}
    out.print(f"language {result.language} ({result.detection.note}); {len(result.sentences)} sentences; "
              f"{len(result.mentions)} mentions of {len(entities)} known entities; "
              f"{len(result.candidates)} candidates")
    for m in result.mentions:
        out.print(f"  line {m.sentence.line}: {m.entity.entity_type} {m.entity.code} "
                  f"({m.sentence.text[m.start - m.sentence.start:m.end - m.sentence.start]!r})")
    for a in result.ambiguous:
        could = ", ".join(f"{e.entity_type} {e.code}" for e in a.entities)
        out.print(f"  line {a.sentence.line}: {a.text!r} is ambiguous ({could}); not recorded")
    for c in result.candidates:
        lines = ", ".join(str(s.line) for s in c.sentences)
        out.print(f"  candidate {c.section[:-1]} {c.title!r} (confidence {c.confidence:.2f}, line {lines})")
    for event in result.events:
        who = "; " + ", ".join(f"{role} {c.code}" for c, role in event.roles) if event.roles else ""
        signed = f"; {len(event.agreements)} agreement(s) signed" if event.agreements else ""
        out.print(f"  event {event.kind} {event.occurred_on.isoformat()} {event.title!r} (line "
                  f"{', '.join(str(n) for n in event.lines)}{who}{signed})")
    for thing in result.recognised:
        lines = ", ".join(str(n) for n in thing.lines)
        out.print(f"  known {thing.known.entity_type} {thing.known.code} ({thing.known.name!r}), line {lines}")
    for update in result.updates:
        for change in update.changes:
            note = f" ({change.note})" if change.note else ""
            out.print(f"  update {update.code}: {change.field} {change.old} -> {change.new}{note}")
    for kind, code, line in result.already_recorded:
        out.print(f"  already recorded from line {line}: {kind} {code}")
    if target is not None and not dry_run:
        out.print(f"review file: {target} (edit it, then import it as a bundle)")


@click.command("mentions")
@click.option("--source", "source", metavar="ID|KEY", help="Only this source (its id, key or URL).")
@click.option("--entity", "entity", metavar="CODE", help="Only this entity (a country, forum, project, agreement "
              "or organisation code, e.g. KAZ or SCO; type:CODE to choose the type).")
@click.option("--json", "as_json", is_flag=True, help="Print the mentions as JSON.")
@database_url_option
def mentions_cmd(source, entity, as_json, database_url):
    """List mentions: which known country, forum, project, agreement or organisation is named in which
    source, at which line, with its sentence."""
    rows = list_mentions(engine_for(database_url, read_only=True, migrated=True), source=source, entity=entity)
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no mentions")
        return
    for row in rows:
        out.print(f"source {row['source_id']} line {row['line']}: {row['entity_type']} {row['code']} "
                  f"({row['matched_text']!r}) - {row['sentence']}")
    out.print(f"{len(rows)} mention(s)")
