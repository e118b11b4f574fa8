"""Provides the pairs of cards whose answer gives another away: card A's answer, a short term, written in card B's
question (seeing B tells A). The study core keeps such cards apart as it keeps siblings apart (quizapp.study).

The rule is kept conservative, to bury only what surely gives an answer away:

- A's answer (a multiple choice's right option) is a *term*: after normalising (case folded, markup and
  punctuation taken out, spaces collapsed) it has 2 to 6 words and at least MIN_CHARS letters or digits, so a
  one-word answer ("dropout", "4") or a sentence never counts;
- it appears in B's normalised question as whole words (not inside a longer word);
- A and B are different cards of one deck (a term shared across decks is the decks' own matter), and not already
  siblings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from quizapp.content.model import Card

__all__ = ["MAX_WORDS", "MIN_CHARS", "giveaway_keys", "giveaway_pairs", "normalise", "term"]

MIN_CHARS = 10
"""Letters and digits a term must have at least (a shorter one is found in too many questions by chance)."""
MAX_WORDS = 6
"""Words a term may have at most (a longer answer is an explanation, not a term one could read off a question)."""

_MARKUP = re.compile(r"[^\w\s]+")


def normalise(text: str) -> str:
    """``text`` case folded, every run of characters that are not letters, digits or spaces made a space, and the
    spaces collapsed: "Layer-Norm's *scale*." -> "layer norm s scale"."""
    return " ".join(_MARKUP.sub(" ", text.casefold()).split())


def term(card: Card) -> str | None:
    """``card``'s answer as a term that could be read off another question (see the module docstring), or None."""
    answer = card.options[card.correct] if card.options and card.correct is not None else card.answer
    if "\n" in answer.strip():
        return None  # a list or a worked answer, never one term
    text = normalise(answer)
    words = text.split()
    if not 2 <= len(words) <= MAX_WORDS or sum(ch.isalnum() for ch in text) < MIN_CHARS:
        return None
    return text


def giveaway_pairs(cards: Sequence[Card]) -> list[tuple[str, str]]:
    """(A id, B id) for each card A whose answer term is written in card B's question (same deck, not siblings)."""
    from quizapp.session import family

    questions = [(card, f" {normalise(card.question)} ") for card in cards]
    pairs = []
    for a in cards:
        found = term(a)
        if found is None:
            continue
        needle = f" {found} "
        key = family(a)
        for b, question in questions:
            if b.id != a.id and b.deck == a.deck and needle in question and (key is None or family(b) != key):
                pairs.append((a.id, b.id))
    return pairs


@lru_cache(maxsize=8)
def _pairs_of(cards: tuple[Card, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(giveaway_pairs(cards))


def giveaway_keys(cards: Sequence[Card]) -> dict[str, frozenset[tuple[str, ...]]]:
    """card id -> one key per give-away pair it is in, ("giveaway", id, id) with the ids sorted; a card in no pair is
    absent. Two cards sharing a key are not asked the same day; a card's other pairs are not joined to it (a term
    that many questions name buries only the card hiding it, never those questions among themselves)."""
    keys: dict[str, set[tuple[str, ...]]] = {}
    for a, b in _pairs_of(tuple(cards)):
        key = ("giveaway", *sorted((a, b)))
        keys.setdefault(a, set()).add(key)
        keys.setdefault(b, set()).add(key)
    return {card: frozenset(k) for card, k in keys.items()}
