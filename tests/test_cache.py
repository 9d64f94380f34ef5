"""The facts cache: one append-only pack and its index; what a later build (or a killed one) finds in it."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from treatygraph import cache as cache_module
from treatygraph.cache import ArticleCache


def test_entries_put_are_read_back_from_memory_and_after_saving_from_the_pack(tmp_path: Path) -> None:
    cache = ArticleCache(tmp_path / "facts")
    cache.put("a", {"facts": [1, 2]})
    cache.put("b", ("report", None))
    assert cache.get("a") == {"facts": [1, 2]} and cache.get("b") == ("report", None)
    cache.save()
    later = ArticleCache(tmp_path / "facts")
    assert later.in_memory == {}, "a new build reads the pack"
    assert later.get("a") == {"facts": [1, 2]} and later.get("b") == ("report", None)
    assert later.get("missing") is None


def test_a_forked_reader_opens_its_own_descriptor(tmp_path: Path) -> None:
    cache = ArticleCache(tmp_path / "facts")
    cache.put("a", "first")
    cache.save()
    cache = ArticleCache(tmp_path / "facts")
    assert cache.get("a") == "first"
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, b"ok" if cache.get("a") == "first" else b"no")
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(read, 2) == b"ok"


def test_entries_no_article_uses_are_forgotten_and_the_pack_compacted(tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    cache = ArticleCache(folder)
    for number in range(40):
        cache.put(f"k{number}", "x" * 100_000)
    cache.save()
    cache = ArticleCache(folder)
    assert cache.keep_only({"k1", "k2"}) == 38
    cache.save()
    packs = sorted(p.name for p in folder.iterdir() if p.name.startswith("pack-"))
    assert packs == ["pack-1"], "the old pack is gone once its live entries are copied"
    assert (folder / "pack-1").stat().st_size < 250_000
    later = ArticleCache(folder)
    assert set(later.entries) == {"k1", "k2"} and later.get("k2") == "x" * 100_000


def test_a_killed_builds_tail_and_old_layout_do_no_harm(tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    (folder / "ab").mkdir(parents=True)
    (folder / "ab" / "old.pkl").write_bytes(b"one file per entry, before packs")
    cache = ArticleCache(folder)
    cache.put("kept", [1])
    cache.save()
    assert not (folder / "ab").exists(), "the old layout is removed"
    killed = ArticleCache(folder)
    killed.put("lost", [2])  # appended, but the build dies before saving the index
    killed._appender.flush()
    again = ArticleCache(folder)
    assert again.get("lost") is None and again.get("kept") == [1]
    again.put("new", [3])  # written over the killed build's tail
    again.save()
    final = ArticleCache(folder)
    assert final.get("kept") == [1] and final.get("new") == [3]


def test_an_unreadable_index_or_pack_means_an_empty_cache(tmp_path: Path) -> None:
    folder = tmp_path / "facts"
    cache = ArticleCache(folder)
    cache.put("a", "value")
    cache.save()
    (folder / "pack-0").write_bytes(b"\x00" * 3)
    assert ArticleCache(folder).get("a") is None, "a truncated pack is a miss, not an error"
    (folder / "index.pkl").write_bytes(b"not a pickle")
    assert ArticleCache(folder).entries == {}


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.text(min_size=1, max_size=8), st.binary(max_size=300)), max_size=30), st.integers(0, 2000))
def test_whatever_is_put_is_got_back_within_or_beyond_the_memory_budget(
    tmp_path_factory: object, items: list[tuple[str, bytes]], budget: int
) -> None:
    folder = tmp_path_factory.mktemp("facts")  # type: ignore[attr-defined]
    saved, cache_module.MEMORY_BUDGET = cache_module.MEMORY_BUDGET, budget
    try:
        cache = ArticleCache(folder)
        expected = {}
        for key, value in items:
            cache.put(key, value)
            expected[key] = value
        assert {key: cache.get(key) for key in expected} == expected
        cache.save()
        later = ArticleCache(folder)
        assert {key: later.get(key) for key in expected} == expected
    finally:
        cache_module.MEMORY_BUDGET = saved
