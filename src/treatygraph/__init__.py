"""treatygraph: encyclopedia articles about treaties in, a validated RDF knowledge graph out."""

__version__ = "0.1.0"
# Bumped whenever extraction rules change, so cached per-article results are invalidated.
EXTRACTOR_VERSION = "0.1.0"
