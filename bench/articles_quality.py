"""Quality of the article reader on a corpus with truth files (default: tests/articles/corpus/).

    .venv/bin/python bench/articles_quality.py [FOLDER] [--verbose]

Builds a scratch SQLite database with the quickstart's reference data, analyses every `*.txt` of the
folder with the `published` date of its truth file (`*.yml` beside it; importers/articles/quality.py
describes the format) and prints precision and recall of mentions, candidates, key facts, amounts,
dates and capacities; --verbose lists every miss.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "articles" / "corpus"


def score_folder(engine, folder: Path):
    from importers.articles import analyse
    from importers.articles.quality import Score, load_truth, score

    total = Score()
    with engine.connect() as conn:
        for path in sorted(folder.glob("*.txt")):
            truth = load_truth(path.with_suffix(".yml"))
            published = truth.get("published")
            if isinstance(published, str):
                published = dt.date.fromisoformat(published)
            result = analyse(conn, path.read_text(encoding="utf-8"), lang="auto", published=published)
            total.add(score(result, truth, path.name))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    from sqlalchemy import create_engine

    from db.migrate import upgrade
    from importers.articles.quality import describe
    from importers.quickstart import run_all

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/quality.sqlite")
        upgrade(engine)
        run_all(engine)
        total = score_folder(engine, args.folder)
        engine.dispose()
    articles = len(list(args.folder.glob("*.txt")))
    print(f"{articles} articles in {args.folder}")
    for line in describe(total):
        print(line)
    if args.verbose:
        for note in total.notes:
            print("  " + note)


if __name__ == "__main__":
    main()
