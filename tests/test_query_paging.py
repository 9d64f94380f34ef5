"""Pages of canned queries (`--limit`/`--offset`) through the runner and the CLI, from a parsed graph file and
from a store; the endpoint's pages are tested in test_serve.py. No timing here: benchmarks/queries.py."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
import test_query
from rdflib import Graph, Literal, URIRef

from treatygraph import store as st
from treatygraph.query import (
    CannedQuery,
    Page,
    QueryResult,
    load_graph,
    load_queries,
    parse_header,
    parse_page,
    run_query,
    run_query_on_store,
    sort_rows,
)
from treatygraph.types import TreatygraphError
from treatygraph.vocab import XSD

run_cli = test_query.run_cli  # the CLI fixture: cli.main in process, its output captured
GRAPH_FILE = Path(__file__).parent / "fixtures" / "graphs_query" / "veldmark.ttl"
ID = "https://w3id.org/treatygraph/id/"
# every query with parameters that give it several rows on the fixture graph
PARAMS = {
    "treaty": {"treaty": ID + "treaty/treaty-of-veldmark-1850", "min_confidence": "0"},
    "party": {"party": "Republic of Varnia", "min_confidence": "0"},
    "treaties": {"lang": "*", "min_confidence": "0"},
    "in-force": {"date": "1906-01-01", "min_confidence": "0"},
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return load_graph(GRAPH_FILE)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder as `build` leaves it: the graph file and the store holding it (which `query` then opens)."""
    folder = tmp_path_factory.mktemp("out")
    graph_file = folder / "treatygraph.ttl"
    shutil.copy(GRAPH_FILE, graph_file)
    loaded = st.load_store(graph_file, folder / "store")
    del loaded  # the loader's handle is closed before the read-only ones open the folder
    st.mark_store(folder / "store", graph_file)
    return folder


def params(name: str) -> dict[str, str]:
    return PARAMS.get(name, {"min_confidence": "0"})


def answer(target: Graph | Path, query: CannedQuery, page: Page | None = None) -> QueryResult:
    if isinstance(target, Graph):
        return run_query(target, query, params(query.name), page)
    return run_query_on_store(st.open_read_only(target / "store"), query, params(query.name), page)


def all_pages(target: Graph | Path, query: CannedQuery, limit: int) -> list[QueryResult]:
    pages, offset = [], 0
    while True:
        page = answer(target, query, Page(limit, offset))
        pages.append(page)
        offset += len(page.rows)
        if not page.more:
            return pages
        assert len(page.rows) == limit, "only the last page may be short"


# ---------------------------------------------------------------- pages from the runner


@pytest.mark.parametrize("source", ["file", "store"])
@pytest.mark.parametrize("name", sorted(load_queries()))
def test_pages_together_are_the_full_result_and_each_is_sorted(graph: Graph, out: Path, source: str, name: str) -> None:
    target: Graph | Path = graph if source == "file" else out
    query = load_queries()[name]
    full = answer(target, query)
    assert full.rows and not full.more, "the fixture gives every query rows (all but resolutions several)"
    assert full.rows == sort_rows(full.vars, query.order, full.rows)
    for limit in (1, 2, 3):
        pages = all_pages(target, query, limit)
        rows = [row for page in pages for row in page.rows]
        assert Counter(rows) == Counter(full.rows), limit  # every row on exactly one page
        for page in pages:
            assert page.vars == full.vars and page.rows == sort_rows(page.vars, query.order, page.rows)
        if source == "file":  # a parsed file is paged through its sorted full result
            assert tuple(rows) == full.rows


@pytest.mark.parametrize("source", ["file", "store"])
def test_page_edges(graph: Graph, out: Path, source: str) -> None:
    target: Graph | Path = graph if source == "file" else out
    query = load_queries()["parties"]
    full = answer(target, query)
    whole = answer(target, query, Page(len(full.rows)))
    assert whole.rows == full.rows and not whole.more
    assert answer(target, query, Page(len(full.rows) - 1)).more
    beyond = answer(target, query, Page(5, len(full.rows)))
    assert beyond.rows == () and not beyond.more
    rest = answer(target, query, Page(None, 2))
    assert Counter(rest.rows) + Counter(answer(target, query, Page(2)).rows) == Counter(full.rows)


def test_store_pages_are_the_same_every_time(out: Path) -> None:
    """Offsets only mean something if the store yields its rows in the same order each time it is opened."""
    for query in load_queries().values():
        first = [answer(out, query, Page(2, offset)).rows for offset in (0, 2, 4)]
        assert [answer(out, query, Page(2, offset)).rows for offset in (0, 2, 4)] == first, query.name


@pytest.mark.parametrize(
    ("limit", "offset", "expected"),
    [
        (None, None, None),
        ("10", None, Page(10, 0)),
        (" 7 ", "20", Page(7, 20)),
        (None, "3", Page(None, 3)),
        (1, 0, Page(1, 0)),
    ],
)
def test_parse_page_reads_limit_and_offset(limit: str | None, offset: str | None, expected: Page | None) -> None:
    assert parse_page(limit, offset) == expected


@pytest.mark.parametrize(
    ("limit", "offset", "named"),
    [
        ("0", None, "limit"),
        ("-1", None, "limit"),
        ("ten", None, "limit"),
        ("1.5", None, "limit"),
        ("", None, "limit"),
        ("5", "-2", "offset"),
        ("5", "x", "offset"),
        (None, "1e3", "offset"),
        ("9" * 30, None, "limit"),
    ],
)
def test_parse_page_names_a_bad_value(limit: str | None, offset: str | None, named: str) -> None:
    with pytest.raises(TreatygraphError, match=f"^{named} .*want a whole number"):
        parse_page(limit, offset)


# ---------------------------------------------------------------- order


def test_header_order_names_columns() -> None:
    header = parse_header("# name: x\n# answers: y\n# columns: a b c\n# order: c a\nSELECT * {}\n")
    assert header.order == ("c", "a")
    with pytest.raises(TreatygraphError, match="order names d"):
        parse_header("# name: x\n# answers: y\n# columns: a b\n# order: d\nSELECT * {}\n")


def test_every_shipped_query_declares_an_order_and_sorts_in_python() -> None:
    for query in load_queries().values():
        assert query.order, query.name
        assert "ORDER BY" not in query.text.upper(), query.name


def test_sort_rows_puts_unbound_first_and_numbers_by_value() -> None:
    a, b = URIRef("http://x/a"), URIRef("http://x/b")
    ten, two = Literal("10", datatype=XSD.integer), Literal("2", datatype=XSD.integer)
    rows = [(b, ten), (a, None), (b, two), (a, Literal("x"))]
    assert sort_rows(("s", "n"), ("s", "n"), rows) == ((a, None), (a, Literal("x")), (b, two), (b, ten))
    assert sort_rows(("s", "n"), ("n",), rows)[0] == (a, None)


# ---------------------------------------------------------------- the CLI


def bindings(text: str) -> list[tuple[tuple[str, str], ...]]:
    return [tuple(sorted((k, v["value"]) for k, v in row.items())) for row in json.loads(text)["results"]["bindings"]]


@pytest.mark.parametrize("source", ["file", "store"])
def test_cli_pages_through_a_listing(run_cli, out: Path, source: str) -> None:  # type: ignore[no-untyped-def]
    graph_file = str(GRAPH_FILE if source == "file" else out / "treatygraph.ttl")
    base = ("query", "parties", "--graph", graph_file, "--format", "json")
    code, full, err = run_cli(*base)
    assert code == 0 and err == ""
    rows, offset = [], 0
    while True:
        code, text, err = run_cli(*base, "--limit", "3", "--offset", str(offset))
        assert code == 0
        page = bindings(text)
        rows += page
        offset += len(page)
        if not err:
            break
        assert err == f"more rows follow: the next page is --offset {offset}\n"
    assert Counter(rows) == Counter(bindings(full)) and len(rows) == 7


def test_cli_table_says_more_rows_follow(run_cli) -> None:  # type: ignore[no-untyped-def]
    code, text, _ = run_cli("query", "parties", "--graph", str(GRAPH_FILE), "--format", "table", "--limit", "2")
    assert code == 0 and text.splitlines()[-1] == "(2 rows; more follow)"
    code, text, err = run_cli("query", "parties", "--graph", str(GRAPH_FILE), "--format", "table", "--limit", "50")
    assert code == 0 and text.splitlines()[-1] == "(7 rows)" and err == ""


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--limit", "0"), "limit"),
        (("--limit", "abc"), "limit"),
        (("--limit", "-3"), "limit"),
        (("--limit", "2", "--offset", "-1"), "offset"),
        (("--offset", "1.5"), "offset"),
    ],
)
def test_cli_bad_limit_or_offset_is_one_line_with_exit_2(run_cli, flags: tuple[str, ...], named: str) -> None:  # type: ignore[no-untyped-def]
    code, text, err = run_cli("query", "parties", "--graph", str(GRAPH_FILE), *flags)
    assert code == 2 and text == ""
    assert err.count("\n") == 1 and err.startswith(f"treatygraph: error: {named} ") and "whole number" in err
