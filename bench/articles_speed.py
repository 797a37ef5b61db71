"""Benchmark: `import_article` on long generated texts (1, 10 and 100 MB by default).

    .venv/bin/python bench/articles_speed.py [MEGABYTES ...] [--analyse-only]

Builds a scratch SQLite database with the quickstart's reference data (countries, forums, the
China-Kazakhstan facts), generates an Indonesian text of the given size from sentences written for
this benchmark (countries, forums, known and new projects, amounts, dates, agreements), and imports
it as an article: the source, its mentions and the candidates, in one run. Prints seconds, MB/s,
sentences, mentions, candidates and peak RSS. The time must grow linearly with the size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SENTENCES = [
    "Pemerintah Tiongkok dan Kazakhstan menandatangani {n} perjanjian senilai US$ {m} juta pada {d} Juli 2024.",
    "Proyek kereta cepat Kota{k} sepanjang {n} km ditargetkan rampung pada {y}.",
    "PLTB Angin{k} berkapasitas {n} MW dibangun oleh perusahaan China di wilayah selatan Kazakhstan.",
    "Menurut menteri itu, kerja sama dalam kerangka Belt and Road Initiative (BRI) terus meningkat.",
    "Kedua negara juga sepakat memperluas perdagangan dan investasi di bidang energi.",
    "Pelabuhan Darat{k} seluas {n} hektare menjadi simpul logistik antara Asia Tengah dan Eropa.",
    "Delegasi Indonesia hadir dalam pertemuan Shanghai Cooperation Organization (SCO) di Astana.",
    "Rabu lalu, para pejabat meninjau PLTB Zhanatas yang sudah beroperasi penuh.",
    "Harga tiket kereta itu disebut masih terjangkau bagi warga.",
    "Nilai investasi proyek tersebut mencapai Rp {n} triliun.",
]


def generate(megabytes: float, seed: int = 1) -> str:
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    parts: list[str] = []
    size = 0
    while size < target:
        paragraph = " ".join(
            rng.choice(SENTENCES).format(n=rng.randint(2, 900), m=rng.randint(10, 999), d=rng.randint(1, 28),
                                         y=rng.randint(2025, 2032), k=rng.randint(1, 400))
            for _ in range(rng.randint(2, 5)))
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 1
    return "\n".join(parts) + "\n"


def run(megabytes: float, analyse_only: bool) -> dict:
    from sqlalchemy import create_engine

    from db.migrate import upgrade
    from importers.articles import analyse, import_article
    from importers.quickstart import run_all

    text = generate(megabytes)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/bench.sqlite")
        upgrade(engine)
        run_all(engine)
        started = time.perf_counter()
        if analyse_only:
            with engine.connect() as conn:
                result = analyse(conn, text, lang="id", published=dt.date(2024, 7, 10))
        else:
            result = import_article(engine, text, name="generated.id.txt", lang="id",
                                    published=(dt.date(2024, 7, 10), "day"))
        seconds = time.perf_counter() - started
        engine.dispose()
    return {"mb": len(text.encode("utf-8")) / 1e6, "seconds": seconds, "sentences": len(result.sentences),
            "mentions": len(result.mentions), "candidates": len(result.candidates),
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=float, default=[1, 10, 100], help="sizes in MB")
    parser.add_argument("--analyse-only", action="store_true", help="time the analysis alone (no database writes)")
    args = parser.parse_args()
    for size in args.sizes:
        r = run(size, args.analyse_only)
        print(f"{r['mb']:.1f} MB: {r['seconds']:.1f} s ({r['mb'] / r['seconds']:.2f} MB/s); "
              f"{r['sentences']:,} sentences, {r['mentions']:,} mentions, {r['candidates']:,} candidates; "
              f"peak RSS {r['rss_mb']:,.0f} MB", flush=True)


if __name__ == "__main__":
    main()
