"""Wrong arguments to every command give one clear line naming the thing, exit code 2, and no traceback.

Each case runs the real command line (`python -m treatygraph ...`) in a subprocess; the cases run a few
at a time, since each is mostly interpreter start-up.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GRAPH_FIXTURE = REPO / "tests" / "fixtures" / "golden" / "treaty-of-ghent.ttl"


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]  # "{tmp}" is the case folder
    names: str  # the thing the error line must name ("{tmp}" allowed)


@dataclass(frozen=True)
class Outcome:
    returncode: int | None  # None: still running at the time limit
    stdout: str
    stderr: str


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


GRAPH = "{tmp}/graph.ttl"
BAD = "{tmp}/bad.ttl"
FILE = "{tmp}/plain.txt"
CORPUS = "{tmp}/corpus"
NOWHERE = "{tmp}/nowhere.ttl"

CASES: tuple[Case, ...] = (
    # build
    Case("build-missing-folder", ("build", "{tmp}/nowhere", "--out", "{tmp}/out"), "{tmp}/nowhere"),
    Case("build-corpus-is-a-file", ("build", FILE, "--out", "{tmp}/out"), FILE),
    Case("build-out-under-a-file", ("build", CORPUS, "--out", FILE + "/out"), FILE + "/out"),
    Case("build-max-bytes-not-a-number", ("build", CORPUS, "--out", "{tmp}/out", "--max-bytes", "lots"), "--max-bytes"),
    Case("build-no-arguments", ("build",), "corpus"),
    # validate
    Case("validate-missing-graph", ("validate", "--graph", NOWHERE), NOWHERE),
    Case("validate-unparsable-graph", ("validate", "--graph", BAD), BAD),
    Case("validate-graph-is-a-folder", ("validate", "--graph", CORPUS), CORPUS),
    # query
    Case("query-unknown-name", ("query", "no-such-query", "--graph", GRAPH), "no-such-query"),
    Case(
        "query-param-without-equals",
        ("query", "treaties", "--graph", GRAPH, "--param", "min_confidence"),
        "min_confidence",
    ),
    Case("query-param-unknown-key", ("query", "treaties", "--graph", GRAPH, "--param", "colour=red"), "colour"),
    Case(
        "query-param-not-a-decimal", ("query", "treaties", "--graph", GRAPH, "--param", "min_confidence=high"), "high"
    ),
    Case("query-required-param-missing", ("query", "treaty", "--graph", GRAPH), "treaty"),
    Case("query-missing-graph", ("query", "treaties", "--graph", NOWHERE), NOWHERE),
    Case("query-unparsable-graph", ("query", "treaties", "--graph", BAD), BAD),
    # export
    Case("export-unparsable-graph", ("export", "--graph", BAD, "--format", "nt", "--out", "{tmp}/x.nt"), BAD),
    Case("export-out-under-a-file", ("export", "--graph", GRAPH, "--format", "nt", "--out", FILE + "/x.nt"), FILE),
    Case("export-out-is-a-folder", ("export", "--graph", GRAPH, "--format", "nt", "--out", CORPUS), CORPUS),
    Case(
        "export-inferred-not-trig",
        ("export", "--graph", GRAPH, "--format", "nt", "--out", "{tmp}/x.nt", "--inferred", GRAPH),
        "--inferred",
    ),  # fmt: skip
    Case(
        "export-inferred-missing",
        ("export", "--graph", GRAPH, "--format", "trig", "--out", "{tmp}/x.trig", "--inferred", NOWHERE),
        NOWHERE,
    ),  # fmt: skip
    # serve (a case that wrongly starts serving is stopped at the time limit and fails)
    Case("serve-missing-graph", ("serve", "--graph", NOWHERE, "--port", "0"), NOWHERE),
    Case("serve-unparsable-graph", ("serve", "--graph", BAD, "--port", "0"), BAD),
    Case("serve-port-out-of-range", ("serve", "--graph", GRAPH, "--port", "99999"), "--port"),
    Case("serve-negative-timeout", ("serve", "--graph", GRAPH, "--port", "0", "--timeout", "-1"), "--timeout"),
    Case("serve-no-workers", ("serve", "--graph", GRAPH, "--port", "0", "--workers", "0"), "--workers"),
    Case("serve-store-under-a-file", ("serve", "--graph", GRAPH, "--port", "0", "--store", FILE + "/store"), FILE),
    Case("serve-port-in-use", ("serve", "--graph", GRAPH, "--port", "{busy}"), "127.0.0.1:{busy}"),
    Case(
        "serve-unknown-host",
        ("serve", "--graph", GRAPH, "--port", "0", "--host", "no-such-host.invalid"),
        "no-such-host.invalid",
    ),  # fmt: skip
    # push (loopback only; nothing listens on the port)
    Case("push-missing-graph", ("push", "--graph", NOWHERE, "--endpoint", "http://127.0.0.1:{closed}/store"), NOWHERE),
    Case("push-endpoint-not-a-url", ("push", "--graph", GRAPH, "--endpoint", "store"), "store"),
    Case("push-no-endpoint", ("push", "--graph", GRAPH), "--endpoint"),
    Case(
        "push-zero-batch",
        ("push", "--graph", GRAPH, "--endpoint", "http://127.0.0.1:{closed}/s", "--batch-size", "0"),
        "batch",
    ),  # fmt: skip
    Case(
        "push-store-down",
        ("push", "--graph", GRAPH, "--endpoint", "http://127.0.0.1:{closed}/store", "--retries", "0", "--quiet"),
        "http://127.0.0.1:{closed}/store",
    ),  # fmt: skip
    # the program itself
    Case("unknown-command", ("frobnicate",), "frobnicate"),
    Case("no-command", (), "command"),
)


def prepare(folder: Path) -> None:
    shutil.copyfile(GRAPH_FIXTURE, folder / "graph.ttl")
    (folder / "bad.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;; oops <<\n")
    (folder / "plain.txt").write_text("not a folder\n")
    (folder / "corpus").mkdir()
    (folder / "corpus" / "a.txt").write_text(
        "The Treaty of Elmbridge was signed on 4 May 1956 by Norway and Denmark.\n"
    )


def expand(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def run_case(case: Case, values: dict[str, str]) -> Outcome:
    command = [sys.executable, "-m", "treatygraph", *(expand(a, values) for a in case.args)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as stopped:
        return Outcome(None, str(stopped.stdout or ""), str(stopped.stderr or ""))
    return Outcome(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def values(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    folder = tmp_path_factory.mktemp("cli-args")
    prepare(folder)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield {"tmp": str(folder), "busy": str(busy.getsockname()[1]), "closed": str(closed_port())}


@pytest.fixture(scope="module")
def outcomes(values: dict[str, str]) -> dict[str, Outcome]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip((c.id for c in CASES), pool.map(lambda c: run_case(c, values), CASES), strict=True))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_wrong_arguments_give_one_line_and_exit_2(
    case: Case, outcomes: dict[str, Outcome], values: dict[str, str]
) -> None:
    outcome = outcomes[case.id]
    assert outcome.returncode is not None, f"still running after 60 s: {outcome.stdout!r}"
    assert "Traceback" not in outcome.stderr, outcome.stderr
    lines = outcome.stderr.strip().splitlines()
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith("treatygraph: error: "), lines[0]
    assert expand(case.names, values) in lines[0], lines[0]
    assert outcome.returncode == 2, (outcome.returncode, lines[0])
    assert outcome.stdout == ""


def test_every_command_has_a_case() -> None:
    from treatygraph.cli import COMMANDS

    assert {c.args[0] for c in CASES if c.args} >= set(COMMANDS)
