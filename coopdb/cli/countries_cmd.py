"""`coopdb countries resolve|list` and `coopdb import countries`."""

from __future__ import annotations

import click
from rich.table import Table

from coopdb.cli.common import database_url_option, engine_for, json_option, out, print_json
from importers import countries as countries_lib
from importers.resolve import CountryResolver, Resolution

EXIT_UNRESOLVED = 3


def print_report(report) -> None:
    verb = "would change" if report.dry_run else "done"
    out.print(f"countries: {verb}: read {report.read:,}, inserted {report.inserted:,}, updated "
              f"{report.updated:,}, unchanged {report.unchanged:,} ({report.seconds:.1f} s)")
    for table, counts in report.details.items():
        out.print(f"  {table}: inserted {counts['inserted']:,}, updated {counts['updated']:,}, "
                  f"unchanged {counts['unchanged']:,}")


@click.command("countries")
@database_url_option
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@json_option
def import_countries_cmd(database_url: str | None, dry_run: bool, as_json: bool) -> None:
    """Load the built-in country reference: ISO 3166 countries and former countries, historical
    states with private codes, names in many languages, UN M49 regions, COW codes and the curated
    aliases. Running it again changes nothing."""
    report = countries_lib.import_countries(engine_for(database_url), dry_run=dry_run)
    if as_json:
        print_json(report.as_dict())
    else:
        print_report(report)


@click.group("countries")
def countries_group() -> None:
    """Look up countries: resolve names as importers do, list the reference."""


def _resolution_dict(r: Resolution) -> dict:
    return {"text": r.text, "status": r.status, "code": r.code, "name": r.name, "how": r.how,
            "note": r.note, "candidates": [list(c) for c in r.candidates],
            "suggestions": [list(s) for s in r.suggestions]}


def _describe(r: Resolution) -> str:
    if r.ok:
        return f"{r.text}: {r.code} {r.name} ({r.how})"
    if r.status == "ambiguous":
        options = ", ".join(f"{code} {name}" for code, name in r.candidates)
        return f"{r.text}: ambiguous, one of: {options}" + (f" ({r.note})" if r.note else "")
    if r.how == "not_a_country":
        return f"{r.text}: not a country: {r.note}"
    if r.how == "forum":
        return f"{r.text}: {r.note} ({r.name})"
    hint = "; did you mean: " + ", ".join(f"{c} {n}" for c, n in r.suggestions) if r.suggestions else ""
    return f"{r.text}: unknown country{hint}"


def load_resolver(database_url: str | None) -> CountryResolver:
    engine = engine_for(database_url, read_only=True, migrated=True)
    with engine.connect() as conn:
        return CountryResolver.load_required(conn)


@countries_group.command("resolve")
@click.argument("names", nargs=-1, required=True)
@database_url_option
@click.option("--lang", metavar="TAG", help="Prefer names in this language (en, id, ru, kk, zh, ...).")
@click.option("--dataset", metavar="KEY", help="Try this data set's own spellings first (cow, aiddata, iigo).")
@json_option
def resolve_cmd(names: tuple[str, ...], database_url: str | None, lang: str | None, dataset: str | None,
                as_json: bool) -> None:
    """Resolve each NAME (a name in any language, an alias, or a code) as the importers do: print
    the code, the name and how it matched. Exits 3 when any name is unknown or ambiguous, with
    "did you mean" suggestions that are never applied."""
    resolver = load_resolver(database_url)
    results = [resolver.resolve(n, lang, dataset=dataset) for n in names]
    if as_json:
        print_json([_resolution_dict(r) for r in results])
    else:
        for r in results:
            if r.ok:
                out.print(_describe(r))
            else:
                click.echo(_describe(r), err=True)
    if not all(r.ok for r in results):
        raise click.exceptions.Exit(EXIT_UNRESOLVED)


@countries_group.command("list")
@database_url_option
@click.option("--region", metavar="NAME", help="Only this UN M49 region, sub-region or intermediate region "
              "(name or code, e.g. Asia, 'Central Asia', 143).")
@click.option("--lang", metavar="TAG", help="Also show the name in this language.")
@click.option("--kind", type=click.Choice(["sovereign", "territory", "former", "other"]), help="Only this kind.")
@json_option
def list_cmd(database_url: str | None, region: str | None, lang: str | None, kind: str | None,
             as_json: bool) -> None:
    """List the countries of the reference with their codes and region."""
    engine = engine_for(database_url, read_only=True, migrated=True)
    rows = countries_lib.list_countries(engine, region=region, lang=lang, kind=kind)
    if as_json:
        print_json(rows)
        return
    columns = ["code", "alpha2", "name", *(["name_" + lang] if lang else []), "kind", "region", "subregion"]
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row[c]) for c in columns))
    out.print(table)
    out.print(f"{len(rows)} countr{'y' if len(rows) == 1 else 'ies'}")
