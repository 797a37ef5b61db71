"""`coopdb serve`: Datasette over the SQLite file, loaded in a real browser (headless Chromium) whose rendered
pages are checked. Chromium is Debian's package `chromium`: without it these tests skip with the reason,
except under CI=true (where .ci/run installs it) when they fail."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from db import serve
from tests.conftest import IN_CI

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _require_browser() -> str:
    if CHROMIUM is None:
        reason = "headless Chromium is not installed (Debian: apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(db_url, backend, bi_engine):
    """`coopdb serve` running on the BI test dataset; yields the base URL of its database."""
    if backend != "sqlite":
        pytest.skip("coopdb serve serves a SQLite file (PostgreSQL: see test_serve_refuses_postgresql)")
    pytest.importorskip("datasette", reason="the serve extra is not installed: pip install 'coopdb[serve]'")
    bi_engine.dispose()
    path = Path(db_url.database)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from coopdb.cli import main; main()", "serve", "-d", str(path), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=1)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"coopdb serve stopped: {process.stderr.read()}")
                time.sleep(0.2)
        yield f"{base}/{path.stem}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def dom(url: str) -> str:
    """The page as the browser rendered it."""
    result = subprocess.run(
        [_require_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--dump-dom", url], capture_output=True, text=True, timeout=90,
        env={**os.environ, "HOME": os.environ.get("HOME", "/tmp")})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_database_page_lists_the_views_first_then_queries_and_hides_the_tables(served):
    page = dom(served)
    assert page.index('id="views"') < page.index('id="queries"') < page.index('id="sql"')
    assert page.index('href="/coopdb/bi_projects_by_country"') < page.index('href="/coopdb/yearly_totals"')
    assert page.index('href="/coopdb/bi_countries"') < page.index('href="/coopdb/bi_dates"')  # catalogue order
    assert "hidden tables" in page and 'href="/coopdb/projects"' not in page  # the record tables are hidden
    assert "How much money was committed each year" in page  # a canned query titled by its question


def test_a_view_page_shows_rows_and_the_catalogue_descriptions(served):
    page = dom(served + "/bi_projects_by_country?country_code=KAZ")
    assert "KZ-ZHANATAS-WIND" in page and "Zhanatas wind farm" in page
    assert "One row per project and participant country" in page  # the view's description
    assert "This row's part of amount" in page  # a column description (amount_allocated)


def test_a_canned_query_runs_in_the_browser(served):
    page = dom(served + "/yearly_totals")
    assert "How much money was committed each year, counting every project once?</h1>" in page
    assert '<td class="col-year">2019</td>' in page
    assert 'class="col-total_usd_nominal">224500000</td>' in page
    assert 'class="col-total_usd_nominal">7300000000</td>' in page


def test_serve_refuses_postgresql(cli, db_url, backend):
    if backend != "postgresql":
        pytest.skip("the PostgreSQL message")
    pytest.importorskip("datasette")
    from tests.conftest import url_text

    result = cli("serve", "-d", url_text(db_url))
    assert result.exit_code == 3
    assert result.stderr == ("error: coopdb serve serves a SQLite file; for PostgreSQL connect Superset or Metabase "
                             "with a read-only login (docs/bi.md)\n")


def test_without_datasette_serve_says_how_to_install_it(cli, db_url, backend, monkeypatch):
    if backend != "sqlite":
        pytest.skip("checked before any database is opened")
    monkeypatch.setitem(sys.modules, "datasette", None)  # as if the extra were not installed
    result = cli("serve", "-d", db_url.database)
    assert result.exit_code == 3
    assert result.stderr == f"error: {serve.SERVE_MISSING}\n"


def test_metadata_comes_from_the_catalogue_and_the_queries():
    meta = serve.metadata("coopdb", ["projects", "alembic_version"])
    tables = meta["databases"]["coopdb"]["tables"]
    assert tables["projects"] == {"hidden": True}
    assert tables["bi_country_pairs"]["columns"]["shared_forums"].startswith("Forums both countries belong")
    queries = meta["databases"]["coopdb"]["queries"]
    assert "bi_projects" in queries["yearly_totals"]["sql"] and "bi.projects" not in queries["yearly_totals"]["sql"]
    assert queries["yearly_totals"]["title"].startswith("How much money was committed each year")
