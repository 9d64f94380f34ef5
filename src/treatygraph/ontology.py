"""Load the treatygraph ontology and SHACL shapes from the repository's `ontology/` and `shapes/` folders."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph

from .types import TreatygraphError
from .vocab import PREFIXES

REPO_ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = REPO_ROOT / "ontology"
SHAPES_DIR = REPO_ROOT / "shapes"
ONTOLOGY_FILE = ONTOLOGY_DIR / "treatygraph.ttl"
ONTOLOGY_IRI = "https://w3id.org/treatygraph/ontology"

Triple = tuple


def load_ontology() -> Graph:
    """The ontology as a fresh graph (callers may add to it without changing anyone else's copy)."""
    return _fresh_graph(_ontology_triples())


def load_shapes() -> Graph:
    """All SHACL shapes in `shapes/*.ttl`, merged into one fresh graph."""
    return _fresh_graph(_shapes_triples())


def shape_files() -> list[Path]:
    if not SHAPES_DIR.is_dir():
        raise TreatygraphError(f"{SHAPES_DIR}: shapes folder not found (treatygraph must run from its source tree)")
    files = sorted(SHAPES_DIR.glob("*.ttl"))
    if not files:
        raise TreatygraphError(f"{SHAPES_DIR}: no *.ttl shapes found")
    return files


@cache
def _ontology_triples() -> frozenset[Triple]:
    if not ONTOLOGY_FILE.is_file():
        raise TreatygraphError(f"{ONTOLOGY_FILE}: ontology not found (treatygraph must run from its source tree)")
    return frozenset(_parse_turtle(ONTOLOGY_FILE))


@cache
def _shapes_triples() -> frozenset[Triple]:
    triples: set[Triple] = set()
    for path in shape_files():
        triples.update(_parse_turtle(path))
    return frozenset(triples)


def _parse_turtle(path: Path) -> Graph:
    try:
        return Graph().parse(path, format="turtle")
    except Exception as err:  # rdflib raises many kinds; the user needs the file name and the reason
        raise TreatygraphError(f"{path}: cannot parse Turtle: {err}") from err


def _fresh_graph(triples: frozenset[Triple]) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in triples:
        graph.add(triple)
    return graph
