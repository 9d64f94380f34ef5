"""Push: into a real Oxigraph server (counting what arrived), and into fake stores that are down, slow or failing."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.push import Credentials, PushError, PushOptions, RetryPolicy, batches, push_graph, shown_url
from treatygraph.types import TreatygraphError

FIXTURES = Path(__file__).parent / "fixtures" / "share"
MINI = FIXTURES / "mini.ttl"
MINI_TRIPLES = len(list(ox.parse(path=str(MINI))))
QUICK = RetryPolicy(attempts=3, initial_delay=0.01, max_delay=0.02)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- a real Oxigraph server


def oxigraph_binary() -> str:
    binary = shutil.which("oxigraph")
    if binary:
        return binary
    if os.environ.get("CI") == "true":
        pytest.fail("the oxigraph server (PyPI package 'oxigraph', in the test extras) is not installed")
    pytest.skip("the oxigraph server is not installed")


@dataclass
class Oxigraph:
    url: str  # http://127.0.0.1:PORT

    def count(self, graph: str | None = None) -> int:
        pattern = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(self.select(f"SELECT (COUNT(*) AS ?n) WHERE {pattern}")[0]["n"])

    def select(self, query: str) -> list[dict[str, str]]:
        body = urllib.parse.urlencode({"query": query}).encode()
        request = urllib.request.Request(self.url + "/query", data=body)
        request.add_header("Accept", "application/sparql-results+json")
        with urllib.request.urlopen(request, timeout=30) as response:
            document = json.load(response)
        return [{k: v["value"] for k, v in row.items()} for row in document["results"]["bindings"]]


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    binary = oxigraph_binary()
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = Oxigraph(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 30
        while True:
            try:
                server.count()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_push_through_the_graph_store_protocol_in_batches(oxigraph: Oxigraph) -> None:
    graph = "http://test.example/gsp"
    report = push_graph(MINI, oxigraph.url + "/store", PushOptions(named_graph=graph, batch_triples=10))
    assert report.triples == MINI_TRIPLES == oxigraph.count(graph)
    assert report.batches == -(-MINI_TRIPLES // 10)
    assert report.graphs == (graph,)


def test_replace_makes_a_repush_idempotent_and_drops_old_triples(oxigraph: Oxigraph, tmp_path: Path) -> None:
    graph = "http://test.example/replace"
    options = PushOptions(named_graph=graph, batch_triples=25, replace=True)
    push_graph(MINI, oxigraph.url + "/store", options)
    push_graph(MINI, oxigraph.url + "/store", options)
    assert oxigraph.count(graph) == MINI_TRIPLES
    smaller = tmp_path / "smaller.nt"
    smaller.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    push_graph(smaller, oxigraph.url + "/store", options)
    assert oxigraph.count(graph) == 1


def test_without_replace_a_push_adds(oxigraph: Oxigraph, tmp_path: Path) -> None:
    graph = "http://test.example/append"
    extra = tmp_path / "extra.nt"
    extra.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    push_graph(MINI, oxigraph.url + "/store", PushOptions(named_graph=graph))
    push_graph(extra, oxigraph.url + "/store", PushOptions(named_graph=graph))
    assert oxigraph.count(graph) == MINI_TRIPLES + 1


def test_push_through_sparql_update(oxigraph: Oxigraph) -> None:
    graph = "http://test.example/update"
    options = PushOptions(protocol="update", named_graph=graph, batch_triples=40, replace=True)
    report = push_graph(MINI, oxigraph.url + "/update", options)
    push_graph(MINI, oxigraph.url + "/update", options)
    assert report.batches == -(-MINI_TRIPLES // 40)
    assert oxigraph.count(graph) == MINI_TRIPLES


def test_blank_nodes_arrive_whole_even_with_tiny_batches(oxigraph: Oxigraph) -> None:
    graph = "http://test.example/blanks"
    push_graph(FIXTURES / "blanks.ttl", oxigraph.url + "/store", PushOptions(named_graph=graph, batch_triples=1))
    rows = oxigraph.select(
        f"SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?a <http://example.org/note> ?b . "
        "?b <http://example.org/text> ?t ; <http://example.org/order> ?o } }"
    )
    assert rows[0]["n"] == "2"
    assert oxigraph.count(graph) == 9


def test_a_dataset_keeps_its_named_graphs_and_replaces_only_those(oxigraph: Oxigraph) -> None:
    push_graph(MINI, oxigraph.url + "/store", PushOptions(replace=True))
    push_graph(FIXTURES / "mini.trig", oxigraph.url + "/store", PushOptions(replace=True))
    default = oxigraph.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # the store's default graph
    assert int(default[0]["n"]) == MINI_TRIPLES
    assert oxigraph.count("https://w3id.org/treatygraph/id/article/alpha-11111111") == 5
    assert oxigraph.count("https://w3id.org/treatygraph/id/article/beta-22222222") == 3


def test_the_push_command_reports_what_it_sent(oxigraph: Oxigraph) -> None:
    graph = "http://test.example/cli"
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph", "push", "--graph", str(MINI), "--endpoint", oxigraph.url + "/store",
         "--named-graph", graph, "--replace", "--batch-size", "30"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert f"pushed {MINI_TRIPLES} triples in {-(-MINI_TRIPLES // 30)} batches to {oxigraph.url}/store" in done.stdout
    assert oxigraph.count(graph) == MINI_TRIPLES


# ---------------------------------------------------------------- fake stores that misbehave


@dataclass
class Script:
    """How a fake store answers: status per request in order (the last repeats), an optional delay."""

    statuses: list[int]
    delay: float = 0.0
    seen: list[tuple[str, str, str | None, int]] = field(default_factory=list)  # method, path, auth, body bytes


@pytest.fixture()
def fake_store() -> Iterator[tuple[str, Script]]:
    script = Script([204])

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            index = len(script.seen)
            script.seen.append((self.command, self.path, self.headers.get("Authorization"), len(body)))
            time.sleep(script.delay)
            status = script.statuses[min(index, len(script.statuses) - 1)]
            self.send_response(status)
            if status in (301, 302, 307, 308):
                self.send_header("Location", "http://elsewhere.example/store")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT = answer  # noqa: N815

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/store", script
    finally:
        server.shutdown()
        server.server_close()


def test_a_store_that_is_down_gives_a_clear_error_after_retries() -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/store"
    sleeps: list[float] = []
    with pytest.raises(PushError) as caught:
        push_graph(MINI, endpoint, PushOptions(retry=QUICK), sleep=sleeps.append)
    message = str(caught.value)
    assert endpoint in message and "cannot connect" in message and "after 3 attempts" in message
    assert len(sleeps) == 2 and caught.value.triples_sent == 0


def test_a_failing_store_is_retried_then_named_with_its_status(fake_store: tuple[str, Script]) -> None:
    endpoint, script = fake_store
    script.statuses = [500]
    with pytest.raises(PushError, match=r"HTTP 500") as caught:
        push_graph(MINI, endpoint, PushOptions(retry=QUICK))
    assert endpoint in str(caught.value)
    assert len(script.seen) == 3


def test_retries_with_backoff_get_through_a_flaky_store(fake_store: tuple[str, Script]) -> None:
    endpoint, script = fake_store
    script.statuses = [503, 502, 204]
    sleeps: list[float] = []
    report = push_graph(MINI, endpoint, PushOptions(retry=RetryPolicy(attempts=4, initial_delay=0.01)),
                        sleep=sleeps.append)
    assert report.retries == 2 and report.triples == MINI_TRIPLES
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] * 0.9  # exponential: each wait grows (jitter aside)


def test_a_slow_store_times_out_with_a_clear_error(fake_store: tuple[str, Script]) -> None:
    endpoint, script = fake_store
    script.delay = 1.0
    options = PushOptions(retry=RetryPolicy(attempts=2, initial_delay=0.01), request_timeout=0.2)
    with pytest.raises(PushError, match=r"no answer within 0.2 s"):
        push_graph(MINI, endpoint, options)


def test_a_half_pushed_graph_is_reported_with_what_was_sent(fake_store: tuple[str, Script]) -> None:
    endpoint, script = fake_store
    script.statuses = [204, 204, 500]
    with pytest.raises(PushError) as caught:
        push_graph(MINI, endpoint, PushOptions(batch_triples=10, retry=QUICK))
    assert caught.value.triples_sent == 20 and caught.value.batches_sent == 2
    assert "20 triples in 2 batches had arrived" in str(caught.value) and "--replace" in str(caught.value)


def test_client_errors_are_not_retried(fake_store: tuple[str, Script]) -> None:
    endpoint, script = fake_store
    script.statuses = [401]
    with pytest.raises(PushError, match=r"HTTP 401 .*after 1 attempt\)"):
        push_graph(MINI, endpoint, PushOptions(retry=QUICK))
    assert len(script.seen) == 1


def test_redirects_are_not_followed(fake_store: tuple[str, Script]) -> None:
    endpoint, script = fake_store
    script.statuses = [307]
    with pytest.raises(PushError, match="redirected to http://elsewhere.example/store"):
        push_graph(MINI, endpoint, PushOptions(retry=QUICK))
    assert len(script.seen) == 1


def test_replace_puts_the_first_batch_of_each_graph(fake_store: tuple[str, Script]) -> None:
    endpoint, script = fake_store
    push_graph(MINI, endpoint, PushOptions(batch_triples=50, replace=True, named_graph="http://g.example/x"))
    methods = [seen[0] for seen in script.seen]
    assert methods == ["PUT", "POST", "POST"]
    assert all(seen[1] == "/store?graph=http%3A%2F%2Fg.example%2Fx" for seen in script.seen)


def test_credentials_come_from_the_environment_and_never_show(fake_store: tuple[str, Script]) -> None:
    endpoint, script = fake_store
    secret = "s3cret-pa55"
    env = {**os.environ, "TREATYGRAPH_PUSH_USER": "loader", "TREATYGRAPH_PUSH_PASSWORD": secret}
    script.statuses = [204, 500]
    done = subprocess.run(
        [sys.executable, "-m", "treatygraph", "push", "--graph", str(MINI), "--endpoint", endpoint + "?key=abc",
         "--batch-size", "100", "--retries", "0"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert done.returncode != 0
    assert script.seen[0][2] == "Basic bG9hZGVyOnMzY3JldC1wYTU1"
    assert secret not in done.stdout + done.stderr and "bG9hZGVy" not in done.stdout + done.stderr
    assert "key=abc" not in done.stderr and endpoint in done.stderr and "HTTP 500" in done.stderr


def test_a_token_becomes_a_bearer_header() -> None:
    assert Credentials.from_env({"TREATYGRAPH_PUSH_TOKEN": "t0k"}).header == "Bearer t0k"
    assert "t0k" not in repr(Credentials.from_env({"TREATYGRAPH_PUSH_TOKEN": "t0k"}))
    assert Credentials.from_env({}).header is None
    with pytest.raises(TreatygraphError, match="set both"):
        Credentials.from_env({"TREATYGRAPH_PUSH_USER": "only-me"})


def test_credentials_in_the_url_are_refused() -> None:
    with pytest.raises(TreatygraphError, match="credentials in the endpoint URL are refused") as caught:
        push_graph(MINI, "http://loader:pw@127.0.0.1:9/store")
    assert "pw" not in str(caught.value).replace("pushed", "")


def test_replacing_with_an_empty_file_empties_the_graph(fake_store: tuple[str, Script], tmp_path: Path) -> None:
    endpoint, script = fake_store
    empty = tmp_path / "empty.nt"
    empty.write_text("")
    report = push_graph(empty, endpoint, PushOptions(replace=True, named_graph="http://g.example/x"))
    assert report.triples == 0 and [(s[0], s[3]) for s in script.seen] == [("PUT", 0)]


def test_shown_url_drops_secrets() -> None:
    assert shown_url("https://u:p@store.example:8443/ds/data?token=x") == "https://store.example:8443/ds/data"


def test_batches_group_by_graph_and_keep_blank_nodes_together() -> None:
    made = list(batches(FIXTURES / "blanks.ttl", None, 2))
    assert [b.triples for b in made] == [2, 1, 6]  # 3 ground triples in batches of 2, then the blank-node batch
    assert all(b.graph == "" for b in made)
    made = list(batches(FIXTURES / "mini.trig", None, 100))
    assert sorted(b.graph for b in made) == [
        "https://w3id.org/treatygraph/id/article/alpha-11111111",
        "https://w3id.org/treatygraph/id/article/beta-22222222",
    ]
    with pytest.raises(TreatygraphError, match="at least 1"):
        list(batches(MINI, None, 0))
