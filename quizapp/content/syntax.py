"""Provides the markdown block structure a deck is read from, and the small text rules of the format.

markdown-it gives the block tokens (headings, paragraphs, lists, fences, with 0-based line maps);
``blocks()`` turns them into a flat list of ``Block``s with 1-based source lines. The helpers below
recognise the format's line-level syntax: labels, explicit ids, ``Q:``/``A:``/``Why:`` prefixes,
``Question :: Answer`` lines, task-list markers and cloze deletions.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from quizapp.content.mathtext import render_text

__all__ = [
    "PHRASES",
    "Block",
    "Cloze",
    "Item",
    "Label",
    "blocks",
    "flow",
    "is_formula_line",
    "label_of_heading",
    "label_of_paragraph",
    "parse_cloze",
    "split_double_colon",
    "take_id",
]


@dataclass(frozen=True)
class Item:
    """One list item: its text (paragraphs joined), source line, task mark and nested blocks."""

    text: str
    line: int
    task: bool | None = None  # None: no [ ]/[x] marker; True: [x]; False: [ ]
    children: tuple[Block, ...] = ()

    @property
    def sublists(self) -> list[Block]:
        return [b for b in self.children if b.kind == "list"]


@dataclass(frozen=True)
class Block:
    """A block of the deck: heading, paragraph, list, fence or other, with its 1-based first line."""

    kind: str  # "heading" | "paragraph" | "list" | "fence" | "other"
    line: int
    text: str = ""  # heading/paragraph inline source, fence body
    level: int = 0  # heading level
    info: str = ""  # fence info string
    items: tuple[Item, ...] = ()
    ordered: bool = False
    start: int = 1  # first number of an ordered list


_TASK_RE = re.compile(r"^\[([ xX])\]\s+")


def blocks(tokens: list, line_offset: int = 0) -> list[Block]:
    """Flatten markdown-it block tokens into Blocks (blockquote contents are read as if unquoted)."""
    out, _ = _read(tokens, 0, None, line_offset)
    return out


def _line(token, offset: int) -> int:
    return (token.map[0] if token.map else 0) + 1 + offset


def _read(tokens: list, i: int, close: str | None, offset: int) -> tuple[list[Block], int]:
    """Blocks from ``tokens[i:]`` up to the token type ``close``; returns them and the index after it."""
    out: list[Block] = []
    n = len(tokens)
    while i < n:
        t = tokens[i]
        tt = t.type
        if close is not None and tt == close:
            return out, i + 1
        if tt == "heading_open":
            inline = tokens[i + 1] if i + 1 < n else None
            text = inline.content if inline is not None and inline.type == "inline" else ""
            out.append(Block("heading", _line(t, offset), text=text, level=int(t.tag[1:] or 1)))
            i += 3
        elif tt == "paragraph_open":
            inline = tokens[i + 1] if i + 1 < n else None
            text = inline.content if inline is not None and inline.type == "inline" else ""
            out.append(Block("paragraph", _line(t, offset), text=text))
            i += 3
        elif tt in ("bullet_list_open", "ordered_list_open"):
            line, ordered = _line(t, offset), tt == "ordered_list_open"
            start = t.attrs.get("start") if t.attrs else None
            first = int(start) if isinstance(start, (int, str)) and str(start).isdigit() else 1
            items: list[Item] = []
            i += 1
            while i < n and tokens[i].type == "list_item_open":
                item_line = _line(tokens[i], offset)
                children, i = _read(tokens, i + 1, "list_item_close", offset)
                texts = []
                while children and children[0].kind == "paragraph":  # the item's leading paragraphs
                    texts.append(children.pop(0).text)
                text = "\n\n".join(texts)
                task = None
                m = _TASK_RE.match(text)
                if m:
                    task = m.group(1) in "xX"
                    text = text[m.end() :]
                items.append(Item(text, item_line, task, tuple(children)))
            i += 1  # the list's closing token
            out.append(Block("list", line, items=tuple(items), ordered=ordered, start=first))
        elif tt == "blockquote_open":
            inner, i = _read(tokens, i + 1, "blockquote_close", offset)
            out.extend(inner)
        elif tt in ("fence", "code_block"):
            out.append(Block("fence", _line(t, offset), text=t.content, info=(t.info or "").strip() if tt == "fence" else ""))
            i += 1
        elif tt.endswith("_open"):
            # tables and other containers: skip to the matching close; they make no cards
            close_type, depth, start = tt[: -len("_open")] + "_close", 1, t
            i += 1
            while i < n and depth:
                if tokens[i].type == tt:
                    depth += 1
                elif tokens[i].type == close_type:
                    depth -= 1
                i += 1
            out.append(Block("other", _line(start, offset)))
        else:
            if tt == "hr":
                out.append(Block("other", _line(t, offset)))
            i += 1  # html blocks, link reference definitions, stray closers: nothing to read
    return out, i


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """A notes label: its text as written, what it asks for ("list" or "formula") and its phrase key."""

    text: str
    kind: str  # "list" | "formula"
    key: str | None  # a known label's phrase key; None for an unknown (bold) label
    exact: bool = True  # False when only the label's first words matched ("Differences between ...")


_LIST_LABELS = {
    "advantages": "advantages", "pros": "advantages", "benefits": "advantages", "strengths": "advantages",
    "преимущества": "advantages", "плюсы": "advantages", "достоинства": "advantages",
    "disadvantages": "disadvantages", "cons": "disadvantages", "drawbacks": "disadvantages",
    "limitations": "disadvantages", "weaknesses": "disadvantages",
    "недостатки": "disadvantages", "минусы": "disadvantages", "ограничения": "disadvantages",
    "use": "use", "usage": "use", "uses": "use", "when to use": "use", "use cases": "use", "applications": "use",
    "использование": "use", "применение": "use", "когда использовать": "use",
    "key ideas": "ideas", "main ideas": "ideas", "основные идеи": "ideas", "ключевые идеи": "ideas",
    "how it works": "how", "принцип работы": "how", "как это работает": "how",
    "differences": "differences", "отличия": "differences", "различия": "differences",
    "example": "example", "examples": "example", "пример": "example", "примеры": "example",
}
_FORMULA_LABELS = {
    "formula", "formulas", "formulae", "the formula", "math", "mathematical formula", "equations",
    "формула", "формулы", "математическая формула", "математика",
}
# Longest first, so "when to use" wins over "use" in a prefix match.
_PREFIXES = sorted([*_LIST_LABELS, *_FORMULA_LABELS], key=len, reverse=True)

LEGACY_PHRASES = {
    "definition": "What is {subject}?",
    "formula": "Formula: {subject}?",
}
"""The English questions of the first releases: automatic card ids hash these, so rewording a
generated question (an article, a list label turned into a question) keeps each card's progress."""

PHRASES = {
    "en": {
        "advantages": "name the advantages.",
        "disadvantages": "name the disadvantages.",
        "use": "when is it used?",
        "ideas": "name the key ideas.",
        "how": "how does it work?",
        "differences": "what are the differences?",
        "example": "give an example.",
        "definition": "What is {subject}?",
        "formula": "Write the formula for {subject}.",
        "list": "what are the {label}?",
    },
    "ru": {
        "advantages": "назовите преимущества.",
        "disadvantages": "назовите недостатки.",
        "use": "когда применяется?",
        "ideas": "назовите основные идеи.",
        "how": "как это работает?",
        "differences": "в чём отличия?",
        "example": "приведите пример.",
        "definition": "Что такое {subject}?",
        "formula": "Формула: {subject}?",
    },
}


def _key(text: str) -> str:
    return " ".join(render_text(text).strip().rstrip(":：").strip().casefold().split())


@lru_cache(maxsize=4096)
def label_of_heading(text: str) -> Label | None:
    """``### **Преимущества**``, ``## Advantages:``, ``### Formula`` -> a Label; other headings -> None."""
    key = _key(text)
    shown = render_text(text).strip().rstrip(":：").strip()
    if key in _FORMULA_LABELS:
        return Label(shown, "formula", "formula")
    if key in _LIST_LABELS:
        return Label(shown, "list", _LIST_LABELS[key])
    for prefix in _PREFIXES:
        if key.startswith(prefix + " "):
            if prefix in _FORMULA_LABELS:
                return Label(shown, "formula", "formula", exact=False)
            return Label(shown, "list", _LIST_LABELS[prefix], exact=False)
    return None


# A label is at most 100 characters, and the spaces around it are taken whole (*+, never given back):
# otherwise a line of '**' and 100,000 spaces is split every possible way before it fails (hours).
_BOLD_LINE_RE = re.compile(r"^\s*+(\*\*|__)(?P<label>[^*_\n]{1,100}?)\s*+[:：]?\s*+\1\s*+[:：]?\s*+$")
_BOLD_LEAD_RE = re.compile(
    r"^\s*+(\*\*|__)(?P<label>[^*_\n]{1,100}?)\s*+(?P<colon>[:：]?)\s*+\1\s*+(?P<colon2>[:：]?)\s*+(?P<rest>\S.*)$"
)
_PLAIN_LINE_RE = re.compile(r"^\s*+(?P<label>[^\W\d][\w \-]{0,40}?)\s*+[:：]\s*+$")


def label_of_paragraph(first_line: str) -> tuple[Label, str] | None:
    """A label opening a paragraph or list item: (label, text after it on the same line) or None.

    ``**Formula:**``, ``**Математическая формула**:`` and ``Pros:`` on a line of their own; a known
    label leading a line (``**Pros:** fast, simple``) with its rest. Unknown bold labels count only on
    a line of their own (the caller decides whether a list follows).
    """
    m = _BOLD_LINE_RE.match(first_line)
    if m:
        label = m.group("label").strip()
        known = label_of_heading(label)
        if known is not None:
            return known, ""
        return Label(label, "list", None), ""
    m = _PLAIN_LINE_RE.match(first_line)
    if m:
        known = label_of_heading(m.group("label"))
        if known is not None and known.exact:
            return known, ""
        return None
    m = _BOLD_LEAD_RE.match(first_line)
    if m and (m.group("colon") or m.group("colon2")):
        known = label_of_heading(m.group("label"))
        if known is not None and known.exact:
            return known, m.group("rest")
    return None


# ---------------------------------------------------------------------------------------------
# Line rules
# ---------------------------------------------------------------------------------------------

_ID_RE = re.compile(r"\{#([A-Za-z0-9][\w.:/-]*)\}")


def take_id(line: str) -> tuple[str, str | None]:
    """``What is stride? {#conv-stride}`` -> (``What is stride?``, ``conv-stride``).

    Only the last ``{#`` can open an id that ends the line, so it is found with rfind: a regex search
    for it, tried at every position of a long run of spaces, costs time quadratic in the line.
    """
    end = line.rstrip()
    start = end.rfind("{#")
    m = _ID_RE.fullmatch(end, start) if start != -1 else None
    if m is None:
        return line, None
    return end[:start].rstrip(), m.group(1)


_FORMULA_LINE_RE = re.compile(r"^\s*\$\$?[^$].*\$\s*[.:]?\s*$")


def is_formula_line(line: str) -> bool:
    """A line that is one formula standing alone: ``$y = Wx + b$`` (a final '.' or ':' allowed, not ',')."""
    s = line.strip()
    if not _FORMULA_LINE_RE.match(s):
        return False
    core = s.rstrip(".: ")
    if core.startswith("$$"):
        return core.endswith("$$") and "$" not in core[2:-2]
    return core.count("$") == 2


def flow(raw: str) -> str:
    """Join soft-wrapped lines with spaces; keep the break after ':' and around lines that state a formula.

    A formula standing alone on its line keeps its line; so does a line starting with ``$`` after a
    finished sentence. A formula that continues a sentence is joined like prose.
    """
    lines = raw.split("\n")
    out = [lines[0].strip()]
    for prev_raw, line in itertools.pairwise(lines):
        prev, text = prev_raw.rstrip(), line.strip()
        if not text:
            out.append("\n")
            continue
        ends = prev.endswith((".", ":", ";", "!", "?", "$"))  # mid-sentence lines join even before a formula
        keep = (
            is_formula_line(text)
            or is_formula_line(prev)
            or (text.startswith("$") and ends)
            or (prev.strip().startswith("$") and ends)
            or prev.endswith((":", "\\"))
            or prev_raw.endswith("  ")  # a markdown hard break
            or text.startswith(("- ", "• "))
        )
        out.append(("\n" if keep else " ") + text)
    return "".join(out)


def _protected_spans(line: str) -> list[tuple[int, int]]:
    """Spans of ``$...$`` and backtick code in a line, where ``::`` and markers do not count."""
    spans = []
    for m in re.finditer(r"`+[^`]*`+|\$\$.*?\$\$|\$[^$]+\$", line):
        spans.append(m.span())
    return spans


def split_double_colon(line: str) -> tuple[str, str] | None:
    """``Question :: Answer`` -> (question, answer) when ``::`` stands outside math and code."""
    if "::" not in line or "{{c" in line:
        return None
    spans = _protected_spans(line)
    start = 0
    while True:
        k = line.find("::", start)
        if k == -1:
            return None
        if not any(a <= k < b for a, b in spans):
            return line[:k].strip(), line[k + 2 :].strip()
        start = k + 2


# ---------------------------------------------------------------------------------------------
# Cloze
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cloze:
    """One deletion ``{{cN::hidden::hint}}`` at [start, end) of the paragraph text."""

    number: int
    hidden: str
    hint: str
    start: int
    end: int


_CLOZE_OPEN_RE = re.compile(r"\{\{c(\d+)::")


def parse_cloze(text: str) -> tuple[list[Cloze], str | None]:
    """All deletions of a paragraph, or an error message (an unclosed ``{{c1::``)."""
    found: list[Cloze] = []
    pos = 0
    while True:
        m = _CLOZE_OPEN_RE.search(text, pos)
        if not m:
            return found, None
        i, n = m.end(), len(text)
        in_math = False
        body_end = -1
        while i < n:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "$":
                in_math = not in_math
            elif not in_math and text.startswith("}}", i):
                body_end = i
                break
            i += 1
        if body_end == -1:
            return found, f"cloze deletion '{m.group(0)}' is not closed with '}}}}'"
        body = text[m.end() : body_end]
        hidden, hint = body, ""
        split = _top_level_double_colon(body)
        if split is not None:
            hidden, hint = body[:split], body[split + 2 :]
        found.append(Cloze(int(m.group(1)), hidden.strip(), hint.strip(), m.start(), body_end + 2))
        pos = body_end + 2


def _top_level_double_colon(body: str) -> int | None:
    in_math = False
    i = 0
    while i < len(body) - 1:
        c = body[i]
        if c == "\\":
            i += 2
            continue
        if c == "$":
            in_math = not in_math
        elif not in_math and body.startswith("::", i):
            return i
        i += 1
    return None
