"""`--replace-participants`: the participants a project record lists replace the stored ones.

By default an import only adds participants (another source may support one the file leaves out);
with the option, a participant the record no longer lists is deleted with its citations.
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from db.errors import UserError
from db.models import Base
from importers.files import import_file
from tests.conftest import url_text
from tests.pipeline.conftest import data_counts

T = Base.metadata.tables
HEADER = "code,title,participants\n"


def _participants(engine) -> set[tuple[str, str, str]]:
    p, pc, c = T["projects"], T["project_countries"], T["countries"]
    with engine.connect() as conn:
        return {tuple(r) for r in conn.execute(
            select(p.c.code, c.c.code, pc.c.role).join(pc, pc.c.project_id == p.c.id)
            .join(c, c.c.id == pc.c.country_id))}


def _write(path, body: str):
    path.write_text(HEADER + body)
    return path


@pytest.fixture
def two_projects(world, tmp_path):
    path = _write(tmp_path / "projects.csv",
                  "P-1,Road,host:Kazakhstan|financier:China\nP-2,Plant,host:Russia|financier:China\n")
    import_file(world, "projects", path)
    return world


def test_by_default_a_participant_left_out_stays(two_projects, tmp_path):
    path = _write(tmp_path / "edited.csv", "P-1,Road,host:Russia|financier:China\n")
    report = import_file(two_projects, "projects", path)
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
    assert _participants(two_projects) >= {("P-1", "KAZ", "host"), ("P-1", "RUS", "host")}


def test_replace_deletes_what_the_record_no_longer_lists_with_its_citations(two_projects, tmp_path):
    with two_projects.begin() as conn:  # a second source supports the participant about to go
        source_id = conn.execute(insert(T["sources"]).values(key="src-x", kind="web_page")
                                 .returning(T["sources"].c.id)).scalar_one()
        gone_id = conn.execute(
            select(T["project_countries"].c.id).join(T["projects"]).join(T["countries"])
            .where(T["projects"].c.code == "P-1", T["countries"].c.code == "KAZ")).scalar_one()
        conn.execute(insert(T["citations"]).values(source_id=source_id, record_type="project_country",
                                                   record_id=gone_id, field="", locator="p. 2"))
    path = _write(tmp_path / "edited.csv", "P-1,Road,host:Russia|financier:China\n")
    report = import_file(two_projects, "projects", path, replace_participants=True)
    assert (report.read, report.inserted, report.updated, report.unchanged) == (1, 0, 1, 0)
    assert report.details["project_countries"] == {"inserted": 1, "updated": 0, "unchanged": 1, "deleted": 1}
    assert _participants(two_projects) == {("P-1", "RUS", "host"), ("P-1", "CHN", "financier"),
                                           ("P-2", "RUS", "host"), ("P-2", "CHN", "financier")}
    with two_projects.connect() as conn:
        left = conn.execute(select(T["citations"].c.id).where(T["citations"].c.record_type == "project_country",
                                                             T["citations"].c.record_id == gone_id)).all()
    assert left == []
    again = import_file(two_projects, "projects", path, replace_participants=True)
    assert (again.updated, again.unchanged) == (0, 1)
    assert "deleted" not in again.details.get("project_countries", {})


def test_a_blank_cell_removes_all_and_a_missing_column_removes_none(two_projects, tmp_path):
    no_column = tmp_path / "titles.csv"
    no_column.write_text("code,title\nP-1,Road renamed\n")
    report = import_file(two_projects, "projects", no_column, replace_participants=True)
    assert report.updated == 1
    assert len(_participants(two_projects)) == 4
    blank = _write(tmp_path / "blank.csv", "P-2,Plant,\n")
    report = import_file(two_projects, "projects", blank, replace_participants=True)
    assert (report.updated, report.details["project_countries"]["deleted"]) == (1, 2)
    assert {p for p in _participants(two_projects) if p[0] == "P-2"} == set()
    assert {p for p in _participants(two_projects) if p[0] == "P-1"} == {("P-1", "KAZ", "host"),
                                                                        ("P-1", "CHN", "financier")}


def test_dry_run_lists_the_deletions_and_writes_nothing(two_projects, tmp_path, cli, db_url):
    before, counts = _participants(two_projects), data_counts(two_projects)
    path = _write(tmp_path / "edited.csv", "P-1,Road,host:Russia|financier:China\n")
    report = import_file(two_projects, "projects", path, replace_participants=True, dry_run=True)
    assert report.updated == 1
    assert {"table": "project_countries", "key": ["P-1", "KAZ", "host"], "fields": {}, "deleted": True} \
        in report.changes
    run = cli("import", "projects", str(path), "--replace-participants", "--dry-run", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert "would delete 1 project_countries rows no longer listed" in run.stdout
    assert "would delete project_countries P-1/KAZ/host" in run.stdout
    assert _participants(two_projects) == before and data_counts(two_projects) == counts
    run = cli("import", "projects", str(path), "--replace-participants", "-d", url_text(db_url))
    assert run.exit_code == 0, run.stderr
    assert "deleted 1 project_countries rows no longer listed" in run.stdout
    assert ("P-1", "KAZ", "host") not in _participants(two_projects)


def test_their_country_columns_through_a_mapping_count_as_the_participants(two_projects, tmp_path):
    mapping = tmp_path / "theirs.yml"
    mapping.write_text("columns: {ID: code, Name: title}\ncountries: {Recipient: host, Lender: financier}\n")
    path = tmp_path / "theirs.csv"
    path.write_text("ID,Name,Recipient,Lender\nP-1,Road,Russia,China\n")
    report = import_file(two_projects, "projects", path, mapping=mapping, replace_participants=True)
    assert report.details["project_countries"]["deleted"] == 1
    assert {p for p in _participants(two_projects) if p[0] == "P-1"} == {("P-1", "RUS", "host"),
                                                                        ("P-1", "CHN", "financier")}


def test_only_projects_take_the_option(world, tmp_path, cli, db_url):
    path = tmp_path / "forums.csv"
    path.write_text("code,name,kind\nSCO,Shanghai Cooperation Organisation,intergovernmental_organisation\n")
    with pytest.raises(UserError, match="--replace-participants applies to projects only"):
        import_file(world, "forums", path, replace_participants=True)
    run = cli("import", "forums", str(path), "--replace-participants", "-d", url_text(db_url))
    assert run.exit_code == 2
    assert "No such option '--replace-participants'" in run.stderr


def test_json_records_replace_only_where_they_name_participants(two_projects, tmp_path):
    path = tmp_path / "projects.jsonl"
    path.write_text('{"code": "P-1", "title": "Road", "participants": ["host:Russia"]}\n'
                    '{"code": "P-2", "title": "Plant"}\n')
    report = import_file(two_projects, "projects", path, replace_participants=True)
    assert report.details["project_countries"]["deleted"] == 2
    assert _participants(two_projects) == {("P-1", "RUS", "host"), ("P-2", "RUS", "host"),
                                           ("P-2", "CHN", "financier")}


def test_organisations_are_replaced_only_by_the_column_that_lists_them(world, tmp_path):
    """Flat rows: countries in `participants`, organisations in `organisations`; each column replaces
    its own kind only. A JSON record's participants list holds both kinds."""
    def organisations():
        p, po, o = T["projects"], T["project_organisations"], T["organisations"]
        with world.connect() as conn:
            return {tuple(r) for r in conn.execute(
                select(p.c.code, o.c.code, po.c.role).join(po, po.c.project_id == p.c.id)
                .join(o, o.c.id == po.c.organisation_id))}

    orgs = tmp_path / "organisations.csv"
    orgs.write_text("code,name\nCDB,China Development Bank\nSINO,Sinohydro\n")
    import_file(world, "organisations", orgs)
    first = tmp_path / "projects.csv"
    first.write_text("code,title,participants,organisations\nP-1,Road,host:Kazakhstan,financier:CDB|builder:SINO\n")
    import_file(world, "projects", first)
    countries_only = _write(tmp_path / "countries.csv", "P-1,Road,host:Russia\n")
    report = import_file(world, "projects", countries_only, replace_participants=True)
    assert "deleted" not in report.details["project_organisations"]
    assert organisations() == {("P-1", "CDB", "financier"), ("P-1", "SINO", "builder")}
    orgs_only = tmp_path / "orgs-only.csv"
    orgs_only.write_text("code,title,organisations\nP-1,Road,financier:CDB\n")
    report = import_file(world, "projects", orgs_only, replace_participants=True)
    assert report.details["project_organisations"]["deleted"] == 1
    assert "deleted" not in report.details.get("project_countries", {})
    assert organisations() == {("P-1", "CDB", "financier")}
    assert _participants(world) == {("P-1", "RUS", "host")}
    nested = tmp_path / "projects.jsonl"
    nested.write_text('{"code": "P-1", "title": "Road", "participants": ["host:Russia"]}\n')
    report = import_file(world, "projects", nested, replace_participants=True)
    assert report.details["project_organisations"]["deleted"] == 1
    assert organisations() == set()
