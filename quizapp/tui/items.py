"""Provides the plain data the screens pass around: a question being asked, its outcome, and bank selection."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from quizapp.content.model import Bank, Card, CardKind

if TYPE_CHECKING:
    from quizapp.answers import CheckResult
    from quizapp.generate import DrillInstance

__all__ = ["Outcome", "Question", "format_value", "restrict", "topic_keys"]

FLASHCARD, MCQ, DRILL = "flashcard", "mcq", "drill"

KIND_LABELS = {FLASHCARD: "flashcard", MCQ: "multiple choice", DRILL: "computation"}


@dataclass(frozen=True)
class Question:
    """One thing to ask: a card (flashcard or multiple choice) or a drill instance."""

    card: Card | None = None
    drill: DrillInstance | None = None

    @classmethod
    def of(cls, item: Any) -> Question:
        """From a session.QuizItem, a content Card or a generate.DrillInstance."""
        if isinstance(item, Question):
            return item
        if isinstance(item, Card):
            return cls(card=item)
        card = getattr(item, "card", None)
        drill = getattr(item, "drill", None)
        if card is not None or drill is not None:
            return cls(card=card, drill=drill)
        return cls(drill=item)  # a DrillInstance

    @property
    def kind(self) -> str:
        if self.drill is not None:
            return DRILL
        assert self.card is not None
        return MCQ if self.card.kind == CardKind.MCQ and self.card.options else FLASHCARD

    @property
    def id(self) -> str:
        return self.drill.id if self.drill is not None else self.card.id  # type: ignore[union-attr]

    @property
    def topic(self) -> str:
        return (self.drill or self.card).topic  # type: ignore[union-attr]

    @property
    def deck(self) -> str:
        return (self.drill or self.card).deck  # type: ignore[union-attr]

    @property
    def text(self) -> str:
        return (self.drill or self.card).question  # type: ignore[union-attr]


@dataclass(frozen=True)
class Outcome:
    """How one question went: what the store records and what results and feedback show."""

    question: Question
    verdict: str  # correct | partial | wrong
    score: float
    rating: int
    answer_text: str
    hint_used: bool = False
    elapsed_s: float = 0.0
    result: CheckResult | None = None
    chosen: int | None = None  # the option picked, for multiple choice
    second_try: str = ""
    """The second try typed after a wrong first one (``answer_text``, which decided the rating); empty without one."""
    second_right: bool = False

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"


def topic_keys(bank: Bank) -> list[tuple[str, str]]:
    """Every (deck id, topic) of the bank, in file order."""
    return [(deck.id, topic) for deck, topic, _n_cards, _n_templates in bank.topics()]


def restrict(bank: Bank, *, keys: Iterable[tuple[str, str]] | None = None, filters: Sequence[str] | None = None) -> Bank:
    """The part of ``bank`` in the picked topics: exact (deck id, topic) ``keys`` and/or the CLI's
    substring ``filters`` (as Bank.cards matches them). Neither given: the whole bank."""
    wanted = set(keys) if keys else None
    if wanted is None and not filters:
        return bank
    card_ids = {c.id for c in bank.cards(filters)} if filters else None
    template_ids = {t.id for t in bank.templates(filters)} if filters else None
    decks = []
    for deck in bank.decks:

        def keep(topic: str, deck_id: str = deck.id) -> bool:
            return wanted is None or (deck_id, topic) in wanted

        cards = tuple(c for c in deck.cards if keep(c.topic) and (card_ids is None or c.id in card_ids))
        templates = tuple(t for t in deck.templates if keep(t.topic) and (template_ids is None or t.id in template_ids))
        topics = tuple(
            t for t in deck.topics if keep(t) and (any(c.topic == t for c in cards) or any(x.topic == t for x in templates))
        )
        if topics:
            decks.append(replace(deck, cards=cards, templates=templates, topics=topics))
    return Bank(decks=tuple(decks))


def format_value(value: Any) -> str:
    """A parsed answer as the user would write it: 16, 0.0884, 16×16×3, [0.1, 0.2], [[1, 2], [3, 4]]."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".6g")
    if isinstance(value, tuple) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return "×".join(str(v) for v in value)
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)
