"""The per-article cache of a build: each article's extraction result, keyed by what determines it.

An entry's key is a hash of the article's path, the sha256 of its bytes, the extractor version and the
ingest limits, so a changed article, a new extractor or new limits miss the cache and are read again.
Entries are pickles under OUT/.cache/facts/; a build removes the entries no current article uses.
Writes go to a temporary file renamed into place, so a killed build never leaves half an entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import EXTRACTOR_VERSION

CACHE_FORMAT = "1"  # bump when what an entry holds changes


def entry_key(relative_path: str, content_sha256: str, settings: str) -> str:
    """Stable key of one article's extraction: path, bytes, extractor version and the settings that matter."""
    parts = (CACHE_FORMAT, EXTRACTOR_VERSION, relative_path, content_sha256, settings)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class ArticleCache:
    """Pickled values in a folder, one file per key (two-level fan-out keeps folders small)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = os.fspath(folder)
        self._folders: set[str] = set()  # fan-out folders known to exist

    def path(self, key: str) -> Path:
        return Path(self.location(key))

    def location(self, key: str) -> str:
        """`path` as a string: a build asks for 100k of them, and pathlib's joins cost microseconds each."""
        return f"{self.root}/{key[:2]}/{key}.pkl"

    def get(self, key: str) -> Any | None:
        try:
            with open(self.location(key), "rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError):
            return None  # missing or unreadable (e.g. written by another version): recompute

    def put(self, key: str, value: Any) -> None:
        target = self.location(key)
        folder = target.rpartition("/")[0]
        if folder not in self._folders:
            os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        # a name no other process uses (mkstemp's random names cost more than the pickling)
        tmp = f"{folder}/.entry.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with open(tmp, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)  # no fsync: a cache entry lost in a crash is only recomputed
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def keep_only(self, keys: Iterable[str]) -> int:
        """Delete every entry whose key is not in `keys` (articles removed or changed); returns how many."""
        wanted = set(keys)
        removed = 0
        if not self.folder.is_dir():
            return 0
        for fan in self.folder.iterdir():
            if not fan.is_dir():
                continue
            for entry in fan.iterdir():
                if entry.suffix == ".pkl" and entry.stem not in wanted:
                    entry.unlink(missing_ok=True)
                    removed += 1
                elif entry.suffix == ".tmp":  # left by a killed build
                    entry.unlink(missing_ok=True)
        return removed
