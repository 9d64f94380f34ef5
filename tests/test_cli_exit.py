"""The `treatygraph` command ends a build without tearing its heap down (cli.entry): its exit code, its
printed summary and its outputs must be what the build made, as when Python exits normally."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "treatygraph", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_a_build_prints_its_whole_summary_and_exits_0(tmp_path: Path) -> None:
    done = run("build", str(EXAMPLES), "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("articles read") and done.stdout.endswith("\n")
    assert "treatygraph.ttl" in done.stdout  # the last lines (the files written) are not lost
    assert (tmp_path / "out" / "treatygraph.ttl").stat().st_size > 0
    assert (tmp_path / "out" / "report.json").read_text().endswith("}\n")


def test_a_build_that_reads_nothing_exits_1_and_says_so(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    done = run("build", str(corpus), "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 1
    assert "empty.txt" in done.stderr and "no article could be read" in done.stderr


def test_a_strict_build_with_a_failed_article_exits_1(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_bytes(next(EXAMPLES.glob("*.txt")).read_bytes())
    (corpus / "bad.txt").write_bytes(b"\x00\x01\x02 binary")
    done = run("build", str(corpus), "--out", str(tmp_path / "out"), "--quiet", "--strict")
    assert done.returncode == 1, done.stderr
    assert "bad.txt" in done.stderr


def test_a_parallel_build_leaves_no_worker_behind(tmp_path: Path) -> None:
    # enough articles for worker processes; a worker left running would hold the output pipes open, and
    # the run would not end before the time limit
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    articles = [path for path in EXAMPLES.iterdir() if path.suffix in {".txt", ".html", ".wiki"}]
    copies = 60 // len(articles) + 1  # at least pipeline.PARALLEL_FROM articles
    for copy in range(copies):
        for article in articles:
            (corpus / f"{copy}-{article.name}").write_bytes(article.read_bytes())
    done = run("build", str(corpus), "--out", str(tmp_path / "out"), "--workers", "2", timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"articles read     {copies * len(articles)} ")
