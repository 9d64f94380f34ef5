"""Property tests: whatever the bytes or markup, ingest raises nothing but IngestError, and every
offset it returns (fields, links, anchors) points inside the text it returns."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ingest_wiki import assert_consistent

from treatygraph.ingest import IngestLimits, ingest_file
from treatygraph.ingest_html import _HTML_SPACE
from treatygraph.ingest_text import _WS_CHANGED, Rendered, _offset_map, _squeeze_with_map, _squeezed, squeeze
from treatygraph.types import IngestError

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WIKI_TOKENS = [
    "{{", "}}", "[[", "]]", "|", "=", "'''", "''", "<ref>", "</ref>", "<ref name=a/>", "<br>", "<br/>", "\n",
    "\n\n", "== ", " ==", "* ", "# ", "; ", ": ", "{{start date|", "{{Start date|df=y|", "{{Infobox treaty|",
    "{{Infobox Chinese|t=", "name=", "date_signed=", "parties=", "[[File:", "[[Category:", "[[:Category:",
    "<!--", "-->", "&amp;", "&#x110000;", "&#0;", "&nbsp;", "{{lang-de|", "{{langx|fr|", "{{lang|ru|",
    "{{plainlist|", "{{ubl|", "{{flag|", "{{dts|", "{{date|", "{{convert|", "{{{", "}}}", "{|", "|}", "|-",
    "[http://example.org ", "]", "Treaty", "of ", "1918", "3", " ", "é", "\u00a0", "<", ">", "<b>", "</b>",
    "<nowiki>", "</nowiki>", "<pre>", "</pre>", "__NOTOC__", "~~~~", "{{#if:", "<span style=x>", "</span>",
]  # fmt: skip

HTML_TOKENS = [
    "<p>", "</p>", "<div>", "</div>", "<table class='infobox'>", "<caption>", "</caption>", "<tr>", "</tr>",
    "<th>", "</th>", "<th colspan=2>", "<td>", "</td>", "<td class='infobox-image'>", "</table>", "<br>",
    "<ul>", "<li>", "</li>", "</ul>", "<h2>", "</h2>", "<h3>", "</h3>", "See also", "Notes",
    "<sup class='reference'>[1]</sup>", "<script>", "</script>", "<style>", "</style>",
    "<a href='/wiki/Some_Page'>", "<a href='#x' title='T'>", "</a>", "<img src=x>", "<figure>", "</figure>",
    "text", "Treaty", " ", "\n", "&amp;", "&#0;", "&#xD800;", "&bogus;", "<!--", "-->", "<h1 id='firstHeading'>",
    "</h1>", "<title>", "</title>", "<", ">", "é", "<![CDATA[", "]]>", "<pre>", "</pre>", "<nav>", "</nav>",
    "<div style='display:none'>", "<body>", "</body>", "<html>", "</html>", "<?xml version='1.0'?>", "<!DOCTYPE html>",
]  # fmt: skip

wiki_markup = st.lists(st.sampled_from(WIKI_TOKENS) | st.text(max_size=8), max_size=80).map("".join)
html_markup = st.lists(st.sampled_from(HTML_TOKENS) | st.text(max_size=8), max_size=80).map("".join)


def ingest_bytes(data: bytes, suffix: str, limits: IngestLimits = IngestLimits()) -> None:  # noqa: B008
    """Ingest `data` as a file; it may be rejected (IngestError), else its offsets must be consistent."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / f"article{suffix}"
        path.write_bytes(data)
        try:
            article = ingest_file(path, root, limits)
        except IngestError as err:
            assert err.path == path.name and err.reason
            return
        assert article.text.strip()
        assert_consistent(article)


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".txt", ".html", ".wiki"]))
def test_arbitrary_bytes(data: bytes, suffix: str) -> None:
    ingest_bytes(data, suffix)


@PROPERTY_SETTINGS
@given(text=st.text(max_size=300), suffix=st.sampled_from([".txt", ".html", ".wiki"]))
def test_arbitrary_text(text: str, suffix: str) -> None:
    ingest_bytes(text.encode("utf-8", errors="surrogatepass"), suffix)


@PROPERTY_SETTINGS
@given(markup=wiki_markup, depth=st.integers(min_value=1, max_value=40))
def test_wiki_like_markup(markup: str, depth: int) -> None:
    ingest_bytes(markup.encode("utf-8", errors="surrogatepass"), ".wiki", IngestLimits(max_template_depth=depth))


@PROPERTY_SETTINGS
@given(markup=html_markup)
def test_html_like_markup(markup: str) -> None:
    ingest_bytes(markup.encode("utf-8", errors="surrogatepass"), ".html")


@PROPERTY_SETTINGS
@given(markup=wiki_markup)
def test_wiki_markup_inside_an_infobox(markup: str) -> None:
    source = "{{Infobox treaty\n| name = Pact\n| parties = " + markup + "\n}}\nThe '''Pact''' held."
    ingest_bytes(source.encode("utf-8", errors="surrogatepass"), ".wiki")


@st.composite
def text_with_span(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(st.text(alphabet=st.sampled_from("ab \n\t\u00a0"), max_size=40))
    begin = draw(st.integers(min_value=0, max_value=len(text)))
    end = draw(st.integers(min_value=begin, max_value=len(text)))
    return text, begin, end


@settings(max_examples=300, deadline=None)
@given(case=text_with_span())
def test_squeeze_keeps_spans_on_their_characters(case: tuple[str, int, int]) -> None:
    text, begin, end = case
    result = squeeze(Rendered(text, ((begin, end, "t"),)))
    assert "  " not in result.text and result.text == result.text.strip()
    expected = squeeze(Rendered(text[begin:end])).text
    if expected:
        ((new_begin, new_end, _),) = result.links
        assert result.text[new_begin:new_end].replace("\n", " ") == expected.replace("\n", " ")
    else:
        assert result.links == ()


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab. \n\t\r\x0b\x0c\x85\u00a0\u2003\u2028\x1c"), max_size=40),
    single_line=st.booleans(),
)
def test_squeeze_without_spans_gives_the_text_it_gives_with_them(text: str, single_line: bool) -> None:
    """A piece with no links or marks takes a shortcut (no offset map): the text must be the same."""
    plain = squeeze(Rendered(text), single_line=single_line)
    marked = squeeze(Rendered(text, marks=((0, 1, 0),)), single_line=single_line)
    assert plain.text == marked.text


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab \n\t\r\x0b\x85\u00a0\u2003\u2028\x1c"), max_size=40))
def test_changed_whitespace_runs_are_every_run_but_a_lone_space(text: str) -> None:
    """_WS_CHANGED is written to start with \\s (searched faster): it finds what the plain alternation does."""
    plain = re.compile(r"\s{2,}|[^\S ]")
    assert [m.span() for m in _WS_CHANGED.finditer(text)] == [m.span() for m in plain.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet="ab ", max_size=30) | st.text(alphabet="ab \n\t\u2003", max_size=30),
    single_line=st.booleans(),
)
def test_the_squeeze_shortcut_maps_offsets_as_the_run_map_does(text: str, single_line: bool) -> None:
    """A text of lone spaces takes a shortcut (a shift, not the map of its whitespace runs): same text, same map."""
    result, where = _squeeze_with_map(text, single_line)
    assert result == _squeezed(text, single_line)
    by_runs = _offset_map(text, len(result))
    assert [where(offset) for offset in range(-2, len(text) + 3)] == [
        by_runs(offset) for offset in range(-2, len(text) + 3)
    ]


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab \t\n\r\f\x0b\u00a0"), max_size=40))
def test_html_whitespace_runs_become_one_space_as_by_the_plain_pattern(text: str) -> None:
    """_HTML_SPACE skips lone spaces (searched faster): the substitution gives what the plain pattern's does."""
    assert _HTML_SPACE.sub(" ", text) == re.sub(r"[ \t\n\r\f]+", " ", text)
