"""The bundled example articles and their hand-made gold (examples/gold.json) stay consistent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
GOLD_PATH = EXAMPLES / "gold.json"
FORMATS = {".txt": "txt", ".html": "html", ".wiki": "wiki"}
ARTICLE_KEYS = {"file", "url", "source", "format", "markup", "treaties", "resolutions", "notes"}
TREATY_KEYS = {
    "label", "aliases", "signed", "signed_at", "effective", "ended", "parties", "signers",
    "supersedes", "based_on", "violations", "evidence",
}
RESOLUTION_KEYS = {"label", "number", "body", "date", "concerns", "finding", "evidence"}
ENDINGS = {"expired", "terminated", "denounced", "withdrawn", "superseded", "annulled"}
FINDINGS = {"violation", "termination", "ratification", "approval", "rejection"}
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def load_gold() -> dict[str, Any]:
    return json.loads(GOLD_PATH.read_text(encoding="utf-8"))


GOLD = load_gold()
ARTICLES = GOLD["articles"]


LANGUAGES = {"fr": "French", "de": "German", "ru": "Russian", "es": "Spanish", "nl": "Dutch",
             "hu": "Hungarian", "ja": "Japanese", "it": "Italian", "bg": "Bulgarian", "la": "Latin"}


def render_lang(match: re.Match[str]) -> str:
    """{{lang-ru|X}} renders as "Russian: X" on Wikipedia."""
    name = LANGUAGES.get(match.group(1))
    return f"{name}: {match.group(2)}" if name else match.group(2)


def strip_wiki(text: str) -> str:
    """Wikitext as a reader sees it: refs dropped, links and language templates reduced to their text."""
    text = re.sub(r"<ref[^>]*/>", "", text)
    text = re.sub(r"<ref[^>]*>.*?</ref>", "", text, flags=re.S)
    text = re.sub(r"\{\{lang-([a-z]+)\|([^|}]*)[^}]*\}\}", render_lang, text)
    text = re.sub(r"\{\{lang\|[a-z-]+\|([^|}]*)[^}]*\}\}", r"\1", text)
    text = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[https?://\S+ ([^\]]*)\]", r"\1", text)
    return text.replace("'''", "").replace("''", "").replace("&nbsp;", " ")


def strip_html(text: str) -> str:
    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return soup.get_text()


def squash(text: str) -> str:
    """Whitespace never matters when comparing evidence with its article."""
    return re.sub(r"\s+", "", text)


def readable_forms(path: Path) -> tuple[str, str]:
    raw = path.read_text(encoding="utf-8")
    stripped = {"wiki": strip_wiki, "html": strip_html}.get(FORMATS[path.suffix], lambda s: s)(raw)
    return squash(raw), squash(stripped)


def evidence_strings(article: dict[str, Any]) -> Iterator[str]:
    for treaty in article["treaties"]:
        yield from treaty["evidence"].values()
        yield from (v["evidence"] for v in treaty["violations"])
    yield from (r["evidence"] for r in article["resolutions"])


def check_date(value: str | None) -> None:
    if value is None:
        return
    assert ISO_DATE.match(value), value
    parts = [int(p) for p in value.split("-")]
    date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def test_every_article_file_has_gold_and_every_gold_file_exists() -> None:
    on_disk = {p.name for p in EXAMPLES.iterdir() if p.suffix in FORMATS}
    in_gold = [a["file"] for a in ARTICLES]
    assert len(in_gold) == len(set(in_gold))
    assert on_disk == set(in_gold)


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a["file"])
def test_article_matches_schema(article: dict[str, Any]) -> None:
    assert set(article) == ARTICLE_KEYS
    assert article["format"] == FORMATS[Path(article["file"]).suffix]
    assert article["treaties"], "each article has a subject treaty"
    for treaty in article["treaties"]:
        assert set(treaty) == TREATY_KEYS, treaty["label"]
        for key in ("signed", "effective"):
            check_date(treaty[key])
        if treaty["ended"] is not None:
            assert set(treaty["ended"]) == {"date", "how"}
            check_date(treaty["ended"]["date"])
            assert treaty["ended"]["how"] in ENDINGS
        for key in ("parties", "signers"):
            assert all(names and all(isinstance(n, str) and n for n in names) for names in treaty[key])
        assert all(isinstance(x, str) and x for x in treaty["aliases"] + treaty["supersedes"] + treaty["based_on"])
        for violation in treaty["violations"]:
            assert set(violation) == {"violator", "determined_by", "evidence"}
            assert violation["violator"]
    for resolution in article["resolutions"]:
        assert set(resolution) == RESOLUTION_KEYS
        check_date(resolution["date"])
        assert resolution["number"] or resolution["date"], "score.py matches resolutions by number or date"
        assert resolution["finding"] in FINDINGS | {None}, "null when the resolution decides nothing about a treaty"


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a["file"])
def test_evidence_occurs_in_article(article: dict[str, Any]) -> None:
    path = EXAMPLES / article["file"]
    raw, stripped = readable_forms(path)
    strip = strip_wiki if path.suffix == ".wiki" else (lambda s: s)
    missing = [
        ev for ev in evidence_strings(article)
        if squash(ev) not in raw and squash(strip(ev)) not in stripped
    ]
    assert not missing, missing


LANGUAGE_NAMED = re.compile(
    r"\b(?:French|German|Russian|Spanish|Dutch|Hungarian|Japanese|Italian|Bulgarian):|lang-[a-z]+"
)


def fact_kinds(treaty: dict[str, Any]) -> set[str]:
    kinds = {k for k in ("signed", "signed_at", "effective", "ended", "parties", "signers",
                         "supersedes", "based_on", "violations") if treaty[k]}
    if treaty["aliases"] and LANGUAGE_NAMED.search(treaty["evidence"].get("aliases", "")):
        kinds.add("foreign_name")
    return kinds


def test_every_fact_kind_is_covered() -> None:
    covered: set[str] = set()
    for article in ARTICLES:
        for treaty in article["treaties"]:
            covered |= fact_kinds(treaty)
        if article["resolutions"]:
            covered.add("resolutions")
    expected = {"signed", "signed_at", "effective", "ended", "parties", "signers", "supersedes",
                "based_on", "violations", "resolutions", "foreign_name"}
    assert expected <= covered, expected - covered


def test_ending_kinds_and_resolution_bodies_vary() -> None:
    hows = {t["ended"]["how"] for a in ARTICLES for t in a["treaties"] if t["ended"]}
    assert len(hows) >= 4, hows
    bodies = {r["body"] for a in ARTICLES for r in a["resolutions"]}
    assert any("General Assembly" in b or "Security Council" in b for b in bodies), bodies
    assert any("Senate" in b or "Congress" in b for b in bodies), bodies


def test_all_three_formats_present() -> None:
    counts = {fmt: sum(a["format"] == fmt for a in ARTICLES) for fmt in FORMATS.values()}
    assert all(n >= 2 for n in counts.values()), counts


def test_one_treaty_is_the_subject_of_two_articles() -> None:
    subjects = [a["treaties"][0]["label"] for a in ARTICLES]
    assert any(subjects.count(label) >= 2 for label in subjects)


def test_some_lineage_chain_links_three_treaties() -> None:
    earlier: dict[str, set[str]] = {}
    for article in ARTICLES:
        for treaty in article["treaties"]:
            earlier.setdefault(treaty["label"], set()).update(treaty["supersedes"] + treaty["based_on"])

    def depth(label: str, seen: frozenset[str]) -> int:
        steps = [depth(e, seen | {e}) for e in earlier.get(label, ()) if e not in seen]
        return 1 + max(steps, default=0)

    assert max(depth(label, frozenset({label})) for label in earlier) >= 3
