"""Provides DrillScreen: endless computed questions with streak, accuracy and a difficulty that climbs."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual.binding import BindingType

from quizapp.tui import keys
from quizapp.tui.items import Outcome, Question
from quizapp.tui.screens.practice import PracticeScreen

if TYPE_CHECKING:
    from quizapp.session import DrillSession

__all__ = ["DrillScreen"]


class DrillScreen(PracticeScreen):
    """Fresh instances from a :class:`quizapp.session.DrillSession` until Escape (or ``limit`` answers)."""

    # The same binding as the quiz's Leave (one id to remap), named for what it does here.
    BINDINGS: ClassVar[list[BindingType]] = [replace(keys.BINDINGS["practice.leave"], description="Finish")]

    mode_name = "Drill"
    show_progress = False
    asks_cards = False

    def __init__(self, session: DrillSession, *, limit: int | None = None) -> None:
        super().__init__()
        self.session = session
        self.limit = limit

    def next_question(self) -> Question | None:
        if self.limit is not None and len(self.outcomes) >= self.limit:
            return None
        from quizapp.generate import GenerationError

        try:
            return Question(drill=self.session.next())
        except GenerationError as err:  # every template of the selection failed: say so, end the drill
            self.app.notify(str(err), severity="error", timeout=10)
            return None

    def status_text(self) -> str:
        s = self.session
        accuracy = f"{s.correct / s.answered:.0%}" if s.answered else "–"
        level = self.current.drill.level if self.current and self.current.drill else s.level
        return f"Drill · streak {s.streak} · {s.correct}/{s.answered} right ({accuracy}) · level {level}"

    def on_outcome(self, outcome: Outcome) -> None:
        # A hint costs the streak: only an unaided right answer makes the numbers harder.
        self.session.record(outcome.correct and not outcome.hint_used)

    def action_leave(self) -> None:
        self.end()
        self.finish()
