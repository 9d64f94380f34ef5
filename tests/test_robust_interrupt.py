"""Interrupted and repeated builds: a SIGKILL at any moment leaves the previous outputs whole, a re-run gives
the same output, and a re-run after changing one article changes only that article's statements."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from treatygraph.vocab import TG

CLI = [sys.executable, "-m", "treatygraph"]
OUTPUTS = ("treatygraph.ttl", "inferred.ttl", "treatygraph.trig", "report.json", "validation.txt")
SAME_BYTES = ("treatygraph.ttl", "inferred.ttl", "report.json", "validation.txt")
ARTICLES = 50

PLACES = ["Elmbridge", "Rosmere", "Halvik", "Dunmore", "Tarsk", "Velmora", "Ostrand", "Kelby", "Brannock", "Solvay"]
STATES = ["Norway", "Denmark", "Sweden", "Finland", "France", "Spain", "Italy", "Portugal", "Chile", "Peru"]
MONTHS = ["January", "March", "May", "June", "August", "October", "December"]


def article_text(index: int, rng: random.Random) -> str:
    first, second = rng.sample(STATES, 2)
    name = f"Treaty of {PLACES[index % len(PLACES)]} {chr(65 + index // len(PLACES))}"
    year = 1900 + index
    return (
        f"{name}\n\nThe {name} was signed on {rng.randint(1, 28)} {rng.choice(MONTHS)} {year} "
        f"by {first} and {second}.\n"
        f"It entered into force in {year + 1}. It expired in {year + 20}.\n"
    )


def write_corpus(root: Path, count: int = ARTICLES, seed: int = 11) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True)
    for index in range(count):
        (root / f"{index:03d}.txt").write_text(article_text(index, rng), encoding="utf-8")


def build(corpus: Path, out: Path, hash_seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    return subprocess.run([*CLI, "build", str(corpus), "--out", str(out), "--quiet"], capture_output=True, text=True,
                          timeout=600, env=env)  # fmt: skip


def digests(out: Path) -> dict[str, str]:
    return {name: hashlib.sha256((out / name).read_bytes()).hexdigest() for name in OUTPUTS if (out / name).exists()}


@dataclass(frozen=True)
class Built:
    corpus: Path
    out: Path
    digests: dict[str, str]
    visible: frozenset[str]  # what the folder shows after a whole build


def visible(out: Path) -> frozenset[str]:
    return frozenset(name for name in os.listdir(out) if not name.startswith("."))


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Built:
    folder = tmp_path_factory.mktemp("interrupt")
    write_corpus(folder / "corpus")
    done = build(folder / "corpus", folder / "out", hash_seed="1")
    assert done.returncode == 0, done.stderr
    return Built(folder / "corpus", folder / "out", digests(folder / "out"), visible(folder / "out"))


# ---------------------------------------------------------------- SIGKILL


def writing(out: Path, name: str) -> Callable[[], bool]:
    """True once `name` is being written: a new file beside it with its name in it, or its own mtime moved."""
    before = (out / name).stat().st_mtime_ns
    existing = set(os.listdir(out))

    def started() -> bool:
        fresh = [f for f in set(os.listdir(out)) - existing if name in f]
        return bool(fresh) or (out / name).stat().st_mtime_ns != before

    return started


def changing(folder: Path) -> Callable[[], bool]:
    """True once a file in `folder` is added, removed or changes size or mtime (the build's cache, say)."""

    def files() -> dict[str, tuple[int, int]]:
        found = {}
        for entry in os.scandir(folder):
            try:
                info = entry.stat()
            except FileNotFoundError:
                continue
            found[entry.name] = (info.st_size, info.st_mtime_ns)
        return found

    before = files()
    return lambda: files() != before


def kill_when(command: list[str], moment: Callable[[], bool]) -> int | None:
    """Start `command`, SIGKILL it at `moment` (polled every 2 ms); its exit code if it ended first, else None."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None:
            if moment():
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                return None
            time.sleep(0.002)
        return process.returncode
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


MOMENTS: dict[str, Callable[[Path], Callable[[], bool]]] = {
    # extracted facts go to the cache as the articles are read (--no-cache only skips reading it)
    "while-reading-the-articles": lambda out: changing(out / ".cache" / "facts"),
    "while-writing-the-graph": lambda out: writing(out, "treatygraph.ttl"),
    "while-writing-the-trig": lambda out: writing(out, "treatygraph.trig"),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_sigkill_leaves_the_previous_outputs_whole(first: Built, moment: str) -> None:
    # --no-cache: a re-run from the cache would end before the kill; the full path is the one to interrupt
    command = [*CLI, "build", str(first.corpus), "--out", str(first.out), "--quiet", "--no-cache"]
    ended = kill_when(command, MOMENTS[moment](first.out))
    assert ended is None, f"the build ended (exit {ended}) before the kill {moment}"
    assert digests(first.out) == first.digests, "an output changed or was cut short by the kill"
    Graph().parse(first.out / "treatygraph.ttl")
    json.loads((first.out / "report.json").read_text(encoding="utf-8"))
    assert set(OUTPUTS) <= first.visible and visible(first.out) == first.visible, "a half-written file is visible"
    assert not survivors(str(first.out)), "a worker process outlived the killed build"


def survivors(mark: str, wait: float = 5.0) -> list[int]:
    """Processes whose command line names `mark`, after giving the killed build's workers `wait` s to end."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and mark in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    if (entry / "stat").read_text().split(") ", 1)[1][0] != "Z":
                        found.append(int(entry.name))
            except OSError:
                continue
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def test_a_later_build_clears_what_killed_builds_left(first: Built) -> None:
    command = [*CLI, "build", str(first.corpus), "--out", str(first.out), "--quiet", "--no-cache"]
    assert kill_when(command, writing(first.out, "treatygraph.ttl")) is None
    assert build(first.corpus, first.out).returncode == 0
    leftovers = [name for name in os.listdir(first.out) if name.endswith(".tmp") or name.startswith(".store-")]
    assert leftovers == []


# ---------------------------------------------------------------- re-runs


def quads(path: Path) -> set:
    return set(Dataset().parse(path, format="trig").quads())


def test_rerun_after_kills_gives_identical_outputs(first: Built, tmp_path: Path) -> None:
    """Re-running over the killed builds' leftovers, with another hash seed (so set and dict order differ),
    gives the same bytes (TriG: the same quads), and the outputs still answer queries."""
    kept_trig = tmp_path / "first.trig"
    kept_trig.write_bytes((first.out / "treatygraph.trig").read_bytes())
    done = build(first.corpus, first.out, hash_seed="3")
    assert done.returncode == 0, done.stderr
    again = digests(first.out)
    assert {n: again[n] for n in SAME_BYTES} == {n: first.digests[n] for n in SAME_BYTES}
    assert quads(first.out / "treatygraph.trig") == quads(kept_trig)
    assert visible(first.out) == first.visible
    query = [*CLI, "query", "treaties", "--graph", str(first.out / "treatygraph.ttl"), "--format", "csv"]
    answer = subprocess.run(query, capture_output=True, text=True, timeout=300)
    assert answer.returncode == 0 and len(answer.stdout.splitlines()) > ARTICLES, answer.stderr


def per_article(path: Path) -> dict[str, set]:
    dataset = Dataset().parse(path, format="trig")
    return {str(g.identifier): set(g) for g in dataset.graphs() if "/article/" in str(g.identifier)}


def test_changing_one_article_changes_only_its_statements(first: Built, tmp_path: Path) -> None:
    """A re-run over a copy of the first build (its cache too, if any) after one article changed."""
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(first.corpus, corpus)
    shutil.copytree(first.out, out, symlinks=True)
    changed = corpus / "007.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("expired in", "was terminated in"), encoding="utf-8")
    done = build(corpus, out, hash_seed="4")
    assert done.returncode == 0, done.stderr
    before, now = per_article(first.out / "treatygraph.trig"), per_article(out / "treatygraph.trig")
    assert before.keys() == now.keys()
    differ = [name for name in before if before[name] != now[name]]
    assert len(differ) == 1 and differ[0].split("/article/")[1].startswith("007-"), differ
    old = set(Graph().parse(first.out / "treatygraph.ttl"))
    new = set(Graph().parse(out / "treatygraph.ttl"))
    assert old != new and (old ^ new) <= before[differ[0]] | now[differ[0]]
    assert (None, TG.endedHow, TG.Terminated) in Graph().parse(out / "treatygraph.ttl")
