"""Provides markdown decks -> cards and drill templates (loader, note syntax, math rendering)."""

from quizapp.content.model import Bank, Card, CardKind, ContentError, ContentProblem, Deck, SourceRef

__all__ = ["Bank", "Card", "CardKind", "ContentError", "ContentProblem", "Deck", "SourceRef"]
