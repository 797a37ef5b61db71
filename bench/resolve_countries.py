"""Resolution speed: 100,000 country names through CountryResolver.

    .venv/bin/python bench/resolve_countries.py [--n 100000]

Names: every distinct spelling of the real data sets in ../shared/data (AidData, COW, IIGO) when the
folder is there, otherwise a built-in mix; repeated to N in a fixed shuffled order. Prints names/s
for a cold resolver (every spelling resolved once, then cached) and, as a raw baseline, a plain
dict lookup of the same strings; and the peak memory of the run.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from db import migrate
from db.engine import make_engine
from importers.countries import import_countries
from importers.resolve import CountryResolver

BUILT_IN = ["China", "Tiongkok", "Kazakhstan", "Korea, Rep.", "Congo, Dem. Rep.", "Cote d'Ivoire", "Türkiye",
            "Viet Nam", "Kyrgyz Republic", "congobrazz", "Russian Federation", "USSR", "Congo", "Кытай",
            "Қазақстан", "中国", "Africa, regional", "Kazakstn", "United States of America", "uk"]


def names() -> list[tuple[str, str | None]]:
    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if shared.is_dir():
        from tests.countries.realdata import single_names

        return [(name, dataset) for _source, dataset, name in single_names(shared)]
    return [(name, None) for name in BUILT_IN]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite")
        migrate.upgrade(engine)
        started = time.perf_counter()
        import_countries(engine)
        print(f"import countries: {time.perf_counter() - started:.2f} s")
        distinct = names()
        rng = random.Random(7)
        sample = [rng.choice(distinct) for _ in range(args.n)]
        tracemalloc.start()
        started = time.perf_counter()
        with engine.connect() as conn:
            resolver = CountryResolver.load(conn)
        load = time.perf_counter() - started
        started = time.perf_counter()
        ok = sum(resolver.resolve(name, dataset=dataset).ok for name, dataset in sample)
        took = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        baseline = {name: True for name, _d in distinct}
        started = time.perf_counter()
        sum(baseline.get(name, False) for name, _d in sample)
        raw = time.perf_counter() - started
        print(f"{len(distinct)} distinct names, {args.n:,} resolutions, {ok:,} matched")
        print(f"resolver load: {load:.2f} s")
        print(f"resolve: {args.n / took:,.0f} names/s ({took:.2f} s); raw dict lookup: {args.n / raw:,.0f} names/s")
        print(f"peak memory (load + resolve): {peak / 1e6:.1f} MB")
        engine.dispose()


if __name__ == "__main__":
    main()
