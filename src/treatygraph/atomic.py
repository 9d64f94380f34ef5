"""Atomic file output: a temporary file in the target's folder, fsync, then rename.

A reader (or a user after a crash) sees either the old file whole or the new file whole, never half of one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str], binary: bool = False, encoding: str = "utf-8", durable: bool = True
) -> Iterator[IO]:
    """Yield a file object; on clean exit its content replaces `path` atomically, on error nothing changes.

    `durable=False` skips the fsync: for caches, which a crash may lose (never half of one) at no cost but
    recomputing them."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600; an output file gets the usual permissions
    try:
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding=encoding) as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    with atomic_writer(path) as handle:
        handle.write(text)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    with atomic_writer(path, binary=True) as handle:
        handle.write(data)
