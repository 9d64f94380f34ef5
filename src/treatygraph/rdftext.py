"""Fast RDF text: rdflib terms to N-Triples terms, and N-Triples terms to compact Turtle / TriG blocks.

rdflib's serializers cost about 30 µs a triple and hold the whole graph; a build of many articles writes each
article's triples as text as soon as they exist. Terms are written in N-Triples syntax (valid Turtle and TriG);
IRIs in a known vocabulary are shortened to prefixed names when the local part is a plain name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import cast

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .vocab import PREFIXES

NtTriple = tuple[str, str, str]  # subject, predicate, object as N-Triples terms

RDF_TYPE_NT = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_STRING_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
# characters an N-Triples IRIREF may not hold as they are (written as \\uXXXX)
_IRI_ESCAPES = str.maketrans({c: f"\\u{ord(c):04X}" for c in '<>"{}|^`\\ ' + "".join(map(chr, range(0x21)))})
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

DEFAULT_PREFIXES: dict[str, str] = {name: str(namespace) for name, namespace in PREFIXES.items()}


def nt_term(term: Node) -> str:
    """One rdflib term in N-Triples syntax (exact types first: a build converts millions of terms)."""
    kind = type(term)
    if kind is URIRef:
        return _nt_iri(term)
    if kind is Literal:
        return _nt_literal(cast(Literal, term))
    if isinstance(term, URIRef):
        return _nt_iri(str(term))
    if isinstance(term, Literal):
        return _nt_literal(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def _nt_literal(term: Literal) -> str:
    text = '"' + str.translate(term, _STRING_ESCAPES) + '"'
    language, datatype = term.language, term.datatype
    if language:
        return f"{text}@{language}"
    # compared as plain strings: URIRef's own == is a Python method
    if datatype is not None and not str.__eq__(datatype, _XSD_STRING):
        return f"{text}^^{_nt_iri(str(datatype))}"
    return text


@lru_cache(maxsize=1 << 16)
def _nt_iri(iri: str) -> str:
    return "<" + iri.translate(_IRI_ESCAPES) + ">"


def nt_triple(triple: tuple[Node, Node, Node]) -> NtTriple:
    return nt_term(triple[0]), nt_term(triple[1]), nt_term(triple[2])


def nt_line(triple: NtTriple) -> str:
    return f"{triple[0]} {triple[1]} {triple[2]} .\n"


def prefix_header(prefixes: Mapping[str, str]) -> str:
    return "".join(f"@prefix {name}: <{namespace}> .\n" for name, namespace in sorted(prefixes.items())) + "\n"


class TurtleWriter:
    """Writes groups of N-Triples triples as Turtle statements: one subject each, predicates joined by ';'."""

    def __init__(self, prefixes: Mapping[str, str] = DEFAULT_PREFIXES) -> None:
        self.by_namespace = {namespace: name for name, namespace in prefixes.items()}
        self.short = lru_cache(maxsize=1 << 16)(self._short)

    def block(self, triples: Iterable[NtTriple], indent: str = "") -> str:
        """Turtle for `triples`, subjects in order of first appearance (so the same input gives the same text)."""
        subjects: dict[str, list[tuple[str, str]]] = {}
        for s, p, o in triples:
            subjects.setdefault(s, []).append((p, o))
        short = self.short
        out = []
        inner = indent + "    "
        for subject, pairs in subjects.items():
            lines = [f"{inner}{'a' if p == RDF_TYPE_NT else short(p)} {self.object(o)}" for p, o in pairs]
            out.append(f"{indent}{short(subject)} " + " ;\n".join(lines).lstrip() + " .\n")
        return "".join(out)

    def object(self, term: str) -> str:
        if term.startswith("<"):
            return self.short(term)
        if term.endswith(">") and "^^<" in term:
            text, _, datatype = term.rpartition("^^")
            return f"{text}^^{self.short(datatype)}"
        return term

    def _short(self, term: str) -> str:
        if not term.startswith("<") or "\\" in term:
            return term
        iri = term[1:-1]
        cut = max(iri.rfind("#"), iri.rfind("/")) + 1
        name = self.by_namespace.get(iri[:cut])
        local = iri[cut:]
        if name is not None and _LOCAL_NAME.match(local):
            return f"{name}:{local}"
        return term
