"""Provides loading of markdown decks into a Bank: files and folders, front matter, ids, duplicates.

``load_deck(path)`` reads one file; ``load_bank(paths, bundled=True)`` reads the shipped bank and
the given files and folders (``*.md`` found recursively, in sorted order). Nothing here raises on bad
content: every problem becomes a ContentProblem with its ``file:line``. ``load_bank(..., cache=True)``
takes each unchanged deck from the bank cache (quizapp.content.cache) instead of parsing it again;
the parser's own imports (markdown-it, YAML, the notes reader) are paid for only when a deck is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizapp.content.bounds import MAX_DECK_BYTES, MAX_TOPIC
from quizapp.content.model import Bank, Card, ContentProblem, Deck, MathJax, SourceRef
from quizapp.textsafe import short, strip_controls

if TYPE_CHECKING:
    from quizapp.content.cache import BankCache
    from quizapp.content.notes import Draft
    from quizapp.content.syntax import Block

__all__ = ["card_id", "detect_language", "load_bank", "load_deck", "parse_deck"]

LANGUAGES = ("en", "ru")
FRONT_MATTER_KEYS = ("id", "title", "language", "tags")
PACKAGE_SUFFIXES = (".apkg", ".colpkg")
"""Anki packages: a deck package or a whole collection's, both read by quizapp.content.foreign.read_apkg."""
DECK_SUFFIXES = (".md", ".markdown", ".txt", ".tsv", *PACKAGE_SUFFIXES)
"""What a file given as a deck may be called: markdown (quizapp's, Obsidian's, hashcards'), Anki's text
export (.txt, .tsv) and Anki packages (.apkg, .colpkg); quizapp.content.foreign reads the other tools' decks."""


@lru_cache(maxsize=1)
def _markdown():
    """One shared markdown-it parser: CommonMark blocks only; inline text is rendered by mathtext, not here."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.core.ruler.disable(["inline", "text_join"])
    return md


def card_id(deck: str, question: str) -> str:
    """The automatic id: ``{deck}:{sha1(normalised question)[:10]}`` (normalised: casefolded, no punctuation)."""
    from hashlib import sha1  # ids are made when a deck is parsed, never on a start from the cache

    from quizapp.content.mathtext import normalise

    digest = sha1(normalise(question).encode("utf-8")).hexdigest()[:10]
    return f"{deck}:{digest}"


# Patterns as strings, compiled by re on first use: a start from the bank cache detects no language.
_CYRILLIC_RE = r"[\u0400-\u04ff]"
_LETTER_RE = r"[^\W\d_]"
_NOT_PROSE_RE = r"(?s)```.*?```|\$\$.*?\$\$|\$[^$\n]*\$|`[^`\n]*`|\\[a-zA-Z]+"


def detect_language(text: str) -> str:
    """"ru" when Cyrillic letters make up at least 40% of the letters outside formulas and code, else "en"."""
    prose = re.sub(_NOT_PROSE_RE, " ", text)
    letters = len(re.findall(_LETTER_RE, prose))
    if not letters:
        return "en"
    return "ru" if len(re.findall(_CYRILLIC_RE, prose)) / letters >= 0.4 else "en"


_UNKNOWN_KEYS_SHOWN = 10
"""Unknown front matter keys reported one by one; the rest are counted in one more warning."""


def _front_matter(text: str, path: str) -> tuple[dict[str, Any], dict[Any, int], str, list[ContentProblem]]:
    """Split ``---`` YAML front matter off: (its data, each key's file line, the body, problems).

    The front matter's lines become blank in the body, so markdown line numbers stay true.
    """
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, {}, text, []
    import yaml

    from quizapp.content.bounds import YamlProblem, load_yaml

    end = next((k for k in range(1, len(lines)) if lines[k].strip() in ("---", "...")), None)
    if end is None:
        return {}, {}, text, [ContentProblem(SourceRef(path, 1), "front matter opened with '---' is never closed")]
    raw = "\n".join(lines[1:end])
    body = "\n" * (end + 1) + "\n".join(lines[end + 1 :])
    try:
        root, data = load_yaml(raw) if raw.strip() else (None, {})
    except YamlProblem as exc:
        return {}, {}, body, [ContentProblem(SourceRef(path, exc.line + 2), f"front matter: {exc.message}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        return {}, {}, body, [ContentProblem(SourceRef(path, line), f"front matter is not valid YAML: {reason}")]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, {}, body, [ContentProblem(SourceRef(path, 2), "front matter must be a mapping (id:, title:, language:, tags:)")]
    key_lines = {}
    if isinstance(root, yaml.MappingNode):
        for key, _ in root.value:
            key_lines.setdefault(getattr(key, "value", None), key.start_mark.line + 2)
    problems: list[ContentProblem] = []
    unknown = [key for key in data if key not in FRONT_MATTER_KEYS]
    for key in unknown[:_UNKNOWN_KEYS_SHOWN]:
        problems.append(
            ContentProblem(
                SourceRef(path, _key_line(key_lines, key)),
                f"unknown front matter key {short(key)} (known: {', '.join(FRONT_MATTER_KEYS)})",
                "warning",
            )
        )
    if len(unknown) > _UNKNOWN_KEYS_SHOWN:
        rest = unknown[_UNKNOWN_KEYS_SHOWN:]
        problems.append(
            ContentProblem(
                SourceRef(path, _key_line(key_lines, rest[0])),
                f"unknown front matter key {short(rest[0])} and {len(rest) - 1:,} more (known: {', '.join(FRONT_MATTER_KEYS)})",
                "warning",
            )
        )
    return data, key_lines, body, problems


def _key_line(key_lines: dict[Any, int], key: Any) -> int:
    """The file line of a front matter key (1 when it cannot be told)."""
    return key_lines.get(str(key), 1) if isinstance(key, (str, int, float, bool)) else 1


def _meta(data: dict[str, Any], path: Path, key_lines: dict[Any, int]) -> tuple[dict[str, Any], list[ContentProblem]]:
    """Check the front matter's values: id and title strings, language en|ru, tags a list."""
    src = str(path)
    out: dict[str, Any] = {}
    problems: list[ContentProblem] = []

    def bad(key: str, message: str) -> None:
        problems.append(ContentProblem(SourceRef(src, _key_line(key_lines, key)), message))

    if "id" in data:
        value = data["id"]
        if isinstance(value, (str, int)) and not isinstance(value, bool) and _one_word(value):
            out["id"] = str(value).strip()
        else:
            bad("id", f"deck id must be one word of at most {MAX_TOPIC} characters, got {short(value)}")
    if "title" in data:
        value = data["title"]
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and _text(value):
            out["title"] = _text(value)
        else:
            bad("title", f"title must be text of at most {MAX_TOPIC} characters, got {short(value)}")
    if "language" in data:
        value = data["language"]
        if isinstance(value, str) and value.strip().lower() in LANGUAGES:
            out["language"] = value.strip().lower()
        else:
            bad("language", f"language must be one of {', '.join(LANGUAGES)}, got {short(value)}")
    if "tags" in data:
        value = data["tags"]
        words = value.split(",") if isinstance(value, str) else value
        texts = [_text(t) if isinstance(t, (str, int, float)) and not isinstance(t, bool) else None for t in words] if isinstance(words, list) else [None]
        if None not in texts:
            out["tags"] = tuple(t for t in texts if t)
        else:
            bad("tags", f"tags must be a list of words of at most {MAX_TOPIC} characters, got {short(value)}")
    return out, problems


def _text(value: str | float) -> str | None:
    """A front matter value as text, stripped; None when it is longer than MAX_TOPIC characters."""
    if isinstance(value, int) and value.bit_length() > 64:
        return None  # str() of a huge integer costs quadratic time
    text = str(value).strip()
    return text if len(text) <= MAX_TOPIC else None


def _one_word(value: str | int) -> bool:
    text = _text(value)
    return bool(text) and not re.search(r"\s", text)


def _title_heading(bs: list[Block]) -> str | None:
    """The first H1 when nothing stands under it (``# Нейронные сети`` then ``# Градиентный спуск``): a title."""
    content = [b for b in bs if b.kind != "other"]
    if not content or content[0].kind != "heading" or content[0].level != 1:
        return None
    if len(content) == 1 or (content[1].kind == "heading" and content[1].level == 1):
        from quizapp.content.mathtext import render_text

        return render_text(content[0].text).strip() or None
    return None


def _pretty_stem(path: Path) -> str:
    words = re.sub(r"[-_]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:] if words else path.name


def parse_deck(text: str, path: Path) -> Deck:
    """A deck from its markdown text; ``path`` names it in problems and gives the default id."""
    from quizapp.content.notes import NotesReader
    from quizapp.content.syntax import blocks

    src = str(path)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    data, key_lines, body, problems = _front_matter(text, src)
    meta, meta_problems = _meta(data, path, key_lines)
    problems += meta_problems
    bs = blocks(_markdown().parse(body))
    deck_id = meta.get("id") or path.stem
    title = meta.get("title") or _title_heading(bs) or _pretty_stem(path)
    language = meta.get("language") or detect_language(body)
    reader = NotesReader(bs, path=src, deck=deck_id, title=title, language=language).run()
    problems += reader.problems
    cards, id_problems = _cards(reader.drafts, deck_id, src)
    problems += id_problems
    topics = _topics(cards, reader.templates)
    return Deck(
        id=deck_id,
        title=title,
        path=path,
        language=language,
        tags=meta.get("tags", ()),
        topics=topics,
        cards=cards,
        templates=tuple(reader.templates),
        problems=tuple(sorted(problems, key=lambda p: p.source.line)),
    )


def _cards(drafts: list[Draft], deck_id: str, src: str) -> tuple[tuple[Card, ...], list[ContentProblem]]:
    """Drafts -> cards in file order, with ids: explicit, else hashed; a repeated question gets -2, -3.

    A draft's formulas kept with their source become the card's terminal text and its MathJax texts.
    """
    from quizapp.content.mathtext import has_formulas, mathjax_text, terminal_text

    problems: list[ContentProblem] = []
    first_auto: dict[str, int] = {}
    counts: dict[str, int] = {}
    cards = []
    for d in sorted(drafts, key=lambda d: d.line):
        question, answer, note, cloze = map(terminal_text, (d.question, d.answer, d.note, d.cloze))
        options = tuple(map(terminal_text, d.options))
        mathjax = None
        if any(map(has_formulas, (d.question, d.answer, d.note, d.cloze, *d.options))):
            mathjax = MathJax(
                question=mathjax_text(d.question),
                answer=mathjax_text(d.answer),
                options=tuple(map(mathjax_text, d.options)),
                note=mathjax_text(d.note),
                cloze=mathjax_text(d.cloze),
            )
        if d.explicit_id:
            cid = d.explicit_id
        else:
            cid = card_id(deck_id, d.id_text or question)
            if cid in first_auto:
                counts[cid] = counts.get(cid, 1) + 1
                problems.append(
                    ContentProblem(
                        SourceRef(src, d.line),
                        f"the same question {question!r} again (first at {src}:{first_auto[cid]}); its id gets a suffix",
                        "warning",
                    )
                )
                cid = f"{cid}-{counts[cid]}"
            else:
                first_auto[cid] = d.line
        cards.append(
            Card(
                id=cid,
                deck=deck_id,
                topic=d.topic,
                kind=d.kind,
                question=question,
                answer=answer,
                source=SourceRef(src, d.line),
                options=options,
                correct=d.correct,
                note=note,
                cloze=cloze,
                family=f"{d.topic}\0{d.family}" if d.family else "",
                mathjax=mathjax,
            )
        )
    return tuple(cards), problems


def _topics(cards: tuple[Card, ...], templates: list[Any]) -> tuple[str, ...]:
    """Topics with at least one card or template, in file order."""
    placed = [(c.source.line, c.topic) for c in cards]
    placed += [(getattr(getattr(t, "source", None), "line", 0), t.topic) for t in templates]
    seen: dict[str, None] = {}
    for _, topic in sorted(placed, key=lambda p: p[0]):
        seen.setdefault(topic, None)
    return tuple(seen)


def load_deck(path: Path) -> Deck:
    """Read one deck file; a file that cannot be read gives a Deck holding only that problem."""
    path = Path(path)
    if path.suffix.lower() in PACKAGE_SUFFIXES:
        return _load_package(path)
    raw = _read_deck(path)
    if isinstance(raw, Deck):
        return raw
    return _deck_from_bytes(raw, path)[0]


def _load_package(path: Path) -> Deck:
    """An Anki package (quizapp.content.foreign.read_apkg), never raising: a failure is the deck's problem."""
    from quizapp.content.foreign import read_apkg

    try:
        return _dedupe([read_apkg(path)])[0]
    except Exception as exc:  # never let one odd package stop the app; the problem names it
        return _failed(path, f"could not be read: {type(exc).__name__}: {short(str(exc), 200)[1:-1]}")


def _failed(path: Path, message: str, line: int = 0) -> Deck:
    """A deck holding only the problem that stopped it from being read."""
    return Deck(id=path.stem, title=_pretty_stem(path), path=path, problems=(ContentProblem(SourceRef(str(path), line), message),))


def _read_deck(path: Path) -> bytes | Deck:
    """The file's bytes, or a Deck naming why it cannot be read (a file over MAX_DECK_BYTES is not read)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_DECK_BYTES + 1)
        if len(raw) > MAX_DECK_BYTES:
            return _failed(path, f"is larger than {MAX_DECK_BYTES // 2**20} MB, the most a deck may be: split it into several decks")
        return raw
    except FileNotFoundError:
        return _failed(path, "no such file or folder")
    except IsADirectoryError:
        return _failed(path, "is a folder, not a deck file")
    except OSError as exc:
        return _failed(path, f"cannot be read: {exc.strerror or exc}")


def _deck_from_bytes(raw: bytes, path: Path) -> tuple[Deck, bool]:
    """(the deck parsed from ``raw``, whether it was parsed): False for text that is not UTF-8 or a parse that failed."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _failed(path, "is not UTF-8 text", raw[: exc.start].count(b"\n") + 1), False
    # Newlines first (a lone CR is one), then what is left of the control characters goes.
    original = text.replace("\r\n", "\n").replace("\r", "\n")
    text, removed, first = strip_controls(original)
    try:
        from quizapp.content.foreign import dialect, parse_foreign

        kind = dialect(text)
        deck = parse_foreign(kind, text, path) if kind else parse_deck(text, path)
    except Exception as exc:  # never let one odd deck stop the app; the problem names it
        return _failed(path, f"could not be read: {type(exc).__name__}: {short(str(exc), 200)[1:-1]}"), False
    if removed:
        line = original.count("\n", 0, first) + 1
        char = ascii(original[first])[1:-1]
        problem = ContentProblem(
            SourceRef(str(path), line),
            f"{removed} control character{'s' if removed != 1 else ''} removed (the first, {char}, here): "
            "a deck holds text, never terminal codes",
            "warning",
        )
        deck = replace(deck, problems=tuple(sorted((*deck.problems, problem), key=lambda p: p.source.line)))
    return _dedupe([deck])[0], True


def _load_deck_cached(path: Path, cache: BankCache) -> Deck:
    """load_deck through the bank cache: the cached deck when its entry matches, else parsed and stored
    (an Anki package is read afresh: it is not text the cache can key)."""
    if path.suffix.lower() in PACKAGE_SUFFIXES:
        return _load_package(path)
    raw = _read_deck(path)
    if isinstance(raw, Deck):
        return raw
    deck = cache.lookup(path, raw)
    if deck is not None:
        return deck
    deck, parsed = _deck_from_bytes(raw, path)
    if parsed:
        cache.store(path, raw, deck)
    return deck


def _dedupe(decks: list[Deck]) -> list[Deck]:
    """Drop cards and drill templates whose id was already used in the bank, reporting each at its line."""
    first_card: dict[str, SourceRef] = {}
    first_template: dict[str, SourceRef] = {}
    first_deck: dict[str, Path] = {}
    out = []
    for deck in decks:
        problems = list(deck.problems)
        if deck.id in first_deck:
            problems.append(
                ContentProblem(
                    SourceRef(str(deck.path), 1),
                    f"duplicate deck id {deck.id!r} (first in {first_deck[deck.id]}); set a different 'id:' in the front matter",
                )
            )
        else:
            first_deck[deck.id] = deck.path
        cards = []
        for card in deck.cards:
            if card.id in first_card:
                problems.append(ContentProblem(card.source, f"duplicate id {card.id!r} (first at {first_card[card.id]})"))
                continue
            first_card[card.id] = card.source
            cards.append(card)
        templates = []
        for t in deck.templates:
            tid, tsrc = getattr(t, "id", None), getattr(t, "source", SourceRef(str(deck.path), 0))
            if tid in first_template:
                problems.append(ContentProblem(tsrc, f"duplicate drill id {tid!r} (first at {first_template[tid]})"))
                continue
            first_template[tid] = tsrc
            templates.append(t)
        if len(cards) != len(deck.cards) or len(templates) != len(deck.templates) or len(problems) != len(deck.problems):
            deck = replace(
                deck,
                cards=tuple(cards),
                templates=tuple(templates),
                topics=_topics(tuple(cards), templates),
                problems=tuple(problems),
            )
        out.append(deck)
    return out


def _deck_files(root: Path) -> list[Path]:
    """Decks under a folder, recursively, sorted: ``*.md``, Anki packages (``*.apkg``, ``*.colpkg``) and Anki text
    exports (``*.tsv``, and ``*.txt`` that start with Anki's ``#separator:``-style header); hidden
    folders and README.md are not decks."""
    found = []
    for p in root.rglob("*"):
        rel = p.relative_to(root).parts
        if any(part.startswith(".") for part in rel) or p.name.casefold() == "readme.md" or not p.is_file():
            continue
        suffix = p.suffix.lower()
        if suffix in (".md", ".tsv", *PACKAGE_SUFFIXES) or (suffix == ".txt" and _anki_text_file(p)):
            found.append(p)
    return sorted(found)


def _anki_text_file(path: Path) -> bool:
    """Whether a .txt file starts with one of Anki's header lines (``#separator:tab``, ``#html:true``, ...)."""
    from quizapp.content.foreign import dialect

    try:
        with path.open("rb") as handle:
            head = handle.read(200).decode("utf-8", "replace").lstrip("\ufeff")
    except OSError:
        return False
    return dialect(head.split("\n")[0]) == "anki-text"


def load_bank(paths: Sequence[Path], *, bundled: bool = True, cache: bool = False) -> Bank:
    """The shipped bank (when ``bundled``) and every deck under ``paths``, in a deterministic order.

    ``cache``: take unchanged decks from the bank cache and store the ones parsed (the interactive
    commands do; ``quizapp check`` and the tests parse every deck). The Bank is the same either way.
    """
    problems: list[ContentProblem] = []
    roots: list[Path] = []
    if bundled:
        from quizapp.paths import bundled_content_dir

        try:
            roots.append(bundled_content_dir())
        except FileNotFoundError as exc:
            problems.append(ContentProblem(SourceRef("<bundled>", 0), str(exc)))
    roots += [Path(p) for p in paths]
    files: list[Path] = []
    seen: set[Path] = set()
    for root in roots:
        if root.is_dir():
            candidates = _deck_files(root)
        elif root.is_file():
            if root.suffix.lower() not in DECK_SUFFIXES:
                problems.append(ContentProblem(SourceRef(str(root), 0), "not a deck: expected a .md, .txt, .tsv, .apkg or .colpkg file"))
                continue
            candidates = [root]
        else:
            problems.append(ContentProblem(SourceRef(str(root), 0), "no such file or folder"))
            continue
        for p in candidates:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)
    if cache:
        from quizapp.content.cache import BankCache

        bank_cache = BankCache.open()
        decks = _dedupe([_load_deck_cached(p, bank_cache) for p in files])
    else:
        decks = _dedupe([load_deck(p) for p in files])
    return Bank(decks=tuple(decks), problems=tuple(problems))
