"""Push a graph file into a SPARQL 1.1 store, in batches, with retries.

Two routes: the Graph Store HTTP Protocol (Oxigraph `/store`, Fuseki `/DATASET/data`, GraphDB
`/repositories/R/rdf-graphs/service`): each batch is N-Triples, POSTed (appended) to `?default` or
`?graph=IRI`, the first batch of a graph PUT instead when replacing; or SPARQL Update (`INSERT DATA`
batches, the first one preceded by `CLEAR SILENT` when replacing). Replacing makes a re-push idempotent.

Blank nodes are scoped to one request, so every triple that mentions a blank node goes into one last
batch per graph: split across requests they would turn into different nodes.

Credentials come only from the environment (TREATYGRAPH_PUSH_TOKEN, or TREATYGRAPH_PUSH_USER and
TREATYGRAPH_PUSH_PASSWORD); an endpoint URL with user:password@ is refused, and messages show the
endpoint without its query string.
"""

from __future__ import annotations

import base64
import os
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import quote, urlsplit, urlunsplit

import pyoxigraph as ox

from .store import graph_format
from .types import TreatygraphError

Protocol = Literal["gsp", "update"]
DEFAULT_GRAPH = ""  # the key of the default graph in batches


class PushError(TreatygraphError):
    """The push stopped. Says where, why, and how much had already arrived (a half-pushed graph)."""

    def __init__(self, message: str, triples_sent: int = 0, batches_sent: int = 0) -> None:
        super().__init__(message)
        self.triples_sent = triples_sent
        self.batches_sent = batches_sent


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: delay = min(max_delay, initial * factor**n) * U(0.5, 1)."""

    attempts: int = 5
    initial_delay: float = 0.5
    factor: float = 2.0
    max_delay: float = 10.0

    def delay(self, attempt: int) -> float:
        return min(self.max_delay, self.initial_delay * self.factor**attempt) * random.uniform(0.5, 1.0)


@dataclass(frozen=True)
class Credentials:
    """An Authorization header value, or none. Never printed: repr hides it."""

    header: str | None = field(default=None, repr=False)

    @staticmethod
    def from_env(env: dict[str, str] | None = None) -> Credentials:
        env = dict(os.environ) if env is None else env
        token = env.get("TREATYGRAPH_PUSH_TOKEN")
        if token:
            return Credentials(f"Bearer {token}")
        user, password = env.get("TREATYGRAPH_PUSH_USER"), env.get("TREATYGRAPH_PUSH_PASSWORD")
        if user is not None and password is not None:
            pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            return Credentials(f"Basic {pair}")
        if user is not None or password is not None:
            raise TreatygraphError(
                "set both TREATYGRAPH_PUSH_USER and TREATYGRAPH_PUSH_PASSWORD (or TREATYGRAPH_PUSH_TOKEN)"
            )
        return Credentials()


@dataclass(frozen=True)
class PushOptions:
    protocol: Protocol = "gsp"
    named_graph: str | None = None  # None: the file's own graphs (the default graph for triple formats)
    replace: bool = False
    batch_triples: int = 50_000
    request_timeout: float = 120.0  # seconds per request
    retry: RetryPolicy = RetryPolicy()


@dataclass(frozen=True)
class PushReport:
    endpoint: str  # shown form (no query string)
    triples: int
    batches: int
    graphs: tuple[str, ...]  # "" is the default graph
    seconds: float
    retries: int

    @property
    def triples_per_second(self) -> float:
        return self.triples / self.seconds if self.seconds > 0 else float("inf")


@dataclass(frozen=True)
class Batch:
    graph: str  # DEFAULT_GRAPH or an IRI
    triples: int
    ntriples: bytes


# ---------------------------------------------------------------- batching


def batches(path: Path, named_graph: str | None, batch_triples: int) -> Iterator[Batch]:
    """The graph file as N-Triples batches per target graph, streaming; blank-node triples last, one batch per graph."""
    if batch_triples < 1:
        raise TreatygraphError("the batch size must be at least 1 triple")
    fmt = graph_format(path)
    if not path.is_file():
        raise TreatygraphError(f"{path}: no such graph file")
    pending: dict[str, list[str]] = {}
    with_blanks: dict[str, list[str]] = {}
    try:
        for quad in ox.parse(path=str(path), format=fmt):
            graph = named_graph if named_graph is not None else _graph_key(quad.graph_name)
            line = f"{quad.triple} .\n"
            if _has_blank_node(quad.triple):
                with_blanks.setdefault(graph, []).append(line)
                continue
            lines = pending.setdefault(graph, [])
            lines.append(line)
            if len(lines) >= batch_triples:
                yield Batch(graph, len(lines), "".join(lines).encode("utf-8"))
                pending[graph] = []
    except (SyntaxError, ValueError, OSError) as err:
        raise TreatygraphError(f"{path}: cannot read: {' '.join(str(err).split())[:300]}") from None
    for graph, lines in pending.items():
        if lines:
            yield Batch(graph, len(lines), "".join(lines).encode("utf-8"))
    for graph, lines in with_blanks.items():
        yield Batch(graph, len(lines), "".join(lines).encode("utf-8"))


def _graph_key(name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    if isinstance(name, ox.NamedNode):
        return name.value
    if isinstance(name, ox.BlankNode):
        raise TreatygraphError("a graph named by a blank node cannot be addressed in a store; give --named-graph")
    return DEFAULT_GRAPH


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


# ---------------------------------------------------------------- requests


def shown_url(url: str) -> str:
    """The endpoint as messages show it: no user info, no query string (either may hold a secret)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def check_endpoint(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TreatygraphError(f"{shown_url(url)!r}: the endpoint must be an http(s) URL")
    if parts.username or parts.password:
        raise TreatygraphError(
            "credentials in the endpoint URL are refused (they would show in process lists and logs); "
            "set TREATYGRAPH_PUSH_USER and TREATYGRAPH_PUSH_PASSWORD, or TREATYGRAPH_PUSH_TOKEN"
        )


def graph_url(endpoint: str, graph: str) -> str:
    """GSP indirect graph identification: ?default or ?graph=IRI, after any query the endpoint URL has."""
    target = "default" if graph == DEFAULT_GRAPH else "graph=" + quote(graph, safe="")
    return endpoint + ("&" if "?" in endpoint else "?") + target


def _iri(graph: str) -> str:
    return str(ox.NamedNode(graph))  # validated; serialised with <>


def update_body(batch: Batch, clear_first: bool) -> bytes:
    clear = b""
    if clear_first:
        clear = (b"CLEAR SILENT DEFAULT ;\n" if batch.graph == DEFAULT_GRAPH
                 else f"CLEAR SILENT GRAPH {_iri(batch.graph)} ;\n".encode())
    if batch.graph == DEFAULT_GRAPH:
        return clear + b"INSERT DATA {\n" + batch.ntriples + b"}\n"
    return clear + f"INSERT DATA {{ GRAPH {_iri(batch.graph)} {{\n".encode() + batch.ntriples + b"} }\n"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would resend the body (and the credentials) somewhere else: fail instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        message = f"redirected to {shown_url(newurl)}; push to that URL"
        raise urllib.error.HTTPError(req.full_url, code, message, headers, fp)


_OPENER = urllib.request.build_opener(_NoRedirects())
_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Outcome:
    ok: bool
    retryable: bool
    reason: str  # "HTTP 500 Internal Server Error", "connection refused", "timed out after 120 s"


def send(method: str, url: str, body: bytes, content_type: str, credentials: Credentials, timeout: float) -> Outcome:
    request = urllib.request.Request(url, data=body, method=method)
    request.add_header("Content-Type", content_type)
    if credentials.header:
        request.add_header("Authorization", credentials.header)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read()
            return Outcome(True, False, f"HTTP {response.status}")
    except urllib.error.HTTPError as err:
        detail = _error_detail(err)
        return Outcome(False, err.code in _RETRYABLE_STATUS, f"HTTP {err.code} {err.reason}{detail}")
    except TimeoutError:
        return Outcome(False, True, f"no answer within {timeout:g} s")
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError):
            return Outcome(False, True, f"no answer within {timeout:g} s")
        text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        return Outcome(False, True, f"cannot connect ({text})")
    except (ConnectionError, OSError) as err:
        return Outcome(False, True, f"connection failed ({type(err).__name__}: {err})")


def _error_detail(err: urllib.error.HTTPError) -> str:
    try:
        text = err.read(300).decode("utf-8", "replace")
    except (OSError, AttributeError):
        return ""
    text = " ".join(text.split())
    return f": {text}" if text else ""


# ---------------------------------------------------------------- pushing

Sender = Callable[[str, str, bytes, str, Credentials, float], Outcome]


def push_graph(
    path: Path,
    endpoint: str,
    options: PushOptions = PushOptions(),
    credentials: Credentials | None = None,
    progress: Callable[[str], None] | None = None,
    sender: Sender = send,
    sleep: Callable[[float], None] = time.sleep,
) -> PushReport:
    """Push the graph file to `endpoint` (a GSP or SPARQL Update URL, as `options.protocol` says).

    Raises PushError naming the endpoint, the last HTTP status or network error, and how many triples
    and batches had been accepted before it (the store then holds part of the graph)."""
    check_endpoint(endpoint)
    if options.named_graph is not None:
        _iri(options.named_graph)
    credentials = credentials if credentials is not None else Credentials.from_env()
    started = time.monotonic()
    shown = shown_url(endpoint)
    touched: list[str] = []
    sent_triples = sent_batches = retries = 0
    for batch in batches(path, options.named_graph, options.batch_triples):
        first = batch.graph not in touched
        method, url, body, content_type = _request(endpoint, batch, options, first)
        retries += _deliver(sender, sleep, method, url, body, content_type, credentials, options, shown,
                            sent_triples, sent_batches, batch)
        if first:
            touched.append(batch.graph)
        sent_triples += batch.triples
        sent_batches += 1
        if progress:
            rate = sent_triples / max(time.monotonic() - started, 1e-9)
            progress(f"batch {sent_batches}: {sent_triples} triples sent ({rate:,.0f} triples/s)")
    target = options.named_graph if options.named_graph is not None else DEFAULT_GRAPH
    if options.replace and not touched:  # an empty file still replaces (empties) the target graph
        empty = Batch(target, 0, b"")
        method, url, body, content_type = _request(endpoint, empty, options, True)
        retries += _deliver(sender, sleep, method, url, body, content_type, credentials, options, shown,
                            sent_triples, sent_batches, empty)
        touched.append(target)
    seconds = time.monotonic() - started
    return PushReport(shown, sent_triples, sent_batches, tuple(touched), seconds, retries)


def _request(endpoint: str, batch: Batch, options: PushOptions, first: bool) -> tuple[str, str, bytes, str]:
    replace_now = options.replace and first
    if options.protocol == "update":
        return "POST", endpoint, update_body(batch, replace_now), "application/sparql-update"
    return "PUT" if replace_now else "POST", graph_url(endpoint, batch.graph), batch.ntriples, "application/n-triples"


def _deliver(
    sender: Sender,
    sleep: Callable[[float], None],
    method: str,
    url: str,
    body: bytes,
    content_type: str,
    credentials: Credentials,
    options: PushOptions,
    shown: str,
    sent_triples: int,
    sent_batches: int,
    batch: Batch,
) -> int:
    """Send one request, retrying what may pass on a later try; the number of retries it took."""
    attempts = max(1, options.retry.attempts)
    for attempt in range(attempts):
        outcome = sender(method, url, body, content_type, credentials, options.request_timeout)
        if outcome.ok:
            return attempt
        if not outcome.retryable or attempt == attempts - 1:
            tries = f"after {attempt + 1} attempt{'s' if attempt else ''}"
            graph = "the default graph" if batch.graph == DEFAULT_GRAPH else f"graph <{batch.graph}>"
            partial = (
                f"; {sent_triples} triples in {sent_batches} batches had arrived before, so the store holds a "
                "partial graph: push again with --replace to make it whole"
                if sent_batches
                else "; no earlier batch had arrived"
            )
            raise PushError(
                f"push to {shown} failed: {outcome.reason} ({method} of batch {sent_batches + 1}, "
                f"{batch.triples} triples for {graph}, {tries}){partial}",
                sent_triples,
                sent_batches,
            )
        sleep(options.retry.delay(attempt))
    raise AssertionError("unreachable")
