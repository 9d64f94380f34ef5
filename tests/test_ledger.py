"""A re-run copies the unchanged articles' blocks from the last build's files (ledger.py): the outputs must
still be byte for byte those of a fresh build, whatever changed, and the copy must never read a file the
last build did not leave as it was."""

from __future__ import annotations

import os
import shutil
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from treatygraph import pipeline
from treatygraph.buildstate import BuildState, FileStamp, load_state, save_state
from treatygraph.ingest import discover
from treatygraph.ledger import ArticleLedger, LineTable, Sink
from treatygraph.pipeline import BuildOptions, build

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
OUTPUTS = ("treatygraph.ttl", "treatygraph.trig", "inferred.ttl", "validation.txt", "report.json")


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, folder)
    return folder


def computed_articles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The articles whose output the next build computes (the others are copied)."""
    computed: list[str] = []
    real = pipeline.write_one

    def counting(path: str) -> pipeline.ArticleOutput:
        computed.append(path)
        return real(path)

    monkeypatch.setattr(pipeline, "write_one", counting)
    return computed


def assert_same_outputs(out: Path, fresh: Path) -> None:
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


def articles(corpus: Path) -> list[Path]:
    return sorted(discover(corpus))


@pytest.mark.parametrize("batch", [1, pipeline.SHARED_BATCH_BYTES])  # shared lines after every article, or not
def test_successive_reruns_equal_fresh_builds_and_compute_only_what_changed(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(pipeline, "SHARED_BATCH_BYTES", batch)
    out = tmp_path / "out"
    build(corpus, out, BuildOptions(workers=1))
    files = articles(corpus)
    steps = [
        lambda: files[2].write_text(files[2].read_text().replace("signed", "signed formally", 1)),
        lambda: files[5].unlink(),
        lambda: shutil.copy(files[0], corpus / "zz_copy-of-the-first.txt"),
        lambda: None,
    ]
    for number, step in enumerate(steps):
        step()
        computed = computed_articles(monkeypatch)
        result = build(corpus, out, BuildOptions(workers=1))
        monkeypatch.undo()
        monkeypatch.setattr(pipeline, "SHARED_BATCH_BYTES", batch)
        assert len(computed) <= 2, computed  # the changed article (and one whose treaty it now shares)
        if number == 3:
            assert computed == [] and result.cached == len(result.reports)
        fresh = tmp_path / f"fresh-{number}"
        build(corpus, fresh, BuildOptions(workers=1))
        assert_same_outputs(out, fresh)


def test_an_output_changed_since_the_last_build_is_not_copied_from(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(corpus, out, BuildOptions(workers=1))
    build(corpus, fresh, BuildOptions(workers=1))
    trig = out / "treatygraph.trig"
    trig.write_bytes(trig.read_bytes().replace(b"Treaty", b"Treatx"))  # same size: only the mtime tells
    os.utime(trig, ns=(trig.stat().st_atime_ns, trig.stat().st_mtime_ns + 1_000_000))
    computed = computed_articles(monkeypatch)
    build(corpus, out, BuildOptions(workers=1))
    assert len(computed) == len(articles(corpus)), "every article recomputed"
    assert_same_outputs(out, fresh)


def test_a_build_without_reasoning_then_with_it(corpus: Path, tmp_path: Path) -> None:
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    build(corpus, out, BuildOptions(workers=1, reason=False))
    build(corpus, out, BuildOptions(workers=1))
    build(corpus, fresh, BuildOptions(workers=1))
    assert_same_outputs(out, fresh)


def ledger(shared: list[int], inferred: list[int]) -> ArticleLedger:
    return ArticleLedger("sig", (0, 0), (0, 0), (0, 0), array("I", shared), array("I", inferred), 0, (), (), None)


def test_a_compacted_table_keeps_every_used_line_under_its_ledgers() -> None:
    table = LineTable([f"<s> <p> <o{n}> .\n" for n in range(3000)])
    ledgers = {"a": ledger([5, 2999, 7], [7, 10]), "b": ledger([2999], [])}
    used = bytearray(3000)
    for number in (5, 2999, 7, 10):
        used[number] = 1
    assert table.sparse(used)
    compacted, remapped = table.compacted(used, ledgers)
    assert len(compacted) == 4
    for path, old in ledgers.items():
        assert [compacted.lines[n] for n in remapped[path].shared] == [table.lines[n] for n in old.shared]
        assert [compacted.lines[n] for n in remapped[path].inferred_shared] == [
            table.lines[n] for n in old.inferred_shared
        ]
    assert compacted.ids_of(("<s> <p> <o2999> .\n", "new\n")).tolist() == [remapped["b"].shared[0], 4]


nt_lines = st.lists(
    st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=20).map(
        lambda text: f'<s> <p> "{text}" .\n'
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(first=nt_lines, added=nt_lines)
def test_a_line_table_reads_back_from_its_file_after_appends_and_a_killed_append(
    tmp_path_factory: pytest.TempPathFactory, first: list[str], added: list[str]
) -> None:
    # lines may hold other line separators (\u2028, \x85, \r) inside a literal: only \n ends one
    folder = tmp_path_factory.mktemp("lines")
    table = LineTable(list(first))
    stored = table.stored_in(folder)
    assert stored.opened(folder).lines == first  # type: ignore[union-attr]
    with open(folder / stored.name, "ab") as handle:
        handle.write(b"<half> <a> <killed build's append")  # past the recorded end: ignored, then overwritten
    reopened = stored.opened(folder)
    assert reopened is not None and reopened.lines == first
    reopened.ids_of(tuple(added))
    again = reopened.stored_in(folder)
    assert again.name == stored.name  # appended, not rewritten
    unique_added = [line for line in dict.fromkeys(added) if line not in first]
    assert again.opened(folder).lines == first + unique_added  # type: ignore[union-attr]
    assert stored.opened(folder).lines == first  # type: ignore[union-attr]  # the earlier state's prefix is whole


def test_a_state_whose_line_file_is_missing_or_short_means_a_full_build(tmp_path: Path) -> None:
    state = BuildState("settings", lines=LineTable(["<s> <p> <o> .\n", "<s> <p> <q> .\n"]))
    save_state(tmp_path / "state.pkl", state)
    assert load_state(tmp_path / "state.pkl", "settings").lines.lines == state.lines.lines
    (line_file,) = tmp_path.glob("lines-*.nt")
    line_file.write_bytes(line_file.read_bytes()[:-5])
    assert load_state(tmp_path / "state.pkl", "settings").lines is None
    line_file.unlink()
    assert load_state(tmp_path / "state.pkl", "settings").lines is None
    fresh = BuildState("settings", lines=LineTable(["<a> <b> <c> .\n"]))
    save_state(tmp_path / "state.pkl", fresh)  # a new table: a new file, the old one removed
    assert [path.name for path in tmp_path.glob("lines-*.nt")] == [fresh.lines.stored.name]


pieces = st.lists(
    st.one_of(
        st.tuples(st.just("write"), st.binary(max_size=40)),
        st.tuples(st.just("copy"), st.integers(0, 200), st.integers(0, 60)),
    ),
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(steps=pieces)
def test_a_sink_holds_what_was_written_and_copied_in_order(
    tmp_path_factory: pytest.TempPathFactory, steps: list
) -> None:
    folder = tmp_path_factory.mktemp("sink")
    source_bytes = bytes(range(256)) * 2
    (folder / "source").write_bytes(source_bytes)
    expected = b""
    fd = os.open(folder / "source", os.O_RDONLY)
    try:
        with open(folder / "target", "wb") as handle:
            sink = Sink(handle)
            for step in steps:
                if step[0] == "write":
                    sink.write(step[1])
                    expected += step[1]
                else:
                    start, length = step[1], step[2]
                    landed = sink.copy(fd, (start, start + length))
                    assert landed == (len(expected), len(expected) + length)
                    expected += source_bytes[start : start + length]
            sink.flush()
            assert sink.position == len(expected)
    finally:
        os.close(fd)
    assert (folder / "target").read_bytes() == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=23), st.integers(min_value=1, max_value=7), st.data())
def test_the_per_article_tables_are_saved_in_chunks_and_read_back_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, articles: int, chunk: int, data: st.DataObject
) -> None:
    import treatygraph.buildstate as buildstate

    monkeypatch.setattr(buildstate, "_CHUNK", chunk)
    state = BuildState(
        "settings",
        stamps={f"a{i}.txt": (FileStamp(i, i * 7), f"key{i}") for i in range(articles)},
        digests={f"key{i}": ("digest", i) for i in range(articles)},
        signatures={f"a{i}.txt": f"sig{i}" for i in range(articles)},
        ledgers={f"a{i}.txt": ("ledger", i) for i in range(articles)},
        lines=LineTable(["<s> <p> <o> .\n"]),
        shared_findings=("finding",),
    )
    path = tmp_path / f"state-{articles}-{chunk}.pkl"
    save_state(path, state)
    loaded = load_state(path, "settings")
    for name in ("stamps", "digests", "signatures", "ledgers", "shared_findings"):
        assert getattr(loaded, name) == getattr(state, name), name
    assert list(loaded.stamps) == list(state.stamps)  # in the order saved
    cut = data.draw(st.integers(min_value=0, max_value=path.stat().st_size - 1))
    path.write_bytes(path.read_bytes()[:cut])  # a damaged file: an empty state, never a partial one
    damaged = load_state(path, "settings")
    assert (damaged.stamps, damaged.ledgers, damaged.lines) == ({}, {}, None)
