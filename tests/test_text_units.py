"""Units under the extractor: dates, sentences, treaty names, lists of agents, and date-aware linking."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treatygraph import dates
from treatygraph.agents import classify, split_list
from treatygraph.dates import find_dates, parse_date
from treatygraph.gazetteer import default_gazetteer
from treatygraph.names import KEYWORDS, find_treaty_names, parse_parenthetical, quick_words
from treatygraph.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("14 August 1945", "1945-08-14"),
        ("August 14, 1945", "1945-08-14"),
        ("1945-08-14", "1945-08-14"),
        ("the 14th of August 1945", "1945-08-14"),
        ("in August 1945", "1945-08"),
        ("expired in 1979", "1979"),
        ("Signed 14 August 1945 (1945-08-14)", "1945-08-14"),
        ("the conference of 1922–23", "1922"),
    ],
)
def test_dates_in_the_forms_articles_use(text: str, iso: str) -> None:
    assert parse_date(text) == iso


def test_money_and_impossible_dates_are_not_dates() -> None:
    assert find_dates("a loan of $300 million and US$1945") == []
    assert [d.iso for d in find_dates("30 February 1950")] == ["1950-02"]  # the impossible day is dropped


def test_sentences_survive_abbreviations_initials_and_citations() -> None:
    text = "It was signed by U.S. President Harry S. Truman in Washington, D.C. on 4 April 1949.[1] It entered into force in August."
    sentences = [s.text for s in split_sentences(text)]
    assert sentences == [
        "It was signed by U.S. President Harry S. Truman in Washington, D.C. on 4 April 1949.[1]",
        "It entered into force in August.",
    ]


@given(st.text(max_size=400))
def test_sentences_and_dates_stay_inside_any_text(text: str) -> None:
    for sentence in split_sentences(text):
        assert 0 <= sentence.begin < sentence.end <= len(text)
        assert text[sentence.begin : sentence.end] == sentence.text
    for date in find_dates(text):
        assert 0 <= date.begin < date.end <= len(text)


def test_treaty_names_with_years_and_joined_names() -> None:
    names = find_treaty_names(
        "It was reaffirmed by the Treaty of Berlin, 1926, and by the Northern Pact and the Osby Accord."
    )
    assert [(m.name, m.year) for m in names] == [
        ("Treaty of Berlin", 1926),
        ("Northern Pact", None),
        ("Osby Accord", None),
    ]


def test_organisations_and_conferences_are_not_treaty_names() -> None:
    text = "the North Atlantic Treaty Organization, the Paris Peace Conference and the Nobel Peace Prize"
    assert find_treaty_names(text) == []


def test_parenthetical_names_keep_their_language() -> None:
    names = parse_parenthetical("German: Vertrag von Osby; Polish: Traktat z Osby; 1921")
    assert [(n.name, n.lang) for n in names] == [("Vertrag von Osby", "de"), ("Traktat z Osby", "pl")]


def test_lists_protect_names_that_contain_and() -> None:
    text = "the People's Republic of China and the United Kingdom of Great Britain and Northern Ireland"
    gazetteer = default_gazetteer()
    keep = [(b, e) for b, e, _ in gazetteer.find_in(text)]
    items = [text[b:e] for b, e in split_list(text, keep=keep)]
    assert items == ["People's Republic of China", "United Kingdom of Great Britain and Northern Ireland"]


@pytest.mark.parametrize(
    ("name", "year", "qid"),
    [
        ("Germany", 1938, "Q7318"),  # Nazi Germany
        ("Germany", 1922, "Q41304"),  # Weimar Republic
        ("Russia", 1918, "Q2184"),  # Soviet Russia
        ("Russia", 1905, "Q34266"),  # Russian Empire
        ("Republic of China", 1945, "Q13426199"),
        ("Soviet Union", 1950, "Q15180"),
        ("United Kingdom", 1984, "Q145"),
    ],
)
def test_names_link_by_the_treatys_date(name: str, year: int, qid: str) -> None:
    link = default_gazetteer().lookup(name, year)
    assert link.status == "linked" and link.entry is not None and link.entry.qid == qid


@pytest.mark.parametrize(("name", "year"), [("Germany", 1918), ("Korea", 1950)])
def test_names_the_date_cannot_decide_stay_unlinked(name: str, year: int) -> None:
    link = default_gazetteer().lookup(name, year)
    assert link.status == "ambiguous" and link.entry is None and len(link.candidates) > 1


def test_a_regime_prefix_keeps_a_historical_state_apart_from_todays() -> None:
    agent = classify("the Kingdom of Serbia", 0, default_gazetteer(), 1923)
    assert agent is not None and agent.surface == "Kingdom of Serbia" and agent.link.entry is None


def test_titles_are_stripped_and_a_state_naming_an_office_is_not_a_party() -> None:
    agent = classify("U.S. President Ronald Reagan", 0, default_gazetteer(), 1987)
    assert agent is not None and (agent.kind, agent.surface) == ("person", "Ronald Reagan")
    assert agent.link.entry is not None and agent.link.entry.qid == "Q9960"


# ---------------------------------------------------------------- quick word patterns (names.quick_words)

QUICK_WORDS = [*KEYWORDS.split("|"), "January", "June", "Jun", "Sept", "Sep"]


def test_ignorecase_letters_are_the_ones_the_regex_engine_matches() -> None:
    """quick_words spells out a first letter's cases itself; every code point re.IGNORECASE takes for one."""
    letters = sorted({word[0].lower() for word in QUICK_WORDS})
    every_character = "".join(map(chr, range(0x110000)))
    found = set(re.findall(f"(?i)[{''.join(letters)}]", every_character))
    pattern = quick_words(QUICK_WORDS, whole=False).pattern
    first_class = pattern[1 : pattern.index("]")]
    assert found == set(first_class)


@given(
    st.lists(
        st.sampled_from([*QUICK_WORDS, *(w.upper() for w in QUICK_WORDS), "ſept", "x", "_", "-", " ", "é", "1", "\n"]),
        max_size=6,
    ).map("".join)
)
def test_quick_words_match_what_the_plain_ignorecase_pattern_matches(text: str) -> None:
    words = "|".join(re.escape(w) for w in QUICK_WORDS)
    for whole, plain in ((True, rf"(?i)\b(?:{words})\b"), (False, rf"(?i)(?:{words})")):
        quick = quick_words(QUICK_WORDS, whole=whole)
        assert [m.span() for m in quick.finditer(text)] == [m.span() for m in re.finditer(plain, text)]


PLAIN_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar"
    r"|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
PLAIN_DATES = (  # the date patterns with a month as plainly written (re.I throughout), which dates.py rewrites
    rf"(?<!\d)(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?:\s+of)?\s+{PLAIN_MONTH},?\s+(?P<year>1[0-9]{{3}}|20[0-9]{{2}})(?!\d)",
    rf"\b{PLAIN_MONTH.replace('month', 'month2')}\s+(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<year>1[0-9]{{3}}|20[0-9]{{2}})(?!\d)",
    rf"\b{PLAIN_MONTH}\s+(?:of\s+)?(?P<year>1[0-9]{{3}}|20[0-9]{{2}})(?!\d)",
)
DATE_PIECES = ["14", "3", "31", "٣", "1945", "2001", "th", "TH", " of ", "OF", " ", ",", ".", "August", "aug", "JUNE"]
DATE_PIECES += ["Jun", "Sept", "ſep", "x", "-", "\n", "1"]


@given(st.lists(st.sampled_from(DATE_PIECES), max_size=8).map("".join))
def test_date_patterns_match_what_the_plain_case_insensitive_ones_match(text: str) -> None:
    for quick, plain in zip(dates._WITH_MONTH, PLAIN_DATES, strict=True):
        expected = [(m.span(), m.groupdict()) for m in re.finditer(plain, text, re.I)]
        assert [(m.span(), m.groupdict()) for m in quick.finditer(text)] == expected
