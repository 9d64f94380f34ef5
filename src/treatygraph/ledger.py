"""What the next build needs of each article's part of the outputs: where its text lies in the files and
which shared lines it states.

A re-run does not recompute or unpickle the outputs of the articles that did not change: it copies their
blocks byte for byte from the last build's files (`os.copy_file_range`: the copy stays in the kernel), so
what it costs grows with what changed. What cannot be copied as a block (the lines about shared nodes,
which several articles state and the Turtle file holds once) is kept as ids into one table of lines.

- ArticleLedger: one article's spans in treatygraph.ttl, treatygraph.trig and inferred.ttl, its shared
  lines (ids), its seeds for the cross-article rules and its validation results.
- LineTable: the shared N-Triples lines, each with a stable id.
- Sink: an output file written by appending bytes or copying spans of another file.
- PreviousOutputs: the last build's files, opened before this build replaces them, and only when they are
  exactly as that build left them (size and mtime): anything else means the articles are recomputed.
"""

from __future__ import annotations

import errno
import os
import time
from array import array
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from .atomic import atomic_writer
from .buildstate import FileStamp
from .types import TreatygraphError

Span = tuple[int, int]  # [start, end) in bytes

OUTPUT_FILES = {"ttl": "treatygraph.ttl", "trig": "treatygraph.trig", "inferred": "inferred.ttl"}


@dataclass(frozen=True)
class ArticleLedger:
    signature: str  # the output signature the spans were written under
    ttl: Span  # its article-local Turtle block in treatygraph.ttl
    trig: Span  # its named graph in treatygraph.trig
    inferred: Span  # its article-local inferred lines in inferred.ttl
    shared: array[int]  # LineTable ids of its lines about shared nodes, in its order
    inferred_shared: array[int]  # LineTable ids of its inferred lines about shared nodes
    local_count: int
    seeds_asserted: tuple[Any, ...]  # triples the cross-article rules join
    seeds_inferred: tuple[Any, ...]
    check: Any  # localvalidate.ArticleCheck, or None


class LineTable:
    """N-Triples lines with ids that stay the same from build to build.

    The build state keeps them in a file of their own beside it (`stored`), to which a build only appends
    the lines it added: most of the state's bytes, written once instead of by every build."""

    def __init__(self, lines: list[str] | None = None, stored: StoredLines | None = None) -> None:
        self.lines: list[str] = lines or []
        self.ids: dict[str, int] = dict(zip(self.lines, range(len(self.lines)), strict=True))
        self.stored = stored  # the file holding the first `stored.count` lines, if any

    def __len__(self) -> int:
        return len(self.lines)

    def __getstate__(self) -> list[str]:
        return self.lines  # the dict is rebuilt on loading: a list pickles smaller and faster

    def __setstate__(self, lines: list[str]) -> None:
        self.__init__(lines)  # type: ignore[misc]

    def stored_in(self, folder: Path) -> StoredLines:
        """The lines written to a file in `folder`: appended to the file they were read from (bytes a killed
        build left past its end are overwritten), else to a new file; what the build state pickles instead."""
        known = self.stored
        if known is not None and known.count <= len(self.lines) and (folder / known.name).is_file():
            with open(folder / known.name, "r+b") as handle:
                handle.seek(known.size)
                handle.truncate()
                handle.write("".join(self.lines[known.count :]).encode())
                size = handle.tell()
            self.stored = StoredLines(known.name, len(self.lines), size)
        else:
            name = f"lines-{os.getpid()}-{time.time_ns()}.nt"  # a new name: the last state's file stays whole
            with atomic_writer(folder / name, binary=True, durable=False) as handle:
                handle.write("".join(self.lines).encode())
                size = handle.tell()
            self.stored = StoredLines(name, len(self.lines), size)
        return self.stored

    def ids_of(self, lines: tuple[str, ...]) -> array[int]:
        ids, table = self.ids, self.lines
        found = array("I")
        for line in lines:
            number = ids.get(line)
            if number is None:
                number = ids[line] = len(table)
                table.append(line)
            found.append(number)
        return found

    def compacted(
        self, used: bytearray, ledgers: dict[str, ArticleLedger]
    ) -> tuple[LineTable, dict[str, ArticleLedger]]:
        """Only the lines marked in `used`, renumbered, and the ledgers pointing at the new ids."""
        renumber = array("I", bytes(4 * len(self.lines)))
        kept: list[str] = []
        for number, line in enumerate(self.lines):
            if number < len(used) and used[number]:
                renumber[number] = len(kept)
                kept.append(line)
        return LineTable(kept), {path: _with_ids(ledger, renumber) for path, ledger in ledgers.items()}

    def sparse(self, used: bytearray) -> bool:
        """More than half the table is lines no article states any more."""
        return len(self.lines) > 1000 and used.count(1) * 2 < len(self.lines)


@dataclass(frozen=True)
class StoredLines:
    """Where a build state's line table is: the first `size` bytes of `name` hold its `count` lines."""

    name: str
    count: int
    size: int

    def opened(self, folder: Path) -> LineTable | None:
        """The table, or None when the file is not as the state recorded it."""
        try:
            with open(folder / self.name, "rb") as handle:
                data = handle.read(self.size)
            text = data.decode()
        except (OSError, UnicodeDecodeError):
            return None
        if len(data) != self.size:
            return None
        lines = text.splitlines(keepends=True)
        if len(lines) != self.count:  # splitlines also splits at separators other than \n inside a literal
            lines = [line + "\n" for line in text.split("\n")[:-1]]
            if len(lines) != self.count or (self.count and not text.endswith("\n")):
                return None
        return LineTable(lines, self)

    def prune(self, folder: Path) -> None:
        """Remove the line files of earlier states (this one's state is saved)."""
        for stray in folder.glob("lines-*.nt"):
            if stray.name != self.name:
                stray.unlink(missing_ok=True)


def _with_ids(ledger: ArticleLedger, renumber: array[int]) -> ArticleLedger:
    return replace(
        ledger,
        shared=array("I", [renumber[n] for n in ledger.shared]),
        inferred_shared=array("I", [renumber[n] for n in ledger.inferred_shared]),
    )


class Sink:
    """A binary output file filled by appending bytes or spans of other files (adjacent spans copied at once)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.position = 0  # bytes in the file once everything pending is copied
        self._pending: tuple[int, int, int] | None = None  # (source fd, start, end)

    def write(self, data: bytes) -> None:
        if self._pending is not None:
            self._copy_pending()
        self.handle.write(data)
        self.position += len(data)

    def copy(self, source: int, span: Span) -> Span:
        """Append `span` of the file open as `source`; returns where it lands in this file."""
        start, end = span
        pending = self._pending
        if pending is not None and pending[0] == source and pending[2] == start:
            self._pending = (source, pending[1], end)
        else:
            if pending is not None:
                self._copy_pending()
            self._pending = (source, start, end)
        landed = (self.position, self.position + end - start)
        self.position = landed[1]
        return landed

    def flush(self) -> None:
        if self._pending is not None:
            self._copy_pending()
        self.handle.flush()

    def _copy_pending(self) -> None:
        assert self._pending is not None
        source, start, end = self._pending
        self._pending = None
        self.handle.flush()
        copy_span(source, self.handle.fileno(), start, end)
        self.handle.seek(0, os.SEEK_END)  # the buffered writer learns where the copy left the file


def copy_span(source: int, target: int, start: int, end: int) -> None:
    """Bytes [start, end) of `source` appended at `target`'s position: in the kernel where it can."""
    offset = start
    while offset < end:
        try:
            copied = os.copy_file_range(source, target, end - offset, offset)
        except OSError as error:
            if error.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EPERM):
                raise
            copied = _copy_through_memory(source, target, offset, end)
        if copied == 0:
            raise TreatygraphError("an output of the last build is shorter than recorded")
        offset += copied


def _copy_through_memory(source: int, target: int, offset: int, end: int) -> int:
    data = os.pread(source, min(end - offset, 1 << 24), offset)
    view = memoryview(data)
    while view:
        written = os.write(target, view)
        view = view[written:]
    return len(data)


class PreviousOutputs:
    """The last build's output files, open for copying spans; `usable` only when each is as it was left."""

    def __init__(self, out: Path, stamps: dict[str, FileStamp], names: tuple[str, ...]) -> None:
        self.fds: dict[str, int] = {}
        self.usable = False
        for name in names:
            path = out / OUTPUT_FILES[name]
            if stamps.get(name) is None or FileStamp.of(path) != stamps[name]:
                self.close()
                return
            try:
                self.fds[name] = os.open(path, os.O_RDONLY)
            except OSError:
                self.close()
                return
        self.usable = bool(self.fds) and len(self.fds) == len(names)

    def read(self, name: str, span: Span) -> bytes:
        start, end = span
        data = os.pread(self.fds[name], end - start, start)
        if len(data) != end - start:
            raise TreatygraphError(f"{OUTPUT_FILES[name]}: shorter than the last build recorded")
        return data

    def close(self) -> None:
        for fd in self.fds.values():
            os.close(fd)
        self.fds = {}
        self.usable = False


def stamps_of(out: Path, names: tuple[str, ...]) -> dict[str, FileStamp]:
    """The size and mtime of the output files as this build leaves them."""
    found = {}
    for name in names:
        stamp = FileStamp.of(out / OUTPUT_FILES[name])
        if stamp is not None:
            found[name] = stamp
    return found
