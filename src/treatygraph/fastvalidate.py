"""SHACL validation of a graph in a pyoxigraph store: the results of `validate.validate`, at store speed.

pyshacl costs milliseconds per focus node in Python; a build of many articles validates in the store instead.
The shapes (shapes/*.ttl) are compiled once: each target class becomes a VALUES list of the class and its
subclasses (the ontology's hierarchy, as `validate` gives pyshacl), and each constraint becomes one SPARQL
query that returns the focus nodes and values to check. The checks pyshacl makes on a value (datatype,
well-formed literal, ranges, class membership, lists) are then made in Python with pyshacl's own rules,
once per distinct value. The sh:sparql constraints run as `validate` runs them. Each finding is traced to
its article and sentence by `validate`'s tracer, on the few triples around the finding.

Only the SHACL features the shapes use are compiled (targetClass; property shapes with a predicate path and
minCount, maxCount, class, datatype, or of datatypes, in, nodeKind IRI, min/maxInclusive, qualified class
counts; node-level not-class; sh:message on every shape). Shapes using anything else raise
UnsupportedShapes, and the caller validates with pyshacl instead. Tests compare both on small graphs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from pyshacl.rdfutil import compare_literal
from rdflib import BNode, Graph, Literal, Node, URIRef
from rdflib.collection import Collection as RdfList
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from .types import TreatygraphError
from .validate import (
    SEVERITIES,
    GraphSource,
    ValidationReport,
    ValidationResult,
    _fill_message,
    _Finding,
    _shapes,
    _sort_key,
    _SparqlConstraint,
    _subclasses,
    _Tracer,
)
from .vocab import OA, TG


class UnsupportedShapes(TreatygraphError):
    """The shapes use a SHACL feature this validator does not compile."""


_SHAPE_KEYS: frozenset[Node] = frozenset(
    {
        SH.targetClass,
        SH.property,
        SH.sparql,
        SH.severity,
        SH.message,
        SH["not"],
        SH.deactivated,
        RDF.type,
        RDFS.comment,
        RDFS.label,
    }
)
_PROPERTY_KEYS: frozenset[Node] = frozenset(
    {
        SH.path,
        SH.minCount,
        SH.maxCount,
        SH["class"],
        SH.datatype,
        SH["or"],
        SH["in"],
        SH.nodeKind,
        SH.minInclusive,
        SH.maxInclusive,
        SH.qualifiedValueShape,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.severity,
        SH.message,
        SH.deactivated,
        RDF.type,
        RDFS.comment,
        RDFS.label,
        SH.name,
        SH.description,
    }
)


@dataclass(frozen=True)
class _PropertyCheck:
    focus_classes: tuple[Node, ...]  # target classes and their subclasses
    path: URIRef
    severity: str
    message: str
    min_count: int | None
    max_count: int | None
    classes: tuple[Node, ...] | None  # sh:class: the class and its subclasses
    datatypes: tuple[Node, ...] | None  # sh:datatype, or the datatypes of an sh:or of datatypes
    allowed: frozenset[Node] | None  # sh:in
    iri_only: bool  # sh:nodeKind sh:IRI
    min_inclusive: Literal | None
    max_inclusive: Literal | None
    qualified_classes: tuple[Node, ...] | None
    qualified_min: int | None
    qualified_max: int | None


@dataclass(frozen=True)
class _NotClassCheck:
    focus_classes: tuple[Node, ...]
    classes: tuple[Node, ...]
    severity: str
    message: str


def validate_store(
    store: ox.Store,
    union: bool = False,
    skip_classes: frozenset[Node] = frozenset(),
    focus: Collection[Node] | None = None,
    per_article: frozenset[_SparqlConstraint] = frozenset(),
) -> ValidationReport:
    """`validate.validate` of the graph in `store` (its default graph, or the union of its graphs).

    Shapes whose target classes (with subclasses) all lie in `skip_classes`, and the sh:sparql constraints
    in `per_article`, are left out: localvalidate checks them one article at a time. With `focus`, only
    those focus nodes are checked (an incremental build re-checks the shared nodes its changed articles
    touch); the results are the full run's results about them."""
    findings: list[_Finding] = []
    view = _StoreView(store, union)  # shared by the queries' type checks and the tracer
    if focus is None:
        findings += _core_findings(store, union, skip_classes)
        findings += _sparql_findings(store, union, skip_classes, per_article, view=view)
    else:
        # the focus nodes' neighbourhood in a small in-memory store: every query then costs what the
        # neighbourhood holds, not what the whole store holds (a VALUES block does not steer the planner)
        nearby = neighbourhood(store, focus, union)
        wanted = {node for node in focus if not isinstance(node, Literal)}
        findings += (
            finding
            for finding in (
                *_core_findings(nearby, False, skip_classes),
                *_sparql_findings(nearby, False, skip_classes, per_article),
            )
            if finding.focus in wanted
        )
    ordered = tuple(sorted(trace_all(store, findings, union, view), key=_sort_key))
    return ValidationReport(conforms=not any(r.severity == "Violation" for r in ordered), results=ordered)


# ---------------------------------------------------------------- compiling the shapes


@lru_cache(maxsize=1)
def compiled_checks() -> tuple[tuple[_PropertyCheck, ...], tuple[_NotClassCheck, ...]]:
    shapes = _shapes().core
    properties: list[_PropertyCheck] = []
    negations: list[_NotClassCheck] = []
    for shape in sorted(set(shapes.subjects(SH.targetClass)), key=str):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        _refuse_unknown(shapes, shape, _SHAPE_KEYS)
        focus = _with_subclasses(shapes.objects(shape, SH.targetClass))
        for prop in sorted(shapes.objects(shape, SH.property), key=str):
            if shapes.value(prop, SH.deactivated) != Literal(True):
                properties.append(_property_check(shapes, shape, prop, focus))
        for negated in shapes.objects(shape, SH["not"]):
            negations.append(_not_class_check(shapes, shape, negated, focus))
    return tuple(properties), tuple(negations)


def _with_subclasses(classes: Iterable[Node]) -> tuple[Node, ...]:
    subclasses = _subclasses()
    return tuple(sorted({sub for cls in classes for sub in subclasses.get(cls, {cls})}, key=str))


def _refuse_unknown(shapes: Graph, node: Node, known: frozenset[Node]) -> None:
    unknown = set(shapes.predicates(node)) - known
    if unknown:
        raise UnsupportedShapes(f"shape {node} uses {', '.join(sorted(map(str, unknown)))}")


def _message(shapes: Graph, node: Node, owner: Node | None = None) -> str:
    messages = sorted(str(m) for m in shapes.objects(node, SH.message))
    if not messages and owner is not None:
        messages = sorted(str(m) for m in shapes.objects(owner, SH.message))
    if not messages:
        raise UnsupportedShapes(f"shape {node} has no sh:message (pyshacl would make one up)")
    return messages[0]


def _severity(shapes: Graph, node: Node) -> str:
    severity = shapes.value(node, SH.severity)
    return SEVERITIES.get(severity, "Violation") if isinstance(severity, URIRef) else "Violation"


def _int(shapes: Graph, node: Node, predicate: URIRef) -> int | None:
    value = shapes.value(node, predicate)
    return int(str(value)) if value is not None else None


def _property_check(shapes: Graph, shape: Node, prop: Node, focus: tuple[Node, ...]) -> _PropertyCheck:
    _refuse_unknown(shapes, prop, _PROPERTY_KEYS)
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise UnsupportedShapes(f"property shape {prop}: only a predicate path is compiled")
    kind = shapes.value(prop, SH.nodeKind)
    if kind is not None and kind != SH.IRI:
        raise UnsupportedShapes(f"property shape {prop}: sh:nodeKind {kind}")
    cls = shapes.value(prop, SH["class"])
    datatype = shapes.value(prop, SH.datatype)
    either = shapes.value(prop, SH["or"])
    listed = shapes.value(prop, SH["in"])
    qualified = shapes.value(prop, SH.qualifiedValueShape)
    minimum, maximum = shapes.value(prop, SH.minInclusive), shapes.value(prop, SH.maxInclusive)
    return _PropertyCheck(
        focus_classes=focus,
        path=path,
        severity=_severity(shapes, prop),
        message=_message(shapes, prop),
        min_count=_int(shapes, prop, SH.minCount),
        max_count=_int(shapes, prop, SH.maxCount),
        classes=_with_subclasses([cls]) if cls is not None else None,
        datatypes=_datatypes(shapes, prop, datatype, either),
        allowed=frozenset(RdfList(shapes, listed)) if listed is not None else None,
        iri_only=kind == SH.IRI,
        min_inclusive=minimum if isinstance(minimum, Literal) else None,
        max_inclusive=maximum if isinstance(maximum, Literal) else None,
        qualified_classes=_qualified_classes(shapes, prop, qualified),
        qualified_min=_int(shapes, prop, SH.qualifiedMinCount),
        qualified_max=_int(shapes, prop, SH.qualifiedMaxCount),
    )


def _datatypes(shapes: Graph, prop: Node, datatype: Node | None, either: Node | None) -> tuple[Node, ...] | None:
    if datatype is not None and either is not None:
        raise UnsupportedShapes(f"property shape {prop}: sh:datatype beside sh:or")
    if datatype is not None:
        return (datatype,)
    if either is None:
        return None
    found = []
    for member in RdfList(shapes, either):
        if set(shapes.predicates(member)) != {SH.datatype}:
            raise UnsupportedShapes(f"property shape {prop}: sh:or of anything but datatypes")
        found.append(shapes.value(member, SH.datatype))
    return tuple(d for d in found if d is not None)


def _qualified_classes(shapes: Graph, prop: Node, qualified: Node | None) -> tuple[Node, ...] | None:
    if qualified is None:
        return None
    if set(shapes.predicates(qualified)) - {SH["class"], RDF.type} != set():
        raise UnsupportedShapes(f"property shape {prop}: qualified shapes other than one sh:class")
    return _with_subclasses(shapes.objects(qualified, SH["class"]))


def _not_class_check(shapes: Graph, shape: Node, negated: Node, focus: tuple[Node, ...]) -> _NotClassCheck:
    if set(shapes.predicates(negated)) - {SH["class"], RDF.type} != set():
        raise UnsupportedShapes(f"shape {shape}: sh:not of anything but one sh:class")
    return _NotClassCheck(
        focus_classes=focus,
        classes=_with_subclasses(shapes.objects(negated, SH["class"])),
        severity=_severity(shapes, shape),
        message=_message(shapes, shape),
    )


# ---------------------------------------------------------------- running the checks


def _values(classes: Iterable[Node]) -> str:
    return " ".join(f"<{cls}>" for cls in classes)


def _select(store: ox.Store, text: str, union: bool) -> ox.QuerySolutions:
    solutions = store.query(text, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def neighbourhood(store: ox.Store, focus: Collection[Node], union: bool = False) -> ox.Store:
    """The triples the shapes can read about `focus` nodes: their own, their values' own, and the nodes
    reached through the predicates the shapes follow in paths (`tg:supersedes*`), transitively."""
    nearby = ox.Store()
    graph = None if union else ox.DefaultGraph()
    chained = _path_predicates()
    seen: set[Any] = set()
    frontier = [to_ox(node) for node in focus if not isinstance(node, Literal)]
    values: list[Any] = []
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in store.quads_for_pattern(node, None, None, graph):
            nearby.add(ox.Quad(quad.subject, quad.predicate, quad.object))
            if isinstance(quad.object, ox.NamedNode | ox.BlankNode):
                (frontier if quad.predicate in chained else values).append(quad.object)
    inbound = _inbound_predicates()
    for node in [to_ox(n) for n in focus if not isinstance(n, Literal)]:
        for predicate in inbound:  # nodes the shapes reach backwards from $this (a fact's records)
            values += (quad.subject for quad in store.quads_for_pattern(None, predicate, node, graph))
    for value in values:
        if value not in seen:
            seen.add(value)
            nearby.extend(
                ox.Quad(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(value, None, None, graph)
            )
    return nearby


@lru_cache(maxsize=1)
def _path_predicates() -> frozenset[ox.NamedNode]:
    """Predicates the sh:sparql constraints follow with `*` or `+` (a chain must be copied whole)."""
    return _predicates_in_constraints(r"(?:(\w*):(\w+)|<([^>]+)>)[*+]")


@lru_cache(maxsize=1)
def _inbound_predicates() -> frozenset[ox.NamedNode]:
    """Predicates the sh:sparql constraints follow backwards to $this (`?record rdf:subject $this`)."""
    return _predicates_in_constraints(r"[?$]\w+\s+(?:(\w*):(\w+)|<([^>]+)>)\s+[?$]this\b")


def _predicates_in_constraints(pattern: str) -> frozenset[ox.NamedNode]:
    found: set[ox.NamedNode] = set()
    for constraint in _shapes().constraints:
        prefixes = dict(re.findall(r"PREFIX\s+(\w*):\s*<([^>]+)>", constraint.query, re.I))
        for prefix, local, iri in re.findall(pattern, constraint.query):
            if iri:
                found.add(ox.NamedNode(iri))
            elif prefix in prefixes:
                found.add(ox.NamedNode(prefixes[prefix] + local))
    return frozenset(found)


def _skipped(classes: Iterable[Node], skip_classes: frozenset[Node]) -> bool:
    classes = set(classes)
    return bool(classes) and classes <= skip_classes


def _core_findings(
    store: ox.Store, union: bool, skip_classes: frozenset[Node] = frozenset(), scope: str = ""
) -> Iterator[_Finding]:
    properties, negations = compiled_checks()
    for check in properties:
        if not _skipped(check.focus_classes, skip_classes):
            yield from _property_findings(store, check, union, scope)
    for negation in negations:
        if not _skipped(negation.focus_classes, skip_classes):
            yield from _negation_findings(store, negation, union, scope)


def _property_findings(store: ox.Store, check: _PropertyCheck, union: bool, scope: str = "") -> Iterator[_Finding]:
    """Counts are aggregated and classes joined in the store; the other value checks run in Python, once per
    distinct value, and only the focus nodes of failing values are fetched."""
    yield from _count_findings(store, check, union, scope)
    if check.classes is not None:
        yield from _class_findings(store, check, union, scope)
    if (
        check.datatypes is None
        and check.allowed is None
        and not check.iri_only
        and check.min_inclusive is None
        and check.max_inclusive is None
    ):
        return
    # the values of any subject (a superset, cheaper than joining the targets first); targets join the few bad ones
    distinct = f"SELECT DISTINCT ?value WHERE {{ {scope} ?this <{check.path}> ?value }}"
    read = to_rdflib if check.allowed is not None else _as_checked  # sh:in compares whole terms
    bad = [row["value"] for row in _select(store, distinct, union) if not _value_conforms(check, read(row["value"]))]
    for chunk in range(0, len(bad), 500):
        values = " ".join(str(term) for term in bad[chunk : chunk + 500])
        query = f"""SELECT DISTINCT ?this ?value WHERE {{ VALUES ?value {{ {values} }} {scope} ?this <{check.path}> ?value .
            {_targets(check.focus_classes)} }}"""
        for row in _select(store, query, union):
            yield _Finding(check.severity, check.message, to_rdflib(row["this"]), check.path, to_rdflib(row["value"]))


def _targets(classes: Iterable[Node], scope: str = "") -> str:
    """The focus nodes of `classes`. pyoxigraph joins patterns in the order written, so the queries below
    start from the property's triples (few subjects) and join the targets (every treaty, ...) last."""
    return f"{scope} VALUES ?tgshTarget {{ {_values(classes)} }} ?this a ?tgshTarget ."


def _count_findings(store: ox.Store, check: _PropertyCheck, union: bool, scope: str) -> Iterator[_Finding]:
    """sh:minCount / sh:maxCount on all values, and the qualified counts on the values of the qualified class."""
    if check.min_count == 1:
        yield from _without_values(store, check, union, scope)
    elif check.min_count is not None:
        yield from _counted(store, check, "", _count_limits(check.min_count, None), union, scope)
    if check.max_count is not None:
        yield from _too_many_values(store, check, union, scope)
    if check.qualified_classes is not None:
        qualified = _count_limits(check.qualified_min, check.qualified_max)
        if qualified:
            classes = ", ".join(f"<{cls}>" for cls in check.qualified_classes)
            yield from _counted(
                store, check, f"?value a ?tgshClass . FILTER(?tgshClass IN ({classes}))", qualified, union, scope
            )


def _count_limits(minimum: int | None, maximum: int | None) -> str:
    limits = []
    if minimum is not None:
        limits.append(f"COUNT(DISTINCT ?value) < {minimum}")
    if maximum is not None:
        limits.append(f"COUNT(DISTINCT ?value) > {maximum}")
    return " || ".join(limits)


def _counted(
    store: ox.Store, check: _PropertyCheck, condition: str, having: str, union: bool, scope: str
) -> Iterator[_Finding]:
    query = f"""SELECT ?this WHERE {{ {_targets(check.focus_classes, scope)} OPTIONAL {{ ?this <{check.path}> ?value . {condition} }} }}
        GROUP BY ?this HAVING ({having})"""
    for row in _select(store, query, union):
        yield _Finding(check.severity, check.message, to_rdflib(row["this"]), check.path, None)


def _without_values(store: ox.Store, check: _PropertyCheck, union: bool, scope: str) -> Iterator[_Finding]:
    """sh:minCount 1, as a MINUS join (ten times faster than counting every focus node's values)."""
    query = f"SELECT DISTINCT ?this WHERE {{ {_targets(check.focus_classes, scope)} MINUS {{ ?this <{check.path}> ?value }} }}"
    for row in _select(store, query, union):
        yield _Finding(check.severity, check.message, to_rdflib(row["this"]), check.path, None)


def _too_many_values(store: ox.Store, check: _PropertyCheck, union: bool, scope: str) -> Iterator[_Finding]:
    """sh:maxCount: count the values of the subjects that have some, then keep the focus nodes among them."""
    query = f"""SELECT DISTINCT ?this WHERE {{
        {{ SELECT ?this WHERE {{ {scope} ?this <{check.path}> ?value }} GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {check.max_count}) }}
        {_targets(check.focus_classes)} }}"""
    for row in _select(store, query, union):
        yield _Finding(check.severity, check.message, to_rdflib(row["this"]), check.path, None)


def _class_findings(store: ox.Store, check: _PropertyCheck, union: bool, scope: str) -> Iterator[_Finding]:
    query = f"""SELECT DISTINCT ?this ?value WHERE {{ {scope} ?this <{check.path}> ?value .
        MINUS {{ VALUES ?tgshClass {{ {_values(check.classes or ())} }} ?value a ?tgshClass }}
        {_targets(check.focus_classes)} }}"""
    for row in _select(store, query, union):
        yield _Finding(check.severity, check.message, to_rdflib(row["this"]), check.path, to_rdflib(row["value"]))


def _value_conforms(check: _PropertyCheck, value: Node) -> bool:
    """The value checks but sh:class (which the store answers)."""
    if check.iri_only and not isinstance(value, URIRef):
        return False
    if check.allowed is not None and value not in check.allowed:
        return False
    if check.datatypes is not None and not any(_has_datatype(value, d) for d in check.datatypes):
        return False
    if check.min_inclusive is not None and not _compares(value, check.min_inclusive, lambda c: c >= 0):
        return False
    return check.max_inclusive is None or _compares(value, check.max_inclusive, lambda c: c <= 0)


def _has_datatype(value: Node, datatype: Node) -> bool:
    """pyshacl's sh:datatype rule (DatatypeConstraintComponent) for the datatypes the shapes use."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        return value.ill_typed is not True and _value_is(value, datatype)
    if datatype == _RDFS_LITERAL:
        return True
    if datatype == _RDFS_DATATYPE:
        return value.datatype is not None
    if value.datatype is None and value.language is None and datatype == _XSD_STRING:
        return _value_is(value, datatype)
    if datatype == _RDF_LANGSTRING and value.language:
        return _value_is(value, datatype)
    return False


# rdflib's namespace attributes cost microseconds each (a Python __getattr__): the value checks run per value
_RDFS_LITERAL, _RDFS_DATATYPE, _XSD_STRING, _RDF_LANGSTRING = RDFS.Literal, RDFS.Datatype, XSD.string, RDF.langString


_PYTHON_TYPES: dict[Node, type | tuple[type, ...]] = {
    XSD.string: (str, bytes),
    RDF.langString: (str, bytes),
    XSD.integer: int,
    XSD.float: float,
    XSD.decimal: Decimal,
    XSD.boolean: bool,
    XSD.date: date,
    XSD.time: time,
    XSD.dateTime: datetime,
}


def _value_is(value: Literal, datatype: Node) -> bool:
    expected = _PYTHON_TYPES.get(datatype)
    return True if expected is None else isinstance(value.value, expected)


def _compares(value: Node, bound: Literal, accept: object) -> bool:
    """pyshacl's sh:minInclusive / sh:maxInclusive rule: incomparable values fail."""
    if not isinstance(value, Literal):
        return False
    if isinstance(bound.value, str) != isinstance(value.value, str):
        return False
    try:
        return bool(accept(compare_literal(value, bound)))  # type: ignore[operator]
    except (TypeError, NotImplementedError):
        return False


def _negation_findings(store: ox.Store, check: _NotClassCheck, union: bool, scope: str) -> Iterator[_Finding]:
    query = f"""SELECT DISTINCT ?this WHERE {{
        {_targets(check.focus_classes, scope)}
        VALUES ?tgshNot {{ {_values(check.classes)} }} ?this a ?tgshNot . }}"""
    for row in _select(store, query, union):
        focus = to_rdflib(row["this"])
        yield _Finding(check.severity, check.message, focus, None, focus)


def _sparql_findings(
    store: ox.Store,
    union: bool,
    skip_classes: frozenset[Node] = frozenset(),
    per_article: frozenset[_SparqlConstraint] = frozenset(),
    scope: str = "",
    view: _StoreView | None = None,
) -> Iterator[_Finding]:
    """The sh:sparql constraints, as `validate` runs them (once per graph, ?this bound to the focus nodes)."""
    subclasses = _subclasses()
    view = view or _StoreView(store, union)  # the types of ?this, for the queries run without targets
    for constraint in _shapes().constraints:
        classes = frozenset(sub for target in constraint.targets for sub in subclasses.get(target, {target}))
        if constraint in per_article or _skipped(classes, skip_classes):
            continue
        query = not_exists_as_minus(constraint.query)
        joined = hash_joined(query, scope)
        rows: Iterable[dict[str, Node]]
        if joined is None:
            rows = _rows(store, _scoped_with_targets_last(query, classes, scope), union)
        else:  # ?this is bound by the query's own patterns: the few rows are checked for targets here
            rows = _instances_only(view, list(_rows(store, joined, union)), classes)
        for bindings in rows:
            focus = bindings.get("this")
            if focus is None:
                continue
            yield _Finding(
                severity=constraint.severity,
                message=_fill_message(constraint.message, bindings),
                focus=focus,
                path=bindings.get("path"),
                value=bindings.get("value"),
            )


def _rows(store: ox.Store, query: str, union: bool) -> Iterator[dict[str, Node]]:
    solutions = _select(store, query, union)
    names = [variable.value for variable in solutions.variables]
    for row in solutions:
        yield {name: to_rdflib(row[name]) for name in names if row[name] is not None}


def _instances_only(view: _StoreView, rows: list[dict[str, Node]], classes: frozenset[Node]) -> list[dict[str, Node]]:
    """The rows whose ?this is an instance of `classes` (the types of all rows' ?this fetched together)."""
    view.load(("objects", row["this"], RDF.type, None) for row in rows if "this" in row)
    return [row for row in rows if "this" in row and any(cls in classes for cls in view.objects(row["this"], RDF.type))]


def _scoped_with_targets_last(query: str, classes: Iterable[Node], scope: str) -> str:
    """`validate._with_targets`, with the target join at the end of the WHERE group (after the constraint's
    own, more selective patterns; a group's FILTERs apply to all of it, so this changes no result) and the
    focus scope at its start."""
    head, brace, body = query.partition("{")
    body, closing, tail = body.rpartition("}")
    return f"{head}{brace} {scope} {body} {_targets(classes)} {closing}{tail}"


@lru_cache(maxsize=64)
def hash_joined(query: str, scope: str = "") -> str | None:
    """The query with the triple patterns that open its WHERE group each in a sub-select (and `scope` first),
    or None unless one of them binds ?this through a fixed predicate.

    pyoxigraph joins the patterns of one group by a lookup per row (a hundred thousand treaties with a
    signing date: a hundred thousand lookups), and two sub-selects by hashing both sides: the same join,
    ten times faster on a whole store. ?this bound by an opening pattern is bound on every row, so the
    caller can check the rows' ?this for the targets instead of joining every target into the query.
    The rewrite is kept only if rdflib reads the same triple patterns in both texts."""
    head, brace, body = query.partition("{")
    triples, rest = _leading_triples(body)
    if not any("?this" in (s, o) and not p.startswith(("?", "$")) for s, p, o in triples):
        return None
    blocks = " ".join(f"{{ SELECT * WHERE {{ {s} {p} {o} }} }}" for s, p, o in triples)
    joined = f"{head}{brace} {scope} {blocks} {rest}"
    same = _patterns(joined)
    return joined if same is not None and same == _patterns(f"{head}{brace} {scope} {body}") else None


_PLAIN_TERM = r"<[^<>\"{}|^`\\\s]*>|[?$][A-Za-z_]\w*|[A-Za-z][\w-]*:[A-Za-z_][\w-]*"
_TRIPLE_TOKEN = re.compile(rf"\s*({_PLAIN_TERM}|a(?![\w:-])|[;,]|\.(?![\w:-]))")


def _leading_triples(body: str) -> tuple[list[tuple[str, str, str]], str]:
    """The triple patterns that open a group, up to the last '.' before anything else, written with plain
    terms (variables, IRIs, prefixed names), and the text after them."""
    done: list[tuple[str, str, str]] = []
    pending: list[tuple[str, str, str]] = []
    subject = verb = ""
    expect, position, taken = "subject", 0, 0
    while match := _TRIPLE_TOKEN.match(body, position):
        token, position = match.group(1), match.end()
        punctuation = token in (";", ",", ".")
        if expect == "subject" and not punctuation and token != "a":
            subject, expect = token, "verb"
        elif expect == "verb" and not punctuation:
            verb, expect = token, "object"
        elif expect == "object" and not punctuation and token != "a":
            pending.append((subject, verb, token))
            expect = "separator"
        elif expect == "separator" and punctuation:
            expect = {";": "verb", ",": "object", ".": "subject"}[token]
            if token == ".":
                done, pending, taken = done + pending, [], position
        else:
            break
    return done, body[taken:]


def _patterns(query: str) -> Counter[str] | None:
    """The triple patterns rdflib reads in a query, anywhere in it; None when it cannot read it."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        stack: list[Any] = [prepareQuery(query).algebra]
    except Exception:  # noqa: BLE001 - pyparsing and rdflib raise many kinds
        return None
    found: Counter[str] = Counter()
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "BGP":
                found.update(" ".join(term.n3() for term in triple) for triple in item["triples"])
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return found


_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{([^{}]*)\}", re.I)
_NOT_PLAIN = re.compile(r"\b(FILTER|OPTIONAL|UNION|MINUS|BIND|VALUES|GRAPH|SERVICE|EXISTS)\b|\(", re.I)
_OUTER_UNSAFE = re.compile(r"\b(OPTIONAL|UNION|MINUS|GRAPH|SERVICE)\b", re.I)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")
_BOUND_BY_BIND = re.compile(r"\bAS\s+[?$]([A-Za-z_][A-Za-z0-9_]*)", re.I)


def not_exists_as_minus(query: str) -> str:
    """`FILTER NOT EXISTS { triples }` as `MINUS { triples }`, which pyoxigraph evaluates as one join instead
    of one lookup per row (a hundred times faster on the fact-has-evidence shape).

    The two agree when the block is plain triple patterns and every variable it shares with the rest of the
    query is bound by the rest's triple patterns on every row (no OPTIONAL, UNION or BIND can leave it
    unbound); any other query is returned unchanged."""
    outer = _NOT_EXISTS.sub(" ", query)
    if _OUTER_UNSAFE.search(outer):
        return query
    outer_variables = set(_VARIABLE.findall(outer)) - set(_BOUND_BY_BIND.findall(outer))

    def rewrite(match: re.Match[str]) -> str:
        block = match.group(1)
        shared = set(_VARIABLE.findall(block)) & set(_VARIABLE.findall(outer))
        if _NOT_PLAIN.search(block) or not shared or not shared <= outer_variables:
            return match.group(0)
        return f"MINUS {{{block}}}"

    return _NOT_EXISTS.sub(rewrite, query)


# ---------------------------------------------------------------- terms and tracing


def to_rdflib(term: object) -> Node:
    """A pyoxigraph term as rdflib's Turtle parser would give it (plain strings without a datatype)."""
    if isinstance(term, ox.NamedNode):
        return _named(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        return _literal(term.value, term.language, term.datatype.value)
    raise TypeError(f"cannot convert {term!r}")


@lru_cache(maxsize=1 << 17)
def _named(iri: str) -> URIRef:
    """One URIRef per IRI: rdflib checks each new one's characters, and dict lookups by the same object
    skip its Python-level equality test."""
    return URIRef(iri)


@lru_cache(maxsize=1 << 16)
def _literal(value: str, language: str | None, datatype: str) -> Literal:
    if language:
        return Literal(value, lang=language)
    if datatype == _XSD_STRING_IRI:
        return Literal(value)
    return Literal(value, datatype=_named(datatype))


_XSD_STRING_IRI = str(XSD.string)


def _as_checked(term: object) -> Node:
    """A value as the datatype and range checks read it: a literal's Python value and ill-typedness are
    those of `to_rdflib`'s, without rdflib rewriting its lexical form in canonical shape (which the checks
    do not read and which costs as much as the parse); a store holds a hundred thousand distinct dates."""
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value != _XSD_STRING_IRI:
        return Literal(term.value, datatype=_named(term.datatype.value), normalize=False)
    return to_rdflib(term)


def to_ox(term: Node) -> Any:
    """An rdflib term as a pyoxigraph term (typed Any: pyoxigraph's patterns accept only some kinds per position)."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"cannot convert {term!r}")


def trace_all(
    store: ox.Store, findings: Iterable[_Finding], union: bool = False, view: _StoreView | None = None
) -> set[ValidationResult]:
    """`validate`'s tracer on the findings, reading the store in batches.

    The tracer runs over all findings that are not traced yet; a lookup the view does not hold stops that
    finding's run and is collected; the view then fetches the collected lookups together, and the stopped
    findings run again. A trace reads a chain of a few lookups (focus, records, evidence, selectors), so a few
    rounds trace every finding, each lookup made once (a treaty with three findings, an article's path)."""
    view = view or _StoreView(store, union)
    tracer = _Tracer(view)
    results: set[ValidationResult] = set()
    waiting = list(dict.fromkeys(findings))
    view.load(_first_lookups(waiting))
    while waiting:
        stopped = []
        with view.collecting() as wanted:
            for finding in waiting:
                try:
                    results.add(tracer.result(finding))
                except _Missing:
                    stopped.append(finding)
        view.load(wanted)
        waiting = stopped
    return results


def _first_lookups(findings: Iterable[_Finding]) -> Iterator[_Lookup]:
    """What the tracer reads first about a finding: its focus node's labels, types, evidence and selector
    owner, and its value's labels. Fetching them up front saves rounds; it decides nothing."""
    for finding in findings:
        for node in (finding.focus, finding.value):
            if isinstance(node, URIRef):
                yield from (("objects", node, label, None) for label in (RDFS.label, SKOS.prefLabel))
        yield from (("objects", finding.focus, predicate, None) for predicate in (RDF.type, TG.evidence))
        yield ("subjects", None, OA.hasSelector, finding.focus)


# The lookups the tracer makes on the answers of a lookup by this predicate: a record's evidence, its
# selectors and article, their offsets and quote, the article's path. (It reads the offsets of every
# evidence it ranks, the rest of the one it picks; a node's objects come from one scan whatever is asked.)
_FOLLOWED: dict[Node, tuple[Node, ...]] = {
    TG.evidence: (OA.hasSelector, OA.hasSource),
    OA.hasSelector: (OA.start, OA.end, OA.exact),
    OA.hasSource: (TG.sourcePath,),
}


def _next_lookups(lookup: _Lookup, found: list[Node]) -> Iterator[_Lookup]:
    kind, _, predicate, _ = lookup
    if kind == "records":
        followed: tuple[Node, ...] = (TG.evidence,)
    else:
        followed = _FOLLOWED.get(predicate, ()) if kind == "objects" and predicate is not None else ()
    for node in found:
        if not isinstance(node, Literal):
            yield from (("objects", node, after, None) for after in followed)


class _Missing(Exception):
    """A lookup the store view does not hold yet, asked while it collects lookups to fetch together."""


# A lookup: ("objects", subject, predicate, None), ("subjects", None, predicate, object) or
# ("records", focus, predicate or None, value or None).
_Lookup = tuple[str, Node | None, Node | None, Node | None]
_BATCH = 500  # lookups per query


class _StoreView:
    """The triples of a store as the tracer reads them (validate.TripleSource), each lookup's answer kept.

    pyoxigraph spends tens of microseconds on one pattern lookup from Python, and joins a VALUES block by
    scanning; `load` fetches many lookups in one query, each VALUES row joined LATERALly (by index)."""

    def __init__(self, store: ox.Store, union: bool) -> None:
        self.store = store
        self.union = union
        self._known: dict[_Lookup, list[Node]] = {}
        self._wanted: set[_Lookup] | None = None

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return self._answer(("objects", subject, predicate, None))

    def subjects(self, predicate: Node, object: Node) -> list[Node]:  # noqa: A002 - rdflib's name
        return self._answer(("subjects", None, predicate, object))

    def records(self, focus: Node, predicate: Node | None, value: Node | None) -> list[Node]:
        return self._answer(("records", focus, predicate, value))

    @contextmanager
    def collecting(self) -> Iterator[set[_Lookup]]:
        """Within: a lookup the view does not hold raises _Missing and joins the set, for `load`."""
        wanted: set[_Lookup] = set()
        self._wanted = wanted
        try:
            yield wanted
        finally:
            self._wanted = None

    def load(self, lookups: Iterable[_Lookup]) -> None:
        """Fetch the answers of the lookups not known yet (one query per kind and predicate per batch),
        then the lookups a trace makes next on those answers (`_next_lookups`), level by level."""
        level = set(lookups)
        while level:
            fetched = self._load_level(level)
            level = {after for lookup in fetched for after in _next_lookups(lookup, self._known[lookup])}
            level -= self._known.keys()

    def _load_level(self, lookups: Iterable[_Lookup]) -> list[_Lookup]:
        """Fetch the lookups: a node's objects by all predicates asked at once (one index scan of the
        node), the other kinds grouped by predicate (and by what a records lookup gives)."""
        by_node: dict[Node, set[Node]] = {}
        groups: dict[tuple[str, Node | bool | None, bool], list[_Lookup]] = {}
        for lookup in set(lookups) - self._known.keys():
            kind, node, predicate, value = lookup
            if any(isinstance(term, BNode) for term in lookup[1:]):  # not allowed in VALUES
                self._known[lookup] = self._one(lookup)
            elif kind == "objects" and node is not None and predicate is not None:
                by_node.setdefault(node, set()).add(predicate)
            else:
                key = (kind, predicate is None, value is None) if kind == "records" else (kind, predicate, False)
                groups.setdefault(key, []).append(lookup)
        by_predicates: dict[frozenset[Node], list[Node]] = {}
        for node, asked in by_node.items():
            by_predicates.setdefault(frozenset(asked), []).append(node)
        for predicates, nodes in by_predicates.items():
            for start in range(0, len(nodes), _BATCH):
                self._fetch_objects(nodes[start : start + _BATCH], predicates)
        for members in groups.values():
            for start in range(0, len(members), _BATCH):
                self._fetch(members[start : start + _BATCH])
        fetched = [lookup for members in groups.values() for lookup in members]
        return fetched + [("objects", node, p, None) for node, asked in by_node.items() for p in asked]

    def _answer(self, lookup: _Lookup) -> list[Node]:
        found = self._known.get(lookup)
        if found is None:
            if self._wanted is not None:
                self._wanted.add(lookup)
                raise _Missing
            self.load([lookup])
            found = self._known[lookup]
        return found

    def _fetch(self, lookups: list[_Lookup]) -> None:
        """One query for lookups of one kind and shape; each VALUES row carries its lookup's position."""
        positions, pattern = _lookup_pattern(lookups[0])
        rows = " ".join(
            f"({i} {' '.join(_sparql_term(lookup, p) for p in positions)})" for i, lookup in enumerate(lookups)
        )
        names = " ".join(f"?t{position}" for position in positions)
        query = f"SELECT DISTINCT ?i ?found WHERE {{ VALUES (?i {names}) {{ {rows} }} LATERAL {{ {pattern} }} }}"
        answers: list[dict[Node, None]] = [{} for _ in lookups]
        for row in _select(self.store, query, self.union):
            answers[int(row[0].value)][to_rdflib(row[1])] = None
        for lookup, found in zip(lookups, answers, strict=True):
            self._known[lookup] = list(found)

    def _fetch_objects(self, nodes: list[Node], predicates: frozenset[Node]) -> None:
        """The objects of each node by each of the predicates, from one scan of each node's triples."""
        rows = " ".join(f"({i} {to_ox(node)})" for i, node in enumerate(nodes))
        wanted = ", ".join(str(to_ox(predicate)) for predicate in predicates)
        query = f"""SELECT ?i ?p ?found WHERE {{ VALUES (?i ?node) {{ {rows} }}
            LATERAL {{ ?node ?p ?found FILTER(?p IN ({wanted})) }} }}"""
        named = {str(predicate): predicate for predicate in predicates}
        answers: dict[tuple[int, Node], dict[Node, None]] = {}
        for row in _select(self.store, query, self.union):
            answers.setdefault((int(row[0].value), named[row[1].value]), {})[to_rdflib(row[2])] = None
        for i, node in enumerate(nodes):
            for predicate in predicates:
                self._known[("objects", node, predicate, None)] = list(answers.get((i, predicate), ()))

    def _one(self, lookup: _Lookup) -> list[Node]:
        """A lookup with a blank node, by pattern lookups."""
        kind, subject, predicate, value = lookup
        if kind == "records":
            assert subject is not None
            return GraphSource(self).records(subject, predicate, value)
        subject_term, object_term = (to_ox(term) if term is not None else None for term in (subject, value))
        graph = None if self.union else ox.DefaultGraph()
        quads = self.store.quads_for_pattern(subject_term, to_ox(predicate), object_term, graph)  # type: ignore[arg-type]
        return list(dict.fromkeys(to_rdflib(quad.object if kind == "objects" else quad.subject) for quad in quads))


def _lookup_pattern(lookup: _Lookup) -> tuple[list[int], str]:
    """The positions of a lookup that a VALUES row gives (as ?t1 ?t2 ?t3), and the pattern that finds ?found."""
    kind = lookup[0]
    if kind == "objects":
        return [1], f"?t1 {_sparql_term(lookup, 2)} ?found"
    if kind == "subjects":
        return [3], f"?found {_sparql_term(lookup, 2)} ?t3"
    given = [position for position in (1, 2, 3) if lookup[position] is not None]
    return given, f"?found <{RDF.subject}> ?t1 ; <{RDF.predicate}> ?t2 ; <{RDF.object}> ?t3"


def _sparql_term(lookup: _Lookup, position: int) -> str:
    term = lookup[position]
    assert isinstance(term, Node)
    return str(to_ox(term))
