"""The linking report: which party, signer and body names were linked to Wikidata / DBpedia, which were not,
and which the gazetteer could not decide, with counts, so a user sees what to add to the gazetteer."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from .dates import year_of
from .gazetteer import Gazetteer, default_gazetteer
from .types import AgentFact, ArticleFacts, DateFact, ResolutionFact, ViolationFact


def _names(article: ArticleFacts) -> Iterable[str]:
    for fact in article.facts:
        if isinstance(fact, AgentFact):
            yield fact.name
        elif isinstance(fact, ViolationFact):
            yield fact.violator
        elif isinstance(fact, ResolutionFact) and fact.body:
            yield fact.body


def _year(article: ArticleFacts) -> int | None:
    for fact in article.facts:
        if isinstance(fact, DateFact) and fact.treaty == "T0" and fact.kind == "signed":
            return year_of(fact.value)
    return None


def link_report(articles: Iterable[ArticleFacts], gazetteer: Gazetteer | None = None) -> dict[str, dict[str, object]]:
    """{"linked": {name: {"qid", "label", "count"}}, "unlinked": {name: {"count"}}, "ambiguous": {name: {"candidates", "count"}}}."""
    gazetteer = gazetteer or default_gazetteer()
    counts: Counter[tuple[str, str, str, tuple[str, ...]]] = Counter()
    for article in articles:
        year = _year(article)
        for name in _names(article):
            link = gazetteer.lookup(name, year)
            qid = link.entry.qid if link.entry else ""
            counts[(link.status, name, qid, link.candidates)] += 1
    report: dict[str, dict[str, object]] = defaultdict(dict)
    for (status, name, qid, candidates), n in sorted(counts.items()):
        bucket = {"unknown": "unlinked"}.get(status, status)
        if bucket == "linked":
            entry = gazetteer.by_qid[qid]
            key = f"{name} -> {qid}"
            report["linked"][key] = {"name": name, "qid": qid, "label": entry.label, "count": n}
        elif bucket == "ambiguous":
            report["ambiguous"][name] = {"candidates": list(candidates), "count": n}
        else:
            report["unlinked"][name] = {"count": n}
    return {k: report.get(k, {}) for k in ("linked", "unlinked", "ambiguous")}
