"""SHACL validation of one article at a time, for the shapes whose focus nodes only that article describes.

Fact records, evidence, selectors and the article node are minted under the article's own IRIs
(graph.ARTICLE_LOCAL_KINDS): every triple about them is in that article's triple list, so the shapes that
target their classes can be checked on the list alone, in the worker that wrote it, and cached with it.
The property checks are fastvalidate's compiled checks, run on dict indexes; the sh:sparql constraints are
run by a small evaluator of the SPARQL algebra the shapes use (basic graph patterns, FILTER, BIND,
FILTER NOT EXISTS and a few functions); anything else raises UnsupportedShapes.

What one article cannot settle is handed back as Pending, for `confirm` on the whole graph:
- a result of a constraint with FILTER NOT EXISTS (another article may hold what is missing here);
- the sh:sparql constraints on shared classes whose query matches a single triple about $this outside
  NOT EXISTS (every tg: fact of a treaty has a record with evidence): every global match lies in one
  article, so each article yields its candidates and the store confirms them, one small query per batch;
- a result whose value is a shared node (its label may come from another article).
`validate_shared` runs everything else on the store. Together they give the results of `validate.validate`
(tests/test_localvalidate.py compares them), provided each shared node an article states a fact about is
typed in that article, as ArticleWriter does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Node, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue, Expr

from .fastvalidate import (
    UnsupportedShapes,
    _PropertyCheck,
    _select,
    _value_conforms,
    compiled_checks,
    to_ox,
    to_rdflib,
    trace_all,
    validate_store,
)
from .validate import (
    ValidationReport,
    ValidationResult,
    _fill_message,
    _Finding,
    _shapes,
    _sort_key,
    _SparqlConstraint,
    _subclasses,
    _Tracer,
    _with_targets,
)

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Pending:
    """A finding of one article that only the whole graph can settle (`constraint` is re-run on it for this
    focus) or trace (`constraint` is None: it stands, but its value is a shared node)."""

    finding: _Finding
    constraint: _SparqlConstraint | None


@dataclass(frozen=True)
class ArticleCheck:
    """What one article's triples say about the local shapes: final results, and what `confirm` settles."""

    results: tuple[ValidationResult, ...]
    pending: tuple[Pending, ...]


def check_article(triples: Sequence[Triple]) -> ArticleCheck:
    """The local shapes on one article's triples (the list ArticleWriter.write returns)."""
    plan = _plan()
    index = _Index(triples)
    findings: list[_Finding] = []
    for check in plan.properties:
        findings += _property_findings(index, check)
    pending: list[Pending] = []
    for compiled in plan.constraints:
        for finding in compiled.findings(index):
            if compiled.settled_here:
                findings.append(finding)
            else:
                pending.append(Pending(finding, compiled.constraint))
    if not findings:
        return ArticleCheck((), tuple(dict.fromkeys(pending)))
    tracer = _Tracer(_graph(index.triples))
    results = []
    for finding in dict.fromkeys(findings):
        if isinstance(finding.value, URIRef) and not index.is_local(finding.value, plan.local_classes):
            pending.append(Pending(finding, None))
        else:
            results.append(tracer.result(finding))
    return ArticleCheck(tuple(sorted(set(results), key=_sort_key)), tuple(dict.fromkeys(pending)))


def validate_article(triples: Sequence[Triple]) -> tuple[ValidationResult, ...]:
    """The final results of the local shapes on one article (see `check_article` for the pending ones)."""
    return check_article(triples).results


def article_fact_candidates(triples: Sequence[Triple]) -> tuple[Pending, ...]:
    """The findings of one article that `confirm` settles on the whole graph (facts without a record with
    evidence in this article, records of facts this article does not state, ...)."""
    return check_article(triples).pending


def confirm(store: ox.Store, pending: Iterable[Pending], union: bool = False) -> tuple[ValidationResult, ...]:
    """The pending findings of all articles that hold on the whole graph in `store`, traced there."""
    findings: set[_Finding] = set()
    by_constraint: dict[_SparqlConstraint, set[_Finding]] = defaultdict(set)
    for item in pending:
        if item.constraint is None:
            findings.add(item.finding)
        else:
            by_constraint[item.constraint].add(item.finding)
    for constraint, candidates in by_constraint.items():
        findings.update(_confirmed(store, constraint, candidates, union))
    return tuple(sorted(trace_all(store, findings, union), key=_sort_key))


def validate_shared(store: ox.Store, union: bool = False, focus: Collection[Node] | None = None) -> ValidationReport:
    """The shapes `check_article` does not cover, on the store (only for `focus` when given)."""
    plan = _plan()
    return validate_store(
        store, union, skip_classes=plan.local_classes, focus=focus, per_article=plan.per_article_constraints
    )


def merge(*parts: Iterable[ValidationResult]) -> ValidationReport:
    """One report of the article results, the confirmed pending ones and the shared report's results."""
    results = tuple(sorted({result for part in parts for result in part}, key=_sort_key))
    return ValidationReport(conforms=not any(r.severity == "Violation" for r in results), results=results)


def local_classes() -> frozenset[Node]:
    """The shapes' target classes whose instances are article-local (see `_probe_local_classes`)."""
    return _plan().local_classes


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class _Plan:
    local_classes: frozenset[Node]
    properties: tuple[_PropertyCheck, ...]
    constraints: tuple[_CompiledConstraint, ...]
    per_article_constraints: frozenset[_SparqlConstraint]  # shared-target constraints run per article


@lru_cache(maxsize=1)
def _plan() -> _Plan:
    local = _probe_local_classes()
    properties, negations = compiled_checks()
    if any(set(negation.focus_classes) <= local for negation in negations):
        raise UnsupportedShapes("sh:not on an article-local class is not checked per article")
    constraints = []
    for constraint in _shapes().constraints:
        classes = _closure(constraint.targets)
        if classes <= local:
            constraints.append(_CompiledConstraint.compile(constraint, classes, settled_here=True))
        elif not classes & local:
            shared = _per_article_shared(constraint, classes)
            if shared is not None:
                constraints.append(shared)
    return _Plan(
        local_classes=local,
        properties=tuple(check for check in properties if set(check.focus_classes) <= local),
        constraints=tuple(constraints),
        per_article_constraints=frozenset(c.constraint for c in constraints if not c.settled_here),
    )


def _closure(classes: Iterable[Node]) -> frozenset[Node]:
    subclasses = _subclasses()
    return frozenset(sub for cls in classes for sub in subclasses.get(cls, {cls}))


def _probe_local_classes() -> frozenset[Node]:
    """The target classes (with subclasses) of the shapes that ArticleWriter gives only to nodes under
    ARTICLE_LOCAL_KINDS, read off what it writes for a one-fact probe article: a new kind of local node (or
    a class moved to shared nodes) changes the set without a list to keep up to date here."""
    from .gazetteer import default_gazetteer
    from .graph import ArticleWriter, article_local_prefixes, resolve
    from .types import ArticleFacts, DateFact, Evidence, Provenance, TreatyRef
    from .vocab import DEFAULT_BASE

    evidence = Evidence(begin=0, end=4, quote="1900")
    probe = ArticleFacts(
        path="probe.txt",
        format="text",
        title="Probe",
        text_length=4,
        content_sha256="",
        treaties=(TreatyRef(key="T0", label="Treaty of Probe", year=1900),),
        facts=(DateFact(treaty="T0", kind="signed", value="1900", prov=Provenance("probe", 1.0, evidence)),),
    )
    triples = ArticleWriter(probe, resolve([probe], DEFAULT_BASE), default_gazetteer()).write()
    prefixes = article_local_prefixes(DEFAULT_BASE)
    local_types = {o for s, p, o in triples if p == RDF.type and str(s).startswith(prefixes)}
    shared_types = {o for s, p, o in triples if p == RDF.type and not str(s).startswith(prefixes)}
    targets = _closure(_shapes().graph.objects(None, URIRef("http://www.w3.org/ns/shacl#targetClass")))
    return frozenset(targets & (local_types - shared_types))


def _per_article_shared(constraint: _SparqlConstraint, classes: frozenset[Node]) -> _CompiledConstraint | None:
    """A constraint on shared classes whose query, outside NOT EXISTS, matches one triple about $this: each
    of its results is found in the article that states that triple, and confirmed on the whole graph."""
    try:
        compiled = _CompiledConstraint.compile(constraint, classes, settled_here=False)
    except UnsupportedShapes:
        return None
    positive = compiled.positive_patterns
    if len(positive) == 1 and positive[0][0] == Variable("this"):
        return compiled
    return None


# ---------------------------------------------------------------- one article's triples


class _Index:
    """One article's triples, indexed the ways the checks look them up."""

    def __init__(self, triples: Sequence[Triple]) -> None:
        self.triples = triples  # duplicates are harmless: values are counted distinct, findings deduplicated
        self.about: dict[Node, list[tuple[Node, Node]]] = {}  # subject -> (predicate, object)
        self.by_p: dict[Node, list[tuple[Node, Node]]] = {}  # predicate -> (subject, object)
        about, by_p = self.about, self.by_p
        for s, p, o in triples:
            pairs = about.get(s)
            if pairs is None:
                about[s] = [(p, o)]
            else:
                pairs.append((p, o))
            pairs = by_p.get(p)
            if pairs is None:
                by_p[p] = [(s, o)]
            else:
                pairs.append((s, o))
        self.types: dict[Node, set[Node]] = defaultdict(set)
        self.of_type: dict[Node, list[Node]] = defaultdict(list)
        for s, o in by_p.get(RDF.type, ()):
            self.types[s].add(o)
            self.of_type[o].append(s)
        self._values: dict[Node, dict[Node, list[Node]]] = {}  # subject -> predicate -> objects, when asked
        self._subjects: dict[Node, dict[Node, list[Node]]] = {}  # predicate -> object -> subjects, when asked
        self._instances: dict[tuple[Node, ...] | frozenset[Node], list[Node]] = {}
        self._predicates: dict[Node, Node] | None = None

    def values(self, s: Node, p: Node) -> list[Node]:
        by_predicate = self._values.get(s)
        if by_predicate is None:
            by_predicate = self._values[s] = {}
            for predicate, o in self.about.get(s, ()):
                _append(by_predicate, predicate, o)
        return by_predicate.get(p, [])

    def subjects(self, p: Node, o: Node) -> list[Node]:
        by_object = self._subjects.get(p)
        if by_object is None:
            by_object = self._subjects[p] = {}
            for s, obj in self.by_p.get(p, ()):
                _append(by_object, obj, s)
        return by_object.get(o, [])

    def instances(self, classes: tuple[Node, ...] | frozenset[Node]) -> list[Node]:
        """Instances of any of `classes`, each once, in a stable order."""
        found = self._instances.get(classes)
        if found is None:
            unique: dict[Node, None] = {}
            for cls in classes:
                for node in self.of_type.get(cls, ()):
                    unique[node] = None
            found = self._instances[classes] = list(unique)
        return found

    def same(self, predicate: Node) -> Node:
        """The article's own object for an equal predicate: dict lookups then match by identity, without
        rdflib's (Python-level) equality test."""
        if self._predicates is None:
            self._predicates = {known: known for known in self.by_p}
        return self._predicates.get(predicate, predicate)

    def is_local(self, node: Node, local: frozenset[Node]) -> bool:
        return bool(self.types.get(node, set()) & local)


def _append(index: dict[Any, list[Any]], key: Any, item: Any) -> None:
    found = index.get(key)
    if found is None:
        index[key] = [item]
    else:
        found.append(item)


def _graph(triples: Iterable[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def _property_findings(index: _Index, check: _PropertyCheck) -> Iterator[_Finding]:
    """fastvalidate's checks of one property shape, on the article's triples."""
    value_checks = (
        check.datatypes is not None
        or check.allowed is not None
        or check.iri_only
        or check.min_inclusive is not None
        or check.max_inclusive is not None
    )
    path = index.same(check.path)
    for focus in index.instances(check.focus_classes):
        values = list(dict.fromkeys(index.values(focus, path)))
        if _outside(len(values), check.min_count, check.max_count):
            yield _Finding(check.severity, check.message, focus, check.path, None)
        if check.qualified_classes is not None:
            qualified = set(check.qualified_classes)
            count = sum(1 for value in values if index.types.get(value, set()) & qualified)
            if _outside(count, check.qualified_min, check.qualified_max):
                yield _Finding(check.severity, check.message, focus, check.path, None)
        for value in values:
            if check.classes is not None and not index.types.get(value, set()) & set(check.classes):
                yield _Finding(check.severity, check.message, focus, check.path, value)
            elif value_checks and not _conforms(check, value):
                yield _Finding(check.severity, check.message, focus, check.path, value)


_CONFORMS: dict[tuple[int, Node], bool] = {}  # (check, value) -> verdict: confidences, rules, offsets repeat


def _conforms(check: _PropertyCheck, value: Node) -> bool:
    key = (id(check), value)  # the checks live as long as the process (compiled_checks is cached)
    verdict = _CONFORMS.get(key)
    if verdict is None:
        if len(_CONFORMS) > 200_000:
            _CONFORMS.clear()
        verdict = _CONFORMS[key] = _value_conforms(check, value)
    return verdict


def _outside(count: int, minimum: int | None, maximum: int | None) -> bool:
    return (minimum is not None and count < minimum) or (maximum is not None and count > maximum)


# ---------------------------------------------------------------- sh:sparql constraints in Python

Binding = dict[str, Any]  # variable name -> rdflib term, or a Python value an expression computed
Solutions = Callable[[_Index, Binding], Iterator[Binding]]
Expression = Callable[[_Index, Binding], Any]


class _Error(Exception):
    """A SPARQL expression error: the FILTER fails, the BIND leaves its variable unbound."""


@dataclass(frozen=True)
class _CompiledConstraint:
    constraint: _SparqlConstraint
    focus_classes: frozenset[Node]
    solutions: Solutions
    settled_here: bool  # the article alone decides (local targets, no NOT EXISTS)
    positive_patterns: tuple[tuple[Any, Any, Any], ...]  # the triple patterns outside NOT EXISTS

    @staticmethod
    def compile(constraint: _SparqlConstraint, classes: frozenset[Node], settled_here: bool) -> _CompiledConstraint:
        compiler = _Compiler()
        algebra = prepareQuery(constraint.query).algebra
        solutions = compiler.pattern(algebra)
        return _CompiledConstraint(
            constraint=constraint,
            focus_classes=classes,
            solutions=solutions,
            settled_here=settled_here and not compiler.negated,
            positive_patterns=tuple(compiler.positive),
        )

    def findings(self, index: _Index) -> Iterator[_Finding]:
        """pyshacl's reading of a SPARQL constraint: $this pre-bound to each focus node in turn."""
        for focus in index.instances(self.focus_classes):
            for row in self.solutions(index, {"this": focus}):
                bindings = {name: _term(value) for name, value in row.items()}
                yield _Finding(
                    severity=self.constraint.severity,
                    message=_fill_message(self.constraint.message, bindings),
                    focus=focus,
                    path=bindings.get("path"),
                    value=bindings.get("value"),
                )


class _Compiler:
    """SPARQL algebra (as rdflib translates it) -> Python closures over an article's _Index."""

    def __init__(self) -> None:
        self.negated = False  # the query has FILTER NOT EXISTS
        self.positive: list[tuple[Any, Any, Any]] = []
        self.bound: set[str] = {"this"}  # variables bound where the pattern being compiled runs (pre-bound $this)

    def pattern(self, node: Any) -> Solutions:
        name = getattr(node, "name", None)
        handler = getattr(self, f"_pattern_{name}", None)
        if handler is None:
            raise UnsupportedShapes(f"SPARQL pattern {name} is not evaluated per article")
        return handler(node)  # type: ignore[no-any-return]

    def _pattern_SelectQuery(self, node: CompValue) -> Solutions:
        return self.pattern(node.p)

    def _pattern_Project(self, node: CompValue) -> Solutions:
        inner, names = self.pattern(node.p), [str(v) for v in node.PV]

        def project(index: _Index, binding: Binding) -> Iterator[Binding]:
            for row in inner(index, binding):
                yield {name: row[name] for name in names if name in row}

        return project

    def _pattern_Distinct(self, node: CompValue) -> Solutions:
        inner = self.pattern(node.p)

        def distinct(index: _Index, binding: Binding) -> Iterator[Binding]:
            seen: set[frozenset[tuple[str, Any]]] = set()
            for row in inner(index, binding):
                key = frozenset((name, _term(value)) for name, value in row.items())
                if key not in seen:
                    seen.add(key)
                    yield row

        return distinct

    def _pattern_Filter(self, node: CompValue) -> Solutions:
        inner, condition = self.pattern(node.p), self.expression(node.expr)

        def keep(index: _Index, binding: Binding) -> Iterator[Binding]:
            for row in inner(index, binding):
                try:
                    passed = _truth(condition(index, row))
                except _Error:
                    passed = False
                if passed:
                    yield row

        return keep

    def _pattern_Extend(self, node: CompValue) -> Solutions:
        inner, value, var = self.pattern(node.p), self.expression(node.expr), str(node.var)
        self.bound.add(var)

        def extend(index: _Index, binding: Binding) -> Iterator[Binding]:
            for row in inner(index, binding):
                try:
                    yield {**row, var: value(index, row)}
                except _Error:
                    yield row

        return extend

    def _pattern_Join(self, node: CompValue) -> Solutions:
        first, second = self.pattern(node.p1), self.pattern(node.p2)

        def join(index: _Index, binding: Binding) -> Iterator[Binding]:
            for row in first(index, binding):
                yield from second(index, row)

        return join

    def _pattern_BGP(self, node: CompValue) -> Solutions:
        patterns = [tuple(triple) for triple in node.triples]
        self.positive += patterns
        solutions = _bgp(patterns, self.bound)
        self.bound |= {str(term) for pattern in patterns for term in pattern if isinstance(term, Variable)}
        return solutions

    # ---- expressions

    def expression(self, node: Any) -> Expression:
        if isinstance(node, Variable):
            name = str(node)

            def variable(index: _Index, binding: Binding) -> Any:
                if name not in binding:
                    raise _Error(f"?{name} is unbound")
                return binding[name]

            return variable
        if isinstance(node, (URIRef, Literal)):
            return lambda index, binding: node
        kind = getattr(node, "name", None)
        handler = getattr(self, f"_expr_{kind}", None)
        if not isinstance(node, Expr) or handler is None:
            raise UnsupportedShapes(f"SPARQL expression {kind or node!r} is not evaluated per article")
        return handler(node)  # type: ignore[no-any-return]

    def _expr_RelationalExpression(self, node: CompValue) -> Expression:
        if node.op not in _COMPARISONS:
            raise UnsupportedShapes(f"SPARQL operator {node.op} is not evaluated per article")
        left, right, compare = self.expression(node.expr), self.expression(node.other), _COMPARISONS[node.op]
        return lambda index, binding: compare(left(index, binding), right(index, binding))

    def _expr_AdditiveExpression(self, node: CompValue) -> Expression:
        return self._arithmetic(node)

    def _expr_MultiplicativeExpression(self, node: CompValue) -> Expression:
        return self._arithmetic(node)

    def _arithmetic(self, node: CompValue) -> Expression:
        first = self.expression(node.expr)
        steps = [(_ARITHMETIC[op], self.expression(other)) for op, other in zip(node.op, node.other, strict=True)]

        def compute(index: _Index, binding: Binding) -> Any:
            total = _number(first(index, binding))
            for operate, operand in steps:
                total = operate(total, _number(operand(index, binding)))
            return total

        return compute

    def _expr_ConditionalAndExpression(self, node: CompValue) -> Expression:
        parts = [self.expression(node.expr)] + [self.expression(other) for other in node.other]
        return lambda index, binding: all(_truth(part(index, binding)) for part in parts)

    def _expr_ConditionalOrExpression(self, node: CompValue) -> Expression:
        parts = [self.expression(node.expr)] + [self.expression(other) for other in node.other]
        return lambda index, binding: any(_truth(part(index, binding)) for part in parts)

    def _expr_UnaryNot(self, node: CompValue) -> Expression:
        inner = self.expression(node.expr)
        return lambda index, binding: not _truth(inner(index, binding))

    def _expr_Builtin_STR(self, node: CompValue) -> Expression:
        inner = self.expression(node.arg)
        return lambda index, binding: _lexical(inner(index, binding))

    def _expr_Builtin_STRLEN(self, node: CompValue) -> Expression:
        inner = self.expression(node.arg)
        return lambda index, binding: len(_string(inner(index, binding)))

    def _expr_Builtin_STRSTARTS(self, node: CompValue) -> Expression:
        text, start = self.expression(node.arg1), self.expression(node.arg2)
        return lambda index, binding: _string(text(index, binding)).startswith(_string(start(index, binding)))

    def _expr_Builtin_SUBSTR(self, node: CompValue) -> Expression:
        text, start = self.expression(node.arg), self.expression(node.start)
        length = self.expression(node.length) if node.length is not None else None

        def substring(index: _Index, binding: Binding) -> Any:
            value = text(index, binding)
            first = _whole(start(index, binding))
            end = first + _whole(length(index, binding)) if length is not None else None
            cut = _string(value)[max(first, 1) - 1 : None if end is None else max(end - 1, 0)]
            return Literal(cut, lang=value.language) if isinstance(value, Literal) and value.language else cut

        return substring

    def _expr_Builtin_IF(self, node: CompValue) -> Expression:
        condition, then, otherwise = (
            self.expression(node.arg1),
            self.expression(node.arg2),
            self.expression(node.arg3),
        )
        return lambda index, binding: (then if _truth(condition(index, binding)) else otherwise)(index, binding)

    def _expr_Builtin_NOTEXISTS(self, node: CompValue) -> Expression:
        self.negated = True
        positive, bound = list(self.positive), set(self.bound)
        matches = self.pattern(node.graph)
        self.positive, self.bound = positive, bound  # the negated patterns bind nothing outside, match nothing
        return lambda index, binding: next(matches(index, binding), None) is None


_Slot = tuple[str | None, Node | None]  # (variable name, None) or (None, constant term)


def _bgp(patterns: list[tuple[Any, ...]], bound: set[str]) -> Solutions:
    """A basic graph pattern as nested loops, in an order fixed here: the pattern with the most positions
    known (constants and variables bound so far) first, a known subject before a known object."""
    for pattern in patterns:
        if len(pattern) != 3 or any(isinstance(term, PropertyPath) for term in pattern):
            raise UnsupportedShapes("property paths are not evaluated per article")
    slots = [tuple((str(t), None) if isinstance(t, Variable) else (None, t) for t in pattern) for pattern in patterns]
    known, steps = set(bound), []
    while slots:
        best = max(slots, key=lambda pattern: _known_score(pattern, known))
        slots.remove(best)
        steps.append(_step(best, known))
        known |= {name for name, _ in best if name is not None}

    def solve(index: _Index, binding: Binding) -> Iterator[Binding]:
        return _run(index, binding, steps, 0)

    return solve


def _known_score(pattern: tuple[_Slot, ...], known: set[str]) -> tuple[int, bool, bool]:
    """More known positions first; then a known subject; then an object other than $this (a focus node is
    a hub: every record about a treaty points at it)."""
    positions = [name is None or name in known for name, _ in pattern]
    return sum(positions), positions[0], pattern[2][0] != "this"


Step = Callable[[_Index, Binding], Iterable[Binding]]


def _run(index: _Index, binding: Binding, steps: list[Step], at: int) -> Iterator[Binding]:
    if at == len(steps):
        yield binding
        return
    for row in steps[at](index, binding):
        yield from _run(index, row, steps, at + 1)


def _step(pattern: tuple[_Slot, ...], known: set[str]) -> Step:
    """One triple pattern, specialised for the positions bound when it runs (the common shapes), else generic."""
    (s_name, s_term), (p_name, p_term), (o_name, o_term) = pattern
    names = [name for name, _ in pattern if name is not None]
    s_known, o_known = s_name is None or s_name in known, o_name is None or o_name in known
    if len(names) == len(set(names)) and p_name is None and s_known and o_name is not None and not o_known:
        return _objects_step(s_name, s_term, p_term, o_name)  # type: ignore[arg-type]
    if len(names) == len(set(names)) and p_name is None and s_name is not None and not s_known and o_known:
        return _subjects_step(s_name, p_term, o_name, o_term)  # type: ignore[arg-type]

    def generic(index: _Index, binding: Binding) -> Iterator[Binding]:
        resolved = tuple(_resolve(slot, binding) for slot in pattern)
        return _match(index, binding, pattern, resolved)

    return generic


def _objects_step(s_name: str | None, s_term: Node | None, p_term: Node, o_name: str) -> Step:
    def objects(index: _Index, binding: Binding) -> Iterator[Binding]:
        subject = _resolve((s_name, s_term), binding)
        for obj in index.values(subject, index.same(p_term)) if subject is not None else ():
            yield {**binding, o_name: obj}

    return objects


def _subjects_step(s_name: str, p_term: Node, o_name: str | None, o_term: Node | None) -> Step:
    def subjects(index: _Index, binding: Binding) -> Iterator[Binding]:
        obj = _resolve((o_name, o_term), binding)
        for subject in index.subjects(index.same(p_term), obj) if obj is not None else ():
            yield {**binding, s_name: subject}

    return subjects


def _resolve(slot: _Slot, binding: Binding) -> Node | None:
    name, term = slot
    if name is None:
        return term
    value = binding.get(name)
    return value if value is None or isinstance(value, Node) else _term(value)


def _match(
    index: _Index, binding: Binding, pattern: tuple[_Slot, ...], resolved: tuple[Node | None, ...]
) -> Iterator[Binding]:
    s, p, o = resolved
    for triple in _candidates(index, s, p, o):
        row = dict(binding)
        if all(_bind(row, slot[0], value) for slot, value in zip(pattern, triple, strict=True)):
            yield row


def _candidates(index: _Index, s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
    if s is not None:
        pairs = [(p, obj) for obj in index.values(s, p)] if p is not None else index.about.get(s, [])
        return ((s, predicate, obj) for predicate, obj in pairs if o is None or obj == o)
    if p is not None:
        if o is not None:
            return ((subject, p, o) for subject in index.subjects(p, o))
        return ((subject, p, obj) for subject, obj in index.by_p.get(p, ()))
    return (triple for triple in index.triples if o is None or triple[2] == o)


def _bind(row: Binding, name: str | None, value: Node) -> bool:
    if name is None:
        return True
    if name in row:
        return _term(row[name]) == value
    row[name] = value
    return True


# ---- SPARQL values: rdflib terms as bound, Python values (int, Decimal, float, str, bool) as computed

_NUMERIC = frozenset(
    XSD[name]
    for name in (
        "integer decimal float double nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger "
        "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
)


def _term(value: Any) -> Node:
    if isinstance(value, Node):
        return value
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, (Decimal, float)):
        return Literal(value)
    return Literal(str(value))


def _number(value: Any) -> int | Decimal | float:
    if isinstance(value, Literal):
        if (
            value.datatype in _NUMERIC
            and value.ill_typed is not True
            and isinstance(value.value, (int, Decimal, float))
        ):
            return value.value  # type: ignore[no-any-return]
        raise _Error(f"{value!r} is not a number")
    if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
        return value
    raise _Error(f"{value!r} is not a number")


def _whole(value: Any) -> int:
    return int(round(_number(value)))


def _string(value: Any) -> str:
    """The text of a string literal (plain, xsd:string or language-tagged)."""
    if type(value) is str:
        return value
    if isinstance(value, Literal) and (value.datatype in (None, XSD.string)):
        return str(value)
    raise _Error(f"{value!r} is not a string")


def _lexical(value: Any) -> str:
    if isinstance(value, (URIRef, Literal)):
        return str(value)
    if isinstance(value, BNode):
        raise _Error("STR of a blank node")
    return str(_term(value))


def _truth(value: Any) -> bool:
    """SPARQL's effective boolean value."""
    if isinstance(value, bool):
        return value
    if isinstance(value, Literal) and value.datatype == XSD.boolean:
        return bool(value.value)
    if type(value) is str or (isinstance(value, Literal) and value.datatype in (None, XSD.string)):
        return bool(_string(value))
    number = _number(value)
    return number == number and number != 0  # NaN is false


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both as numbers, or both as simple strings; None when SPARQL would not order them."""
    try:
        return _number(left), _number(right)
    except _Error:
        pass
    if _plain(left) and _plain(right):
        return str(left), str(right)
    return None


def _plain(value: Any) -> bool:
    return type(value) is str or (
        isinstance(value, Literal) and value.datatype in (None, XSD.string) and not value.language
    )


def _order(check: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(left: Any, right: Any) -> bool:
        pair = _comparable(left, right)
        if pair is None:
            raise _Error(f"cannot order {left!r} and {right!r}")
        return check(*pair)

    return compare


def _equal(left: Any, right: Any) -> bool:
    pair = _comparable(left, right)
    if pair is not None:
        return bool(pair[0] == pair[1])
    left_term, right_term = _term(left), _term(right)
    if left_term == right_term:
        return True
    if isinstance(left_term, Literal) and isinstance(right_term, Literal):
        raise _Error(f"cannot compare {left!r} and {right!r}")
    return False


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": _equal,
    "!=": lambda left, right: not _equal(left, right),
    "<": _order(lambda a, b: a < b),
    ">": _order(lambda a, b: a > b),
    "<=": _order(lambda a, b: a <= b),
    ">=": _order(lambda a, b: a >= b),
}


def _arithmetic_on(operate: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """SPARQL's numeric promotion: integers stay integers, a decimal makes decimals, a float makes floats."""

    def apply(a: Any, b: Any) -> Any:
        if isinstance(a, float) or isinstance(b, float):
            return operate(float(a), float(b))
        if isinstance(a, Decimal) or isinstance(b, Decimal):
            return operate(Decimal(a), Decimal(b))
        return operate(a, b)

    return apply


def _divide(a: Any, b: Any) -> Any:
    if b == 0:
        raise _Error("division by zero")
    return a / b if isinstance(a, float) else Decimal(a) / Decimal(b)


_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": _arithmetic_on(lambda a, b: a + b),
    "-": _arithmetic_on(lambda a, b: a - b),
    "*": _arithmetic_on(lambda a, b: a * b),
    "/": _arithmetic_on(_divide),
}


# ---------------------------------------------------------------- confirming on the whole graph


def _confirmed(
    store: ox.Store, constraint: _SparqlConstraint, candidates: Iterable[_Finding], union: bool
) -> Iterator[_Finding]:
    """The rows of `constraint` on the whole graph for the candidates' focus nodes, a few hundred focus nodes
    per query. Only ?this is bound (a query may BIND ?path itself); every row is a result of the whole graph
    run, and every such result is some article's candidate."""
    from .fastvalidate import not_exists_as_minus

    focus = sorted({str(to_ox(finding.focus)) for finding in candidates})
    query = not_exists_as_minus(_with_targets(constraint.query, _closure(constraint.targets)))
    head, brace, body = query.partition("{")
    for start in range(0, len(focus), 300):
        restriction = f"VALUES ?this {{ {' '.join(focus[start : start + 300])} }}"
        solutions = _select(store, f"{head}{brace} {restriction} {body}", union)
        variables = [variable.value for variable in solutions.variables]
        for row in solutions:
            bindings = {name: to_rdflib(row[name]) for name in variables if row[name] is not None}
            yield _Finding(
                severity=constraint.severity,
                message=_fill_message(constraint.message, bindings),
                focus=bindings["this"],
                path=bindings.get("path"),
                value=bindings.get("value"),
            )
