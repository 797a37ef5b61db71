"""`coopdb import article` and `coopdb mentions` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import shutil

from sqlalchemy import func, insert, select

from db.models import Agreement, Citation, ImportRun, Mention, Project, Source
from importers.yaml_bundle import import_bundle
from tests.articles.conftest import ARTICLE_FIXTURES
from tests.conftest import url_text


def _count(engine, model) -> int:
    query = select(func.count()).select_from(model)
    if model is Source:  # articles (the test forums are stated by the import that loaded them)
        query = query.where(Source.kind == "news_article")
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def _copy(tmp_path, name="energi.id.txt"):
    path = tmp_path / name
    shutil.copyfile(ARTICLE_FIXTURES / name, path)
    return path


def test_import_twice_one_source_no_duplicate_mentions(known, db_url, cli, tmp_path):
    path = _copy(tmp_path)
    first = cli("import", "article", path, "--published", "2025-06-18", "--json", "-d", url_text(db_url))
    assert first.exit_code == 0, first.stderr
    data = json.loads(first.stdout)
    text = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert data["source"]["key"] == f"sha256:{digest}"
    assert len(data["mentions"]) == 9 and data["review_file"] == str(tmp_path / "energi.id.review.yml")
    second = cli("import", "article", path, "--published", "2025-06-18", "-d", url_text(db_url))
    assert second.exit_code == 0, second.stderr
    assert "inserted 0, updated 0, unchanged 10" in second.stdout
    assert _count(known, Source) == 1 and _count(known, Mention) == 9
    with known.connect() as conn:
        source = conn.execute(select(Source.__table__).where(Source.kind == "news_article")).mappings().one()
        mention = conn.execute(select(Mention.__table__).where(Mention.matched_text == "PBB")).mappings().one()
    assert (source["kind"], source["language"], source["content_hash"], source["content"]) == (
        "news_article", "id", digest, text)
    assert (source["published_on"].isoformat(), source["published_precision"]) == ("2025-06-18", "day")
    assert text[mention["start_char"]:mention["end_char"]] == "PBB" and mention["line"] == 9
    assert mention["sentence"] == text.splitlines()[8]


def test_an_existing_source_with_that_key_is_enriched_not_duplicated(known, db_url, cli, tmp_path):
    path = _copy(tmp_path, "energy.en.txt")
    key = "sha256:" + hashlib.sha256(path.read_text(encoding="utf-8").encode()).hexdigest()
    with known.begin() as conn:
        conn.execute(insert(Source).values(key=key, kind="news_article", title="Cited by reference data",
                                           publisher="Example Daily"))
    result = cli("import", "article", path, "--url", "https://example.org/a", "-q", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    with known.connect() as conn:
        rows = conn.execute(select(Source.title, Source.publisher, Source.url, Source.language,
                                   Source.content_hash).where(Source.kind == "news_article")).all()
    assert rows == [("Cited by reference data", "Example Daily", "https://example.org/a", "en", key[7:])]


def test_review_file_imports_unchanged_with_citations_to_the_sentences(known, db_url, cli, tmp_path):
    path = _copy(tmp_path)
    assert cli("import", "article", path, "--published", "2025-06-18", "-q", "-d", url_text(db_url)).exit_code == 0
    review = tmp_path / "energi.id.review.yml"
    report = import_bundle(known, review)
    assert report.warnings == [] and report.problems == []
    assert _count(known, Project) == 10 and _count(known, Agreement) == 2
    text = path.read_text(encoding="utf-8")
    with known.connect() as conn:
        source_id = conn.execute(select(Source.id).where(Source.kind == "news_article")).scalar_one()
        wind = conn.execute(select(Project.id, Project.capacity, Project.completed_on, Project.completed_precision)
                            .where(Project.title == "Sidrap Dua wind farm")).one()
        cites = conn.execute(select(Citation.locator, Citation.quote).where(
            Citation.source_id == source_id, Citation.record_type == "project", Citation.record_id == wind.id)).all()
        content = conn.execute(select(Source.content).where(Source.id == source_id)).scalar_one()
    assert (float(wind.capacity), wind.completed_on.isoformat(), wind.completed_precision) == (
        75.0, "2025-06-11", "day")
    assert cites == [("line 1", text.splitlines()[0])]
    assert content == text  # the review's copy of the source changed nothing
    # The accepted records are known now: importing the article again mentions them instead.
    again = cli("import", "article", path, "--published", "2025-06-18", "--review", tmp_path / "again.yml",
                "--json", "-d", url_text(db_url))
    data = json.loads(again.stdout)
    assert data["candidates"] == []
    assert {m["code"] for m in data["mentions"] if m["entity_type"] == "project"} >= {"SIDRAP-DUA-WIND-FARM"}


def test_an_edited_review_file_is_not_overwritten_without_force(known, db_url, cli, tmp_path):
    path = _copy(tmp_path)
    args = ("import", "article", path, "-q", "-d", url_text(db_url))
    assert cli(*args).exit_code == 0
    review = tmp_path / "energi.id.review.yml"
    assert cli(*args).exit_code == 0  # unchanged: rewritten
    review.write_text(review.read_text(encoding="utf-8") + "# checked\n", encoding="utf-8")
    runs = _count(known, ImportRun)
    refused = cli(*args)
    assert refused.exit_code == 3 and "was edited" in refused.stderr and "--force" in refused.stderr
    assert _count(known, ImportRun) == runs  # nothing recorded
    assert cli(*args, "--force").exit_code == 0
    assert "# checked" not in review.read_text(encoding="utf-8")


def test_bad_input_is_one_line_exit_3_and_records_nothing(known, db_url, cli, tmp_path):
    cases = {"empty.txt": b"", "blank.txt": b"  \n\n", "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
             "latin.txt": bytes(range(128, 256)) * 4}
    runs = _count(known, ImportRun)  # the fixture's forum import
    for name, raw in cases.items():
        (tmp_path / name).write_bytes(raw)
        result = cli("import", "article", tmp_path / name, "-d", url_text(db_url))
        assert result.exit_code == 3, (name, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"error: {name}:")
    french = tmp_path / "fr.txt"
    french.write_text("Le président a rencontré les dirigeants de la région pour discuter de la coopération "
                      "économique dans le cadre du sommet qui se tient cette semaine à Paris avec les partenaires.",
                      encoding="utf-8")
    result = cli("import", "article", french, "-d", url_text(db_url))
    assert result.exit_code == 3 and "does not look Indonesian, English or Russian" in result.stderr
    result = cli("import", "article", _copy(tmp_path), "--lang", "fr", "-d", url_text(db_url))
    assert result.exit_code == 3 and "language 'fr' is not supported" in result.stderr
    assert _count(known, Source) == 0 and _count(known, Mention) == 0 and _count(known, ImportRun) == runs
    assert not list(tmp_path.glob("*.review.yml"))


def test_stdin_and_the_mentions_command(known, db_url, cli, tmp_path):
    text = (ARTICLE_FIXTURES / "torgovlya.ru.txt").read_text(encoding="utf-8")
    result = cli("import", "article", "-", "--review", tmp_path / "ru.yml", "-q", "-d", url_text(db_url), input=text)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "ru.yml").exists()
    listed = cli("mentions", "--entity", "SCO", "--json", "-d", url_text(db_url))
    rows = json.loads(listed.stdout)
    assert [(r["matched_text"], r["line"], r["code"]) for r in rows] == [("ШОС", 2, "SCO")]
    assert rows[0]["sentence"] == text.splitlines()[1]
    by_source = cli("mentions", "--source", rows[0]["source_key"], "-d", url_text(db_url))
    assert by_source.exit_code == 0 and "7 mention(s)" in by_source.stdout
    assert json.loads(cli("mentions", "--entity", "country:KAZ", "--json", "-d", url_text(db_url)).stdout)[0][
        "matched_text"] == "Казахстан"
    missing = cli("mentions", "--source", "nope", "-d", url_text(db_url))
    assert missing.exit_code == 3 and "no source" in missing.stderr


def test_agreements_reported_together_keep_their_count_and_value(known, db_url, cli, tmp_path):
    """"17 agreements worth $629 million": one agreement record standing for 17, with its value and currency,
    from the review file into the agreements table."""
    path = tmp_path / "deals.en.txt"
    shutil.copyfile(ARTICLE_FIXTURES.parent / "corpus" / "agreements.en.txt", path)
    result = cli("import", "article", path, "--published", "2023-10-20", "-q", "-d", url_text(db_url))
    assert result.exit_code == 0, result.stderr
    report = import_bundle(known, tmp_path / "deals.en.review.yml")
    assert report.problems == []
    with known.connect() as conn:
        rows = conn.execute(select(Agreement.instrument_count, Agreement.amount, Agreement.currency)
                            .where(Agreement.instrument_count.is_not(None))).all()
    assert [(count, int(amount), currency) for count, amount, currency in rows] == [(17, 629_000_000, "USD")]
