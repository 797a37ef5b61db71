"""What an input path must be before an importer reads it: an existing regular file.

A folder, a named pipe (FIFO), a socket or a device such as /dev/zero is refused with what it is:
importers read a file more than once (its hash, its encoding, its rows) and a device never ends.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from db.errors import UserError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def check_input(path: Path | str) -> Path:
    """`path` if it names a readable regular file; UserError saying what it is otherwise."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if path.is_symlink():
            raise UserError(f"{path}: a symbolic link to a file that does not exist") from None
        raise UserError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the file ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        what = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise UserError(f"{path}: {what}, not a file; save the data to a file and import that")
    if not os.access(path, os.R_OK):
        raise UserError(f"{path}: cannot read the file (permission denied)")
    return path
