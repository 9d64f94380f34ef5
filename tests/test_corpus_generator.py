"""benchmarks/corpus.py: a deterministic, well-formed synthetic corpus with gold that matches its articles."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from bs4 import BeautifulSoup

REPO = Path(__file__).resolve().parents[1]
SHARED_GAZETTEER = REPO.parent / "shared" / "data" / "gazetteer.tsv"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_generator", REPO / "benchmarks" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module's annotations through sys.modules
    spec.loader.exec_module(module)
    return module


corpus = load_generator()


def shared_gazetteer() -> Path:
    if not SHARED_GAZETTEER.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{SHARED_GAZETTEER} is missing on CI")
        pytest.skip("../shared gazetteer not available")
    return SHARED_GAZETTEER


def generate(tmp: Path, n: int, seed: int, gazetteer: Path) -> tuple[dict[str, bytes], dict[str, Any]]:
    corpus.generate(n, tmp, seed, gazetteer)
    files = {p.name: p.read_bytes() for p in sorted(tmp.iterdir()) if p.name != "gold.json"}
    return files, json.loads((tmp / "gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, Any]]:
    return generate(tmp_path_factory.mktemp("corpus"), 30, 7, shared_gazetteer())


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, Any]]:
    return generate(tmp_path_factory.mktemp("big"), 600, 11, shared_gazetteer())


def test_same_seed_same_corpus(tmp_path: Path, run: tuple[dict[str, bytes], dict[str, Any]]) -> None:
    again = generate(tmp_path, 30, 7, shared_gazetteer())
    assert again == run


def test_corpus_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    gazetteer = shared_gazetteer()
    golds = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "corpus.py"), "40", str(out), "--seed", "3",
                        "--gazetteer", str(gazetteer)], check=True, env=env, capture_output=True)
        golds.append((out / "gold.json").read_bytes())
    assert golds[0] == golds[1]


def test_other_seed_other_corpus(tmp_path: Path, run: tuple[dict[str, bytes], dict[str, Any]]) -> None:
    other = generate(tmp_path, 30, 8, shared_gazetteer())
    assert other[0] != run[0]


def test_thirty_articles_cover_all_formats_nonempty_utf8(run: tuple[dict[str, bytes], dict[str, Any]]) -> None:
    files, gold = run
    assert len(files) == 30
    assert {Path(name).suffix for name in files} == {".txt", ".html", ".wiki"}
    for name, data in files.items():
        assert data.strip(), name
        data.decode("utf-8")  # raises on anything that is not UTF-8
    assert sorted(a["file"] for a in gold["articles"]) == sorted(files)


def test_shares_of_formats_are_roughly_equal(run: tuple[dict[str, bytes], dict[str, Any]]) -> None:
    counts = [sum(name.endswith(ext) for name in run[0]) for ext in (".txt", ".html", ".wiki")]
    assert max(counts) - min(counts) <= 1, counts


def visible_text(name: str, data: bytes) -> str:
    text = data.decode("utf-8")
    if name.endswith(".html"):
        text = BeautifulSoup(text, "lxml").get_text()
    elif name.endswith(".wiki"):
        text = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text).replace("'''", "")
    return re.sub(r"\s+", "", text)


def test_gold_evidence_is_in_its_article(big: tuple[dict[str, bytes], dict[str, Any]]) -> None:
    files, gold = big
    for article in gold["articles"]:
        text = visible_text(article["file"], files[article["file"]])
        quotes = [q for t in article["treaties"] for q in t["evidence"].values()]
        quotes += [v["evidence"] for t in article["treaties"] for v in t["violations"]]
        quotes += [r["evidence"] for r in article["resolutions"]]
        missing = [q for q in quotes if re.sub(r"\s+", "", q) not in text]
        assert not missing, (article["file"], missing)


def test_gold_has_the_dev_schema(run: tuple[dict[str, bytes], dict[str, Any]]) -> None:
    keys = {"label", "aliases", "signed", "signed_at", "effective", "ended", "parties", "signers",
            "supersedes", "based_on", "violations", "evidence"}
    for article in run[1]["articles"]:
        assert {"file", "format", "treaties", "resolutions", "notes"} <= set(article)
        for treaty in article["treaties"]:
            assert set(treaty) == keys
            assert re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", treaty["signed"])


def test_larger_corpus_has_repeats_lineage_violations_resolutions_contradictions(
    big: tuple[dict[str, bytes], dict[str, Any]],
) -> None:
    gold = big[1]
    notes = [n.split(":")[0] for a in gold["articles"] for n in a["notes"]]
    subjects = [a["treaties"][0] for a in gold["articles"]]
    assert "repeat" in notes
    assert "contradiction" in notes
    assert any(t["supersedes"] for t in subjects) and any(t["based_on"] for t in subjects)
    assert any(t["violations"] for t in subjects)
    assert any(a["resolutions"] for a in gold["articles"])
    labels = [t["label"] for t in subjects]
    assert len(set(labels)) < len(labels), "some treaty is described twice"


def test_contradictions_end_before_they_begin(big: tuple[dict[str, bytes], dict[str, Any]]) -> None:
    for article in big[1]["articles"]:
        if any(n.startswith("contradiction:") for n in article["notes"]):
            treaty = article["treaties"][0]
            assert treaty["ended"]["date"][:4] <= treaty["signed"][:4]


def test_missing_gazetteer_falls_back_with_warning(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="built-in list"):
        files, gold = generate(tmp_path / "out", 12, 1, tmp_path / "no-such-gazetteer.tsv")
    assert len(files) == 12 and len(gold["articles"]) == 12


def test_rerun_removes_articles_of_a_larger_earlier_run(tmp_path: Path) -> None:
    with pytest.warns(UserWarning):
        corpus.generate(20, tmp_path, 1, tmp_path / "missing.tsv")
        corpus.generate(5, tmp_path, 1, tmp_path / "missing.tsv")
    assert len([p for p in tmp_path.iterdir() if p.suffix in (".txt", ".html", ".wiki")]) == 5
