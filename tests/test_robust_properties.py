"""Property tests for the extractor and the graph on arbitrary text and markup: no exception escapes,
every evidence offset lies inside the text and quotes it exactly, and the graph always parses back as RDF.
(Ingest's own properties are in test_ingest_properties.py; here its output goes on through extract and graph.)"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic
from test_ingest_properties import HTML_TOKENS, WIKI_TOKENS

from treatygraph.extract import extract_article
from treatygraph.graph import build_graph
from treatygraph.ingest import IngestLimits, ingest_file
from treatygraph.types import ArticleFacts, Format, InfoboxField, IngestedArticle, IngestError

PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Fragments that make the extraction rules fire (and misfire): names, verbs, dates, lists, rows, odd characters.
PROSE_TOKENS = [
    "The ", "the ", "Treaty of ", "Pact of ", "Convention ", "Agreement", "Elmbridge", "Rosmere", "Norway", "Denmark",
    "Soviet Union", "United Kingdom", "Republic of China", "United Nations General Assembly", "Resolution 505",
    "Legislative Yuan", "Allied Powers", "King Olaf", "Foreign Minister Ann Berg", " was signed", " signed", " by ",
    " between ", " and ", ", ", ". ", "; ", " (", ")", " in ", " at ", " on ", " was ratified", " entered into force",
    " expired", " was terminated", " superseded", " replaced", " violated", " was based on", " joined", " acceded",
    " found that", " had violated", "4 May 1956", "1956", "May 1956", "31 February 1999", "0000", "9999-99-99",
    "14 August 1945 (1945-08-14)", "\n", "\n\n", "Signed ", "Parties ", "Signatories: ", "Location ", "Expiry ",
    "(terminated)", "Signed | ", " | ", "\"", "'", "\u00a0", "\u200b", "\u2013", "é", "中蘇友好同盟條約", "\U0001f600",
    "<script>", "&amp;", "\\", "\t", "\x01", "\x7f", "\u2028", "%", "#", ">",
]  # fmt: skip

FIELD_KEYS = [
    "name", "long_name", "date_signed", "signed", "date_effective", "effective", "date_expiration", "expiry",
    "ended", "location_signed", "place", "parties", "signatories", "original_signatories", "condition_effective",
    "condition", "ratifiers", "language", "odd key",
]  # fmt: skip

prose = st.lists(st.sampled_from(PROSE_TOKENS) | st.text(max_size=6), max_size=60).map("".join)


@st.composite
def articles(draw: st.DrawFn) -> IngestedArticle:
    """An article whose infobox rows are lines "Label | value" of its text, as ingest writes them."""
    text = draw(prose)
    fields = []
    for key in draw(st.lists(st.sampled_from(FIELD_KEYS), max_size=4)):
        value = draw(prose.filter(lambda v: "\n" not in v) | st.sampled_from(PROSE_TOKENS))
        label = key.replace("_", " ").capitalize()
        text += f"\n{label} | "
        fields.append(InfoboxField(key, label, value, len(text), len(text) + len(value)))
        text += value
    title = draw(st.none() | prose | st.just(""))
    fmt: Format = draw(st.sampled_from(["text", "html", "wikitext"]))
    return IngestedArticle(path="a/b c.txt", format=fmt, text=text, title=title, fields=tuple(fields))


def assert_evidence_inside(facts: ArticleFacts, text: str) -> None:
    assert facts.text_length == len(text)
    for fact in facts.facts:
        evidence = fact.prov.evidence
        assert 0 <= evidence.begin <= evidence.end <= len(text), (fact, len(text))
        assert text[evidence.begin : evidence.end] == evidence.quote, fact
        assert 0 < fact.prov.confidence <= 1


def assert_graph_round_trips(articles_facts: list[ArticleFacts]) -> None:
    """Turtle and N-Triples written from the graph parse back to the same graph."""
    graph, _ = build_graph(articles_facts)
    for fmt in ("turtle", "nt"):
        again = Graph().parse(data=graph.serialize(format=fmt), format=fmt)
        assert isomorphic(graph, again), fmt


@PROPERTY_SETTINGS
@given(article=articles())
def test_extractor_on_arbitrary_articles(article: IngestedArticle) -> None:
    facts = extract_article(article)
    assert_evidence_inside(facts, article.text)
    assert_graph_round_trips([facts])


@PROPERTY_SETTINGS
@given(text=st.text(max_size=400))
def test_extractor_on_arbitrary_unicode(text: str) -> None:
    article = IngestedArticle(path="x.txt", format="text", text=text, title=None)
    facts = extract_article(article)
    assert_evidence_inside(facts, text)
    assert_graph_round_trips([facts])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=articles(), second=articles())
def test_two_arbitrary_articles_merge_into_a_parsable_graph(first: IngestedArticle, second: IngestedArticle) -> None:
    """Treaties with the same names across articles are merged: the merged graph must still be valid RDF."""
    assert_graph_round_trips([extract_article(first), extract_article(replace(second, path="other.txt"))])


def through_the_pipeline(source: str, suffix: str) -> None:
    """File -> ingest -> extract -> graph, as the build runs it; an IngestError is the only allowed refusal."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / f"article{suffix}"
        path.write_bytes(source.encode("utf-8", errors="surrogatepass"))
        try:
            article = ingest_file(path, root, IngestLimits(max_template_depth=12))
        except IngestError:
            return
    facts = extract_article(article)
    assert_evidence_inside(facts, article.text)
    assert_graph_round_trips([facts])


wiki_prose = st.lists(st.sampled_from(WIKI_TOKENS + PROSE_TOKENS) | st.text(max_size=6), max_size=80).map("".join)
html_prose = st.lists(st.sampled_from(HTML_TOKENS + PROSE_TOKENS) | st.text(max_size=6), max_size=80).map("".join)


@PROPERTY_SETTINGS
@given(markup=wiki_prose)
def test_wikitext_through_ingest_extract_and_graph(markup: str) -> None:
    through_the_pipeline(markup, ".wiki")


@PROPERTY_SETTINGS
@given(markup=wiki_prose)
def test_wikitext_infobox_through_ingest_extract_and_graph(markup: str) -> None:
    through_the_pipeline("{{Infobox treaty\n| name = Pact of Rosmere\n| signed = " + markup + "\n| parties = " + markup
                         + "\n}}\nThe '''Pact of Rosmere''' " + markup, ".wiki")  # fmt: skip


@PROPERTY_SETTINGS
@given(markup=html_prose)
def test_html_through_ingest_extract_and_graph(markup: str) -> None:
    through_the_pipeline(markup, ".html")


@PROPERTY_SETTINGS
@given(text=prose)
def test_plain_text_through_ingest_extract_and_graph(text: str) -> None:
    through_the_pipeline(text, ".txt")
