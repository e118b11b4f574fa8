"""Provides ReviewScreen: the due flashcards, each revealed and self-graded, scheduled by FSRS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import ProgressBar

from quizapp.tui import keys
from quizapp.tui.items import Question
from quizapp.tui.screens.practice import PracticeScreen

__all__ = ["ReviewScreen"]


class ReviewScreen(PracticeScreen):
    """Reviews ``cards`` in order (most overdue first, then new ones); Escape ends with the results so far."""

    # The same binding as the quiz's Leave (one id to remap), named for what it does here.
    BINDINGS: ClassVar[list[BindingType]] = [replace(keys.BINDINGS["practice.leave"], description="Finish")]

    mode_name = "Review"

    def __init__(self, cards: Sequence[Question], *, new: int = 0) -> None:
        super().__init__()
        self.cards = list(cards)
        self.new = new
        self.index = -1

    def on_mount(self) -> None:
        self.query_one(ProgressBar).update(total=len(self.cards), progress=0)


    def next_question(self) -> Question | None:
        self.index += 1
        return self.cards[self.index] if self.index < len(self.cards) else None

    def status_text(self) -> str:
        k = min(self.index + 1, len(self.cards))
        return f"Review · card {k} of {len(self.cards)} ({len(self.cards) - self.new} due, {self.new} new)"

    def on_outcome(self, outcome) -> None:
        self.query_one(ProgressBar).update(progress=len(self.outcomes))

    def action_leave(self) -> None:
        self.end()
        self.finish()
