"""Provides DrillScreen: endless computed questions with streak, accuracy and a difficulty that climbs."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.binding import BindingType

from quizapp.tui import keys
from quizapp.tui.screens.practice import PracticeScreen

__all__ = ["DrillScreen"]


class DrillScreen(PracticeScreen):
    """Fresh instances from ``session`` (a study session over a :class:`quizapp.session.DrillSession`, endless
    unless it was given a count) until Escape; a wrong one comes back after its learning step with new numbers."""

    # The same binding as the quiz's Leave (one id to remap), named for what it does here.
    BINDINGS: ClassVar[list[BindingType]] = [replace(keys.BINDINGS["practice.leave"], description="Finish")]

    mode_name = "Drill"
    show_progress = False
    asks_cards = False

    def status_text(self) -> str:
        s = self.session.drills
        accuracy = f"{s.correct / s.answered:.0%}" if s.answered else "–"
        ask = self.session.current
        level = ask.item.level if ask is not None else s.level
        again = " · again, new numbers" if ask is not None and ask.again else ""
        return f"Drill · streak {s.streak} · {s.correct}/{s.answered} right ({accuracy}) · level {level}{again}"
