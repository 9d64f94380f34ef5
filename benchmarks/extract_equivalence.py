"""Extraction equivalence: a canonical dump of every article's report and facts, to diff before/after a change.

    python benchmarks/extract_equivalence.py DIR OUT.txt            # write the dump
    python benchmarks/extract_equivalence.py DIR OUT.txt --check OLD.txt   # write, then compare with OLD.txt

Runs `pipeline.process_file` (ingest + extract, as a build does) over every article under DIR, in path order, and
writes one block per article: its relative path, the report's repr and the facts' repr. A speed-up of the rules
must leave the dump byte-identical; `--check` names the first articles that differ and exits 1 if any does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from treatygraph.ingest import IngestLimits, discover
from treatygraph.pipeline import process_file


def blocks(root: Path) -> Iterator[tuple[str, str]]:
    """(relative path, canonical text) per article, in sorted path order."""
    limits = IngestLimits()
    for path in sorted(discover(root)):
        report, facts = process_file(path, root, limits)
        yield report.path, f"{report!r}\n{facts!r}\n"


def read_dump(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    name = ""
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("### "):
            name = line[4:].rstrip("\n")
            out[name] = ""
        else:
            out[name] += line
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--check", type=Path, help="an earlier dump to compare with")
    args = parser.parse_args()
    count = 0
    with args.out.open("w", encoding="utf-8") as out:
        for name, text in blocks(args.corpus):
            out.write(f"### {name}\n{text}")
            count += 1
    print(f"{count} articles dumped to {args.out}")
    if args.check is None:
        return 0
    old, new = read_dump(args.check), read_dump(args.out)
    differ = sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
    for name in differ[:20]:
        print(f"differs: {name}")
    print(f"{len(differ)} of {len(old.keys() | new.keys())} articles differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
