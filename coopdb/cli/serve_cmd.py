"""`coopdb serve`: browse a SQLite database in a web browser (Datasette)."""

from __future__ import annotations

from pathlib import Path

import click

from coopdb.cli.common import database_url_option, engine_for, out
from db import serve as serve_lib
from db.engine import sqlite_path
from db.errors import UserError


@click.command("serve")
@database_url_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--time-limit-ms", default=serve_lib.TIME_LIMIT_MS, show_default=True, type=int,
              help="Time limit of each query a page runs.")
@click.option("--queries", "queries_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of .sql files to offer as canned queries [default: queries/ of the checkout].")
def serve(database_url: str | None, host: str, port: int, time_limit_ms: int, queries_dir: Path | None) -> None:
    """Browse the SQLite database read-only in a web browser (Datasette).

    The BI views come first, with the descriptions of docs/data-dictionary.md; the example queries of
    queries/ are ready to run; the record tables are under "hidden tables". The file is opened immutable:
    stop the server before importing into it. Needs `pip install 'coopdb[serve]'`. On PostgreSQL use
    Superset or Metabase instead (docs/bi.md).
    """
    serve_lib.require_datasette()
    engine = engine_for(database_url, read_only=True, migrated=True)
    path = sqlite_path(engine.url.set(database=engine.url.database.removeprefix("file:").split("?")[0]))
    if engine.dialect.name != "sqlite" or path is None:
        raise UserError("coopdb serve serves a SQLite file; for PostgreSQL connect Superset or Metabase with a "
                        "read-only login (docs/bi.md)")
    import uvicorn

    app = serve_lib.make_app(path, time_limit_ms, queries_dir)
    out.print(f"serving {path} read-only at http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(app.app(), host=host, port=port, log_level="warning")
