"""The build: ingest -> extract (per article, in worker processes) -> graph -> reason -> validate -> write.

The build streams: no stage holds the corpus's text or its graph in one Python object.

1. Extract (workers): each article is read and extracted; its ArticleFacts go to the per-article cache
   (OUT/.cache, keyed by path, content hash, extractor version and limits; one pack file), so a re-run
   skips unchanged articles. The main process keeps only what identity resolution needs (treaty names,
   years, dates).
2. Resolve (main): treaties are clustered across articles; redundant dates are found.
3. Write (workers): each article's triples, its OWL RL closure and their text (Turtle, TriG blocks).
   The main process appends them to the output files as they come, keeping only the triples about shared
   nodes (treaties, entities, ...) to drop duplicates; article-local nodes are stated by one article only.
   An article whose output would be what the last build wrote is copied from the last build's files
   (ledger.py records where each article's blocks are).
4. Finish (main): the reasoning rules that join facts of several articles; inferred minus asserted.
5. Store and validate (main): the Turtle is bulk-loaded into a pyoxigraph store (OUT/store, opened by
   `query` and `serve`), and the SHACL shapes run on it (fastvalidate).

One bad article never stops the others: its failure is reported with the file and reason. Every output is
written atomically: killing the build leaves the previous outputs whole.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, NamedTuple, TypeVar, cast

from rdflib import Graph, URIRef

from . import EXTRACTOR_VERSION
from .atomic import atomic_write_text, atomic_writer, current_umask
from .buildstate import BuildState, FileStamp, load_state, output_signature, save_state, settings_of
from .cache import ArticleCache, entry_key, pickled
from .extract import extract_article
from .gazetteer import default_gazetteer
from .graph import (
    DATE_PROPERTIES,
    ArticleWriter,
    DateValue,
    Resolution,
    TreatyMention,
    Triple,
    article_iri,
    article_local_prefixes,
    drop_redundant,
    redundant_dates,
    resolve_mentions,
    treaty_mentions,
)
from .ingest import IngestLimits, discover, format_of, ingest_file, read_bytes
from .ingest_text import Unreadable
from .ledger import ArticleLedger, LineTable, PreviousOutputs, Sink, stamps_of
from .links import link_report
from .ontology import ONTOLOGY_FILE, shape_files
from .rdftext import DEFAULT_PREFIXES, RDF_TYPE_NT, TurtleWriter, nt_line, nt_term, nt_triple, prefix_header
from .store import source_signature as st_source_signature
from .store import store_for_graph as st_store_for_graph
from .storeload import GrowingLoad
from .types import (
    AgentFact,
    ArticleFacts,
    ArticleReport,
    DateFact,
    IngestError,
    LineageFact,
    ResolutionFact,
    TreatygraphError,
    ViolationFact,
)
from .vocab import DEFAULT_BASE, TG

SHARED_BATCH_BYTES = 1 << 20  # shared lines are written to the Turtle file in batches of about this size
OUTPUT_MODE = 0o644  # outputs are for everyone to read (atomic temporary files start as 0600)
PARALLEL_FROM = 50  # fewer articles than this are not worth starting worker processes for
BACKGROUND_LOAD_FROM = 1000  # fewer than this: the store loads in a second or two, after writing
STORE_DIR = "store"
CACHE_DIR = ".cache"
OUTPUT_FORMAT = "3"
READABLE_REPORT_ARTICLES = 10_000  # up to this many articles report.json is indented  # bump when what write_one returns changes: cached outputs are then recomputed


@dataclass(frozen=True)
class BuildOptions:
    base: str = DEFAULT_BASE
    reason: bool = True
    validate: bool = True
    workers: int = 0  # 0: one per core
    limits: IngestLimits = field(default_factory=IngestLimits)
    progress: bool = False
    max_seconds_per_article: float = 60.0  # 0: no limit
    use_cache: bool = True  # False: ignore cached extractions (they are still refreshed)
    store: bool = True  # write OUT/store, the pyoxigraph store `query` and `serve` open


@dataclass(frozen=True)
class BuildResult:
    reports: tuple[ArticleReport, ...]
    summary: dict[str, int]
    outputs: dict[str, str]
    conforms: bool | None
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    cached: int = 0  # articles whose extraction came from the cache


# ================================================================ stage 1: extract


class _ArticleTimeout(BaseException):
    """Raised by the per-article alarm; a BaseException so the extractor's own `except Exception` lets it pass."""


def process_file(
    path: Path, root: Path, limits: IngestLimits, raw: bytes | None = None
) -> tuple[ArticleReport, ArticleFacts | None]:
    """Ingest and extract one article (`raw`: its bytes, if read already); any failure becomes a report line,
    never an exception."""
    relative = _relative(path, root)
    fmt = format_of(path) or "text"
    try:
        article = ingest_file(path, root, limits, raw)
        facts = extract_article(article)
    except IngestError as error:
        return ArticleReport(relative, fmt, "failed", {}, (str(error),)), None
    except Exception as error:  # noqa: BLE001 - a bug on one article must not lose the corpus
        return ArticleReport(
            relative, fmt, "failed", {}, (f"{relative}: internal error: {type(error).__name__}: {error}",)
        ), None
    counts = count_facts(facts)
    status: Literal["ok", "empty"] = "ok" if counts.get("treaties") else "empty"
    return ArticleReport(relative, facts.format, status, counts, facts.problems), facts


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


@dataclass(frozen=True)
class _ExtractJob:
    path: Path
    root: Path
    limits: IngestLimits
    max_seconds: float
    use_cache: bool


@dataclass(frozen=True)
class ArticleDigest:
    """What the main process keeps of one extracted article (its facts stay in the cache)."""

    report: ArticleReport
    key: str | None  # cache entry of its facts; None when it failed
    mentions: tuple[TreatyMention, ...]
    dates: tuple[tuple[str, str, str], ...]  # (treaty key, date kind, value)
    links: dict[str, dict[str, Any]]
    cached: bool


def _settings(limits: IngestLimits) -> str:
    return f"max_bytes={limits.max_bytes};max_template_depth={limits.max_template_depth}"


def _read_once(path: Path, limits: IngestLimits) -> bytes | None:
    """The file's bytes, read once for both its cache key and its ingestion (at most the size limit and one
    byte more: ingestion reports a larger file); None when it cannot be read (ingestion says why)."""
    try:
        return read_bytes(path, limits)
    except Unreadable:
        return None


def _relative(path: Path, root: Path) -> str:
    text, prefix = str(path), f"{root}/"
    if os.sep == "/" and text.startswith(prefix):  # by string: pathlib's relative_to costs a second per 100k files
        return text[len(prefix) :]
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name


_EXTRACT_CACHE: ArticleCache | None = None  # the build's cache, set before the workers fork


def extract_one(job: _ExtractJob) -> tuple[ArticleDigest, bytes | None]:
    """One article: from the cache when its bytes, the extractor and the limits are unchanged, else extracted;
    with the cache entry to add (pickled here, in the worker: the main process only appends it)."""
    relative = _relative(job.path, job.root)
    raw = _read_once(job.path, job.limits)
    sha = hashlib.sha256(raw).hexdigest() if raw is not None else None
    key = entry_key(relative, sha, _settings(job.limits)) if sha is not None else None
    if key is not None and job.use_cache and _EXTRACT_CACHE is not None:
        hit = _EXTRACT_CACHE.get(key)
        if hit is not None:
            return _digest(hit[0], hit[1], key, cached=True), None
    try:
        report, facts = _with_time_limit(job.max_seconds, lambda: process_file(job.path, job.root, job.limits, raw))
    except _ArticleTimeout:
        reason = (
            f"{relative}: extraction took longer than the limit of {job.max_seconds:g} s "
            "(raise it with --max-seconds-per-article)"
        )
        return _digest(
            ArticleReport(relative, format_of(job.path) or "text", "failed", {}, (reason,)), None, None, False
        ), None
    if key is None:
        return _digest(report, facts, None, cached=False), None
    return _digest(report, facts, key if facts is not None else None, cached=False), pickled((report, facts))


def _digest(report: ArticleReport, facts: ArticleFacts | None, key: str | None, cached: bool) -> ArticleDigest:
    if facts is None:
        return ArticleDigest(report, None, (), (), {}, cached)
    dates = tuple((f.treaty, f.kind, f.value) for f in facts.facts if isinstance(f, DateFact))
    return ArticleDigest(report, key, tuple(treaty_mentions(facts)), dates, link_report([facts]), cached)


T = TypeVar("T")


def _with_time_limit(seconds: float, work: Callable[[], T]) -> T:
    """Run `work`, raising _ArticleTimeout after `seconds` of wall time (a SIGALRM timer; main thread only)."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return work()

    def on_alarm(_signum: int, _frame: Any) -> None:
        raise _ArticleTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def extract_corpus(
    root: Path, cache: ArticleCache, options: BuildOptions, previous: BuildState, current: BuildState
) -> Iterator[ArticleDigest]:
    """Every article's digest, in file order: from the last build's state when the file is unchanged (same
    size and mtime: not even read), else extracted (worker processes when there are enough); the facts of
    the articles extracted go to `cache`."""
    global _EXTRACT_CACHE
    files = list(discover(root))
    entries = []
    for path in files:
        relative = _relative(path, root)
        stamp = FileStamp.of(path)
        known = previous.digest_of(relative, stamp) if options.use_cache else None
        entries.append((relative, stamp, known))
    jobs = [
        _ExtractJob(path, root, options.limits, options.max_seconds_per_article, options.use_cache)
        for path, (_, _, known) in zip(files, entries, strict=True)
        if known is None
    ]
    progress = _Progress(len(files), options.progress, "read")
    default_gazetteer()  # loaded once before forking, shared copy-on-write
    _EXTRACT_CACHE = cache
    try:
        extracted = _map(extract_one, jobs, options)
        for relative, stamp, known in entries:
            if known is not None:
                digest = known  # kept with cached=True in the state: no copy per unchanged article
            else:
                digest, entry = next(extracted)
                if entry is not None and digest.key is not None:
                    cache.put_blob(digest.key, entry)
            if stamp is not None and digest.key is not None:
                current.stamps[relative] = (stamp, digest.key)
                current.digests[digest.key] = digest if digest.cached else replace(digest, cached=True)
            progress.step()
            yield digest
    finally:
        _EXTRACT_CACHE = None
    progress.done()


def _map(function: Callable[[Any], T], jobs: list[Any], options: BuildOptions) -> Iterator[T]:
    """`function` over `jobs` in order: in forked worker processes (which inherit module state), or inline."""
    workers = options.workers or (os.cpu_count() or 1)
    if workers > 1 and len(jobs) >= PARALLEL_FROM:
        # the workers inherit the main process's objects (digests, resolution): frozen, their garbage
        # collector does not walk them, which would copy every inherited page and cost more as corpora grow.
        # They stay frozen until the build ends (`build`): they are the build's long-lived records, and the
        # main process's full collections would otherwise walk them again and again (reference counting
        # still frees them)
        gc.freeze()
        context = get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent) as pool:
            results = pool.map(function, jobs, chunksize=max(1, min(64, len(jobs) // (workers * 8))))
            for _ in range(len(jobs) - 1):
                yield next(results)
            last = next(results)
        # the workers are gone before the last result is handed over: a caller that takes exactly one
        # result per job never resumes this generator again, and the command ends without joining them
        yield last
    else:
        yield from map(function, jobs)


def _die_with_parent() -> None:
    """A worker ends when the build's main process does (killed, it cannot tell its workers): on Linux, the
    kernel sends it SIGKILL; elsewhere it waits for work that never comes, as it would without this."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


class _Progress:
    """A one-line progress bar on a terminal; silent otherwise."""

    def __init__(self, total: int, enabled: bool, what: str) -> None:
        self.total, self.what = total, what
        self.enabled, self.seen, self.start = enabled and sys.stderr.isatty(), 0, time.monotonic()

    def step(self) -> None:
        self.seen += 1
        if self.enabled and (self.seen % 25 == 0 or self.seen == self.total):
            width = 30
            filled = width * self.seen // max(self.total, 1)
            rate = self.seen / max(time.monotonic() - self.start, 1e-6)
            sys.stderr.write(
                f"\r{self.what:6} [{'#' * filled}{'.' * (width - filled)}] {self.seen}/{self.total} articles {rate:.0f}/s"
            )
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


# ================================================================ stage 3: write each article


@dataclass(frozen=True)
class _WriteContext:
    """What every article's writer needs; set before the worker processes fork, so they inherit it."""

    resolution: Resolution
    redundant: frozenset[DateValue]
    keys: dict[str, str]  # article path -> cache entry of its facts
    cache: ArticleCache
    local_prefixes: tuple[str, ...]
    reason: bool
    join_predicates: frozenset[URIRef]
    validate: bool


_CONTEXT: _WriteContext | None = None


@dataclass(frozen=True)
class ArticleOutput:
    """One article's part of every output, as text, plus what the main process must merge."""

    path: str
    local_turtle: str  # triples about nodes only this article describes, as Turtle
    local_count: int
    shared: tuple[str, ...]  # N-Triples lines about treaties, entities, places, ...: merged across articles
    shared_turtle: str  # the same, as Turtle
    graph_name: str  # the article's IRI, as N-Triples: the name of its graph in the TriG
    inferred_local: str  # inferred triples about its own nodes, N-Triples lines
    inferred_shared: tuple[str, ...]  # N-Triples lines
    seeds_asserted: tuple[Triple, ...]  # triples of the predicates the cross-article rules join
    seeds_inferred: tuple[Triple, ...]
    check: Any = None  # localvalidate.ArticleCheck of its triples (None when the build does not validate)

    @property
    def trig(self) -> str:
        """The article's named graph (its local and shared blocks describe disjoint subjects)."""
        return f"{self.graph_name} {{\n{self.local_turtle}{self.shared_turtle}}}\n\n"


def write_one(path: str) -> ArticleOutput:
    """One article's output, computed from its cached facts."""
    return _article_output(path)


def _context() -> _WriteContext:
    assert _CONTEXT is not None, "write_one runs inside a build"
    return _CONTEXT


def _article_output(path: str) -> ArticleOutput:
    context = _context()
    facts = context.cache.get(context.keys[path])
    if facts is None:
        raise TreatygraphError(f"{path}: its cache entry vanished during the build")
    article: ArticleFacts = facts[1]
    triples = _unique(
        drop_redundant(ArticleWriter(article, context.resolution, default_gazetteer()).write(), context.redundant)
    )
    inferred = _close(triples) if context.reason else []
    turtle = _turtle()
    asserted_nt = [nt_triple(t) for t in triples]
    inferred_nt = sorted(nt_triple(t) for t in inferred)
    local = [t for t in asserted_nt if t[0][1:].startswith(context.local_prefixes)]
    shared = tuple(t for t in asserted_nt if not t[0][1:].startswith(context.local_prefixes))
    joins = context.join_predicates
    return ArticleOutput(
        path=path,
        local_turtle=turtle.block(local),
        local_count=len(local),
        shared=tuple(map(nt_line, shared)),
        shared_turtle=turtle.block(list(shared)),
        graph_name=nt_term(article_iri(context.resolution.base, path)),
        inferred_local="".join(nt_line(t) for t in inferred_nt if t[0][1:].startswith(context.local_prefixes)),
        inferred_shared=tuple(nt_line(t) for t in inferred_nt if not t[0][1:].startswith(context.local_prefixes)),
        seeds_asserted=tuple(t for t in triples if t[1] in joins),
        seeds_inferred=tuple(t for t in inferred if t[1] in joins),
        check=_check_article(triples) if context.validate else None,
    )


def _check_article(triples: list[Triple]) -> Any:
    from .localvalidate import check_article

    return check_article(cast(Any, triples))


def _prepare_checks() -> None:
    from .localvalidate import prepare

    prepare()


def _unique(triples: list[Triple]) -> list[Triple]:
    return list(dict.fromkeys(triples))


_REASONER: Any = None
_TURTLE: TurtleWriter | None = None


def _reasoner() -> Any:
    global _REASONER
    if _REASONER is None:
        from .reason import Reasoner

        _REASONER = Reasoner()
    return _REASONER


def _prepare_reasoner(cache_folder: Path) -> None:
    """The reasoner of this process, its ontology rules read from the build's cache when saved there."""
    global _REASONER
    if _REASONER is None:
        from .reason import Reasoner, saved_rules

        _REASONER = Reasoner(rules=saved_rules(cache_folder))


def _turtle() -> TurtleWriter:
    global _TURTLE
    if _TURTLE is None:
        _TURTLE = TurtleWriter(DEFAULT_PREFIXES)
    return _TURTLE


def _close(triples: list[Triple]) -> list[Triple]:
    """The article's OWL RL entailments (Reasoner.close_article only iterates its argument: a list will do)."""
    return list(_reasoner().close_article(cast(Graph, triples)))


# ================================================================ the build


def build(root: Path, out: Path, options: BuildOptions = BuildOptions()) -> BuildResult:  # noqa: B008
    """Build the outputs in `out` from the articles under `root` (the stages are described at the top)."""
    try:
        return _build(root, out, options)
    finally:
        gc.unfreeze()  # what the build froze (see _map) is collectable again


def _build(root: Path, out: Path, options: BuildOptions) -> BuildResult:
    if not root.is_dir():
        raise TreatygraphError(f"{root}: not a folder of articles")
    _check_writable(out)
    _remove_leftovers(out)
    timings: dict[str, float] = {}
    cpu = _CpuClock()
    clock = time.perf_counter()
    state_file = out / CACHE_DIR / "state.pkl"
    settings = settings_of(options.base, options.reason, _settings(options.limits), OUTPUT_FORMAT, _model_hash())
    previous = load_state(state_file, settings) if options.use_cache else BuildState(settings)
    # millions of long-lived objects at 100k articles: frozen, the collections that every new allocation
    # triggers do not walk them again and again (`build` unfreezes them at the end)
    gc.freeze()
    current = BuildState(settings)
    store_was_current = _store_matches(out, previous) if options.store else False
    digests = []
    cache = ArticleCache(out / CACHE_DIR / "facts")
    for digest in extract_corpus(root, cache, options, previous, current):
        digests.append(digest)
        if digest.report.status == "failed":
            for problem in digest.report.problems:
                sys.stderr.write(f"treatygraph: skipped {problem}\n")
        elif digest.report.status == "empty":  # read, but about no treaty: say which article
            sys.stderr.write(f"treatygraph: {digest.report.path}: no treaty found in the article\n")
    timings["extract"] = time.perf_counter() - clock
    cpu.lap("extract")
    cache.keep_only(d.key for d in digests if d.key is not None)
    cache.save()

    clock = time.perf_counter()
    resolution = resolve_mentions((m for d in digests for m in d.mentions), options.base)
    redundant = frozenset(redundant_dates(_date_values(digests, resolution)))
    timings["resolve"] = time.perf_counter() - clock
    cpu.lap("resolve")

    shutil.rmtree(out / CACHE_DIR / "out", ignore_errors=True)  # pickled outputs of builds before the ledger
    if options.reason:
        _prepare_reasoner(out / CACHE_DIR / "model")
    names = _output_names(options)
    earlier = PreviousOutputs(out, previous.files, names) if options.use_cache and previous.ledgers else None
    table = previous.lines if earlier is not None and earlier.usable and previous.lines is not None else LineTable()
    written = _Outputs(out, options, table)
    loading: GrowingLoad | None = None
    try:
        with written:
            clock = time.perf_counter()
            plan = _plan_writes(digests, resolution, redundant, options, previous, current, earlier)
            in_place = store_was_current and plan.few_changes()
            loading = _start_loading(out, options, written, plan.paths, in_place)
            _write_articles(plan, resolution, redundant, cache, options, written, previous, current, earlier)
            cache.release_memory()  # the facts are written: free them before the store is loaded
            gc.freeze()  # the articles' ledgers, kept to the end: not walked by every full collection
            written.end_articles()
            if loading is not None:
                loading.written(written.flush_graph())
            timings["write"] = time.perf_counter() - clock
            cpu.lap("write")
            clock = time.perf_counter()
            written.finish_inferred()
        # the outputs are synced to disk and renamed into place on leaving the block: part of finishing
        timings["finish"] = time.perf_counter() - clock
        cpu.lap("finish")
        current.files = stamps_of(out, names)
        update = plan.store_update(previous, earlier, table) if store_was_current and loading is None else None
        conforms, validation_seconds, store_seconds = _store_and_validate(
            out, options, written, update, previous, current, loading
        )
    except BaseException:
        if loading is not None:
            loading.abort()
            shutil.rmtree(loading.location, ignore_errors=True)
        raise
    finally:
        if earlier is not None:
            earlier.close()
    timings["store"], timings["validate"] = store_seconds, validation_seconds
    if loading is not None:
        timings["store_loading"] = loading.seconds  # in the background, while the articles were written
    cpu.lap("store+validate")
    current.lines = written.table
    used = written.used_lines()
    if written.table.sparse(used):  # many lines no article states any more: renumber the rest
        current.lines, current.ledgers = written.table.compacted(used, current.ledgers)
    if options.store and STORE_DIR in written.outputs:
        current.graph_signature = st_source_signature(out / "treatygraph.ttl")
    save_state(state_file, current)
    reports = [d.report for d in digests]
    links = _merge_links(d.links for d in digests)
    summary = written.summary(reports, links)
    cached = sum(d.cached for d in digests)
    report = {
        "extractor_version": EXTRACTOR_VERSION,
        "base": options.base,
        "summary": summary,
        "conforms": conforms,
        "articles": [_report_line(r) for r in reports],
        "links": links,
    }
    # indented for a person to read; a large corpus's report is compact (indenting makes json pure Python)
    indent = 1 if len(reports) <= READABLE_REPORT_ARTICLES else None
    _write_text(out / "report.json", json.dumps(report, indent=indent, ensure_ascii=False) + "\n")
    written.outputs["report"] = str(out / "report.json")
    # how this run went (seconds per stage, articles read from the cache): beside the cache, so that the
    # outputs stay byte-identical from run to run
    cpu.lap("report")
    stats = {
        "timings": {stage: round(seconds, 3) for stage, seconds in timings.items()},
        "cpu": cpu.laps,  # CPU seconds of this process and its workers, per stage (cores' worth of work)
        "cached_articles": cached,
    }
    atomic_write_text(out / CACHE_DIR / "last-build.json", json.dumps(stats) + "\n")
    return BuildResult(tuple(reports), summary, written.outputs, conforms, timings, cached)


class _CpuClock:
    """CPU seconds (user + system, this process and its finished workers) spent since the last lap."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self.last = self._now()

    @staticmethod
    def _now() -> float:
        times = os.times()
        return times.user + times.system + times.children_user + times.children_system

    def lap(self, stage: str) -> None:
        now = self._now()
        self.laps[stage] = round(now - self.last, 3)
        self.last = now


def _report_line(report: ArticleReport) -> dict[str, Any]:
    """`dataclasses.asdict` of a report line, without its deep copies (100k lines: seconds)."""
    return {
        "path": report.path,
        "format": report.format,
        "status": report.status,
        "counts": dict(report.counts),
        "problems": list(report.problems),
    }


def _date_values(digests: list[ArticleDigest], resolution: Resolution) -> Iterator[DateValue]:
    for digest in digests:
        yield from _article_date_values(digest, resolution)


def _article_date_values(digest: ArticleDigest, resolution: Resolution) -> Iterator[DateValue]:
    """The date triples the article's writer will state, under the treaties its keys resolved to."""
    for key, kind, value in digest.dates:
        node = resolution.treaty(digest.report.path, key)
        if node is not None:
            yield node.iri, DATE_PROPERTIES[kind], value  # str(date_literal(value)): rdflib keeps the lexical form


@dataclass
class _WritePlan:
    """Which articles' outputs are computed and which are copied from the cache, by output signature."""

    paths: list[str]  # articles with facts, in output order
    facts_keys: dict[str, str]  # article -> cache entry of its facts
    signatures: dict[str, str]
    fresh: set[str]  # articles whose output is computed in this build (the others are copied)
    changed: set[str]  # articles whose output differs from the last build's (new ones included)
    removed: set[str]  # articles of the last build that are gone or have no facts now
    kept_outputs: dict[str, ArticleOutput] = field(default_factory=dict)  # new outputs of changed articles

    def few_changes(self) -> bool:
        """Few enough articles changed or went for an update of the store in place to beat a fresh load."""
        return len(self.changed) + len(self.removed) <= INCREMENTAL_STORE_SHARE * max(len(self.paths), 1)

    def store_update(
        self, previous: BuildState, earlier: PreviousOutputs | None, table: LineTable
    ) -> _StoreUpdate | None:
        """What an up-to-date store must lose and gain, when few enough articles changed; None: rebuild it."""
        if not self.few_changes():
            return None
        old = []
        for path in sorted((self.changed | self.removed) & previous.signatures.keys()):
            ledger = previous.ledgers.get(path)
            if ledger is None or earlier is None or not earlier.usable:
                return None  # the last build's output of that article is gone: its triples are unknown
            local = earlier.read("ttl", ledger.ttl).decode()
            old.append(_OldOutput(local, tuple(table.lines[number] for number in ledger.shared)))
        new = [self.kept_outputs[path] for path in sorted(self.changed)]
        return _StoreUpdate(tuple(old), tuple(new))


class _OldOutput(NamedTuple):
    """What the last build wrote of an article that changed or went: read back from its files."""

    local_turtle: str
    shared: tuple[str, ...]


@dataclass(frozen=True)
class _StoreUpdate:
    old: tuple[_OldOutput, ...]  # the last build's outputs of the changed and removed articles
    new: tuple[ArticleOutput, ...]  # this build's outputs of the changed articles


INCREMENTAL_STORE_SHARE = 0.2  # above this share of changed articles, a fresh bulk load is faster


def _plan_writes(
    digests: list[ArticleDigest],
    resolution: Resolution,
    redundant: frozenset[DateValue],
    options: BuildOptions,
    previous: BuildState,
    current: BuildState,
    earlier: PreviousOutputs | None,
) -> _WritePlan:
    paths = [d.report.path for d in digests if d.key is not None]
    for digest in digests:
        if digest.key is not None:
            current.signatures[digest.report.path] = _output_signature(digest, resolution, redundant, options)
    signatures = current.signatures
    copyable = earlier is not None and earlier.usable
    fresh = {path for path in paths if not copyable or not _same_output(previous.ledgers.get(path), signatures[path])}
    changed = {path for path in paths if previous.signatures.get(path) != signatures[path]}
    removed = set(previous.signatures) - set(paths)
    facts_keys = {d.report.path: d.key for d in digests if d.key is not None}
    return _WritePlan(paths, facts_keys, signatures, fresh, changed, removed)


def _same_output(ledger: ArticleLedger | None, signature: str) -> bool:
    return ledger is not None and ledger.signature == signature


def _output_names(options: BuildOptions) -> tuple[str, ...]:
    """The output files whose spans the ledgers record."""
    return ("ttl", "trig", "inferred") if options.reason else ("ttl", "trig")


def _output_signature(
    digest: ArticleDigest, resolution: Resolution, redundant: frozenset[DateValue], options: BuildOptions
) -> str:
    """Everything one article's output depends on: its facts, where its treaties resolved, its dates that
    other articles made redundant, the options (the settings hash covers versions and the model)."""
    path = digest.report.path
    treaties = []
    for mention in digest.mentions:
        node = resolution.treaty(path, mention.key)
        treaties.append((mention.key, None if node is None else (str(node.iri), node.label, node.year)))
    dropped = [tuple(map(str, date)) for date in _article_date_values(digest, resolution) if date in redundant]
    return output_signature(
        OUTPUT_FORMAT, digest.key, options.base, options.reason, options.validate, sorted(treaties), sorted(dropped)
    )


def _write_articles(
    plan: _WritePlan,
    resolution: Resolution,
    redundant: frozenset[DateValue],
    cache: ArticleCache,
    options: BuildOptions,
    written: _Outputs,
    previous: BuildState,
    current: BuildState,
    earlier: PreviousOutputs | None,
) -> None:
    """Every article's output into the files, in order: computed (in workers) or copied from the last build's
    files; each article's ledger goes to the new state."""
    global _CONTEXT
    join_predicates = frozenset(_reasoner().rules.join_predicates) if options.reason else frozenset()
    _CONTEXT = _WriteContext(
        resolution,
        redundant,
        plan.facts_keys,
        cache,
        article_local_prefixes(options.base),
        options.reason,
        join_predicates,
        options.validate,
    )
    progress = _Progress(len(plan.paths), options.progress, "write")
    keep_changed = len(plan.changed) <= INCREMENTAL_STORE_SHARE * max(len(plan.paths), 1)
    try:
        if options.validate and plan.fresh:
            _prepare_checks()  # compiled once here, inherited by the workers (each would compile them again)
        computed = _map(write_one, [path for path in plan.paths if path in plan.fresh], options)
        for path in plan.paths:
            if path in plan.fresh:
                output = next(computed)
                current.ledgers[path] = written.add(output, plan.signatures[path])
                if keep_changed and path in plan.changed:
                    plan.kept_outputs[path] = output
            else:
                assert earlier is not None  # an article is copied only from usable earlier outputs
                current.ledgers[path] = written.copy(previous.ledgers[path], earlier)
            progress.step()
    finally:
        _CONTEXT = None
        progress.done()


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise TreatygraphError(f"{out}: cannot create the output folder ({error.strerror})") from error
    if not os.access(out, os.W_OK):
        raise TreatygraphError(f"{out}: output folder is not writable")


def _write_text(path: Path, text: str) -> None:
    atomic_write_text(path, text)
    path.chmod(OUTPUT_MODE)


# ================================================================ the output files


class _Outputs:
    """The graph files, written as articles arrive; atomically replaced when the build completes.

    Lines about shared nodes are kept as ids into the build's LineTable: which ones the Turtle file already
    holds (`asserted`), and the inferred ones in the order first inferred (`inferred_order`)."""

    def __init__(self, out: Path, options: BuildOptions, table: LineTable) -> None:
        self.out, self.options = out, options
        self.base = options.base
        self.table = table
        self.outputs: dict[str, str] = {}
        self.stack = contextlib.ExitStack()
        self.asserted = bytearray()  # per line id: 1 once the Turtle file holds the line
        self.inferred_seen = bytearray()  # per line id: 1 once inferred by an article (or a cross-article rule)
        self.inferred_order: list[int] = []
        self.new_shared: list[str] = []  # shared lines for the Turtle file, written a batch at a time
        self.new_shared_bytes = 0
        self.local_count = 0
        self.predicate_counts: Counter[str] = Counter()
        self.typed: dict[str, set[str]] = {_nt(TG.Treaty): set(), _nt(TG.Violation): set(), _nt(TG.Resolution): set()}
        self.seeds_asserted: list[Triple] = []
        self.seeds_inferred: list[Triple] = []
        self.header = prefix_header({**DEFAULT_PREFIXES, "id": self.base})
        self.header_bytes = self.header.encode()
        self.local_results: list[Any] = []  # validation results each article settled on its own
        self.pending: list[Any] = []  # findings of articles that only the whole graph settles

    def __enter__(self) -> _Outputs:
        self.ttl = self._open("treatygraph.ttl", "graph")
        self.trig = self._open("treatygraph.trig", "trig")
        self.ttl.write(self.header_bytes)
        self.trig.write(self.header_bytes)
        if self.options.reason:
            self.inferred = self._open("inferred.ttl", "inferred")
            self.inferred.write(self.header_bytes)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            for sink in (self.ttl, self.trig, *([self.inferred] if self.options.reason else [])):
                sink.flush()  # spans still to copy
        self.stack.__exit__(kind, error, trace)  # renames each output into place (or removes it on error)
        if kind is None:
            for path in self.outputs.values():
                Path(path).chmod(OUTPUT_MODE)

    def _open(self, name: str, key: str) -> Sink:
        self.outputs[key] = str(self.out / name)
        return Sink(cast(IO[bytes], self.stack.enter_context(atomic_writer(self.out / name, binary=True))))

    def add(self, article: ArticleOutput, signature: str) -> ArticleLedger:
        """Append a computed article; its ledger says where it went."""
        local = article.local_turtle.encode()
        ttl_span = self.ttl.position, self.ttl.position + len(local)
        self.ttl.write(local)
        trig_start = self.trig.position
        self.trig.write(article.trig.encode())
        inferred_span = (0, 0)
        if self.options.reason:
            inferred_local = article.inferred_local.encode()
            inferred_span = self.inferred.position, self.inferred.position + len(inferred_local)
            self.inferred.write(inferred_local)
        ledger = ArticleLedger(
            signature,
            ttl_span,
            (trig_start, self.trig.position),
            inferred_span,
            self.table.ids_of(article.shared),
            self.table.ids_of(article.inferred_shared) if self.options.reason else array("I"),
            article.local_count,
            article.seeds_asserted,
            article.seeds_inferred,
            article.check,
        )
        self._take(ledger)
        return ledger

    def copy(self, ledger: ArticleLedger, earlier: PreviousOutputs) -> ArticleLedger:
        """Append an unchanged article, copied from the last build's files; its ledger with the new spans."""
        fds = earlier.fds
        ttl_span = self.ttl.copy(fds["ttl"], ledger.ttl)
        trig_span = self.trig.copy(fds["trig"], ledger.trig)
        inferred_span = (0, 0)
        if self.options.reason:
            inferred_span = self.inferred.copy(fds["inferred"], ledger.inferred)
        moved = ArticleLedger(  # not dataclasses.replace: 100k of them cost a second
            ledger.signature,
            ttl_span,
            trig_span,
            inferred_span,
            ledger.shared,
            ledger.inferred_shared,
            ledger.local_count,
            ledger.seeds_asserted,
            ledger.seeds_inferred,
            ledger.check,
        )
        self._take(moved)
        return moved

    def _take(self, ledger: ArticleLedger) -> None:
        """The article's shared lines the Turtle file does not hold yet, its counts, checks and seeds."""
        lines, asserted = self.table.lines, self.asserted
        _grow(asserted, len(lines))
        fresh = []
        for number in ledger.shared:
            if not asserted[number]:
                asserted[number] = 1
                fresh.append(lines[number])
        for line in fresh:
            self._count(line)
        if fresh:
            # batched, so that the local blocks of unchanged articles lie side by side (copied at once)
            self.new_shared += fresh
            self.new_shared_bytes += sum(map(len, fresh))
            if self.new_shared_bytes >= SHARED_BATCH_BYTES:
                self.end_articles()
        self.local_count += ledger.local_count
        if ledger.check is not None:
            self.local_results += ledger.check.results
            self.pending += ledger.check.pending
        if self.options.reason:
            self._inferred(ledger.inferred_shared)
            self.seeds_asserted.extend(ledger.seeds_asserted)
            self.seeds_inferred.extend(ledger.seeds_inferred)

    def _inferred(self, numbers: Iterable[int]) -> None:
        seen, order = self.inferred_seen, self.inferred_order
        _grow(seen, len(self.table))
        for number in numbers:
            if not seen[number]:
                seen[number] = 1
                order.append(number)

    def end_articles(self) -> None:
        """Write the shared lines not written yet (N-Triples lines are Turtle)."""
        if self.new_shared:
            self.ttl.write("".join(self.new_shared).encode())
            self.new_shared, self.new_shared_bytes = [], 0

    def flush_graph(self) -> int:
        """Flush the Turtle file (complete once every article is added); its length in bytes."""
        self.ttl.flush()
        return os.fstat(self.ttl.handle.fileno()).st_size

    def asserts(self, line: str) -> bool:
        """The Turtle file holds this line about a shared node."""
        number = self.table.ids.get(line)
        return number is not None and number < len(self.asserted) and self.asserted[number] == 1

    def used_lines(self) -> bytearray:
        """Per line id: 1 when some article of this build states or infers it."""
        width = max(len(self.asserted), len(self.inferred_seen))
        either = int.from_bytes(self.asserted, "little") | int.from_bytes(self.inferred_seen, "little")
        return bytearray(either.to_bytes(width, "little"))

    def _count(self, line: str) -> None:
        subject, predicate, rest = line.split(" ", 2)  # subjects and predicates are IRIs or blank nodes
        obj = rest[:-3]  # without " .\n"
        self.predicate_counts[predicate] += 1
        if predicate == RDF_TYPE_NT and obj in self.typed:
            self.typed[obj].add(subject)

    def finish_inferred(self) -> None:
        """Cross-article rules, then inferred triples not asserted anywhere: into inferred.ttl and the TriG."""
        if self.options.reason:
            # sorted: the reasoner's sets iterate in an order that changes from run to run
            local_prefixes = article_local_prefixes(self.base)
            for nt in sorted(map(nt_triple, self._joined())):
                if nt[0][1:].startswith(local_prefixes):
                    self.inferred.write(nt_line(nt).encode())
                else:
                    self._inferred(self.table.ids_of((nt_line(nt),)))
            # as N-Triples lines (valid Turtle): grouping millions of them by subject would cost more than it gives
            lines, asserted = self.table.lines, self.asserted
            _grow(asserted, len(lines))
            self.trig.write(f"{nt_term(URIRef(self.base + 'graph/inferred'))} {{\n".encode())
            # the TriG's inferred graph holds the article-local lines inferred.ttl has so far (its descriptor
            # is read-write: atomic_writer's temporary file)
            self.inferred.flush()
            self.trig.copy(self.inferred.handle.fileno(), (len(self.header_bytes), self.inferred.position))
            # a megabyte at a time: the whole block is hundreds of megabytes at 100k articles
            for batch in _batched_text(lines[number] for number in self.inferred_order if not asserted[number]):
                data = batch.encode()
                self.inferred.write(data)
                self.trig.write(data)
            self.trig.write(b"}\n")
            self.inferred.flush()
            self.trig.flush()
            # written: free them before the store is loaded (the build's peak memory)
            self.seeds_asserted, self.seeds_inferred = [], []

    def _joined(self) -> Iterable[Triple]:
        """What the rules joining two facts add (superseding chains across articles, property chains)."""
        if not self.seeds_asserted and not self.seeds_inferred:
            return ()
        from .reason import TripleIndex

        asserted, inferred = TripleIndex(self.seeds_asserted), TripleIndex(self.seeds_inferred)
        known = set(self.seeds_inferred)  # already written with their article
        return [triple for triple in _reasoner().finish(asserted, inferred) if triple not in known]

    def summary(self, reports: list[ArticleReport], links: dict[str, dict[str, Any]]) -> dict[str, int]:
        count = self.predicate_counts
        return {
            "articles": len(reports),
            "articles_failed": sum(r.status == "failed" for r in reports),
            "articles_without_treaty": sum(r.status == "empty" for r in reports),
            "treaties": len(self.typed[_nt(TG.Treaty)]),
            "parties": count[_nt(TG.hasParty)],
            "signers": count[_nt(TG.hasSigner)],
            "lineage_links": count[_nt(TG.supersedes)] + count[_nt(TG.basedOn)],
            "violations": len(self.typed[_nt(TG.Violation)]),
            "resolutions": len(self.typed[_nt(TG.Resolution)]),
            "triples": self.local_count + self.asserted.count(1),
            "problems": sum(len(r.problems) for r in reports),
            "names_linked": len(links.get("linked", {})),
            "names_unlinked": len(links.get("unlinked", {})) + len(links.get("ambiguous", {})),
        }


def _batched_text(lines: Iterable[str], size: int = SHARED_BATCH_BYTES) -> Iterator[str]:
    """`lines` joined into texts of about `size` characters."""
    batch: list[str] = []
    length = 0
    for line in lines:
        batch.append(line)
        length += len(line)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)


def _grow(marks: bytearray, size: int) -> None:
    """Room for `size` ids (the table grows as articles bring new lines)."""
    if len(marks) < size:
        marks.extend(bytes(size - len(marks)))


def _nt(term: URIRef) -> str:
    return nt_term(term)


def _merge_links(parts: Iterable[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The corpus's linking report from the articles' reports: counts added, everything else as reported."""
    merged: dict[str, dict[str, Any]] = {"linked": {}, "unlinked": {}, "ambiguous": {}}
    for part in parts:
        for bucket, names in part.items():
            for name, entry in names.items():
                known = merged[bucket].get(name)
                if known is None:
                    merged[bucket][name] = dict(entry)
                else:
                    known["count"] += entry["count"]
    return {bucket: dict(sorted(names.items())) for bucket, names in merged.items()}


def _remove_leftovers(out: Path) -> None:
    """Temporary files and store folders of an earlier build that was killed before it could rename them."""
    for leftover in out.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    for leftover in out.glob(".store-*"):
        shutil.rmtree(leftover, ignore_errors=True)


# ================================================================ store and validation


def _start_loading(
    out: Path, options: BuildOptions, written: _Outputs, written_paths: list[str], in_place: bool
) -> GrowingLoad | None:
    """A fresh store loaded from the Turtle as it is written, when the build needs one: it stores or
    validates, and the store is not to be updated in place (`in_place`: it is current and few articles changed)."""
    if in_place or not (options.store or options.validate) or len(written_paths) < BACKGROUND_LOAD_FROM:
        return None
    growing = GrowingLoad.path_of(written.ttl.handle.fileno())
    if growing is None:  # where the temporary file's name is unknown, the store is loaded after writing
        return None
    return GrowingLoad(growing, _new_store_folder(out), str(out / "treatygraph.ttl"))


def _new_store_folder(out: Path) -> Path:
    building = Path(tempfile.mkdtemp(prefix=".store-", dir=out))
    building.chmod(0o777 & ~current_umask())  # mkdtemp makes 0700; the store is an output like the others
    return building


def _store_and_validate(
    out: Path,
    options: BuildOptions,
    written: _Outputs,
    update: _StoreUpdate | None,
    previous: BuildState,
    current: BuildState,
    loading: GrowingLoad | None,
) -> tuple[bool | None, float, float]:
    """Bring OUT/store up to date (in place when few articles changed, else a fresh bulk load) and run
    the shapes: each article's own results (from its output), the pending ones confirmed on the store, and
    the shapes about shared nodes (only the nodes the changed articles touched, after an update in place)."""
    if not options.store and not options.validate:
        return None, 0.0, 0.0
    clock = time.perf_counter()
    touched = _update_store_in_place(out, update, written) if update is not None and options.store else None
    if touched is not None:
        oxstore = _open_store(out / STORE_DIR)
        store_seconds = time.perf_counter() - clock
        conforms, seconds = _validated(oxstore, out, options, written, previous, current, touched)
        return conforms, seconds, store_seconds
    return _fresh_store_and_validate(out, options, written, previous, current, clock, loading)


def _store_matches(out: Path, previous: BuildState) -> bool:
    """The store holds the outputs the last build's state describes (not a killed build's half)."""
    graph = out / "treatygraph.ttl"
    signature = st_source_signature(graph)
    return signature is not None and signature == previous.graph_signature and st_store_for_graph(graph) is not None


def _open_store(location: Path) -> Any:
    import pyoxigraph as ox

    return ox.Store(str(location))


def _update_store_in_place(out: Path, update: _StoreUpdate, written: _Outputs) -> set[URIRef] | None:
    """Remove the changed articles' old triples (shared ones only when no article states them any more),
    add their new ones, then mark the store as holding the new Turtle file. Returns the shared nodes whose
    validation may have changed; None when the store cannot be opened (a running `serve` holds it): the
    caller then builds a fresh one beside it."""
    import pyoxigraph as ox

    from . import store as st

    location = out / STORE_DIR
    try:
        store = ox.Store(str(location))
    except OSError:
        return None
    st.begin_update(location)  # killed from here on: the next build loads a fresh store
    header = written.header
    touched: set[str] = set()
    retyped: set[str] = set()  # shared nodes that lost or gained a type
    local = tuple(article_local_prefixes(written.base))
    removed: set[Any] = set()
    for old in update.old:
        gone = [line for line in old.shared if not written.asserts(line)]
        retyped.update(line.split(" ", 1)[0] for line in gone if line.split(" ", 2)[1] == RDF_TYPE_NT)
        touched.update(_iris(old.shared, written.base))
        removed.update(ox.parse((header + old.local_turtle).encode(), ox.RdfFormat.TURTLE))
        removed.update(ox.parse("".join(gone).encode(), ox.RdfFormat.N_TRIPLES))
    added: set[Any] = set()
    for new in update.new:
        touched.update(_iris(new.shared, written.base))
        added.update(ox.parse((header + new.local_turtle + new.shared_turtle).encode(), ox.RdfFormat.TURTLE))
    # what an edit left as it was is neither removed nor added again (an article's IRIs, most of its records)
    removed, added = removed - added, added - removed
    for quad in removed:
        store.remove(quad)
    # a node only one article describes is referred to only by that article's own lines: its local nodes
    # (checked with the article) and its shared lines (their subjects are touched already)
    retyped.update(
        f"<{q.subject.value}>"
        for q in added
        if q.predicate.value == _RDF_TYPE
        and isinstance(q.subject, ox.NamedNode)
        and not q.subject.value.startswith(local)
        and q not in store  # a lookup per shared type only: slow on a freshly bulk-loaded store
    )
    store.extend(added)  # one transaction
    store.flush()
    st.mark_store(location, out / "treatygraph.ttl")
    written.outputs["store"] = str(location)
    return {URIRef(iri[1:-1]) for iri in touched} | _referring_to(store, retyped)


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _iris(lines: Iterable[str], base: str) -> Iterator[str]:
    """The graph's own nodes in N-Triples `lines` (subjects, and objects under the base: not classes or Q-ids)."""
    own = "<" + base
    for line in lines:
        subject, _, rest = line.split(" ", 2)
        yield subject
        if rest.startswith(own):
            yield rest[: rest.index(">") + 1]


def _referring_to(store: Any, nodes: set[str]) -> set[URIRef]:
    """The nodes whose values include one of `nodes` (a changed type can change their class checks):
    index lookups by object, not SPARQL (thousands of nodes after a 1% change at 100k)."""
    import pyoxigraph as ox

    found: set[URIRef] = set()
    default = ox.DefaultGraph()
    for node in sorted(nodes):
        if not node.startswith("<"):
            continue  # shared nodes are IRIs
        for quad in store.quads_for_pattern(None, None, ox.NamedNode(node[1:-1]), default):
            if isinstance(quad.subject, ox.NamedNode):
                found.add(URIRef(quad.subject.value))
    return found


def _fresh_store_and_validate(
    out: Path,
    options: BuildOptions,
    written: _Outputs,
    previous: BuildState,
    current: BuildState,
    clock: float,
    loading: GrowingLoad | None,
) -> tuple[bool | None, float, float]:
    """Load the Turtle into a fresh pyoxigraph store (OUT/store), or wait for the one loading in the
    background, and run the shapes on it."""
    from . import store as st

    graph = out / "treatygraph.ttl"
    building = loading.location if loading is not None else _new_store_folder(out)
    try:
        if loading is not None:
            loading.wait()
            oxstore = _open_store(building)
        else:
            oxstore = st.bulk_load_store(graph, building)
        store_seconds = time.perf_counter() - clock
        conforms, validation_seconds = _validated(oxstore, out, options, written, previous, current, None)
        del oxstore
        if options.store:
            clock = time.perf_counter()
            st.replace_store_folder(building, out / STORE_DIR, graph)
            written.outputs["store"] = str(out / STORE_DIR)
            store_seconds += time.perf_counter() - clock
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return conforms, validation_seconds, store_seconds


def _validated(
    oxstore: Any,
    out: Path,
    options: BuildOptions,
    written: _Outputs,
    previous: BuildState,
    current: BuildState,
    touched: set[URIRef] | None,
) -> tuple[bool | None, float]:
    """validation.txt from the articles' own results, the confirmed pending ones and the shared shapes
    (re-run only on `touched` nodes when given; the last build's results stand for the others)."""
    if not options.validate:
        return None, 0.0
    from .localvalidate import confirm, merge, validate_shared
    from .validate import render_text

    clock = time.perf_counter()
    if touched is None:
        shared = validate_shared(oxstore).results
    else:
        names = {str(node) for node in touched}
        kept = tuple(r for r in previous.shared_findings if r.focus not in names)
        shared = kept + validate_shared(oxstore, focus=touched).results
    current.shared_findings = tuple(shared)
    report = merge(written.local_results, confirm(oxstore, written.pending), shared)
    _write_text(out / "validation.txt", render_text(report))
    written.outputs["validation"] = str(out / "validation.txt")
    return report.conforms, time.perf_counter() - clock


def _model_hash() -> str:
    """The ontology and the shapes: outputs (closures, validation) made under another model are recomputed."""
    digest = hashlib.sha256()
    for path in (ONTOLOGY_FILE, *shape_files()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
