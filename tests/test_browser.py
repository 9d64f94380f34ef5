"""The HTML entity page in a real headless browser (Debian's chromium): title, facts and evidence visible,
and a literal holding <script> shown as text, never run."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from test_serve import MINI, Server, start_server, stop_server

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed (.ci/run installs it with apt-get)")
    pytest.skip("chromium is not installed")


def rendered_dom(url: str) -> str:
    """The DOM after the page loaded (and any script on it would have run), as chromium serialises it."""
    with tempfile.TemporaryDirectory(prefix="treatygraph-chromium-") as profile:
        done = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=2000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class VisibleText(HTMLParser):
    """The title, the text of <main>, and the names of all elements."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.text: list[str] = []
        self.tags: set[str] = set()
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        else:
            self.text.append(data)

    @property
    def body(self) -> str:
        return " ".join(" ".join(self.text).split())


def page_seen(url: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(rendered_dom(url))
    return parser


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    chromium()  # skip (or fail on CI) before starting anything
    running = start_server(MINI, "--workers", "1")
    try:
        yield running
    finally:
        stop_server(running)


def test_entity_page_in_a_browser_shows_title_facts_and_evidence(server: Server) -> None:
    seen = page_seen(server.url + "treatygraph/id/treaty/treaty-of-larkspur-1921")
    assert seen.title == "Treaty of Larkspur"
    for fact in ("1921-05-03", "France", "Italy", "Larkspur Accord", "Council Resolution 12"):
        assert fact in seen.body
    assert "The accord bound France and Italy to settle the marsh border by arbitration." in seen.body
    assert "Signed | 3 May 1921 in the town of Larkspur" in seen.body


def test_a_script_in_a_literal_is_shown_as_text_and_never_runs(server: Server) -> None:
    seen = page_seen(server.url + "treatygraph/id/treaty/harbour-compact-1950")
    assert seen.title == "Harbour Compact <script>document.title='pwned'</script>"  # as text, and unchanged
    assert "script" not in seen.tags
    assert "The compact <script>alert(1)</script> replaced the Larkspur terms & more." in seen.body
