"""Codes of projects, agreements, forums and organisations in their one spelling

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 05:40:00

Rules for a coopdb migration (read before you commit one):
- One concern per revision, with a downgrade() that really undoes it (tests walk down and up).
- Generate against PostgreSQL, then read every line: a rename must be a rename, not drop + add.
- SQLite needs batch mode: alter columns and constraints inside `with op.batch_alter_table(...)`.
- Constraints get their names from the naming convention in db/base.py; never name one by hand.
- Data fixes use Core SQL (sa.table/sa.column or op.execute), never the ORM models, which move on.
- Views are SQL kept in db/views/ and created/dropped here; autogenerate never sees them.
- A changed vocabulary in db/vocab.py means altering its CHECK here.

Why: importers now read every code in one spelling (importers/fields.py `code_of`): NFKC, invisible
characters removed, runs of spaces as one, upper case. A database filled before kept codes as written,
so `sa-case-1` stored then would not meet `SA-CASE-1` read now, and the next import would make a second
record. This data fix rewrites the stored codes in that spelling, in Python (the same result on both
backends: SQLite's UPPER() knows ASCII only). A code whose new spelling another row already has, or
shares with another row, is left as it is: those rows are two records of one thing, to merge by hand
(docs/security.md shows the query that finds them).

No schema change. The downgrade keeps the new spellings: the old ones are not recorded anywhere, and
the upper-case codes are valid codes at the revision before.
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {"forums": 64, "organisations": 120, "projects": 120, "agreements": 120}  # code lengths
# Frozen copy of importers.fields.clean_key + upper() as of this revision
_INVISIBLE_EXTRA = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")


def _spelling(code: str) -> str:
    if code.isascii() and code.isprintable():
        return " ".join(code.split()).upper()
    code = unicodedata.normalize("NFKC", code)
    kept = "".join(ch for ch in code if ch not in _INVISIBLE_EXTRA
                   and (unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\t\n\r"))
    return " ".join(kept.split()).upper()


def upgrade() -> None:
    conn = op.get_bind()
    for name, length in TABLES.items():
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("code", sa.String))
        rows = conn.execute(sa.select(table.c.id, table.c.code)).all()
        wanted = {row.id: _spelling(row.code) for row in rows}
        taken = Counter(wanted.values())
        for row in rows:
            new = wanted[row.id]
            if new != row.code and 0 < len(new) <= length and taken[new] == 1:
                conn.execute(sa.update(table).where(table.c.id == row.id).values(code=new))


def downgrade() -> None:
    """Nothing to undo in the schema; the codes keep their one spelling (see the docstring)."""
