"""Reading files: discovery, decoding, limits and every kind of bad input named with its reason."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from test_ingest_wiki import assert_consistent

from treatygraph import ingest
from treatygraph.ingest import IngestLimits, discover, format_of, ingest_file
from treatygraph.ingest_text import Unreadable
from treatygraph.types import IngestError, TreatygraphError

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def write(root: Path, name: str, data: bytes) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def ingest_error(path: Path, root: Path, limits: IngestLimits = IngestLimits()) -> IngestError:  # noqa: B008
    with pytest.raises(IngestError) as caught:
        ingest_file(path, root, limits)
    return caught.value


# ---------------------------------------------------------------- plain text


def test_text_is_kept_as_is_with_boilerplate() -> None:
    article = ingest_file(FIXTURES / "eldmoor.txt", FIXTURES)
    raw = (FIXTURES / "eldmoor.txt").read_bytes()
    assert article.text == raw.decode("utf-8")
    assert article.title is None and article.fields == ()
    assert article.text.startswith("Home | Browse | Sign in\n")
    assert article.content_sha256 == hashlib.sha256(raw).hexdigest()
    assert_consistent(article)


def test_text_anchors_give_exact_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"first line\nsecond line here\n\nfourth")
    article = ingest_file(path, tmp_path)
    assert article.source_position(article.text.index("line here")) == (2, 7)
    assert article.source_position(article.text.index("fourth")) == (4, 0)


def test_newlines_are_normalised(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"one\r\ntwo\rthree\n")
    assert ingest_file(path, tmp_path).text == "one\ntwo\nthree\n"


def test_relative_path_uses_forward_slashes(tmp_path: Path) -> None:
    path = write(tmp_path, "sub/dir/a.txt", b"text")
    assert ingest_file(path, tmp_path).path == "sub/dir/a.txt"


# ---------------------------------------------------------------- decoding


def test_utf8_bom_is_removed(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"\xef\xbb\xbfPact \xc3\xa9")
    article = ingest_file(path, tmp_path)
    assert article.text == "Pact é"
    assert article.problems == ()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, encoding: str) -> None:
    bom = b"\xff\xfe" if encoding.endswith("le") else b"\xfe\xff"
    path = write(tmp_path, "a.wiki", bom + "The '''Pact of Ölm''' held.\r\n".encode(encoding))
    article = ingest_file(path, tmp_path)
    assert article.title == "Pact of Ölm"
    assert "The Pact of Ölm held." in article.text


def test_windows_1252_is_decoded_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", "Signed at Sèvres – “quoted”".encode("cp1252"))
    article = ingest_file(path, tmp_path)
    assert article.text == "Signed at Sèvres – “quoted”"
    assert any("decoded as Windows-1252" in p for p in article.problems)


def test_latin1_bytes_undefined_in_cp1252_still_decode(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"Caf\xe9 \x81 ok")
    assert ingest_file(path, tmp_path).text == "Café \x81 ok"


def test_invalid_utf8_names_first_bad_offset(tmp_path: Path) -> None:
    path = write(tmp_path, "a.html", b"<p>Valid \xc3\xa9 then bad \xff here</p>")
    article = ingest_file(path, tmp_path)
    assert "bad ÿ here" in article.text
    assert article.problems == ("not UTF-8 (first bad byte at offset 21): decoded as Windows-1252",)


# ---------------------------------------------------------------- bad files


def test_binary_file_is_rejected_with_offset(tmp_path: Path) -> None:
    path = write(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    err = ingest_error(path, tmp_path)
    assert err.path == "image.txt" and "binary" in err.reason and err.offset == 8
    assert str(err).startswith("image.txt @8: binary")


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n", b"\xef\xbb\xbf", b"\xff\xfe"])
def test_empty_files_are_rejected(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "empty.wiki", data)
    assert "empty" in ingest_error(path, tmp_path).reason


def test_truncated_html_is_read_with_a_note(tmp_path: Path) -> None:
    html = b"<html><body><h1 id='firstHeading'>Pact</h1><div id='mw-content-text'><p>First paragraph.</p><p>Cut of"
    article = ingest_file(write(tmp_path, "cut.html", html), tmp_path)
    assert article.text == "Pact\n\nFirst paragraph.\n\nCut of"
    assert any("ends early" in p for p in article.problems)


@pytest.mark.parametrize(
    "html",
    [
        b"<html><head><title>Site</title><script>x()</script></head><body><nav>Home | About</nav></body></html>",
        b"<html><body><footer>Copyright</footer><div class='navbox'>Links</div></body></html>",
        b"<!-- only a comment -->",
    ],
)
def test_html_without_article_is_rejected(tmp_path: Path, html: bytes) -> None:
    err = ingest_error(write(tmp_path, "page.html", html), tmp_path)
    assert "no article text" in err.reason


def test_wikitext_with_only_markup_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "page.wiki", b"[[Category:Treaties]]\n{{Short description|x}}\n<!-- c -->")
    assert "no article text" in ingest_error(path, tmp_path).reason


@pytest.mark.parametrize(
    "bomb",
    [
        "{{" * 100_000,
        "{{a|" * 100_000 + "x" + "}}" * 100_000,
        "[[" * 100_000,
        ("{{a|b " + "text " * 10) * 3000,
        ("<span>a " + "word " * 5) * 3000,
        ("<bword " + "word " * 5) * 3000,
        ("<!-- a " + "word " * 5) * 3000,
    ],
    ids=["open-braces", "deep-nesting", "open-links", "spread-templates", "open-tags", "bad-tags", "open-comments"],
)
def test_template_bomb_is_rejected(tmp_path: Path, bomb: str) -> None:
    err = ingest_error(write(tmp_path, "bomb.wiki", ("Some text.\n" + bomb).encode()), tmp_path)
    assert "raise the limit" in err.reason


def test_template_depth_limit_can_be_raised(tmp_path: Path) -> None:
    nested = "The '''Pact''' " + "{{nowrap|" * 32 + "held" + "}}" * 32 + "."
    path = write(tmp_path, "deep.wiki", ("Line one.\n" + nested).encode())
    err = ingest_error(path, tmp_path)
    assert err.line == 2 and "nested deeper than 30" in err.reason
    article = ingest_file(path, tmp_path, IngestLimits(max_template_depth=32))
    assert article.text.endswith("The Pact held.")
    assert article.problems == ()


def test_nesting_deeper_than_the_parser_reads_is_noted(tmp_path: Path) -> None:
    nested = "The '''Pact''' " + "{{nowrap|" * 40 + "held" + "}}" * 40 + "."
    path = write(tmp_path, "deep.wiki", nested.encode())
    article = ingest_file(path, tmp_path, IngestLimits(max_template_depth=50))
    assert any("deeper ones show as text" in p for p in article.problems)


def test_file_over_the_size_limit_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", b"treaty text " * 100)
    err = ingest_error(path, tmp_path, IngestLimits(max_bytes=1000))
    assert "1,000 bytes" in err.reason and "max-bytes" in err.reason
    assert len(ingest_file(path, tmp_path, IngestLimits(max_bytes=1200)).text) == 1200


def test_a_file_longer_than_its_stated_size_is_read_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reader asks for the size the file says it has; one that grew since (or a pipe, of size 0) is read on."""
    path = write(tmp_path, "grown.txt", b"x" * 50 + b"y" * 50)
    monkeypatch.setattr(ingest.os, "fstat", lambda _fd: os.stat_result((0,) * 6 + (10,) + (0,) * 3))
    assert ingest.read_bytes(path, IngestLimits(max_bytes=100)) == b"x" * 50 + b"y" * 50
    with pytest.raises(Unreadable):
        ingest.read_bytes(path, IngestLimits(max_bytes=99))


@pytest.mark.skipif(os.name != "posix", reason="permissions are POSIX")
def test_unreadable_file_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", b"text")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user who can read any file (root)")
        assert "permission denied" in ingest_error(path, tmp_path).reason
    finally:
        path.chmod(0o644)


def test_folder_named_like_an_article_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "odd.txt").mkdir()
    assert "folder" in ingest_error(tmp_path / "odd.txt", tmp_path).reason


def test_broken_and_looping_file_symlinks_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (tmp_path / "self.txt").symlink_to(tmp_path / "self.txt")
    assert [p.name for p in discover(tmp_path)] == ["gone.txt", "self.txt"]
    assert "no such file" in ingest_error(tmp_path / "gone.txt", tmp_path).reason
    assert "cannot read" in ingest_error(tmp_path / "self.txt", tmp_path).reason


def test_unknown_suffix_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.md", b"# text")
    assert "unknown format" in ingest_error(path, tmp_path).reason


# ---------------------------------------------------------------- discover


def test_format_of() -> None:
    assert format_of(Path("a.TXT")) == "text"
    assert format_of(Path("a.htm")) == "html"
    assert format_of(Path("a.mediawiki")) == "wikitext"
    assert format_of(Path("a.wikitext")) == "wikitext"
    assert format_of(Path("a.pdf")) is None


def test_discover_is_sorted_recursive_and_skips_hidden(tmp_path: Path) -> None:
    for name in ["b.txt", "a/z.wiki", "a/b/c.html", "a.htm", ".git/x.txt", "a/.hidden/y.txt", "notes.md", ".x.txt"]:
        write(tmp_path, name, b"text")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["a/b/c.html", "a/z.wiki", "a.htm", "b.txt"]


def test_discover_survives_symlink_loops(tmp_path: Path) -> None:
    write(tmp_path, "docs/a.txt", b"text")
    (tmp_path / "docs" / "loop").symlink_to(tmp_path / "docs", target_is_directory=True)
    (tmp_path / "docs" / "up").symlink_to(tmp_path, target_is_directory=True)
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["docs/a.txt"]


def test_discover_follows_a_symlinked_folder_once(tmp_path: Path) -> None:
    write(tmp_path / "elsewhere", "x.txt", b"text")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    found = [p.relative_to(tmp_path / "corpus").as_posix() for p in discover(tmp_path / "corpus")]
    assert found == ["linked/x.txt"]


def test_discover_rejects_a_root_that_is_not_a_folder(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"text")
    for root in (path, tmp_path / "missing"):
        with pytest.raises(TreatygraphError, match=str(root)):
            list(discover(root))
