"""The writer's cheap term constructors make exactly what rdflib's constructors make."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from treatygraph.graph import _minted, date_literal, text_literal
from treatygraph.reason import Reasoner
from treatygraph.vocab import TG, TermCache, canonical

LANGUAGES = st.sampled_from([None, "", "en", "fr", "de-CH", "zh-Hant", "x-private"])


def _slots(literal: Literal) -> tuple[object, ...]:
    return (type(literal), str(literal), literal.language, literal.datatype, literal.value, literal.ill_typed)


@given(st.text(), LANGUAGES)
def test_text_literal_equals_rdflibs_literal(text: str, lang: str | None) -> None:
    ours, theirs = text_literal(text, lang), Literal(text, lang=lang)
    assert _slots(ours) == _slots(theirs)
    assert ours == theirs and hash(ours) == hash(theirs)
    assert ours.n3() == theirs.n3()


def test_text_literal_refuses_a_bad_language_tag_as_rdflib_does() -> None:
    with pytest.raises(ValueError, match="not a valid language tag"):
        Literal("x", lang="not a tag")
    with pytest.raises(ValueError, match="not a valid language tag"):
        text_literal("x", "not a tag")


def test_text_literal_of_a_non_string_goes_through_rdflib() -> None:
    assert _slots(text_literal(Literal("x", lang="en"))) == _slots(Literal(Literal("x", lang="en")))  # type: ignore[arg-type]


@given(st.from_regex(r"[a-z0-9-]{1,30}", fullmatch=True))
def test_minted_iris_equal_rdflibs(local: str) -> None:
    iri = f"https://w3id.org/treatygraph/id/entity/{local}"
    assert type(_minted(iri)) is URIRef and _minted(iri) == URIRef(iri) and hash(_minted(iri)) == hash(URIRef(iri))


def test_term_cache_gives_one_object_per_term_shared_with_the_reasoner() -> None:
    rdf, tg = TermCache(RDF), TermCache(TG)
    assert rdf.type is rdf.type and rdf.type == RDF.type
    assert tg.Treaty is TermCache(TG).Treaty, "every cache hands out the canonical object"
    assert TermCache(SKOS).prefLabel is canonical(URIRef(str(SKOS.prefLabel)))
    reasoner = Reasoner()
    assert any(node is rdf.type for node in reasoner.terms.nodes), "the reasoner's table holds the same object"
    with pytest.raises(AttributeError):
        tg.__wrapped__  # noqa: B018 - dunder lookups (copy, pickle, inspect) are not terms


@given(
    st.one_of(
        st.from_regex(r"-?[0-9]{1,6}(-[0-9]{1,2}(-[0-9]{1,2})?)?", fullmatch=True),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=12),
    )
)
def test_a_date_literals_text_is_the_value_it_was_made_from(value: str) -> None:
    # the build compares dates across articles by their values, without making each one's Literal
    assert str(date_literal(value)) == value
