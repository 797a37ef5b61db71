"""The BI views: their catalog (columns, types, comments), creating and dropping them, reading them with
proper Python types, and the read-only role for BI tools on PostgreSQL.

On PostgreSQL the views live in the schema `bi` (`bi.projects_by_country`); SQLite has no schemas, so there
they are views named with a `bi_` prefix (`bi_projects_by_country`). The columns are the same on both.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import Connection, Engine

from db.errors import UserError
from db.yamldata import load_data

SCHEMA = "bi"
SQLITE_PREFIX = "bi_"

# YEAR_OF(column) in the view SQL becomes each dialect's year extraction, as an integer.
_YEAR_OF = re.compile(r"YEAR_OF\(([\w.]+)\)")
_YEAR_SQL = {
    "postgresql": r"CAST(EXTRACT(YEAR FROM \1) AS INTEGER)",
    "sqlite": r"CAST(strftime('%Y', \1) AS INTEGER)",
}
# BI.name (another view) becomes bi.name or bi_name.
_BI_REF = re.compile(r"\bBI\.(\w+)")
# ALLOCATED(column) in projects_by_country: this row's part of the project's money, in whole cents (integer
# arithmetic on both databases, so SQLite's floats never round a share): the sharing rows get the cents
# divided by their number, the last of them the remainder; other rows 0.
_ALLOCATED = re.compile(r"ALLOCATED\(([\w.]+)\)")
_CENTS = r"CAST(ROUND(\1 * 100) AS BIGINT)"
_ALLOCATED_SQL = (
    r"CAST(CASE WHEN \1 IS NULL THEN NULL WHEN r.sharing = 0 THEN 0 "
    f"WHEN r.share_rank < r.sharers THEN {_CENTS} / r.sharers / 100.0 "
    f"ELSE ({_CENTS} - (r.sharers - 1) * ({_CENTS} / r.sharers)) / 100.0 END AS NUMERIC(20,2))"
)
# SECTOR_GROUP(code, name): the OECD DAC sector group's name of a sector code by its first three digits, else
# of a sector name (db/views/sector_groups.yml); NULL when neither is listed.
_SECTOR_GROUP = re.compile(r"SECTOR_GROUP\(([\w.]+),\s*([\w.]+)\)")
_NUMERIC = re.compile(r"numeric\((\d+),(\d+)\)")
_TYPES = ("text", "integer", "date", "boolean")


@dataclass(frozen=True)
class ViewColumn:
    name: str
    type: str  # text, integer, date, boolean or numeric(P,S)
    comment: str

    @property
    def numeric(self) -> tuple[int, int] | None:
        """(precision, scale) for a numeric column, else None."""
        match = _NUMERIC.fullmatch(self.type)
        return (int(match[1]), int(match[2])) if match else None


@dataclass(frozen=True)
class View:
    name: str
    comment: str
    columns: tuple[ViewColumn, ...]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def select_sql(self, dialect: str) -> str:
        """The view's SELECT for `dialect` (postgresql or sqlite)."""
        folder = resources.files("db.views")
        own = folder.joinpath(f"{self.name}.{dialect}.sql")  # a view whose SQL differs per dialect
        text = (own if own.is_file() else folder.joinpath(f"{self.name}.sql")).read_text(encoding="utf-8")
        text = _ALLOCATED.sub(_ALLOCATED_SQL, _YEAR_OF.sub(_YEAR_SQL[dialect], text))
        text = _SECTOR_GROUP.sub(lambda m: sector_group_sql(m[1], m[2]), text)
        return _BI_REF.sub(lambda m: qualified_name(m[1], dialect), text).strip()


@cache
def sector_groups() -> tuple[dict[str, str], dict[str, str]]:
    """(three-digit OECD DAC sector code -> its group's name, lower-case sector name -> the group's name), from
    db/views/sector_groups.yml."""
    raw = load_data(resources.files("db.views").joinpath("sector_groups.yml").read_text(encoding="utf-8"))
    return ({str(k): str(v) for k, v in raw["codes"].items()}, {str(k): str(v) for k, v in raw["names"].items()})


def sector_group_sql(code: str, name: str) -> str:
    """SQL giving the group's name of the sector code in `code`, else of the sector name in `name` (both
    dialects: SUBSTR, LOWER, TRIM and text literals)."""
    def literal(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    codes, names = sector_groups()
    by_code = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in codes.items())
    by_name = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in names.items())
    return (f"COALESCE(CASE SUBSTR(TRIM({code}), 1, 3) {by_code} END, "
            f"CASE LOWER(TRIM({name})) {by_name} END)")


@cache
def catalog() -> dict[str, View]:
    """The views in creation order, read from db/views/catalog.yml."""
    raw = load_data(resources.files("db.views").joinpath("catalog.yml").read_text(encoding="utf-8"))
    views = {}
    for name, spec in raw.items():
        columns = tuple(ViewColumn(*entry) for entry in spec["columns"])
        for column in columns:
            if column.type not in _TYPES and column.numeric is None:
                raise ValueError(f"catalog.yml: {name}.{column.name} has unknown type {column.type!r}")
        views[name] = View(name, " ".join(spec["comment"].split()), columns)
    return views


def view(name: str) -> View:
    """The view called `name` (with or without `bi.` / `bi_`), or a UserError listing the views."""
    bare = name.removeprefix(SCHEMA + ".").removeprefix(SQLITE_PREFIX)
    views = catalog()
    if bare not in views:
        raise UserError(f"no BI view {name!r} (expected one of: {', '.join(views)})")
    return views[bare]


def qualified_name(name: str, dialect: str) -> str:
    """How SQL names the view on `dialect`: bi.name on PostgreSQL, bi_name on SQLite."""
    return f"{SCHEMA}.{name}" if dialect == "postgresql" else f"{SQLITE_PREFIX}{name}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_statements(dialect: str) -> list[str]:
    """The statements that create every view (and on PostgreSQL the schema and the comments)."""
    statements = []
    if dialect == "postgresql":
        statements.append(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    for v in catalog().values():
        name = qualified_name(v.name, dialect)
        statements.append(f"CREATE VIEW {name} AS\n{v.select_sql(dialect)}")
        if dialect == "postgresql":
            statements.append(f"COMMENT ON VIEW {name} IS {_quote(v.comment)}")
            statements += [f"COMMENT ON COLUMN {name}.{c.name} IS {_quote(c.comment)}" for c in v.columns]
    return statements


def drop_statements(dialect: str) -> list[str]:
    statements = [f"DROP VIEW IF EXISTS {qualified_name(v, dialect)}" for v in reversed(list(catalog()))]
    if dialect == "postgresql":
        statements.append(f"DROP SCHEMA IF EXISTS {SCHEMA}")
    return statements


def create_views(conn: Connection) -> None:
    for statement in create_statements(conn.dialect.name):
        conn.exec_driver_sql(statement)  # no parameters: '%' and ':' in the SQL are taken literally


def drop_views(conn: Connection) -> None:
    for statement in drop_statements(conn.dialect.name):
        conn.exec_driver_sql(statement)


# --- queries written against bi.<view> -------------------------------------------------------------------


def for_dialect(sql: str, dialect: str) -> str:
    """A query written with PostgreSQL's names (`bi.projects_by_country`) made to run on `dialect`.

    On SQLite every `bi.<view>` naming a known view becomes `bi_<view>`; nothing else changes.
    """
    if dialect == "postgresql":
        return sql
    names = "|".join(sorted(catalog(), key=len, reverse=True))
    return re.sub(rf"\b{SCHEMA}\.({names})\b", rf"{SQLITE_PREFIX}\1", sql)


# --- reading a view with proper types --------------------------------------------------------------------


def _to_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    return dt.date.fromisoformat(str(value)[:10])


def _to_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _to_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _to_decimal(scale: int):
    quantum = Decimal(1).scaleb(-scale)

    def convert(value: Any) -> Decimal | None:
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return number.quantize(quantum)

    return convert


def _to_text(value: Any) -> str | None:
    return None if value is None else str(value)


def converter(column: ViewColumn):
    """Turns what either database returns into the column's Python type (SQLite gives dates as text)."""
    numeric = column.numeric
    if numeric:
        return _to_decimal(numeric[1])
    return {"date": _to_date, "boolean": _to_bool, "integer": _to_int, "text": _to_text}[column.type]


def iter_view(engine: Engine, name: str, batch_size: int = 10_000,
              order_by: Sequence[str] | None = None) -> Iterator[list[tuple]]:
    """The rows of one view in batches of `batch_size`, typed by the catalog, streamed from the server."""
    v = view(name)
    converters = [converter(c) for c in v.columns]
    columns = ", ".join(v.column_names)
    sql = f"SELECT {columns} FROM {qualified_name(v.name, engine.dialect.name)}"
    if order_by:
        sql += " ORDER BY " + ", ".join(order_by)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, max_row_buffer=batch_size).exec_driver_sql(sql)
        while batch := result.fetchmany(batch_size):
            yield [tuple(f(value) for f, value in zip(converters, row, strict=True)) for row in batch]


def read_view(engine: Engine, name: str, order_by: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """All rows of one view as dicts (for tests and small views)."""
    names = view(name).column_names
    return [dict(zip(names, row, strict=True)) for batch in iter_view(engine, name, order_by=order_by)
            for row in batch]


# --- the read-only role (PostgreSQL) ---------------------------------------------------------------------

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


# Large-object functions that create or write objects: they persist data even in a READ ONLY transaction
LARGE_OBJECT_WRITERS = ("lo_create(oid)", "lo_creat(integer)", "lo_from_bytea(oid,bytea)", "lowrite(integer,bytea)",
                        "lo_put(oid,bigint,bytea)", "lo_import(text)", "lo_import(text,oid)", "lo_export(oid,text)",
                        "lo_truncate(integer,integer)", "lo_truncate64(integer,bigint)")
OUTWARD_EXTENSIONS = ("dblink", "adminpack")  # their functions, where installed, are revoked from PUBLIC too
DEFAULT_STATEMENT_TIMEOUT = 60  # seconds, for the login user's queries
DEFAULT_TEMP_FILE_LIMIT = 1024  # megabytes of temporary files (sorts, hashes spilled to disk) per session


@dataclass
class GrantReport:
    database: str
    role: str
    role_created: bool
    login: str | None = None
    login_created: bool = False
    password_set: bool = False
    views: tuple[str, ...] = ()
    statement_timeout: int | None = None  # seconds set on the login user
    temp_file_limit: int | None = None  # megabytes set on the login user (None: not set)
    kept_for: tuple[str, ...] = ()  # roles that keep TEMP on the database and CREATE on schema public
    still_allowed: tuple[str, ...] = ()  # what could not be revoked (the command's user lacks the right)


def _may_set(cur: Any, parameter: str) -> bool:
    """Whether the current user may set a superuser-only parameter on a role."""
    if cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
        return True
    if cur.connection.info.server_version >= 150000:
        return bool(cur.execute("SELECT has_parameter_privilege(%s, 'SET')", (parameter,)).fetchone()[0])
    return False


def _check_role_name(name: str, what: str) -> None:
    if not ROLE_NAME.fullmatch(name):
        raise UserError(f"{what} {name!r}: expected a lower-case PostgreSQL name of letters, digits and _ "
                        "(e.g. coopdb_readonly)")


def grant_readonly(engine: Engine, role: str, login: str | None = None, password: str | None = None,
                   statement_timeout: int = DEFAULT_STATEMENT_TIMEOUT,
                   temp_file_limit: int = DEFAULT_TEMP_FILE_LIMIT) -> GrantReport:
    """Give the NOLOGIN role `role` read access to the `bi` views and nothing else; optionally make `login` a
    login user that is a member of it (with `password`, sent to the server already hashed). Idempotent.

    The role gets CONNECT on the database, USAGE on schema bi, SELECT on every view in it, and default
    privileges so that views created later by the schema's owner are readable too. The login user also gets
    `search_path = bi`, read-only transactions and `statement_timeout` (seconds, 0 for none) in this
    database and as its own defaults everywhere, and `temp_file_limit` (megabytes of temporary files a
    session's sorts may spill to disk; -1 for none), which only a superuser (or, from PostgreSQL 15, a role
    granted SET on it) may set: otherwise it is listed in `still_allowed`.

    In this database, what every role holds through PUBLIC and a reader must not have is revoked: TEMP on
    the database and CREATE on schema public (kept for the owner of coopdb's tables, who imports through
    temporary tables), EXECUTE on the large-object functions that write (LARGE_OBJECT_WRITERS), which
    persist data even in a read-only transaction, and on the functions of dblink and adminpack where they
    are installed (OUTWARD_EXTENSIONS). Revoking needs the owner of the database, the schema and
    the functions (a superuser); what stays allowed is listed in the report's `still_allowed`.
    """
    from psycopg import sql

    if engine.dialect.name != "postgresql":
        raise UserError("roles exist only on PostgreSQL; share a SQLite file read-only instead (see docs/bi.md)")
    _check_role_name(role, "role")
    if login is not None:
        _check_role_name(login, "login user")
        if login == role:
            raise UserError(f"the login user must differ from the role ({role!r})")
    from db import migrate

    migrate.require_head(engine)

    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        cur = raw.cursor()

        def exists(name: str) -> tuple[bool, bool]:
            row = cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            return row is not None, bool(row and row[0])

        database = cur.execute("SELECT current_database()").fetchone()[0]
        owner = cur.execute("SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s",
                            (SCHEMA,)).fetchone()
        if owner is None:
            raise UserError(f"database {database} has no schema {SCHEMA}: run `coopdb db upgrade`")
        report = GrantReport(database=database, role=role, role_created=False, login=login)
        ident = sql.Identifier
        found, superuser = exists(role)
        if superuser:
            raise UserError(f"role {role!r} is a superuser: choose a new name for the read-only role")
        if not found:
            cur.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(ident(role)))
            report.role_created = True
        for statement in (
            "GRANT CONNECT ON DATABASE {db} TO {role}",
            "GRANT USAGE ON SCHEMA {schema} TO {role}",
            "GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}",
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT SELECT ON TABLES TO {role}",
        ):
            cur.execute(sql.SQL(statement).format(
                db=ident(database), role=ident(role), schema=ident(SCHEMA), owner=ident(owner[0])))

        if login is not None:
            found, superuser = exists(login)
            if superuser:
                raise UserError(f"login user {login!r} is a superuser: refusing to change it")
            if not found and not password:
                raise UserError(f"login user {login!r} does not exist yet: give its password with --password-env")
            verb = "ALTER" if found else "CREATE"
            if password:
                hashed = raw.pgconn.encrypt_password(password.encode(), login.encode()).decode()
                cur.execute(sql.SQL(verb + " ROLE {} WITH LOGIN PASSWORD {}").format(ident(login), sql.Literal(hashed)))
                report.password_set = True
            else:
                cur.execute(sql.SQL("ALTER ROLE {} WITH LOGIN").format(ident(login)))
            report.login_created = not found
            cur.execute(sql.SQL("GRANT {} TO {}").format(ident(role), ident(login)))
            for setting, value in (("search_path", SCHEMA), ("default_transaction_read_only", "on")):
                cur.execute(sql.SQL("ALTER ROLE {} IN DATABASE {} SET {} = {}").format(
                    ident(login), ident(database), ident(setting), sql.Literal(value)))
            timeout = f"{statement_timeout}s"
            for setting, value in (("default_transaction_read_only", "on"), ("statement_timeout", timeout)):
                cur.execute(sql.SQL("ALTER ROLE {} SET {} = {}").format(
                    ident(login), ident(setting), sql.Literal(value)))
            cur.execute(sql.SQL("ALTER ROLE {} IN DATABASE {} SET statement_timeout = {}").format(
                ident(login), ident(database), sql.Literal(timeout)))
            report.statement_timeout = statement_timeout
            if _may_set(cur, "temp_file_limit"):
                limit = f"{temp_file_limit}MB" if temp_file_limit >= 0 else "-1"
                for scope in ("ALTER ROLE {} SET temp_file_limit = {}",
                              "ALTER ROLE {} IN DATABASE {} SET temp_file_limit = {}"):
                    names = (ident(login), ident(database)) if "DATABASE" in scope else (ident(login),)
                    cur.execute(sql.SQL(scope).format(*names, sql.Literal(limit)))
                report.temp_file_limit = temp_file_limit
        report.kept_for, report.still_allowed = _revoke_public(cur, database, [r for r in (role, login) if r])
        if login is not None and report.temp_file_limit is None:
            report.still_allowed += ("temp_file_limit of the login user (setting it needs a superuser)",)
        # the schema version, so that `coopdb status`, `export` and `bi query` can check it as this role
        version = cur.execute("SELECT n.nspname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
                              "WHERE c.oid = to_regclass('alembic_version')").fetchone()
        if version is not None:
            cur.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident(version[0]), ident(role)))
            cur.execute(sql.SQL("GRANT SELECT ON TABLE {}.alembic_version TO {}").format(
                ident(version[0]), ident(role)))
        rows = cur.execute("SELECT table_name FROM information_schema.views WHERE table_schema = %s "
                           "ORDER BY table_name", (SCHEMA,)).fetchall()
        report.views = tuple(r[0] for r in rows)
    return report


# --- country_pair_totals: the counts behind bi.country_pairs ---------------------------------------------

# Each kind of link counted on its own (GROUP BY, no UNION over millions of link rows) for one direction
# (country_id < partner_id), each country's spans in a forum folded into one row first, then added up per pair
# and written in both directions. {scope} is empty for the full rebuild; for an update it joins the pairs to
# recompute (PAIR_SCOPE), so that one text serves both. A pair has at most one row of each kind, whose count the
# other kinds' rows leave at 0: MAX adds them up as SUM would (SUM is coopdb's exact decimal sum on SQLite, a
# Python function called per row: db/exact.py).
PAIR_TOTALS_SQL = """
INSERT INTO country_pair_totals
    (country_id, partner_id, shared_projects, shared_agreements, shared_forums, first_year, last_year)
SELECT country_id, partner_id, projects, agreements, forums, first_year, last_year FROM half
UNION ALL
SELECT partner_id, country_id, projects, agreements, forums, first_year, last_year FROM half
"""
PAIR_HALF_SQL = """
SELECT country_id, partner_id, MAX(projects) AS projects, MAX(agreements) AS agreements, MAX(forums) AS forums,
       MIN(first_year) AS first_year, MAX(last_year) AS last_year
FROM (
    SELECT a.country_id AS country_id, b.country_id AS partner_id, COUNT(DISTINCT a.project_id) AS projects,
           0 AS agreements, 0 AS forums,
           MIN(COALESCE(YEAR_OF(p.committed_on), YEAR_OF(p.started_on))) AS first_year,
           MAX(COALESCE(YEAR_OF(p.committed_on), YEAR_OF(p.started_on))) AS last_year
    FROM project_countries AS a
    JOIN project_countries AS b ON b.project_id = a.project_id AND b.country_id > a.country_id{scope}
    JOIN projects AS p ON p.id = a.project_id
    GROUP BY a.country_id, b.country_id
    UNION ALL
    SELECT a.country_id, b.country_id, 0, COUNT(DISTINCT a.agreement_id), 0,
           MIN(COALESCE(YEAR_OF(ag.signed_on), YEAR_OF(ag.in_force_on))),
           MAX(COALESCE(YEAR_OF(ag.signed_on), YEAR_OF(ag.in_force_on)))
    FROM agreement_parties AS a
    JOIN agreement_parties AS b ON b.agreement_id = a.agreement_id AND b.country_id > a.country_id{scope}
    JOIN agreements AS ag ON ag.id = a.agreement_id
    GROUP BY a.country_id, b.country_id
    UNION ALL
    -- the year the later of the two joined (the greater of their years): the first such year from their first
    -- spans, the last from their last
    SELECT a.country_id, b.country_id, 0, 0, COUNT(*),
           MIN(CASE WHEN a.first_year >= b.first_year THEN a.first_year ELSE b.first_year END),
           MAX(CASE WHEN a.last_year >= b.last_year THEN a.last_year ELSE b.last_year END)
    FROM spans AS a
    JOIN spans AS b ON b.forum_id = a.forum_id AND b.country_id > a.country_id{scope}
    GROUP BY a.country_id, b.country_id
) AS links
GROUP BY country_id, partner_id
"""
SPANS_SQL = """
SELECT forum_id, country_id, MIN(YEAR_OF(started_on)) AS first_year, MAX(YEAR_OF(started_on)) AS last_year
FROM memberships{spans_scope}
GROUP BY forum_id, country_id
"""
PAIR_SCOPE = "_pair_scope"  # temporary: the pairs an update recomputes (country_id < partner_id)
PAIR_TOUCHED = "_pair_touched"  # temporary: (link table, group, country or NULL for the whole group)
_SCOPE_JOIN = f"\n    JOIN {PAIR_SCOPE} AS s ON s.country_id = a.country_id AND s.partner_id = b.country_id"
_SPANS_SCOPE = (f"\nWHERE country_id IN (SELECT country_id FROM {PAIR_SCOPE} "
                f"UNION SELECT partner_id FROM {PAIR_SCOPE})")

# The link tables that pair countries up: table -> (the column naming the group whose countries pair up, the
# table of those groups when its values count too: a project's dates give the pair's years). A new kind of
# link counted in PAIR_HALF_SQL must be named here, or an update would not see it change.
PAIR_LINKS: dict[str, tuple[str, str | None]] = {
    "project_countries": ("project_id", "projects"),
    "agreement_parties": ("agreement_id", "agreements"),
    "memberships": ("forum_id", None),
}
# An update recomputing more than this share of the pairs in the table rebuilds it instead (a first import,
# a whole data set imported again with new values): one pass over every link is then cheaper. None: never.
FULL_REBUILD_SHARE: float | None = 0.5
# Nor are the pairs listed when, counted with their repeats, they are more than this many times those stored.
PAIRS_LISTED_AT_MOST = 4


def pair_totals_statements(dialect: str, *, scoped: bool = False) -> list[str]:
    """The full rebuild (DELETE, then one INSERT with its WITH clause where each dialect accepts it), or with
    `scoped` the update of the pairs in the temporary table PAIR_SCOPE (their rows deleted, then inserted)."""
    spans = SPANS_SQL.strip().format(spans_scope=_SPANS_SCOPE if scoped else "")
    half = PAIR_HALF_SQL.strip().format(scope=_SCOPE_JOIN if scoped else "")
    with_clause = f"WITH spans AS ({spans}),\nhalf AS ({half})\n"
    insert, select = PAIR_TOTALS_SQL.strip().split("\nSELECT ", 1)
    # PostgreSQL: INSERT INTO t (...) WITH ... SELECT; SQLite reads the same (a SELECT may start with WITH)
    statement = _YEAR_OF.sub(_YEAR_SQL[dialect], f"{insert}\n{with_clause}SELECT {select}")
    if not scoped:
        return ["DELETE FROM country_pair_totals", statement]
    return [f"DELETE FROM country_pair_totals WHERE (country_id, partner_id) IN "
            f"(SELECT country_id, partner_id FROM {PAIR_SCOPE} UNION ALL SELECT partner_id, country_id FROM "
            f"{PAIR_SCOPE})", statement]


def refresh(engine: Engine) -> int:
    """`coopdb bi refresh`: rebuild country_pair_totals in one transaction; the number of pairs."""
    with engine.begin() as conn:
        return refresh_country_pairs(conn)


def refresh_country_pairs(conn: Connection) -> int:
    """Rebuild country_pair_totals from the record tables (in the caller's transaction); the number of pairs."""
    for statement in pair_totals_statements(conn.dialect.name):
        conn.exec_driver_sql(statement)
    return conn.exec_driver_sql("SELECT COUNT(*) FROM country_pair_totals").scalar_one()


def links_of(conn: Connection, table: str, row_ids: Sequence[int]) -> set[tuple[str, int, int]]:
    """(table, group, country) of the rows of a link table (PAIR_LINKS) about to be deleted or moved to another
    group: what `update_country_pairs` needs to know of links that are gone. Nothing for other tables."""
    if table not in PAIR_LINKS or not row_ids:
        return set()
    from sqlalchemy import bindparam, text

    group = PAIR_LINKS[table][0]
    query = text(f"SELECT {group}, country_id FROM {table} WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True))
    found: set[tuple[str, int, int]] = set()
    ids = list(row_ids)
    for start in range(0, len(ids), 10_000):
        found.update((table, g, c) for g, c in conn.execute(query, {"ids": ids[start:start + 10_000]}))
    return found


def update_country_pairs(conn: Connection, run_id: int, removed: set[tuple[str, int, int]] = frozenset()
                         ) -> tuple[str, int]:
    """Bring country_pair_totals up to date after the import run `run_id` (in its transaction): recompute only
    the pairs of countries that a link the run wrote, changed or removed (`removed`: `links_of` before the
    delete) can have changed, and those of the projects and agreements whose values it changed. Returns
    ("update", the number of pairs recomputed) or ("rebuild", the number of pairs); the table then equals a
    full rebuild."""
    dialect = conn.dialect.name
    for name, columns in ((PAIR_TOUCHED, "link VARCHAR(40), group_id INTEGER, country_id INTEGER"),
                          (PAIR_SCOPE, "country_id INTEGER, partner_id INTEGER")):
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE IF NOT EXISTS {name} ({columns})")
        conn.exec_driver_sql(f"DELETE FROM {name}")
    result = _update_pairs(conn, dialect, run_id, removed)  # on an error the import's rollback drops them
    for name in (PAIR_TOUCHED, PAIR_SCOPE):
        conn.exec_driver_sql(f"DROP TABLE {name}")
    return result


def _update_pairs(conn: Connection, dialect: str, run_id: int, removed: set[tuple[str, int, int]]
                  ) -> tuple[str, int]:
    from sqlalchemy import text

    stored = conn.exec_driver_sql("SELECT COUNT(*) FROM country_pair_totals").scalar_one() // 2
    if FULL_REBUILD_SHARE is not None and not stored:  # a first import: nothing to keep
        return "rebuild", refresh_country_pairs(conn) // 2
    touched = f"INSERT INTO {PAIR_TOUCHED} (link, group_id, country_id) "
    if removed:
        conn.execute(text(touched + "VALUES (:link, :group_id, :country_id)"),
                     [{"link": t, "group_id": g, "country_id": c} for t, g, c in removed])
    for table, (group, parent) in PAIR_LINKS.items():
        # links the run inserted or changed; the whole group where the run changed the group's own values
        conn.execute(text(touched + f"SELECT '{table}', {group}, country_id FROM {table} "
                          "WHERE created_run_id = :run OR updated_run_id = :run"), {"run": run_id})
        if parent:
            conn.execute(text(touched + f"SELECT '{table}', id, NULL FROM {parent} WHERE updated_run_id = :run"),
                         {"run": run_id})
    pairs = []
    for table, (group, _parent) in PAIR_LINKS.items():
        link = f"t.link = '{table}'"
        pairs += [
            # a whole group: every pair of its countries
            f"SELECT a.country_id AS x, b.country_id AS y FROM {PAIR_TOUCHED} AS t "
            f"JOIN {table} AS a ON a.{group} = t.group_id JOIN {table} AS b ON b.{group} = t.group_id "
            f"AND b.country_id > a.country_id WHERE {link} AND t.country_id IS NULL",
            # one link: its country with every country of the group
            f"SELECT t.country_id, m.country_id FROM {PAIR_TOUCHED} AS t "
            f"JOIN {table} AS m ON m.{group} = t.group_id AND m.country_id <> t.country_id "
            f"WHERE {link} AND t.country_id IS NOT NULL",
        ]
    # two links of one group, both touched (e.g. both removed: the group no longer holds either)
    pairs.append(f"SELECT t.country_id, u.country_id FROM {PAIR_TOUCHED} AS t JOIN {PAIR_TOUCHED} AS u "
                 "ON u.link = t.link AND u.group_id = t.group_id AND u.country_id > t.country_id")
    if FULL_REBUILD_SHARE is not None:
        # the pairs counted with repeats (a pair of countries in many touched projects, forums): cheap to count,
        # and when they are many times the pairs stored (a whole data set changed) listing them costs as much
        # as the rebuild
        repeated = conn.exec_driver_sql(
            "SELECT " + " + ".join(f"(SELECT COUNT(*) FROM ({branch}) AS b)" for branch in pairs)).scalar_one()
        if repeated > PAIRS_LISTED_AT_MOST * stored:
            return "rebuild", refresh_country_pairs(conn) // 2
    union = "\nUNION ALL\n".join(pairs)
    conn.exec_driver_sql(f"INSERT INTO {PAIR_SCOPE} (country_id, partner_id) "
                         "SELECT DISTINCT CASE WHEN x < y THEN x ELSE y END, CASE WHEN x < y THEN y ELSE x END "
                         f"FROM ({union}) AS touched_pairs")
    scope = conn.exec_driver_sql(f"SELECT COUNT(*) FROM {PAIR_SCOPE}").scalar_one()
    if not scope:
        return "update", 0
    if FULL_REBUILD_SHARE is not None and scope > FULL_REBUILD_SHARE * stored:
        return "rebuild", refresh_country_pairs(conn) // 2
    for statement in pair_totals_statements(dialect, scoped=True):
        conn.exec_driver_sql(statement)
    return "update", scope


def _revoke_public(cur, database: str, readers: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Revoke from PUBLIC (in this database) TEMP, CREATE on schema public and the large-object writers; give
    TEMP and CREATE back to the owner of coopdb's tables. Returns (roles kept, what readers may still do)."""
    from psycopg import sql

    ident = sql.Identifier
    owner = cur.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename = 'alembic_version'").fetchone()
    keep = [owner[0]] if owner else []
    statements = [sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC").format(ident(database)),
                  sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC")]
    for name in keep:
        statements += [sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}").format(ident(database), ident(name)),
                       sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(ident(name))]
    for reader in readers:
        statements += [sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM {}").format(ident(database), ident(reader)),
                       sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(ident(reader))]
    statements += [sql.SQL("REVOKE EXECUTE ON FUNCTION {} FROM PUBLIC").format(sql.SQL(f"pg_catalog.{f}"))
                   for f in LARGE_OBJECT_WRITERS]
    # Extensions whose functions reach beyond the database (dblink opens connections that can commit; adminpack
    # writes server files): installed, they are executable by PUBLIC
    outward = [r[0] for r in cur.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc AS p JOIN pg_depend AS d ON d.objid = p.oid "
        "AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' JOIN pg_extension AS e ON e.oid = d.refobjid "
        "WHERE e.extname = ANY(%s) ORDER BY 1", (list(OUTWARD_EXTENSIONS),)).fetchall()]
    statements += [sql.SQL("REVOKE EXECUTE ON FUNCTION {} FROM PUBLIC").format(sql.SQL(f)) for f in outward]
    for statement in statements:
        cur.execute(statement)  # a REVOKE its user may not make is a warning, not an error: checked below
    allowed = []
    for reader in readers:
        temp, create = cur.execute("SELECT has_database_privilege(%s, current_database(), 'TEMP'), "
                                   "has_schema_privilege(%s, 'public', 'CREATE')", (reader, reader)).fetchone()
        functions = [f for f in (*(f"pg_catalog.{f}" for f in LARGE_OBJECT_WRITERS), *outward) if cur.execute(
            "SELECT has_function_privilege(%s, %s, 'EXECUTE')", (reader, f)).fetchone()[0]]
        allowed += ([f"{reader}: TEMP on database {database}"] if temp else []) + (
            [f"{reader}: CREATE on schema public"] if create else []) + (
            [f"{reader}: EXECUTE on {', '.join(dict.fromkeys(f.split('(')[0] for f in functions))}"]
            if functions else [])
    return tuple(keep), tuple(dict.fromkeys(allowed))
