"""Provides the plain data of a question bank: cards, decks, the bank, and content problems."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

if TYPE_CHECKING:  # drill.py owns DrillTemplate; model stays import-light
    from quizapp.content.drill import DrillTemplate

__all__ = ["Bank", "Card", "CardKind", "ContentError", "ContentProblem", "Deck", "SourceRef", "slug"]


def slug(text: str) -> str:
    """Lower-case words joined by '-', Unicode letters kept: 'Self Attention' -> 'self-attention'."""
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-_")


@dataclass(frozen=True)
class SourceRef:
    """Where something was written: a file and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


class ContentError(ValueError):
    """A problem in a content file, reported as ``file:line: message``."""

    def __init__(self, source: SourceRef, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message


@dataclass(frozen=True)
class ContentProblem:
    """A problem found while loading a deck; the loader keeps going and reports it."""

    source: SourceRef
    message: str
    severity: str = "error"  # "error" (quizapp check fails) or "warning"

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class CardKind(StrEnum):
    """What kind of question a card asks."""

    DEFINITION = "definition"  # "What is X?" from a note's first paragraph
    LIST = "list"  # recall a list (advantages, disadvantages, uses, ...)
    FORMULA = "formula"  # recall a formula
    QA = "qa"  # explicit Q:/A: or Question::Answer
    MCQ = "mcq"  # multiple choice, one correct option
    CLOZE = "cloze"  # {{c1::...}} deletion


@dataclass(frozen=True)
class Card:
    """One flashcard or multiple-choice question.

    ``question``, ``answer``, ``options`` and ``note`` are terminal text: formulas rendered as Unicode,
    no markdown markup left. ``id`` is stable: an explicit id, or a hash of deck and normalised question.
    """

    id: str
    deck: str
    topic: str
    kind: CardKind
    question: str
    answer: str
    source: SourceRef
    options: tuple[str, ...] = ()
    correct: int | None = None
    note: str = ""
    tags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "deck": self.deck,
            "topic": self.topic,
            "kind": str(self.kind),
            "question": self.question,
            "answer": self.answer,
            "source": str(self.source),
        }
        if self.options:
            data["options"] = list(self.options)
            data["correct"] = self.correct
        if self.note:
            data["note"] = self.note
        if self.tags:
            data["tags"] = list(self.tags)
        return data


@dataclass(frozen=True)
class Deck:
    """One markdown file: its cards, drill templates and the problems found while loading it."""

    id: str
    title: str
    path: Path
    language: str = "en"
    tags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    cards: tuple[Card, ...] = ()
    templates: tuple[DrillTemplate, ...] = ()
    problems: tuple[ContentProblem, ...] = ()


@dataclass(frozen=True)
class Bank:
    """Every loaded deck, with selection by topic."""

    decks: tuple[Deck, ...] = ()
    problems: tuple[ContentProblem, ...] = field(default=())

    def all_problems(self) -> list[ContentProblem]:
        out = list(self.problems)
        for deck in self.decks:
            out.extend(deck.problems)
        return out

    @staticmethod
    def _matches(filters: Sequence[str] | None, deck: Deck, topic: str, tags: Iterable[str]) -> bool:
        """A filter matches (case-insensitively, as a substring) a topic title or slug, deck id or title, or a tag."""
        if not filters:
            return True
        haystack = [topic.casefold(), slug(topic), deck.id.casefold(), deck.title.casefold()]
        haystack += [t.casefold() for t in (*deck.tags, *tags)]
        return any(f.casefold() in h or slug(f) in h for f in filters for h in haystack)

    def cards(self, topics: Sequence[str] | None = None) -> list[Card]:
        return [c for d in self.decks for c in d.cards if self._matches(topics, d, c.topic, c.tags)]

    def templates(self, topics: Sequence[str] | None = None) -> list[DrillTemplate]:
        return [t for d in self.decks for t in d.templates if self._matches(topics, d, t.topic, t.tags)]

    def topics(self) -> list[tuple[Deck, str, int, int]]:
        """(deck, topic, card count, template count) in file order."""
        rows = []
        for d in self.decks:
            for topic in d.topics:
                n_cards = sum(1 for c in d.cards if c.topic == topic)
                n_templates = sum(1 for t in d.templates if t.topic == topic)
                rows.append((d, topic, n_cards, n_templates))
        return rows
