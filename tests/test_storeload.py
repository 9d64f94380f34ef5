"""The store loaded in a child process while the Turtle is written holds what a load of the finished file holds."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from treatygraph.storeload import GrowingLoad
from treatygraph.types import TreatygraphError

HEADER = "@prefix ex: <http://example.org/> .\n"


def _statements(count: int) -> list[str]:
    return [f'ex:s{i} ex:p{i % 7} "value {i}" ;\n    ex:q ex:o{i % 11} .\n' for i in range(count)]


def _quads(location: Path) -> set[ox.Quad]:
    return set(ox.Store(str(location)))


def test_a_store_loaded_while_the_file_grows_equals_a_load_of_the_whole_file(tmp_path: Path) -> None:
    graph, folder = tmp_path / "graph.ttl", tmp_path / "store"
    folder.mkdir()
    with open(graph, "w", encoding="utf-8") as handle:
        loading = GrowingLoad(graph, folder, str(graph))
        handle.write(HEADER)
        for number, statement in enumerate(_statements(3000)):
            handle.write(statement)
            if number % 500 == 0:  # the child catches up and waits at the end of what is written
                handle.flush()
                time.sleep(0.05)
        handle.flush()
        loading.written(os.fstat(handle.fileno()).st_size)
    loading.wait()
    expected = ox.Store()
    expected.load(path=str(graph), format=ox.RdfFormat.TURTLE)
    assert _quads(folder) == set(expected) and len(set(expected)) == 6000
    assert loading.seconds > 0


def test_a_syntax_error_is_reported_with_the_file_name(tmp_path: Path) -> None:
    graph, folder = tmp_path / "broken.ttl", tmp_path / "store"
    folder.mkdir()
    with open(graph, "w", encoding="utf-8") as handle:
        loading = GrowingLoad(graph, folder, str(graph))
        handle.write(HEADER + "ex:a ex:b .\n")
        handle.flush()
        loading.written(os.fstat(handle.fileno()).st_size)
    with pytest.raises(TreatygraphError, match="broken.ttl: cannot load into the store"):
        loading.wait()


def test_the_loading_process_stops_when_the_build_is_killed(tmp_path: Path) -> None:
    """A killed build never announces the file's end: the child notices its parent is gone and exits."""
    script = textwrap.dedent(
        f"""
        import os, sys
        from pathlib import Path
        from treatygraph.storeload import GrowingLoad
        graph = Path({str(tmp_path)!r}) / "graph.ttl"
        graph.write_text("")
        (graph.parent / "store").mkdir()
        loading = GrowingLoad(graph, graph.parent / "store", "graph.ttl")
        print(loading.process.pid, flush=True)
        os._exit(9)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    child = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_a_file_that_cannot_be_opened_is_reported(tmp_path: Path) -> None:
    loading = GrowingLoad(tmp_path / "missing.ttl", tmp_path, "missing.ttl")
    loading.written(0)
    with pytest.raises(TreatygraphError, match="missing.ttl: cannot load into the store: .*No such file"):
        loading.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie waits for its (new) parent to reap it: it runs no more
    status = Path(f"/proc/{pid}/stat")
    return not status.exists() or status.read_text().split(") ", 1)[1][0] != "Z"
