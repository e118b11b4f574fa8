"""Provides ReviewScreen: today's review as a view of the study core (quizapp.study.StudySession), which decides
what comes next, records each answer, brings back what was graded Again and takes back the last answer."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual.binding import BindingType

from quizapp.tui import keys
from quizapp.tui.screens.practice import PracticeScreen

if TYPE_CHECKING:
    from quizapp.study import StudySession

__all__ = ["ReviewScreen"]


class ReviewScreen(PracticeScreen):
    """Reviews what ``session`` asks (due first, then new ones, then learning steps); Escape ends with the results so far."""

    # The same binding as the quiz's Leave (one id to remap), named for what it does here.
    BINDINGS: ClassVar[list[BindingType]] = [replace(keys.BINDINGS["practice.leave"], description="Finish")]

    mode_name = "Review"

    def __init__(self, session: StudySession, *, total: int, new: int = 0) -> None:
        super().__init__(session)
        self.total = total
        self.new = new

    def status_text(self) -> str:
        ask = self.session.current
        where = "again" if ask is not None and ask.again else f"card {min(self.session.taken, self.total)} of {self.total}"
        plan = f" ({self.total - self.new} due, {self.new} new)" if self.mode_name == "Review" else ""  # weak spots: due or not
        return f"{self.mode_name} · {where}{plan}"
