"""The `coopdb` command: a thin layer over the library that parses, calls, prints and exits.

Exit codes: 0 success; 1 internal failure (a bug: please report it); 2 wrong command-line usage;
3 bad input (a file, a value or a name the user gave); 4 the database cannot be reached or is
not migrated; 5 `db check` found the models and migrations out of step; 6 no space left on the
disk (of this machine or of the database server); 130 Ctrl-C, 143 SIGTERM.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import signal
import sys

import click
from sqlalchemy.exc import DBAPIError, OperationalError

from coopdb import __version__
from coopdb.cli import files_cmd
from coopdb.cli.articles_cmd import import_article_cmd, mentions_cmd
from coopdb.cli.bi_cmd import bi_group
from coopdb.cli.common import GROUP_URL, URL_HELP
from coopdb.cli.countries_cmd import countries_group, import_countries_cmd
from coopdb.cli.datasets_cmd import register as register_datasets
from coopdb.cli.db_cmd import db_group
from coopdb.cli.docs_cmd import docs_group
from coopdb.cli.explain_cmd import explain
from coopdb.cli.export_cmd import export
from coopdb.cli.identity_cmd import dedupe, merge, unmerge
from coopdb.cli.import_cmd import import_group
from coopdb.cli.mapping_cmd import mapping_group
from coopdb.cli.query_cmd import sql, status
from coopdb.cli.quickstart_cmd import quickstart
from coopdb.cli.serve_cmd import serve
from db.errors import CoopdbError

# psycopg logs what it ignores while cleaning up a lost connection ("error ignored terminating
# <psycopg.Copy>"); without a handler Python would print it to stderr beside our one-line message.
logging.getLogger("psycopg").addHandler(logging.NullHandler())

EXIT_INTERNAL = 1
EXIT_DATABASE = 4
EXIT_NO_SPACE = 6
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def _drop_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests) or already closed
        pass


def _disk_full(exc: BaseException) -> bool:
    """SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100) and its out-of-space I/O errors, raised by
    SQLAlchemy or straight from the driver."""
    orig = getattr(exc, "orig", None) or exc
    return ("database or disk is full" in str(orig) or getattr(orig, "sqlstate", None) == "53100"
            or "No space left on device" in str(orig))


_MISSING_DATABASE = re.compile(r'database "([^"]+)" does not exist')


def _driver_operational_error(exc: Exception) -> bool:
    """psycopg's or sqlite3's own OperationalError (a lost connection, an administrator shutdown) that
    reached us without SQLAlchemy's wrapping."""
    return any(cls.__name__ == "OperationalError" and cls.__module__.split(".")[0] in ("psycopg", "sqlite3")
               for cls in type(exc).__mro__)


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


class CoopdbGroup(click.Group):
    """Turns every error into one line on stderr and a distinct exit code; never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full disk under a redirected stdout shows here, not after exit
            return result
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except CoopdbError as exc:
            self._fail(ctx, f"error: {exc}", exc.exit_code)
        except OSError as exc:
            if exc.errno not in _NO_SPACE:
                self._internal(ctx, exc)
            where = f" writing {exc.filename}" if exc.filename else ""
            _drop_stdout()  # what stdout still buffers cannot be written either: do not try again at exit
            self._fail(ctx, f"error: no space left on the disk{where}; free some space and run again "
                       "(a failed import wrote nothing)", EXIT_NO_SPACE)
        except KeyboardInterrupt as exc:
            what = "SIGTERM" if isinstance(exc, Terminated) else "Ctrl-C"
            self._fail(ctx, f"interrupted ({what}): an import in progress was rolled back, nothing of it written, "
                       "and its run marked interrupted", 143 if isinstance(exc, Terminated) else 130)
        except OperationalError as exc:
            detail = _one_line(exc.orig) if exc.orig else _one_line(exc)
            if _disk_full(exc):
                self._fail(ctx, f"error: the database's disk is full ({detail}); free some space and run again "
                           "(a failed import wrote nothing)", EXIT_NO_SPACE)
            missing = _MISSING_DATABASE.search(detail)
            if missing:
                name = missing.group(1)
                detail += (f" (create it first: `createdb {name}` or `CREATE DATABASE {name}` as a user allowed to, "
                           "or `coopdb quickstart --create-database`)")
            self._fail(ctx, f"error: database unavailable: {detail}", EXIT_DATABASE)
        except DBAPIError as exc:
            detail = _one_line(exc.orig) if exc.orig else _one_line(exc)
            self._fail(ctx, f"error: database error: {detail}", EXIT_INTERNAL)
        except Exception as exc:
            if _disk_full(exc):
                self._fail(ctx, f"error: the database's disk is full ({_one_line(exc)}); free some space and run "
                           "again (a failed import wrote nothing)", EXIT_NO_SPACE)
            if _driver_operational_error(exc):  # raw from a driver call (COPY): the connection or server failed
                self._fail(ctx, f"error: database unavailable: {_one_line(exc)}", EXIT_DATABASE)
            self._internal(ctx, exc)

    def _internal(self, ctx: click.Context, exc: Exception):
        if os.environ.get("COOPDB_DEBUG"):
            raise exc
        self._fail(ctx, f"internal error: {type(exc).__name__}: {_one_line(exc)} "
                   "(set COOPDB_DEBUG=1 to see the traceback)", EXIT_INTERNAL)

    @staticmethod
    def _fail(ctx: click.Context, message: str, code: int):
        click.echo(message, err=True)
        ctx.exit(code)


@click.group(cls=CoopdbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coopdb")
@click.option("--database-url", "-d", "database_url", metavar="URL", help=URL_HELP)
@click.pass_context
def cli(ctx: click.Context, database_url: str | None) -> None:
    """coopdb: a relational database of international cooperation (countries, projects,
    agreements, forums) and the tools that fill it.

    The database is ./coopdb.sqlite unless --database-url (here, before the command, or after it)
    or $COOPDB_DATABASE_URL names another: `coopdb -d postgresql://me@/coop status`.
    """
    if database_url is not None:
        ctx.meta[GROUP_URL] = database_url


cli.add_command(quickstart)
cli.add_command(db_group)
cli.add_command(import_group)
cli.add_command(status)
cli.add_command(sql)
cli.add_command(explain)
cli.add_command(dedupe)
cli.add_command(merge)
cli.add_command(unmerge)
import_group.add_command(import_article_cmd)
cli.add_command(mentions_cmd)
cli.add_command(countries_group)
import_group.add_command(import_countries_cmd)
files_cmd.register()
cli.add_command(bi_group)
cli.add_command(serve)
cli.add_command(export)
cli.add_command(docs_group)
cli.add_command(mapping_group)
register_datasets(import_group)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the running import is rolled back and its run marked interrupted."""


def _terminate(_signum, _frame) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the process at once
    raise Terminated()


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="coopdb")
