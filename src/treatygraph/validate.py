"""SHACL validation of the asserted graph, reported so a person can fix the article or the rule.

pyshacl checks the graph against `shapes/*.ttl` (with the ontology's class hierarchy, so a tg:State counts as
a tg:Party, but without inference: a person wrongly used as a party must not become a party by rdfs:range).
Each result is then traced back to where the bad triple came from: its fact record (rdf:subject = focus,
rdf:predicate = result path), the record's evidence, the evidence's article file and quoted sentence.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import pyshacl
from rdflib import Dataset, Graph, Literal, Node, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS

from .ontology import load_ontology, load_shapes
from .types import TreatygraphError
from .vocab import OA, PREFIXES, TG

SEVERITIES: dict[Node, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}
_LABELS = (RDFS.label, SKOS.prefLabel)
_QUOTE_LIMIT = 240
_UNTRACED = "(not traced to an article)"
_OTHER_TARGETS = {SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target}

# rdflib format names by file suffix; quad formats hold one named graph per article.
_FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".trig": "trig",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
_QUAD_FORMATS = {"trig", "nquads"}


@dataclass(frozen=True)
class ValidationResult:
    """One problem: what is wrong (message), where in the graph (focus, path, value) and where in the corpus
    (article file, quoted sentence and its offsets)."""

    severity: str  # "Violation", "Warning" or "Info"
    message: str
    focus: str
    focus_label: str | None
    path: str | None  # prefixed ("tg:endedOn") where a prefix is known
    value: str | None
    article: str | None  # the article file (tg:sourcePath)
    quote: str | None
    begin: int | None
    end: int | None
    value_label: str | None = None  # the label of an IRI value, when it has one


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool  # no result of severity Violation (warnings allowed)
    results: tuple[ValidationResult, ...]

    @property
    def violations(self) -> int:
        return sum(result.severity == "Violation" for result in self.results)

    @property
    def warnings(self) -> int:
        return sum(result.severity == "Warning" for result in self.results)


def validate(data: Graph, sparql_per_focus: bool = False) -> ValidationReport:
    """Check `data` (asserted facts + provenance, no ontology, no inferred triples) against the shapes.

    pyshacl runs each sh:sparql constraint once per focus node, a few milliseconds each, which dominates
    the cost on a large graph. By default they run once per graph instead (`$this` left unbound, rows kept
    for the constraint's focus nodes), which gives the same results; `sparql_per_focus=True` runs everything
    in pyshacl (the reference the tests compare against).
    """
    shapes = _shapes()
    if sparql_per_focus:
        findings = _pyshacl_findings(data, shapes.graph)
    else:
        findings = _pyshacl_findings(data, shapes.core) + _sparql_findings(data, shapes.constraints)
    tracer = _Tracer(data)
    results = {tracer.result(finding) for finding in findings}
    ordered = tuple(sorted(results, key=_sort_key))
    return ValidationReport(conforms=not any(r.severity == "Violation" for r in ordered), results=ordered)


def load_graph(path: Path) -> Graph:
    """Parse a graph file by its suffix. Quad files (TriG, N-Quads) are merged, leaving out the graph of
    inferred triples (`<base>graph/inferred`): validation is about what the articles assert."""
    if not path.is_file():
        raise TreatygraphError(f"{path}: no such file")
    rdf_format = _FORMATS.get(path.suffix.lower(), "turtle")
    try:
        if rdf_format in _QUAD_FORMATS:
            return _merge_asserted(Dataset().parse(path, format=rdf_format))
        return Graph().parse(path, format=rdf_format)
    except Exception as err:  # rdflib's parsers raise many exception types
        reason = " ".join(str(err).split())[:300] or type(err).__name__
        raise TreatygraphError(f"{path}: cannot parse as {rdf_format}: {reason}") from err


def render_text(report: ValidationReport) -> str:
    """The report grouped by article file: message, what it is about, the value, and the sentence."""
    lines = [_summary(report)]
    for article, results in _by_article(report.results):
        lines += ["", article]
        for result in results:
            lines += _describe(result)
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    payload = {
        "conforms": report.conforms,
        "violations": report.violations,
        "warnings": report.warnings,
        "results": [asdict(result) for result in report.results],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------- running the shapes


@dataclass(frozen=True)
class _Finding:
    """A SHACL result before it is traced to an article."""

    severity: str
    message: str
    focus: Node
    path: Node | None
    value: Node | None


@dataclass(frozen=True)
class _SparqlConstraint:
    targets: frozenset[Node]  # the classes whose instances (and their subclasses') are focus nodes
    query: str  # the sh:select with its prefixes, `$this` made an ordinary variable
    message: str
    severity: str


@dataclass(frozen=True)
class _Shapes:
    graph: Graph  # all shapes, as written
    core: Graph  # the same without sh:sparql constraints
    constraints: tuple[_SparqlConstraint, ...]


def _pyshacl_findings(data: Graph, shapes: Graph) -> list[_Finding]:
    _, results, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=_class_hierarchy(),
        inference="none",
        allow_warnings=True,
        advanced=False,
    )
    findings = []
    for node in results.subjects(RDF.type, SH.ValidationResult):
        messages = sorted(str(message) for message in results.objects(node, SH.resultMessage))
        severity = results.value(node, SH.resultSeverity)
        path = results.value(node, SH.resultPath)
        findings.append(
            _Finding(
                severity=SEVERITIES.get(severity, "Violation") if isinstance(severity, URIRef) else "Violation",
                message=messages[0] if messages else "The graph does not have the shape it should.",
                focus=results.value(node, SH.focusNode),  # type: ignore[arg-type]
                path=path if isinstance(path, URIRef) else None,
                value=results.value(node, SH.value),
            )
        )
    return findings


def _sparql_findings(data: Graph, constraints: Iterable[_SparqlConstraint]) -> list[_Finding]:
    findings = []
    subclasses = _subclasses()
    for constraint in constraints:
        classes = {sub for target in constraint.targets for sub in subclasses.get(target, {target})}
        focus_nodes = {node for cls in classes for node in data.subjects(RDF.type, cls)}
        if not focus_nodes:
            continue
        for row in data.query(_with_targets(constraint.query, classes)):
            bindings: dict[str, Node] = dict(row.asdict())  # type: ignore[union-attr]
            focus = bindings.get("this")
            if focus not in focus_nodes:
                continue
            findings.append(
                _Finding(
                    severity=constraint.severity,
                    message=_fill_message(constraint.message, bindings),
                    focus=focus,
                    path=bindings.get("path"),
                    value=bindings.get("value"),
                )
            )
    return findings


def _with_targets(query: str, classes: Iterable[Node]) -> str:
    """Bind ?this to the focus nodes first, as pyshacl's pre-binding of $this would: without it a pattern
    like `?this ?path ?value` would scan the whole graph."""
    values = " ".join(f"<{cls}>" for cls in sorted(classes, key=str))
    head, brace, body = query.partition("{")
    return f"{head}{brace} VALUES ?tgshTarget {{ {values} }} ?this a ?tgshTarget . {body}"


def _fill_message(template: str, bindings: dict[str, Node]) -> str:
    """pyshacl's substitution: `{?name}` / `{$name}` become the text of the binding."""
    for name, value in bindings.items():
        template = template.replace("{?" + name + "}", str(value)).replace("{$" + name + "}", str(value))
    return template


@cache
def _shapes() -> _Shapes:
    graph = load_shapes()
    core = Graph()
    for triple in graph:
        core.add(triple)
    constraints = []
    for shape, node in graph.subject_objects(SH.sparql):
        core.remove((shape, SH.sparql, node))
        if graph.value(node, SH.deactivated) == Literal(True):
            continue
        targets = frozenset(graph.objects(shape, SH.targetClass))
        if not targets or set(graph.predicates(shape)) & _OTHER_TARGETS:
            raise TreatygraphError(f"shape {shape}: sh:sparql constraints need an sh:targetClass (and no other target)")
        severity = graph.value(node, SH.severity) or graph.value(shape, SH.severity) or SH.Violation
        constraints.append(
            _SparqlConstraint(
                targets=targets,
                query=_prefix_block(graph, node) + str(graph.value(node, SH.select)).replace("$this", "?this"),
                message=str(graph.value(node, SH.message) or graph.value(shape, SH.message) or ""),
                severity=SEVERITIES.get(severity, "Violation"),
            )
        )
    return _Shapes(graph=graph, core=core, constraints=tuple(constraints))


def _prefix_block(shapes: Graph, constraint: Node) -> str:
    lines = []
    for declarations in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(declarations, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(sorted(set(lines))) + "\n"


@dataclass(frozen=True)
class _Trace:
    article: str | None = None
    quote: str | None = None
    begin: int | None = None
    end: int | None = None


class Lookups(Protocol):
    """A graph's pattern lookups with the predicate given, as rdflib's Graph has them."""

    def objects(self, subject: Node, predicate: Node) -> Iterable[Node]: ...

    def subjects(self, predicate: Node, object: Node) -> Iterable[Node]: ...  # noqa: A002 - rdflib's name


class TripleSource(Lookups, Protocol):
    """What the tracer reads of a graph (GraphSource wraps an rdflib Graph; fastvalidate reads a store)."""

    def records(self, focus: Node, predicate: Node | None, value: Node | None) -> Iterable[Node]:
        """The fact records about `focus` (rdf:subject) that have an rdf:predicate and an rdf:object, among
        them `predicate` and `value` when given."""
        ...


class GraphSource:
    """A TripleSource over an rdflib Graph (or anything with its lookups)."""

    def __init__(self, graph: Graph | Lookups) -> None:
        self.graph = graph

    def objects(self, subject: Node, predicate: Node) -> Iterable[Node]:
        return self.graph.objects(subject, predicate)

    def subjects(self, predicate: Node, object: Node) -> Iterable[Node]:  # noqa: A002 - rdflib's name
        return self.graph.subjects(predicate, object)

    def records(self, focus: Node, predicate: Node | None, value: Node | None) -> list[Node]:
        return [
            record
            for record in self.graph.subjects(RDF.subject, focus)
            if _states(self.graph.objects(record, RDF.predicate), predicate)
            and _states(self.graph.objects(record, RDF.object), value)
        ]


def _states(found: Iterable[Node], wanted: Node | None) -> bool:
    return any(True for _ in found) if wanted is None else wanted in found


class _Tracer:
    """Finds the article and sentence behind a focus node (and path and value) of the data graph.

    The fact records behind a finding are looked up by what they state (the finding's property and value,
    else its property, else a label, else anything), so a tracer reading a store asks for a few records,
    not for every record of a much-described treaty."""

    def __init__(self, data: TripleSource | Graph) -> None:
        self.data = GraphSource(data) if isinstance(data, Graph) else data

    def label(self, node: Node | None) -> str | None:
        if node is None or isinstance(node, Literal):
            return None
        labels = [label for prop in _LABELS for label in self.data.objects(node, prop) if isinstance(label, Literal)]
        english = [label for label in labels if (label.language or "en").startswith("en")]
        chosen = sorted(str(label) for label in (english or labels))
        return chosen[0] if chosen else None

    def result(self, finding: _Finding) -> ValidationResult:
        path, value = finding.path, finding.value
        trace = self.trace(finding.focus, path, value)
        return ValidationResult(
            severity=finding.severity,
            message=finding.message,
            focus=str(finding.focus),
            focus_label=self.label(finding.focus),
            path=_short(path) if isinstance(path, URIRef) else None,
            value=str(value) if value is not None else None,
            article=trace.article,
            quote=trace.quote,
            begin=trace.begin,
            end=trace.end,
            value_label=self.label(value) if isinstance(value, URIRef) else None,
        )

    def trace(self, focus: Node | None, path: Node | None, value: Node | None) -> _Trace:
        if focus is None:
            return _Trace()
        if TG.Article in self.data.objects(focus, RDF.type):
            return _Trace(article=self._source_path(focus))
        evidence = self._evidence_of(focus)
        if evidence is None:
            evidence = self._evidence_of_fact(focus, path, value)
        return self._read_evidence(evidence) if evidence is not None else _Trace()

    def _value(self, subject: Node, predicate: Node) -> Node | None:
        """The first object, as rdflib's Graph.value gives it."""
        return next(iter(self.data.objects(subject, predicate)), None)

    def _evidence_of(self, focus: Node) -> Node | None:
        """Evidence focus nodes, their selectors and fact records lead straight to one evidence node."""
        if TG.Evidence in self.data.objects(focus, RDF.type):
            return focus
        owner = next(iter(self.data.subjects(OA.hasSelector, focus)), None)
        if owner is not None:
            return owner
        found = sorted(self.data.objects(focus, TG.evidence), key=self._offset)  # the earliest, as for facts
        return found[0] if found else None

    def _evidence_of_fact(self, focus: Node, path: Node | None, value: Node | None) -> Node | None:
        for candidates in self._ranked_records(focus, path, value):
            evidence = sorted(
                (found for record in candidates for found in self.data.objects(record, TG.evidence)),
                key=self._offset,
            )
            if evidence:
                return evidence[0]  # the earliest in the article
        return None

    def _ranked_records(self, focus: Node, path: Node | None, value: Node | None) -> Iterator[Iterable[Node]]:
        """The records stating the fact, else the property, else a label, else anything, asked lazily."""
        if path is not None and value is not None:
            yield self.data.records(focus, path, value)
        if path is not None:
            yield self.data.records(focus, path, None)
        yield [record for label in _LABELS for record in self.data.records(focus, label, None)]
        yield self.data.records(focus, None, None)

    def _read_evidence(self, evidence: Node) -> _Trace:
        begin = end = None
        quote = None
        for selector in self.data.objects(evidence, OA.hasSelector):
            start_value = self._value(selector, OA.start)
            end_value = self._value(selector, OA.end)
            exact = self._value(selector, OA.exact)
            if start_value is not None and end_value is not None:
                begin, end = _as_int(start_value), _as_int(end_value)
            if exact is not None:
                quote = str(exact)
        source = self._value(evidence, OA.hasSource)
        return _Trace(self._source_path(source) if source is not None else None, quote, begin, end)

    def _source_path(self, article: Node) -> str | None:
        path = self._value(article, TG.sourcePath)
        return str(path) if path is not None else None

    def _offset(self, evidence: Node) -> tuple[int, str]:
        selectors = self.data.objects(evidence, OA.hasSelector)
        starts = [_as_int(self._value(selector, OA.start)) for selector in selectors]
        known = [start for start in starts if start is not None]
        return (min(known) if known else 1 << 62, str(evidence))


# ---------------------------------------------------------------- rendering


def _summary(report: ValidationReport) -> str:
    verdict = "conforms" if report.conforms else "does NOT conform"
    articles = len({result.article for result in report.results if result.article})
    counts = f"{_plural(report.violations, 'violation')}, {_plural(report.warnings, 'warning')}"
    where = f" in {_plural(articles, 'article')}" if report.results else ""
    return f"The graph {verdict}: {counts}{where}."


def _by_article(results: Iterable[ValidationResult]) -> list[tuple[str, list[ValidationResult]]]:
    groups: dict[str, list[ValidationResult]] = defaultdict(list)
    for result in results:
        groups[result.article or _UNTRACED].append(result)
    return sorted(groups.items(), key=lambda item: (item[0] == _UNTRACED, item[0]))


def _describe(result: ValidationResult) -> list[str]:
    lines = [f"  {result.severity.upper():<9} {result.message}"]
    about = f"{result.focus_label}  <{result.focus}>" if result.focus_label else f"<{result.focus}>"
    lines.append(f"    about:    {about}")
    if result.path:
        lines.append(f"    property: {result.path}")
    if result.value is not None:
        value = f"{result.value_label}  <{result.value}>" if result.value_label else result.value
        lines.append(f"    value:    {value}")
    if result.quote is not None:
        span = f"[{result.begin}-{result.end}] " if result.begin is not None else ""
        lines.append(f'    sentence: {span}"{_clip(result.quote)}"')
    elif result.article is None:
        lines.append("    sentence: (no fact record leads to an article)")
    return lines


def _sort_key(result: ValidationResult) -> tuple:
    return (
        result.article or "\uffff",
        result.begin if result.begin is not None else 1 << 62,
        _SEVERITY_ORDER.get(result.severity, 3),
        result.message,
        result.focus,
        result.path or "",
        result.value or "",
    )


# ---------------------------------------------------------------- helpers


@cache
def _class_hierarchy() -> Graph:
    """The ontology's named rdfs:subClassOf axioms: all sh:class needs, without any inference on the data."""
    ontology = load_ontology()
    hierarchy = Graph()
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            hierarchy.add((sub, RDFS.subClassOf, sup))
    return hierarchy


@cache
def _subclasses() -> dict[Node, set[Node]]:
    """class -> itself and all its subclasses, from the ontology's hierarchy."""
    found: dict[Node, set[Node]] = defaultdict(set)
    hierarchy = _class_hierarchy()
    for cls in set(hierarchy.subjects()) | set(hierarchy.objects()):
        for sup in hierarchy.transitive_objects(cls, RDFS.subClassOf):
            if sup is not None:
                found[sup].add(cls)
    return found


def _merge_asserted(dataset: Dataset) -> Graph:
    merged = Graph()
    for graph in dataset.graphs():
        if str(graph.identifier).endswith("/graph/inferred"):
            continue
        for triple in graph:
            merged.add(triple)
    return merged


def _as_int(value: Node | None) -> int | None:
    if not isinstance(value, Literal):
        return None
    try:
        return int(str(value))
    except ValueError:
        return None


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _QUOTE_LIMIT else flat[: _QUOTE_LIMIT - 1] + "…"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _short(term: Node) -> str:
    text = str(term)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(str(namespace)) and len(text) > len(str(namespace)):
            return f"{prefix}:{text[len(str(namespace)) :]}"
    return text
