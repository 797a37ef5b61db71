"""`coopdb explain`: every value of a record's fields, with its source, and which one wins and why."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from coopdb.cli.common import database_url_option, engine_for, json_option, out, print_json
from importers.core import cut
from importers.explain import explain as explain_record


@click.command()
@click.argument("code")
@click.argument("field", required=False)
@database_url_option
@json_option
def explain(code: str, field: str | None, database_url: str | None, as_json: bool) -> None:
    """Show every value that sources give for the fields of the record CODE (a project, agreement, event,
    forum or organisation code; `project:CODE` when several kinds share it; an identifier such as aiddata:39556;
    a code merged into another record shows the kept one; `source:KEY` for what imports say about a cited
    source), its identifiers, or one FIELD, with the source,
    its date and priority, the import run and where in the source; the winning value is marked with *
    and the reason given (docs/provenance.md). Long values are cut to 300 characters unless one FIELD is
    asked for.

    Example: coopdb explain KZ-ZHANATAS-WIND amount
    """
    report = explain_record(engine_for(database_url), code, field)
    if as_json:
        print_json(report.as_dict())
        return
    out.print(f"{report.record_type} {escape(report.code)}: {escape(report.title or '')}")
    if report.identifiers:
        shown = ", ".join(f"{i['scheme']}:{i['value']}" + (f" ({i['source']})" if i["source"] else "")
                          for i in report.identifiers)
        out.print(f"identifiers: {escape(shown)}")
    if report.merged:
        out.print(f"merged into it: {escape(', '.join(report.merged))} (coopdb unmerge CODE undoes a merge)")
    if not report.fields:
        out.print("no statements: no import has given a value for this record")
    limit = None if field else VALUE_LIMIT  # one field asked for: its values whole
    for fr in report.fields:
        current = fr.current if not isinstance(fr.current, list) else "; ".join(fr.current)
        out.print(f"\n[bold]{escape(fr.field)}[/bold] = {escape(cut(str(current), HEADLINE_LIMIT))}  "
                  f"({escape(fr.reason)})")
        table = Table("", "value", "source", "date", "priority", "run", "where", show_edge=False, pad_edge=False)
        for s in fr.stated:
            value = "; ".join(s.value) if isinstance(s.value, list) else str(s.value)
            shown = value if limit is None else cut(value, limit)
            table.add_row("*" if s.wins else "", escape(shown), escape(s.source_key), s.source_date,
                          str(s.priority), str(s.run_id), escape(s.locator))
        out.print(table)


HEADLINE_LIMIT = 100  # characters of the current value beside the field's name (the table below has more)
VALUE_LIMIT = 300  # characters of each stated value when every field is shown (`explain CODE FIELD`: whole)

