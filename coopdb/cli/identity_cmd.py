"""`coopdb dedupe`, `coopdb merge KEEP OTHER`, `coopdb unmerge CODE`: one record per real thing."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from coopdb.cli.common import database_url_option, engine_for, json_option, out, print_json
from importers.dedupe import ENTITIES, likely_duplicates
from importers.merge import MergeReport
from importers.merge import merge as merge_records
from importers.merge import unmerge as unmerge_record


@click.command()
@click.option("--entity", type=click.Choice(ENTITIES), default="projects", show_default=True,
              help="Which records to compare.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show the N likeliest pairs only.")
@database_url_option
@json_option
def dedupe(entity: str, limit: int | None, database_url: str | None, as_json: bool) -> None:
    """List pairs of records that are probably the same thing, likeliest first, with the evidence: titles
    alike or a shared name, and at least one of the same year, the same amount, the same countries (a
    title score alone never lists a pair; records with different ids of one scheme, such as two AidData
    ids, are never listed). Nothing is changed: merge a pair you have checked with `coopdb merge KEEP OTHER`.

    Example: coopdb dedupe --limit 20
    """
    pairs = likely_duplicates(engine_for(database_url, migrated=True), entity, limit=limit)
    if as_json:
        print_json([p.as_dict() for p in pairs])
        return
    if not pairs:
        out.print(f"no likely duplicate {entity}")
        return
    table = Table("keep", "other", "score", "evidence", show_edge=False, pad_edge=False)
    for p in pairs:
        table.add_row(f"{escape(p.keep)}\n{escape(p.keep_title)}", f"{escape(p.other)}\n{escape(p.other_title)}",
                      f"{p.score:.2f}", escape("; ".join(p.reasons)))
    out.print(table)
    out.print(f"{len(pairs)} likely duplicate pair(s); merge one with: coopdb merge KEEP OTHER")


def _print(report: MergeReport, what: str, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    moved = ", ".join(f"{n} {k}" for k, n in report.moved.items() if n)
    held = f"; {report.held} statement(s) of sources stating both held aside" if report.held else ""
    prefix = "would have " if report.run and report.run.dry_run else ""
    out.print(f"{prefix}{what} {report.record_type} {escape(report.other)} "
              f"{'into' if what == 'merged' else 'from'} {escape(report.keep)} (moved {moved or 'nothing'}{held})")


@click.command()
@click.argument("keep")
@click.argument("other")
@click.option("--dry-run", is_flag=True, help="Merge, report and roll back.")
@database_url_option
@json_option
def merge(keep: str, other: str, dry_run: bool, database_url: str | None, as_json: bool) -> None:
    """Merge the record OTHER into KEEP (projects, agreements or events, by code or identifier such as
    aiddata:39556): every statement, citation, identifier and mention of OTHER moves to KEEP, records that
    name OTHER name KEEP, KEEP's values are derived again from all its sources, and OTHER's code is kept as
    `same_as`, so that a later import of either key lands on KEEP. `coopdb unmerge OTHER` undoes it."""
    report = merge_records(engine_for(database_url, migrated=True), keep, other, dry_run=dry_run)
    _print(report, "merged", as_json)


@click.command()
@click.argument("code")
@click.option("--dry-run", is_flag=True, help="Unmerge, report and roll back.")
@database_url_option
@json_option
def unmerge(code: str, dry_run: bool, database_url: str | None, as_json: bool) -> None:
    """Undo `coopdb merge KEEP CODE`: the record CODE comes back with its id, statements, citations,
    identifiers, mentions and the references to it, and both records are derived again."""
    report = unmerge_record(engine_for(database_url, migrated=True), code, dry_run=dry_run)
    _print(report, "unmerged", as_json)
