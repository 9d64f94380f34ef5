"""Dates as encyclopedia articles write them, turned into ISO values as precise as the text gives.

"14 August 1945", "August 14, 1945", "1945-08-14", "14th of August 1945", "August 1945", "in 1979",
"1922–23" (a range: its start). Old-style (Julian) notes such as "[O.S. 2 August]" are ignored:
the Gregorian date is the one articles lead with.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from .names import quick_alternation

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAMES = (
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sept Sep Oct Nov Dec"
).split()
# The patterns are case-insensitive where the words are (quick_alternation, "(?i:...)"), not as a whole: a pattern
# that starts with a character class is searched for fast, one under re.I is not.
_MONTH = rf"(?P<month>{quick_alternation(_MONTH_NAMES, word_start=False)})\.?"
_WORD_MONTH = rf"(?P<month>{quick_alternation(_MONTH_NAMES, word_start=True)})\.?"  # \b before the month
_WORD_MONTH2 = _WORD_MONTH.replace("?P<month>", "?P<month2>")
_ORDINAL = r"(?i:st|nd|rd|th)?"
_YEAR = r"(?P<year>1[0-9]{3}|20[0-9]{2})"

_ISO_DATE = re.compile(r"(?<![\d-])(?P<iso>(?:1[0-9]{3}|20[0-9]{2})-[01]\d-[0-3]\d)(?![\d-])")  # 1945-08-14
_WITH_MONTH = (
    # 14 August 1945, 14th of August 1945, 14 Aug. 1945: "(?<!\d)[0-3]?\d", the digit before checked after the first
    re.compile(rf"(?P<day>\d(?<!\d.)(?:(?<=[0-3])\d)?){_ORDINAL}(?:\s+(?i:of))?\s+{_MONTH},?\s+{_YEAR}(?!\d)"),
    # August 14, 1945 / August 14 1945
    re.compile(rf"{_WORD_MONTH2}\s+(?P<day2>[0-3]?\d){_ORDINAL},?\s+{_YEAR}(?!\d)"),
    # August 1945
    re.compile(rf"{_WORD_MONTH}\s+(?:(?i:of)\s+)?{_YEAR}(?!\d)"),
)
# a bare year, "1945" (not part of a longer number, not "1945s", not a page or money figure); the check of the
# character before is made after the first digit, so the pattern starts with a character (searched for fast)
_BARE_YEAR = re.compile(r"(?P<year>1(?<![\d$£€.,/-]1)[0-9]{3}|2(?<![\d$£€.,/-]2)0[0-9]{2})(?![\d]|s\b|,\d|\.\d)")
# The three letters every month name starts with, matched as re.I matches them ("ſ" is an "s"): a text without
# any is not searched for dates with a month
_MONTH_START = re.compile(r"[JjFfMmAaSsſOoNnDd](?i:an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec)")
_PATTERNS = [_ISO_DATE, *_WITH_MONTH, _BARE_YEAR]  # most precise first


_FOUR_DIGITS = re.compile(r"\d{4}")


class DateMention(NamedTuple):
    """A date in a text. A named tuple, not a dataclass: made by the thousand, and a tuple is made in C."""

    begin: int
    end: int
    iso: str  # "1945", "1945-08" or "1945-08-14"

    @property
    def year(self) -> int:
        return int(self.iso[:4])

    @property
    def precision(self) -> int:
        return len(self.iso.split("-"))


def _valid(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return False
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return day <= (29 if leap else 28)
    return day <= (30 if month in (4, 6, 9, 11) else 31)


def _iso(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups.get("iso"):
        year, month, day = (int(x) for x in groups["iso"].split("-"))
        return groups["iso"] if _valid(year, month, day) else None
    year = int(groups["year"])
    month_name = groups.get("month") or groups.get("month2")
    if not month_name:
        return f"{year:04d}"
    month = MONTHS[month_name.lower().rstrip(".")]
    day_text = groups.get("day") or groups.get("day2")
    if not day_text:
        return f"{year:04d}-{month:02d}"
    day = int(day_text)
    return f"{year:04d}-{month:02d}-{day:02d}" if _valid(year, month, day) else None


def find_dates(text: str) -> list[DateMention]:
    """Every date in `text`, most precise reading first where readings overlap, in text order."""
    return list(_find_dates(text))


@lru_cache(maxsize=16384)
def _find_dates(text: str) -> tuple[DateMention, ...]:
    if not _FOUR_DIGITS.search(text):
        return ()
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    patterns = [_ISO_DATE] if "-" in text else []
    if _MONTH_START.search(text):
        patterns.extend(_WITH_MONTH)
    patterns.append(_BARE_YEAR)
    for pattern in patterns:
        for match in pattern.finditer(text):
            begin, end = match.span()
            if any(b < end and begin < e for b, e in taken):
                continue
            iso = _iso(match)
            if iso:
                taken.append((begin, end))
                found.append(DateMention(begin, end, iso))
    return tuple(sorted(found, key=lambda d: d.begin))


def parse_date(text: str) -> str | None:
    """The first, most precise date in a short text such as an infobox value."""
    dates = find_dates(text)
    if not dates:
        return None
    return max(dates[:2], key=lambda d: (d.precision, -d.begin)).iso if _same_day(dates[:2]) else dates[0].iso


def _same_day(dates: list[DateMention]) -> bool:
    """ "14 August 1945 (1945-08-14)": the two readings agree, so the precise one may be chosen."""
    return len(dates) == 2 and (dates[0].iso.startswith(dates[1].iso) or dates[1].iso.startswith(dates[0].iso))


def year_of(iso: str | None) -> int | None:
    return int(iso[:4]) if iso and iso[:4].isdigit() else None
