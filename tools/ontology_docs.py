"""Generate docs/ontology.md, a human-readable page of the ontology, from ontology/treatygraph.ttl.

Usage: python3 tools/ontology_docs.py [--check]
  --check  exit 1 (and write nothing) when docs/ontology.md is not what the ontology generates.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from treatygraph.atomic import atomic_write_text
from treatygraph.ontology import load_ontology
from treatygraph.vocab import PREFIXES, TG

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "docs" / "ontology.md"

# Where each aligned vocabulary lives, for the reader who wants to look a term up.
VOCABULARIES = {
    "wd": "Wikidata item",
    "wdt": "Wikidata property",
    "schema": "schema.org",
    "dbo": "DBpedia ontology",
    "eli": "ELI (European Legislation Identifier)",
    "dcterms": "Dublin Core terms",
    "prov": "PROV-O",
    "oa": "W3C Web Annotation",
    "skos": "SKOS",
    "rdf": "RDF",
}


def render(ontology: Graph) -> str:
    classes = _tg_terms(ontology, OWL.Class)
    object_properties = _tg_terms(ontology, OWL.ObjectProperty)
    datatype_properties = _tg_terms(ontology, OWL.DatatypeProperty)
    individuals = _tg_terms(ontology, OWL.NamedIndividual)
    lines = [
        "# The treatygraph ontology",
        "",
        "<!-- Generated from ontology/treatygraph.ttl by tools/ontology_docs.py: do not edit by hand. -->",
        "",
        f"Namespace `tg:` = <{TG}>. Profile: OWL 2 RL. Design notes: [ontology/README.md](../ontology/README.md).",
        "",
        _text(ontology.value(URIRef(str(TG).rstrip("#")), RDFS.comment)),
        "",
        f"{len(classes)} classes, {len(object_properties)} object properties, "
        f"{len(datatype_properties)} datatype properties, {len(individuals)} individuals.",
        "",
        "## Contents",
        "",
        "- [Classes](#classes)",
        "- [Object properties](#object-properties)",
        "- [Datatype properties](#datatype-properties)",
        "- [Individuals](#individuals)",
        "- [Alignments](#alignments)",
        "",
        "## Classes",
    ]
    for cls in classes:
        lines += _class_section(ontology, cls)
    lines += ["", "## Object properties"]
    for prop in object_properties:
        lines += _property_section(ontology, prop)
    lines += ["", "## Datatype properties"]
    for prop in datatype_properties:
        lines += _property_section(ontology, prop)
    lines += ["", "## Individuals", "", "| individual | type | label | meaning |", "|---|---|---|---|"]
    for individual in individuals:
        types = [t for t in ontology.objects(individual, RDF.type) if t != OWL.NamedIndividual]
        lines.append(
            f"| `{_short(individual)}` | {_names(types)} | {_text(_label(ontology, individual))} "
            f"| {_text(ontology.value(individual, RDFS.comment))} |"
        )
    lines += ["", "## Alignments", "", "Every axiom that ties a `tg:` term to another vocabulary.", ""]
    lines += ["| tg term | relation | term | vocabulary |", "|---|---|---|---|"]
    lines += _alignment_rows(ontology)
    return "\n".join(lines) + "\n"


def _class_section(ontology: Graph, cls: URIRef) -> list[str]:
    supers = sorted(ontology.objects(cls, RDFS.subClassOf), key=str)
    named = [sup for sup in supers if isinstance(sup, URIRef)]
    restrictions = [_restriction(ontology, sup) for sup in supers if isinstance(sup, BNode)]
    subclasses = sorted((sub for sub in ontology.subjects(RDFS.subClassOf, cls) if isinstance(sub, URIRef)), key=str)
    rows = [
        ("Subclass of", _names(named)),
        ("Every instance has", "; ".join(r for r in restrictions if r)),
        ("Subclasses", _names(subclasses)),
        ("Disjoint with", _names(_both_ways(ontology, cls, OWL.disjointWith))),
        ("Alignment checked against", _text(ontology.value(cls, SKOS.editorialNote))),
    ]
    return _section(ontology, cls, rows)


def _property_section(ontology: Graph, prop: URIRef) -> list[str]:
    characteristics = [
        name
        for name, cls in (("transitive", OWL.TransitiveProperty), ("symmetric", OWL.SymmetricProperty))
        if (prop, RDF.type, cls) in ontology
    ]
    chains = [
        " then ".join(f"`{_short(link)}`" for link in Collection(ontology, chain))
        for chain in ontology.objects(prop, OWL.propertyChainAxiom)
    ]
    rows = [
        ("Domain", _names(ontology.objects(prop, RDFS.domain))),
        ("Range", _names(ontology.objects(prop, RDFS.range))),
        ("Characteristics", ", ".join(characteristics) or ("not transitive" if prop == TG.basedOn else "")),
        ("Inverse of", _names(_both_ways(ontology, prop, OWL.inverseOf))),
        ("Sub-property of", _names(ontology.objects(prop, RDFS.subPropertyOf))),
        ("Equivalent to", _names(ontology.objects(prop, OWL.equivalentProperty))),
        ("Implied by the chain", "; ".join(chains)),
        ("Alignment checked against", _text(ontology.value(prop, SKOS.editorialNote))),
    ]
    return _section(ontology, prop, rows)


def _section(ontology: Graph, term: URIRef, rows: Iterable[tuple[str, str]]) -> list[str]:
    heading = f"### `{_short(term)}`: {_text(_label(ontology, term))}"
    lines = ["", heading, "", _text(ontology.value(term, RDFS.comment))]
    filled = [(name, value) for name, value in rows if value]
    if filled:
        lines += ["", "| | |", "|---|---|"] + [f"| {name} | {value} |" for name, value in filled]
    return lines


def _alignment_rows(ontology: Graph) -> list[str]:
    rows = []
    relations = (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentProperty, OWL.equivalentClass)
    for relation in relations:
        for subject, obj in ontology.subject_objects(relation):
            if _is_tg(subject) and isinstance(obj, URIRef) and not _is_tg(obj):
                rows.append((_short(subject), _short(relation), _short(obj), _vocabulary(obj)))
        for subject, restriction in ontology.subject_objects(relation):
            if _is_tg(subject) and isinstance(restriction, BNode) and ontology.value(restriction, OWL.hasValue):
                prop, value = ontology.value(restriction, OWL.onProperty), ontology.value(restriction, OWL.hasValue)
                pair = f"{_short(prop)} {_short(value)}"
                rows.append((_short(subject), "every instance has", pair, _vocabulary(prop)))
    return [f"| `{a}` | {b} | `{c}` | {d} |" for a, b, c, d in sorted(rows)]


def _restriction(ontology: Graph, node: Node) -> str:
    prop, value = ontology.value(node, OWL.onProperty), ontology.value(node, OWL.hasValue)
    return f"`{_short(prop)} {_short(value)}`" if prop is not None and value is not None else ""


def _tg_terms(ontology: Graph, cls: URIRef) -> list[URIRef]:
    return sorted((t for t in ontology.subjects(RDF.type, cls) if isinstance(t, URIRef) and _is_tg(t)), key=str)


def _both_ways(ontology: Graph, term: URIRef, relation: URIRef) -> list[Node]:
    return sorted(set(ontology.objects(term, relation)) | set(ontology.subjects(relation, term)), key=str)


def _label(ontology: Graph, term: Node) -> Node | None:
    return ontology.value(term, RDFS.label)


def _names(terms: Iterable[Node]) -> str:
    return ", ".join(f"`{_short(term)}`" for term in sorted(terms, key=str))


def _vocabulary(term: Node | None) -> str:
    prefix = _short(term).split(":", 1)[0] if term is not None else ""
    return VOCABULARIES.get(prefix, prefix)


def _is_tg(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(TG))


def _text(value: Node | None) -> str:
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text.replace("|", "\\|") if isinstance(value, Literal) else text


def _short(term: Node | None) -> str:
    text = str(term)
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(str(item[1]))):
        if text.startswith(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)):]}"
    return f"<{text}>"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that docs/ontology.md is up to date")
    args = parser.parse_args(argv)
    page = render(load_ontology())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.is_file() else ""
        if current != page:
            sys.stderr.write(f"{OUTPUT} is out of date: run python3 tools/ontology_docs.py\n")
            return 1
        return 0
    atomic_write_text(OUTPUT, page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
