"""Datasette plugin that `coopdb serve` registers: exact decimal SUM/TOTAL/AVG on every connection."""

from __future__ import annotations

from datasette import hookimpl

from db import exact


@hookimpl
def prepare_connection(conn):
    exact.register(conn)
