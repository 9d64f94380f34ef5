"""What one build leaves for the next, so that a re-run costs what changed, not what is there.

- Every article's file size and mtime with the key of its extraction and its digest (what identity
  resolution needs): an unchanged file (same size and mtime, like git's index) is neither read nor hashed.
- Every article's output signature: the hash of everything its part of the outputs depends on (its
  extraction, where its treaties resolved to, which of its dates other articles made redundant, the build
  options), and its ledger (ledger.py): where its blocks lie in the output files and which shared lines it
  states. An article whose signature is unchanged is copied from the last build's files.
- The signature of the Turtle file the store was last brought up to date with, and the validation
  results about shared nodes, so that the store and the report are updated instead of rebuilt.

Pickles in one file under OUT/.cache (see `save_state`), written atomically at the end of a build; any
mismatch (another version, other options, an unreadable file) means a full build, never a wrong one.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from . import EXTRACTOR_VERSION
from .atomic import atomic_writer

STATE_FORMAT = "5"  # bump when what the state holds changes
_CHUNK = 5000  # entries of a per-article table pickled at a time (see save_state)
_PER_ARTICLE = ("stamps", "digests", "signatures", "ledgers")  # the tables that grow with the corpus


@dataclass(frozen=True)
class FileStamp:
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileStamp | None:
        try:
            info = path.stat()
        except OSError:
            return None
        return cls(info.st_size, info.st_mtime_ns)


@dataclass
class BuildState:
    settings: str  # extractor version, base, options: a state made under other settings is not reused
    stamps: dict[str, tuple[FileStamp, str]] = field(default_factory=dict)  # path -> (stamp, facts key)
    digests: dict[str, Any] = field(default_factory=dict)  # facts key -> ArticleDigest
    signatures: dict[str, str] = field(default_factory=dict)  # path -> output signature
    ledgers: dict[str, Any] = field(default_factory=dict)  # path -> ledger.ArticleLedger
    lines: Any = None  # ledger.LineTable the ledgers' ids point into
    files: dict[str, FileStamp] = field(default_factory=dict)  # output name -> its stamp as the build left it
    graph_signature: Any = None  # signature of the treatygraph.ttl the store holds
    shared_findings: tuple[Any, ...] = ()  # validation results about shared nodes

    def digest_of(self, path: str, stamp: FileStamp | None) -> Any | None:
        """The digest of `path` when the file is as it was (same size and mtime), else None."""
        known = self.stamps.get(path)
        if known is None or stamp is None or known[0] != stamp:
            return None
        return self.digests.get(known[1])


def settings_of(*parts: object) -> str:
    return "\x1f".join((STATE_FORMAT, EXTRACTOR_VERSION, *map(str, parts)))


def load_state(path: Path, settings: str) -> BuildState:
    """The state of the last build made with these settings, or an empty one."""
    try:
        with path.open("rb") as handle, _without_gc():
            state = pickle.load(handle)
            if isinstance(state, BuildState) and state.settings == settings:
                _read_tables(handle, state)
                if state.lines is not None:
                    state.lines = state.lines.opened(path.parent)  # the line table, from its own file
                    if state.lines is None:
                        return BuildState(settings)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return BuildState(settings)
    if not isinstance(state, BuildState) or state.settings != settings:
        return BuildState(settings)
    return state


def save_state(path: Path, state: BuildState) -> None:
    """The state, its line table (ledger.LineTable) in a file of its own beside it: the table's `stored_in`
    writes that file and returns what to pickle in its place, whose `opened` reads it back.

    The per-article tables follow the rest as pickles of a few thousand entries each: one pickle of them all
    kept a memo of every object it wrote, 1.6 GB at 100k articles, the build's peak memory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = state.lines.stored_in(path.parent) if state.lines is not None else None
    rest = replace(state, lines=stored, stamps={}, digests={}, signatures={}, ledgers={})  # _PER_ARTICLE
    # not fsynced: a state lost in a crash only means a full build
    with atomic_writer(path, binary=True, durable=False) as handle, _without_gc():
        pickle.dump(rest, handle, protocol=pickle.HIGHEST_PROTOCOL)
        for name in _PER_ARTICLE:
            table = list(getattr(state, name).items())
            for start in range(0, len(table), _CHUNK):
                pickle.dump(table[start : start + _CHUNK], handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(None, handle)  # the table's end
    if stored is not None:
        stored.prune(path.parent)


def _read_tables(handle: Any, state: BuildState) -> None:
    for name in _PER_ARTICLE:
        table = getattr(state, name)
        while (chunk := pickle.load(handle)) is not None:
            table.update(chunk)


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """The cyclic garbage collector paused: (un)pickling 100k articles' records makes millions of objects,
    and each collection would walk them all again (loading took 2.5x as long)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def output_signature(*parts: object) -> str:
    """A stable hash of the (repr-able, deterministic) parts an article's output depends on."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x1f")
    return digest.hexdigest()
