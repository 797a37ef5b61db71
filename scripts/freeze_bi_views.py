"""Freeze the live BI view SQL for a new revision: `python scripts/freeze_bi_views.py 0012` writes
migrations/frozen/bi_views_0012.json (create, drop and refresh statements per dialect), which that revision
runs. Frozen files are never edited afterwards; tests/bi/test_views.py checks the newest against db.bi."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from db import bi


def main(revision: str) -> Path:
    out = {dialect: {"create": bi.create_statements(dialect), "drop": bi.drop_statements(dialect),
                     "refresh": bi.pair_totals_statements(dialect)} for dialect in ("postgresql", "sqlite")}
    path = Path(__file__).resolve().parents[1] / "migrations" / "frozen" / f"bi_views_{revision}.json"
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(main(sys.argv[1]))
