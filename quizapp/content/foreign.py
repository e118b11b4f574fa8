"""Provides decks written for other tools, read into quizapp's own Deck: Obsidian Spaced Repetition notes,
hashcards / repeater files, Anki's text export and Anki packages (.apkg).

Everything read here is untrusted. Text files are held to the limits of quizapp's own decks (the
loader reads at most MAX_DECK_BYTES, cards at most MAX_CARD_TEXT characters, MAX_CLOZE_CARDS cloze
numbers a paragraph). A package is checked before anything in it is read: at most MAX_PACKAGE_BYTES
on disk, its collection at most MAX_COLLECTION_BYTES once uncompressed (counted while inflating, so
a zip that lies about its sizes, or a zstd bomb, is stopped too), at most MAX_IMPORTED_NOTES notes. The collection is
copied to a temporary folder and opened read-only by SQLite; media are never unpacked, only counted.
A problem is a ``file:line: message`` (for a package the "line" is the note's number in it) and the
rest of the file still loads.

- **Obsidian Spaced Repetition** (a note tagged ``#flashcards``, or ``#flashcards/sub/deck``):
  ``Question::Answer``; ``Question:::Answer`` (a card each way); multi-line cards whose question and
  answer are split by a line holding ``?`` (``??``: each way), ending at a blank line; cloze
  deletions ``==hidden==`` and ``{{hidden}}``, each deletion a card. The sub-deck of the last
  flashcards tag is the topic (``#flashcards/ml/cnn``: "ml / cnn"; in a note without one, the
  heading); ``<!--SR:...-->`` scheduling comments are dropped.
- **hashcards / repeater**: ``Q:`` / ``A:`` blocks and ``C:`` cloze cards whose deletions are in
  ``[brackets]``, each deletion a card; a field runs on over following lines until a blank line.
  ``#`` headings are topics.
- **Anki's text export**: header lines (``#separator:``, ``#html:``, ``#notetype:``, ``#deck:``,
  ``#tags:``, ``#notetype column:``, ``#deck column:``, ``#tags column:``, ``#guid column:``, ...)
  then one note a line; Basic-like notes (front, back; "reversed" in the note type adds the other
  way) and Cloze notes (``{{c1::...}}``). The last part of the Anki deck name is the topic.
- **Anki packages** (``.apkg`` decks and ``.colpkg`` collections): Basic and Cloze notes the same way
  (cloze by the note type's kind), and quizapp's own multiple-choice note type back as multiple choice.
  The ``meta`` entry names the collection to read, as Anki reads it: ``collection.anki21b`` (zstd,
  Anki's newest format; the ``collection.anki2`` beside it is a stand-in asking to update Anki),
  ``collection.anki21`` or ``collection.anki2``; an unknown version is reported.

Anki's fields are HTML: reduced to text (line breaks kept, tags dropped, entities decoded, images and
``[sound:...]`` left out and counted), MathJax ``\\(...\\)`` and ``\\[...\\]`` rendered as quizapp renders
``$...$``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from quizapp.content.bounds import MAX_CARD_TEXT, MAX_OPTIONS
from quizapp.content.model import CardKind, ContentProblem, Deck, SourceRef

if TYPE_CHECKING:
    import sqlite3

# Only the readers of Anki's formats import csv, html.parser, sqlite3 and zipfile: the loader asks
# every deck for its dialect, and the first question of a session waits for nothing it does not use.

__all__ = [
    "MAX_COLLECTION_BYTES",
    "MAX_IMPORTED_NOTES",
    "MAX_PACKAGE_BYTES",
    "dialect",
    "parse_foreign",
    "read_apkg",
]

MAX_PACKAGE_BYTES = 256 * 1024 * 1024
"""An .apkg larger than this on disk is refused (its media are never read, but the file is opened)."""
MAX_COLLECTION_BYTES = 64 * 1024 * 1024
"""The uncompressed collection inside an .apkg: some 100,000 plain notes; a zip bomb stops here."""
MAX_IMPORTED_NOTES = 50_000
"""Notes read from one package; the rest are reported as left out."""

_ANKI_HEADER = re.compile(
    r"#(separator|html|tags|columns|notetype|deck|guid|if matches|notetype column|deck column|tags column|guid column):(.*)$"
)
_OBSIDIAN_TAG = re.compile(r"(?<![\w#/])#(flashcards(?:/[\w\-/]+)?)(?![\w\-])")
# Patterns are bounded (no unbounded lazy runs across a line) so a hostile 2 MB line costs linear time.
_DRILL_BLOCK = re.compile(r"^```drill[ \t]*$", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n((?:[^\n]*\n){0,200}?)---[ \t]*$", re.MULTILINE)
_SR_COMMENT = re.compile(r"<!--SR:[^<>\n]{0,1000}-->")


def dialect(text: str) -> str | None:
    """Which tool's deck ``text`` is: "anki-text", "obsidian" or "hashcards"; None for quizapp's own markdown.

    In order: Anki's text export starts with its header lines; a drill block is quizapp's alone; a note
    tagged for Obsidian Spaced Repetition as a tag (``flashcards`` among its front matter's tags, or a
    line of only tags with ``#flashcards``) is Obsidian's whatever else its front matter says; front
    matter of quizapp's keys alone with ``id:`` or ``language:`` is quizapp's (so a deck that mentions
    ``#flashcards`` in a sentence stays ours); then any ``#flashcards`` tag is Obsidian's; a hashcards
    file has ``C:`` cloze lines with ``[deletions]`` (its ``Q:``/``A:`` blocks are quizapp's own syntax
    too, so a file of only those is read as quizapp's).
    """
    first = next((line.strip() for line in text.split("\n") if line.strip()), "")
    if _ANKI_HEADER.match(first):
        return "anki-text"
    if _DRILL_BLOCK.search(text):
        return None
    keys, tags = _front_matter_keys(text)
    if any(_OBSIDIAN_TAG.fullmatch("#" + tag) for tag in tags) or _has_tag_line(text):
        return "obsidian"
    from quizapp.content.loader import FRONT_MATTER_KEYS

    if keys & {"id", "language"} and keys <= set(FRONT_MATTER_KEYS):
        return None  # quizapp's front matter: a deck that mentions #flashcards in its prose stays ours
    if _OBSIDIAN_TAG.search(_SR_COMMENT.sub("", text)):
        return "obsidian"
    if re.search(r"^C:[ \t][^\[\n]*\[[^\[\]\n]+\]", text, re.MULTILINE):
        return "hashcards"
    return None


def _front_matter_keys(text: str) -> tuple[set[str], list[str]]:
    """(the top-level keys of ``text``'s front matter, its ``tags:``), read by line shape, not by YAML:
    ``tags: [a, b]``, ``tags: a b`` and a ``- a`` list under ``tags:`` all give their tags."""
    m = _FRONT_MATTER.match(text)
    if m is None:
        return set(), []
    keys: set[str] = set()
    tags: list[str] = []
    key = ""
    for line in m.group(1).split("\n"):
        top = re.match(r"([A-Za-z_][\w\-]*)[ \t]*:(.*)", line)
        if top:
            key = top.group(1).casefold()
            keys.add(key)
            value = top.group(2)
        elif line.lstrip().startswith("- "):
            value = line.lstrip()[2:]
        else:
            continue
        if key in ("tags", "tag"):
            tags += [t.lstrip("#") for t in re.split(r"[\s,\[\]'\"]+", value) if t.strip("#")]
    return keys, tags


def _has_tag_line(text: str) -> bool:
    """Whether a line holds only tags, one of them ``#flashcards`` (or a sub-deck of it), as Obsidian notes
    are tagged; a sentence that mentions the tag is not one."""
    if "#flashcards" not in text:
        return False
    for line in text.split("\n"):
        if "#flashcards" in line and _OBSIDIAN_TAG.search(line) and all(re.fullmatch(r"#[^\s#]+", w) for w in line.split()):
            return True
    return False


class _Builder:
    """Cards and problems gathered from one file, made into a Deck with quizapp's ids."""

    def __init__(self, path: Path, title: str) -> None:
        self.path = path
        self.src = str(path)
        self.title = title
        self.drafts: list = []
        self.problems: list[ContentProblem] = []

    def problem(self, line: int, message: str, severity: str = "error") -> None:
        self.problems.append(ContentProblem(SourceRef(self.src, line), message, severity))

    def card(self, topic: str, question: str, answer: str, line: int, tags: tuple[str, ...] = ()) -> None:
        """A front/back card; one side empty or over MAX_CARD_TEXT characters is a problem."""
        from quizapp.content.notes import Draft

        if not question.strip() or not answer.strip():
            self.problem(line, "a card needs a question and an answer: one side is empty")
            return
        if max(len(question), len(answer)) > MAX_CARD_TEXT:
            self.problem(line, f"card of more than {MAX_CARD_TEXT:,} characters (split it)")
            return
        self.drafts.append((Draft(CardKind.QA, topic, question, answer, line), tags))

    def choice(self, topic: str, question: str, options: list[str], correct: int, line: int, note: str = "", tags: tuple[str, ...] = ()) -> None:
        """A multiple-choice card: ``options`` with the ``correct`` one (0-based)."""
        from quizapp.content.notes import Draft

        if not question.strip() or len(options) < 2 or len(options) > MAX_OPTIONS or not 0 <= correct < len(options):
            self.problem(line, f"a multiple-choice note needs a question, 2 to {MAX_OPTIONS} options and a right one among them")
            return
        if max(len(question), len(note), sum(map(len, options))) > MAX_CARD_TEXT:
            self.problem(line, f"card of more than {MAX_CARD_TEXT:,} characters (split it)")
            return
        draft = Draft(CardKind.MCQ, topic, question, options[correct], line, options=tuple(options), correct=correct, note=note)
        self.drafts.append((draft, tags))

    def cloze(self, topic: str, text: str, line: int, note: str = "", tags: tuple[str, ...] = ()) -> None:
        """A paragraph in quizapp's cloze syntax (``{{cN::...}}``): a card per cloze number."""
        from quizapp.content.notes import Draft, split_cloze

        cards, error = split_cloze(text)
        if error is not None:
            self.problem(line, error)
            return
        if not cards:
            self.problem(line, "a cloze card with no deletion")
        for number, question, answer, offset, whole in cards:
            if not answer.strip():
                self.problem(line + offset, f"cloze deletion c{number} hides nothing")
                continue
            self.drafts.append((Draft(CardKind.CLOZE, topic, question, answer, line + offset, note=note, cloze=whole), tags))

    def deck(self) -> Deck:
        from dataclasses import replace

        from quizapp.content.loader import _cards, _topics
        from quizapp.content.model import slug

        deck_id = slug(self.path.stem) or "deck"
        cards, id_problems = _cards([d for d, _ in self.drafts], deck_id, self.src)
        by_line_and_text = {(d.line, d.question): tags for d, tags in self.drafts}
        cards = tuple(replace(c, tags=by_line_and_text.get((c.source.line, c.question), ())) for c in cards)
        problems = sorted([*self.problems, *id_problems], key=lambda p: p.source.line)
        return Deck(
            id=deck_id,
            title=self.title,
            path=self.path,
            language="en",
            topics=_topics(cards, []),
            cards=cards,
            problems=tuple(problems),
        )


def _title(path: Path) -> str:
    words = re.sub(r"[-_]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:] if words else path.name


def parse_foreign(kind: str, text: str, path: Path) -> Deck:
    """The Deck of ``text`` written in the dialect ``kind`` (see :func:`dialect`)."""
    readers: dict[str, Callable[[str, _Builder], None]] = {
        "obsidian": _obsidian,
        "hashcards": _hashcards,
        "anki-text": _anki_text,
    }
    builder = _Builder(path, _title(path))
    readers[kind](text, builder)
    return builder.deck()


# --------------------------------------------------------------------------------------- markdown


def _md(text: str) -> str:
    from quizapp.content.mathtext import render_text

    return render_text(text.strip())


def _blank_front_matter(lines: list[str]) -> list[str]:
    """Front matter lines blanked (line numbers stay true)."""
    if lines and lines[0].strip() == "---":
        end = next((k for k in range(1, len(lines)) if lines[k].strip() == "---"), None)
        if end is not None:
            return [""] * (end + 1) + lines[end + 1 :]
    return lines


def _paragraphs(lines: list[str]) -> list[list[tuple[int, str]]]:
    """Runs of non-blank lines as (1-based line, text), fenced code left out."""
    out: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    fenced = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            if current:
                out.append(current)
            current = []
            continue
        if fenced:
            continue
        if line.strip():
            current.append((number, line))
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


_OBSIDIAN_CLOZE = re.compile(r"==([^=\n]{1,2000})==|\{\{(?!c\d+::)([^{}\n]{1,2000})\}\}")


def _obsidian(text: str, b: _Builder) -> None:
    """Obsidian Spaced Repetition cards (see the module's description)."""
    # An SR comment (one line, never a newline inside) is dropped.
    text = _SR_COMMENT.sub("", text)
    lines = _blank_front_matter(text.split("\n"))
    topic = b.title
    tagged = False  # a sub-deck tag names the topic; headings do only in a note without one
    for paragraph in _paragraphs(lines):
        rest: list[tuple[int, str]] = []
        for number, line in paragraph:
            tags = _OBSIDIAN_TAG.findall(line)
            if tags:
                sub = tags[-1].partition("/")[2]
                if sub:
                    topic, tagged = sub.replace("/", " / "), True
                line = _OBSIDIAN_TAG.sub("", line)
            heading = re.match(r"#{1,6}\s+(.*)", line.strip())
            if heading and not tags:
                topic = topic if tagged else (_md(heading.group(1)) or topic)
                continue
            if not line.strip():
                continue
            rest.append((number, line))
        if not rest:
            continue
        marks = [k for k, (_, line) in enumerate(rest) if line.strip() in ("?", "??")]
        if marks:
            k = marks[0]
            question = _md("\n".join(line for _, line in rest[:k]))
            answer = _md("\n".join(line for _, line in rest[k + 1 :]))
            b.card(topic, question, answer, rest[0][0], ("flashcards",))
            if rest[k][1].strip() == "??":
                b.card(topic, answer, question, rest[0][0], ("flashcards",))
            continue
        cloze_lines = []
        for number, line in rest:
            if ":::" in line:
                q, _, a = line.partition(":::")
                b.card(topic, _md(q), _md(a), number, ("flashcards",))
                b.card(topic, _md(a), _md(q), number, ("flashcards",))
            elif "::" in line:
                q, _, a = line.partition("::")
                b.card(topic, _md(q), _md(a), number, ("flashcards",))
            elif _OBSIDIAN_CLOZE.search(line):
                cloze_lines.append((number, line))
        if cloze_lines:
            joined = "\n".join(line for _, line in cloze_lines)
            b.cloze(topic, _numbered_clozes(_OBSIDIAN_CLOZE, joined), cloze_lines[0][0], tags=("flashcards",))


def _numbered_clozes(pattern: re.Pattern[str], text: str) -> str:
    """Each deletion matched by ``pattern`` as its own ``{{cN::hidden}}``, numbered from 1 (a card each)."""
    counter = iter(range(1, 10**9))
    return pattern.sub(lambda m: f"{{{{c{next(counter)}::{next(g for g in m.groups() if g is not None)}}}}}", text)


_HASHCARDS_CLOZE = re.compile(r"\[([^\[\]\n]+)\](?!\()")  # not a markdown link [text](url)


def _hashcards(text: str, b: _Builder) -> None:
    """hashcards / repeater cards: ``Q:``/``A:`` blocks and ``C:`` with ``[deletions]``."""
    lines = _blank_front_matter(text.split("\n"))
    topic = b.title
    field: list[str] | None = None
    block: dict[str, tuple[int, list[str]]] = {}

    def finish() -> None:
        if "C" in block:
            line, parts = block["C"]
            joined = "\n".join(parts)
            if not _HASHCARDS_CLOZE.search(joined):
                b.problem(line, "a C: card needs at least one [deletion]")
            else:
                b.cloze(topic, _numbered_clozes(_HASHCARDS_CLOZE, joined), line)
        if "Q" in block and "A" in block:
            b.card(topic, _md("\n".join(block["Q"][1])), _md("\n".join(block["A"][1])), block["Q"][0])
        elif "Q" in block:
            b.problem(block["Q"][0], "Q: without an A: answer")
        elif "A" in block:
            b.problem(block["A"][0], "A: without a Q: question before it")
        block.clear()

    fenced = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        marker = re.match(r"(Q|A|C):\s?(.*)", line) if not fenced else None
        if marker:
            kind, rest = marker.groups()
            if kind in ("Q", "C") or "A" in block or "C" in block:
                finish()
            block[kind] = (number, [rest])
            field = block[kind][1]
        elif not line.strip():
            field = None
            finish()
        elif field is not None:
            field.append(line)
        else:
            heading = re.match(r"#{1,6}\s+(.*)", line.strip())
            if heading:
                topic = _md(heading.group(1)) or topic
    finish()


# ------------------------------------------------------------------------------------------- Anki


@functools.cache
def _html_parser():
    """The class of an HTMLParser -> text: line breaks for <br>, blocks and list items; images counted, scripts and styles dropped."""
    from html.parser import HTMLParser

    class _HtmlText(HTMLParser):
        """HTML -> text: line breaks for <br>, blocks and list items; images counted, scripts and styles dropped."""

        _BLOCKS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "blockquote"})

        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0
            self.media = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self.skip += 1
            elif tag == "br":
                self.parts.append("\n")
            elif tag in ("img", "audio", "video", "object", "embed"):
                self.media += 1
            elif tag in self._BLOCKS:
                self.parts.append("\n• " if tag == "li" else "\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style"):
                self.skip = max(0, self.skip - 1)
            elif tag in self._BLOCKS:
                self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    return _HtmlText


_SOUND = re.compile(r"\[sound:[^\]]*\]")
_MATHJAX = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)


def html_text(field: str) -> tuple[str, int]:
    """(an Anki field as terminal text, media left out): HTML reduced, MathJax rendered."""
    from quizapp.content.mathtext import render_formulas

    media = len(_SOUND.findall(field))
    parser = _html_parser()()
    parser.feed(_SOUND.sub("", field))
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    text = re.sub(r"\n{2,}", "\n", text).strip()  # a card's lines, no empty ones between blocks

    def math(m: re.Match[str]) -> str:
        inline, display = m.groups()
        return render_formulas(f"${inline}$" if inline is not None else f"$${display}$$")

    return _MATHJAX.sub(math, text), media + parser.media


def _field_text(field: str, as_html: bool) -> tuple[str, int]:
    return html_text(field) if as_html else (field.strip(), 0)


def _topic(deck_name: str, default: str) -> str:
    """The last part of an Anki deck name ``A::B::C`` -> ``C``."""
    last = deck_name.split("::")[-1].strip()
    return last or default


_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}


def _anki_text(text: str, b: _Builder) -> None:
    """Anki's text export: header lines, then notes (see the module's description)."""
    import csv
    import io

    lines = text.split("\n")
    headers: dict[str, str] = {}
    start = 0
    for k, line in enumerate(lines):
        if not line.startswith("#"):
            start = k
            break
        m = _ANKI_HEADER.match(line.strip())
        if m:
            headers[m.group(1)] = m.group(2).strip()
    else:
        start = len(lines)
    body = "\n".join(lines[start:])
    separator = headers.get("separator", "")
    delimiter = _SEPARATORS.get(separator.casefold(), separator if len(separator) == 1 else "")
    if not delimiter:
        first = next((ln for ln in lines[start:] if ln.strip()), "")
        delimiter = next((d for d in ("\t", ";", ",") if d in first), "\t")
        if separator:
            b.problem(1, f"unknown #separator:{separator}; read as {'tab' if delimiter == chr(9) else repr(delimiter)}", "warning")
    as_html = headers.get("html", "false").casefold() == "true"

    def column(name: str) -> int | None:
        value = headers.get(f"{name} column")
        if value is None:
            return None
        if not value.isdigit() or not 1 <= int(value) <= 1000:
            b.problem(1, f"#{name} column:{value} is not a column number")
            return None
        return int(value) - 1

    special = {name: column(name) for name in ("notetype", "deck", "tags", "guid")}
    taken = {c for c in special.values() if c is not None}
    media = 0
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delimiter)
    previous_end = 0
    try:
        for row in reader:
            line = start + previous_end + 1
            previous_end = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if row[0].startswith("#"):
                continue  # a comment line
            notetype = _cell(row, special["notetype"]) or headers.get("notetype", "Basic")
            deck = _cell(row, special["deck"]) or headers.get("deck", "")
            tags = tuple(_cell(row, special["tags"]).split() + headers.get("tags", "").split())
            fields = [cell for k, cell in enumerate(row) if k not in taken]
            media += _anki_note(b, notetype, fields, _topic(deck, b.title), line, tags, as_html)
    except csv.Error as exc:
        b.problem(start + reader.line_num, f"cannot read the rest of the file: {exc}")
    if media:
        b.problem(1, f"{media} media reference{'s' if media != 1 else ''} (images, sounds) left out", "warning")


def _cell(row: list[str], index: int | None) -> str:
    """The cell at a 0-based column, or "" when there is no such column."""
    return row[index] if index is not None and index < len(row) else ""


def _anki_note(b: _Builder, notetype: str, fields: list[str], topic: str, line: int, tags: tuple[str, ...], as_html: bool) -> int:
    """One Anki note as cards: Cloze (first field the text, second the extra) or Basic-like; the media left out."""
    texts = [_field_text(f, as_html) for f in fields[:2]]
    media = sum(m for _, m in texts)
    if "cloze" in notetype.casefold() or (texts and re.search(r"\{\{c\d+::", texts[0][0])):
        if not texts or not texts[0][0]:
            b.problem(line, "a cloze note with no text")
            return media
        b.cloze(topic, texts[0][0], line, note=texts[1][0] if len(texts) > 1 else "", tags=tags)
        return media
    if len(texts) < 2:
        b.problem(line, f"a {notetype} note needs a front and a back field, found {len(texts)}")
        return media
    (front, _), (back, _) = texts
    b.card(topic, front, back, line, tags)
    if "reverse" in notetype.casefold():
        b.card(topic, back, front, line, tags)
    return media


# ------------------------------------------------------------------------------------------- .apkg


def read_apkg(path: Path) -> Deck:
    """An Anki package's Basic and Cloze notes as a Deck (bounded; see the module's description)."""
    import sqlite3
    import tempfile
    import zipfile

    path = Path(path)
    b = _Builder(path, _title(path))
    try:
        size = path.stat().st_size
        if size > MAX_PACKAGE_BYTES:
            b.problem(0, f"is larger than {MAX_PACKAGE_BYTES // 2**20} MB, the most an Anki package may be")
            return b.deck()
        with tempfile.TemporaryDirectory(prefix="quizapp-apkg-") as folder:
            collection = _extract_collection(path, Path(folder), b)
            if collection is not None:
                _read_collection(collection, b)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as exc:
        b.problem(0, f"is not a readable Anki package: {getattr(exc, 'strerror', None) or exc}")
    except sqlite3.Error as exc:
        b.problem(0, f"its collection is not a readable Anki database: {exc}")
    return b.deck()


_MAX_ZSTD_WINDOW = 64 * 1024 * 1024
"""The largest zstd window a collection's frame may ask for (Anki's own level-3 frames use 2 to 8 MB)."""
_COLLECTION_FILES = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
"""The collection each package version holds (Anki's PackageMetadata.Version: LEGACY_1, LEGACY_2, LATEST);
version 3's is zstd-compressed SQLite of schema 18, and beside it a stand-in collection.anki2 whose one
note asks the user to update Anki, which is never read."""


def _extract_collection(path: Path, folder: Path, b: _Builder) -> Path | None:
    """The package's collection copied to ``folder`` (its size checked before and while inflating); media counted."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        version = _package_version(archive, names, b)
        if version is None:
            return None
        name = _COLLECTION_FILES[version]
        if name not in names:
            b.problem(0, f"is not an Anki package: it holds no {name if 'meta' in names else ', '.join(_COLLECTION_FILES.values())}")
            return None
        info = archive.getinfo(name)
        # The zip's stated size bounds what zipfile gives (a zstd stream larger than this would inflate past
        # it too, and empty zstd frames are no way round it); a zstd collection's own size is counted while inflating.
        if info.file_size > MAX_COLLECTION_BYTES:
            b.problem(0, f"its collection is {info.file_size // 2**20:,} MB uncompressed; at most {MAX_COLLECTION_BYTES // 2**20} MB is read")
            return None
        media = sum(1 for n in names if n.isdigit())
        target = folder / "collection.sqlite"
        with archive.open(info) as source, open(target, "wb") as sink:
            if not (_copy_zstd(source, sink, b) if version == 3 else _copy_bounded(source, sink, b)):
                return None
    if media:
        b.problem(0, f"{media} media file{'s' if media != 1 else ''} (images, sounds) left out", "warning")
    return target


def _package_version(archive, names: set[str], b: _Builder) -> int | None:
    """The package version from its ``meta`` entry (a protobuf: field 1, the version); without one, as
    Anki decides it: collection.anki21 if present, else collection.anki2 (and collection.anki21b before
    both, since only Anki's newest format has one). None, with the problem, for an unknown version."""
    if "meta" not in names:
        return next((v for v in (3, 2) if _COLLECTION_FILES[v] in names), 1)
    info = archive.getinfo("meta")
    fields = _protobuf_varints(archive.read(info)) if info.file_size <= 1024 else None
    version = (fields or {}).get(1, 0)
    if fields is None or version not in _COLLECTION_FILES:
        b.problem(0, f"is from a newer Anki than quizapp reads (package version {version if fields is not None else 'unreadable'}): "
                  "export it again from Anki with \"Support older Anki versions\" ticked")
        return None
    return version


def _copy_bounded(source, sink, b: _Builder) -> bool:
    """Copy ``source`` into ``sink`` in chunks, stopping (False, with the problem) past MAX_COLLECTION_BYTES."""
    written = 0
    while chunk := source.read(1 << 20):
        written += len(chunk)
        if written > MAX_COLLECTION_BYTES:  # the zip's stated size was a lie, or the zstd stream a bomb
            b.problem(0, f"its collection inflates past {MAX_COLLECTION_BYTES // 2**20} MB: not read")
            return False
        sink.write(chunk)
    return True


def _copy_zstd(source, sink, b: _Builder) -> bool:
    """A zstd stream inflated into ``sink``, bounded like any collection (MAX_COLLECTION_BYTES out) and in
    the memory its decoder allocates (no frame's window over _MAX_ZSTD_WINDOW)."""
    import zstandard

    try:
        decoder = zstandard.ZstdDecompressor(max_window_size=_MAX_ZSTD_WINDOW)
        with decoder.stream_reader(source, read_across_frames=True, closefd=False) as reader:
            return _copy_bounded(reader, sink, b)
    except zstandard.ZstdError as exc:
        b.problem(0, f"its collection (collection.anki21b) is not readable zstd data: {exc}")
        return False


def _protobuf_varints(data: bytes) -> dict[int, int] | None:
    """{field number: value} of a protobuf message's varint fields (the last of a repeated one), the
    others skipped by their wire type; None for bytes that are not a well-formed message."""
    fields: dict[int, int] = {}
    k = 0

    def varint() -> int:
        nonlocal k
        value = shift = 0
        while k < len(data) and shift < 64:
            byte = data[k]
            k += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
        raise ValueError("truncated varint")

    try:
        while k < len(data):
            tag = varint()
            field, wire = tag >> 3, tag & 7
            if wire == 0:
                fields[field] = varint()
            elif wire in (1, 5):
                k += 8 if wire == 1 else 4
            elif wire == 2:
                length = varint()  # read before k is added to: varint() moves k
                k += length
            else:
                return None
            if k > len(data):
                return None
    except ValueError:
        return None
    return fields


def _read_collection(database: Path, b: _Builder) -> None:
    """Notes of a collection copy, opened read-only: their note type (Cloze or Basic-like), fields, deck and tags."""
    import sqlite3

    conn = sqlite3.connect(f"{database.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        models, decks = _models_and_decks(conn)
        first_deck = dict(conn.execute("select nid, min(did) from cards group by nid"))
        rows = conn.execute("select id, mid, flds, tags from notes order by id limit ?", (MAX_IMPORTED_NOTES + 1,)).fetchall()
    finally:
        conn.close()
    if len(rows) > MAX_IMPORTED_NOTES:
        b.problem(0, f"holds more than {MAX_IMPORTED_NOTES:,} notes; the first {MAX_IMPORTED_NOTES:,} are read", "warning")
        rows = rows[:MAX_IMPORTED_NOTES]
    media = 0
    for number, (nid, mid, flds, tags) in enumerate(rows, start=1):
        name, cloze, names = models.get(mid, ("Basic", False, ()))
        topic = _topic(decks.get(first_deck.get(nid), ""), b.title)
        fields = str(flds).split("\x1f")
        if names[:3] == _CHOICE_FIELDS and len(fields) >= 3:
            _choice_note(b, fields, topic, number, tuple(str(tags).split()))
            continue
        media += _anki_note(b, "Cloze" if cloze else name, fields, topic, number, tuple(str(tags).split()), True)
    if media:
        b.problem(0, f"{media} media reference{'s' if media != 1 else ''} in fields (images, sounds) left out", "warning")


_CHOICE_FIELDS = ("Question", "Options", "Answer")
"""The first fields of quizapp's own multiple-choice note type (see quizapp.export.anki): read back as one."""


def _choice_note(b: _Builder, fields: list[str], topic: str, line: int, tags: tuple[str, ...]) -> None:
    """A note of quizapp's multiple-choice type: the options one a line ("• ..."), the answer "N. option"."""
    question, _ = html_text(fields[0])
    options = [ln.removeprefix("• ").strip() for ln in html_text(fields[1])[0].split("\n") if ln.strip()]
    answer, _ = html_text(fields[2])
    why = html_text(fields[3])[0] if len(fields) > 3 else ""
    number = re.match(r"(\d{1,3})\.", answer)
    b.choice(topic, question, options, int(number.group(1)) - 1 if number else -1, line, why, tags)


def _models_and_decks(conn: sqlite3.Connection) -> tuple[dict[int, tuple[str, bool, tuple[str, ...]]], dict[int, str]]:
    """({note type id: (name, is cloze, field names)}, {deck id: name}) from ``col`` (legacy JSON) or the newer tables."""
    import json

    models: dict[int, tuple[str, bool, tuple[str, ...]]] = {}
    decks: dict[int, str] = {}
    tables = {row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")}
    raw_models, raw_decks = conn.execute("select models, decks from col").fetchone()
    if raw_models:
        for key, model in json.loads(raw_models).items():
            names = tuple(str(f.get("name", "")) for f in model.get("flds", ()) if isinstance(f, dict))
            models[int(key)] = (str(model.get("name", "")), model.get("type") == 1, names)
    elif "notetypes" in tables:
        fields: dict[int, list[str]] = {}
        if "fields" in tables:
            for ntid, name in conn.execute("select ntid, name from fields order by ntid, ord"):
                fields.setdefault(int(ntid), []).append(str(name))
        for key, name, config in conn.execute("select id, name, config from notetypes"):
            # The kind (NotetypeConfig field 1: 1 for cloze) is the truth; a name is all an unreadable blob leaves.
            settings = _protobuf_varints(config) if isinstance(config, bytes) else None
            cloze = settings.get(1) == 1 if settings is not None else "cloze" in str(name).casefold()
            models[int(key)] = (str(name), cloze, tuple(fields.get(int(key), ())))
    if raw_decks:
        decks = {int(k): str(d.get("name", "")) for k, d in json.loads(raw_decks).items()}
    elif "decks" in tables:
        decks = {int(k): str(name).replace("\x1f", "::") for k, name in conn.execute("select id, name from decks")}
    return models, decks
