"""Ingest: article files -> `IngestedArticle` (one plain text, infobox fields, link hints, source anchors).

Readers are looked up by format in a small registry (module and function names, imported on first
use, as rdflib's plugin registry does), so a format can be added or replaced without touching this
module: `register_reader("html", "mypackage.myhtml", "read_html")`.
"""

from __future__ import annotations

import codecs
import hashlib
import importlib
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .ingest_text import Layout, Unreadable
from .types import Format, IngestedArticle, IngestError, TreatygraphError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IngestLimits:
    """Limits a user can change: the largest file read, and the deepest template nesting accepted."""

    max_bytes: int = 10_000_000
    max_template_depth: int = 30


Reader = Callable[[str, IngestLimits], Layout]

_READERS: dict[str, tuple[str, str]] = {
    "text": ("treatygraph.ingest_text", "read_text"),
    "html": ("treatygraph.ingest_html", "read_html"),
    "wikitext": ("treatygraph.ingest_wiki", "read_wikitext"),
}

SUFFIXES: dict[str, Format] = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".wiki": "wikitext",
    ".wikitext": "wikitext",
    ".mediawiki": "wikitext",
}


def register_reader(fmt: str, module: str, function: str) -> None:
    """Use `module.function(source, limits) -> Layout` to read files of format `fmt`."""
    _READERS[fmt] = (module, function)


def get_reader(fmt: str) -> Reader:
    try:
        module, function = _READERS[fmt]
    except KeyError:
        raise TreatygraphError(f"no reader registered for format {fmt!r}") from None
    reader = _LOADED.get((module, function))
    if reader is None:
        reader = _LOADED[(module, function)] = getattr(importlib.import_module(module), function)
    return reader


_LOADED: dict[tuple[str, str], Reader] = {}  # (module, function) -> the reader, imported once


def format_of(path: Path) -> Format | None:
    """The format a file's name says it has, or None for files ingest does not read."""
    return SUFFIXES.get(path.suffix.lower())


# ---------------------------------------------------------------- discover


def discover(root: Path) -> Iterator[Path]:
    """Every article file under `root`, recursively, sorted by path; hidden folders and files skipped.
    Symlinked folders are followed once each (by real path), so a symlink loop ends."""
    if not root.is_dir():
        raise TreatygraphError(f"{root}: not a folder (give the folder that holds the articles)")
    found: list[tuple[tuple[str, ...], Path]] = []
    seen_dirs: set[str] = set()

    def on_error(err: OSError) -> None:
        # a folder that cannot be listed is reported like a bad article (ingest_file names the reason),
        # so it reaches report.json and --strict, not only the log
        log.debug("cannot list %s: %s", err.filename, err.strerror)
        if err.filename and Path(err.filename) != root:
            folder = Path(err.filename)
            found.append((folder.relative_to(root).parts if folder.is_relative_to(root) else (folder.name,), folder))

    for folder, dirnames, filenames in os.walk(root, followlinks=True, onerror=on_error):
        real = os.path.realpath(folder)
        if real in seen_dirs:
            dirnames[:] = []
            continue
        seen_dirs.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        inside = Path(folder).relative_to(root).parts  # once per folder: 100k files cost a second otherwise
        for name in filenames:
            path = Path(folder, name)
            if not name.startswith(".") and format_of(path) is not None:
                found.append(((*inside, name), path))
    found.sort()
    yield from (path for _, path in found)


# ---------------------------------------------------------------- read and decode


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves five bytes undefined; browsers map them to the C1 controls, as latin-1 does."""
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("treatygraph-latin1", _latin1_fallback)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _read_at_most(handle: BinaryIO, count: int) -> bytes:
    """The first `count` bytes of a file (all of a shorter one). Asking for the size the file has (plus one,
    in case it grew) spares allocating `count` bytes (10 MB by default) for every 3 kB article."""
    first = min(os.fstat(handle.fileno()).st_size + 1, count)
    raw = handle.read(first)
    if len(raw) == first < count:  # it grew since: read on up to the limit
        raw += handle.read(count - first)
    return raw


def read_bytes(path: Path, limits: IngestLimits) -> bytes:
    """The file's bytes; Unreadable if it cannot be read or is larger than the limit."""
    try:
        with open(path, "rb") as handle:
            raw = _read_at_most(handle, limits.max_bytes + 1)
    except PermissionError:
        raise Unreadable("cannot read: permission denied") from None
    except IsADirectoryError:
        raise Unreadable("cannot read: it is a folder") from None
    except FileNotFoundError:
        raise Unreadable("cannot read: no such file (a broken symlink?)") from None
    except OSError as err:
        raise Unreadable(f"cannot read: {err.strerror or err}") from None
    if len(raw) > limits.max_bytes:
        raise Unreadable(
            f"larger than the limit of {limits.max_bytes:,} bytes (raise it with --max-bytes, "
            f"or IngestLimits(max_bytes=...))"
        )
    return raw


def decode(raw: bytes) -> tuple[str, list[str]]:
    """Bytes -> text with "\\n" newlines, and notes on how it was decoded.
    BOM -> that encoding; else strict UTF-8; else Windows-1252. NUL bytes without a BOM mean binary."""
    problems: list[str] = []
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as err:
                raise Unreadable(f"invalid {encoding} after its byte order mark", offset=err.start) from None
            break
    else:
        nul = raw.find(b"\0")
        if nul >= 0:
            raise Unreadable("binary file (NUL byte, no UTF-16 byte order mark)", offset=nul)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            text = raw.decode("cp1252", errors="treatygraph-latin1")
            problems.append(f"not UTF-8 (first bad byte at offset {err.start}): decoded as Windows-1252")
    if "\0" in text:
        raise Unreadable("binary file (NUL character)", offset=text.index("\0"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise Unreadable("empty file" if not text else "empty file (whitespace only)")
    return text, problems


# ---------------------------------------------------------------- ingest


def relative_name(path: Path, root: Path) -> str:
    full, prefix = str(path), str(root)
    if full.startswith(prefix) and full[len(prefix) : len(prefix) + 1] == os.sep and not prefix.endswith(os.sep):
        return full[len(prefix) + 1 :].replace(os.sep, "/")  # what relative_to gives, without its cost
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def ingest_file(
    path: Path,
    root: Path,
    limits: IngestLimits = IngestLimits(),  # noqa: B008
    raw: bytes | None = None,
) -> IngestedArticle:
    """Read one article file into one plain text with its fields, links and source anchors (`raw`: its bytes,
    when the caller has read them already with `read_bytes`). Raises IngestError (naming the file, with line
    or byte offset where known) for files that cannot be read."""
    name = relative_name(path, root)
    if path.is_dir():
        reason = (
            "folder cannot be listed (permission denied)" if not os.access(path, os.R_OK | os.X_OK) else "is a folder"
        )
        raise IngestError(name, reason)
    fmt = format_of(path)
    if fmt is None:
        raise IngestError(name, f"unknown format {path.suffix!r} (known: {', '.join(sorted(SUFFIXES))})")
    try:
        if raw is None:
            raw = read_bytes(path, limits)
        source, problems = decode(raw)
        layout = get_reader(fmt)(source, limits)
    except Unreadable as err:
        raise IngestError(name, err.reason, line=err.line, offset=err.offset) from None
    except RecursionError:
        raise IngestError(name, "markup nested too deeply to read") from None
    return IngestedArticle(
        path=name,
        format=fmt,
        text=layout.text(),
        title=layout.title,
        fields=tuple(layout.fields),
        links=tuple(layout.links),
        anchors=layout.sorted_anchors(),
        content_sha256=hashlib.sha256(raw).hexdigest(),
        problems=tuple(problems + layout.problems),
    )
