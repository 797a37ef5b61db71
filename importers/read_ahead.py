"""Reading a workbook in a second process while the import validates and writes what was read so far.

Parsing a workbook costs about as much as importing its rows. A forked process inherits the opened
workbook (its parsed header and shared strings), parses the rows and sends them in batches through a pipe;
the import takes them as they come, on another core. It reads ahead at most _BUFFERED batches, so memory
stays bounded; a problem it meets stops the import with the same message at the same row as reading in
process would; it stops when the import stops reading, completes or fails, and when the import's process
dies.

Where processes cannot be forked (Windows, and macOS, where forking a process that loaded system libraries
is unsafe), or with COOPDB_READ_AHEAD=0 in the environment, files are read in the import's process.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing as mp
import os
import pickle
import queue
import signal
import sys
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

from db.errors import UserError

T = TypeVar("T")

ENV = "COOPDB_READ_AHEAD"  # 0: every file read in the import's own process
CAN_FORK = "fork" in mp.get_all_start_methods() and sys.platform != "darwin"
_BATCH = 256  # items per message
_FIRST_BATCH = 16  # the import waits for the first message: a short one
_BUFFERED = 16  # messages taken off the pipe and not yet used: how far the reader runs ahead
_STOPPING = {signal.SIGINT, signal.SIGTERM}
_PR_SET_PDEATHSIG = 1  # prctl(2)


def worth_reading_ahead(format: str) -> bool:
    """Whether a file of this format is read in a second process: workbooks, whose parsing costs about as much
    as importing their rows. A CSV row is parsed about as fast as it is sent through a pipe: reading one
    ahead gains nothing (docs/performance.md). Never with COOPDB_READ_AHEAD=0 in the environment."""
    return CAN_FORK and format == "xlsx" and os.environ.get(ENV, "").strip() != "0"


class ReadAhead(Generic[T]):
    """The items of `produce()`, made in a forked process. `position()`: how far the items handed out so far
    reach, as `(done, total)` of the reading process's `position()` after each item. `finish()` runs in the
    reading process after the last item; its value (pickled) is `result` once the items are all taken.
    `release()` runs here once the reading process has started (this process's copy of the file is not
    needed any more)."""

    def __init__(self, name: str, produce: Callable[[], Iterator[T]],
                 position: Callable[[], tuple[int, int | None]], *, finish: Callable[[], Any] | None = None,
                 release: Callable[[], None] | None = None) -> None:
        self.name = name
        self._produce, self._position_of, self._finish, self._release = produce, position, finish, release
        self._position = position()
        self.result: Any = None
        self._items = self._receive()

    def position(self) -> tuple[int, int | None]:
        return self._position

    def __iter__(self) -> Iterator[T]:
        return self._items

    def close(self) -> None:
        """Stop the reading process (reading stopped before the end)."""
        self._items.close()

    def _receive(self) -> Iterator[T]:
        context = mp.get_context("fork")
        receiving, sending = context.Pipe(duplex=False)
        with warnings.catch_warnings():  # Python 3.12+ warns of forking beside threads (a progress bar's):
            warnings.simplefilter("ignore", DeprecationWarning)  # the reader uses none of their locks
            reader = context.Process(target=self._send, args=(sending, os.getpid()), daemon=True,
                                     name=f"coopdb reader of {self.name}")
            # Ctrl-C or SIGTERM during the fork would raise in an at-fork hook, where Python drops the
            # exception: held until the reader has started, they then stop the import as anywhere else
            held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
            try:
                reader.start()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
        sending.close()
        if self._release is not None:
            self._release()
        # A pipe holds 64 KB, a few rows of a wide sheet: while the import writes a batch, a thread here takes
        # the reader's messages off the pipe (waiting in a system call, without the interpreter's lock), so
        # that the reader goes on parsing up to _BUFFERED messages ahead.
        buffered: queue.Queue[bytes | None] = queue.Queue(maxsize=_BUFFERED)
        stop = threading.Event()
        pump = threading.Thread(target=_pump, args=(receiving, buffered, stop), daemon=True,
                                name=f"coopdb pipe of {self.name}")
        pump.start()
        try:
            while True:
                message = buffered.get()
                if message is None:
                    raise RuntimeError(f"the process reading {self.name} stopped "
                                       f"(exit code {reader.exitcode})")
                kind, payload, position = pickle.loads(message)
                if kind == "items":
                    total = position[1]
                    for item, done in zip(*payload, strict=True):
                        self._position = (done, total)
                        yield item
                    continue
                self._position = position
                if kind == "end":
                    self.result = payload
                    return
                if kind == "problem":
                    raise UserError(payload)
                raise RuntimeError(f"reading {self.name} failed in its reading process:\n{payload}")
        finally:
            stop.set()
            if reader.is_alive():
                reader.terminate()  # its end of the pipe closes: the thread's wait ends
            reader.join()
            pump.join()
            receiving.close()

    def _send(self, sending: Connection, parent: int) -> None:
        """The reading process: every item in batches, then ("end", finish()); or the problem that stopped it."""
        gc.enable()  # paused in the import's process (importers/core.py), not needed paused here
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the import, which stops its reader
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the import's handler (coopdb.cli): just end
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPPING)  # held while forking
        _end_with(parent)
        batch: list[T] = []
        done: list[int] = []  # the position after each item, for the progress of the import
        try:
            try:
                size = _FIRST_BATCH
                for item in self._produce():
                    batch.append(item)
                    done.append(self._position_of()[0])
                    if len(batch) == size:
                        sending.send(("items", (batch, done), self._position_of()))
                        batch, done, size = [], [], _BATCH
                sending.send(("items", (batch, done), self._position_of()))
                sending.send(("end", self._finish() if self._finish is not None else None, self._position_of()))
            except UserError as exc:
                sending.send(("items", (batch, done), self._position_of()))
                sending.send(("problem", str(exc), self._position_of()))
            except Exception:
                sending.send(("crash", traceback.format_exc(), self._position_of()))
        except BrokenPipeError:  # the import stopped reading
            pass


def _end_with(parent: int) -> None:
    """End this reading process when the import's process ends, even when killed: it holds copies of the
    import's open files and connections (a database server would see a killed import's session alive while
    the reader lives). Linux: PR_SET_PDEATHSIG; elsewhere the reader ends at its next send, on a broken pipe."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it ended before that was set
        os._exit(0)


def _pump(receiving: Connection, buffered: queue.Queue[bytes | None], stop: threading.Event) -> None:
    """The messages of the pipe into `buffered`, then None at its end (or once `stop` is set)."""
    while True:
        try:
            message: bytes | None = receiving.recv_bytes()
        except (EOFError, OSError):
            message = None
        while not stop.is_set():
            try:
                buffered.put(message, timeout=0.1)
                break
            except queue.Full:
                continue
        if message is None or stop.is_set():
            return
