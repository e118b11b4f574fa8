"""Provides QuizScreen: a fixed list of questions with progress, k of N and elapsed time, ending on results."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizapp.tui.screens.practice import PracticeScreen

if TYPE_CHECKING:
    from quizapp.study import StudySession

__all__ = ["LEAVE_DETAIL", "LEAVE_QUESTION", "QuizScreen"]

LEAVE_QUESTION = "Leave this quiz?"
LEAVE_DETAIL = "Your answers so far are saved."


class QuizScreen(PracticeScreen):
    """Asks the ``total`` questions ``session`` holds, then what came back after Again; Escape asks before leaving;
    the last answer leads to the results."""

    mode_name = "Quiz"
    confirms_leaving = True

    def __init__(self, session: StudySession, *, total: int, title: str = "Quiz") -> None:
        super().__init__(session)
        self.total = total
        self.mode_name = title

    def status_text(self) -> str:
        ask = self.session.current
        where = "again, after a mistake" if ask is not None and ask.again else f"question {min(self.session.taken, self.total)} of {self.total}"
        right = sum(1 for o in self.outcomes if o.correct)
        return f"{self.mode_name} · {where} · {right} right so far"

    def action_leave(self) -> None:
        from quizapp.tui.screens.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                self.leave_for(None)

        self.app.push_screen(ConfirmScreen(LEAVE_QUESTION, LEAVE_DETAIL), done)
