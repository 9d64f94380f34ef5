"""Wikitext ingest: infobox fields, templates, links, dropped markup, layout."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import mwparserfromhell
import pytest
from mwparserfromhell.nodes import Template

from treatygraph.ingest import IngestLimits, ingest_file
from treatygraph.ingest_text import Layout
from treatygraph.ingest_wiki import _template_text, format_date, parse, read_wikitext, strip_code
from treatygraph.types import IngestedArticle

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def assert_consistent(article: IngestedArticle) -> None:
    """Every field sits in the text at its offsets; links and anchors point inside the text."""
    text = article.text
    for f in article.fields:
        assert 0 <= f.begin <= f.end <= len(text)
        assert text[f.begin : f.end] == f.value
    for link in article.links:
        assert 0 <= link.begin <= link.end <= len(text)
    offsets = [a.text_offset for a in article.anchors]
    assert offsets == sorted(set(offsets))
    assert all(0 <= a.text_offset <= len(text) and a.line >= 1 and a.column >= 0 for a in article.anchors)


@pytest.fixture(scope="module")
def eldmoor() -> IngestedArticle:
    return ingest_file(FIXTURES / "eldmoor.wiki", FIXTURES)


def field(article: IngestedArticle, key: str) -> str:
    values = [f.value for f in article.fields if f.key == key]
    assert values, f"no field {key!r} in {[f.key for f in article.fields]}"
    return values[0]


def render(wikitext: str) -> Layout:
    return read_wikitext(wikitext, IngestLimits())


def body_of(wikitext: str) -> str:
    return render(wikitext).text()


def test_metadata_and_consistency(eldmoor: IngestedArticle) -> None:
    assert eldmoor.path == "eldmoor.wiki"
    assert eldmoor.format == "wikitext"
    assert eldmoor.title == "Treaty of Eldmoor"
    assert len(eldmoor.content_sha256) == 64
    assert_consistent(eldmoor)


def test_layout_title_rows_then_body(eldmoor: IngestedArticle) -> None:
    lines = eldmoor.text.split("\n")
    assert lines[0] == "Treaty of Eldmoor"
    assert lines[1] == ""
    assert lines[2] == "Name | Treaty of Eldmoor"
    assert "Signed | 9 April 1871" in lines
    assert "Terms" in lines


def test_infobox_keys_and_labels(eldmoor: IngestedArticle) -> None:
    labels = {f.key: f.label for f in eldmoor.fields}
    assert labels["date_signed"] == "Signed"
    assert labels["location_signed"] == "Location"
    assert labels["depositor"] == "Depositary"
    assert labels["condition_effective"] == "Condition"
    assert "image" not in labels and "image_width" not in labels


def test_date_templates(eldmoor: IngestedArticle) -> None:
    assert field(eldmoor, "date_signed") == "9 April 1871"
    assert field(eldmoor, "date_effective") == "June 1871"
    assert field(eldmoor, "date_expiration") == "1899"
    assert "signed on 9 April 1871 by" in eldmoor.text  # {{date|1871-04-09}}
    assert "accord of February 1, 1880 extended" in eldmoor.text  # {{dts}} without df: month first


def test_list_templates_give_one_item_per_line(eldmoor: IngestedArticle) -> None:
    assert field(eldmoor, "signatories") == "Aldric Venn for Norvale\nSuderland"
    assert field(eldmoor, "parties") == "Norvale\nSuderland"
    assert field(eldmoor, "languages") == "Norvalese\nSuderish"


def test_refs_comments_and_unknown_templates_dropped(eldmoor: IngestedArticle) -> None:
    assert field(eldmoor, "condition_effective") == "Ratification by both crowns"
    assert field(eldmoor, "depositor") == "Norvale"
    for hidden in ("Made-up Source", "Invented reference", "must not show", "Nobody", "unknown", "Short description"):
        assert hidden not in eldmoor.text
    assert "It ended the Salt War." in eldmoor.text


def test_lang_templates(eldmoor: IngestedArticle) -> None:
    assert "Treaty of Eldmoor (German: Vertrag von Eldmoor) was" in eldmoor.text
    assert body_of("Called {{lang|fr|le Traité}} here.") == "Called le Traité here."
    assert body_of("Called {{langx|ru|Мир}} here.") == "Called Russian: Мир here."


def test_links_become_text_with_hints(eldmoor: IngestedArticle) -> None:
    hints = {(eldmoor.text[h.begin : h.end], h.target) for h in eldmoor.links}
    assert ("peace settlement", "peace treaty") in hints
    assert ("Norvale", "Kingdom of Norvale") in hints
    assert ("Salt War", "Salt War") in hints
    assert "[[" not in eldmoor.text and "]]" not in eldmoor.text


def test_files_categories_and_trailing_sections_dropped(eldmoor: IngestedArticle) -> None:
    for hidden in ("A map nobody drew", "Fictional treaties", "Category", "See also", "Westmark", "References"):
        assert hidden not in eldmoor.text


def test_bold_and_italic_markup_stripped() -> None:
    assert body_of("The '''Pact''' of ''Somewhere'' held.") == "Pact\n\nThe Pact of Somewhere held."


def test_title_falls_back_to_first_bold_phrase() -> None:
    layout = render("Intro line.\n\nThe '''Accord of Rill''' was made.\n\n== History ==\nMore.")
    assert layout.title == "Accord of Rill"


def test_paragraphs_and_headings_are_blocks() -> None:
    text = body_of("'''A''' one.\ntwo.\n\n\nthree.\n== Later ==\nfour.")
    assert text == "A\n\nA one.\ntwo.\n\nthree.\n\nLater\n\nfour."


def test_small_templates() -> None:
    assert body_of("It is {{convert|5|mi|km}} wide.") == "It is 5 mi wide."
    assert body_of("About {{nowrap|1 000}} men and {{small|some}} ships.") == "About 1 000 men and some ships."
    assert body_of("For {{flagicon|France}}{{flagu|France}} and {{flag|Peru}}.") == "For France and Peru."
    assert body_of("Signed{{efn|hidden}} {{circa|1650}}.") == "Signed c. 1650."


def test_br_becomes_newline_in_values() -> None:
    layout = render("{{Infobox treaty\n| parties = Aland<br/>Bland<br>Cland\n}}\nText.")
    assert layout.fields[0].value == "Aland\nBland\nCland"


def test_second_infobox_fields_are_kept() -> None:
    layout = render("{{Infobox treaty|name=Pact}}\n{{Infobox Chinese|t=條約|s=条约}}\nThe '''Pact''' held.")
    assert [(f.key, f.label, f.value) for f in layout.fields] == [
        ("name", "Name", "Pact"),
        ("t", "Traditional Chinese", "條約"),
        ("s", "Simplified Chinese", "条约"),
    ]


def test_unknown_infobox_key_gets_readable_label() -> None:
    layout = render("{{Infobox treaty\n| Date Ratified = 1901\n}}\nSome text.")
    assert (layout.fields[0].key, layout.fields[0].label) == ("date_ratified", "Date ratified")


def test_anchor_points_at_source_line(eldmoor: IngestedArticle) -> None:
    source_lines = (FIXTURES / "eldmoor.wiki").read_text(encoding="utf-8").split("\n")
    signed = next(f for f in eldmoor.fields if f.key == "date_signed")
    line, _ = eldmoor.source_position(signed.begin) or (0, 0)
    assert "date_signed" in source_lines[line - 1]
    para = eldmoor.text.index("Both sides agreed")
    line, column = eldmoor.source_position(para) or (0, 0)
    assert source_lines[line - 1][column:].startswith("Both sides agreed")


@pytest.mark.parametrize(
    ("parts", "day_first", "expected"),
    [
        (("1918", "3", "3"), True, "3 March 1918"),
        (("1918", "03", "03"), False, "March 3, 1918"),
        (("1918", "March", ""), True, "March 1918"),
        (("1918", "", ""), False, "1918"),
        (("1918", "13", "1"), True, None),
        (("1918", "2", "40"), True, None),
        (("year", "1", "1"), True, None),
    ],
)
def test_format_date(parts: tuple[str, str, str], day_first: bool, expected: str | None) -> None:
    assert format_date(*parts, day_first=day_first) == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{start date|1918|3|3}}", "March 3, 1918"),
        ("{{start date|1918|3|3|df=y}}", "3 March 1918"),
        ("{{Start date|df=yes|1918|3|3}}", "3 March 1918"),
        ("{{start date and age|1918|3|3|df=y}}", "3 March 1918"),
        ("{{end date|1918|3|3|mf=y}}", "March 3, 1918"),
        ("{{dts|1918|3|3|format=dmy}}", "3 March 1918"),
        ("{{dts|1918-03-03}}", "March 3, 1918"),
        ("{{date|1918-03-03}}", "3 March 1918"),
        ("{{date|1918-03-03|mdy}}", "March 3, 1918"),
        ("{{start date|1918|3}}", "March 1918"),
        ("{{start date|1918|15|3}}", "1918 15 3"),
    ],
)
def test_date_template_rendering(template: str, expected: str) -> None:
    layout = render(f"{{{{Infobox treaty|date_signed={template}}}}}\nText.")
    assert layout.fields[0].value == expected


@pytest.mark.parametrize(
    "markup",
    [
        "{{Infobox treaty}}",
        "{{Infobox treaty <!-- a note -->\n| name = Pact of Lorn\n| | 1 = x\n|parties={{plainlist|\n* [[A|a]]\n}}\n}}",
        "{{ infobox_treaty |name=|date_signed={{start date|1911|5|3}}|=odd|{{{1|}}}}}",
    ],
)
def test_an_infobox_is_put_back_together_from_its_parameters_as_the_parser_writes_it(markup: str) -> None:
    """read_wikitext measures an infobox from its parameters' texts rather than rendering it to text twice."""
    source = "Text before. " + markup + " after"
    template = mwparserfromhell.parse(source).nodes[1]
    assert isinstance(template, Template)
    params = [str(param) for param in template.params]
    assert "{{" + str(template.name) + "".join("|" + p for p in params) + "}}" == str(template)
    assert _template_text(template, params, source, len("Text before. ")) == str(template)


# ---------------------------------------------------------------- the parser's own tree builder


def tree_difference(ours: Any, stock: Any, where: str = "tree") -> str | None:
    """Where two mwparserfromhell trees differ (type or any attribute, recursively), or None if they are equal."""
    if type(ours) is not type(stock):
        return f"{where}: {type(ours).__name__} vs {type(stock).__name__}"
    if isinstance(ours, list):
        if len(ours) != len(stock):
            return f"{where}: {len(ours)} vs {len(stock)} items"
        for i, (a, b) in enumerate(zip(ours, stock, strict=True)):
            if found := tree_difference(a, b, f"{where}[{i}]"):
                return found
        return None
    if hasattr(ours, "__dict__"):
        mine, theirs = vars(ours), vars(stock)
        if mine.keys() != theirs.keys():
            return f"{where}: attributes {sorted(mine)} vs {sorted(theirs)}"
        for key in mine:
            if found := tree_difference(mine[key], theirs[key], f"{where}.{key}"):
                return found
        return None
    return None if ours == stock else f"{where}: {ours!r} vs {stock!r}"


# Markup that opens, closes or stands alone, put together at random (often unbalanced) below.
_PIECES = "{{ }} [[ ]] | = ''' '' <ref> </ref> <ref/> <br> <b> </b> &amp; &#x41; &#65; &bogus; <!-- --> {{{ }}} ] ----".split()
_PIECES += ["\n*", "\n#", "\n;", "\n:", "\n==", "==\n", "\n", "\n\n", "{|", "\n|-", "\n!", "|}", " ", "text"]
_PIECES += ["<ref name=a/>", "<br />", "[http://x.org", "http://a.b/c ", "<nowiki>", "</nowiki>", "<pre>", "</pre>"]
_PIECES += [
    '<div class="x" id=y>',
    "</div>",
    "<span style='a b'>",
    "</span>",
    "__NOTOC__",
    "{{Infobox treaty\n| name = ",
]
_PIECES += ["{{start date|1918|3|3}}", "[[File:x.jpg|thumb|a [[b]]]]"]


def _sources() -> list[str]:
    """The wikitext fixtures, and pages made of random markup (unbalanced too)."""
    rng = random.Random(7)
    made = ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 30))) for _ in range(400)]
    return [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("*.wiki"))] + made


def test_the_tree_builder_makes_the_stock_builders_tree() -> None:
    """parse() builds the common nodes without their setters: every node must still be the stock one."""
    for source in _sources():
        ours = parse(source)
        assert str(ours) == source
        assert tree_difference(ours, mwparserfromhell.parse(source)) is None, source


def test_strip_code_is_mwparserfromhells() -> None:
    """strip_code() takes a shortcut for plain text: it must give what Wikicode.strip_code() gives."""
    for source in [*_sources(), "a\n\n\n\nb\n", "\n\n", "x\n\n\n"]:
        tree = parse(source)
        assert strip_code(tree) == tree.strip_code()
        for node in tree.filter():
            for code in node.__children__():
                assert strip_code(code) == code.strip_code(), source
