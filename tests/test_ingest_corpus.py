"""Every file of the shared dev corpus and seeds ingests, with spot checks of what the readers make of it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from test_ingest_wiki import assert_consistent, field

from treatygraph.ingest import discover, ingest_file
from treatygraph.types import IngestedArticle

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "corpus" / "dev"
SEEDS = SHARED / "seeds"


def require(folder: Path) -> Path:
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared folder {folder} is missing")
        pytest.skip(f"shared folder {folder} is missing")
    return folder


def ingest_all(folder: Path) -> dict[str, IngestedArticle]:
    root = require(folder)
    return {path.name: ingest_file(path, root) for path in discover(root)}


@pytest.fixture(scope="module")
def dev() -> dict[str, IngestedArticle]:
    return ingest_all(DEV)


def by_prefix(articles: dict[str, IngestedArticle], prefix: str) -> IngestedArticle:
    return next(article for name, article in articles.items() if name.startswith(prefix))


def test_every_dev_and_seed_file_ingests(dev: dict[str, IngestedArticle]) -> None:
    seeds = ingest_all(SEEDS)
    assert len(dev) >= 16 and seeds
    for article in [*dev.values(), *seeds.values()]:
        assert article.text.strip()
        assert_consistent(article)
        assert article.anchors


def test_formats_follow_suffixes(dev: dict[str, IngestedArticle]) -> None:
    formats = {article.format for article in dev.values()}
    assert formats == {"text", "html", "wikitext"}


def test_wiki_brest_litovsk(dev: dict[str, IngestedArticle]) -> None:
    article = by_prefix(dev, "101_")
    assert article.title == "Treaty of Brest-Litovsk"
    assert "3 March 1918" in field(article, "date_signed")
    assert field(article, "signatories") == "Russian SFSR"
    assert "Polish: Brześć Litewski" in article.text
    assert "Category" not in article.text and "See also" not in article.text and "{{" not in article.text


def test_wiki_rapallo_flags_and_lists(dev: dict[str, IngestedArticle]) -> None:
    article = by_prefix(dev, "109_")
    assert field(article, "date_signed") == "16 April 1922"
    assert field(article, "parties") == "Germany\nRussian SFSR"
    assert field(article, "signatories") == "Walther Rathenau\nGeorgy Chicherin"
    assert "Mueller" not in article.text and "Coord" not in article.text


def test_wiki_nanking_refs_and_second_infobox(dev: dict[str, IngestedArticle]) -> None:
    article = by_prefix(dev, "104_")
    assert field(article, "date_effective") == "26 June 1843"
    assert "Mayers" not in field(article, "long_name")
    assert field(article, "t") == "南京條約"


def test_html_versailles(dev: dict[str, IngestedArticle]) -> None:
    article = by_prefix(dev, "103_")
    assert article.title == "Treaty of Versailles"
    signed = [f for f in article.fields if f.label == "Signed"]
    assert signed and signed[0].value == "28 June 1919" and signed[0].key == "date_signed"
    assert "British Empire" in field(article, "signatories")
    assert "last edited" not in article.text and "Main menu" not in article.text


def test_html_has_no_reference_markers_or_chrome(dev: dict[str, IngestedArticle]) -> None:
    html = [article for article in dev.values() if article.format == "html"]
    assert len(html) >= 4
    for article in html:
        assert not re.search(r"\[\d+\]", article.text), article.path
        assert "Retrieved from" not in article.text and "Jump to content" not in article.text
        assert "Privacy policy" not in article.text and "Categories" not in article.text


def test_html_north_atlantic_drops_trailing_sections(dev: dict[str, IngestedArticle]) -> None:
    article = by_prefix(dev, "107_")
    assert "External links" not in article.text and "Official text" not in article.text
    assert article.text.rstrip().endswith("on July 21, 1949.")


def test_text_files_are_verbatim(dev: dict[str, IngestedArticle]) -> None:
    for name, article in dev.items():
        if article.format == "text":
            raw = (DEV / name).read_bytes().decode("utf-8")
            assert article.text == raw.replace("\r\n", "\n")
            assert article.title is None and article.fields == ()
