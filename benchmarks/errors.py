"""Error analysis: per article, every missed and every wrong fact, with the sentence behind it.

    python benchmarks/errors.py ARTICLES GOLD [--graph OUT/treatygraph.ttl]

Builds the graph (unless --graph names one already built from ARTICLES), then compares it with the gold
file (the schema of ../shared/corpus/dev/gold.json) treaty by treaty, matching names the way the shared
scorer does. A wrong fact is printed with the sentence and the rule that produced it; a missed one with the
gold's evidence sentence where the gold gives one.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from treatygraph.vocab import OA, TG

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score.py"
RELATIONS = {"parties": TG.hasParty, "signers": TG.hasSigner, "violations": TG.violatedBy}
DATES = {"signed": TG.signedOn, "ended": TG.endedOn}


@dataclass(frozen=True)
class Predicted:
    value: str
    rule: str
    quote: str
    article: str


def load_scorer() -> ModuleType:
    """The shared scorer's matching functions (names, persons, dates), so both agree on what matches."""
    spec = importlib.util.spec_from_file_location("score", SCORER)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{SCORER}: scorer not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(articles: Path, out: Path) -> Path:
    command = [
        sys.executable,
        "-m",
        "treatygraph",
        "build",
        str(articles),
        "--out",
        str(out),
        "--no-reason",
        "--no-validate",
        "--quiet",
    ]
    subprocess.run(command, check=True)
    return out / "treatygraph.ttl"


def label(graph: Graph, node: object) -> str:
    return str(graph.value(node, RDFS.label) or node)


def predicted_facts(graph: Graph) -> dict[URIRef, dict[str, list[Predicted]]]:
    """treaty -> relation -> values, each with its record's rule, evidence quote and article."""
    found: dict[URIRef, dict[str, list[Predicted]]] = defaultdict(lambda: defaultdict(list))
    wanted = {**RELATIONS, **DATES, "lineage": TG.supersedes, "based_on": TG.basedOn}
    by_predicate = {v: k for k, v in wanted.items()}
    for record in graph.subjects(RDF.type, TG.FactRecord):
        predicate = graph.value(record, RDF.predicate)
        if predicate not in by_predicate:
            continue
        subject, obj = graph.value(record, RDF.subject), graph.value(record, RDF.object)
        evidence = graph.value(record, TG.evidence)
        quote = next((str(q) for s in graph.objects(evidence, OA.hasSelector) for q in graph.objects(s, OA.exact)), "")
        article = graph.value(graph.value(evidence, OA.hasSource), TG.sourcePath)
        value = str(graph.value(record, TG.asWritten) or (obj if predicate in DATES.values() else label(graph, obj)))
        relation = "lineage" if by_predicate[predicate] == "based_on" else by_predicate[predicate]
        found[subject][relation].append(Predicted(value, str(graph.value(record, TG.rule)), quote, str(article)))
    return found


def treaty_names(graph: Graph) -> dict[URIRef, set[str]]:
    names: dict[URIRef, set[str]] = defaultdict(set)
    for treaty in graph.subjects(RDF.type, TG.Treaty):
        for prop in (RDFS.label, SKOS.altLabel):
            names[treaty].update(str(o) for o in graph.objects(treaty, prop))
    return names


def report(graph: Graph, gold: dict, scorer: ModuleType) -> int:
    facts, names = predicted_facts(graph), treaty_names(graph)
    problems = 0
    for article in gold["articles"]:
        lines: list[str] = []
        for entry in article["treaties"]:
            wanted = [entry["label"], *entry.get("aliases", [])]
            matches = [t for t, n in names.items() if any(scorer.similar(a, b) for a in n for b in wanted)]
            if not matches:
                lines.append(f"  MISSED treaty {entry['label']!r}")
                continue
            got = facts[matches[0]]
            lines += compare(entry, got, scorer)
        if lines:
            problems += len(lines)
            print(f"== {article['file']}")
            print("\n".join(lines))
    return problems


def compare(entry: dict, got: dict[str, list[Predicted]], scorer: ModuleType) -> list[str]:
    lines: list[str] = []
    evidence = entry.get("evidence", {})
    for relation, singular, match in (
        ("parties", "party", scorer.party_match),
        ("signers", "signer", scorer.person_match),
    ):
        gold_names = entry.get(relation, [])
        for names in gold_names:
            if not any(match(p.value, names) for p in got.get(relation, [])):
                lines.append(f"  MISSED {singular} {names[0]!r}   gold: {evidence.get(relation, '')[:160]!r}")
        for p in got.get(relation, []):
            if not any(match(p.value, names) for names in gold_names):
                lines.append(f"  WRONG  {singular} {p.value!r} [{p.rule}] {p.article}: {p.quote[:160]!r}")
    for kind in ("signed", "ended"):
        gold_value = entry.get(kind) if kind == "signed" else (entry.get("ended") or {}).get("date")
        values = got.get(kind, [])
        if gold_value and not any(scorer.date_ok(p.value, gold_value) for p in values):
            lines.append(f"  MISSED {kind} {gold_value}   gold: {evidence.get(kind, '')[:160]!r}")
        for p in values:
            if not gold_value or not scorer.date_ok(p.value, gold_value):
                lines.append(f"  WRONG  {kind} {p.value} [{p.rule}] {p.article}: {p.quote[:160]!r}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles", type=Path)
    parser.add_argument("gold", type=Path)
    parser.add_argument("--graph", type=Path, help="a graph already built from ARTICLES")
    args = parser.parse_args()
    scorer = load_scorer()
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        path = args.graph or build(args.articles, Path(tmp))
        graph = Graph().parse(path)
        problems = report(graph, gold, scorer)
    print(f"{problems} missed or wrong facts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
