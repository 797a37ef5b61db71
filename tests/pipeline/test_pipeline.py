"""Re-imports, single edits, rejects, dry runs, provenance, mappings, concurrency and kills."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from db.engine import make_engine
from db.models import Citation, ImportReject, Project, Source
from importers.files import import_file
from tests.conftest import url_text
from tests.pipeline.conftest import count, data_counts

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = """code,title,status,committed_on,amount,currency,participants,links,sources,notes
KZ-ZHANATAS,Zhanatas wind farm,operational,2019,100,USD,host:Kazakhstan|financier:China,parent:KZ-WIND,src-a,x
KZ-TURGUSUN,Turgusun hydropower plant,completed,2021,,,host:KZ|builder:CN,,src-a,y
KZ-WIND,Kazakhstan wind programme,agreed,2018,,,host:KZ,,,z
"""
SOURCES = "key,kind,title\nsrc-a,news_article,An article\nsrc-b,dataset,A dataset\n"


@pytest.fixture
def files(world, tmp_path):
    (tmp_path / "sources.csv").write_text(SOURCES)
    (tmp_path / "projects.csv").write_text(PROJECTS)
    import_file(world, "sources", tmp_path / "sources.csv")
    return tmp_path


def test_reimport_is_unchanged_and_one_edit_is_one_update(world, files):
    path = files / "projects.csv"
    first = import_file(world, "projects", path)
    assert (first.read, first.inserted, first.updated, first.unchanged) == (3, 3, 0, 0)
    assert first.warnings == ["projects.csv: columns not used for projects: notes"]
    assert count(world, "project_links") == 1  # a link to a project further down the file
    again = import_file(world, "projects", path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    path.write_text(PROJECTS.replace("Turgusun hydropower plant", "Turgusun HPP"))
    preview = import_file(world, "projects", path, dry_run=True)
    assert (preview.inserted, preview.updated, preview.unchanged) == (0, 1, 2)
    assert preview.changes == [{"table": "projects", "key": ["KZ-TURGUSUN"],
                                "fields": {"title": ["Turgusun hydropower plant", "Turgusun HPP"]}}]
    edited = import_file(world, "projects", path)
    assert (edited.inserted, edited.updated, edited.unchanged) == (0, 1, 2)
    with world.connect() as conn:
        row = conn.execute(select(Project).where(Project.code == "KZ-TURGUSUN")).one()
    assert row.title == "Turgusun HPP"
    assert (row.created_run_id, row.updated_run_id) == (first.run_id, edited.run_id)


def test_every_record_cites_its_file_and_a_second_source_adds_a_citation(world, files):
    report = import_file(world, "projects", files / "projects.csv")
    with world.connect() as conn:
        cites = conn.execute(select(Source.key, Citation.locator).join(Source).where(
            Citation.record_type == "project")).all()
    file_keys = {k for k, _ in cites if k.startswith("file:")}
    assert file_keys == {"file:projects.csv"}  # an input file is a source keyed by its name
    assert len(file_keys) == 1
    assert sorted(loc for k, loc in cites if k in file_keys) == ["line 2", "line 3", "line 4"]
    assert sum(1 for k, _ in cites if k == "src-a") == 2
    (files / "more.csv").write_text("code,title,sources\nKZ-TURGUSUN,Turgusun hydropower plant,src-b\n")
    second = import_file(world, "projects", files / "more.csv")
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 1)
    with world.connect() as conn:
        turgusun = conn.execute(select(Project.id).where(Project.code == "KZ-TURGUSUN")).scalar_one()
        keys = conn.execute(select(Source.key).join(Citation).where(
            Citation.record_type == "project", Citation.record_id == turgusun)).scalars().all()
    assert "src-a" in keys and "src-b" in keys and len([k for k in keys if k.startswith("file:")]) == 2
    assert report.run_id != second.run_id


def test_allow_rejects_counts_add_up_and_rejects_go_to_table_and_file(world, files):
    path = files / "projects.csv"
    path.write_text(PROJECTS + "KZ-BAD,Bad,finished,2020,,,host:KZ,,,\nKZ-BAD2,Bad 2,agreed,2020,,,host:Atlantis,,,\n")
    report = import_file(world, "projects", path, allow_rejects=True)
    assert (report.read, report.inserted, report.updated, report.unchanged, report.rejected) == (5, 3, 0, 0, 2)
    assert report.read == report.inserted + report.updated + report.unchanged + report.rejected
    with world.connect() as conn:
        rejects = conn.execute(select(ImportReject.line, ImportReject.field, ImportReject.value)
                               .where(ImportReject.run_id == report.run_id).order_by(ImportReject.line)).all()
    assert [tuple(r) for r in rejects] == [(5, "status", "finished"), (6, "participants[host]", "Atlantis")]
    with open(files / "projects.rejects.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["line"], r["field"], r["value"]) for r in rows] == [("5", "status", "finished"),
                                                                  ("6", "participants[host]", "Atlantis")]
    assert rows[1]["reason"] == "expected a country name or code known to coopdb"


def test_dry_run_writes_nothing(world, files, cli, db_url):
    before = data_counts(world)
    result = cli("import", "projects", files / "projects.csv", "--dry-run", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    assert "dry run, nothing written: would insert 3, would update 0, unchanged 0, rejected 0" in result.stdout
    assert data_counts(world) == before
    with world.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM import_runs WHERE importer = 'projects'")).scalar() == 0


def test_cli_json_report_and_status_shows_the_run(world, files, cli, db_url):
    result = cli("import", "projects", files / "projects.csv", "--json", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["read"], report["inserted"], report["status"]) == (3, 3, "succeeded")
    status = cli("status", "--json", "-d", url_text(db_url))
    assert '"importer": "projects"' in status.stdout


def test_mapping_file_imports_their_spreadsheet(world, files):
    (files / "theirs.csv").write_text(
        "Project ID;Name;Stage;Signed;Recipient;Funder;Internal\n"
        "P-1;Zhanatas wind farm;Done;03/07/2019;Kazakhstan;China;a\n"
        "P-2;Almaty ring road;In progress;;Kazakhstan;China, Russia;b\n")
    (files / "theirs.yml").write_text(
        "entity: projects\n"
        "columns: {Project ID: code, Name: title, Stage: status, Signed: committed_on}\n"
        "constants: {currency: USD}\n"
        "lookups: {status: {Done: completed, In progress: under_construction}}\n"
        "dates: {committed_on: '%d/%m/%Y'}\n"
        "split: {participants: ','}\n"
        "countries: {Recipient: host, Funder: financier}\n")
    report = import_file(world, "projects", files / "theirs.csv", mapping=files / "theirs.yml")
    assert (report.inserted, report.rejected) == (2, 0)
    assert report.warnings == ["theirs.csv: columns not used for projects: Internal"]
    with world.connect() as conn:
        rows = {r.code: r for r in conn.execute(select(Project))}
    assert rows["P-1"].status == "completed" and rows["P-2"].status == "under_construction"
    assert str(rows["P-1"].committed_on) == "2019-07-03" and rows["P-1"].committed_precision == "day"
    assert count(world, "project_countries") == 5


def test_mapping_bad_date_names_the_format(world, files):
    (files / "theirs.csv").write_text("Project ID,Name,Signed\nP-1,A,2019-07-03\n")
    (files / "theirs.yml").write_text("columns: {Project ID: code, Name: title, Signed: committed_on}\n"
                                      "dates: {committed_on: '%d/%m/%Y'}\n")
    with pytest.raises(Exception) as caught:
        import_file(world, "projects", files / "theirs.csv", mapping=files / "theirs.yml")
    assert [str(p) for p in caught.value.report.problems] == [
        "theirs.csv:2 [committed_on]: expected a date in the format %d/%m/%Y like 03/07/2024 (got '2019-07-03')"]


def test_two_concurrent_imports_create_no_duplicates(world, files, db_url):
    rows = "".join(f"P-{i},Project {i},agreed,2020,,,host:KZ|financier:CN,,,\n" for i in range(2000))
    path = files / "many.csv"
    path.write_text(PROJECTS.splitlines()[0] + "\n" + rows)
    errors, reports = [], []

    def run():
        engine = make_engine(db_url)
        try:
            reports.append(import_file(engine, "projects", path, batch_size=300))
        except Exception as exc:  # the assertion below shows it
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count(world, "projects") == 2000
    assert count(world, "project_countries") == 4000
    assert sorted(r.inserted for r in reports)[1] == 2000 or sum(r.inserted for r in reports) == 2000
    assert sum(r.inserted for r in reports) == 2000


def test_killed_import_leaves_no_partial_data(world, files, db_url):
    path = files / "big.csv"
    with open(path, "w") as fh:
        fh.write("code,title,status,participants\n")
        for i in range(300_000):
            fh.write(f"P-{i},Project {i},agreed,host:KZ|financier:CN\n")
    env = {**os.environ, "COOPDB_DATABASE_URL": url_text(db_url)}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "coopdb"), "import", "projects", str(path), "-q"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            with world.connect() as conn:
                status = conn.execute(text("SELECT status FROM import_runs WHERE importer = 'projects'")).scalar()
            if status == "running":
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        time.sleep(1.0)  # well into the rows
        assert proc.poll() is None, "the import finished before it could be killed: make the file bigger"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert count(world, "projects") == 0
    assert count(world, "project_countries") == 0
    assert count(world, "citations") == 0


def test_status_json_timestamps_are_one_iso_form_with_the_zone(world, files, cli, db_url):
    import re

    assert cli("import", "projects", files / "projects.csv", "-q", "-d", url_text(db_url)).exit_code == 0
    run = json.loads(cli("status", "--json", "-d", url_text(db_url)).stdout)["runs"][0]
    for key in ("started_at", "finished_at"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", run[key]), run[key]


def test_dry_run_diffs_show_plain_values_and_cut_long_text(world, files, cli, db_url, tmp_path):
    import re

    path = tmp_path / "p.csv"
    path.write_text("code,title,amount,currency,committed_on,description\n"
                    "DIFF-1,Old title,142.3,USD,2020-01-01,short\n")
    assert cli("import", "projects", path, "-q", "-d", url_text(db_url)).exit_code == 0
    path.write_text("code,title,amount,currency,committed_on,description\n"
                    f"DIFF-1,New title,142.8,USD,2021-02-03,{'long words ' * 40}\n")
    result = cli("import", "projects", path, "--dry-run", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "would update projects DIFF-1" in x)
    assert "Decimal(" not in line and "datetime" not in line
    assert 'title: "Old title" -> "New title"' in line
    assert re.search(r"amount: 142\.30? -> 142\.80?(,|$)", line), line
    assert "committed_on: 2020-01-01 -> 2021-02-03" in line
    assert re.search(r'description: "short" -> "long words [a-z ]{180,}… \(4\d\d characters\)"', line), line


def test_dry_run_diff_of_an_article_text_is_one_cut_line(world, cli, db_url, tmp_path):
    """A source's content (an article) changed: one line of the diff, its start and length; keys as written."""
    text = "First paragraph.\n\nSecond paragraph " + "word " * 100
    path = tmp_path / "s.json"
    path.write_text(json.dumps([{"key": "doc:a:", "kind": "news_article", "content": text}]))
    assert cli("import", "sources", path, "-q", "-d", url_text(db_url)).exit_code == 0
    path.write_text(json.dumps([{"key": "doc:a:", "kind": "news_article", "content": text.replace("First", "New")}]))
    result = cli("import", "sources", path, "--dry-run", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    new = "New paragraph.\\n\\nSecond paragraph " + "word " * 36
    changed = text.replace("First", "New")
    old = "First" + new[3:]
    assert lines[1] == (f'  would update sources doc:a:: content: "{old[:200]}… ({len(text)} characters)" '
                        f'-> "{new[:200]}… ({len(changed)} characters)"')


def test_links_across_batches_are_written_once_their_projects_are_and_looked_at_linearly(world, tmp_path, monkeypatch):
    """A project links to one further down the file (several batches later), to one written before, and to one
    that never comes. Each link is written once its project exists; the one that never comes is a problem at
    the end; and a record waiting for a project is looked at again only when a project it waits for is written,
    not at every batch (a million records linking to nothing would otherwise cost a million looks per batch)."""
    from importers.writer import Writer

    rows = ["code,title,links"]
    rows += [f"P-{i},Project {i},parent:P-199" for i in range(1, 100)]  # P-199 comes 10 batches later
    rows += [f"P-{i},Project {i},parent:P-1" for i in range(100, 199)]  # P-1 is written already
    rows += ["P-199,Project 199,", "P-200,Project 200,parent:NOWHERE"]
    path = tmp_path / "projects.csv"
    path.write_text("\n".join(rows) + "\n")
    looks = []
    original = Writer.project_id
    monkeypatch.setattr(Writer, "project_id", lambda self, code: looks.append(code) or original(self, code))
    report = import_file(world, "projects", path, batch_size=10, allow_rejects=True)
    assert report.inserted == 200
    assert [(p.line, p.value) for p in report.problems] == [(201, "NOWHERE")]
    assert count(world, "project_links") == 198
    assert looks.count("NOWHERE") <= 4  # when added, and once more at the end; never once per batch
    assert looks.count("P-199") <= 3 * 99 + 10
    again = import_file(world, "projects", path, batch_size=10, allow_rejects=True, force=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 200)


def test_a_project_is_stated_with_its_links_where_the_projects_they_name_are_written(world, tmp_path, monkeypatch):
    """Links to projects of earlier batches and of the record's own batch (before or after it, in a chain) are
    written with the record, in one statement; only a record whose link names a project of a later batch is
    written first and stated again for its links (Writer.project_links), in JSON records as in CSV rows."""
    from importers.writer import Writer

    def rows(p: str) -> list[str]:
        lines = [f"{p}-{i},Project {i},parent:{p}-31" for i in range(1, 4)]  # {p}-31 comes three batches later
        lines += [f"{p}-{i},Project {i},parent:{p}-1" for i in range(4, 11)]  # {p}-1: the same batch, before
        # the same batch, further down, in a chain: {p}-14 ... {p}-19 -> {p}-11 -> {p}-12 -> {p}-13
        lines += [f"{p}-11,Project 11,parent:{p}-12|linked:{p}-2", f"{p}-12,Project 12,parent:{p}-13",
                  f"{p}-13,Project 13,"]
        lines += [f"{p}-{i},Project {i},parent:{p}-11" for i in range(14, 20)]
        lines += [f"{p}-20,Project 20,parent:{p}-20"]  # itself: no link
        lines += [f"{p}-{i},Project {i},umbrella:{p}-5" for i in range(21, 31)]  # an earlier batch
        return [*lines, f"{p}-31,Project 31,"]

    restated = []
    original = Writer.project_links
    monkeypatch.setattr(Writer, "project_links",
                        lambda self, records: restated.extend(r.code for r in records) or original(self, records))
    csv_path, json_path = tmp_path / "projects.csv", tmp_path / "projects.json"
    csv_path.write_text("code,title,links\n" + "\n".join(rows("C")) + "\n")
    json_path.write_text(json.dumps([dict(zip(("code", "title", "links"), r.split(","), strict=True))
                                     for r in rows("J")]))
    for p, path in (("C", csv_path), ("J", json_path)):
        restated.clear()
        report = import_file(world, "projects", path, batch_size=10)
        assert not report.problems
        assert sorted(restated) == [f"{p}-1", f"{p}-2", f"{p}-3"], path.name
        links = {(a, b, kind) for a, b, kind in world.connect().execute(text(
            "SELECT p.code, r.code, l.kind FROM project_links l JOIN projects p ON p.id = l.project_id "
            "JOIN projects r ON r.id = l.related_project_id WHERE p.code LIKE :p"), {"p": f"{p}-%"})}
        assert len(links) == 3 + 7 + 3 + 6 + 10
        assert {(f"{p}-1", f"{p}-31", "parent"), (f"{p}-4", f"{p}-1", "parent"), (f"{p}-11", f"{p}-12", "parent"),
                (f"{p}-11", f"{p}-2", "linked"), (f"{p}-12", f"{p}-13", "parent"), (f"{p}-19", f"{p}-11", "parent"),
                (f"{p}-30", f"{p}-5", "umbrella")} <= links
        assert not any(a == f"{p}-20" for a, _b, _k in links)
        again = import_file(world, "projects", path, batch_size=10, force=True)
        assert (again.inserted, again.updated, again.unchanged) == (0, 0, 31), path.name


def test_the_cycle_collector_is_paused_during_an_import_and_back_after_it_whatever_the_end(world, tmp_path):
    """An import pauses Python's cycle collector (importers/core.py `_collector_paused`: it scanned every batch
    for nothing) and collects between batches; after the import, succeeded or failed, the collector runs again,
    and a caller that paused it keeps it paused."""
    import gc

    path = tmp_path / "p.csv"
    path.write_text("code,title,participants\n" + "".join(f"P-{i},Project {i},host:Kazakhstan\n"
                                                          for i in range(1, 301)))
    seen: list[bool] = []
    report = import_file(world, "projects", path, batch_size=100, progress=lambda _p: seen.append(gc.isenabled()))
    assert report.inserted == 300
    assert seen and not any(seen)  # paused while the rows were read and written
    assert gc.isenabled()
    bad = tmp_path / "bad.csv"
    bad.write_text("code,title,participants\nP-1,Project 1,host:Atlantis\n")
    from importers.core import ImportRejected

    with pytest.raises(ImportRejected):
        import_file(world, "projects", bad)
    assert gc.isenabled()
    gc.disable()
    try:
        import_file(world, "projects", path, batch_size=100)
        assert not gc.isenabled()
    finally:
        gc.enable()
