"""The table of bad inputs: each bad file built beside two good articles, through the real command line.

    python benchmarks/bad_inputs.py [--only NAME ...]

For every bad input below, a corpus of that one file plus two good treaty articles is built with
`treatygraph build DIR --out OUT --no-reason --no-validate` and with `--strict`; the table gives what build
said about the file (its status and reason from report.json, and whether stderr named it), the exit
codes, whether the good articles' treaties are still in the graph, and the wall time of the build.
A last row builds every input at once. Loopback and temporary folders only; nothing is downloaded.

Also imported by tests/test_robust_build.py, which asserts what this table shows.
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CLI = [sys.executable, "-m", "treatygraph"]

# Two articles of our own writing whose facts must survive any bad neighbour.
GOOD_ARTICLES: dict[str, str] = {
    "good/elmbridge.txt": "The Treaty of Elmbridge was signed on 4 May 1956 by Norway and Denmark.\n"
    "It entered into force on 1 July 1956.\n",
    "good/rosmere.wiki": "{{Infobox treaty\n| name = Pact of Rosmere\n| date_signed = 12 June 1961\n"
    "| parties = [[Sweden]]<br>[[Finland]]\n}}\nThe '''Pact of Rosmere''' was signed on 12 June 1961 by "
    "[[Sweden]] and [[Finland]].\n",
}
GOOD_TREATIES = ("Treaty of Elmbridge", "Pact of Rosmere")

SENTENCE = "The Treaty of Harwick was signed on 3 March 1952 by Austria and Hungary.\n"
FIFTY_MB = 50 * 1024 * 1024


@dataclass(frozen=True)
class BadInput:
    """One bad input: its file name in the corpus, what is wrong with it, and what build must say about it."""

    name: str
    what: str
    status: str  # "failed": refused with a reason; "empty": read, no treaty; "ok": read (with a note where `note`)
    reason: str  # words the report's reason (or note) must contain; "" when none is expected
    write: Callable[[Path], object]  # makes the input at the given path
    needs_no_root: bool = False  # a permission case: root reads every file unless its capabilities are dropped


def _bytes(data: bytes) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(data)


def _text(text: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(text, encoding="utf-8")


def _fifty_megabytes(path: Path) -> None:
    line = SENTENCE.encode()
    with path.open("wb") as handle:
        handle.write(line * (FIFTY_MB // len(line) + 1))


def _unreadable(path: Path) -> None:
    path.write_text(SENTENCE)
    path.chmod(0)


def _unreadable_folder(path: Path) -> None:
    """`path` is the folder; the article inside cannot even be listed."""
    path.mkdir()
    (path / "hidden.txt").write_text(SENTENCE)
    path.chmod(0)


def _symlink_to_itself(path: Path) -> None:
    path.symlink_to(path.name)


def _folder_symlink_loop(path: Path) -> None:
    path.mkdir()
    (path / "up").symlink_to("..", target_is_directory=True)
    (path / "inner.txt").write_text("The Treaty of Loopholm was signed on 5 May 1905 by Norway and Sweden.\n")


def _broken_symlink(path: Path) -> None:
    path.symlink_to("no-such-file.txt")


def _lone_surrogate_utf16(path: Path) -> None:
    path.write_bytes(codecs.BOM_UTF16_LE + "The Treaty".encode("utf-16-le") + b"\x00\xd8" + b"x\x00")


CAFE = "The Treaty of Café was signed on 4 May 1950 by France and Spain.\n"
ARLES = "The Treaty of Arles was signed on 4 May 1951 by France and Italy \u2013 a \u201cpact\u201d.\n"
VELM = "The Treaty of Velm was signed on 3 March 1952 by Austria and Hungary.\n"
OSKA = "<html><body><p>The Treaty of Oska was signed on 3 March 1953 by Chile and Peru.</p></body></html>"
BRENN = b"The Treaty of Brenn\xc3\x28 was signed on 1 May 1954 by Norway and Sweden.\n"
LORN = "<html><body><h1>Treaty of Lorn</h1><p>The Treaty of Lorn was signed on 1 May 1930 by Chile and Peru"
MENU = (
    "<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav>"
    "<script>var x = '<p>Treaty</p>';</script></body></html>"
)
SKEL = (
    "{{Infobox treaty\n| name = Treaty of Skel\n| date_signed = 1 May 1920\n"
    "The '''Treaty of Skel''' was signed by [[Norway]] and [[Sweden]] on 1 May 1920.\n"
)
BERGEN = "The weather in Bergen was mild in May 1956. Many people walked by the harbour.\n"
QUELL = (
    "<html><body><h1>Treaty of Quell</h1><p>The Treaty of Quell, whose text quoted "
    "&lt;script&gt;alert(1)&lt;/script&gt; in full, was signed on 2 June 1930 by Chile and Peru.</p></body></html>"
)
PNG = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" * 50
BOMB = "Text.\n" + "{{a|" * 100_000 + "x" + "}}" * 100_000
DEEP = "Line.\nThe '''Pact''' " + "{{nowrap|" * 31 + "held" + "}}" * 31 + ".\n"
DEPTH = "--max-template-depth"
OSKA_UTF16_BE = codecs.BOM_UTF16_BE + OSKA.encode("utf-16-be")

BAD_INPUTS: tuple[BadInput, ...] = (
    BadInput("binary.txt", "random bytes with NUL", "failed", "binary", _bytes(bytes(range(256)) * 8)),
    BadInput("png-as.html", "a PNG image named .html", "failed", "binary", _bytes(PNG)),
    BadInput("empty.txt", "empty file", "failed", "empty", _bytes(b"")),
    BadInput("blank.wiki", "whitespace only", "failed", "empty", _bytes(b" \n\t\r\n  ")),
    BadInput("latin1.txt", "Latin-1 text", "ok", "Windows-1252", _bytes(CAFE.encode("latin-1"))),
    BadInput("cp1252.txt", "Windows-1252 (dash, curly quotes)", "ok", "Windows-1252", _bytes(ARLES.encode("cp1252"))),
    BadInput("utf16le-bom.txt", "UTF-16 LE with BOM", "ok", "", _bytes(VELM.encode("utf-16"))),
    BadInput("utf16be-bom.html", "UTF-16 BE with BOM (HTML)", "ok", "", _bytes(OSKA_UTF16_BE)),
    BadInput("utf16-bad.txt", "UTF-16 BOM, then a lone surrogate", "failed", "utf-16", _lone_surrogate_utf16),
    BadInput("invalid-utf8.txt", "invalid UTF-8 mid-sentence", "ok", "offset 19", _bytes(BRENN)),
    BadInput("truncated.html", "HTML cut off mid-paragraph", "ok", "ends early", _text(LORN)),
    BadInput("no-article.html", "HTML with only navigation and script", "failed", "no article text", _text(MENU)),
    BadInput("template-bomb.wiki", "100,000 nested templates", "failed", DEPTH, _text(BOMB)),
    BadInput("open-braces.wiki", "100,000 unclosed '{{'", "failed", DEPTH, _text("Text.\n" + "{{" * 100_000)),
    BadInput("deep-templates.wiki", "templates 31 deep (limit 30)", "failed", "deeper than 30", _text(DEEP)),
    BadInput("unbalanced.wiki", "an infobox never closed", "ok", "", _text(SKEL)),
    BadInput("fifty-mb.txt", "50 MB of text (limit 10 MB)", "failed", "--max-bytes", _fifty_megabytes),
    BadInput("locked.txt", "file without read permission", "failed", "permission denied", _unreadable, True),
    BadInput("locked-folder", "folder without read access", "failed", "permission denied", _unreadable_folder, True),
    BadInput("loop.txt", "symlink to itself", "failed", "symbolic links", _symlink_to_itself),
    BadInput("broken-link.txt", "symlink to nothing", "failed", "no such file", _broken_symlink),
    BadInput("looping-folder", "folder with a symlink to its parent", "ok", "", _folder_symlink_loop),
    BadInput("no-treaty.txt", "an article about no treaty", "empty", "no treaty", _text(BERGEN)),
    BadInput("script.html", "an article with <script> in its text", "ok", "", _text(QUELL)),
)  # fmt: skip


def write_good(root: Path) -> None:
    for name, text in GOOD_ARTICLES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def write_corpus(root: Path, inputs: tuple[BadInput, ...] = BAD_INPUTS) -> None:
    """The good articles and `inputs` under `root` (created)."""
    root.mkdir(parents=True, exist_ok=True)
    write_good(root)
    for bad in inputs:
        bad.write(root / bad.name)


def restore_permissions(root: Path) -> None:
    """Give back read permission, so the folder can be removed (a folder is opened before the walk enters it)."""
    for folder, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(folder, name)
            if not path.is_symlink():
                path.chmod(0o755 if path.is_dir() else 0o644)


def no_root_prefix() -> list[str] | None:
    """A command prefix that runs without the power to read any file: [] for a normal user; for root,
    setpriv dropping CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH; None when that is not possible."""
    if os.name != "posix" or os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder, "probe")
        probe.write_text("x")
        probe.chmod(0)
        try:
            done = subprocess.run([*prefix, sys.executable, "-c", f"open({str(probe)!r}).read()"], capture_output=True)
        except OSError:
            return None
    return prefix if done.returncode != 0 else None


@dataclass(frozen=True)
class BuildRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    report: dict | None


def run_build(corpus: Path, out: Path, *extra: str, prefix: list[str] | None = None) -> BuildRun:
    start = time.perf_counter()
    done = subprocess.run(
        [*(prefix or []), *CLI, "build", str(corpus), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - start
    report_file = out / "report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else None
    return BuildRun(done.returncode, done.stdout, done.stderr, seconds, report)


def entry_for(report: dict | None, name: str) -> dict | None:
    """The report.json entry of `name` (a file, or the first one under a folder of that name)."""
    for entry in (report or {}).get("articles", []):
        if entry["path"] == name or entry["path"].startswith(name + "/"):
            return entry
    return None


def treaty_labels(out: Path) -> set[str]:
    from rdflib import Graph
    from rdflib.namespace import RDF, RDFS

    from treatygraph.vocab import TG

    graph = Graph().parse(out / "treatygraph.ttl")
    return {str(graph.value(t, RDFS.label)) for t in graph.subjects(RDF.type, TG.Treaty)}


def said_about(run: BuildRun, name: str, width: int = 100) -> str:
    """The article's status and reasons from report.json, and whether a stderr line names it."""
    entry = entry_for(run.report, name)
    named = " [stderr names it]" if any(name in line for line in run.stderr.splitlines()) else ""
    if entry is None:
        return "not in report.json" + named
    problems = [p.split(": ", 1)[-1] if p.startswith(name) else p for p in entry["problems"]]
    said = entry["status"] + (": " + "; ".join(problems) if problems else "")
    return (said if len(said) <= width else said[: width - 3] + "...") + named


def table_row(bad: BadInput, prefix: list[str] | None) -> list[str]:
    """Build the bad input beside the good articles, plain and --strict (no reasoning or validation: faster)."""
    fast = ("--no-reason", "--no-validate", "--quiet")
    with tempfile.TemporaryDirectory() as folder:
        corpus, out = Path(folder, "corpus"), Path(folder, "out")
        try:
            write_corpus(corpus, (bad,))
            plain = run_build(corpus, out, *fast, prefix=prefix)
            kept = set(GOOD_TREATIES) <= treaty_labels(out)
            strict = run_build(corpus, Path(folder, "strict"), *fast, "--strict", prefix=prefix)
        finally:
            restore_permissions(corpus)
    exits = [str(plain.returncode), str(strict.returncode)]
    return [bad.name, bad.what, said_about(plain, bad.name), *exits, "yes" if kept else "NO", f"{plain.seconds:.1f}"]


def all_at_once(inputs: list[BadInput], prefix: list[str] | None) -> list[str]:
    """Every input in one corpus, with reasoning and validation."""
    with tempfile.TemporaryDirectory() as folder:
        corpus, out = Path(folder, "corpus"), Path(folder, "out")
        try:
            write_corpus(corpus, tuple(inputs))
            plain = run_build(corpus, out, "--quiet", prefix=prefix)
            strict = run_build(corpus, Path(folder, "strict"), "--quiet", "--strict", prefix=prefix)
            kept = set(GOOD_TREATIES) <= treaty_labels(out)
        finally:
            restore_permissions(corpus)
    s = (plain.report or {}).get("summary", {})
    said = f"{s.get('articles')} read, {s.get('articles_failed')} failed, {s.get('articles_without_treaty')} no treaty"
    what = f"{len(inputs)} bad inputs + 2 good"
    exits = [str(plain.returncode), str(strict.returncode)]
    return ["(all at once)", what, said, *exits, "yes" if kept else "NO", f"{plain.seconds:.1f}"]


def render(rows: list[list[str]]) -> str:
    header = ["input", "what it is", "what build said (report.json; stderr)", "exit", "--strict", "good kept", "s"]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in [header, *rows]]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="names of the inputs to try (default: all)")
    args = parser.parse_args()
    prefix = no_root_prefix()
    inputs = [b for b in BAD_INPUTS if not args.only or b.name in args.only]
    tried = [b for b in inputs if not b.needs_no_root or prefix is not None]
    rows = []
    for bad in inputs:
        if bad not in tried:
            rows.append([bad.name, bad.what, "not tried: root reads every file and setpriv is missing", "", "", "", ""])
            continue
        rows.append(table_row(bad, prefix))
        print(f"  {bad.name}: done", file=sys.stderr)
    rows.append(all_at_once(tried, prefix))
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
