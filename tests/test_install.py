"""`pip install .` into a fresh virtual environment, then `coopdb` from another folder, both backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI, create_pg_database, drop_pg_database, require_pg, url_text

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    if not (IN_CI or os.environ.get("COOPDB_TEST_INSTALL")):
        pytest.skip("installs coopdb into a new venv (about a minute): runs under CI=true or COOPDB_TEST_INSTALL=1")
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
                   check=True)
    return venv / "bin" / "coopdb"


def test_the_core_install_is_light(installed):
    """`pip install .` brings at most 25 packages (coopdb included; pip and setuptools come with the venv):
    no hdx-python-country (the M49 table ships as data), no pyarrow (the `parquet` extra)."""
    listing = subprocess.run([str(installed.with_name("pip")), "list", "--format", "json",
                              "--disable-pip-version-check"], capture_output=True, text=True, check=True)
    names = {p["name"].lower() for p in json.loads(listing.stdout)} - {"pip", "setuptools", "wheel"}
    assert "coopdb" in names
    assert not names & {"hdx-python-country", "pyarrow", "pandas"}
    assert len(names) <= 25, sorted(names)


def test_installed_command_without_the_extras(installed, tmp_path):
    """The country reference (UN M49 regions from the shipped table) loads without hdx-python-country;
    a Parquet export says how to install pyarrow."""
    url = "sqlite:///coopdb.sqlite"
    assert _run(installed, tmp_path, url, "db", "upgrade").returncode == 0
    loaded = _run(installed, tmp_path, url, "import", "countries")
    assert loaded.returncode == 0, loaded.stderr
    listed = _run(installed, tmp_path, url, "countries", "list", "--region", "Central Asia", "--json")
    assert {c["code"] for c in json.loads(listed.stdout)} == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    parquet = _run(installed, tmp_path, url, "export", "--all", "--format", "parquet", "--out", "exports")
    assert parquet.returncode == 3
    assert parquet.stderr == ("error: Parquet export needs pyarrow, an optional part of coopdb (about 170 MB): "
                              "install it with `pip install 'coopdb[parquet]'` (or `pip install pyarrow`), or "
                              "export as csv or xlsx\n")
    assert not (tmp_path / "exports").exists()


def _run(exe: Path, cwd: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COOPDB_DATABASE_URL"}
    env["COOPDB_DATABASE_URL"] = url
    return subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_installed_command_on_sqlite_from_another_folder(installed, tmp_path):
    first = _run(installed, tmp_path, "sqlite:///coopdb.sqlite", "db", "upgrade")
    assert first.returncode == 0, first.stderr
    status = _run(installed, tmp_path, "sqlite:///coopdb.sqlite", "status")
    assert status.returncode == 0, status.stderr
    assert "up to date" in status.stdout
    assert (tmp_path / "coopdb.sqlite").exists()


def test_installed_command_on_postgresql(installed, tmp_path):
    require_pg()
    url = create_pg_database()
    try:
        assert _run(installed, tmp_path, url_text(url), "db", "upgrade").returncode == 0
        status = _run(installed, tmp_path, url_text(url), "status")
        assert status.returncode == 0, status.stderr
        assert "up to date" in status.stdout
    finally:
        drop_pg_database(url)
