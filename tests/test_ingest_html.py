"""HTML ingest: page chrome dropped, infobox rows kept as fields, layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_ingest_wiki import assert_consistent, field

from treatygraph.ingest import IngestLimits, ingest_file
from treatygraph.ingest_html import read_html
from treatygraph.ingest_text import Layout
from treatygraph.types import IngestedArticle

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


@pytest.fixture(scope="module")
def eldmoor() -> IngestedArticle:
    return ingest_file(FIXTURES / "eldmoor.html", FIXTURES)


def render(html: str) -> Layout:
    return read_html(html, IngestLimits())


def test_title_from_first_heading_and_consistency(eldmoor: IngestedArticle) -> None:
    assert eldmoor.format == "html"
    assert eldmoor.title == "Treaty of Eldmoor"
    assert eldmoor.text.startswith("Treaty of Eldmoor\n\nTitle | Treaty of Eldmoor\n")
    assert eldmoor.problems == ()
    assert_consistent(eldmoor)


def test_chrome_scripts_and_footers_dropped(eldmoor: IngestedArticle) -> None:
    for hidden in ("trackingCode", "float: right", "Main page", "Random article", "last edited", "Categories"):
        assert hidden not in eldmoor.text
    assert "A fictional settlement" not in eldmoor.text  # display:none short description


def test_reference_markers_and_lists_dropped(eldmoor: IngestedArticle) -> None:
    assert "[1]" not in eldmoor.text and "[2]" not in eldmoor.text
    assert "Invented reference text" not in eldmoor.text
    assert "by Norvale and Suderland. It ended the Salt War." in eldmoor.text


def test_trailing_sections_figures_and_edit_links_dropped(eldmoor: IngestedArticle) -> None:
    for hidden in ("See also", "Westmark", "References", "A map nobody drew", "edit"):
        assert hidden not in eldmoor.text
    assert "\n\nTerms\n\nFree passage on the river\n\nAn exchange of prisoners" in eldmoor.text


def test_infobox_rows_are_fields(eldmoor: IngestedArticle) -> None:
    assert [(f.key, f.label) for f in eldmoor.fields] == [
        ("title", "Title"),
        ("subheader", "Subheader"),
        ("caption", "Caption"),
        ("date_signed", "Signed"),
        ("location_signed", "Location"),
        ("signatories", "Signatories"),
        ("parties", "Parties"),
    ]
    assert field(eldmoor, "date_signed") == "9 April 1871"
    assert field(eldmoor, "signatories") == "Aldric Venn\nSuderland"
    assert field(eldmoor, "parties") == "Norvale\nSuderland"
    assert "Signed | 9 April 1871" in eldmoor.text.split("\n")
    assert "Full text" not in eldmoor.text  # infobox-below: a link to the text elsewhere


def test_links_keep_their_target(eldmoor: IngestedArticle) -> None:
    hints = {(eldmoor.text[h.begin : h.end], h.target) for h in eldmoor.links}
    assert ("Norvale", "Kingdom of Norvale") in hints
    assert ("Salt War", "Salt War") in hints  # from the /wiki/ address when there is no title
    assert ("Eldmoor", "Eldmoor Castle") in hints


def test_anchors_point_at_source_lines(eldmoor: IngestedArticle) -> None:
    source_lines = (FIXTURES / "eldmoor.html").read_text(encoding="utf-8").split("\n")
    signed = next(f for f in eldmoor.fields if f.key == "date_signed")
    line, _ = eldmoor.source_position(signed.begin) or (0, 0)
    assert "9 April 1871" in source_lines[line - 1]
    line, _ = eldmoor.source_position(eldmoor.text.index("The Treaty of Eldmoor was")) or (0, 0)
    assert source_lines[line - 1].startswith("<p>The <b>Treaty of Eldmoor")


def test_title_falls_back_to_title_element_without_site_name() -> None:
    layout = render("<html><head><title>Pact of Rill - Wikipedia</title></head><body><p>Some prose.</p></body></html>")
    assert layout.title == "Pact of Rill"
    assert layout.text() == "Pact of Rill\n\nSome prose."


def test_whitespace_collapses_but_br_breaks() -> None:
    layout = render("<body><p>One\n   two\tthree<br>four</p><ul><li>five</li><li>six</li></ul></body>")
    assert layout.text() == "One two three\nfour\n\nfive\n\nsix"


def test_dropped_section_ends_at_next_heading_of_same_level() -> None:
    html = "<body><h2>Notes</h2><p>gone</p><h3>Sub</h3><p>gone too</p><h2>Legacy</h2><p>kept</p></body>"
    assert render(html).text() == "Legacy\n\nkept"


def test_infobox_section_headers_and_label_keys() -> None:
    html = (
        '<body><table class="infobox"><tr><th colspan="2">Pact</th></tr><tr><th colspan="2">Names</th></tr>'
        "<tr><th>Traditional Chinese</th><td>條約</td></tr><tr><th>Date of signing</th><td>1901</td></tr></table>"
        "<p>Prose.</p></body>"
    )
    fields = [(f.key, f.label, f.value) for f in render(html).fields]
    assert fields == [
        ("title", "Title", "Pact"),
        ("header", "Header", "Names"),
        ("t", "Traditional Chinese", "條約"),
        ("date_of_signing", "Date of signing", "1901"),
    ]


def test_deeply_nested_markup_does_not_overflow() -> None:
    html = "<body><p>" + "<span>" * 1500 + "deep" + "</span>" * 1500 + "</p></body>"
    assert render(html).text() == "deep"


def test_markup_deeper_than_the_parser_reads_is_noted() -> None:
    html = "<body><p>before</p>" + "<div>" * 5000 + "lost" + "</div>" * 5000 + "</body>"
    layout = render(html)
    assert layout.text() == "before"
    assert layout.problems == ["HTML nested too deeply at line 1: the rest of the file was not read"]
