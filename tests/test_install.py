"""`pip install .` into a fresh virtual environment, then `coopdb` from another folder, both backends."""

from __future__ import annotations

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
