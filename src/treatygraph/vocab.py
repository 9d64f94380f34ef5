"""RDF namespaces and the terms of the treatygraph ontology, shared by every stage."""

from __future__ import annotations

from typing import Any

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace

TG = Namespace("https://w3id.org/treatygraph/ontology#")
DEFAULT_BASE = "https://w3id.org/treatygraph/id/"
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
DBR = Namespace("http://dbpedia.org/resource/")
DBO = Namespace("http://dbpedia.org/ontology/")
SCHEMA = Namespace("https://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")

# rdflib types its closed vocabularies (RDF, OWL, ...) as DefinedNamespace classes, the others as Namespace
PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "tg": TG,
    "oa": OA,
    "wd": WD,
    "wdt": WDT,
    "dbr": DBR,
    "dbo": DBO,
    "schema": SCHEMA,
    "eli": ELI,
    "prov": PROV,
    "dcterms": DCTERMS,
    "skos": SKOS,
    "owl": OWL,
    "rdfs": RDFS,
    "rdf": RDF,
    "xsd": XSD,
}

# How a treaty ended: individuals of tg:EndingKind.
ENDING_KINDS = {
    "expired": TG.Expired,
    "terminated": TG.Terminated,
    "denounced": TG.Denounced,
    "withdrawn": TG.Withdrawn,
    "superseded": TG.Superseded,
    "annulled": TG.Annulled,
}

# What a resolution decided about a treaty: individuals of tg:Decision.
DECISIONS = {
    "violation": TG.FindsViolation,
    "termination": TG.Termination,
    "ratification": TG.Ratification,
    "approval": TG.Approval,
    "rejection": TG.Rejection,
}

# Party kinds (gazetteer `type` -> class).
AGENT_CLASSES = {
    "state": TG.State,
    "historical_state": TG.HistoricalState,
    "government": TG.Government,
    "organisation": TG.InternationalOrganisation,
    "organ": TG.Organ,
    "person": TG.Person,
    "party": TG.Party,
}

# Treaty kinds an article may state ("a peace treaty", "a non-aggression pact").
TREATY_KINDS = {
    "peace treaty": TG.PeaceTreaty,
    "alliance": TG.Alliance,
    "non-aggression pact": TG.NonAggressionPact,
    "convention": TG.Convention,
    "declaration": TG.Declaration,
    "memorandum": TG.Memorandum,
}

RESOLUTION_CLASSES = {
    "unga": TG.UNGeneralAssemblyResolution,
    "unsc": TG.UNSecurityCouncilResolution,
    "legislative": TG.LegislativeVote,
    "court": TG.CourtRuling,
    "other": TG.Resolution,
}


class TermCache:
    """A namespace whose terms are made once each: `TermCache(TG).Treaty` is always the same URIRef.

    An rdflib namespace makes a new URIRef on every attribute read (and checks it character by character);
    one object per term also lets dictionaries keyed by terms match by identity before calling rdflib's
    equality, which is written in Python."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term = canonical(getattr(self._namespace, name))
        setattr(self, name, term)  # later reads find it as a plain attribute; __getattr__ is not called
        return term


_CANONICAL: dict[str, URIRef] = {}


def canonical(term: URIRef) -> URIRef:
    """The one object this process uses for an IRI of the vocabulary: the writer's terms (TermCache) and the
    reasoner's tables hold the same objects, so looking one up in the other is an identity check."""
    return _CANONICAL.setdefault(str(term), term)
