"""Files coopdb writes for the user (exports, FILE.rejects.csv): never one the user did not ask to replace,
never through a planted symbolic link, never half-written, and safe to open in a spreadsheet.

    target = OutFile(path, force=False)   # checks now: exists? a folder? may the folder be written?
    with target.open("w") as handle:      # a new, uniquely named `<name>.<random>.partial` beside it
        handle.write(...)
    target.publish()                      # becomes `path`; without force only if `path` still does not exist

The partial file is created with O_EXCL | O_NOFOLLOW: a symbolic link or file planted under its name is
never followed or overwritten, and two writers into one folder never share one. Publishing links it to
its name (which fails if the name exists) or, with force, renames it over the old file (a symbolic link
there is replaced, its target untouched). `discard()` (or an error inside `write`) removes it.

Spreadsheet cells: text starting with = + - @ or a tab or carriage return is a formula to Excel,
LibreOffice and Google Sheets (OWASP "CSV injection"); `neutralise` prefixes it with a single quote.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from db.errors import UserError

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would read as a formula, prefixed with ' (numbers and everything else unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def check_target(path: Path, force: bool) -> None:
    """Refuse, before anything is read or written, to replace what the user did not ask to replace."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise UserError(f"{path}: cannot be written ({exc.strerror})") from None
    if info is not None:
        if path.is_dir() and not path.is_symlink():
            raise UserError(f"{path} is a folder: move it away or choose another name")
        if not force:
            what = "a symbolic link" if path.is_symlink() else "a file"
            raise UserError(f"{path} already exists ({what}): give --force to replace it, or move it away")
    folder = path.parent
    if not folder.is_dir():
        raise UserError(f"{path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"{path}: the folder {folder} cannot be written (permission denied)")


class OutFile:
    """One output file: checked when made, written under a unique partial name, published at the end."""

    def __init__(self, path: Path | str, *, force: bool = False):
        self.path = Path(path)
        self.force = force
        check_target(self.path, force)
        self.partial = self.path.with_name(f"{self.path.name}.{secrets.token_hex(4)}.partial")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        self.kept = False  # the partial file stays: publishing found its name taken
        try:
            self._fd: int | None = os.open(self.partial, flags, 0o644)
        except OSError as exc:
            raise UserError(f"{self.path}: cannot create {self.partial.name} beside it ({exc.strerror})") from None

    @contextmanager
    def open(self, mode: str = "w") -> Iterator[IO]:
        """The partial file, open for writing ("w": UTF-8 text with no newline translation; "wb": bytes)."""
        if self._fd is None:
            raise ValueError("an OutFile is written once")
        fd, self._fd = self._fd, None
        handle = os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""}))
        try:
            with handle:
                yield handle
        except BaseException:
            self.discard()
            raise

    def publish(self) -> Path:
        """Give the written file its name. Without force, a file that appeared there meanwhile is kept and
        this is a UserError naming both (the partial file stays, holding what was written)."""
        if self.force:
            os.replace(self.partial, self.path)
            return self.path
        try:
            os.link(self.partial, self.path, follow_symlinks=False)
        except FileExistsError:
            self.kept = True
            raise UserError(f"{self.path} appeared while it was being written: kept it; what was written is in "
                            f"{self.partial}") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
                raise
            check_target(self.path, False)  # a file system without hard links: check, then rename
            os.replace(self.partial, self.path)
            return self.path
        self.partial.unlink()
        return self.path

    def discard(self) -> None:
        """Remove the partial file (unless publishing kept it); nothing when it was published."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if not self.kept:
            self.partial.unlink(missing_ok=True)
