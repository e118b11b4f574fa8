"""Provides the bank cache: each deck as parsed, stored as JSON under a key of everything its parse depends on.

Parsing the shipped bank costs ~40 ms (markdown-it, YAML, the notes reader, the drill validation),
and a fresh process ~80 ms more to import them; reading it back from JSON costs ~5 ms. An entry is used
only when its key matches: the entry layout, quizapp's version, the Python and its prefix, the deck's
path as given (it is written into every card's source), its size, mtime_ns and sha256, and the size
and mtime_ns of every module of ``quizapp.content`` and ``solvers`` and of the parsing libraries
(markdown-it, PyYAML, pylatexenc), so editing the parser or the solvers is never answered from a stale
entry. A missing, corrupt or stale entry is ignored and rewritten (atomically: a temporary file, then
a rename); an entry that cannot be written is skipped: the cache only ever saves time. JSON only,
read by our own ``from_dict`` functions, never pickle.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from quizapp import __version__
from quizapp.content.drill import DrillTemplate
from quizapp.content.model import Card, CardKind, ContentProblem, Deck, MathJax, SourceRef
from quizapp.digest import sha256

__all__ = ["FORMAT", "BankCache", "deck_from_dict", "deck_to_dict"]

FORMAT = 4
"""The layout of an entry; changing it turns every older entry into a miss."""

DEPENDENCIES = ("markdown_it", "yaml", "pylatexenc")
"""Libraries whose version shapes a parse: an entry records their files and misses once those change."""

_MISSING = -1
"""Size and mtime recorded for a file that did not exist."""

# What a damaged or foreign entry can raise while it is read back; any of them means "parse instead".
_UNREADABLE = (OSError, ValueError, LookupError, TypeError, AttributeError, RecursionError)


def _stamp(path: str | Path) -> list[Any]:
    """[path, size, mtime_ns]; size and mtime are -1 for a file that is not there."""
    try:
        st = os.stat(path)
    except OSError:
        return [str(path), _MISSING, _MISSING]
    return [str(path), st.st_size, st.st_mtime_ns]


class BankCache:
    """The cache folder and the stamp of the code every entry must have been parsed by (made once per load).

    A plain class, not a dataclass: it is made on every start, before the first question, and a
    dataclass costs about a millisecond to define there.
    """

    __slots__ = ("code", "directory")

    def __init__(self, directory: Path, code: tuple[tuple[Any, ...], ...]) -> None:
        self.directory = directory
        self.code = code

    @classmethod
    def open(cls, directory: Path | None = None) -> BankCache:
        """The cache in ``directory`` (default: quizapp.paths.cache_dir()), stamped with the code as it is now."""
        import solvers

        if directory is None:
            from quizapp.paths import cache_dir

            directory = cache_dir()
        roots = (Path(__file__).resolve().parent, Path(solvers.__file__).resolve().parent)
        code = tuple(tuple(_stamp(p)) for root in roots for p in sorted(root.glob("*.py")))
        return cls(Path(directory), code)

    def entry_path(self, path: Path) -> Path:
        """The entry of the deck at ``path`` (as given): one file per deck, named by a hash of the path."""
        name = sha256(str(path).encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.directory / "decks" / f"{name}.json"

    def key(self, path: Path, raw: bytes) -> dict[str, Any]:
        """Everything the parse of ``raw`` read from ``path`` depends on, but the parsing libraries."""
        _, size, mtime_ns = _stamp(path)
        return {
            "format": FORMAT,
            "quizapp": __version__,
            "python": sys.version,
            "prefix": sys.prefix,
            "path": str(path),
            "size": size,
            "mtime_ns": mtime_ns,
            "sha256": sha256(raw).hexdigest(),
            "code": [list(f) for f in self.code],
        }

    def lookup(self, path: Path, raw: bytes) -> Deck | None:
        """The cached deck for ``path`` whose bytes are ``raw``, or None when there is no matching entry."""
        try:
            data = json.loads(self.entry_path(path).read_bytes())
            if data["key"] != self.key(path, raw) or not _dependencies_unchanged(data["dependencies"]):
                return None
            return deck_from_dict(data["deck"])
        except _UNREADABLE:
            return None  # missing, damaged or of another layout: the caller parses and store() rewrites it

    def store(self, path: Path, raw: bytes, deck: Deck) -> bool:
        """Write the entry of ``deck`` (parsed from ``raw`` at ``path``); False when it could not be written."""
        data = {"key": self.key(path, raw), "dependencies": _dependency_stamps(), "deck": deck_to_dict(deck)}
        try:
            blob = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
            entry = self.entry_path(path)
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".deck-", suffix=".tmp", dir=entry.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(blob)
                os.replace(tmp, entry)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except (OSError, ValueError):  # a read-only or full disk, a value JSON cannot hold: parse next time
            return False
        return True


def _dependency_stamps() -> list[list[Any]]:
    """[file, size, mtime_ns] of each parsing library's __init__ (found without importing it)."""
    from importlib.util import find_spec

    stamps = []
    for name in DEPENDENCIES:
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        stamps.append(_stamp(origin) if origin else [name, _MISSING, _MISSING])
    return stamps


def _dependencies_unchanged(recorded: list[list[Any]]) -> bool:
    """Do the libraries' files still have the size and mtime recorded? (An absent one must still be absent.)"""
    if len(recorded) != len(DEPENDENCIES):
        return False
    for (path, size, mtime_ns), name in zip(recorded, DEPENDENCIES):
        if size == _MISSING and path == name:
            from importlib.util import find_spec

            if find_spec(name) is not None:
                return False
        elif _stamp(path) != [path, size, mtime_ns]:
            return False
    return True


# --------------------------------------------------------------------------- decks as JSON data


def deck_to_dict(deck: Deck) -> dict[str, Any]:
    """A loaded deck as JSON data; :func:`deck_from_dict` rebuilds an equal Deck."""
    return {
        "id": deck.id,
        "title": deck.title,
        "path": str(deck.path),
        "language": deck.language,
        "tags": list(deck.tags),
        "topics": list(deck.topics),
        "cards": [_card_to_dict(c) for c in deck.cards],
        "templates": [t.to_dict() for t in deck.templates],
        "problems": [[p.source.path, p.source.line, p.message, p.severity] for p in deck.problems],
    }


def deck_from_dict(data: dict[str, Any]) -> Deck:
    """The Deck that :func:`deck_to_dict` wrote; KeyError, TypeError or ValueError on data of another shape."""
    return Deck(
        id=data["id"],
        title=data["title"],
        path=Path(data["path"]),
        language=data["language"],
        tags=tuple(data["tags"]),
        topics=tuple(data["topics"]),
        cards=tuple(_card_from_dict(c) for c in data["cards"]),
        templates=tuple(DrillTemplate.from_dict(t) for t in data["templates"]),
        problems=tuple(ContentProblem(SourceRef(path, line), message, severity) for path, line, message, severity in data["problems"]),
    )


def _card_to_dict(card: Card) -> dict[str, Any]:
    return {
        "id": card.id,
        "deck": card.deck,
        "topic": card.topic,
        "kind": card.kind.value,
        "question": card.question,
        "answer": card.answer,
        "source": [card.source.path, card.source.line],
        "options": list(card.options),
        "correct": card.correct,
        "note": card.note,
        "tags": list(card.tags),
        "cloze": card.cloze,
        "family": card.family,
        "mathjax": card.mathjax.to_dict() if card.mathjax is not None else None,
    }


def _card_from_dict(data: dict[str, Any]) -> Card:
    path, line = data["source"]
    return Card(
        id=data["id"],
        deck=data["deck"],
        topic=data["topic"],
        kind=CardKind(data["kind"]),
        question=data["question"],
        answer=data["answer"],
        source=SourceRef(path, line),
        options=tuple(data["options"]),
        correct=data["correct"],
        note=data["note"],
        tags=tuple(data["tags"]),
        cloze=data["cloze"],
        family=data["family"],
        mathjax=MathJax.from_dict(data["mathjax"]) if data["mathjax"] is not None else None,
    )
