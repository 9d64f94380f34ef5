"""The per-article cache of a build: each article's extraction result, keyed by what determines it.

An entry's key is a hash of the article's path, the sha256 of its bytes, the extractor version and the
ingest limits, so a changed article, a new extractor or new limits miss the cache and are read again.

Entries are pickles appended to one pack file under OUT/.cache/facts/, found through an index saved beside
it. One file, not one per article: a build reads every entry back soon after writing it (to write the
article's triples), and on a machine that keeps little in its page cache 100k small files cost 100k random
disk reads (measured: a tenth of a 100k build's samples) where a pack costs none. The entries this build
put can also be kept in memory (up to MEMORY_BUDGET bytes), where the write workers, forked later, read
them; the default is none: the pack just written (220 MB at 100k articles) is read back from the page cache
as fast (a 100k build took 367 s either way), and a 1 GB copy took the build's peak over 4 GB.

The pack only grows; `save` rewrites it when most of it is entries no article uses any more. A killed
build leaves at worst bytes past the end the index knows, or a pack no index names: both are ignored and
removed by the next save.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import EXTRACTOR_VERSION
from .atomic import atomic_writer

CACHE_FORMAT = "2"  # bump when what an entry holds changes
MEMORY_BUDGET = 0  # bytes of this build's entries kept in memory for the write stage (see the module doc)
_INDEX = "index.pkl"
_UNREADABLE = (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError, ValueError)


def entry_key(relative_path: str, content_sha256: str, settings: str) -> str:
    """Stable key of one article's extraction: path, bytes, extractor version and the settings that matter."""
    parts = (CACHE_FORMAT, EXTRACTOR_VERSION, relative_path, content_sha256, settings)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def pickled(value: Any) -> bytes:
    """An entry's bytes (a worker pickles its own result; the main process only appends bytes)."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class ArticleCache:
    """Pickled values in an append-only pack file, indexed by key; this build's entries also in memory."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.generation, self.entries = self._load_index()
        self.pack = folder / f"pack-{self.generation}"
        self._reader: int | None = None  # per process: forked workers open their own descriptor
        self._reader_pid = 0
        self._appender: Any = None
        self._appender_pid = 0
        # where the next entry goes: after the last one the index knows (a killed build's tail is overwritten)
        self._end = max((start + length for start, length in self.entries.values()), default=0)
        self.memory = bytearray()
        self.in_memory: dict[str, tuple[int, int]] = {}

    # ---- reading

    def get(self, key: str) -> Any | None:
        """The value stored under `key`, or None when there is none or it cannot be read (then recompute)."""
        blob = self.blob(key)
        if blob is None:
            return None
        try:
            return pickle.loads(blob)
        except _UNREADABLE:
            return None

    def blob(self, key: str) -> bytes | memoryview | None:
        place = self.in_memory.get(key)
        if place is not None:
            return memoryview(self.memory)[place[0] : place[0] + place[1]]
        place = self.entries.get(key)
        if place is None:
            return None
        if self._appender is not None and self._appender_pid == os.getpid():
            self._appender.flush()  # an entry put beyond the memory budget, before `save`
        try:
            data = os.pread(self._read_fd(), place[1], place[0])
        except OSError:
            return None
        return data if len(data) == place[1] else None

    def _read_fd(self) -> int:
        if self._reader is None or self._reader_pid != os.getpid():
            self._reader, self._reader_pid = os.open(self.pack, os.O_RDONLY), os.getpid()
        return self._reader

    # ---- writing (main process only)

    def put(self, key: str, value: Any) -> None:
        self.put_blob(key, pickled(value))

    def put_blob(self, key: str, blob: bytes) -> None:
        if self._appender is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._appender = open(self.pack, "r+b" if self.pack.exists() else "wb")  # noqa: SIM115 - closed in save
            self._appender.seek(self._end)
            self._appender_pid = os.getpid()  # a forked worker must never flush the inherited buffer
        self._appender.write(blob)
        self.entries[key] = (self._end, len(blob))
        self._end += len(blob)
        if len(self.memory) + len(blob) <= MEMORY_BUDGET:
            self.in_memory[key] = (len(self.memory), len(blob))
            self.memory += blob
        else:
            self.in_memory.pop(key, None)  # an earlier value of the key must not shadow this one

    def keep_only(self, keys: Iterable[str]) -> int:
        """Forget every entry whose key is not in `keys` (articles removed or changed); returns how many."""
        wanted = set(keys)
        gone = [key for key in self.entries if key not in wanted]
        for key in gone:
            del self.entries[key]
            self.in_memory.pop(key, None)
        return len(gone)

    def save(self) -> None:
        """Make the entries put so far durable as the next build sees them: the pack flushed, then the index;
        the pack rewritten first when entries no article uses fill most of it."""
        if self._appender is not None:
            self._appender.flush()
            self._appender.close()
            self._appender = None
        live = sum(length for _, length in self.entries.values())
        if self._end > 2 * live + (1 << 20):
            self._compact()
        if not self.folder.is_dir():
            return
        with atomic_writer(self.folder / _INDEX, binary=True, durable=False) as handle:
            pickle.dump((CACHE_FORMAT, self.generation, self.entries), handle, protocol=pickle.HIGHEST_PROTOCOL)
        self._remove_strays()

    def release_memory(self) -> None:
        """Drop the in-memory copies (the pack still holds every entry)."""
        self.in_memory, self.memory = {}, bytearray()

    def close(self) -> None:
        if self._reader is not None and self._reader_pid == os.getpid():
            os.close(self._reader)
        self._reader = None

    def _compact(self) -> None:
        """Copy the live entries, in pack order, to a pack of the next generation."""
        target = self.folder / f"pack-{self.generation + 1}"
        entries: dict[str, tuple[int, int]] = {}
        with open(target, "wb") as out:
            offset = 0
            for key, (_start, length) in sorted(self.entries.items(), key=lambda kv: kv[1][0]):
                blob = self.blob(key)
                if blob is None:
                    continue  # unreadable: recomputed when next needed
                out.write(blob)
                entries[key] = (offset, length)
                offset += length
        self.close()
        self.generation, self.entries, self.pack, self._end = self.generation + 1, entries, target, offset
        self.release_memory()

    def _load_index(self) -> tuple[int, dict[str, tuple[int, int]]]:
        try:
            with open(self.folder / _INDEX, "rb") as handle:
                version, generation, entries = pickle.load(handle)
        except _UNREADABLE:
            return 0, {}
        if version != CACHE_FORMAT or not isinstance(entries, dict):
            return 0, {}
        return int(generation), entries

    def _remove_strays(self) -> None:
        """Packs of other generations and the one-file-per-entry folders of builds before packs."""
        for item in self.folder.iterdir():
            if item.name in (_INDEX, self.pack.name):
                continue
            if item.is_dir():
                shutil.rmtree(item, ignore_errors=True)
            elif item.name.startswith(("pack-", ".")):
                with contextlib.suppress(FileNotFoundError):
                    item.unlink()
