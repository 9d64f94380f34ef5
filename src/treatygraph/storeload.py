"""Load the store while the graph file is still being written, in a child process.

pyoxigraph's bulk loader runs on one core, and a build's main stages before it (workers writing articles)
leave part of a core free while later ones (validation on the store) need it whole: loading as the Turtle
grows takes the load off the critical path. The child reads the file through the writer's own descriptor
(pread: the writer's offset is untouched) and waits at the end of what is written until the writer says
how long the file is. A thread would not do: a load fed from Python holds the interpreter lock. The child
is spawned, not forked: a process that has opened a store (RocksDB's threads and locks) cannot fork safely.
"""

from __future__ import annotations

import io
import os
import time
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .types import TreatygraphError

_POLL_SECONDS = 0.02  # how long the child waits when it has read everything written so far
_CHUNK = 1 << 20
_OPENED = "opened"  # the child's first message


class _GrowingFile(io.RawIOBase):
    """The bytes of a file another process is appending to, up to the length it announces at the end."""

    def __init__(self, path: str, final_size: Any, writer: int) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.final_size, self.offset, self.writer = final_size, 0, writer

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            final = self.final_size.value
            wanted = len(buffer) if final < 0 else min(len(buffer), final - self.offset)
            if wanted <= 0:
                return 0  # the writer is done and everything was read
            data = os.pread(self.fd, wanted, self.offset)
            if data:
                buffer[: len(data)] = data
                self.offset += len(data)
                return len(data)
            if final >= 0:
                raise OSError(f"the file ends at {self.offset} bytes, {final} were announced")
            if os.getppid() != self.writer:  # the build was killed: nothing more will come
                raise OSError("the build writing the file stopped")
            time.sleep(_POLL_SECONDS)


class GrowingLoad:
    """A new store in the empty folder `location`, loaded from the Turtle file at `path` as it is written."""

    def __init__(self, path: Path, location: Path, label: str) -> None:
        context = get_context("spawn")
        self.location, self.label = location, label
        self.final_size = context.Value("q", -1, lock=False)
        self.receiver, sender = context.Pipe(duplex=False)
        arguments = (str(path), str(location), self.final_size, os.getpid(), sender)
        self.process = context.Process(target=_load, args=arguments, daemon=True)
        self.process.start()
        sender.close()
        self.seconds = 0.0  # how long the child worked, once finished
        self.early: Any = None  # the child's first message, when `written` had to wait for it

    @staticmethod
    def path_of(fd: int) -> Path | None:
        """The file open at `fd` (Linux: /proc), or None where that cannot be known."""
        try:
            return Path(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            return None

    def written(self, size: int) -> None:
        """The writer is done: the file holds `size` bytes (flushed). Returns once the child has the file
        open, so that the writer may rename it."""
        self.final_size.value = size
        if self.early is None:
            self.early = self._receive()  # _OPENED, or what went wrong: kept for `wait`

    def wait(self) -> None:
        """Until the store is loaded; raises TreatygraphError naming the file if it could not be."""
        outcome = self.early if self.early is not None else self._receive()
        if outcome == _OPENED:
            outcome = self._receive()
        self.process.join()
        if isinstance(outcome, str):
            raise TreatygraphError(f"{self.label}: cannot load into the store: {outcome}")
        self.seconds = float(outcome)

    def _receive(self) -> Any:
        try:
            return self.receiver.recv()
        except EOFError:
            self.process.join()
            return f"the loading process ended with code {self.process.exitcode}"

    def abort(self) -> None:
        """Stop loading (the build failed); the caller removes the folder."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join()


def _load(path: str, location: str, final_size: Any, writer: int, sender: Connection) -> None:
    import pyoxigraph as ox

    start = time.perf_counter()
    try:
        growing = _GrowingFile(path, final_size, writer)
        sender.send(_OPENED)
        store = ox.Store(location)
        store.bulk_load(input=io.BufferedReader(growing, _CHUNK), format=ox.RdfFormat.TURTLE)
        store.flush()
        del store
        sender.send(time.perf_counter() - start)
    except BaseException as error:  # reported to the build, which names the file
        sender.send(" ".join(str(error).split())[:400] or type(error).__name__)
    finally:
        sender.close()
