"""`treatygraph build` on a corpus of bad files beside good ones, through the real command line.

Every bad input of benchmarks/bad_inputs.py is built at once beside two good articles; build must exit 0,
keep every good article's facts, and name each bad file with its reason on stderr and in report.json;
with --strict it exits 1. Permission cases need a process that cannot read every file: as root, the build
runs under `setpriv` without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH, and those cases are skipped (saying
why) where that is impossible.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import Graph
from rdflib.namespace import RDFS, SKOS

REPO = Path(__file__).resolve().parents[1]


def load_bad_inputs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bad_inputs", REPO / "benchmarks" / "bad_inputs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module's annotations through sys.modules
    spec.loader.exec_module(module)
    return module


bad_inputs = load_bad_inputs()
BY_NAME = {bad.name: bad for bad in bad_inputs.BAD_INPUTS}
NO_ROOT = bad_inputs.no_root_prefix()
ROOT_SKIP = "running as root and setpriv cannot drop the capability to read every file"


@dataclass(frozen=True)
class MixedBuild:
    corpus: Path
    out: Path
    plain: bad_inputs.BuildRun  # type: ignore[name-defined]
    strict: bad_inputs.BuildRun  # type: ignore[name-defined]


def tried_inputs() -> tuple:
    return tuple(bad for bad in bad_inputs.BAD_INPUTS if not bad.needs_no_root or NO_ROOT is not None)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> MixedBuild:
    folder = tmp_path_factory.mktemp("mixed")
    corpus, out = folder / "corpus", folder / "out"
    try:
        bad_inputs.write_corpus(corpus, tried_inputs())
        plain = bad_inputs.run_build(corpus, out, prefix=NO_ROOT)
        strict = bad_inputs.run_build(
            corpus, folder / "strict", "--strict", "--no-reason", "--no-validate", prefix=NO_ROOT
        )
    finally:
        bad_inputs.restore_permissions(corpus)
    return MixedBuild(corpus, out, plain, strict)


@pytest.fixture(scope="module")
def good_only(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("good")
    bad_inputs.write_good(folder / "corpus")
    run = bad_inputs.run_build(folder / "corpus", folder / "out", "--strict")
    assert run.returncode == 0, run.stderr
    return folder / "out"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "treatygraph", *args], capture_output=True, text=True, timeout=300)


# ---------------------------------------------------------------- the whole mixed corpus


def test_build_exits_0_and_keeps_every_good_fact(mixed: MixedBuild, good_only: Path) -> None:
    assert mixed.plain.returncode == 0, mixed.plain.stderr
    assert "Traceback" not in mixed.plain.stderr
    alone = set(Graph().parse(good_only / "treatygraph.ttl"))
    beside_bad = set(Graph().parse(mixed.out / "treatygraph.ttl"))
    assert alone and alone <= beside_bad, f"{len(alone - beside_bad)} statements of the good articles were lost"


def test_good_facts_answer_the_canned_queries(mixed: MixedBuild) -> None:
    parties = cli("query", "parties", "--graph", str(mixed.out / "treatygraph.ttl"), "--format", "csv")
    assert parties.returncode == 0, parties.stderr
    pairs = {tuple(line.split(",")[1:3]) for line in parties.stdout.splitlines()}
    assert {("Treaty of Elmbridge", "Norway"), ("Treaty of Elmbridge", "Denmark")} <= pairs
    assert {("Pact of Rosmere", "Sweden"), ("Pact of Rosmere", "Finland")} <= pairs


def test_strict_exits_1_when_any_file_failed(mixed: MixedBuild) -> None:
    assert mixed.strict.returncode == 1
    assert (mixed.out.parent / "strict" / "treatygraph.ttl").is_file(), "--strict still writes the graph"


def test_strict_exits_0_on_a_clean_corpus(good_only: Path) -> None:
    assert (good_only / "treatygraph.ttl").is_file()  # the fixture built it with --strict and exit 0


def test_report_counts_the_failures(mixed: MixedBuild) -> None:
    report = mixed.plain.report
    failed = [e["path"] for e in report["articles"] if e["status"] == "failed"]
    assert report["summary"]["articles_failed"] == len(failed) > 0
    assert f"({len(failed)} failed" in mixed.plain.stdout


def expected_cases() -> list:
    cases = []
    for bad in bad_inputs.BAD_INPUTS:
        marks = []
        if bad.needs_no_root and NO_ROOT is None:
            marks.append(pytest.mark.skip(reason=ROOT_SKIP))
        cases.append(pytest.param(bad.name, marks=marks, id=bad.name))
    return cases


@pytest.mark.parametrize("name", expected_cases())
def test_each_bad_input_is_reported_with_its_reason(mixed: MixedBuild, name: str) -> None:
    bad = BY_NAME[name]
    entry = bad_inputs.entry_for(mixed.plain.report, bad.name)
    assert entry is not None, f"{bad.name} is not in report.json"
    assert entry["status"] == bad.status, entry
    if bad.reason:
        assert any(bad.reason in problem for problem in entry["problems"]), entry["problems"]
    if bad.status == "failed":
        named = [line for line in mixed.plain.stderr.splitlines() if bad.name in line]
        assert named and all(line.startswith("treatygraph: ") for line in named), mixed.plain.stderr
        assert any(bad.reason in line for line in named), named


def problems_of(mixed: MixedBuild, name: str) -> list[str]:
    entry = bad_inputs.entry_for(mixed.plain.report, name)
    assert entry is not None
    return entry["problems"]


def test_reasons_give_the_line_or_offset_where_one_exists(mixed: MixedBuild) -> None:
    assert re.match(r"binary\.txt @0: binary", problems_of(mixed, "binary.txt")[0])
    assert problems_of(mixed, "deep-templates.wiki")[0].startswith("deep-templates.wiki:2: ")
    assert problems_of(mixed, "template-bomb.wiki")[0].startswith("template-bomb.wiki:2: ")
    assert "offset 19" in problems_of(mixed, "invalid-utf8.txt")[0]


def test_each_good_or_salvaged_article_keeps_its_treaty(mixed: MixedBuild) -> None:
    labels = bad_inputs.treaty_labels(mixed.out)
    salvaged = {"Treaty of Café", "Treaty of Arles", "Treaty of Velm", "Treaty of Oska", "Treaty of Lorn",
                "Treaty of Skel", "Treaty of Loopholm", "Treaty of Quell"}  # fmt: skip
    assert set(bad_inputs.GOOD_TREATIES) | salvaged <= labels


def test_no_file_outside_the_corpus_is_read_through_a_symlink_loop(mixed: MixedBuild) -> None:
    paths = [e["path"] for e in mixed.plain.report["articles"]]
    assert len(paths) == len(set(paths))
    assert "looping-folder/inner.txt" in paths and not any("/up/" in p for p in paths)


def test_an_unclosed_template_is_noted(mixed: MixedBuild) -> None:
    assert any("{{" in p or "template" in p.lower() for p in problems_of(mixed, "unbalanced.wiki"))


def test_markup_never_becomes_a_treaty_name(mixed: MixedBuild) -> None:
    graph = Graph().parse(mixed.out / "treatygraph.ttl")
    names = [str(o) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel) for o in graph.objects(None, p)]
    assert "Treaty of Skel" in names
    assert not [name for name in names if "{{" in name or "|" in name]


def test_an_article_about_no_treaty_is_named_on_stderr(mixed: MixedBuild) -> None:
    assert any("no-treaty.txt" in line and "no treaty" in line for line in mixed.plain.stderr.splitlines())


# ---------------------------------------------------------------- limits a user can change


def test_max_bytes_rejects_a_bigger_article_and_names_the_option(tmp_path: Path) -> None:
    bad_inputs.write_good(tmp_path / "corpus")
    sizes = {p.name: p.stat().st_size for p in (tmp_path / "corpus").rglob("*.*")}
    limit = min(sizes.values())
    bigger = max(sizes, key=lambda name: sizes[name])
    run = bad_inputs.run_build(tmp_path / "corpus", tmp_path / "out", "--max-bytes", str(limit), "--no-reason")
    assert run.returncode == 0, run.stderr
    entry = bad_inputs.entry_for(run.report, f"good/{bigger}")
    assert entry["status"] == "failed" and f"{limit:,} bytes" in entry["problems"][0]
    assert "--max-bytes" in entry["problems"][0] and bigger in run.stderr


def test_max_template_depth_can_be_raised_to_read_a_deep_article(tmp_path: Path) -> None:
    bad_inputs.write_corpus(tmp_path / "corpus", (BY_NAME["deep-templates.wiki"],))
    run = bad_inputs.run_build(tmp_path / "corpus", tmp_path / "out", "--max-template-depth", "40", "--no-reason")
    entry = bad_inputs.entry_for(run.report, "deep-templates.wiki")
    assert run.returncode == 0 and entry["status"] != "failed", entry


def many_treaties_article(count: int) -> str:
    """An article naming many treaties: extraction time grows with the square of their number."""
    return " ".join(
        f"The Treaty of Place{i} was signed on 4 May 19{i % 100:02d} by Norway and Denmark." for i in range(count)
    )


def time_limit_option() -> str | None:
    """The build option whose help speaks of seconds (the per-article extraction time limit), if any."""
    help_text = cli("build", "--help").stdout
    for match in re.finditer(r"^\s+(--[a-z-]+)[^\n]*(?:\n\s{6,}[^\n]*)*", help_text, re.M):
        if re.search(r"second", match.group(0), re.I):
            return match.group(1)
    return None


def test_an_article_over_the_time_limit_is_reported(tmp_path: Path) -> None:
    option = time_limit_option()
    assert option is not None, "build --help shows no time limit option"
    bad_inputs.write_good(tmp_path / "corpus")
    (tmp_path / "corpus" / "many.txt").write_text(many_treaties_article(4000))
    # an article naming 4,000 treaties takes many seconds to read; the good ones take milliseconds
    run = bad_inputs.run_build(tmp_path / "corpus", tmp_path / "out", option, "1", "--no-reason")
    entry = bad_inputs.entry_for(run.report, "many.txt")
    assert run.returncode == 0 and entry["status"] == "failed" and "many.txt" in run.stderr
    assert set(bad_inputs.GOOD_TREATIES) <= bad_inputs.treaty_labels(tmp_path / "out")


@pytest.mark.parametrize("option", ["--max-bytes", "--max-template-depth"])
def test_a_negative_limit_is_a_usage_error(tmp_path: Path, option: str) -> None:
    bad_inputs.write_good(tmp_path / "corpus")
    run = cli("build", str(tmp_path / "corpus"), "--out", str(tmp_path / "out"), option, "-5")
    assert run.returncode == 2 and option in run.stderr and len(run.stderr.splitlines()) == 1, run.stderr


def test_outputs_get_the_usual_permissions(good_only: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    modes = {p.name: p.stat().st_mode & 0o777 for p in good_only.iterdir() if not p.name.startswith(".")}
    wanted = {
        p.name: (0o777 if p.is_dir() else 0o666) & ~umask for p in good_only.iterdir() if not p.name.startswith(".")
    }
    assert modes and modes == wanted


# ---------------------------------------------------------------- from a bad article to the endpoint


def test_a_script_in_an_article_shows_as_text_on_its_page(mixed: MixedBuild) -> None:
    """The article's text quotes <script>alert(1)</script>: the built graph served as HTML shows it escaped."""
    from test_serve import request, start_server, stop_server

    server = start_server(mixed.out / "treatygraph.ttl")
    try:
        reply = request(server, "GET", "/treatygraph/id/treaty/treaty-of-quell-1930", Accept="text/html")
    finally:
        stop_server(server)
    page = reply.body.decode()
    assert reply.status == 200 and "Treaty of Quell" in page
    assert "<script" not in page.lower() and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
