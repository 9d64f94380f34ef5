"""One test (or more) per extraction rule, on sentences of our own writing: where it must fire, and where it must not."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from treatygraph import extract
from treatygraph.extract import Context, Cue, anaphor_pattern, extract_article
from treatygraph.gazetteer import default_gazetteer
from treatygraph.ingest import discover, ingest_file
from treatygraph.sentences import split_sentences
from treatygraph.types import (
    AgentFact,
    ArticleFacts,
    DateFact,
    InfoboxField,
    IngestedArticle,
    LineageFact,
    NameFact,
    PlaceFact,
    ResolutionFact,
    ViolationFact,
)


def run(text: str, title: str | None = None, fields: tuple[InfoboxField, ...] = ()) -> ArticleFacts:
    return extract_article(IngestedArticle(path="a.txt", format="text", text=text, title=title, fields=fields))


def of(facts: ArticleFacts, kind: type) -> list:
    return [f for f in facts.facts if isinstance(f, kind)]


def agents(facts: ArticleFacts, role: str, treaty: str = "T0") -> set[str]:
    return {f.name for f in of(facts, AgentFact) if f.role == role and f.treaty == treaty}


def dates(facts: ArticleFacts, kind: str, treaty: str = "T0") -> set[str]:
    return {f.value for f in of(facts, DateFact) if f.kind == kind and f.treaty == treaty}


def rules(facts: ArticleFacts) -> set[str]:
    return {f.prov.rule for f in facts.facts}


def test_every_fact_quotes_its_evidence_exactly() -> None:
    text = "The Treaty of Lindholm was signed on 3 May 1911 by Denmark and Sweden. It expired in 1931."
    facts = run(text)
    for fact in facts.facts:
        ev = fact.prov.evidence
        assert text[ev.begin : ev.end] == ev.quote
        assert fact.prov.rule and 0 < fact.prov.confidence <= 1


# ---------------------------------------------------------------- names


def test_subject_from_title_line_and_aliases_from_other_title_lines() -> None:
    text = "Example Site\nEmail this page\n\nTreaty of Lindholm\n\nLindholm Convention\nSigned 3 May 1911 (1911-05-03)\n\nThe Treaty of Lindholm is a 1911 treaty signed by Denmark and Sweden on 3 May 1911."
    facts = run(text)
    assert facts.treaties[0].label == "Treaty of Lindholm"
    assert {"Treaty of Lindholm", "Lindholm Convention"} <= {f.name for f in of(facts, NameFact)}
    assert "subject_title" in rules(facts) and "title_line_aliases" in rules(facts)


def test_subject_from_the_lead_when_there_is_no_title() -> None:
    facts = run("The Pact of Orvel was a defensive alliance concluded between Norway and Iceland in 1955.")
    assert facts.treaties[0].label == "Pact of Orvel"


def test_no_subject_in_an_article_about_no_treaty() -> None:
    facts = run("The river rises in the hills and flows north for two hundred kilometres before it reaches the sea.")
    assert facts.treaties == ()
    assert "no treaty found in the article" in facts.problems


def test_lead_parenthesis_names_with_language_tags() -> None:
    facts = run(
        "The Treaty of Lindholm (Danish: Lindholm-traktaten; Swedish: Lindholmsfördraget; traditional Chinese: 林霍姆條約) "
        "was signed on 3 May 1911 between Denmark and Sweden."
    )
    names = {(f.name, f.lang) for f in of(facts, NameFact)}
    assert ("Lindholm-traktaten", "da") in names
    assert ("Lindholmsfördraget", "sv") in names
    assert ("林霍姆條約", "zh-Hant") in names


def test_pinyin_gets_its_own_tag() -> None:
    facts = run(
        "The Treaty of Qinghe (simplified Chinese: 清河条约; pinyin: Qīnghé Tiáoyuē) is a treaty signed in 1901."
    )
    assert ("Qīnghé Tiáoyuē", "zh-Latn-pinyin") in {(f.name, f.lang) for f in of(facts, NameFact)}


def test_also_known_as_and_officially_aliases() -> None:
    facts = run(
        "The Lindholm Pact, officially the Treaty of Friendship between Denmark and Sweden, was a treaty signed in 1911. "
        "It is also known as the Northern Pact and the Lindholm Accord."
    )
    names = {f.name for f in of(facts, NameFact)}
    assert {"Treaty of Friendship between Denmark and Sweden", "Northern Pact", "Lindholm Accord"} <= names


def test_hatnote_pointing_elsewhere_is_not_an_alias() -> None:
    facts = run(
        "For the earlier agreement, see Treaty of Osby.\n\nThe Treaty of Lindholm was signed on 3 May 1911 by Denmark and Sweden."
    )
    assert facts.treaties[0].label == "Treaty of Lindholm"
    assert "Treaty of Osby" not in {f.name for f in of(facts, NameFact)}


# ---------------------------------------------------------------- dates


def test_infobox_dates_and_how_it_ended() -> None:
    text = "Treaty of Lindholm\n\nSigned | 3 May 1911\nExpiration | 3 May 1931\n\nThe Treaty of Lindholm was a pact."
    begin = text.index("3 May 1911")
    end_begin = text.index("3 May 1931")
    fields = (
        InfoboxField("date_signed", "Signed", "3 May 1911", begin, begin + 10),
        InfoboxField("date_expiration", "Expiration", "3 May 1931", end_begin, end_begin + 10),
    )
    facts = run(text, title="Treaty of Lindholm", fields=fields)
    assert dates(facts, "signed") == {"1911-05-03"}
    ended = [f for f in of(facts, DateFact) if f.kind == "ended"]
    assert [(f.value, f.how) for f in ended] == [("1931-05-03", "expired")]


def test_text_infobox_rows_in_a_plain_text_mirror() -> None:
    facts = run(
        "Treaty of Lindholm\nSigned 3 May 1911 (1911-05-03)\nExpiry June 1, 1931 (1931-06-01)\n\nThe Treaty of Lindholm was a pact between Denmark and Sweden."
    )
    assert dates(facts, "signed") == {"1911-05-03"}
    assert dates(facts, "ended") == {"1931-06-01"}


def test_prose_signed_effective_ended() -> None:
    facts = run(
        "The Treaty of Lindholm was signed in Malmö on 3 May 1911. It came into force on 1 July 1911. "
        "The treaty expired in 1931."
    )
    assert dates(facts, "signed") == {"1911-05-03"}
    assert dates(facts, "effective") == {"1911-07-01"}
    assert dates(facts, "ended") == {"1931"}
    assert {f.place for f in of(facts, PlaceFact)} == {"Malmö"}


def test_a_date_of_another_agreement_is_not_the_subjects() -> None:
    facts = run(
        "The Treaty of Lindholm was signed on 3 May 1911. Although the armistice signed on 1 March 1910 ended the fighting, "
        "it took a year to conclude the treaty."
    )
    assert dates(facts, "signed") == {"1911-05-03"}


def test_negated_signing_gives_no_date() -> None:
    facts = run("The Treaty of Lindholm was drafted in 1911. Norway refused to sign it on 3 May 1911.")
    assert dates(facts, "signed") == set()


def test_another_named_treatys_date_goes_to_that_treaty() -> None:
    facts = run(
        "The Treaty of Lindholm was signed in 1911. Two years earlier the Armistice of Osby was signed in October 1909."
    )
    keys = {t.label: t.key for t in facts.treaties}
    assert dates(facts, "signed", keys["Armistice of Osby"]) == {"1909-10"}
    assert dates(facts, "signed") == {"1911"}


def test_superseded_by_gives_lineage_and_end() -> None:
    facts = run(
        "Treaty of Osby\n\nThe Treaty of Osby was signed in 1905. The Treaty of Osby was superseded by the Treaty of Lindholm (1911)."
    )
    lineage = of(facts, LineageFact)
    assert [(f.kind, f.earlier) for f in lineage] == [("supersedes", "T0")]
    later = {t.key: t.label for t in facts.treaties}[lineage[0].treaty]
    assert later == "Treaty of Lindholm"
    assert ("1911", "superseded") in {(f.value, f.how) for f in of(facts, DateFact) if f.kind == "ended"}


def test_based_on_the_prior_treaty_of_the_same_name() -> None:
    facts = run(
        "Treaty of Amity\n\nThe Treaty of Amity was concluded between Denmark and Sweden on 2 June 1950. "
        "It was based on the prior Treaty of the same name that had been arranged between the two states in 1921."
    )
    lineage = of(facts, LineageFact)
    assert len(lineage) == 1 and lineage[0].kind == "based_on"
    earlier = next(t for t in facts.treaties if t.key == lineage[0].earlier)
    assert (earlier.label, earlier.year) == ("Treaty of Amity", 1921)


def test_the_word_replaced_without_a_treaty_gives_no_lineage() -> None:
    facts = run("The Treaty of Lindholm was signed in 1911. The old border posts were replaced by new ones.")
    assert of(facts, LineageFact) == []


# ---------------------------------------------------------------- parties and signers


def test_signed_by_a_list_of_states() -> None:
    facts = run("The Treaty of Lindholm was signed on 3 May 1911 by Denmark, Sweden, and Norway.")
    assert agents(facts, "party") == {"Denmark", "Sweden", "Norway"}


def test_between_and_a_coalition_with_its_members() -> None:
    facts = run(
        "The Treaty of Lindholm was a peace treaty signed on 3 May 1911 between Denmark and the Northern Powers "
        "(Sweden, Norway, and Finland), that ended the war."
    )
    assert agents(facts, "party") == {"Denmark", "Sweden", "Norway", "Finland"}


def test_talks_between_states_are_not_a_treaty_between_them() -> None:
    facts = run("The Treaty of Lindholm was signed in 1911. It followed negotiations between Denmark and Sweden.")
    assert agents(facts, "party") == set()


def test_refused_and_mediators_are_not_parties() -> None:
    facts = run(
        "The Treaty of Lindholm was signed by Denmark and Sweden on 3 May 1911, with Norway refusing to sign. "
        "Talks were held under the mediation of Theodore Roosevelt."
    )
    assert agents(facts, "party") == {"Denmark", "Sweden"}
    assert agents(facts, "signer") == set()


def test_signers_with_titles_stripped() -> None:
    facts = run(
        "The Treaty of Lindholm was signed on 3 May 1911 by Danish Foreign Minister Erik Holm and Swedish Prime Minister Lars Berg."
    )
    assert agents(facts, "signer") == {"Erik Holm", "Lars Berg"}


def test_persons_before_signed_the_treaty() -> None:
    facts = run(
        "The Treaty of Lindholm ended the war. On 3 May, Danish envoy Erik Holm and Swedish envoys Lars Berg, Nils Dahl, "
        "and Olof Ek signed the treaty."
    )
    assert agents(facts, "signer") == {"Erik Holm", "Lars Berg", "Nils Dahl", "Olof Ek"}


def test_signed_for_a_state_gives_signer_and_party() -> None:
    facts = run("The Treaty of Lindholm was concluded in 1911. Erik Holm and Lars Berg signed for Denmark.")
    assert agents(facts, "signer") == {"Erik Holm", "Lars Berg"}
    assert agents(facts, "party") == {"Denmark"}


def test_they_signed_refers_to_the_states_of_the_previous_sentence() -> None:
    facts = run(
        "The Treaty of Lindholm was signed in 1911. In 1920, Norway and Finland were invited to join. They both signed the treaty in 1921."
    )
    assert agents(facts, "party") == {"Norway", "Finland"}


def test_a_clause_that_merely_contains_a_state_is_not_a_signer_list() -> None:
    facts = run("The Treaty of Lindholm is the treaty that brought NATO into existence, signed in Malmö on 3 May 1911.")
    assert agents(facts, "party") == set()


def test_joined_the_pact_makes_a_party_but_joined_an_organisation_does_not() -> None:
    facts = run(
        "The Pact of Orvel was signed by Norway and Iceland in 1955. Denmark joined the pact in 1957. Sweden joined NATO in 1990."
    )
    assert agents(facts, "party") == {"Norway", "Iceland", "Denmark"}


def test_infobox_parties_drop_the_coalition_heading_and_link_by_date() -> None:
    value = "Central Powers\nGermany\nAllied Powers\nFrance"
    text = (
        f"Treaty of Lindholm\n\nParties | {value}\nSigned | 28 June 1919\n\nThe Treaty of Lindholm was a peace treaty."
    )
    begin = text.index("Central")
    signed = text.index("28 June")
    fields = (
        InfoboxField("parties", "Parties", value, begin, begin + len(value)),
        InfoboxField("date_signed", "Signed", "28 June 1919", signed, signed + 12),
    )
    facts = run(text, title="Treaty of Lindholm", fields=fields)
    parties = {f.name: f.entity for f in of(facts, AgentFact) if f.role == "party"}
    assert set(parties) == {"Germany", "France"}
    assert parties["Germany"] == "Q41304"  # Germany in 1919: the Weimar Republic


# ---------------------------------------------------------------- violations and resolutions


def test_un_resolution_finding_a_violation() -> None:
    facts = run(
        "The Treaty of Lindholm was signed in 1911 by Denmark and Sweden. The UN General Assembly adopted Resolution 999 "
        "on 2 March 1960, which confirmed that Sweden had violated the terms of the treaty."
    )
    resolution = of(facts, ResolutionFact)[0]
    assert (resolution.number, resolution.date, resolution.kind, resolution.decision) == (
        "999",
        "1960-03-02",
        "unga",
        "violation",
    )
    violation = of(facts, ViolationFact)[0]
    assert (violation.violator, violation.determined_by, violation.treaty) == ("Sweden", resolution.key, "T0")


def test_a_place_inside_the_subject_is_not_the_violator() -> None:
    facts = run(
        "The Treaty of Lindholm was signed in 1911. Missiles stationed in Norway violated the treaty, critics said."
    )
    assert of(facts, ViolationFact) == []


def test_broke_relations_is_not_a_violation() -> None:
    facts = run("The Treaty of Lindholm was signed in 1911. Norway broke relations with Sweden in 1930.")
    assert of(facts, ViolationFact) == []


def test_violation_of_another_named_treaty() -> None:
    facts = run(
        "The Treaty of Lindholm was signed in 1911. Secret rearmament was agreed between Denmark and Sweden, "
        "which was a violation of the Treaty of Osby."
    )
    violations = of(facts, ViolationFact)
    osby = next(t.key for t in facts.treaties if t.label == "Treaty of Osby")
    assert {(v.treaty, v.violator) for v in violations} == {(osby, "Denmark"), (osby, "Sweden")}


def test_legislative_vote_to_terminate_ends_the_treaty() -> None:
    facts = run(
        "The Treaty of Lindholm was signed in 1911. On 4 April 1933, the Riksdag voted to terminate the Treaty of Lindholm."
    )
    vote = of(facts, ResolutionFact)[0]
    assert (vote.kind, vote.body, vote.date, vote.decision) == ("legislative", "Riksdag", "1933-04-04", "termination")
    assert ("1933-04-04", "terminated") in {(f.value, f.how) for f in of(facts, DateFact) if f.kind == "ended"}


def test_passive_approval_by_a_known_organ_is_linked() -> None:
    facts = run(
        "The Treaty of Lindholm was signed in 1911. The treaty was approved by the US Senate in a vote of 60 to 20 on 5 June 1912."
    )
    vote = of(facts, ResolutionFact)[0]
    assert (vote.body, vote.body_entity, vote.decision) == ("United States Senate", "Q66096", "approval")


def test_ratification_by_a_state_is_not_a_legislative_vote() -> None:
    facts = run("The Treaty of Lindholm was signed in 1911. The treaty was ratified by Sweden on 2 July 1911.")
    assert of(facts, ResolutionFact) == []


def test_a_vote_on_something_else_is_not_about_the_treaty() -> None:
    facts = run(
        "The Treaty of Lindholm was signed in 1911. On 1 May 1911 the Riksdag ratified the appointment of the envoys."
    )
    assert of(facts, ResolutionFact) == []


# ---------------------------------------------------------------- endings by a party


def test_a_party_denouncing_the_treaty_ends_it() -> None:
    facts = run(
        "The Pact of Orvel was signed by Norway and Iceland in 1955. In a speech of 4 May 1961 the king denounced the pact."
    )
    assert ("1961-05-04", "denounced") in {(f.value, f.how) for f in of(facts, DateFact) if f.kind == "ended"}


def test_withdrawal_ends_a_two_party_treaty_only() -> None:
    bilateral = run(
        "The Pact of Orvel was signed by Norway and Iceland in 1955. Iceland withdrew from the pact in 1970."
    )
    assert ("1970", "withdrawn") in {(f.value, f.how) for f in of(bilateral, DateFact) if f.kind == "ended"}
    multilateral = run(
        "The Pact of Orvel was signed by Norway, Iceland and Denmark in 1955. Iceland withdrew from the pact in 1970."
    )
    assert dates(multilateral, "ended") == set()


def test_a_month_is_not_a_place_and_a_late_date_still_dates_the_signing() -> None:
    facts = run(
        "The Peace of Orvel is the name of two treaties signed in October 1648 in the towns of Orvel and Marn. "
    )
    assert of(facts, PlaceFact) == []
    assert dates(facts, "signed") == {"1648-10"}


def test_representatives_of_states_and_a_signer_named_after_them() -> None:
    facts = run(
        "The Treaty of Orvel was signed on 11 April 1814 by the representatives of Austria, Prussia and Russia, and by Napoleon."
    )
    assert agents(facts, "party") == {"Austria", "Prussia", "Russia"}
    assert agents(facts, "signer") == {"Napoleon"}


# ---------------------------------------------------------------- the remaining rules, one test each


def field_at(text: str, key: str, label: str, value: str) -> InfoboxField:
    begin = text.index(value)
    return InfoboxField(key, label, value, begin, begin + len(value))


def test_infobox_names_with_language_labels() -> None:
    text = "Treaty of Lindholm\n\nLong name | Treaty of Friendship of Lindholm\nTraditional Chinese | 林霍姆條約\n\nThe Treaty of Lindholm was a pact."
    fields = (
        field_at(text, "long_name", "Long name", "Treaty of Friendship of Lindholm"),
        field_at(text, "t", "Traditional Chinese", "林霍姆條約"),
    )
    facts = run(text, title="Treaty of Lindholm", fields=fields)
    names = {(f.name, f.lang) for f in of(facts, NameFact)}
    assert {("Treaty of Friendship of Lindholm", "en"), ("林霍姆條約", "zh-Hant")} <= names


def test_text_infobox_rows_for_parties_and_place() -> None:
    text = "Riga Accord\n\nRiga Accord\nSigned 8 December 1677\nLocation Copenhagen\nParties Kingdom of France; Spanish Empire\n\nThe Riga Accord is a 1677 agreement between two crowns."
    facts = run(text)
    assert agents(facts, "party") == {"Kingdom of France", "Spanish Empire"}
    assert {f.place for f in of(facts, PlaceFact)} == {"Copenhagen"}


def test_status_line_after_a_bare_date_ends_the_treaty() -> None:
    text = "Treaty of Lindholm\n\n3 May 1911 (1911-05-03)\n\n22 June 1931\n(terminated)\n\nThe Treaty of Lindholm was a treaty between Denmark and Sweden."
    facts = run(text)
    assert ("1931-06-22", "terminated") in {(f.value, f.how) for f in of(facts, DateFact) if f.kind == "ended"}


def test_infobox_condition_names_the_ratifying_parties() -> None:
    text = "Treaty of Lindholm\n\nCondition | Ratification by Denmark, Sweden and Norway.\n\nThe Treaty of Lindholm was a pact."
    fields = (field_at(text, "condition_effective", "Condition", "Ratification by Denmark, Sweden and Norway."),)
    facts = run(text, title="Treaty of Lindholm", fields=fields)
    assert agents(facts, "party") == {"Denmark", "Sweden", "Norway"}


def test_these_envoys_signed_names_the_envoys_appointed_before() -> None:
    facts = run(
        "The Treaty of Lindholm ended the long border dispute between the two kingdoms. The parliament approved the appointment of Erik Holm and Lars Berg "
        "as envoys to the conference. These envoys signed the Treaty of Lindholm on 3 May 1911."
    )
    assert agents(facts, "signer") == {"Erik Holm", "Lars Berg"}


def test_a_line_of_semicolon_separated_names_before_the_lead_gives_signers() -> None:
    text = "Treaty of Lindholm\nSigned 3 May 1911 (1911-05-03)\nErik Holm; Lars Berg\n\nThe Treaty of Lindholm was a pact between Denmark and Sweden."
    assert agents(run(text), "signer") == {"Erik Holm", "Lars Berg"}


def test_a_year_attached_to_a_name_dates_it_only_without_a_better_date() -> None:
    facts = run("Treaty of Osby\n\nOsby, Treaty of (1905), pact between Denmark and Sweden, signed at Osby.")
    assert dates(facts, "signed") == {"1905"}
    assert {f.prov.rule for f in of(facts, DateFact)} == {"name_year"}
    precise = run("The Treaty of Berlin (1926) was signed on 24 April 1926 by Germany and the Soviet Union.")
    assert dates(precise, "signed") == {"1926-04-24"}


def test_the_lead_states_the_kind_and_its_noun_becomes_an_anaphor() -> None:
    facts = run(
        "The Lindholm Declaration was a non-aggression pact between Denmark and Sweden. The pact was signed on 3 May 1911."
    )
    assert facts.treaties[0].kind == "non-aggression pact"
    assert dates(facts, "signed") == {"1911-05-03"}


# ---------------------------------------------------------------- cues: the words that let a rule skip a sentence

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CUE_SAMPLES = [
    "The pact was superseded by the Treaty of Orvik. It replaced the earlier Treaty of Halden, superseding 1 clause.",
    "It was based on the prior Treaty of Moss, modelled upon the Convention of Ilse, patterned on it, founded on it.",
    "The alliance was later reaffirmed by the Pact of Lorn. The envoys took the Treaty of Moss as their model.",
    "It was signed, concluded and sealed on 1 May 1900, came into force in 1901, took effect and became effective.",
    "It expired; its expiration and expiry; it lapsed, was terminated, were terminated, been terminated, was abrogated,"
    " was denounced, was disbanded, was dissolved, been dissolved, declared null and void, was annulled, ceased to be"
    " in force.",
    "It was signed in Moscow by the representatives of Orvik, a pact between Orvik and Halden.",
    "The treaty bears the signatures of Ana Lind. The delegates who signed it were Ana Lind and Bo Berg.",
    "Orvik and Halden had signed it; they put their names to it. Halden joined the pact, acceded to the treaty,"
    " adhered to it and became a party to it.",
    "The king appointed Ana Lind and Bo Berg as envoys. These envoys signed the treaty.",
    "UN Security Council resolution 242 and General Assembly Resolution No. 3/1 were voted, approved, ratified,"
    " rejected, adopted, endorsed; consent was given and they consented.",
    "Orvik violated the treaty; a violation, breached, breaching, breach, broke it, broken, contravened, contravening.",
    "Orvik denounced the pact, abrogated its terms, terminated the treaty, annulled this, repudiated their, renounced"
    " the pact, withdrew from the treaty, was withdrawn from its, withdrawing from this, withdrawal from the treaty.",
    "the earlier treaty, the former pact, the previous agreement, the prior accord, the original convention, the"
    " older treaty",
]


def _cues() -> dict[str, Cue]:
    return {name: value for name, value in vars(extract).items() if isinstance(value, Cue)}


def test_every_match_of_a_cued_pattern_has_one_of_its_words_as_a_whole_word() -> None:
    """A sentence or article without any of a cue's words is skipped unscanned: that is only right if every
    match holds one of them as a whole word of the text."""
    texts = CUE_SAMPLES + [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.iterdir()) if p.suffix != ".json"]
    assert _cues()
    for name, cue in _cues().items():
        matches = 0
        for text in texts:
            words = [(w.start(), w.end(), w.group()) for w in re.finditer(r"\w+", text)]
            for match in cue.pattern.finditer(text):
                inside = {word for begin, end, word in words if match.start() <= begin and end <= match.end()}
                assert inside & set(cue.words), (name, match.group())
                matches += 1
        assert matches, f"{name}: no sample matches it"


def test_cued_sentences_are_those_with_a_cue_word_the_article_has_as_a_word() -> None:
    for path in discover(EXAMPLES):
        article = ingest_file(path, EXAMPLES)
        ctx = Context(article, default_gazetteer(), split_sentences(article.text), lead_index=2)
        words = set(re.findall(r"\w+", article.text[ctx.sentences[2].begin :]))  # the words from the lead on
        for cue in _cues().values():
            present = [word for word in cue.words if word in words]
            expected = [s for s in ctx.sentences[2:] if any(word in s.text for word in present)]
            assert ctx.cued(cue) == expected, (path.name, cue.words)


def test_the_anaphor_pattern_does_not_depend_on_the_order_of_its_nouns() -> None:
    assert (
        anaphor_pattern(["pact", "treaty", "accord"]).pattern == anaphor_pattern(["accord", "treaty", "pact"]).pattern
    )


ANAPHOR_PIECES = ["The", "the", "This", "this", "Its", "its", "It", "it", "I", "i", "t", "s", " ", "\n", "treaty"]
ANAPHOR_PIECES += ["pact", "new ", "x", "-", "_", "é", "Itself", "bit", "The new pact", ".", "1"]


@given(st.lists(st.sampled_from(ANAPHOR_PIECES), max_size=8).map("".join))
def test_the_anaphor_pattern_matches_what_its_plain_form_matches(text: str) -> None:
    plain = rf"\b(?:[Tt]he|[Tt]his|[Ii]ts)\s+{extract.ANAPHOR_QUALIFIER}(?:treaty|pact)\b|^Its?\b|\bit\b"
    quick = anaphor_pattern(["pact", "treaty"])
    assert [m.span() for m in quick.finditer(text)] == [m.span() for m in re.finditer(plain, text)]
