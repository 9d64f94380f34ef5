"""Small pieces of the build pipeline, on their own."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from treatygraph.pipeline import _batched_text

LINES = st.lists(st.text(min_size=1, max_size=40).map(lambda text: text + "\n"), max_size=60)


@given(LINES, st.integers(min_value=1, max_value=200))
def test_batched_text_keeps_every_line_in_order_in_batches_of_about_the_size(lines: list[str], size: int) -> None:
    batches = list(_batched_text(iter(lines), size))
    assert "".join(batches) == "".join(lines)
    assert all(len(batch) >= size for batch in batches[:-1]), "only the last batch may be short"
    assert all(batch for batch in batches), "no empty batch"
