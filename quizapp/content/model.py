"""Provides the plain data of a question bank: cards, decks, the bank, and content problems."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # drill.py owns DrillTemplate; model stays import-light
    from quizapp.content.drill import DrillTemplate

__all__ = ["Bank", "Card", "CardKind", "ContentError", "ContentProblem", "Deck", "MathJax", "SourceRef", "slug"]


TOPICS_SHOWN = 10
"""Topics named when a topic filter matches nothing (the rest are counted)."""


def slug(text: str) -> str:
    """Lower-case words joined by '-', Unicode letters kept: 'Self Attention' -> 'self-attention'."""
    return re.sub(r"[^\w]+", "-", text.casefold()).strip("-_")


@dataclass(frozen=True)
class SourceRef:
    """Where something was written: a file and a 1-based line (0: the file as a whole)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line > 0 else self.path


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
class MathJax:
    """A card's texts with each formula as MathJax source, ``\\(latex\\)`` (``\\[latex\\]`` for a display
    formula), as Anki shows it; the rest is the card's terminal text. Fields without a formula hold
    their terminal text, so each field reads the same as the card's field of that name."""

    question: str
    answer: str
    options: tuple[str, ...] = ()
    note: str = ""
    cloze: str = ""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"question": self.question, "answer": self.answer}
        if self.options:
            data["options"] = list(self.options)
        if self.note:
            data["note"] = self.note
        if self.cloze:
            data["cloze"] = self.cloze
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MathJax:
        """The MathJax that :meth:`to_dict` wrote; KeyError or TypeError on data of another shape."""
        return cls(
            question=str(data["question"]),
            answer=str(data["answer"]),
            options=tuple(str(o) for o in data.get("options", ())),
            note=str(data.get("note", "")),
            cloze=str(data.get("cloze", "")),
        )


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
    cloze: str = ""
    """A cloze card's whole paragraph in Anki's syntax, ``... {{c1::hidden::hint}} ...`` (terminal text
    around the deletions); every card cut from one paragraph holds the same text. Empty for other kinds."""
    family: str = ""
    """The note section a card generated from notes was cut from (its heading's subject): the definition, list
    and formula cards of one section are siblings (quizapp.study buries them). Empty for written cards."""
    mathjax: MathJax | None = None
    """The card's texts with formulas as MathJax for the exports that show it (Anki); None when no field
    holds a formula written as ``$...$``."""

    def to_dict(self) -> dict[str, Any]:
        """The card as the JSON export writes it: every field, those that are empty for the card left out."""
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
        if self.cloze:
            data["cloze"] = self.cloze
        if self.family:
            data["family"] = self.family.partition("\0")[2]  # the topic is already there: the section's subject
        if self.mathjax is not None:
            data["mathjax"] = self.mathjax.to_dict()
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

    def _selector(self, filters: Sequence[str] | None) -> Callable[[Deck, str, Iterable[str]], bool]:
        """A predicate choosing cards and templates by topic filters (case-insensitive substrings).

        A filter that matches a topic title or slug selects those topics only, so `momentum` picks
        the Momentum topic, not the whole deck whose title mentions momentum. A filter that matches
        no topic falls back to deck ids, deck titles and tags.
        """
        if not filters:
            return lambda deck, topic, tags: True
        wanted = [f.casefold() for f in filters]
        topics = {t for d in self.decks for t in d.topics}

        def hits(f: str, text: str) -> bool:
            return f in text.casefold() or slug(f) in slug(text)

        by_topic = [f for f in wanted if any(hits(f, t) for t in topics)]
        by_deck = [f for f in wanted if f not in by_topic]

        def matches(deck: Deck, topic: str, tags: tuple[str, ...]) -> bool:
            if any(hits(f, topic) for f in by_topic):
                return True
            places = [deck.id, deck.title, *deck.tags, *tags]
            return any(hits(f, p) for f in by_deck for p in places)

        # Cards of one topic mostly share their tags: each (deck, topic, tags) is matched once.
        known: dict[tuple[int, str, tuple[str, ...]], bool] = {}

        def select(deck: Deck, topic: str, tags: Iterable[str]) -> bool:
            key = (id(deck), topic, tuple(tags))
            hit = known.get(key)
            if hit is None:
                hit = known[key] = matches(deck, topic, key[2])
            return hit

        return select

    def cards(self, topics: Sequence[str] | None = None) -> list[Card]:
        select = self._selector(topics)
        return [c for d in self.decks for c in d.cards if select(d, c.topic, c.tags)]

    def templates(self, topics: Sequence[str] | None = None) -> list[DrillTemplate]:
        select = self._selector(topics)
        return [t for d in self.decks for t in d.templates if select(d, t.topic, t.tags)]

    def topics(self) -> list[tuple[Deck, str, int, int]]:
        """(deck, topic, card count, template count) in file order."""
        from collections import Counter

        rows = []
        for d in self.decks:
            n_cards = Counter(c.topic for c in d.cards)
            n_templates = Counter(t.topic for t in d.templates)
            rows.extend((d, topic, n_cards[topic], n_templates[topic]) for topic in d.topics)
        return rows

    def mismatch(self, topics: Sequence[str] | None) -> str | None:
        """Why ``topics`` select nothing ("no cards or drills match topic 'x'; topics: ..."), or None when
        they select some card or drill template (or no filter is given)."""
        if not topics or self.cards(topics) or self.templates(topics):
            return None
        names = list(dict.fromkeys(topic for _, topic, _, _ in self.topics()))
        wanted = " or ".join(map(repr, topics))
        if not names:
            return f"no cards or drills match topic {wanted}: no decks are loaded"
        shown = ", ".join(names[:TOPICS_SHOWN])
        if len(names) > TOPICS_SHOWN:
            shown += f" and {len(names) - TOPICS_SHOWN} more (see `quizapp topics`)"
        elif len(names) > 3:
            shown += " (see `quizapp topics`)"
        return f"no cards or drills match topic {wanted}; topics: {shown}"
