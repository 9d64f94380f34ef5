"""Export the graph for sharing: Turtle, N-Triples, JSON-LD (readable keys) and TriG (one named graph per article).

JSON-LD is compacted with `resources/context.jsonld`, so a web developer reads `label`, `signedOn`, `hasParty`, ...
Each date property has a term per precision: `signedOn` (xsd:date), `signedInMonth` (xsd:gYearMonth),
`signedInYear` (xsd:gYear); labels are language maps (`"label": {"en": "..."}`); links are plain IRI strings.

TriG puts each article's statements in the named graph whose name is the article IRI. A fact belongs to
every article whose record of it (the rdf:Statement with that subject, predicate and object) has
`tg:evidence` with `oa:hasSource` = that article; the record, its evidence and selectors, its activity,
the article node and the statements pointing at the article (`prov:wasDerivedFrom`, `prov:used`) go
with it. Descriptions that carry no record of their own (types, labels of entities and places,
`skos:exactMatch`, the extractor agent) are copied into every article graph that mentions their subject,
so each article graph stands on its own and dropping one article's graph removes only what it alone
said. Whatever no article accounts for goes to `<base>graph/unattributed`, inferred triples to
`<base>graph/inferred`. The base is the part of the article IRIs before "article/".
The union of all graphs but the inferred one is the exported graph, statement for statement.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, Literal, Node, URIRef
from rdflib.namespace import PROV, RDF

from .atomic import atomic_write_bytes
from .types import TreatygraphError
from .vocab import DEFAULT_BASE, OA, PREFIXES, TG

Triple = tuple[Node, Node, Node]

# --format value -> (rdflib serializer, usual file extension)
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("turtle", ".ttl"),
    "nt": ("nt", ".nt"),
    "jsonld": ("json-ld", ".jsonld"),
    "trig": ("trig", ".trig"),
}
INFERRED_GRAPH = "graph/inferred"
UNATTRIBUTED_GRAPH = "graph/unattributed"
# IRI folders under the base that get a prefix of their own in Turtle and TriG.
ID_FOLDERS = (
    "treaty",
    "entity",
    "place",
    "violation",
    "resolution",
    "fact",
    "evidence",
    "article",
    "activity",
    "agent",
)


def export_graph(graph: Graph, fmt: str, out: Path, inferred: Graph | None = None) -> None:
    """Write `graph` to `out` atomically; only TriG carries `inferred` (in its own named graph)."""
    check_writable(out)
    data = serialize(graph, fmt, inferred)
    try:
        atomic_write_bytes(out, data)
    except OSError as err:
        raise TreatygraphError(f"{out}: cannot write ({err.strerror or err})") from None


def check_writable(out: Path) -> None:
    """Refuse, before any work, an --out that names a folder or lies under something that is not a folder."""
    if out.is_dir():
        raise TreatygraphError(f"{out}: is a folder; give the file to write")
    folder = next((p for p in out.parents if p.exists()), None)
    if folder is not None and not folder.is_dir():
        raise TreatygraphError(f"{out}: cannot write ({folder} is not a folder)")


def serialize(graph: Graph, fmt: str, inferred: Graph | None = None) -> bytes:
    if fmt not in EXPORT_FORMATS:
        raise TreatygraphError(f"unknown export format {fmt!r} (known: {', '.join(EXPORT_FORMATS)})")
    if inferred is not None and fmt != "trig":
        raise TreatygraphError("inferred triples are exported only in TriG, where they keep a graph of their own")
    flat = asserted_graph(graph)
    if fmt == "trig":
        dataset = split_by_article(flat)
        if inferred is not None and len(inferred):
            target = dataset.graph(URIRef(base_of(flat) + INFERRED_GRAPH))
            for triple in inferred:
                target.add(triple)
        return dataset.serialize(format="trig", encoding="utf-8")
    if fmt == "jsonld":
        return flat.serialize(format="json-ld", context=load_context(), encoding="utf-8")
    return flat.serialize(format=EXPORT_FORMATS[fmt][0], encoding="utf-8")


def load_context() -> dict[str, Any]:
    """The JSON-LD @context shipped in treatygraph/resources/context.jsonld."""
    text = resources.files("treatygraph").joinpath("resources/context.jsonld").read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)["@context"]
    return context


def asserted_graph(graph: Graph) -> Graph:
    """A plain graph of the asserted statements; from a dataset, every graph but an inferred one."""
    flat = Graph()
    _bind_prefixes(flat, base_of(graph))
    if isinstance(graph, Dataset):
        for context in graph.graphs():
            if not str(context.identifier).endswith(INFERRED_GRAPH):
                for triple in context:
                    flat.add(triple)
    else:
        for triple in graph:
            flat.add(triple)
    return flat


def base_of(graph: Graph) -> str:
    """The IRI base the build used: the most common prefix before "article/" in article IRIs."""
    bases: Counter[str] = Counter()
    for article in _articles(graph):
        head, sep, _ = str(article).rpartition("article/")
        if sep:
            bases[head] += 1
    return bases.most_common(1)[0][0] if bases else DEFAULT_BASE


def _articles(graph: Graph) -> set[Node]:
    return set(graph.subjects(RDF.type, TG.Article)) | set(graph.objects(None, OA.hasSource))


def _bind_prefixes(graph: Graph, base: str) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    for folder in ID_FOLDERS:
        graph.bind(folder, base + folder + "/", override=True)


# ---------------------------------------------------------------- one named graph per article


def split_by_article(graph: Graph) -> Dataset:
    """A dataset with each article's statements in the graph named by the article IRI (see module doc)."""
    base = base_of(graph)
    per_article = _attribute_provenance(graph)
    recorded = _recorded_facts(graph)
    assigned = set().union(*per_article.values()) if per_article else set()
    descriptions = _descriptions(graph, assigned, recorded)
    dataset = Dataset()
    _bind_prefixes(dataset, base)
    placed: set[Triple] = set()
    for article in sorted(per_article, key=str):
        triples = per_article[article] | _description_closure(per_article[article], descriptions)
        _add_all(dataset.graph(_graph_name(article)), triples)
        placed |= triples
    leftovers = [t for t in graph if t not in placed]
    if leftovers:
        _add_all(dataset.graph(URIRef(base + UNATTRIBUTED_GRAPH)), leftovers)
    return dataset


def _graph_name(article: Node) -> URIRef:
    if not isinstance(article, URIRef):
        raise TreatygraphError(f"article {article!r} has no IRI to name its graph")
    return article


def _add_all(target: Graph, triples: Iterable[Triple]) -> None:
    for triple in triples:
        target.add(triple)


def _record_triple(graph: Graph, record: Node) -> Triple | None:
    s, p, o = (graph.value(record, term) for term in (RDF.subject, RDF.predicate, RDF.object))
    return (s, p, o) if s is not None and p is not None and o is not None else None


def _recorded_facts(graph: Graph) -> set[Triple]:
    facts = set()
    for record in set(graph.subjects(RDF.subject, None)):
        triple = _record_triple(graph, record)
        if triple is not None and triple in graph:
            facts.add(triple)
    return facts


def _attribute_provenance(graph: Graph) -> dict[Node, set[Triple]]:
    """Per article: its facts with their records, evidence, selectors, activities, and the article node itself."""
    per_article: dict[Node, set[Triple]] = defaultdict(set)
    for article in _articles(graph):
        per_article[article] |= set(graph.triples((article, None, None))) | set(graph.triples((None, None, article)))
    for record in set(graph.subjects(RDF.subject, None)):
        bundle = _record_bundle(graph, record)
        for evidence in graph.objects(record, TG.evidence):
            for article in graph.objects(evidence, OA.hasSource):
                per_article[article] |= bundle
    return per_article


def _record_bundle(graph: Graph, record: Node) -> set[Triple]:
    """The fact a record reifies (when asserted) and the record's own provenance statements."""
    bundle = set(graph.triples((record, None, None)))
    fact = _record_triple(graph, record)
    if fact is not None and fact in graph:
        bundle.add(fact)
    for evidence in graph.objects(record, TG.evidence):
        bundle |= set(graph.triples((evidence, None, None)))
        for selector in graph.objects(evidence, OA.hasSelector):
            bundle |= set(graph.triples((selector, None, None)))
    for activity in graph.objects(record, PROV.wasGeneratedBy):
        bundle |= set(graph.triples((activity, None, None)))
    return bundle


def _descriptions(graph: Graph, assigned: set[Triple], recorded: set[Triple]) -> dict[Node, list[Triple]]:
    """Statements about a node that no record or article accounts for, by subject."""
    by_subject: dict[Node, list[Triple]] = defaultdict(list)
    for triple in graph:
        if triple not in assigned and triple not in recorded and not _is_provenance_node(graph, triple[0]):
            by_subject[triple[0]].append(triple)
    return by_subject


def _is_provenance_node(graph: Graph, node: Node) -> bool:
    """Records, evidence, selectors and activities belong with the article they cite, never copied as descriptions."""
    return (
        (node, RDF.subject, None) in graph
        or (node, OA.hasSource, None) in graph
        or (None, OA.hasSelector, node) in graph
        or (None, PROV.wasGeneratedBy, node) in graph
    )


def _description_closure(triples: set[Triple], descriptions: dict[Node, list[Triple]]) -> set[Triple]:
    """The descriptions of every node the triples mention, and of the nodes those mention in turn."""
    added: set[Triple] = set()
    seen: set[Node] = set()
    pending = list(_mentioned(triples))
    while pending:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in descriptions.get(node, ()):
            added.add(triple)
            if not isinstance(triple[2], Literal):
                pending.append(triple[2])
    return added


def _mentioned(triples: Iterable[Triple]) -> Iterator[Node]:
    for s, _, o in triples:
        yield s
        if not isinstance(o, Literal):
            yield o
