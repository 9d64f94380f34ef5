"""The ontology: parses, declares every term the graph uses, stays in OWL 2 RL, carries its alignments."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, XSD

from treatygraph import ontology as ontology_module
from treatygraph.ontology import load_ontology, load_shapes
from treatygraph.types import TreatygraphError
from treatygraph.vocab import DBO, ELI, SCHEMA, TG, WD, WDT

REPO = Path(__file__).resolve().parents[1]
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual, OWL.AnnotationProperty)

# Datatypes of the OWL 2 RL datatype map (OWL 2 Profiles, section 4.3) that an ontology here may use.
RL_DATATYPES = {
    RDFS.Literal,
    XSD.decimal,
    XSD.integer,
    XSD.nonNegativeInteger,
    XSD.nonPositiveInteger,
    XSD.positiveInteger,
    XSD.negativeInteger,
    XSD.long,
    XSD.int,
    XSD.short,
    XSD.byte,
    XSD.unsignedLong,
    XSD.unsignedInt,
    XSD.unsignedShort,
    XSD.unsignedByte,
    XSD.double,
    XSD.float,
    XSD.string,
    XSD.normalizedString,
    XSD.token,
    XSD.language,
    XSD.Name,
    XSD.NCName,
    XSD.NMTOKEN,
    XSD.boolean,
    XSD.hexBinary,
    XSD.base64Binary,
    XSD.anyURI,
    XSD.dateTime,
    XSD.dateTimeStamp,
    RDF.PlainLiteral,
    RDF.XMLLiteral,
}


def rl_profile_problems(graph: Graph) -> list[str]:
    """A simple OWL 2 RL sanity check: class expressions only where RL allows them, RL datatypes only,
    and none of the axioms RL leaves out."""
    problems = []
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        problems += _check_superclass(graph, sup, f"superclass of {sub}")
        problems += _check_subclass(graph, sub, f"subclass of {sup}")
    for left, right in graph.subject_objects(OWL.equivalentClass):
        for side in (left, right):
            problems += _check_equivalent(graph, side, f"equivalentClass {left} / {right}")
    for prop, cls in graph.subject_objects(RDFS.domain):
        problems += _check_superclass(graph, cls, f"domain of {prop}")
    for prop, target in graph.subject_objects(RDFS.range):
        if (prop, RDF.type, OWL.DatatypeProperty) in graph:
            if target not in RL_DATATYPES:
                problems.append(f"range of {prop}: {target} is not in the OWL 2 RL datatype map")
        else:
            problems += _check_superclass(graph, target, f"range of {prop}")
    for forbidden in (OWL.minCardinality, OWL.minQualifiedCardinality, OWL.cardinality, OWL.disjointUnionOf):
        if next(graph.triples((None, forbidden, None)), None) is not None:
            problems.append(f"{forbidden} is not in OWL 2 RL")
    if next(graph.triples((None, RDF.type, OWL.ReflexiveProperty)), None) is not None:
        problems.append("reflexive properties are not in OWL 2 RL")
    return problems


def _check_superclass(graph: Graph, expr: Node, where: str) -> list[str]:
    if isinstance(expr, URIRef):
        return []
    if (expr, OWL.hasValue, None) in graph:
        return []
    if (expr, OWL.allValuesFrom, None) in graph:
        return _check_superclass(graph, graph.value(expr, OWL.allValuesFrom), where)
    for cardinality in (OWL.maxCardinality, OWL.maxQualifiedCardinality):
        value = graph.value(expr, cardinality)
        if value is not None:
            return [] if isinstance(value, Literal) and int(value) in (0, 1) else [f"{where}: max > 1"]
    members = graph.value(expr, OWL.intersectionOf)
    if members is not None:
        return [p for member in Collection(graph, members) for p in _check_superclass(graph, member, where)]
    if (expr, OWL.complementOf, None) in graph:
        return _check_subclass(graph, graph.value(expr, OWL.complementOf), where)
    used = sorted(str(p) for p in graph.predicates(expr) if p != RDF.type)
    return [f"{where}: class expression {used} is not allowed in superclass position in OWL 2 RL"]


def _check_subclass(graph: Graph, expr: Node, where: str) -> list[str]:
    if isinstance(expr, URIRef) or (expr, OWL.hasValue, None) in graph or (expr, OWL.oneOf, None) in graph:
        return []
    for combinator in (OWL.intersectionOf, OWL.unionOf):
        members = graph.value(expr, combinator)
        if members is not None:
            return [p for member in Collection(graph, members) for p in _check_subclass(graph, member, where)]
    filler = graph.value(expr, OWL.someValuesFrom)
    if filler is not None:
        return _check_subclass(graph, filler, where) if isinstance(filler, BNode) else []
    used = sorted(str(p) for p in graph.predicates(expr) if p != RDF.type)
    return [f"{where}: class expression {used} is not allowed in subclass position in OWL 2 RL"]


def _check_equivalent(graph: Graph, expr: Node, where: str) -> list[str]:
    if isinstance(expr, URIRef) or (expr, OWL.hasValue, None) in graph:
        return []
    members = graph.value(expr, OWL.intersectionOf)
    if members is not None:
        return [p for member in Collection(graph, members) for p in _check_equivalent(graph, member, where)]
    return [f"{where}: only named classes, intersections and hasValue restrictions may be equivalent in OWL 2 RL"]


def used_tg_terms() -> set[URIRef]:
    """Every tg: term the graph contract (docs/graph-shape.md) and vocab.py use."""
    shape = (REPO / "docs" / "graph-shape.md").read_text(encoding="utf-8")
    vocab = (REPO / "src" / "treatygraph" / "vocab.py").read_text(encoding="utf-8")
    names = set(re.findall(r"\btg:([A-Za-z][A-Za-z0-9]*)", shape)) | set(re.findall(r"\bTG\.([A-Za-z]\w*)", vocab))
    return {TG[name] for name in names}


def test_ontology_parses_and_names_itself() -> None:
    graph = load_ontology()
    assert len(graph) > 300
    assert (URIRef("https://w3id.org/treatygraph/ontology"), RDF.type, OWL.Ontology) in graph


def test_every_term_of_the_graph_contract_is_declared_with_label_and_comment() -> None:
    graph = load_ontology()
    terms = used_tg_terms()
    assert TG.Treaty in terms and TG.violatedBy in terms and TG.FindsViolation in terms  # the scan found them
    for term in sorted(terms):
        assert any((term, RDF.type, kind) in graph for kind in DECLARATIONS), f"{term} is not declared"
        assert graph.value(term, RDFS.label) is not None, f"{term} has no label"
        assert graph.value(term, RDFS.comment) is not None, f"{term} has no comment"


def test_every_tg_term_defined_has_label_and_comment() -> None:
    graph = load_ontology()
    defined = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(str(TG))}
    assert len(defined) > 60
    for term in defined:
        assert graph.value(term, RDFS.label) is not None, term
        assert graph.value(term, RDFS.comment) is not None, term


def test_properties_have_domains_and_object_properties_ranges() -> None:
    graph = load_ontology()
    no_range = {TG.determinedBy}  # a resolution or a body: no common class in OWL 2 RL without a union
    no_domain = {TG.nameKey}  # treaties and agents alike: a domain would make every treaty a prov:Agent
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in graph.subjects(RDF.type, kind):
            if not str(prop).startswith(str(TG)):
                continue
            if prop not in no_domain:
                assert graph.value(prop, RDFS.domain) is not None, f"{prop} has no domain"
            if kind == OWL.ObjectProperty and prop not in no_range:
                assert graph.value(prop, RDFS.range) is not None, f"{prop} has no range"


def test_ontology_is_in_owl2_rl() -> None:
    assert rl_profile_problems(load_ontology()) == []


def test_profile_check_catches_what_rl_forbids() -> None:
    graph = Graph()
    union = BNode()
    Collection(graph, union, [TG.State, TG.Person])
    restriction = BNode()
    graph.add((TG.Treaty, RDFS.subClassOf, restriction))
    graph.add((restriction, OWL.onProperty, TG.hasParty))
    graph.add((restriction, OWL.someValuesFrom, TG.Party))
    union_class = BNode()
    graph.add((union_class, OWL.unionOf, union))
    graph.add((TG.violatedBy, RDFS.range, union_class))
    graph.add((TG.signedOn, RDF.type, OWL.DatatypeProperty))
    graph.add((TG.signedOn, RDFS.range, XSD.date))
    problems = rl_profile_problems(graph)
    assert any("superclass of" in p and "someValuesFrom" in p for p in problems)
    assert any("range of" in p and "unionOf" in p for p in problems)
    assert any("datatype map" in p for p in problems)


@pytest.mark.parametrize(
    ("term", "relation", "external"),
    [
        (TG.Treaty, RDFS.subClassOf, WD.Q131569),
        (TG.Treaty, RDFS.subClassOf, DBO.Treaty),
        (TG.Treaty, RDFS.subClassOf, SCHEMA.Legislation),
        (TG.PeaceTreaty, RDFS.subClassOf, WD.Q625298),
        (TG.UNSecurityCouncilResolution, RDFS.subClassOf, WD.Q877358),
        (TG.hasParty, RDFS.subPropertyOf, WDT.P1891),
        (TG.hasSigner, RDFS.subPropertyOf, WDT.P1891),
        (TG.supersedes, RDFS.subPropertyOf, WDT.P1365),
        (TG.supersededBy, RDFS.subPropertyOf, WDT.P1366),
        (TG.supersededBy, RDFS.subPropertyOf, ELI.repealed_by),
        (TG.basedOn, RDFS.subPropertyOf, WDT.P144),
        (TG.basedOn, RDFS.subPropertyOf, ELI.based_on),
        (TG.effectiveOn, OWL.equivalentProperty, WDT.P7588),
        (TG.effectiveOn, OWL.equivalentProperty, ELI.first_date_entry_in_force),
        (TG.endedOn, OWL.equivalentProperty, ELI.date_no_longer_in_force),
        (TG.endedOn, RDFS.subPropertyOf, WDT.P582),
        (TG.signedAt, RDFS.subPropertyOf, WDT.P276),
        (TG.officialName, RDFS.subPropertyOf, WDT.P1448),
        (TG.signedOn, RDFS.subPropertyOf, SCHEMA.legislationDate),
        (TG.adoptedBy, RDFS.subPropertyOf, SCHEMA.legislationPassedBy),
    ],
)
def test_alignment_axioms_the_issue_names(term: URIRef, relation: URIRef, external: URIRef) -> None:
    assert (term, relation, external) in load_ontology()


@pytest.mark.parametrize(
    ("cls", "item"),
    [
        (TG.State, WD.Q3624078),
        (TG.HistoricalState, WD.Q3024240),
        (TG.InternationalOrganisation, WD.Q484652),
        (TG.Treaty, WD.Q131569),
    ],
)
def test_classes_carry_their_wikidata_instance_of(cls: URIRef, item: URIRef) -> None:
    graph = load_ontology()
    supers = graph.objects(cls, RDFS.subClassOf)
    values = {(graph.value(r, OWL.onProperty), graph.value(r, OWL.hasValue)) for r in supers}
    assert (WDT.P31, item) in values


def test_transitivity_only_where_it_is_true() -> None:
    graph = load_ontology()
    transitive = set(graph.subjects(RDF.type, OWL.TransitiveProperty))
    assert transitive == {TG.supersedes, TG.supersededBy}
    assert (TG.supersedes, OWL.inverseOf, TG.supersededBy) in graph
    assert (TG.hasParty, OWL.inverseOf, TG.partyTo) in graph
    assert (TG.violatedBy, OWL.inverseOf, TG.violated) in graph


def test_terms_without_a_wikidata_property_say_so() -> None:
    graph = load_ontology()
    for term in (TG.violatedBy, TG.violated):
        assert "Wikidata has no" in str(graph.value(term, RDFS.comment))


def test_shapes_parse_and_give_every_shape_a_message() -> None:
    shapes = load_shapes()
    sh = "http://www.w3.org/ns/shacl#"
    constraints = set(shapes.objects(None, URIRef(sh + "property"))) | set(shapes.objects(None, URIRef(sh + "sparql")))
    assert len(constraints) > 20
    for constraint in constraints:
        has_message = shapes.value(constraint, URIRef(sh + "message")) is not None
        owner = shapes.value(predicate=URIRef(sh + "property"), object=constraint)
        assert has_message or (owner and shapes.value(owner, URIRef(sh + "message"))), constraint


def test_generated_ontology_page_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("ontology_docs", REPO / "tools" / "ontology_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    page = module.render(load_ontology())
    assert (REPO / "docs" / "ontology.md").read_text(encoding="utf-8") == page, "run python3 tools/ontology_docs.py"
    for term in used_tg_terms():
        assert f"`tg:{str(term)[len(str(TG)):]}`" in page


def test_missing_ontology_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ontology_module, "ONTOLOGY_FILE", tmp_path / "nowhere.ttl")
    ontology_module._ontology_triples.cache_clear()
    try:
        with pytest.raises(TreatygraphError, match="ontology not found"):
            load_ontology()
    finally:
        monkeypatch.undo()
        ontology_module._ontology_triples.cache_clear()


def test_unparseable_shapes_are_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken.ttl").write_text("this is not turtle <<", encoding="utf-8")
    monkeypatch.setattr(ontology_module, "SHAPES_DIR", tmp_path)
    ontology_module._shapes_triples.cache_clear()
    try:
        with pytest.raises(TreatygraphError, match="broken.ttl: cannot parse Turtle"):
            load_shapes()
    finally:
        monkeypatch.undo()
        ontology_module._shapes_triples.cache_clear()
