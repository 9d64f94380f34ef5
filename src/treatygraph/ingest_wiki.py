"""Wikitext reader: mwparserfromhell's tree rendered to the plain text a reader of the page would see.

Infobox template parameters become fields, date templates are resolved ("3 March 1918"), list
templates become one item per line, `[[target|text]]` becomes `text` with a LinkHint to `target`,
and refs, files, categories, comments and unknown templates are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.nodes.extras import Parameter
from mwparserfromhell.parser import Parser, ParserError, tokens
from mwparserfromhell.parser.builder import Builder
from mwparserfromhell.smart_list import SmartList
from mwparserfromhell.wikicode import Wikicode

from .ingest_text import (
    Layout,
    LineIndex,
    TextBuffer,
    Unreadable,
    is_dropped_section,
    label_for,
    normalise_key,
)

if TYPE_CHECKING:
    from .ingest import IngestLimits

# ---------------------------------------------------------------- cheap checks before parsing

_VOID_TAGS = frozenset({"br", "hr", "wbr", "img", "meta", "link", "li", "dt", "dd", "td", "th", "tr", "p", "source"})
_MARKUP = re.compile(r"\{\{|\}\}|\[\[|\]\]|<!--|-->|<(/?)([A-Za-z][\w:.-]*)([^<>]*)(>?)")


# mwparserfromhell's tokenizer stops descending here and leaves deeper templates as text.
PARSER_TEMPLATE_DEPTH = 33


def check_markup_budget(source: str, max_depth: int) -> int:
    """Reject wikitext that would make the parser slow or deep: templates or links nested deeper
    than `max_depth`, or more than `max_depth` openers ({{, [[, <tag, <!--) that are never closed.
    (mwparserfromhell rescans the rest of the page for each unclosed opener: quadratic time.)
    Returns the deepest template nesting seen."""
    depth = {"{{": 0, "[[": 0, "<!--": 0}
    deepest = 0
    open_tags: dict[str, int] = {}
    for match in _MARKUP.finditer(source):
        token = match.group()
        if token in ("{{", "[["):
            depth[token] += 1
            deepest = max(deepest, depth["{{"])
            if depth[token] > max_depth:
                kind = "templates" if token == "{{" else "links"
                line = LineIndex(source)(match.start())[0]
                raise Unreadable(
                    f"{kind} nested deeper than {max_depth} (or '{token}' left open); "
                    f"raise the limit with --max-template-depth",
                    line=line,
                )
        elif token in ("}}", "]]"):
            opener = "{{" if token == "}}" else "[["
            depth[opener] = max(0, depth[opener] - 1)
        elif token == "<!--":
            depth["<!--"] += 1
        elif token == "-->":
            depth["<!--"] = max(0, depth["<!--"] - 1)
        else:
            _count_tag(match, open_tags)
    unclosed = depth["<!--"] + sum(open_tags.values())
    if unclosed > max_depth:
        raise Unreadable(
            f"{unclosed} HTML tags or comments left open (more than {max_depth}); "
            f"raise the limit with --max-template-depth"
        )
    return deepest


def _count_tag(match: re.Match[str], open_tags: dict[str, int]) -> None:
    closing, name, rest, end = match.group(1), match.group(2).lower(), match.group(3), match.group(4)
    if name in _VOID_TAGS or (end and rest.rstrip().endswith("/")):
        return
    if closing:
        if open_tags.get(name):
            open_tags[name] -= 1
    else:
        open_tags[name] = open_tags.get(name, 0) + 1


# ---------------------------------------------------------------- parsing

# mwparserfromhell's Builder turns the tokenizer's tokens into nodes through their constructors, whose
# property setters re-check and re-convert every value (parse_anything, with four imports a call, on values
# that are already Wikicode): more than half the parse time. _TreeBuilder makes the nodes a page is mostly
# made of (text, templates and their parameters, wikilinks, tags) itself, setting the attributes those
# constructors set to the values they would set; other nodes go through the stock handlers.
# tests/test_ingest_wiki.py checks that its trees equal the stock builder's.

_new_object = object.__new__


def _code(nodes: list[Node]) -> Wikicode:
    code: Wikicode = _new_object(Wikicode)
    code._nodes = SmartList(nodes)  # as Wikicode(SmartList(nodes)) sets it
    return code


def _text_node(value: str) -> Text:
    node: Text = _new_object(Text)
    node._value = value
    return node


class _TreeBuilder(Builder):  # type: ignore[misc]  # mwparserfromhell is untyped
    """The stock Builder (same tokens in, same tree out), making the common nodes without their setters."""

    def _pop(self) -> Wikicode:
        return _code(self._stacks.pop())

    def _handle_token(self, token: tokens.Token) -> Node:
        kind = type(token)
        if kind is tokens.Text:
            return _text_node(token["text"])
        if kind is tokens.TemplateOpen:
            return self._template()
        if kind is tokens.WikilinkOpen:
            return self._wikilink()
        if kind is tokens.TagOpenOpen:
            return self._tag(token)
        return super()._handle_token(token)  # type: ignore[no-any-return]

    def _children_until(self, ends: tuple[type, ...], caller: str) -> tokens.Token:
        """Builds nodes onto the current stack up to a token of one of the `ends` types, and returns that token."""
        pending, stack = self._tokens, self._stacks[-1]
        while pending:
            token = pending.pop()
            kind = type(token)
            if kind is tokens.Text:  # most tokens: made here rather than through _handle_token
                stack.append(_text_node(token["text"]))
            elif kind in ends:
                return token
            else:
                stack.append(self._handle_token(token))
        raise ParserError(f"{caller} missed a close token")  # the stock builder's message

    def _template(self) -> Template:
        self._push()
        ends = (tokens.TemplateParamSeparator, tokens.TemplateClose)
        token = self._children_until(ends, "_handle_template()")
        node: Template = _new_object(Template)
        node._name, node._params = self._pop(), []
        default = 1  # the name of the next positional parameter
        while type(token) is tokens.TemplateParamSeparator:
            param, token = self._parameter(default)
            node._params.append(param)
            default += not param._showkey
        return node

    def _parameter(self, default: int) -> tuple[Parameter, tokens.Token]:
        """The parameter and the token that ends it ("|" or "}}")."""
        ends = (tokens.TemplateParamEquals, tokens.TemplateParamSeparator, tokens.TemplateClose)
        key, value, token = self._split_at_last(ends, tokens.TemplateParamEquals, "_handle_parameter()")
        param: Parameter = _new_object(Parameter)
        param._value = value
        param._name = _code([_text_node(str(default))]) if key is None else key
        param._showkey = key is not None
        return param, token

    def _wikilink(self) -> Wikilink:
        ends = (tokens.WikilinkSeparator, tokens.WikilinkClose)
        title, last, _ = self._split_at_last(ends, tokens.WikilinkSeparator, "_handle_wikilink()")
        node: Wikilink = _new_object(Wikilink)
        node._title, node._text = (last, None) if title is None else (title, last)
        return node

    def _split_at_last(
        self, ends: tuple[type[tokens.Token], ...], separator: type[tokens.Token], caller: str
    ) -> tuple[Wikicode | None, Wikicode, tokens.Token]:
        """The children up to the end of a parameter or link, split as the stock handlers split them: what
        came before the last `separator` (None without one), what came after it, and the token that ended."""
        before: Wikicode | None = None
        self._push()
        token = self._children_until(ends, caller)
        while type(token) is separator:
            before = self._pop()
            self._push()
            token = self._children_until(ends, caller)
        return before, self._pop(), token

    def _tag(self, token: tokens.Token) -> Tag:
        """The stock _handle_tag, the Tag made as Tag.__init__ makes it (attributes by the stock handler)."""
        wiki_markup = token.get("wiki_markup")
        node: Tag = _new_object(Tag)
        node._attrs = []
        node._wiki_markup = node._closing_wiki_markup = wiki_markup or None
        node._invalid, node._implicit, node._self_closing = bool(token.get("invalid")), False, False
        contents: Wikicode | None = None
        closing_wiki_markup, separator, padding = wiki_markup, None, None
        ends = (tokens.TagAttrStart, tokens.TagCloseOpen, tokens.TagOpenClose, *_TAG_CLOSE)
        self._push()
        while True:
            token = self._children_until(ends, "_handle_tag()")
            kind = type(token)
            if kind is tokens.TagAttrStart:
                node._attrs.append(self._handle_attribute(token))
            elif kind is tokens.TagCloseOpen:
                separator, padding = token.get("wiki_markup"), token.get("padding")
                node._tag = self._pop()
                self._push()
            elif kind is tokens.TagOpenClose:
                closing_wiki_markup = token.get("wiki_markup")
                contents = self._pop()
                self._push()
            else:
                break
        if kind is tokens.TagCloseSelfclose:
            closing_wiki_markup, padding = token.get("wiki_markup"), token.get("padding")
            node._tag = node._closing_tag = self._pop()
            node._self_closing, node._implicit = True, bool(token.get("implicit"))
        else:
            node._closing_tag = self._pop()
        node._contents = _code([]) if contents is None else contents
        node._padding = padding or ""
        node._wiki_style_separator = separator or None
        if closing_wiki_markup is not None:  # Tag.__init__ keeps the opening markup for a None
            node._closing_wiki_markup = closing_wiki_markup or None
        return node


_TAG_CLOSE = (tokens.TagCloseSelfclose, tokens.TagCloseClose)


class _Parser(Parser):  # type: ignore[misc]
    """mwparserfromhell's parser (its tokenizer) with the faster _TreeBuilder."""

    def __init__(self) -> None:
        super().__init__()
        self._builder = _TreeBuilder()


def parse(source: str) -> Wikicode:
    """The page's tree, as mwparserfromhell.parse(source) gives it."""
    return _Parser().parse(source)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- rendering


_NAMESPACES_DROPPED = frozenset({"file", "image", "category", "media"})
_INTERWIKI = re.compile(r"^[a-z]{2,3}(-[a-z]+)?:")
_MAGIC_WORD = re.compile(r"__[A-Z]+__")
_DROPPED_TAGS = frozenset(
    {
        "ref",
        "references",
        "gallery",
        "math",
        "chem",
        "score",
        "timeline",
        "graph",
        "templatedata",
        "templatestyles",
        "imagemap",
        "mapframe",
        "maplink",
        "includeonly",
        "noinclude",
        "syntaxhighlight",
        "source",
        "style",
        "script",
        "indicator",
        "section",
    }
)
_BLOCK_TAGS = frozenset({"p", "div", "blockquote", "pre", "poem", "center", "table", "tr", "caption", "ul", "ol", "dl"})
_BREAK_TAGS = frozenset({"br", "hr", "li", "dt", "dd"})

LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "grc": "Ancient Greek",
    "he": "Hebrew",
    "hu": "Hungarian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "la": "Latin",
    "mn": "Mongolian",
    "nl": "Dutch",
    "ota": "Ottoman Turkish",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
    "zh-hans": "Simplified Chinese",
    "zh-hant": "Traditional Chinese",
}

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBERS = {name.casefold(): i for i, name in enumerate(MONTHS, start=1)} | {
    name[:3].casefold(): i for i, name in enumerate(MONTHS, start=1)
}

_TRUE = frozenset({"y", "yes", "1", "true", "on"})


def template_name(template: Template) -> str:
    """Canonical template name: lower case, spaces for underscores, no "Template:" prefix, no comments."""
    name = "".join(str(n) for n in template.name.nodes if not isinstance(n, Comment))
    name = " ".join(name.replace("_", " ").split()).casefold()
    return name.removeprefix("template:").strip()


def strip_code(code: Wikicode) -> str:
    """code.strip_code(): for code that is only text (most link targets and parameter names) without calling
    each node's __strip__, as it comes to the text with its outer newlines stripped and 3+ newlines made 2."""
    nodes = code.nodes
    texts = [node.value for node in nodes if isinstance(node, Text)]
    if len(texts) < len(nodes):
        return str(code.strip_code())
    text = "".join(texts).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def _no_magic_words(text: str) -> str:
    return _MAGIC_WORD.sub("", text) if "__" in text else text  # the test spares a regex call for most texts


def positional(template: Template) -> list[Wikicode]:
    return [param.value for param in template.params if not param.showkey]


def named(template: Template, *names: str) -> Wikicode | None:
    """The value of the first of `names` the template has, as template.get gives it (its last parameter of
    that name); the parameters' names are turned into text once, not once for has() and again for get()."""
    keys = [str(param.name).strip() for param in template.params]
    for name in names:
        wanted = name.strip()
        for key, param in zip(reversed(keys), reversed(template.params), strict=True):
            if key == wanted:
                return param.value
    return None


def _flag_true(template: Template, *names: str) -> bool:
    value = named(template, *names)
    return value is not None and strip_code(value).strip().casefold() in _TRUE


def format_date(year: str, month: str = "", day: str = "", *, day_first: bool) -> str | None:
    """The date as "1918", "March 1918", "3 March 1918" or "March 3, 1918"; None if the parts are not a date."""
    year, month, day = year.strip(), month.strip(), day.strip()
    if not _YEAR_DIGITS.fullmatch(year):
        return None
    if not month:
        return year
    number = int(month) if month.isdigit() else _MONTH_NUMBERS.get(month.casefold(), 0)
    if not 1 <= number <= 12:
        return None
    name = MONTHS[number - 1]
    if not day:
        return f"{name} {year}"
    if not day.isdigit() or not 1 <= int(day) <= 31:
        return None
    return f"{int(day)} {name} {year}" if day_first else f"{name} {int(day)}, {year}"


_YEAR_DIGITS = re.compile(r"\d{1,4}")
_ISO_DATE = re.compile(r"(\d{1,4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def _literal(text: str) -> Callable[[Template, TextBuffer], None]:
    def write(_template: Template, out: TextBuffer) -> None:
        out.write(text)

    return write


class WikiRenderer:
    """Renders mwparserfromhell nodes to plain text. Templates are handled by name (see TEMPLATES)."""

    def __init__(self) -> None:
        self.templates: dict[str, Callable[[Template, TextBuffer], None]] = self._template_table()

    # -- nodes

    def nodes(self, nodes: Iterable[Node], out: TextBuffer) -> None:
        for node in nodes:
            self.node(node, out)

    def code(self, code: Wikicode | None, out: TextBuffer) -> None:
        if code is not None:
            self.nodes(code.nodes, out)

    def plain(self, code: Wikicode | None) -> str:
        out = TextBuffer()
        self.code(code, out)
        return " ".join(out.text().split())

    def node(self, node: Node, out: TextBuffer) -> None:
        if isinstance(node, Text):
            out.write(_no_magic_words(node.value))
        elif isinstance(node, Wikilink):
            self.wikilink(node, out)
        elif isinstance(node, Template):
            self.template(node, out)
        elif isinstance(node, Tag):
            self.tag(node, out)
        elif isinstance(node, HTMLEntity):
            out.write(self._entity(node))
        elif isinstance(node, ExternalLink):
            self.external_link(node, out)
        elif isinstance(node, Heading):
            out.write("\n")
            self.code(node.title, out)
            out.write("\n")
        elif isinstance(node, Argument):
            self.code(node.default, out)
        # Comment and anything else: nothing to show

    @staticmethod
    def _entity(node: HTMLEntity) -> str:
        try:
            return str(node.normalize())
        except (ValueError, OverflowError):
            return str(node)

    def wikilink(self, link: Wikilink, out: TextBuffer) -> None:
        target = " ".join(strip_code(link.title).split())
        shown_colon = target.startswith(":")
        target = target.lstrip(":").strip()
        prefix = target.split(":", 1)[0].strip().casefold() if ":" in target else ""
        if not shown_colon and (prefix in _NAMESPACES_DROPPED or _INTERWIKI.match(target)):
            return
        begin = out.size
        if link.text is not None and str(link.text).strip():
            self.code(link.text, out)
        else:
            out.write(target)
        if target and out.size > begin:
            out.links.append((begin, out.size, target))

    def external_link(self, link: ExternalLink, out: TextBuffer) -> None:
        if link.title is not None and str(link.title).strip():
            self.code(link.title, out)
        elif not link.brackets:
            out.write(str(link.url))

    def tag(self, tag: Tag, out: TextBuffer) -> None:
        name = str(tag.tag).strip().casefold()
        if name in _DROPPED_TAGS:
            return
        if name in _BREAK_TAGS:
            out.write("\n")
        if name in ("nowiki", "pre") and tag.contents is not None:
            out.write(str(tag.contents))
            return
        if name in ("td", "th"):
            out.write(" ")
        block = name in _BLOCK_TAGS
        if block:
            out.write("\n")
        if not tag.self_closing:
            self.code(tag.contents, out)
        if block:
            out.write("\n")

    def template(self, template: Template, out: TextBuffer) -> None:
        name = template_name(template)
        handler = self.templates.get(name)
        if handler is None:
            if name.startswith("lang-"):
                self._lang_named(name[5:], template, out, positional(template)[:1])
            return  # unknown templates (citations, notes, maintenance, coordinates...) show nothing
        handler(template, out)

    # -- templates

    def _template_table(self) -> dict[str, Callable[[Template, TextBuffer], None]]:
        table: dict[str, Callable[[Template, TextBuffer], None]] = {}

        def add(names: str, handler: Callable[[Template, TextBuffer], None]) -> None:
            for name in names.split(","):
                table[name.strip()] = handler

        add("start date, start date and age, end date, end date and age, start-date", self._date_parts)
        add("birth date, death date, birth date and age, death date and age", self._date_parts)
        add("dts, date table sorting", self._dts)
        add("date", self._date_string)
        add("plainlist, plain list, flatlist, flat list", self._list_body)
        add("ubl, unbulleted list, ublist, ulist, bulleted list, blist, bull list", self._list_items)
        add("hlist, collapsible list, enum, ordered list, olist, plainlist items", self._list_items)
        add("flag, flagcountry, flag country, flagu, flagcu, flag+link, flaglink", self._flag)
        add("lang, transl, transliteration, native name, script, nobold, noitalic", self._lang)
        add("langx, lang-x", self._langx)
        add("zh, zh-full", self._zh)
        add("nihongo", self._nihongo)
        add("nowrap, nobr, small, smaller, big, larger, midsize, nobreak, sans-serif, serif, sic", self._first)
        add("abbr, tooltip, ill, interlanguage link, interlanguage link multi, avoid wrap", self._first)
        add("resize", self._last)
        add("convert, cvt", self._convert)
        add("circa, c.", self._circa)
        add("us$, usd", lambda t, o: self._prefix("US$", t, o))
        add("£, gbp", lambda t, o: self._prefix("£", t, o))
        add("as of", self._as_of)
        add("frac, fraction", self._frac)
        literal = {
            "'": "'",
            "snd": " – ",
            "spaced ndash": " – ",
            "spaced en dash": " – ",
            "ndash": "–",
            "nbdash": "–",
            "mdash": "—",
            "nbsp": " ",
            "space": " ",
            "·": " · ",
            "dot": " · ",
            "middot": " · ",
            "bull": " • ",
            "•": " • ",
            "!": "|",
            "=": "=",
            "br": "\n",
            "-": "\n",
        }
        for name, text in literal.items():
            table[name] = _literal(text)
        return table

    def _date_parts(self, template: Template, out: TextBuffer) -> None:
        parts = [self.plain(value) for value in positional(template)][:3]
        day_first = _flag_true(template, "df") and not _flag_true(template, "mf")
        if parts:
            out.write(format_date(*parts, day_first=day_first) or " ".join(p for p in parts if p))

    def _dts(self, template: Template, out: TextBuffer) -> None:
        parts = [self.plain(value) for value in positional(template)]
        fmt = self.plain(named(template, "format")).casefold()
        day_first = fmt == "dmy" or _flag_true(template, "df")
        if len(parts) == 1:
            self._write_date_string(parts[0], out, day_first=day_first)
        elif parts:
            out.write(format_date(*parts[:3], day_first=day_first) or " ".join(p for p in parts[:3] if p))

    def _date_string(self, template: Template, out: TextBuffer) -> None:
        parts = [self.plain(value) for value in positional(template)]
        if parts:
            day_first = len(parts) < 2 or parts[1].casefold() not in ("mdy", "md")
            self._write_date_string(parts[0], out, day_first=day_first)

    @staticmethod
    def _write_date_string(value: str, out: TextBuffer, *, day_first: bool) -> None:
        match = _ISO_DATE.fullmatch(value.strip())
        formatted = format_date(*(g or "" for g in match.groups()), day_first=day_first) if match else None
        out.write(formatted or value)

    def _list_body(self, template: Template, out: TextBuffer) -> None:
        body = named(template, "1")
        out.write("\n")
        self.code(body, out)
        out.write("\n")

    def _list_items(self, template: Template, out: TextBuffer) -> None:
        for value in positional(template):
            out.write("\n")
            self.code(value, out)
        out.write("\n")

    def _flag(self, template: Template, out: TextBuffer) -> None:
        shown = named(template, "name")
        if shown is None:
            values = positional(template)
            shown = values[0] if values else None
        self.code(shown, out)

    def _lang(self, template: Template, out: TextBuffer) -> None:
        values = positional(template)
        if len(values) >= 2:
            self.code(values[1], out)
        elif values:
            self.code(values[0], out)

    def _langx(self, template: Template, out: TextBuffer) -> None:
        values = positional(template)
        if len(values) >= 2:
            self._lang_named(self.plain(values[0]), template, out, values[1:2])

    def _lang_named(self, code: str, template: Template, out: TextBuffer, text: list[Wikicode]) -> None:
        if not text:
            return
        language = LANGUAGES.get(code.strip().casefold())
        if language:
            out.write(f"{language}: ")
        self.code(text[0], out)

    def _zh(self, template: Template, out: TextBuffer) -> None:
        names = {"c": "Chinese", "t": "traditional Chinese", "s": "simplified Chinese", "p": "pinyin"}
        names |= {"w": "Wade–Giles", "j": "Jyutping", "poj": "Pe̍h-ōe-jī"}
        first = True
        for key, label in names.items():
            value = named(template, key)
            if value is not None and strip_code(value).strip():
                out.write(("" if first else "; ") + f"{label}: ")
                self.code(value, out)
                first = False

    def _nihongo(self, template: Template, out: TextBuffer) -> None:
        values = positional(template) + [None, None, None]
        self.code(values[0], out)
        extra = [(label, value) for label, value in (("Japanese", values[1]), ("Hepburn", values[2])) if value]
        extra = [(label, value) for label, value in extra if value is not None and str(value).strip()]
        if extra:
            out.write(" (")
            for i, (label, value) in enumerate(extra):
                out.write(("" if i == 0 else ", ") + f"{label}: ")
                self.code(value, out)
            out.write(")")

    def _first(self, template: Template, out: TextBuffer) -> None:
        values = positional(template)
        if values:
            self.code(values[0], out)

    def _last(self, template: Template, out: TextBuffer) -> None:
        values = positional(template)
        if values:
            self.code(values[-1], out)

    def _convert(self, template: Template, out: TextBuffer) -> None:
        values = [self.plain(value) for value in positional(template)]
        if len(values) >= 4 and values[1] in ("-", "–", "to", "and", "or", "by", "x", "×", "to(-)"):
            out.write(" ".join(values[:4]))
        elif values:
            out.write(" ".join(values[:2]))

    def _circa(self, template: Template, out: TextBuffer) -> None:
        out.write("c. ")
        self._first(template, out)

    def _prefix(self, prefix: str, template: Template, out: TextBuffer) -> None:
        out.write(prefix)
        self._first(template, out)

    def _as_of(self, template: Template, out: TextBuffer) -> None:
        parts = [self.plain(value) for value in positional(template)][:3]
        if parts:
            out.write("As of " + (format_date(*parts, day_first=True) or " ".join(parts)))

    def _frac(self, template: Template, out: TextBuffer) -> None:
        out.write("/".join(self.plain(value) for value in positional(template)[:3]))


# ---------------------------------------------------------------- infobox

# Parameters that name image files or set layout: not text a reader sees.
_HIDDEN_KEY = re.compile(r"^(image|img|map|logo|pushpin|alt|width|upright|size|coordinates|coord|embed)")


def is_infobox(node: Node) -> bool:
    return isinstance(node, Template) and template_name(node).startswith("infobox")


# ---------------------------------------------------------------- body


_BLANK_LINES = re.compile(r"\n[^\S\n]*\n\s*")


@dataclass
class _Body:
    """Splits rendered top-level nodes into blocks (headings, paragraphs, list items)."""

    layout: Layout
    renderer: WikiRenderer
    lines: LineIndex
    out: TextBuffer = field(default_factory=TextBuffer)
    start: tuple[int, int] | None = None
    skip_level: int | None = None

    def flush(self) -> None:
        self.layout.add_block(self.out.rendered(), self.start)
        self.out = TextBuffer()
        self.start = None

    def mark(self, source_offset: int) -> None:
        where = self.lines(source_offset)
        if self.start is None:
            self.start = where
        self.out.marks.append((self.out.size, *where))

    def heading(self, heading: Heading, offset: int) -> None:
        title = self.renderer.plain(heading.title)
        if self.skip_level is not None and heading.level > self.skip_level:
            return
        self.skip_level = heading.level if is_dropped_section(title) else None
        if self.skip_level is None:
            self.flush()
            self.mark(offset)
            self.out.write(title)
            self.flush()

    def text(self, text: str, offset: int) -> None:
        pos = 0
        for gap in _BLANK_LINES.finditer(text):
            self.add_text(text[pos : gap.start()], offset + pos)
            self.flush()
            pos = gap.end()
        self.add_text(text[pos:], offset + pos)

    def add_text(self, text: str, offset: int) -> None:
        if not text.strip():
            self.out.write(text)
            return
        indent = len(text) - len(text.lstrip())
        self.out.write(text[:indent])
        self.mark(offset + indent)
        self.out.write(_no_magic_words(text[indent:]))

    def node(self, node: Node, offset: int) -> None:
        if isinstance(node, Heading):
            self.heading(node, offset)
            return
        if self.skip_level is not None:
            return
        if isinstance(node, Text):
            self.text(node.value, offset)
            return
        name = str(node.tag).casefold() if isinstance(node, Tag) else ""
        if name in _BLOCK_TAGS or name in _BREAK_TAGS:
            self.flush()
        self.mark(offset)
        self.renderer.node(node, self.out)
        if name in _BLOCK_TAGS:
            self.flush()


def _with_offsets(code: Wikicode, source: str) -> Iterable[tuple[Node, int, tuple[str, list[str]] | None]]:
    """Top-level nodes with their offsets in the source (str(code) is the source, node by node), and for an
    infobox its source text and its parameters' (the infobox is turned back into text once, not twice)."""
    offset = 0
    for node in code.nodes:
        infobox = None
        if isinstance(node, Text):
            length = len(node.value)
        elif is_infobox(node):
            assert isinstance(node, Template)
            params = [str(param) for param in node.params]
            infobox = (_template_text(node, params, source, offset), params)
            length = len(infobox[0])
        else:
            length = len(str(node))
        yield node, offset, infobox
        offset += length


def _template_text(template: Template, params: list[str], source: str, offset: int) -> str:
    """str(template), put together from its parameters' texts as mwparserfromhell does; str(template) itself
    should the source not hold that text at the template's offset."""
    text = "{{" + str(template.name) + "".join("|" + param for param in params) + "}}"
    return text if source.startswith(text, offset) else str(template)


def _first_bold(code: Wikicode, renderer: WikiRenderer) -> str | None:
    for node in code.nodes:
        if isinstance(node, Heading):
            return None
        if isinstance(node, Tag) and str(node.tag).casefold() == "b":
            text = renderer.plain(node.contents)
            if text:
                return text
    return None


def _add_infobox(
    layout: Layout, template: Template, texts: tuple[str, list[str]], offset: int, lines: LineIndex
) -> None:
    """`texts` are the template's source text (which starts at `offset` in the page's) and its parameters'."""
    source, params = texts
    renderer = _RENDERER
    cursor = 0
    for param, raw in zip(template.params, params, strict=True):
        found = source.find(raw, cursor)
        where_offset = offset + (found if found >= 0 else cursor)
        cursor = found + len(raw) if found >= 0 else cursor
        if not param.showkey:
            continue
        key = normalise_key(strip_code(param.name) or str(param.name))
        if not key or _HIDDEN_KEY.match(key):
            continue
        out = TextBuffer()
        renderer.code(param.value, out)
        layout.add_field(key, label_for(key), out.rendered(), lines(where_offset))


_BRACES = re.compile(r"\{\{|\}\}")
_RENDERER = WikiRenderer()  # it keeps no state between calls: one for every page


def read_wikitext(source: str, limits: IngestLimits) -> Layout:
    deepest = check_markup_budget(source, limits.max_template_depth)
    try:
        code = parse(source)
    except ParserError as err:
        raise Unreadable(f"wikitext parser failed: {err}") from None
    renderer = _RENDERER
    lines = LineIndex(source)
    layout = Layout()
    nodes = list(_with_offsets(code, source))
    infoboxes = [(node, offset, texts) for node, offset, texts in nodes if texts is not None]
    title = None
    if infoboxes:
        assert isinstance(infoboxes[0][0], Template)
        title = renderer.plain(named(infoboxes[0][0], "name")) or None
    title = title or _first_bold(code, renderer)
    if title:
        layout.add_title(title, lines(infoboxes[0][1]) if infoboxes else None)
    for template, offset, texts in infoboxes:
        assert isinstance(template, Template) and texts is not None
        _add_infobox(layout, template, texts, offset, lines)
    body = _Body(layout, renderer, lines)
    for node, offset, infobox in nodes:
        if infobox is None:
            body.node(node, offset)
    body.flush()
    if deepest > PARSER_TEMPLATE_DEPTH:
        layout.problems.append(
            f"templates nested {deepest} deep: the parser reads {PARSER_TEMPLATE_DEPTH} levels, "
            "deeper ones show as text"
        )
    unclosed = _unclosed_template(source)
    if unclosed is not None:
        line, _ = lines(unclosed)
        layout.problems.append(f"line {line}: a template opened with '{{{{' is never closed; it was read as text")
    if not layout.has_body and not layout.fields:
        raise Unreadable("no article text in the wikitext (only markup)")
    return layout


def _unclosed_template(source: str) -> int | None:
    """Offset of the first "{{" that no "}}" closes (mwparserfromhell then leaves it as text), else None."""
    opened: list[int] = []
    for match in _BRACES.finditer(source):
        if match.group() == "{{":
            opened.append(match.start())
        elif opened:
            opened.pop()
    return opened[0] if opened else None
