"""Errors that carry what a user needs to fix them. The CLI prints them as one line."""

from __future__ import annotations


class CoopdbError(Exception):
    """Base class. `exit_code` is what the CLI exits with."""

    exit_code = 1


class UserError(CoopdbError):
    """The user's input or request is wrong (bad file, bad option, unknown name)."""

    exit_code = 3


class DatabaseError(CoopdbError):
    """The database cannot be reached or is not in the expected state."""

    exit_code = 4


class SchemaOutOfDate(DatabaseError):
    """The database is not migrated to the revision this version of coopdb expects."""
