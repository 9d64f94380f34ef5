"""Command line: wires the pipeline stages together; no logic of its own.

Each subcommand is one small module in `treatygraph.commands` with `register(subparsers)`,
which adds its parser and sets `func` (args -> exit code). Add a module's name to COMMANDS to expose it.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from . import __version__
from .types import TreatygraphError

COMMANDS: tuple[str, ...] = ("build", "query", "serve", "push", "export", "validate")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"treatygraph: error: {message}\n")
        raise SystemExit(2)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="treatygraph", description="Treaty articles in, an RDF knowledge graph out.")
    parser.add_argument("--version", action="version", version=f"treatygraph {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"treatygraph.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    global _LEAVE_HEAP
    _LEAVE_HEAP = bool(getattr(args, "leave_heap", False))
    try:
        return int(args.func(args))
    except TreatygraphError as err:
        sys.stderr.write(f"treatygraph: error: {err}\n")
        return 2
    except OSError as err:  # a path the user gave that cannot be read or written: one line, not a traceback
        where = f"{err.filename}: " if err.filename is not None else ""
        sys.stderr.write(f"treatygraph: error: {where}{err.strerror or err}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("treatygraph: interrupted\n")
        return 130


_LEAVE_HEAP = False  # set by commands that end holding a large heap and nothing to clean up (build)


def entry() -> None:
    """The `treatygraph` command. After a build, the process ends without tearing its heap down object by
    object (millions of objects after 100k articles: six seconds); its outputs are closed and renamed."""
    code = main()
    if _LEAVE_HEAP:
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
