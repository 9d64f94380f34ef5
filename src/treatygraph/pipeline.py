"""The build: ingest -> extract (per article, in worker processes) -> graph -> reason -> validate -> write.

One bad article never stops the others: its failure is reported with the file and reason, and the rest
of the corpus is built. Every output is written atomically.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from . import EXTRACTOR_VERSION
from .atomic import atomic_writer, atomic_write_text
from .extract import extract_article
from .gazetteer import default_gazetteer
from .graph import Triple, article_iri, bind_prefixes, build_graph
from .ingest import IngestLimits, discover, format_of, ingest_file
from .links import link_report
from .types import AgentFact, ArticleFacts, ArticleReport, DateFact, IngestError, LineageFact, ResolutionFact, TreatygraphError, ViolationFact
from .vocab import DEFAULT_BASE


@dataclass(frozen=True)
class BuildOptions:
    base: str = DEFAULT_BASE
    reason: bool = True
    validate: bool = True
    workers: int = 0  # 0: one per core
    limits: IngestLimits = field(default_factory=IngestLimits)
    progress: bool = False


@dataclass(frozen=True)
class BuildResult:
    reports: tuple[ArticleReport, ...]
    summary: dict[str, int]
    outputs: dict[str, str]
    conforms: bool | None


def process_file(path: Path, root: Path, limits: IngestLimits) -> tuple[ArticleReport, ArticleFacts | None]:
    """Ingest and extract one article; any failure becomes a report line, never an exception."""
    relative = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
    fmt = format_of(path) or "text"
    try:
        article = ingest_file(path, root, limits)
        facts = extract_article(article)
    except IngestError as error:
        return ArticleReport(relative, fmt, "failed", {}, (str(error),)), None
    except Exception as error:  # noqa: BLE001 - a bug on one article must not lose the corpus
        return ArticleReport(relative, fmt, "failed", {}, (f"{relative}: internal error: {type(error).__name__}: {error}",)), None
    counts = count_facts(facts)
    status = "ok" if counts.get("treaties") else "empty"
    return ArticleReport(relative, facts.format, status, counts, facts.problems), facts


def _process(job: tuple[Path, Path, IngestLimits]) -> tuple[ArticleReport, ArticleFacts | None]:
    return process_file(*job)


def count_facts(facts: ArticleFacts) -> dict[str, int]:
    kinds = Counter(type(f).__name__ for f in facts.facts)
    agents = Counter(f.role for f in facts.facts if isinstance(f, AgentFact))
    return {
        "treaties": len(facts.treaties),
        "dates": kinds[DateFact.__name__],
        "parties": agents["party"],
        "signers": agents["signer"],
        "lineage": kinds[LineageFact.__name__],
        "violations": kinds[ViolationFact.__name__],
        "resolutions": kinds[ResolutionFact.__name__],
    }


def extract_corpus(root: Path, options: BuildOptions) -> Iterator[tuple[ArticleReport, ArticleFacts | None]]:
    """Every article's report and facts, in file order; worker processes when the corpus is big enough."""
    files = list(discover(root))
    jobs = [(path, root, options.limits) for path in files]
    workers = options.workers or (os.cpu_count() or 1)
    progress = _Progress(len(jobs), options.progress)
    if workers > 1 and len(jobs) >= 50:
        default_gazetteer()  # loaded once before forking, shared copy-on-write
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(_process, jobs, chunksize=16):
                progress.step()
                yield result
    else:
        for job in jobs:
            progress.step()
            yield _process(job)
    progress.done()


class _Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.seen, self.start = total, enabled and sys.stderr.isatty(), 0, time.monotonic()

    def step(self) -> None:
        self.seen += 1
        if self.enabled and (self.seen % 25 == 0 or self.seen == self.total):
            width = 30
            filled = width * self.seen // max(self.total, 1)
            rate = self.seen / max(time.monotonic() - self.start, 1e-6)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.seen}/{self.total} articles {rate:.0f}/s")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def build(root: Path, out: Path, options: BuildOptions = BuildOptions()) -> BuildResult:
    if not root.is_dir():
        raise TreatygraphError(f"{root}: not a folder of articles")
    _check_writable(out)
    reports: list[ArticleReport] = []
    articles: list[ArticleFacts] = []
    for report, facts in extract_corpus(root, options):
        reports.append(report)
        if report.status == "failed":
            for problem in report.problems:
                sys.stderr.write(f"treatygraph: skipped {problem}\n")
        if facts is not None:
            articles.append(facts)
    graph, per_article = build_graph(articles, options.base)
    outputs = {"graph": str(out / "treatygraph.ttl")}
    _write_graph(graph, out / "treatygraph.ttl")
    inferred = _reason(per_article, graph, out, outputs) if options.reason else None
    _write_trig(per_article, inferred, options.base, out / "treatygraph.trig")
    outputs["trig"] = str(out / "treatygraph.trig")
    conforms = _validate(graph, out, outputs) if options.validate else None
    links = link_report(articles)
    summary = summarise(reports, articles, graph, links)
    report = {
        "extractor_version": EXTRACTOR_VERSION,
        "base": options.base,
        "summary": summary,
        "conforms": conforms,
        "articles": [asdict(r) for r in reports],
        "links": links,
    }
    atomic_write_text(out / "report.json", json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    outputs["report"] = str(out / "report.json")
    return BuildResult(tuple(reports), summary, outputs, conforms)


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TreatygraphError(f"{out}: cannot create the output folder ({error.strerror})") from error
    if not os.access(out, os.W_OK):
        raise TreatygraphError(f"{out}: output folder is not writable")


def _write_graph(graph: Graph, path: Path) -> None:
    with atomic_writer(path, binary=True) as handle:
        graph.serialize(destination=handle, format="turtle")


def _article_graphs(per_article: dict[str, list[Triple]]) -> Iterable[Graph]:
    for triples in per_article.values():
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        yield graph


def _reason(per_article: dict[str, list[Triple]], graph: Graph, out: Path, outputs: dict[str, str]) -> Graph:
    from .reason import Reasoner

    inferred = Reasoner().closure(_article_graphs(per_article))
    bind_prefixes(inferred, "")
    for prefix, namespace in graph.namespaces():
        inferred.bind(prefix, namespace, override=True)
    with atomic_writer(out / "inferred.ttl", binary=True) as handle:
        inferred.serialize(destination=handle, format="turtle")
    outputs["inferred"] = str(out / "inferred.ttl")
    return inferred


def _write_trig(per_article: dict[str, list[Triple]], inferred: Graph | None, base: str, path: Path) -> None:
    """Each article's facts in the named graph of its IRI; inferred triples in their own graph."""
    dataset = Dataset()
    for path_key, triples in per_article.items():
        named = dataset.graph(article_iri(base, path_key))
        for triple in triples:
            named.add(triple)
    if inferred is not None:
        named = dataset.graph(URIRef(f"{base}graph/inferred"))
        for triple in inferred:
            named.add(triple)
    bind_prefixes(dataset, base)  # type: ignore[arg-type]
    with atomic_writer(path, binary=True) as handle:
        dataset.serialize(destination=handle, format="trig")


def _validate(graph: Graph, out: Path, outputs: dict[str, str]) -> bool:
    from .validate import render_text, validate

    result = validate(graph)
    atomic_write_text(out / "validation.txt", render_text(result))
    outputs["validation"] = str(out / "validation.txt")
    return result.conforms


def summarise(reports: list[ArticleReport], articles: list[ArticleFacts], graph: Graph, links: dict) -> dict[str, int]:
    from .vocab import TG

    def count(predicate: URIRef) -> int:
        return sum(1 for _ in graph.triples((None, predicate, None)))

    return {
        "articles": len(reports),
        "articles_failed": sum(r.status == "failed" for r in reports),
        "articles_without_treaty": sum(r.status == "empty" for r in reports),
        "treaties": len(set(graph.subjects(predicate=None, object=TG.Treaty))),
        "parties": count(TG.hasParty),
        "signers": count(TG.hasSigner),
        "lineage_links": count(TG.supersedes) + count(TG.basedOn),
        "violations": len(set(graph.subjects(object=TG.Violation))),
        "resolutions": len(set(graph.subjects(object=TG.Resolution))),
        "triples": len(graph),
        "problems": sum(len(r.problems) for r in reports),
        "names_linked": len(links.get("linked", {})),
        "names_unlinked": len(links.get("unlinked", {})) + len(links.get("ambiguous", {})),
    }
