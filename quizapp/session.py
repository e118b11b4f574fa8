"""Provides quiz and drill sessions: which question comes next (shared by the plain modes and the TUI).

Both are deterministic given their seed: ``build_quiz(bank, seed=7)`` is the same list every time,
and a ``DrillSession`` with the same seed and the same answers asks the same drills.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from quizapp.content.drill import DrillTemplate
from quizapp.content.model import Bank, Card, CardKind
from quizapp.digest import sha256
from quizapp.generate import DrillInstance, GenerationError, generate

__all__ = ["DRILL_SHARE", "DrillSession", "QuizItem", "build_quiz", "family", "level_for", "spread_siblings"]

DRILL_SHARE = 0.4
"""Share of drills in a quiz when the chosen topics have templates."""

_LEVEL_STARTS = (("hard", 6), ("medium", 3), ("easy", 0))


@dataclass(frozen=True)
class QuizItem:
    """One question of a quiz: a card (flashcard or multiple choice) or a drill instance."""

    card: Card | None = None
    drill: DrillInstance | None = None

    def __post_init__(self) -> None:
        if (self.card is None) == (self.drill is None):
            raise ValueError("a quiz item holds exactly one of card or drill")

    @property
    def kind(self) -> str:
        """"drill", "mcq" or "flashcard"."""
        if self.drill is not None:
            return "drill"
        return "mcq" if self.card.kind == CardKind.MCQ and self.card.options else "flashcard"

    @property
    def id(self) -> str:
        return self.drill.id if self.drill is not None else self.card.id

    @property
    def topic(self) -> str:
        return self.drill.topic if self.drill is not None else self.card.topic


def _rng(*parts: object) -> random.Random:
    """A random stream seeded from sha256 of the parts (stable across runs, unlike hash())."""
    digest = sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _round_robin(groups: list[list]) -> list:
    """Take one from each group in turn until all are empty: spreads a selection over topics."""
    out = []
    queues = [list(g) for g in groups if g]
    while queues:
        for q in queues:
            out.append(q.pop(0))
        queues = [q for q in queues if q]
    return out


def _by_topic(items: Sequence, rng: random.Random) -> list[list]:
    groups: dict[tuple[str, str], list] = {}
    for item in items:
        groups.setdefault((item.deck, item.topic), []).append(item)
    ordered = [groups[k] for k in groups]
    for g in ordered:
        rng.shuffle(g)
    rng.shuffle(ordered)
    return ordered


def spread_siblings(items: Sequence[Any], card_of: Callable[[Any], Card | None] = lambda item: item) -> list[Any]:
    """``items`` in the same order but that no card follows a sibling (see :func:`family`) while another item can
    go between: each such card swaps with the first later item that is not its sibling."""
    out = list(items)
    for k in range(1, len(out)):
        before = card_of(out[k - 1])
        key = family(before) if isinstance(before, Card) else None
        here = card_of(out[k])
        if key is None or not isinstance(here, Card) or family(here) != key:
            continue
        for j in range(k + 1, len(out)):
            other = card_of(out[j])
            if not isinstance(other, Card) or family(other) != key:
                out[k], out[j] = out[j], out[k]
                break
    return out


def family(item: Card | DrillInstance | DrillTemplate) -> tuple[str, ...] | None:
    """The siblings ``item`` belongs to, or None: the clozes cut from one paragraph, the cards of one note section
    (Card.family), or the computations of one template. Siblings are not asked back to back, and a review day
    asks one of each family (the rest wait for the next day)."""
    if isinstance(item, Card):
        if item.cloze:
            return ("cloze", item.deck, item.cloze)
        return ("section", item.deck, item.family) if item.family else None
    template_id = item.template_id if isinstance(item, DrillInstance) else item.id
    return ("template", template_id)


def build_quiz(bank: Bank, *, topics: Sequence[str] | None = None, count: int = 10, seed: int) -> list[QuizItem]:
    """A deterministic mix of flashcards, multiple choice and drills from ``topics``, spread over topics.

    About DRILL_SHARE of the questions are drills when templates exist (more when cards run out);
    no card and no template appears twice while there are unused ones, and sibling cards (the clozes of one
    paragraph, the cards of one note section) are not asked back to back.
    """
    if count < 1:
        return []
    rng = _rng("quiz", seed)
    cards = bank.cards(topics or None)
    templates = bank.templates(topics or None)

    n_drills = round(count * DRILL_SHARE) if templates else 0
    n_cards = min(len(cards), count - n_drills)
    if templates:
        n_drills = count - n_cards  # drills fill in when there are few cards

    chosen_cards = _round_robin(_by_topic(cards, rng))[:n_cards]
    items = [QuizItem(card=shuffle_options(c, rng)) for c in chosen_cards]

    if n_drills:
        order = _round_robin(_by_topic(templates, rng))
        made: list[DrillInstance] = []
        broken: set[str] = set()
        attempt = 0
        while len(made) < n_drills and len(broken) < len(order):
            template = order[attempt % len(order)]
            attempt += 1
            if template.id in broken:
                continue
            try:
                made.append(generate(template, rng.getrandbits(31), "medium"))
            except GenerationError:
                broken.add(template.id)  # `quizapp check` reports it; the quiz goes on without it
        items.extend(QuizItem(drill=d) for d in made)

    rng.shuffle(items)
    return spread_siblings(items, lambda item: item.card)


def shuffle_options(card: Card, rng: random.Random) -> Card:
    """The card with its multiple-choice options in a random order (the correct index follows).

    Decks tend to list the right option in a habitual place; shuffling at ask time keeps the answer
    from being guessable by position. The card id is unchanged, so progress stays with the card.
    """
    if not card.options or card.correct is None:
        return card
    order = list(range(len(card.options)))
    rng.shuffle(order)
    return replace(card, options=tuple(card.options[i] for i in order), correct=order.index(card.correct))


def level_for(climb: int) -> str:
    """easy for 0-2 consecutive successes, medium for 3-5, hard from 6."""
    for level, start in _LEVEL_STARTS:
        if climb >= start:
            return level
    return "easy"


class DrillSession:
    """Endless drills from ``templates``; the difficulty climbs with the streak of correct answers.

    ``streak`` counts consecutive correct answers (0 after a wrong one). The level follows a climb
    counter that grows with each correct answer (easy 0-2, medium 3-5, hard 6+) and that a wrong
    answer sends back to the start of the level below, so one slip drops one level, not to easy.
    A fixed ``level`` turns the climbing off.
    """

    def __init__(self, templates: Sequence[DrillTemplate], *, seed: int, level: str | None = None) -> None:
        if not templates:
            raise ValueError("no drill templates for the chosen topics")
        if level is not None and level not in ("easy", "medium", "hard"):
            raise ValueError(f"unknown level {level!r}")
        self.templates = list(templates)
        self.seed = seed
        self.fixed_level = level
        self.streak = 0
        self.answered = 0
        self.correct = 0
        self.current: DrillInstance | None = None
        self._climb = 0
        self._rng = _rng("drill", seed)
        self._last: str | None = None
        self._broken: set[str] = set()

    @property
    def level(self) -> str:
        return self.fixed_level or level_for(self._climb)

    def next(self) -> DrillInstance:
        """A fresh instance, never from the same template twice in a row when there is a choice."""
        while True:
            usable = [t for t in self.templates if t.id not in self._broken]
            if not usable:
                raise GenerationError(self.templates[0], self.level, "no template of the chosen topics can make a drill")
            choices = [t for t in usable if t.id != self._last] or usable
            template = choices[self._rng.randrange(len(choices))]
            instance_seed = self._rng.getrandbits(31)
            try:
                instance = generate(template, instance_seed, self.level)
            except GenerationError:
                self._broken.add(template.id)
                continue
            self._last = template.id
            self.current = instance
            return instance

    def record(self, correct: bool) -> None:
        """Count an answer and move the difficulty: up with the streak, one level down on a miss."""
        self.answered += 1
        if correct:
            self.correct += 1
            self.streak += 1
            self._climb += 1
        else:
            self.streak = 0
            current = level_for(self._climb)
            self._climb = {"hard": 3, "medium": 0, "easy": 0}[current]

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0
