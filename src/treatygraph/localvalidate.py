"""SHACL validation of one article at a time, for the shapes whose focus nodes only that article describes.

Fact records, evidence, selectors and the article node are minted under the article's own IRIs
(graph.ARTICLE_LOCAL_KINDS): every triple about them is in that article's triple list, so the shapes that
target their classes can be checked on the list alone, in the worker that wrote it, and cached with it.
The property checks are fastvalidate's compiled checks, run on dict indexes; the sh:sparql constraints are
compiled, once per process, into Python functions over those indexes (`_Codegen`: the SPARQL algebra the
shapes use, read as rdflib reads it: basic graph patterns, FILTER, BIND, FILTER NOT EXISTS and a few
functions); anything else raises UnsupportedShapes. A writer checks an article in about a quarter of a
millisecond (`python3 benchmarks/local_validation.py CORPUS`).

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

import re
import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, Node, URIRef, Variable
from rdflib.namespace import RDF, XSD
from rdflib.paths import Path as PropertyPath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.datatypes import XSD_DTs as _XSD_DATATYPES
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
    for focus_classes, checks in plan.properties:
        findings += _group_findings(index, focus_classes, checks)
    pending: list[Pending] = []
    for compiled in plan.constraints:
        for finding in compiled.findings(index):
            if compiled.settled_here:
                findings.append(finding)
            else:
                pending.append(Pending(finding, compiled.constraint))
    if not findings:
        return ArticleCheck((), tuple(dict.fromkeys(pending)))
    tracer = _Tracer(GraphSource(index))
    results = []
    for finding in dict.fromkeys(findings):
        if isinstance(finding.value, URIRef) and not index.is_local(finding.value, plan.local_classes):
            pending.append(Pending(finding, None))
        else:
            results.append(tracer.result(finding))
    return ArticleCheck(tuple(sorted(set(results), key=_sort_key)), tuple(dict.fromkeys(pending)))


def prepare() -> None:
    """Compile the shapes' checks now (a build does it before forking its workers, which then share them)."""
    _plan()


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
    properties: tuple[tuple[tuple[Node, ...], tuple[_LocalCheck, ...]], ...]  # by focus classes
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
        properties=_by_focus(check for check in properties if set(check.focus_classes) <= local),
        constraints=tuple(constraints),
        per_article_constraints=frozenset(c.constraint for c in constraints if not c.settled_here),
    )


def _by_focus(checks: Iterable[_PropertyCheck]) -> tuple[tuple[tuple[Node, ...], tuple[_LocalCheck, ...]], ...]:
    groups: dict[tuple[Node, ...], list[_LocalCheck]] = {}
    for check in checks:
        groups.setdefault(check.focus_classes, []).append(_LocalCheck(check))
    return tuple((classes, tuple(group)) for classes, group in groups.items())


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
        self.spo: dict[Node, dict[Node, list[Node]]] = {}  # subject -> predicate -> objects
        spo = self.spo
        # a writer lists each node's triples together: the subject's dict is looked up once per run of them
        last: object = _NO_SUBJECT
        by_predicate: dict[Node, list[Node]] = {}
        for s, p, o in triples:
            if s is not last:
                last, by_predicate = s, spo.setdefault(s, {})
            objects = by_predicate.get(p)
            if objects is None:
                by_predicate[p] = [o]
            else:
                objects.append(o)
        # the article's own object for each predicate it uses (dict lookups by it match by identity)
        every: dict[Node, list[Node]] = {}
        for by_predicate in spo.values():
            every.update(by_predicate)
        self.predicates: dict[Node, Node] = {p: p for p in every}
        self._pairs: dict[Node, list[tuple[Node, Node]]] = {}
        self.rdf_type = self.predicates.get(_RDF_TYPE, _RDF_TYPE)
        self.of_type: dict[Node, list[Node]] = defaultdict(list)
        for s, by_predicate in spo.items():
            for o in by_predicate.get(self.rdf_type, ()):
                self.of_type[o].append(s)
        self._subjects: dict[Node, dict[Node, list[Node]]] = {}  # predicate -> object -> subjects, when asked
        self._instances: dict[tuple[Node, ...] | frozenset[Node], list[Node]] = {}
        self._cached: dict[Callable[[_Index], Any], Any] = {}

    def values(self, s: Node, p: Node) -> list[Node]:
        return self.spo.get(s, _NOTHING).get(p, [])

    def pairs(self, p: Node) -> list[tuple[Node, Node]]:
        """The (subject, object) pairs of a predicate."""
        found = self._pairs.get(p)
        if found is None:
            found = self._pairs[p] = [(s, o) for s, by_predicate in self.spo.items() for o in by_predicate.get(p, ())]
        return found

    def subjects(self, p: Node, o: Node) -> list[Node]:
        by_object = self._subjects.get(p)
        if by_object is None:
            by_object = self._subjects[p] = {}
            for s, obj in self.pairs(p):
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
        rdflib's Python-level equality test."""
        found = self.own(predicate)
        return predicate if found is None else found

    def own(self, predicate: Node) -> Node | None:
        """The article's own object for an equal predicate, None if it uses none. The writer makes one
        object per vocabulary term, so the one found in the last article is tried first (by identity)."""
        guess = _LAST_OWN.get(predicate)
        if guess is not None and self.predicates.get(guess) is guess:
            return guess
        found = self.predicates.get(predicate)
        if found is not None:
            _LAST_OWN[predicate] = found
        return found

    def cached(self, build: Callable[[_Index], Any]) -> Any:
        """`build(self)`, made once per article (the sets a NOT EXISTS test looks in)."""
        found = self._cached.get(build)
        if found is None:
            found = self._cached[build] = build(self)
        return found

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        """As rdflib's Graph.objects (the tracer reads the article through these lookups)."""
        return self.values(subject, predicate)

    def is_local(self, node: Node, local: frozenset[Node]) -> bool:
        return not local.isdisjoint(self.values(node, self.rdf_type))


_NOTHING: dict[Node, list[Node]] = {}
_NO_SUBJECT = object()
_LAST_OWN: dict[Node, Node] = {}  # a constant of the checks -> the equal object of the last article using it
_CONSTANTS: dict[Node, Node] = {}


def _interned(term: Node) -> Node:
    """One object per constant IRI of the checks (across constraints and property shapes): _LAST_OWN finds
    it by identity."""
    return _CONSTANTS.setdefault(term, term) if isinstance(term, URIRef) else term


_RDF_TYPE = RDF.type


def _append(index: dict[Any, list[Any]], key: Any, item: Any) -> None:
    found = index.get(key)
    if found is None:
        index[key] = [item]
    else:
        found.append(item)


class _LocalCheck:
    """A property check as the article loop runs it: its class sets and count bounds made once, its value
    verdicts kept (confidences, rules and offsets repeat from article to article) under keys Python hashes
    and compares in C (rdflib's terms do both in Python)."""

    def __init__(self, check: _PropertyCheck) -> None:
        self.check = check
        self.path = _interned(check.path)
        self.classes = frozenset(check.classes) if check.classes is not None else None
        self.qualified = frozenset(check.qualified_classes) if check.qualified_classes is not None else None
        # sh:minCount / sh:maxCount (and the qualified ones) as bounds of one chained comparison
        self.counts = _bounds(check.min_count, check.max_count)
        self.qualified_counts = _bounds(check.qualified_min, check.qualified_max)
        self.value_checks = (
            check.datatypes is not None
            or check.allowed is not None
            or check.iri_only
            or check.min_inclusive is not None
            or check.max_inclusive is not None
        )
        self.per_value = self.classes is not None or self.value_checks
        # a datatype check alone reads of a literal only its datatype, language, ill-typedness and the
        # Python type of its value (fastvalidate._has_datatype): one verdict serves every such literal
        self.by_kind = (
            check.datatypes is not None
            and check.allowed is None
            and not check.iri_only
            and check.min_inclusive is None
            and check.max_inclusive is None
        )
        self.verdicts: dict[tuple[Any, ...], bool] = {}
        # the writer makes one object for a recurring literal (an offset, a rule, a confidence): its verdict
        # is found by the object's id, without building a key; the object is held so its id stays its own
        self.by_id: dict[int, tuple[Node, bool]] = {}

    def conforms(self, value: Node) -> bool:
        known = self.by_id.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        verdict = self.verdict(value)
        if len(self.by_id) >= 4096:
            self.by_id.clear()
        self.by_id[id(value)] = (value, verdict)
        return verdict

    def verdict(self, value: Node) -> bool:
        if isinstance(value, Literal):
            datatype = str(value.datatype) if value.datatype is not None else None
            if self.by_kind:
                key: tuple[Any, ...] = (datatype, value.language, value.ill_typed, type(value.value))
            else:
                key = (str(value), datatype, value.language)
        else:
            key = (type(value), str(value))
        verdict = self.verdicts.get(key)
        if verdict is None:
            if len(self.verdicts) > 100_000:
                self.verdicts.clear()
            verdict = self.verdicts[key] = _value_conforms(self.check, value)
        return verdict


def _members(index: _Index, classes: frozenset[Node] | None) -> set[Node] | None:
    return None if classes is None else set(index.instances(classes))


def _bounds(minimum: int | None, maximum: int | None) -> tuple[int, int]:
    return (0 if minimum is None else minimum, sys.maxsize if maximum is None else maximum)


def _group_findings(
    index: _Index, focus_classes: tuple[Node, ...], checks: tuple[_LocalCheck, ...]
) -> Iterator[_Finding]:
    """fastvalidate's checks of the property shapes on one target class, on the article's triples: each
    focus node's values by predicate are looked up once for all its checks."""
    # a value's sh:class (or qualified class) test is a lookup in the set of the classes' instances
    runs = [
        (local, local.check, index.same(local.path), _members(index, local.classes), _members(index, local.qualified))
        for local in checks
    ]
    for focus in index.instances(focus_classes):
        by_predicate = index.spo.get(focus, _NOTHING)
        for local, check, path, members, qualified in runs:
            values = by_predicate.get(path, ())
            if len(values) > 1:
                values = list(dict.fromkeys(values))
            fewest, most = local.counts
            if not fewest <= len(values) <= most:
                yield _Finding(check.severity, check.message, focus, check.path, None)
            if qualified is not None:
                count = sum(1 for value in values if value in qualified)
                fewest, most = local.qualified_counts
                if not fewest <= count <= most:
                    yield _Finding(check.severity, check.message, focus, check.path, None)
            if not local.per_value:
                continue
            for value in values:
                if members is not None and value not in members:
                    yield _Finding(check.severity, check.message, focus, check.path, value)
                elif local.value_checks and not local.conforms(value):
                    yield _Finding(check.severity, check.message, focus, check.path, value)


# ---------------------------------------------------------------- sh:sparql constraints compiled to Python


class _Error(Exception):
    """A SPARQL expression error: the FILTER fails, the BIND leaves its variable unbound."""


Row = dict[str, Any]  # variable name -> rdflib term, or a Python value an expression computed
Run = Callable[["_Index", list[Node]], Iterator[tuple[Node, Row]]]  # the focus nodes' rows


@dataclass(frozen=True)
class _CompiledConstraint:
    constraint: _SparqlConstraint
    focus_classes: frozenset[Node]
    run: Run
    distinct: bool
    settled_here: bool  # the article alone decides (local targets, no NOT EXISTS)
    positive_patterns: tuple[tuple[Any, Any, Any], ...]  # the triple patterns outside NOT EXISTS
    required: tuple[Node, ...]  # fixed predicates of those patterns: an article lacking one has no rows
    source: str  # the generated Python

    @staticmethod
    def compile(constraint: _SparqlConstraint, classes: frozenset[Node], settled_here: bool) -> _CompiledConstraint:
        generated = _Codegen().query(prepareQuery(constraint.query).algebra)
        positive = tuple(generated.positive)
        return _CompiledConstraint(
            constraint=constraint,
            focus_classes=classes,
            run=generated.run,
            distinct=generated.distinct,
            settled_here=settled_here and not generated.negated,
            positive_patterns=positive,
            required=tuple(dict.fromkeys(_interned(p) for _, p, _ in positive if isinstance(p, URIRef))),
            source=generated.source,
        )

    def findings(self, index: _Index) -> Iterator[_Finding]:
        """pyshacl's reading of a SPARQL constraint: $this pre-bound to each focus node in turn."""
        foci = index.instances(self.focus_classes)
        if not foci or not all(index.own(predicate) is not None for predicate in self.required):
            return  # no rows (the sets a NOT EXISTS looks in are not even built)
        rows = self.run(index, foci)
        for focus, row in _distinct(rows) if self.distinct else rows:
            bindings = {name: _term(value) for name, value in row.items()}
            yield _Finding(
                severity=self.constraint.severity,
                message=_fill_message(self.constraint.message, bindings),
                focus=focus,
                path=bindings.get("path"),
                value=bindings.get("value"),
            )


def _distinct(rows: Iterable[tuple[Node, Row]]) -> Iterator[tuple[Node, Row]]:
    """Each focus node's distinct rows."""
    seen: set[tuple[Node, frozenset[tuple[str, Any]]]] = set()
    for focus, row in rows:
        key = (focus, frozenset((name, _term(value)) for name, value in row.items()))
        if key not in seen:
            seen.add(key)
            yield focus, row


@dataclass(frozen=True)
class _Local:
    """Where the generated code keeps a variable's value."""

    name: str  # the Python local
    term: bool  # always an rdflib term, never unbound (bound by a triple pattern, or $this)


@dataclass
class _Generated:
    run: Run
    distinct: bool
    negated: bool
    positive: list[tuple[Any, Any, Any]]
    source: str


Scope = dict[str, _Local]
Then = Callable[[Scope], list[str]]  # the code that runs on each row, given where its variables are


class _Codegen:
    """SPARQL algebra (as rdflib translates it) -> the source of a Python function over an article's _Index.

    `run(ix, foci)` is nested loops over the index: the focus nodes, then one loop per triple pattern (in the
    order `_pattern_order` picks), with FILTER, BIND and FILTER NOT EXISTS as plain statements between them
    and each variable in a Python local: no binding is built until a row is found. Expressions call the
    small helpers below (SPARQL's value rules); an error (_Error) fails the FILTER or leaves the BIND's
    variable unbound (_U). A FILTER's `&&` is a FILTER per part, each tested as soon as the loops have bound
    its variables; a part on one variable remembers its verdict per value (a predicate's namespace, say).
    A NOT EXISTS whose pattern has no triple fully known from outside becomes a set, built once per article,
    of the values its outside variables may not take; any other is a function that looks."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = dict(_GENERATED_HELPERS)
        self.functions: list[str] = []
        self.positive: list[tuple[Any, Any, Any]] = []
        self.negated = False
        self.negation_depth = 0
        self.hoisted: dict[str, str] | None = None  # in a function run once per article: local -> expression
        self.pending: list[tuple[str, Any]] = []  # FILTER parts waiting for their variables: (filter, part)
        self.count = 0

    def query(self, algebra: Any) -> _Generated:
        node = algebra.p if getattr(algebra, "name", None) == "SelectQuery" else algebra
        distinct = getattr(node, "name", None) == "Distinct"
        node = node.p if distinct else node
        if getattr(node, "name", None) != "Project":
            raise UnsupportedShapes("only SELECT [DISTINCT] queries are evaluated per article")
        names = [str(variable) for variable in node.PV]
        scope = {"this": _Local("v_this", term=True)}
        self.function("run", {}, node.p, lambda inner: _yield_row(names, inner), per_article=True, foci=scope)
        source = "\n\n".join(self.functions) + "\n"
        exec(compile(source, "<sh:sparql constraint>", "exec"), self.namespace)  # noqa: S102 - our own code
        return _Generated(self.namespace["run"], distinct, self.negated, self.positive, source)

    def function(
        self,
        name: str,
        params: Scope,
        node: Any,
        then: Then,
        per_article: bool = False,
        foci: Scope | None = None,
        first: tuple[str, ...] = (),
        last: str = "return",
    ) -> None:
        """Write `def name(ix, *params)` (or `(ix, foci)`, looping over the focus nodes as $this): `first`,
        then, in a function run once per article, the article's own objects for its constants, the
        pattern's code, `last`."""
        outer, self.hoisted = self.hoisted, ({} if per_article else None)
        waiting, self.pending = self.pending, []
        body = self.pattern(node, {**params, **(foci or {})}, then)
        hoisted = [f"{local} = {expression}" for local, expression in (self.hoisted or {}).items()]
        self.hoisted, self.pending = outer, waiting
        if foci is not None:
            body = [f"for {foci['this'].name} in foci:", *_indent(body)]
        arguments = ", ".join(["ix", *(local.name for local in params.values()), *(["foci"] if foci else [])])
        self.functions.append(f"def {name}({arguments}):\n" + "\n".join(_indent([*first, *hoisted, *body, last])))

    def fresh(self, hint: str) -> str:
        self.count += 1
        return f"{re.sub(r'[^A-Za-z0-9_]', '_', hint)}_{self.count}"

    def constant(self, value: Any) -> str:
        name = self.fresh("k")
        self.namespace[name] = value
        return name

    # ---- patterns: each writes the code for its rows and hands them to `then`

    def pattern(self, node: Any, scope: Scope, then: Then) -> list[str]:
        handler = getattr(self, f"_pattern_{getattr(node, 'name', None)}", None)
        if handler is None:
            raise UnsupportedShapes(f"SPARQL pattern {getattr(node, 'name', node)} is not evaluated per article")
        return handler(node, scope, then)  # type: ignore[no-any-return]

    def _pattern_Join(self, node: CompValue, scope: Scope, then: Then) -> list[str]:
        return self.pattern(node.p1, scope, lambda inner: self.pattern(node.p2, inner, then))

    def _pattern_Extend(self, node: CompValue, scope: Scope, then: Then) -> list[str]:
        def extend(inner: Scope) -> list[str]:
            local = self.fresh(f"v_{node.var}")
            value, _ = self.expression(node.expr, inner)
            extended = {**inner, str(node.var): _Local(local, term=False)}
            chunk = f"try:\n    {local} = {value}\nexcept _Error:\n    {local} = _U"
            return _nest([chunk, *self.ready_filters(extended)], then(extended))

        return self.pattern(node.p, scope, extend)

    def _pattern_Filter(self, node: CompValue, scope: Scope, then: Then) -> list[str]:
        """Each part of the condition's `&&` waits until the patterns have bound its variables, then tests
        (a part with NOT EXISTS tests after all of them): a row that fails one part fails the whole."""
        owner = self.fresh("filter")
        self.pending += [(owner, part) for part in _conjuncts(node.expr)]

        def keep(inner: Scope) -> list[str]:
            mine = [part for who, part in self.pending if who == owner]
            self.pending = [(who, part) for who, part in self.pending if who != owner]
            return _nest([self.test(part, inner) for part in mine], then(inner))

        return self.pattern(node.p, scope, keep)

    def ready_filters(self, scope: Scope) -> list[str]:
        """The tests of the waiting FILTER parts whose variables are all bound now (none with NOT EXISTS:
        its pattern's variables are those in scope where the FILTER stands)."""
        ready = [
            (who, part)
            for who, part in self.pending
            if not _negates(part) and self.pattern_variables(part) <= scope.keys()
        ]
        self.pending = [entry for entry in self.pending if entry not in ready]
        return [self.test(part, scope) for _, part in ready]

    def test(self, condition: Any, scope: Scope) -> str:
        """The code that tests one FILTER condition and opens the block of the rows that pass. A condition
        on one variable bound to a term keeps its verdict per term."""
        code, kind = self.expression(condition, scope)
        test = code if kind == "bool" else f"_truth({code})"
        flag = self.fresh("passed")
        variables = self.pattern_variables(condition)
        attempt = f"try:\n    {flag} = {test}\nexcept _Error:\n    {flag} = False"
        if len(variables) != 1 or _negates(condition) or not scope[next(iter(variables))].term:
            return f"{attempt}\nif {flag}:"
        memo, key = self.constant({}), scope[next(iter(variables))].name
        remember = f"if len({memo}) > 4096:\n    {memo}.clear()\n{memo}[{key}] = {flag}"
        return f"{flag} = {memo}.get({key})\nif {flag} is None:\n{_block(attempt)}\n{_block(remember)}\nif {flag}:"

    def _pattern_BGP(self, node: CompValue, scope: Scope, then: Then) -> list[str]:
        patterns = [tuple(triple) for triple in node.triples]
        for pattern in patterns:
            if len(pattern) != 3 or any(isinstance(term, (PropertyPath, BNode)) for term in pattern):
                raise UnsupportedShapes("property paths and blank nodes are not evaluated per article")
        if self.negation_depth == 0:
            self.positive += patterns
        return self.triples(_pattern_order(patterns, set(scope)), scope, then)

    def triples(self, patterns: list[tuple[Any, ...]], scope: Scope, then: Then) -> list[str]:
        if not patterns:
            return _nest(self.ready_filters(scope), then(scope))
        return self.stages(self.triple(patterns[0], scope), lambda inner: self.triples(patterns[1:], inner, then))

    def stages(self, stages: list[tuple[str, Scope]], then: Then) -> list[str]:
        """Loops (or tests) one inside the other, each followed by the FILTER tests its variables allow."""
        chunk, inner = stages[0]
        ready = self.ready_filters(inner)  # before the inner code is written: it takes what is left
        rest = self.stages(stages[1:], then) if len(stages) > 1 else then(inner)
        return _nest([chunk, *ready], rest)

    def triple(self, pattern: tuple[Any, ...], scope: Scope) -> list[tuple[str, Scope]]:
        """The loops (or test) that match one triple pattern, each with the scope of its new variables."""
        slots = [self.slot(term, scope) for term in pattern]
        new = [str(term) for term, (kind, _) in zip(pattern, slots, strict=True) if kind == "new"]
        if any(kind == "maybe" for kind, _ in slots) or len(new) != len(set(new)):
            return self.generic_triple(pattern, slots, scope)
        inner = dict(scope)
        names = []
        for term, (kind, code) in zip(pattern, slots, strict=True):
            if kind == "new":
                code = self.fresh(f"v_{term}")
                inner[str(term)] = _Local(code, term=True)
            names.append(code)
        s, p, o = names
        known = (slots[0][0] != "new", slots[1][0] != "new", slots[2][0] != "new")
        if known == (True, False, False):  # the predicate's loop outside the objects' (a FILTER on it between)
            middle = {**scope, str(pattern[1]): inner[str(pattern[1])]}
            return [
                (f"for {p}, {o}s in ix.spo.get({s}, _NOTHING).items():", middle),
                (f"for {o} in {o}s:", inner),
            ]
        opener = {
            # ix.values inlined: the call would cost more than its two dict lookups
            (True, True, False): f"for {o} in ix.spo.get({s}, _NOTHING).get({p}, ()):",
            (True, True, True): f"if {o} in ix.spo.get({s}, _NOTHING).get({p}, ()):",
            (False, True, True): f"for {s} in ix.subjects({p}, {o}):",
            (False, True, False): f"for {s}, {o} in ix.pairs({p}):",
            (False, False, False): f"for {s}, {p}, {o} in ix.triples:",
        }.get(known)
        if opener is None:
            return self.generic_triple(pattern, slots, scope)
        return [(opener, inner)]

    def generic_triple(
        self, pattern: tuple[Any, ...], slots: list[tuple[str, str]], scope: Scope
    ) -> list[tuple[str, Scope]]:
        """Any triple pattern: candidates from the index, each new variable bound, a repeated one compared."""
        parts = [self.fresh("t") for _ in pattern]
        given = {"const": "{}", "bound": "{}", "maybe": "_given({})", "new": "None"}
        arguments = ", ".join(given[kind].format(code) for kind, code in slots)
        stages = [(f"for {', '.join(parts)} in _candidates(ix, {arguments}):", scope)]
        inner, here = dict(scope), dict[str, str]()
        for term, (kind, _), part in zip(pattern, slots, parts, strict=True):
            name = str(term)
            if kind not in ("new", "maybe"):
                continue
            if name in here:
                stages.append((f"if {part} == {here[name]}:", inner))
            else:
                here[name] = self.fresh(f"v_{name}")
                inner = {**inner, name: _Local(here[name], term=True)}
                stages.append((f"{here[name]} = {part}", inner))
        return stages

    def slot(self, term: Any, scope: Scope) -> tuple[str, str]:
        """How a position of a pattern is known: a constant, a bound term, a maybe-bound value, or new."""
        if not isinstance(term, Variable):
            return "const", self.lookup_constant(term)
        local = scope.get(str(term))
        if local is None:
            return "new", ""
        return ("bound" if local.term else "maybe"), local.name

    def lookup_constant(self, term: Node) -> str:
        """A constant of a pattern; in a function run once per article, as the article's own equal object
        when it has one (dict lookups then match by identity, without rdflib's Python-level equality)."""
        name = self.constant(_interned(term))
        if self.hoisted is None:
            return name
        local = f"{name}_here"
        self.hoisted[local] = f"ix.same({name})"
        return local

    # ---- expressions: Python source and whether it is already a bool

    def expression(self, node: Any, scope: Scope) -> tuple[str, str]:
        if isinstance(node, Variable):
            local = scope.get(str(node))
            if local is None:
                return "_unbound()", "value"
            return (local.name if local.term else f"_value({local.name})"), "value"
        if isinstance(node, (URIRef, Literal)):
            return self.constant(node), "value"
        kind = getattr(node, "name", None)
        handler = getattr(self, f"_expr_{kind}", None)
        if not isinstance(node, Expr) or handler is None:
            raise UnsupportedShapes(f"SPARQL expression {kind or node!r} is not evaluated per article")
        return handler(node, scope)  # type: ignore[no-any-return]

    def value(self, node: Any, scope: Scope) -> str:
        return self.expression(node, scope)[0]

    def truth(self, node: Any, scope: Scope) -> str:
        code, kind = self.expression(node, scope)
        return code if kind == "bool" else f"_truth({code})"

    def _expr_RelationalExpression(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        if node.op not in _COMPARISONS:
            raise UnsupportedShapes(f"SPARQL operator {node.op} is not evaluated per article")
        compare = self.constant(_COMPARISONS[node.op])
        return f"{compare}({self.value(node.expr, scope)}, {self.value(node.other, scope)})", "bool"

    def _expr_AdditiveExpression(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        return self._arithmetic(node, scope)

    def _expr_MultiplicativeExpression(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        return self._arithmetic(node, scope)

    def _arithmetic(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        total = f"_number({self.value(node.expr, scope)})"
        for op, other in zip(node.op, node.other, strict=True):
            total = f"{self.constant(_ARITHMETIC[op])}({total}, _number({self.value(other, scope)}))"
        return total, "value"

    def _expr_ConditionalAndExpression(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        parts = [f"lambda: {self.value(part, scope)}" for part in [node.expr, *node.other]]
        return f"_both({', '.join(parts)})", "bool"

    def _expr_ConditionalOrExpression(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        parts = [f"lambda: {self.value(part, scope)}" for part in [node.expr, *node.other]]
        return f"_either({', '.join(parts)})", "bool"

    def _expr_UnaryNot(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        return f"(not {self.truth(node.expr, scope)})", "bool"

    def _expr_Builtin_STR(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        return f"_lexical({self.value(node.arg, scope)})", "value"

    def _expr_Builtin_STRLEN(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        return f"len(_string({self.value(node.arg, scope)}))", "value"

    def _expr_Builtin_STRSTARTS(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        text, start = self.value(node.arg1, scope), self.value(node.arg2, scope)
        return f"_string({text}).startswith(_string({start}))", "bool"

    def _expr_Builtin_SUBSTR(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        text, start = self.value(node.arg, scope), self.value(node.start, scope)
        length = f"lambda: {self.value(node.length, scope)}" if node.length is not None else "None"
        return f"_substring({text}, {start}, {length})", "value"

    def _expr_Builtin_IF(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        condition, then, otherwise = self.truth(node.arg1, scope), node.arg2, node.arg3
        return f"({self.value(then, scope)} if {condition} else {self.value(otherwise, scope)})", "value"

    def _expr_Builtin_NOTEXISTS(self, node: CompValue, scope: Scope) -> tuple[str, str]:
        self.negated = True
        self.negation_depth += 1
        try:
            return f"(not {self.exists(node.graph, scope)})", "bool"
        finally:
            self.negation_depth -= 1

    def exists(self, node: Any, scope: Scope) -> str:
        """Code that tells whether `node` has a solution compatible with the current row."""
        shared = sorted(name for name in self.pattern_variables(node) if name in scope)
        triples = _triples_only(node)
        if triples is not None and all(scope[name].term for name in shared):
            if not any(all(_known(term, scope) for term in triple) for triple in triples):
                return self.semi_join(node, shared, scope)
        name = self.fresh("exists")
        self.function(name, {n: scope[n] for n in shared}, node, lambda _: ["return True"], last="return False")
        return f"{name}(ix, {', '.join(scope[n].name for n in shared)})"

    def semi_join(self, node: Any, shared: list[str], scope: Scope) -> str:
        """The values of the shared variables that have a solution, as a set built once per article."""
        name = self.fresh("matches")

        def key(inner: Scope) -> str:
            return f"({''.join(inner[n].name + ', ' for n in shared)})"

        self.function(
            name, {}, node, lambda inner: [f"found.add({key(inner)})"], True, None, ("found = set()",), "return found"
        )
        if self.hoisted is None:
            return f"({key(scope)} in ix.cached({name}))"
        memo = self.fresh("matches_here")
        self.hoisted[memo] = f"ix.cached({name})"
        return f"({key(scope)} in {memo})"

    @staticmethod
    def pattern_variables(node: Any) -> set[str]:
        found: set[str] = set()
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, Variable):
                found.add(str(item))
            elif isinstance(item, CompValue):
                stack.extend(item.values())
            elif isinstance(item, (list, tuple)):
                stack.extend(item)
        return found


def _triples_only(node: Any) -> list[tuple[Any, ...]] | None:
    """The triple patterns of a pattern made of nothing else (basic graph patterns and their joins)."""
    kind = getattr(node, "name", None)
    if kind == "BGP":
        return [tuple(triple) for triple in node.triples]
    if kind == "Join":
        first, second = _triples_only(node.p1), _triples_only(node.p2)
        return first + second if first is not None and second is not None else None
    return None


def _known(term: Any, scope: Scope) -> bool:
    """A position of a pattern known before it runs: a constant, or a variable bound to a term."""
    return not isinstance(term, Variable) or (str(term) in scope and scope[str(term)].term)


def _yield_row(names: list[str], scope: Scope) -> list[str]:
    certain = ", ".join(f"{name!r}: {scope[name].name}" for name in names if name in scope and scope[name].term)
    code = [f"row = {{{certain}}}"]
    for name in names:
        if name in scope and not scope[name].term:
            code += [f"if {scope[name].name} is not _U:", f"    row[{name!r}] = {scope[name].name}"]
    return [*code, f"yield {scope['this'].name}, row"]


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _nest(chunks: list[str], body: list[str]) -> list[str]:
    """`chunks` of code (one or more lines; a chunk whose last line ends with ':' opens a block inside the
    previous ones) around `body`."""
    code, depth = [], 0
    for chunk in chunks:
        code += ["    " * depth + line for line in chunk.split("\n")]
        depth += chunk.endswith(":")
    return code + ["    " * depth + line for line in body]


def _block(chunk: str) -> str:
    return "\n".join("    " + line for line in chunk.split("\n"))


def _conjuncts(condition: Any) -> list[Any]:
    """The parts of a condition's top-level `&&`."""
    if getattr(condition, "name", None) == "ConditionalAndExpression":
        return [part for piece in [condition.expr, *condition.other] for part in _conjuncts(piece)]
    return [condition]


def _negates(condition: Any) -> bool:
    """Whether a condition holds a NOT EXISTS (or EXISTS): its value depends on the variables in scope."""
    stack = [condition]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name in ("Builtin_NOTEXISTS", "Builtin_EXISTS"):
                return True
            stack.extend(value for key, value in item.items() if key != "_vars")
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return False


def _pattern_order(patterns: list[tuple[Any, ...]], known: set[str]) -> list[tuple[Any, ...]]:
    """A basic graph pattern's order: the pattern with the most positions known (constants and variables
    bound so far) first; then a known subject; then an object other than $this (a focus node is a hub:
    every record about a treaty points at it)."""
    left, ordered, known = list(patterns), [], set(known)
    while left:
        best = max(left, key=lambda pattern: _known_score(pattern, known))
        left.remove(best)
        ordered.append(best)
        known |= {str(term) for term in best if isinstance(term, Variable)}
    return ordered


def _known_score(pattern: tuple[Any, ...], known: set[str]) -> tuple[int, bool, bool]:
    positions = [not isinstance(term, Variable) or str(term) in known for term in pattern]
    return sum(positions), positions[0], str(pattern[2]) != "this" or not isinstance(pattern[2], Variable)


def _candidates(index: _Index, s: Node | None, p: Node | None, o: Node | None) -> Iterator[Triple]:
    if s is not None:
        by_predicate = index.spo.get(s, _NOTHING)
        pairs = [(p, obj) for obj in by_predicate.get(p, ())] if p is not None else _pairs(by_predicate)
        return ((s, predicate, obj) for predicate, obj in pairs if o is None or obj == o)
    if p is not None:
        if o is not None:
            return ((subject, p, o) for subject in index.subjects(p, o))
        return ((subject, p, obj) for subject, obj in index.pairs(p))
    return (triple for triple in index.triples if o is None or triple[2] == o)


def _pairs(by_predicate: dict[Node, list[Node]]) -> list[tuple[Node, Node]]:
    return [(p, o) for p, objects in by_predicate.items() for o in objects]


_U = object()  # an unbound variable (a BIND whose expression failed)


def _value(value: Any) -> Any:
    if value is _U:
        raise _Error("unbound variable")
    return value


def _unbound() -> Any:
    raise _Error("unbound variable")


def _both(*parts: Callable[[], Any]) -> bool:
    """SPARQL's `&&`: false if a part is false (even if another fails), else an error if one fails."""
    failed = False
    for part in parts:
        try:
            if not _truth(part()):
                return False
        except _Error:
            failed = True
    if failed:
        raise _Error("&&")
    return True


def _either(*parts: Callable[[], Any]) -> bool:
    """SPARQL's `||`: true if a part is true (even if another fails), else an error if one fails."""
    failed = False
    for part in parts:
        try:
            if _truth(part()):
                return True
        except _Error:
            failed = True
    if failed:
        raise _Error("||")
    return False


def _given(value: Any) -> Node | None:
    """A maybe-bound variable in a triple pattern: its term, or None (any) when unbound."""
    return None if value is _U else _term(value)


def _substring(value: Any, start: Any, length: Callable[[], Any] | None) -> Any:
    first = _whole(start)
    end = first + _whole(length()) if length is not None else None
    cut = _string(value)[max(first, 1) - 1 : None if end is None else max(end - 1, 0)]
    return Literal(cut, lang=value.language) if isinstance(value, Literal) and value.language else cut


# ---- SPARQL values: rdflib terms as bound, Python values (int, Decimal, float, str, bool) as computed

_NUMERIC = frozenset(
    XSD[name]
    for name in (
        "integer decimal float double nonNegativeInteger positiveInteger nonPositiveInteger negativeInteger "
        "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte"
    ).split()
)


_NUMERIC_NAMES = frozenset(map(str, _NUMERIC))

# rdflib's namespace attributes cost a Python __getattr__ each: the helpers below run per value
_XSD_STRING, _XSD_BOOLEAN, _XSD_INTEGER = XSD.string, XSD.boolean, XSD.integer
_STRING_TYPES = (None, _XSD_STRING)


def _term(value: Any) -> Node:
    if isinstance(value, Node):
        return value
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(value, datatype=_XSD_INTEGER)
    if isinstance(value, (Decimal, float)):
        return Literal(value)
    return Literal(str(value))


def _number(value: Any) -> int | Decimal | float:
    if isinstance(value, Literal):
        number = _literal_number(value)
        if number is None:
            raise _Error("not a number")
        return number
    if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
        return value
    raise _Error("not a number")


def _literal_number(value: Literal) -> int | Decimal | float | None:
    """The number of a well-typed numeric literal, else None. Read off the literal's slots, its datatype
    compared as a plain string: rdflib's properties and URIRef equality are Python calls, and a constraint
    runs this on every value it compares or adds."""
    number, datatype = value._value, value._datatype
    if (
        isinstance(number, (int, Decimal, float))
        and type(datatype) is URIRef  # what URIRef equality asks before comparing the text
        and str(datatype) in _NUMERIC_NAMES
        and value._ill_typed is not True
    ):
        return number
    return None


def _whole(value: Any) -> int:
    return int(round(_number(value)))


def _string(value: Any) -> str:
    """The text of a string literal (plain, xsd:string or language-tagged)."""
    if type(value) is str:
        return value
    if isinstance(value, Literal) and (value.datatype in _STRING_TYPES):
        return str(value)
    raise _Error("not a string")


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
    if isinstance(value, Literal) and value.datatype == _XSD_BOOLEAN:
        return bool(value.value)
    if type(value) is str or (isinstance(value, Literal) and value.datatype in _STRING_TYPES):
        return bool(_string(value))
    number = _number(value)
    return number == number and number != 0  # NaN is false


def _comparison(op: str, compare: Callable[[Any, Any], Any]) -> Callable[[Any, Any], bool]:
    """A SPARQL comparison as rdflib evaluates it (so as pyshacl does): two numbers by value; anything else
    by rdflib's own Literal ordering and `eq` (which orders, say, any number before any string), an error
    where rdflib raises one."""

    def apply(left: Any, right: Any) -> bool:
        a, b = _numeric_value(left), _numeric_value(right)
        if a is not None and b is not None:
            return bool(compare(a, b))
        return _by_rdflib(op, _term(left), _term(right))

    return apply


def _numeric_value(value: Any) -> Any:
    """The number of a well-typed numeric literal or computed number (rdflib compares those by value)."""
    if isinstance(value, Literal):
        return _literal_number(value)
    return value if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool) else None


_RDFLIB_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    ">": lambda x, y: x.__gt__(y),
    "<": lambda x, y: x.__lt__(y),
    "=": lambda x, y: x.eq(y),
    "!=": lambda x, y: x.neq(y),
    ">=": lambda x, y: x.__ge__(y),
    "<=": lambda x, y: x.__le__(y),
}


def _by_rdflib(op: str, left: Node, right: Node) -> bool:
    """rdflib.plugins.sparql.operators.RelationalExpression on two terms."""
    if op not in ("=", "!="):
        if not isinstance(left, Literal) or not isinstance(right, Literal):
            raise _Error("order of non-literals")
        if _foreign(left.datatype) and _foreign(right.datatype):
            raise _Error("order of non-XSD literals")
    try:
        result = _RDFLIB_OPERATORS[op](left, right)
    except TypeError as error:
        raise _Error("not comparable") from error
    if result is NotImplemented:
        raise _Error("not comparable")
    return bool(result)


def _foreign(datatype: Node | None) -> bool:
    return datatype is not None and datatype not in _XSD_DATATYPES


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": _comparison("=", lambda a, b: a == b),
    "!=": _comparison("!=", lambda a, b: a != b),
    "<": _comparison("<", lambda a, b: a < b),
    ">": _comparison(">", lambda a, b: a > b),
    "<=": _comparison("<=", lambda a, b: a <= b),
    ">=": _comparison(">=", lambda a, b: a >= b),
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


_GENERATED_HELPERS: dict[str, Any] = {
    "_Error": _Error,
    "_NOTHING": _NOTHING,
    "_both": _both,
    "_either": _either,
    "_U": _U,
    "_candidates": _candidates,
    "_given": _given,
    "_lexical": _lexical,
    "_number": _number,
    "_string": _string,
    "_substring": _substring,
    "_truth": _truth,
    "_unbound": _unbound,
    "_value": _value,
}


# ---------------------------------------------------------------- confirming on the whole graph


def _confirmed(
    store: ox.Store, constraint: _SparqlConstraint, candidates: Iterable[_Finding], union: bool
) -> Iterator[_Finding]:
    """The rows of `constraint` on the whole graph for the candidates' focus nodes, a few hundred focus nodes
    per query. Only ?this is bound (a query may BIND ?path itself); every row is a result of the whole graph
    run, and every such result is some article's candidate. The query runs on the focus nodes' neighbourhood
    (all the shapes read about them, as `validate_shared(focus=...)` does): on the whole store, each batch
    would cost a scan of every fact record, pending findings times corpus size."""
    from .fastvalidate import neighbourhood, not_exists_as_minus

    nodes = {finding.focus for finding in candidates}
    nearby = neighbourhood(store, nodes, union)
    focus = sorted(str(to_ox(node)) for node in nodes)
    query = not_exists_as_minus(_with_targets(constraint.query, _closure(constraint.targets)))
    head, brace, body = query.partition("{")
    for start in range(0, len(focus), 300):
        restriction = f"VALUES ?this {{ {' '.join(focus[start : start + 300])} }}"
        solutions = _select(nearby, f"{head}{brace} {restriction} {body}", False)
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
