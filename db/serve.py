"""`coopdb serve`: Datasette over a SQLite file, read-only and immutable, with the BI views first.

Datasette is an optional extra (`pip install 'coopdb[serve]'`). The metadata comes from the view catalogue
(titles, descriptions, column descriptions), the example queries in queries/*.sql become canned queries, the
record tables are hidden (listed under "hidden tables"), and SUM/TOTAL/AVG add decimals exactly as in
`coopdb sql` (db/exact.py). Every page's SQL runs under a time limit (TIME_LIMIT_MS) that every view meets at
AidData scale (docs/performance.md).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from db import bi
from db.engine import sqlite_read_only_uri
from db.errors import UserError

TIME_LIMIT_MS = 3000
TEMPLATES = Path(__file__).resolve().parent / "datasette_templates"
SERVE_MISSING = ("coopdb serve needs Datasette, an optional part of coopdb: install it with "
                 "`pip install 'coopdb[serve]'` (or `pip install datasette`)")
_QUESTION = re.compile(r"^--\s*Question:\s*(.+)$", re.M)


def require_datasette() -> None:
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise UserError(SERVE_MISSING) from None


def queries_dir() -> Path | None:
    """queries/ of the source checkout coopdb runs from, if any (`coopdb serve --queries DIR` names another)."""
    checkout = Path(__file__).resolve().parents[1] / "queries"
    return checkout if checkout.is_dir() else None


def canned_queries(folder: Path | None) -> dict[str, dict[str, str]]:
    """Each queries/*.sql as a Datasette canned query, named by its file, titled by its `-- Question:` line."""
    found: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.sql")) if folder else []:
        text = path.read_text(encoding="utf-8")
        question = _QUESTION.search(text)
        entry = {"sql": bi.for_dialect(text, "sqlite")}
        if question:
            entry["title"] = question[1].strip()
        found[path.stem] = entry
    return found


def metadata(database: str, tables: list[str], folder: Path | None = None) -> dict[str, Any]:
    """Datasette metadata for the database called `database` whose tables (not views) are `tables`."""
    views: dict[str, Any] = {}
    for v in bi.catalog().values():
        views[bi.qualified_name(v.name, "sqlite")] = {
            "title": v.name.replace("_", " "),
            "description": v.comment,
            "columns": {c.name: c.comment for c in v.columns},
        }
    hidden = {name: {"hidden": True} for name in tables}
    return {
        "title": "coopdb",
        "description": "International cooperation: projects, agreements, forums and memberships. The bi_ views "
                       "are the documented interface (docs/bi.md); the record tables are under 'hidden tables'.",
        "databases": {database: {"tables": {**hidden, **views},
                                 "queries": canned_queries(folder if folder is not None else queries_dir())}},
    }


def _register_exact_sums() -> None:
    from datasette.plugins import pm

    from db import datasette_plugin

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="coopdb-exact-sums")


def make_app(path: Path, time_limit_ms: int = TIME_LIMIT_MS, queries: Path | None = None):
    """The Datasette instance serving `path` read-only and immutable."""
    require_datasette()
    import sqlite3

    from datasette.app import Datasette

    with sqlite3.connect(sqlite_read_only_uri(path), uri=True) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    _register_exact_sums()
    return Datasette(
        immutables=[str(path)],
        template_dir=str(TEMPLATES),  # the database page lists the views first
        metadata=metadata(path.stem, tables, queries),
        settings={"sql_time_limit_ms": time_limit_ms, "default_page_size": 100,
                  "facet_time_limit_ms": 400, "suggest_facets": False, "allow_download": True},
    )
