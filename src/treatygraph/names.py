"""Treaty names as articles write them: "Treaty of Lausanne", "Molotov–Ribbentrop Pact", "Sèvres, Treaty of",
"Treaty of Peace, Friendship, and Commerce Between ...", with the year articles attach ("(1926)", ", 1926",
"the 1920 Treaty of Sèvres"), and names in other languages with their BCP 47 tags.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

KEYWORDS = (
    "Treaty|Treaties|Pact|Agreement|Agreements|Accord|Accords|Convention|Declaration|Protocol|Charter|Memorandum"
    "|Armistice|Peace|Alliance|Concordat|Entente|Covenant|Settlement|Compact|Communiqué|Capitulation|Truce"
)
# What re.IGNORECASE matches to an ASCII letter: its two cases, and for "s" the long "ſ" as well (a test checks
# this against every code point for the letters used)
_IGNORECASE_EXTRA = {"s": "ſ"}


def _either_case(letter: str) -> str:
    return letter.lower() + letter.upper() + _IGNORECASE_EXTRA.get(letter.lower(), "")


def quick_alternation(words: list[str], *, word_start: bool) -> str:
    """Regex source that matches what (?i)(?:w1|w2|...) matches (preceded by \\b when `word_start`), for words
    that start with an ASCII letter, written to start with a character class: Python's regex engine then skips
    every other character instead of trying each word at each position (several times faster). The first letter
    is matched in either case, the rest of the word after a look back at which letter it was; the words keep
    their order within a letter, so every match is the one the plain alternation makes."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0].lower(), []).append(re.escape(word[1:]))
    first = "".join(_either_case(letter) for letter in groups)
    rests = "|".join(f"(?<=[{_either_case(letter)}])(?i:{'|'.join(rest)})" for letter, rest in groups.items())
    return rf"[{first}](?<!\w.)(?:{rests})" if word_start else rf"[{first}](?:{rests})"


def quick_words(words: list[str], *, whole: bool) -> re.Pattern[str]:
    """(?i)\\b(?:w1|w2|...)\\b (whole=True) or (?i)(?:w1|w2|...), as quick_alternation writes it."""
    return re.compile(quick_alternation(words, word_start=whole) + (r"\b" if whole else ""))


_ANY_KEYWORD = quick_words(KEYWORDS.split("|"), whole=True)
_KEYWORD_INSIDE = quick_words(KEYWORDS.split("|"), whole=False)  # anywhere, even inside a word
_KEYWORD_RE = re.compile(rf"^(?:{KEYWORDS})$")
_KEYWORD_LOWER_RE = re.compile(rf"^(?:{KEYWORDS.lower()})$")
# words that end the name of something that is not a treaty: "North Atlantic Treaty Organization", "Paris Peace Conference"
NOT_TREATY_TAIL = re.compile(
    r"^(?:Organization|Organisation|Conference|Council|Commission|Committee|War|Wars|Army|Prize|Forces|Party|Movement"
    r"|Tower|Palace|Hall|Building|Park|Museum|Day|Talks|Negotiations|Zone|Line|Studies|Institute|Foundation)$"
)
_DETERMINERS = {
    "This",
    "That",
    "These",
    "Those",
    "The",
    "Each",
    "Every",
    "Its",
    "Their",
    "A",
    "An",
    "Another",
    "Such",
    "Which",
    "Any",
    "No",
    "Our",
    "His",
    "Her",
}
_WORD = r"(?:(?:[A-Z]\.){2,}(?:[\-–][A-Z][\w'’\-–]*)?|[A-ZÀ-ÖØ-Þ\u0100-\u024f][\w'’\-–]*)"
_TOKEN = re.compile(rf"{_WORD}|[a-z]+|\d{{4}}|,|\(|\)|[^\s\w]", re.UNICODE)


class NameMention(NamedTuple):
    """A treaty name in a text (a named tuple: made by the thousand, and a tuple is made in C)."""

    begin: int
    end: int
    name: str
    year: int | None = None  # a year the text attaches to the name


_WORD_RE = re.compile(_WORD)


def _is_cap(token: str) -> bool:
    return bool(_WORD_RE.match(token)) and token not in ("The",)


def _keyword_ok(words: list[str], index: int) -> bool:
    """A keyword makes a treaty name when it ends the name or is followed by "of"/"on"/"between"..."""
    if index == len(words) - 1:
        return True
    return words[index + 1] in ("of", "on", "between", "for", "with", "concerning", "in", "to")


@lru_cache(maxsize=65536)
def looks_like_treaty_name(name: str) -> bool:
    words = name.split()
    if not words or not words[0][:1].isupper():
        return False
    if NOT_TREATY_TAIL.match(words[-1].strip(".,")):
        return False
    for i, word in enumerate(words):
        bare = word.strip(".,")
        if _KEYWORD_RE.match(bare) and _keyword_ok([w.strip(".,") for w in words], i):
            return True
        if (
            i == len(words) - 1
            and i > 0
            and _KEYWORD_LOWER_RE.match(bare)
            and words[i - 1][:1].isupper()
            and (words[i - 1] not in _DETERMINERS)
        ):
            return True  # "the Molotov–Ribbentrop pact"
    return False


_NAME_RE = re.compile(
    rf"(?:{_WORD}|(?<=\s)(?:of|the|and|on|for|between|with|de|du|des|la|le|les|von|zu|in|to|es|el|al|da|di|del|der|van|sur|en|y|do|dos|upon)(?=\s))"
    rf"(?:(?:\s+|,\s+(?=(?:and\s+)?{_WORD}))(?:{_WORD}|(?:of|the|and|on|for|between|with|de|du|des|la|le|les|von|zu|in|to|es|el|al|da|di|del|der|van|sur|en|y|do|dos|upon)(?=\s)"
    rf"|(?:{KEYWORDS.lower()})\b))*"
)


_LEADING_FILLER = re.compile(r"(?:The|the|of|and|on|for|between|with|in|to|A|An)\s+")
_TRAILING_FILLER = re.compile(r"(?:,|\s+(?:of|the|and|on|for|between|with|in|to|de|du|la|le|von|zu))$")
_AND_THE = re.compile(r"\s+and\s+(?:the\s+)?")
_ENDS_WITH_KEYWORD = re.compile(rf"\b(?:{KEYWORDS})$")
_COMMA_PIECE = re.compile(r"[^,\s][^,]*")
_COMMA_LIST_TAIL = re.compile(r",\s+(?:and\s+)?\S+(?:\s+\S+)*$")
_YEAR_AFTER = re.compile(r"\s*(?:\((\d{4})\)|,\s*(\d{4})\b(?!\s*[-–]\d)|\s+of\s+(\d{4})\b)")
_YEAR_BEFORE = re.compile(r"\b(\d{4})\s+$")
_ARTICLE_YEAR_BEFORE = re.compile(r"(?:the|a|an)\s+\d{4}\s+$", re.I)
_YEAR_IN_PARENTHESES = re.compile(r"\s*\((\d{4})\)\s*$")
_FOOTNOTE = re.compile(r"\[[^\]]{0,20}\]")
_INVERTED = re.compile(rf"(.+?),\s+((?:{KEYWORDS})(?:\s+of)?)")


def _trim(text: str, begin: int, end: int) -> tuple[int, int]:
    """Drop leading "The"/connectors and trailing connectors or commas from a candidate span."""
    changed = True
    while changed and begin < end:
        changed = False
        head = _LEADING_FILLER.match(text[begin:end])
        if head:
            begin += head.end()
            changed = True
        tail = _TRAILING_FILLER.search(text[begin:end])
        if tail:
            end = begin + tail.start()
            changed = True
    return begin, end


def find_treaty_names(text: str) -> list[NameMention]:
    """Every treaty name in `text`, left to right, with a year where the text attaches one."""
    return list(_find_treaty_names(text))


@lru_cache(maxsize=8192)
def _find_treaty_names(text: str) -> tuple[NameMention, ...]:
    if not _ANY_KEYWORD.search(text):
        return ()
    mentions: list[NameMention] = []
    for match in _NAME_RE.finditer(text):
        if not _KEYWORD_INSIDE.search(text, match.start(), match.end()):
            continue  # every treaty name has a treaty word in it
        for begin, end in _split_candidate(text, match.start(), match.end()):
            for part_begin, part_end in _split_joined(text, *_trim(text, begin, end)):
                name = text[part_begin:part_end]
                if len(name.split()) < 2 or not looks_like_treaty_name(name):
                    continue
                mentions.append(NameMention(part_begin, part_end, name, _attached_year(text, part_begin, part_end)))
    return tuple(mentions)


def _split_joined(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    """ "the Northern Pact and the Lindholm Accord" is two names: split at "and" when the left part ends with a
    treaty word and the right part is a treaty name of its own (not "Treaty of Friendship and Alliance")."""
    for match in _AND_THE.finditer(text[begin:end]):
        left_end, right_begin = begin + match.start(), begin + match.end()
        left, right = text[begin:left_end], text[right_begin:end]
        if (
            _ENDS_WITH_KEYWORD.search(left)
            and len(left.split()) >= 2
            and len(right.split()) >= 2
            and looks_like_treaty_name(right)
        ):
            return [(begin, left_end), *_split_joined(text, right_begin, end)]
    return [(begin, end)]


def _split_candidate(text: str, begin: int, end: int) -> list[tuple[int, int]]:
    """Commas join the parts of one long official name ("Treaty of Peace, Friendship, and Commerce") but also
    separate list items ("the Treaty of Versailles, Germany, ..."): keep a comma only inside a keyword-led name."""
    pieces = [(m.start() + begin, m.end() + begin) for m in _COMMA_PIECE.finditer(text[begin:end])]
    if len(pieces) == 1:
        return [(begin, end)]
    first = text[pieces[0][0] : pieces[0][1]].strip()
    first_words = first.split()
    led_by_keyword = any(
        _KEYWORD_RE.match(w) and i + 1 < len(first_words) and first_words[i + 1] == "of"
        for i, w in enumerate(first_words)
    )
    if led_by_keyword and _COMMA_LIST_TAIL.search(text[begin:end]) and " and " in text[begin:end]:
        return [(begin, end)]
    return pieces


def _attached_year(text: str, begin: int, end: int) -> int | None:
    after = _YEAR_AFTER.match(text[end : end + 12])
    if after:
        return int(next(g for g in after.groups() if g))
    before = _YEAR_BEFORE.search(text[max(0, begin - 6) : begin])
    if before and _ARTICLE_YEAR_BEFORE.search(text[max(0, begin - 12) : begin]):
        return int(before.group(1))
    return None


@lru_cache(maxsize=65536)
def clean_name(name: str) -> tuple[str, int | None]:
    """ "Treaty of Rapallo (1922)" -> ("Treaty of Rapallo", 1922); footnote markers and quotes dropped."""
    year = None
    match = _YEAR_IN_PARENTHESES.search(name)
    if match:
        year = int(match.group(1))
        name = name[: match.start()]
    name = _FOOTNOTE.sub("", name)
    return name.strip(" \"'“”‘’.,;:"), year


def invert_heading(name: str) -> str | None:
    """Encyclopedia headings put the place first: "Sèvres, Treaty of" -> "Treaty of Sèvres"."""
    match = _INVERTED.fullmatch(name.strip())
    if not match:
        return None
    return f"{match.group(2)} {match.group(1)}"


# ---------------------------------------------------------------- languages

LANGUAGES = {
    "traditional chinese": "zh-Hant",
    "simplified chinese": "zh-Hans",
    "chinese": "zh",
    "pinyin": "zh-Latn-pinyin",
    "hanyu pinyin": "zh-Latn-pinyin",
    "wade–giles": "zh-Latn-wadegile",
    "wade-giles": "zh-Latn-wadegile",
    "pe̍h-ōe-jī": "nan-Latn-pehoeji",
    "poj": "nan-Latn-pehoeji",
    "japanese": "ja",
    "hepburn": "ja-Latn-hepburn",
    "rōmaji": "ja-Latn",
    "romaji": "ja-Latn",
    "kyūjitai": "ja",
    "shinjitai": "ja",
    "korean": "ko",
    "french": "fr",
    "german": "de",
    "russian": "ru",
    "polish": "pl",
    "czech": "cs",
    "slovak": "sk",
    "turkish": "tr",
    "ottoman turkish": "ota",
    "spanish": "es",
    "portuguese": "pt",
    "italian": "it",
    "latin": "la",
    "dutch": "nl",
    "greek": "el",
    "hungarian": "hu",
    "romanian": "ro",
    "bulgarian": "bg",
    "serbian": "sr",
    "croatian": "hr",
    "ukrainian": "uk",
    "belarusian": "be",
    "lithuanian": "lt",
    "latvian": "lv",
    "estonian": "et",
    "finnish": "fi",
    "swedish": "sv",
    "danish": "da",
    "norwegian": "no",
    "arabic": "ar",
    "persian": "fa",
    "hebrew": "he",
    "hindi": "hi",
    "urdu": "ur",
    "vietnamese": "vi",
    "thai": "th",
    "irish": "ga",
    "welsh": "cy",
    "english": "en",
    "armenian": "hy",
    "georgian": "ka",
    "mongolian": "mn",
    "tibetan": "bo",
    "manchu": "mnc",
    "slovene": "sl",
    "slovenian": "sl",
    "albanian": "sq",
    "macedonian": "mk",
    "azerbaijani": "az",
    "kazakh": "kk",
    "indonesian": "id",
    "malay": "ms",
    "tagalog": "tl",
    "filipino": "fil",
}
_LANGUAGE_RE = "|".join(sorted((re.escape(k) for k in LANGUAGES), key=len, reverse=True))
_LABELLED = re.compile(rf"^(?:in\s+)?({_LANGUAGE_RE})\s*(?:language)?\s*:\s*(.+)$", re.I)
_TRAILING_LANGUAGE = re.compile(rf"^(.+?)\s+in\s+({_LANGUAGE_RE})$", re.I)


@dataclass(frozen=True)
class ForeignName:
    name: str
    lang: str | None
    offset: int  # within the parenthetical text


def script_language(name: str) -> str | None:
    """A tag from the script alone, only where the script decides the language (kana: Japanese; hangul: Korean)."""
    for char in name:
        block = unicodedata.name(char, "")
        if block.startswith(("HIRAGANA", "KATAKANA")):
            return "ja"
        if block.startswith("HANGUL"):
            return "ko"
    return None


def parse_parenthetical(content: str) -> list[ForeignName]:
    """Names in a lead's parenthesis: "simplified Chinese: X; pinyin: Y", "Traité de Lausanne, Lozan Antlaşması",
    "Tratado de Guadalupe Hidalgo in Spanish". Dates, references and descriptive phrases are left out."""
    names: list[ForeignName] = []
    separator = ";" if ";" in content else ","
    position = 0
    for part in content.split(separator):
        offset = position + (len(part) - len(part.lstrip()))
        position += len(part) + 1
        item = part.strip()
        name, lang = _labelled_item(item)
        if name and _plausible_name(name):
            names.append(ForeignName(name, lang, offset + item.find(name)))
    return names


def _labelled_item(item: str) -> tuple[str, str | None]:
    labelled = _LABELLED.match(item)
    if labelled:
        return labelled.group(2).strip(), LANGUAGES[labelled.group(1).lower()]
    trailing = _TRAILING_LANGUAGE.match(item)
    if trailing:
        return trailing.group(1).strip(), LANGUAGES[trailing.group(2).lower()]
    return item, script_language(item)


_NOT_A_NAME = re.compile(r"\d{3,}|\[|\bsee\b|https?:")
_NOT_A_NAME_START = re.compile(
    r"^(?:or|also|formerly|officially|since|born|died|lit\.|literally|c\.|ca\.|from|until)\b", re.I
)


def _plausible_name(name: str) -> bool:
    name = name.strip()
    if not name or len(name) > 200 or _NOT_A_NAME.search(name):
        return False
    if _NOT_A_NAME_START.match(name):
        return False
    if name.isascii():
        words = name.split()
        return name[0].isupper() and len(words) <= 12
    return True
