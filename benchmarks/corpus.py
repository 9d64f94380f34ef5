"""Generate a synthetic corpus of treaty articles with gold facts, for benchmarks.

    python benchmarks/corpus.py N OUT [--seed S] [--gazetteer PATH]

Writes N articles to OUT (plain text, Wikipedia-style HTML and MediaWiki wikitext in roughly equal
shares) and OUT/gold.json in the schema of the dev corpus gold. Parties and signers come from the
gazetteer (states valid in the treaty's year, persons alive and adult then); treaty names, places
and all sentences are generated from this module's own templates. About 5% of the articles describe
a treaty another article already described, some treaties supersede or build on earlier ones
(chains form), some are violated or the subject of resolutions, and about 1% contradict themselves
(ended before signed). Output is deterministic for a seed and streamed: articles go to disk as they
are made and only a bounded window of recent treaties is kept for lineage and repeats.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from random import Random

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
from treatygraph.atomic import atomic_writer  # noqa: E402

DEFAULT_GAZETTEER = REPO.parent / "shared" / "data" / "gazetteer.tsv"
FORMATS = ("txt", "html", "wiki")
FIRST_YEAR, LAST_YEAR = 1650, 2022
CURRENT_STATES_FROM = 1950  # the gazetteer leaves current states undated; before this only dated rows are used
REPEAT_SHARE, CONTRADICTION_SHARE = 0.05, 0.01
WINDOW = 400  # recent treaties kept for lineage and repeated descriptions

# ---------------------------------------------------------------- entities


@dataclass(frozen=True, eq=False)  # one object per gazetteer row: identity is equality, and fast
class Entity:
    label: str
    aliases: tuple[str, ...]
    kind: str  # state | historical_state | organisation | person | ...
    start: int | None
    end: int | None

    @property
    def names(self) -> list[str]:
        return [self.label, *self.aliases]

    def valid_in(self, year: int) -> bool:
        if self.start is None and self.end is None:
            return self.kind == "person" or year >= CURRENT_STATES_FROM
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)

    def adult_in(self, year: int) -> bool:
        return self.start is not None and self.start + 30 <= year and (self.end is None or year <= self.end)


# Current states that plainly existed long before 1950 (start years are conventional), so that
# nineteenth-century treaties can involve them too.
OLD_CURRENT_STATES = {
    "United States of America": 1776, "Sweden": 1648, "Denmark": 1648, "Switzerland": 1648, "Belgium": 1831,
    "Kingdom of the Netherlands": 1815, "Mexico": 1821, "Argentina": 1816, "Chile": 1818, "Peru": 1821,
    "Haiti": 1804, "Liberia": 1847, "Norway": 1905, "Finland": 1917, "Turkey": 1923, "Luxembourg": 1867,
}

# Current states founded after 1950 (years are approximate independence dates), so that a 1951 treaty
# does not involve, say, Malaysia or South Sudan.
YOUNG_STATES = {
    "Libya": 1951, "Cambodia": 1953, "Laos": 1953, "Sudan": 1956, "Morocco": 1956, "Tunisia": 1956, "Ghana": 1957,
    "Guinea": 1958, "Cyprus": 1960, "Nigeria": 1960, "Senegal": 1960, "Mali": 1960, "Ivory Coast": 1960,
    "Cameroon": 1960, "Madagascar": 1960, "Democratic Republic of the Congo": 1960, "Republic of the Congo": 1960,
    "Somalia": 1960, "Chad": 1960, "Niger": 1960, "Burkina Faso": 1960, "Benin": 1960, "Togo": 1960,
    "Mauritania": 1960, "Gabon": 1960, "Central African Republic": 1960, "Sierra Leone": 1961, "Kuwait": 1961,
    "Algeria": 1962, "Uganda": 1962, "Rwanda": 1962, "Burundi": 1962, "Jamaica": 1962, "Trinidad and Tobago": 1962,
    "Samoa": 1962, "Kenya": 1963, "Malaysia": 1963, "Tanzania": 1964, "Malta": 1964, "Zambia": 1964, "Malawi": 1964,
    "Singapore": 1965, "Maldives": 1965, "The Gambia": 1965, "Guyana": 1966, "Botswana": 1966, "Lesotho": 1966,
    "Barbados": 1966, "Mauritius": 1968, "Eswatini": 1968, "Equatorial Guinea": 1968, "Nauru": 1968, "Fiji": 1970,
    "Tonga": 1970, "Bangladesh": 1971, "Bahrain": 1971, "Qatar": 1971, "United Arab Emirates": 1971, "Oman": 1971,
    "The Bahamas": 1973, "Guinea-Bissau": 1974, "Grenada": 1974, "Mozambique": 1975, "Angola": 1975,
    "Cape Verde": 1975, "Comoros": 1975, "Papua New Guinea": 1975, "Suriname": 1975, "São Tomé and Príncipe": 1975,
    "Vietnam": 1976, "Seychelles": 1976, "Djibouti": 1977, "Solomon Islands": 1978, "Tuvalu": 1978,
    "Dominica": 1978, "Saint Lucia": 1979, "Kiribati": 1979, "Saint Vincent and the Grenadines": 1979,
    "Zimbabwe": 1980, "Vanuatu": 1980, "Belize": 1981, "Antigua and Barbuda": 1981, "Saint Kitts and Nevis": 1983,
    "Brunei": 1984, "Marshall Islands": 1986, "Federated States of Micronesia": 1986, "State of Palestine": 1988,
    "Namibia": 1990, "Yemen": 1990, "Germany": 1990, "Russia": 1991, "Ukraine": 1991, "Belarus": 1991,
    "Kazakhstan": 1991, "Uzbekistan": 1991, "Turkmenistan": 1991, "Kyrgyzstan": 1991, "Tajikistan": 1991,
    "Armenia": 1991, "Azerbaijan": 1991, "Georgia": 1991, "Moldova": 1991, "Estonia": 1991, "Latvia": 1991,
    "Lithuania": 1991, "Slovenia": 1991, "Croatia": 1991, "North Macedonia": 1991, "Bosnia and Herzegovina": 1992,
    "Czech Republic": 1993, "Slovakia": 1993, "Eritrea": 1993, "Palau": 1994, "East Timor": 2002, "Serbia": 2006,
    "Montenegro": 2006, "Kosovo": 2008, "South Sudan": 2011, "Turkish Republic of Northern Cyprus": 1983,
}

# Which party a well-known signer signs for (gazetteer labels). Persons not listed are not used as signers.
SIGNS_FOR = {
    "Joseph Stalin": ("Soviet Union",), "Vyacheslav Molotov": ("Soviet Union",), "Leonid Brezhnev": ("Soviet Union",),
    "Mikhail Gorbachev": ("Soviet Union",), "Vladimir Lenin": ("Russian Soviet Federative Socialist Republic",),
    "Leon Trotsky": ("Russian Soviet Federative Socialist Republic",), "Mao Zedong": ("People's Republic of China",),
    "Deng Xiaoping": ("People's Republic of China",), "Chiang Kai-shek": ("Republic of China (1912–1949)",),
    "Sun Yat-sen": ("Republic of China (1912–1949)",), "Adolf Hitler": ("Nazi Germany",),
    "Joachim von Ribbentrop": ("Nazi Germany",), "Benito Mussolini": ("Kingdom of Italy",),
    "Winston Churchill": ("United Kingdom",), "Margaret Thatcher": ("United Kingdom",),
    "Aristide Briand": ("French Third Republic",), "Charles de Gaulle": ("France", "French Fourth Republic"),
    "Mustafa Kemal Atatürk": ("Turkey",), "Otto von Bismarck": ("German Empire", "Kingdom of Prussia"),
    "Peter the Great": ("Tsardom of Russia", "Russian Empire"), "Louis XIV": ("Kingdom of France",),
    "Jawaharlal Nehru": ("India",), "Nelson Mandela": ("South Africa",), "Yasser Arafat": ("State of Palestine",),
    "Frank B. Kellogg": ("United States of America",), "Woodrow Wilson": ("United States of America",),
    "Theodore Roosevelt": ("United States of America",), "Franklin D. Roosevelt": ("United States of America",),
    "Harry S. Truman": ("United States of America",), "Dwight D. Eisenhower": ("United States of America",),
    "John F. Kennedy": ("United States of America",), "Lyndon B. Johnson": ("United States of America",),
    "Richard Nixon": ("United States of America",), "Gerald Ford": ("United States of America",),
    "Jimmy Carter": ("United States of America",), "Ronald Reagan": ("United States of America",),
    "Bill Clinton": ("United States of America",), "Barack Obama": ("United States of America",),
    "Donald Trump": ("United States of America",), "Joe Biden": ("United States of America",),
    "George Washington": ("United States of America",),
}

# Used, with a warning, when the gazetteer file is missing.
BUILTIN_ENTITIES = (
    Entity("France", ("French Republic",), "state", None, None),
    Entity("United Kingdom", ("Britain", "UK"), "state", None, None),
    Entity("Kingdom of Prussia", ("Prussia",), "historical_state", 1701, 1918),
    Entity("Russian Empire", ("Imperial Russia",), "historical_state", 1721, 1917),
    Entity("Ottoman Empire", ("Ottoman Turkey",), "historical_state", 1299, 1922),
    Entity("Austria-Hungary", ("Dual Monarchy",), "historical_state", 1867, 1918),
    Entity("United States of America", ("United States", "USA"), "state", None, None),
    Entity("Sweden", ("Kingdom of Sweden",), "state", None, None),
    Entity("Japan", (), "state", None, None),
    Entity("Kingdom of Italy", ("Italy",), "historical_state", 1861, 1946),
    Entity("Otto von Bismarck", ("Bismarck",), "person", 1815, 1898),
    Entity("Woodrow Wilson", ("President Wilson",), "person", 1856, 1924),
)


def read_gazetteer(path: Path) -> list[Entity]:
    if not path.is_file():
        warnings.warn(f"gazetteer {path} not found; using a built-in list of {len(BUILTIN_ENTITIES)} names",
                      stacklevel=2)
        return list(BUILTIN_ENTITIES)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row_entity(row) for row in rows]


def row_entity(row: dict[str, str]) -> Entity:
    start = int(row["start"]) if row.get("start") else OLD_CURRENT_STATES.get(row["label"])
    start = start or YOUNG_STATES.get(row["label"])
    end = int(row["end"]) if row.get("end") else None
    aliases = tuple(a for a in (row.get("aliases") or "").split("|") if a)
    return Entity(row["label"], aliases, row["type"], start, end)


@dataclass(frozen=True)
class World:
    """Gazetteer entities indexed by year: who can be a party or a signer in a given year."""

    parties_by_year: dict[int, tuple[Entity, ...]]
    signers_by_year: dict[int, tuple[Entity, ...]]
    famous_by_year: dict[int, tuple[Entity, ...]]  # parties some gazetteer person can sign for that year
    organs: dict[str, Entity]
    years: tuple[int, ...]  # years with at least two possible parties

    @classmethod
    def build(cls, entities: Sequence[Entity]) -> World:
        polities = [e for e in entities if e.kind in ("state", "historical_state")]
        persons = [e for e in entities if e.kind == "person" and e.label in SIGNS_FOR]
        parties = {y: tuple(e for e in polities if e.valid_in(y)) for y in range(FIRST_YEAR, LAST_YEAR + 1)}
        signers = {y: tuple(p for p in persons if p.adult_in(y)) for y in range(FIRST_YEAR, LAST_YEAR + 1)}
        famous = {y: tuple(p for p in parties[y] if any(p.label in SIGNS_FOR[s.label] for s in signers[y]))
                  for y in parties}
        organs = {e.label: e for e in entities if e.kind in ("organ", "organisation")}
        return cls(parties, signers, famous, organs, tuple(y for y, ps in parties.items() if len(ps) >= 2))


# ---------------------------------------------------------------- treaties

CITIES = (
    "Paris", "Vienna", "Geneva", "London", "Moscow", "Berlin", "Rome", "Madrid", "Lisbon", "Stockholm", "The Hague",
    "Brussels", "Warsaw", "Prague", "Budapest", "Constantinople", "Cairo", "Tokyo", "Peking", "Washington, D.C.",
    "Ottawa", "Mexico City", "Buenos Aires", "Santiago", "Lima", "Rio de Janeiro", "Nairobi", "Addis Ababa",
    "New Delhi", "Canberra", "Oslo", "Helsinki", "Copenhagen", "Bern", "Lausanne", "Ghent", "Utrecht", "Nijmegen",
    "Rapallo", "Locarno", "Tilsit", "Pressburg", "Karlowitz", "Aachen", "Turin", "Florence", "Naples", "Trieste",
    "Riga", "Tallinn", "Vilnius", "Bucharest", "Sofia", "Belgrade", "Athens", "Ankara", "Tehran", "Baghdad",
    "Jeddah", "Kabul", "Bangkok", "Hanoi", "Seoul", "Manila", "Jakarta", "Singapore", "Havana", "Bogotá",
    "Caracas", "Montevideo", "Asunción", "La Paz", "Quito", "Algiers", "Tunis", "Rabat", "Dakar", "Lagos",
    "Pretoria", "Windhoek", "Dar es Salaam", "Kampala", "Tashkent", "Tbilisi", "Yerevan", "Baku", "Kyiv",
    "Minsk", "Dresden", "Munich", "Frankfurt", "Hamburg", "Lyon", "Marseille", "Antwerp", "Rotterdam",
)
VENUES = ("the Foreign Ministry", "the town hall", "the royal palace", "the Hôtel de Ville",
          "the parliament building", "the presidential palace", "a villa outside the city")
TOPICS = (
    "fisheries", "navigation on frontier rivers", "extradition", "commerce and navigation", "frontier delimitation",
    "mutual assistance", "cultural cooperation", "telegraph and postal services", "double taxation",
    "the protection of minorities", "the exchange of prisoners", "railway traffic", "consular relations",
    "the settlement of debts", "the demilitarisation of islands", "water rights", "air navigation",
)
FIRST_NAMES = (
    "Anton", "Bertil", "Carlos", "Dmitri", "Émile", "Friedrich", "Giorgio", "Henrik", "Ivan", "Jules", "Karel",
    "Luis", "Mehmet", "Nikolai", "Oskar", "Pál", "Rafael", "Stefan", "Tomás", "Viktor", "Władysław", "Hiroshi",
    "Ahmad", "Joaquim", "Lars", "Miklós", "Alexandru", "Jan", "Pierre", "Samuel", "Eduardo", "Kenji",
)
LAST_NAMES = (
    "Albrecht", "Borisov", "Castellano", "Dumont", "Eriksen", "Falkenberg", "Grimaldi", "Horvath", "Ilyin",
    "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okada", "Petrescu", "Quintana", "Rasmussen",
    "Sandoval", "Tanaka", "Urbanek", "Valdés", "Weber", "Yilmaz", "Zeller", "Brandt", "Cortés", "Lefèvre",
    "Marchetti", "Stojanović", "Haddad", "Koenig",
)
NAME_FORMS: tuple[tuple[str, str], ...] = (
    ("Treaty of {city}", "treaty"), ("Treaty of {city}", "peace treaty"), ("Convention of {city}", "convention"),
    ("{city} Protocol", "protocol"), ("{a}–{b} Convention on {topic_title}", "convention"),
    ("{a}–{b} Treaty of Friendship", "treaty of friendship"), ("{a}–{b} Non-Aggression Pact", "non-aggression pact"),
    ("Pact of {city}", "pact"), ("{city} Accords", "agreement"), ("Agreement of {city}", "agreement"),
    ("{a}–{b} Treaty of Alliance", "treaty of alliance"), ("{city} Boundary Treaty", "boundary treaty"),
)
FOREIGN_FORMS = {
    "Treaty of {city}": (("French", "Traité de {city}"), ("German", "Vertrag von {city}"),
                         ("Spanish", "Tratado de {city}"), ("Italian", "Trattato di {city}"),
                         ("Dutch", "Verdrag van {city}")),
    "Convention of {city}": (("French", "Convention de {city}"), ("Spanish", "Convención de {city}")),
    "Pact of {city}": (("French", "Pacte de {city}"), ("German", "Pakt von {city}")),
    "Agreement of {city}": (("German", "Abkommen von {city}"), ("French", "Accord de {city}")),
}
ENDINGS = ("expired", "terminated", "denounced", "withdrawn", "annulled")


@dataclass(frozen=True)
class Violation:
    violator: Entity
    determined_by: str | None
    year: int
    resolution: Resolution | None = None


@dataclass(frozen=True)
class Resolution:
    label: str
    number: str | None
    body: str
    day: date
    finding: str  # violation | termination | ratification | approval | rejection
    votes: tuple[int, int] | None = None


@dataclass(frozen=True)
class Earlier:
    """A reference to an earlier treaty (lineage): enough to name it, without keeping it in memory."""

    label: str
    year: int


@dataclass(frozen=True)
class Treaty:
    label: str
    kind: str
    foreign: tuple[tuple[str, str], ...]  # (language, name)
    signed: date
    city: str
    venue: str | None
    effective: date | None
    ended: tuple[date, str] | None
    parties: tuple[Entity, ...]
    signers: tuple[tuple[str, tuple[str, ...], Entity], ...]  # (name, other names, for party)
    supersedes: tuple[Earlier, ...] = ()
    based_on: tuple[Earlier, ...] = ()
    violations: tuple[Violation, ...] = ()
    resolutions: tuple[Resolution, ...] = ()
    mediator: Entity | None = None
    depositary: Entity | None = None
    contradiction: bool = False

    @property
    def year(self) -> int:
        return self.signed.year


@dataclass
class Planner:
    """Draws treaties from the world; remembers a window of recent ones for lineage and repeats."""

    world: World
    rng: Random
    recent: deque[Treaty] = field(default_factory=lambda: deque(maxlen=WINDOW))
    used_labels: set[tuple[str, int]] = field(default_factory=set)
    used_numbers: set[str] = field(default_factory=set)

    def new_treaty(self, contradiction: bool) -> Treaty:
        predecessor = self.pick_predecessor()
        year = self.successor_year(predecessor) if predecessor else self.rng.choice(self.world.years)
        form, kind = self.rng.choice(NAME_FORMS)
        parties = self.pick_parties(year, predecessor, bilateral="{a}" in form)
        signed = random_day(self.rng, year)
        label, foreign = self.pick_name(form, parties, year)
        treaty = Treaty(
            label=label, kind=kind, foreign=foreign, signed=signed, city=self.rng.choice(CITIES),
            venue=self.rng.choice(VENUES) if self.rng.random() < 0.3 else None,
            effective=signed + timedelta(days=self.rng.randint(20, 500)) if self.rng.random() < 0.6 else None,
            ended=self.pick_ending(signed, contradiction), parties=parties, signers=self.pick_signers(parties, year),
            contradiction=contradiction,
        )
        treaty = self.add_lineage(treaty, predecessor)
        treaty = self.add_violations_and_resolutions(treaty)
        treaty = self.add_bystanders(treaty)
        self.recent.append(treaty)
        return treaty

    def pick_predecessor(self) -> Treaty | None:
        if len(self.recent) < 5 or self.rng.random() >= 0.08:
            return None
        candidate = self.rng.choice(self.recent)
        return candidate if candidate.year < LAST_YEAR - 5 and not candidate.contradiction else None

    def successor_year(self, predecessor: Treaty) -> int:
        return min(LAST_YEAR, predecessor.year + self.rng.randint(2, 40))

    def pick_parties(self, year: int, predecessor: Treaty | None, bilateral: bool) -> tuple[Entity, ...]:
        pool = self.world.parties_by_year.get(year) or self.world.parties_by_year[self.rng.choice(self.world.years)]
        kept = [p for p in (predecessor.parties if predecessor else ()) if p.valid_in(year)]
        famous = self.world.famous_by_year.get(year, ())
        wanted = 2 if bilateral else self.rng.choices((2, 3, 4, 5), weights=(60, 20, 12, 8))[0]
        chosen = kept[:wanted]
        if not chosen and famous and self.rng.random() < 0.4:
            chosen.append(self.rng.choice(famous))
        while len(chosen) < min(wanted, len(pool)):
            extra = self.rng.choice(pool)
            if extra not in chosen:
                chosen.append(extra)
        return tuple(chosen)

    def pick_name(self, form: str, parties: Sequence[Entity], year: int) -> tuple[str, tuple[tuple[str, str], ...]]:
        for _ in range(20):
            city = self.rng.choice(CITIES)
            topic = self.rng.choice(TOPICS)
            label = form.format(city=city, a=short_name(parties[0]), b=short_name(parties[-1]),
                                topic_title=topic[0].upper() + topic[1:])
            if (label, year) not in self.used_labels:
                break
        self.used_labels.add((label, year))
        foreign = tuple((lang, pattern.format(city=city)) for lang, pattern in FOREIGN_FORMS.get(form, ())
                        if self.rng.random() < 0.3)
        return label, foreign[:2]

    def pick_signers(self, parties: Sequence[Entity], year: int) -> tuple[tuple[str, tuple[str, ...], Entity], ...]:
        if self.rng.random() < 0.25:
            return ()
        famous = self.world.signers_by_year.get(year, ())
        signers = []
        for party in parties:
            known = [p for p in famous if party.label in SIGNS_FOR[p.label]]
            if known and self.rng.random() < 0.8:
                person = self.rng.choice(known)
                signers.append((person.label, person.aliases, party))
            elif self.rng.random() < 0.85:
                name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
                signers.append((name, (name.split()[-1],), party))
        return tuple(signers)

    def pick_ending(self, signed: date, contradiction: bool) -> tuple[date, str] | None:
        if contradiction:
            return signed - timedelta(days=self.rng.randint(200, 4000)), self.rng.choice(ENDINGS)
        if self.rng.random() >= 0.4:
            return None
        end = signed + timedelta(days=self.rng.randint(365, 365 * 60))
        return (end, self.rng.choice(ENDINGS)) if end.year <= LAST_YEAR else None

    def add_lineage(self, treaty: Treaty, predecessor: Treaty | None) -> Treaty:
        if predecessor is None:
            return treaty
        earlier = Earlier(predecessor.label, predecessor.year)
        if self.rng.random() < 0.6:
            return replace(treaty, supersedes=(earlier,))
        return replace(treaty, based_on=(earlier,))

    def add_violations_and_resolutions(self, treaty: Treaty) -> Treaty:
        resolutions: list[Resolution] = []
        violations: list[Violation] = []
        if self.rng.random() < 0.08:
            violations.append(self.violation(treaty))
            if violations[-1].resolution:
                resolutions.append(violations[-1].resolution)
        if self.rng.random() < 0.12:
            resolutions.append(self.ratification_vote(treaty))
        return replace(treaty, violations=tuple(violations), resolutions=tuple(resolutions))

    def violation(self, treaty: Treaty) -> Violation:
        violator = self.rng.choice(treaty.parties)
        year = treaty.year + self.rng.randint(1, 12)
        others = [p for p in treaty.parties if p is not violator]
        roll = self.rng.random()
        if year >= 1946 and roll < 0.4:
            resolution = self.un_resolution(treaty, date(year, self.rng.randint(1, 12), self.rng.randint(1, 28)))
            return Violation(violator, resolution.label, year, resolution)
        if roll < 0.75 and others:
            return Violation(violator, others[0].label, year)
        return Violation(violator, None, year)

    def un_resolution(self, treaty: Treaty, day: date) -> Resolution:
        council = self.rng.random() < 0.5
        number = self.unique_number(day.year, council)
        body = "UN Security Council" if council else "UN General Assembly"
        organ = "United Nations Security Council" if council else "United Nations General Assembly"
        return Resolution(f"{organ} Resolution {number}", number, body, day, "violation")

    def unique_number(self, year: int, council: bool) -> str:
        while True:
            if council:  # roughly the real pace: ~240 by 1967, ~2500 by 2020
                base = int(4 + (year - 1946) * 9.5) if year < 1990 else int(660 + (year - 1990) * 63)
                number = str(base + self.rng.randint(0, 40))
            elif year < 1976:
                number = f"{self.rng.randint(100, 3500)} ({roman(year - 1945)})"
            else:
                number = f"{year - 1945}/{self.rng.randint(1, 300)}"
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def ratification_vote(self, treaty: Treaty) -> Resolution:
        party = self.rng.choice(treaty.parties)
        us = party.label == "United States of America" and "United States Senate" in self.world.organs
        body = "United States Senate" if us else f"Parliament of {short_name(party)}"
        day = treaty.signed + timedelta(days=self.rng.randint(30, 300))
        total = 100 if us else self.rng.randint(120, 600)
        yes = self.rng.randint(total // 3, total - 2)
        finding = "approval" if yes * 3 >= total * 2 or not us else "rejection"
        label = f"{body} vote of {long_date(day)} on the {treaty.label}"
        return Resolution(label, None, body, day, finding, (yes, total - yes - self.rng.randint(0, 2)))

    def add_bystanders(self, treaty: Treaty) -> Treaty:
        mediator = self.outsider(treaty) if self.rng.random() < 0.1 else None
        depositary = self.outsider(treaty) if self.rng.random() < 0.08 else None
        return replace(treaty, mediator=mediator, depositary=depositary) if mediator or depositary else treaty

    def outsider(self, treaty: Treaty) -> Entity | None:
        """A state of the treaty's time that is not one of its parties (a mediator or depositary)."""
        pool = self.world.parties_by_year.get(treaty.year, ())
        for _ in range(5):
            candidate = self.rng.choice(pool) if pool else None
            if candidate is not None and candidate not in treaty.parties:
                return candidate
        return None

    def repeat(self) -> Treaty | None:
        return self.rng.choice(self.recent) if self.recent else None


def short_name(entity: Entity) -> str:
    """The shortest everyday name: 'United States' rather than 'United States of America'."""
    candidates = [n for n in entity.names if 3 < len(n) and not n.isupper() and "." not in n]
    return min(candidates, key=len) if candidates else entity.label


def random_day(rng: Random, year: int) -> date:
    return date(year, rng.randint(1, 12), rng.randint(1, 28))


def roman(n: int) -> str:
    out = ""
    for value, numeral in ((40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + numeral, n - value
    return out


# ---------------------------------------------------------------- sentences

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def long_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def us_date(d: date) -> str:
    return f"{MONTHS[d.month - 1]} {d.day}, {d.year}"


@dataclass(frozen=True)
class Said:
    """A date as the text gives it, and the ISO value of that precision for the gold."""

    text: str
    iso: str


def say_date(rng: Random, d: date, allow_vague: bool = True) -> Said:
    roll = rng.random()
    if allow_vague and roll < 0.1:
        return Said(f"in {d.year}", str(d.year))
    if allow_vague and roll < 0.18:
        return Said(f"in {MONTHS[d.month - 1]} {d.year}", f"{d.year}-{d.month:02d}")
    text = us_date(d) if roll > 0.8 else long_date(d)
    return Said(f"on {text}", d.isoformat())


def join_names(names: Sequence[str], oxford: bool = False) -> str:
    if len(names) == 1:
        return names[0]
    comma = "," if oxford and len(names) > 2 else ""
    return ", ".join(names[:-1]) + f"{comma} and {names[-1]}"


class Linker:
    """Marks entity and treaty names for the target format: [[..]] in wikitext, <a> in HTML, nothing in text."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt

    def __call__(self, name: str, target: str | None = None) -> str:
        if self.fmt == "wiki":
            return f"[[{target}|{name}]]" if target and target != name else f"[[{name}]]"
        if self.fmt == "html":
            href = (target or name).replace(" ", "_")
            return f'<a href="/wiki/{href}" title="{escape(target or name)}">{escape(name)}</a>'
        return name


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


@dataclass
class Draft:
    """An article being written: paragraphs in a neutral markup, plus the gold facts each sentence carries."""

    fmt: str
    rng: Random
    paragraphs: list[list[str]] = field(default_factory=list)
    evidence: dict[str, str] = field(default_factory=dict)
    iso: dict[str, str] = field(default_factory=dict)  # fact -> date as precise as the prose gives it
    infobox: bool = True  # txt articles show infobox lines only sometimes
    link: Linker = field(init=False)

    def __post_init__(self) -> None:
        self.link = Linker(self.fmt)

    def paragraph(self) -> None:
        self.paragraphs.append([])

    def say(self, marked: str, plain: str, *facts: str) -> None:
        """Add one sentence: `marked` goes into the article, `plain` (no markup) is the evidence for `facts`."""
        if not self.paragraphs:
            self.paragraph()
        self.paragraphs[-1].append(marked)
        for fact in facts:
            self.evidence.setdefault(fact, plain)


THE_WORDS = frozenset({
    "Republic", "Kingdom", "Empire", "Union", "United", "States", "Federation", "Confederation", "Principality",
    "Duchy", "Emirate", "Sultanate", "dynasty", "Netherlands", "Bahamas", "Philippines", "Gambia", "Holy", "Crown",
    "Tsardom", "Raj", "Community", "Communities", "Organization", "Organisation", "League", "Council", "Assembly",
    "Senate", "Parliament", "Congress", "Court", "Government", "Allies", "Powers", "Islands", "Republics",
})


def with_article(name: str) -> str:
    """'the Soviet Union', 'the Kingdom of Italy', but 'France', 'Nazi Germany'."""
    return f"the {name}" if THE_WORDS & set(name.replace(",", " ").split()) and not name.startswith("The ") else name


def a_year(year: int) -> str:
    return f"an {year}" if str(year).startswith(("8", "11", "18")) else f"a {year}"


def mention(draft: Draft, entity: Entity) -> Pre:
    """An entity as a sentence names it: the right article, linked in wiki/html."""
    name = entity_name(draft.rng, entity)
    article = "the " if with_article(name) != name else ""
    return Pre(article + draft.link(name, entity.label), article + name)


def entity_name(rng: Random, entity: Entity) -> str:
    """Mostly the label, sometimes an alias, as real articles vary their wording."""
    usable = [a for a in entity.aliases if len(a) > 3]
    return rng.choice(usable) if usable and rng.random() < 0.3 else entity.label


@dataclass(frozen=True)
class Pre:
    """A template value already written in both forms."""

    marked: str
    plain: str


def both(draft: Draft, template: str, **names: str | Pre | tuple[str, str | None]) -> tuple[str, str]:
    """Fill a template twice: once with links for the article, once plain for the evidence."""
    marked: dict[str, str] = {}
    plain: dict[str, str] = {}
    for key, value in names.items():
        if isinstance(value, Pre):
            marked[key], plain[key] = value.marked, value.plain
        elif isinstance(value, tuple):
            text, target = value
            marked[key], plain[key] = draft.link(text, target), text
        else:
            marked[key] = escape(value) if draft.fmt == "html" else value
            plain[key] = value
    return template.format(**marked), template.format(**plain)


# ---------------------------------------------------------------- article body

LEADS = (
    "The {name}{alias} was a {kind} concluded between {parties} {date} in {city}.",
    "The {name}{alias} is {a_year} {kind} between {parties}.",
    "The {name}{alias} was signed at {city} {date} by {parties}.",
    "The {name}{alias} was a {kind} that {parties} signed in {city} {date}.",
)
SIGNED_AFTER_YEAR_LEAD = (
    "It was signed in {city} {date}.",
    "The parties signed it {date} at {city}.",
)
SIGNER_PAIRS = (
    "It was signed by {s1} for {p1} and {s2} for {p2}.",
    "Signing for {p1} was {s1}; {p2} was represented by {s2}.",
    "{s1} signed on behalf of {p1}, and {s2} on behalf of {p2}.",
)
SIGNER_LISTS = (
    "The signatories were {signers}.",
    "{signers} put their names to the document.",
    "The treaty bears the signatures of {signers}.",
)
EFFECTIVE = (
    "It entered into force {date}.",
    "Ratifications were exchanged {date}, and the treaty took effect the same day.",
    "The {short} came into force {date} after all parties had ratified it.",
)
ENDING = {
    "expired": ("The treaty expired {date} and was not renewed.", "Concluded for a fixed term, it lapsed {date}."),
    "terminated": ("The parties terminated the treaty by mutual consent {date}.",
                   "The agreement was terminated {date}."),
    "denounced": ("{party} denounced the treaty {date}.", "{date_cap}, {party} formally denounced the {short}."),
    "withdrawn": ("{party} withdrew from the treaty {date}, which brought it to an end.",
                  "The {short} ended when {party} withdrew from it {date}."),
    "annulled": ("The treaty was declared null and void {date}.", "{date_cap}, the {short} was annulled."),
}
SUPERSEDES = (
    "It replaced the earlier {earlier} of {year}.",
    "The new agreement superseded the {earlier} of {year}.",
    "With its entry into force the {earlier} ({year}) ceased to apply, being superseded by it.",
)
BASED_ON = (
    "Its text was based on the {earlier} of {year}.",
    "The negotiators took the {earlier} ({year}) as their model, and much of its wording was based on it.",
)
VIOLATION_DETERMINED = (
    "In {year} {judge} found that {violator} had violated the treaty.",
    "{violator} was accused by {judge} of violating its terms in {year}.",
)
VIOLATION_BY_RESOLUTION = (
    "{resolution}, adopted {date}, determined that {violator} had violated the {short}.",
    "{date_cap}, the {body} adopted {resolution}, which found that {violator} had violated the treaty.",
)
VIOLATION_PLAIN = (
    "{violator} broke the treaty in {year}.",
    "In {year} {violator} violated the agreement by moving troops into the neutral zone.",
)
VOTES = {
    "approval": ("{date_cap}, the {body} approved the treaty by {yes} votes to {no}.",
                 "The {body} voted {yes} to {no} in favour of ratification {date}."),
    "rejection": ("{date_cap}, the {body} voted {yes} to {no} for the treaty, short of the majority it needed, "
                  "and so rejected it.",),
}
FILLERS = (
    "Negotiations had begun the year before, after a series of incidents on the common frontier.",
    "The treaty consisted of {n} articles, most of them dealing with {topic}.",
    "Historians have described the agreement as a compromise that satisfied neither side entirely.",
    "A separate annex set out the procedure for settling disputes by arbitration.",
    "Its provisions on {topic} were considered the most important part of the settlement at the time.",
    "Contemporary newspapers gave the signing little attention.",
    "The text was drawn up in two languages, both of which were declared equally authentic.",
    "Several articles concerned {topic}, a question that had troubled relations for decades.",
    "Critics in both capitals argued that the concessions had been too generous.",
    "The agreement was registered with the relevant international secretariat soon after it took effect.",
    "Delegations met in more than a dozen sessions before a final text was agreed.",
    "Opposition parties attacked the government for accepting the terms without a public debate.",
    "One clause, on {topic}, was kept secret and became known only decades later.",
    "The agreement also provided for a joint commission to oversee its execution.",
    "Trade between the signatories grew noticeably in the years that followed.",
    "A dispute over the translation of one article delayed the final ceremony by several weeks.",
    "Later commentators saw the treaty as part of a wider realignment in the region.",
    "Minor amendments to the annexes were agreed by an exchange of notes.",
    "The preamble referred to the long friendship between the peoples concerned.",
    "Questions of {topic} left open by the treaty were referred to later conferences.",
)


def write_body(draft: Draft, treaty: Treaty, title: str, facts: frozenset[str]) -> None:
    write_lead(draft, treaty, title)
    if "signers" in facts and treaty.signers:
        write_signers(draft, treaty)
    write_fillers(draft, treaty)
    if "effective" in facts and treaty.effective:
        write_effective(draft, treaty)
    if "resolutions" in facts:
        write_votes(draft, treaty)
    if "lineage" in facts:
        write_lineage(draft, treaty)
    if "violations" in facts and treaty.violations:
        write_violations(draft, treaty)
    if "ended" in facts and treaty.ended:
        write_ending(draft, treaty)
    write_bystanders(draft, treaty)


def write_lead(draft: Draft, treaty: Treaty, title: str) -> None:
    rng = draft.rng
    mentions = [mention(draft, p) for p in treaty.parties]
    oxford = rng.random() < 0.3
    parties = Pre(join_names([m.marked for m in mentions], oxford), join_names([m.plain for m in mentions], oxford))
    said = say_date(rng, treaty.signed)
    template = rng.choice(LEADS)
    marked, plain = both(draft, template, name=treaty.label, alias=lead_alias(treaty, title), kind=treaty.kind,
                         a_year=a_year(treaty.year), date=said.text, city=(treaty.city, None), parties=parties)
    draft.paragraph()
    dated = "{date}" in template
    draft.say(bold_title(draft, marked, treaty.label), plain, "parties", "signed_at", *(["signed"] if dated else []))
    if not dated:
        said = say_date(rng, treaty.signed, allow_vague=False)
        marked, plain = both(draft, rng.choice(SIGNED_AFTER_YEAR_LEAD), city=(treaty.city, None), date=said.text)
        draft.say(marked, plain, "signed")
    draft.iso["signed"] = said.iso


def lead_alias(treaty: Treaty, title: str) -> str:
    if treaty.foreign:
        return " (" + "; ".join(f"{lang}: {name}" for lang, name in treaty.foreign) + ")"
    return f" (also known as the {title})" if title != treaty.label else ""


def bold_title(draft: Draft, sentence: str, label: str) -> str:
    shown = escape(label) if draft.fmt == "html" else label
    bold = {"wiki": f"'''{label}'''", "html": f"<b>{shown}</b>"}.get(draft.fmt, label)
    return sentence.replace(shown, bold, 1)


def write_signers(draft: Draft, treaty: Treaty) -> None:
    rng = draft.rng
    draft.paragraph()
    signers = treaty.signers
    if len(signers) == 2 and signers[0][2] is not signers[1][2] and rng.random() < 0.6:
        (n1, _, p1), (n2, _, p2) = signers
        marked, plain = both(draft, rng.choice(SIGNER_PAIRS), s1=(n1, None), s2=(n2, None),
                             p1=mention(draft, p1), p2=mention(draft, p2))
    else:
        names = [n for n, _, _ in signers]
        listed = Pre(join_names([draft.link(n) for n in names]), join_names(names))
        template = rng.choice(SIGNER_LISTS) if len(names) > 1 else "It was signed by {signers}."
        marked, plain = both(draft, template, signers=listed)
    draft.say(capitalise(marked), capitalise(plain), "signers")


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def write_fillers(draft: Draft, treaty: Treaty) -> None:
    rng = draft.rng
    topic = rng.choice(TOPICS)
    for sentence in rng.sample(FILLERS, rng.randint(4, 12)):
        if rng.random() < 0.3:
            draft.paragraph()
        text = sentence.format(n=rng.randint(5, 40), topic=topic)
        draft.say(text, text)


def write_effective(draft: Draft, treaty: Treaty) -> None:
    assert treaty.effective is not None
    said = say_date(draft.rng, treaty.effective)
    marked, plain = both(draft, draft.rng.choice(EFFECTIVE), date=said.text, short=short_title(treaty))
    draft.say(marked, plain, "effective")
    draft.iso["effective"] = said.iso


def short_title(treaty: Treaty) -> str:
    return treaty.kind if treaty.kind not in ("treaty", "peace treaty") else "treaty"


def write_votes(draft: Draft, treaty: Treaty) -> None:
    for resolution in treaty.resolutions:
        if resolution.votes is None:
            continue
        yes, no = resolution.votes
        said = say_date(draft.rng, resolution.day, allow_vague=False)
        template = draft.rng.choice(VOTES[resolution.finding])
        marked, plain = both(draft, template, date=said.text, date_cap=capitalise(said.text),
                             body=(resolution.body, None), yes=str(yes), no=str(no))
        draft.say(marked, plain, f"resolution:{resolution.label}")


def write_lineage(draft: Draft, treaty: Treaty) -> None:
    for relation, earlier_list, templates in (("supersedes", treaty.supersedes, SUPERSEDES),
                                               ("based_on", treaty.based_on, BASED_ON)):
        for earlier in earlier_list:
            marked, plain = both(draft, draft.rng.choice(templates), earlier=(earlier.label, None),
                                 year=str(earlier.year))
            draft.say(marked, plain, relation)


def write_violations(draft: Draft, treaty: Treaty) -> None:
    rng = draft.rng
    draft.paragraph()
    for v in treaty.violations:
        violator = mention(draft, v.violator)
        if v.resolution:
            said = say_date(rng, v.resolution.day, allow_vague=False)
            marked, plain = both(draft, rng.choice(VIOLATION_BY_RESOLUTION), resolution=(v.resolution.label, None),
                                 date=said.text, date_cap=capitalise(said.text), violator=violator,
                                 short=short_title(treaty), body=v.resolution.body)
            draft.say(capitalise(marked), capitalise(plain), f"violation:{v.violator.label}",
                      f"resolution:{v.resolution.label}")
        elif v.determined_by:
            article = "the " if with_article(v.determined_by) != v.determined_by else ""
            judge = Pre(article + draft.link(v.determined_by), article + v.determined_by)
            marked, plain = both(draft, rng.choice(VIOLATION_DETERMINED), year=str(v.year), judge=judge,
                                 violator=violator)
            draft.say(capitalise(marked), capitalise(plain), f"violation:{v.violator.label}")
        else:
            marked, plain = both(draft, rng.choice(VIOLATION_PLAIN), year=str(v.year), violator=violator)
            draft.say(capitalise(marked), capitalise(plain), f"violation:{v.violator.label}")


def write_ending(draft: Draft, treaty: Treaty) -> None:
    assert treaty.ended is not None
    end, how = treaty.ended
    rng = draft.rng
    said = say_date(rng, end)
    party = rng.choice(treaty.parties)
    marked, plain = both(draft, rng.choice(ENDING[how]), date=said.text, date_cap=capitalise(said.text),
                         party=mention(draft, party), short=short_title(treaty))
    draft.say(capitalise(marked), capitalise(plain), "ended")
    draft.iso["ended"] = said.iso


def write_bystanders(draft: Draft, treaty: Treaty) -> None:
    if treaty.mediator:
        marked, plain = both(draft, "The talks had been mediated by {m}, which did not become a party.",
                             m=mention(draft, treaty.mediator))
        draft.say(marked, plain)
    if treaty.depositary:
        marked, plain = both(draft, "The government of {d} was designated as depositary of the instruments.",
                             d=mention(draft, treaty.depositary))
        draft.say(marked, plain)


# ---------------------------------------------------------------- formats


def infobox_rows(treaty: Treaty, facts: frozenset[str]) -> list[tuple[str, list[str], str]]:
    """(label, values, wiki key) rows; values are plain names."""
    rows: list[tuple[str, list[str], str]] = [("Signed", [long_date(treaty.signed)], "date_signed"),
                                              ("Location", [treaty.city], "location_signed")]
    if treaty.effective and "effective" in facts:
        rows.append(("Effective", [long_date(treaty.effective)], "date_effective"))
    if treaty.ended and "ended" in facts:
        rows.append(("Expiration", [f"{long_date(treaty.ended[0])} ({treaty.ended[1]})"], "date_expiration"))
    if treaty.signers and "signers" in facts:
        rows.append(("Signatories", [name for name, _, _ in treaty.signers], "signatories"))
    rows.append(("Parties", [p.label for p in treaty.parties], "parties"))
    if treaty.depositary:
        rows.append(("Depositary", [f"Government of {treaty.depositary.label}"], "depositor"))
    return rows


def render_txt(draft: Draft, treaty: Treaty, title: str, facts: frozenset[str]) -> str:
    rng = draft.rng
    site, nav, footer = rng.choice(TXT_SITES)
    head = [site, nav, "", title, ""] if rng.random() < 0.7 else [title, ""]
    if draft.infobox:
        head += [title, *(f"{label} {'; '.join(values)}" for label, values, _ in infobox_rows(treaty, facts)), ""]
        footer = footer if head[0] == site else ""
    body = "\n\n".join(" ".join(p) for p in draft.paragraphs if p)
    return "\n".join(head) + "\n" + body + f"\n\nSee also\n  • {rng.choice(CITIES)} Conference\n\n{footer}\n"


TXT_SITES = (
    ("World Reference Shelf", "Email this Article | Print | Share",
     "Copyright © World Reference Shelf. All rights reserved."),
    ("Open History Mirror", "Home › Treaties › Email this Article",
     "Text is reproduced under a Creative Commons licence; additional terms may apply. © Open History Mirror"),
    ("Diplomacy Encyclopedia Online", "Flag as inappropriate · Email this Article",
     "Diplomacy Encyclopedia Online is a volunteer project. Terms of Use | Privacy Policy"),
)


def render_wiki(draft: Draft, treaty: Treaty, title: str, facts: frozenset[str]) -> str:
    rows = []
    for _, values, key in infobox_rows(treaty, facts):
        if key.startswith("date_"):
            rows.append(f"| {key} = {wiki_date(values[0], key)}")
        elif len(values) > 1:
            rows.append(f"| {key} = {{{{plainlist|\n" + "\n".join(f"* [[{v}]]" for v in values) + "\n}}")
        else:
            rows.append(f"| {key} = [[{values[0]}]]" if key != "depositor" else f"| {key} = {values[0]}")
    body = "\n\n".join(" ".join(p) for p in draft.paragraphs if p)
    categories = f"[[Category:Treaties concluded in {treaty.year}]]\n[[Category:{CATEGORY[treaty.kind]}]]"
    return (f"{{{{Short description|{treaty.year} {treaty.kind}}}}}\n{{{{Infobox treaty\n| name = {title}\n"
            + "\n".join(rows) + f"\n}}}}\n{body}\n\n== See also ==\n* [[List of treaties]]\n\n"
            f"== References ==\n{{{{reflist}}}}\n\n{categories}\n")


CATEGORY = {
    "treaty": "Treaties", "peace treaty": "Peace treaties", "convention": "Conventions (treaties)",
    "protocol": "Protocols (treaties)", "treaty of friendship": "Treaties of friendship",
    "non-aggression pact": "Non-aggression pacts", "pact": "Pacts", "agreement": "Agreements (treaties)",
    "treaty of alliance": "Treaties of alliance", "boundary treaty": "Boundary treaties",
}


def wiki_date(shown: str, key: str) -> str:
    day, month, year = shown.split(" ")[:3]
    template = "end date" if key == "date_expiration" else "start date"
    rest = " ".join(shown.split(" ")[3:])
    return f"{{{{{template}|df=y|{year}|{MONTHS.index(month) + 1}|{int(day)}}}}}" + (f" {rest}" if rest else "")


def render_html(draft: Draft, treaty: Treaty, title: str, facts: frozenset[str]) -> str:
    rows = "".join(
        f'<tr><th scope="row" class="infobox-label">{label}</th><td class="infobox-data">'
        + "<br>".join(escape(v) for v in values) + "</td></tr>\n"
        for label, values, _ in infobox_rows(treaty, facts)
    )
    paragraphs = "".join(
        f"<p>{' '.join(p)}<sup class=\"reference\"><a href=\"#cite_note-{i}\">&#91;{i}&#93;</a></sup></p>\n"
        for i, p in enumerate((p for p in draft.paragraphs if p), start=1)
    )
    slug = title.replace(" ", "_")
    return HTML_PAGE.format(title=escape(title), slug=escape(slug), rows=rows, paragraphs=paragraphs, year=treaty.year)


HTML_PAGE = """<!DOCTYPE html>
<html lang="en" dir="ltr">
<head><meta charset="UTF-8"><title>{title} - Wikipedia</title></head>
<body class="mediawiki ltr skin-vector-2022">
<div class="vector-header-container"><nav class="vector-main-menu" aria-label="Site"><ul>
<li><a href="/wiki/Main_Page">Main page</a></li><li><a href="/wiki/Special:Random">Random article</a></li>
<li><a href="/wiki/Help:Contents">Help</a></li></ul></nav></div>
<main id="content" class="mw-body">
<h1 id="firstHeading" class="firstHeading"><span class="mw-page-title-main">{title}</span></h1>
<div id="bodyContent" class="vector-body"><div id="siteSub">From Wikipedia, the free encyclopedia</div>
<div id="mw-content-text" class="mw-body-content"><div class="mw-parser-output">
<table class="infobox"><tbody>
<tr><th colspan="2" class="infobox-above">{title}</th></tr>
{rows}</tbody></table>
{paragraphs}<h2><span class="mw-headline" id="See_also">See also</span></h2>
<ul><li><a href="/wiki/List_of_treaties">List of treaties</a></li></ul>
<h2><span class="mw-headline" id="References">References</span></h2>
<ol class="references"><li id="cite_note-1">Treaty series of the period.</li></ol>
</div></div>
<div id="catlinks" class="catlinks">Categories: <ul>
<li><a href="/wiki/Category:Treaties_concluded_in_{year}">Treaties concluded in {year}</a></li></ul></div>
</div></main>
<footer id="footer" class="mw-footer"><ul><li id="footer-info-lastmod">This page was last edited on 3 May 2024.</li>
<li id="footer-info-copyright">Text is available under the Creative Commons Attribution-ShareAlike License 4.0.</li>
</ul></footer>
</body>
</html>
"""
RENDERERS: dict[str, Callable[[Draft, Treaty, str, frozenset[str]], str]] = {
    "txt": render_txt, "html": render_html, "wiki": render_wiki,
}


# ---------------------------------------------------------------- articles and gold

# a tuple, not a set: drawing facts in set order would make the corpus depend on PYTHONHASHSEED
ALL_FACTS = ("signers", "effective", "ended", "lineage", "violations", "resolutions")
NOTES = [
    "Synthetic corpus written by benchmarks/corpus.py from its own templates; parties and signers are gazetteer "
    "names valid in the treaty's year, treaty names are invented.",
    "Dates are as precise as the article gives them (infobox rows give full dates). A treaty described by several "
    "articles has one entry per article under the same label. Articles whose notes start with 'contradiction:' "
    "state an end date before the signing date on purpose.",
]


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.replace("–", "-")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "treaty"


def names_of(entity: Entity) -> list[str]:
    return entity.names


def treaty_gold(treaty: Treaty, title: str, facts: frozenset[str], draft: Draft) -> dict[str, object]:
    ev = draft.evidence
    full = draft.infobox  # infobox rows give full dates, which beat vaguer prose

    def when(fact: str, exact: date) -> str | None:
        return exact.isoformat() if full else draft.iso.get(fact)

    shown_violations = [v for v in treaty.violations if f"violation:{v.violator.label}" in ev]
    return {
        "label": treaty.label,
        "aliases": [name for _, name in treaty.foreign] + ([title] if title != treaty.label else []),
        "signed": when("signed", treaty.signed),
        "signed_at": treaty.city,
        "effective": when("effective", treaty.effective) if treaty.effective and "effective" in facts else None,
        "ended": ({"date": when("ended", treaty.ended[0]), "how": treaty.ended[1]}
                  if treaty.ended and "ended" in facts else None),
        "parties": [names_of(p) for p in treaty.parties],
        "signers": [[name, *others] for name, others, _ in treaty.signers] if "signers" in facts else [],
        "supersedes": [e.label for e in treaty.supersedes] if "lineage" in facts else [],
        "based_on": [e.label for e in treaty.based_on] if "lineage" in facts else [],
        "violations": [{"violator": names_of(v.violator), "determined_by": v.determined_by,
                        "evidence": ev[f"violation:{v.violator.label}"]} for v in shown_violations],
        "evidence": {k: v for k, v in ev.items() if ":" not in k},
    }


def earlier_gold(treaty: Treaty, draft: Draft) -> list[dict[str, object]]:
    """Earlier treaties named with their year in a lineage sentence are treaties of this article too."""
    out: list[dict[str, object]] = []
    for relation, refs in (("supersedes", treaty.supersedes), ("based_on", treaty.based_on)):
        for ref in refs:
            out.append({"label": ref.label, "aliases": [], "signed": str(ref.year), "signed_at": None,
                        "effective": None, "ended": None, "parties": [], "signers": [], "supersedes": [],
                        "based_on": [], "violations": [], "evidence": {"signed": draft.evidence[relation]}})
    return out


def resolutions_gold(treaty: Treaty, draft: Draft) -> list[dict[str, object]]:
    return [{"label": r.label, "number": r.number, "body": r.body, "date": r.day.isoformat(),
             "concerns": treaty.label, "finding": r.finding, "evidence": draft.evidence[f"resolution:{r.label}"]}
            for r in treaty.resolutions if f"resolution:{r.label}" in draft.evidence]


def write_article(index: int, treaty: Treaty, fmt: str, rng: Random, repeat: bool) -> tuple[str, str, dict]:
    """One article about `treaty`: (file name, content, gold entry)."""
    facts = frozenset(f for f in ALL_FACTS if not repeat or rng.random() < 0.6)
    title = treaty.foreign[0][1] if repeat and treaty.foreign else treaty.label
    draft = Draft(fmt, rng, infobox=fmt != "txt" or rng.random() < 0.5)
    write_body(draft, treaty, title, facts)
    content = RENDERERS[fmt](draft, treaty, title, facts)
    file = f"{index:06d}_{slugify(title)}.{fmt}"
    notes = ["repeat: another article describes the same treaty"] if repeat else []
    if treaty.contradiction and "ended" in facts and treaty.ended:
        notes.append("contradiction: the article's end date precedes its signing date")
    earlier = earlier_gold(treaty, draft) if "lineage" in facts else []
    gold = {"file": file, "url": None, "source": "synthetic", "format": fmt, "markup": "synthetic",
            "treaties": [treaty_gold(treaty, title, facts, draft), *earlier],
            "resolutions": resolutions_gold(treaty, draft), "notes": notes}
    return file, content, gold


def articles(n: int, planner: Planner, rng: Random) -> Iterator[tuple[str, str, dict]]:
    formats = list(FORMATS)
    for index in range(n):
        if index % len(formats) == 0:
            rng.shuffle(formats)  # equal shares, no fixed rhythm
        fmt = formats[index % len(formats)]
        repeat = planner.repeat() if rng.random() < REPEAT_SHARE else None
        treaty = repeat or planner.new_treaty(contradiction=rng.random() < CONTRADICTION_SHARE)
        yield write_article(index, treaty, fmt, rng, repeat is not None)


@dataclass(frozen=True)
class Summary:
    articles: int
    bytes: int
    formats: dict[str, int]


def generate(n: int, out: Path, seed: int = 0, gazetteer: Path = DEFAULT_GAZETTEER) -> Summary:
    """Write n articles and gold.json to `out`. Articles are streamed to disk one by one; gold.json is streamed
    into a temporary file that replaces the old one only when the corpus is complete."""
    rng = Random(seed)
    planner = Planner(World.build(read_gazetteer(gazetteer)), rng)
    out.mkdir(parents=True, exist_ok=True)
    remove_old_articles(out)
    size, counts = 0, dict.fromkeys(FORMATS, 0)
    with atomic_writer(out / "gold.json") as gold:
        gold.write('{"articles": [\n')
        for index, (file, content, entry) in enumerate(articles(n, planner, rng)):
            # one plain write per article: an fsync per file (atomic_writer) would cost more than the generation
            data = content.encode("utf-8")
            (out / file).write_bytes(data)
            size += len(data)
            counts[entry["format"]] += 1
            gold.write((",\n" if index else "") + json.dumps(entry, ensure_ascii=False))
        gold.write('\n],\n"notes": ' + json.dumps(NOTES, ensure_ascii=False) + "}\n")
    return Summary(n, size, counts)


GENERATED_NAME = re.compile(r"^\d{6}_[a-z0-9-]+\.(?:txt|html|wiki)$")


def remove_old_articles(out: Path) -> None:
    """A previous, larger run must not leave articles behind that the new gold does not describe."""
    for path in out.iterdir():
        if GENERATED_NAME.match(path.name):
            path.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out", type=Path, help="output folder (created if missing)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gazetteer", type=Path, default=DEFAULT_GAZETTEER,
                        help="gazetteer TSV (default: ../shared/data/gazetteer.tsv next to the repository)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("n must be >= 0")
    summary = generate(args.n, args.out, args.seed, args.gazetteer)
    print(f"wrote {summary.articles} articles ({summary.bytes / 1e6:.1f} MB; "
          + ", ".join(f"{k} {v}" for k, v in summary.formats.items()) + f") and gold.json to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
