"""Provides QuizScreen: a fixed list of questions with progress, k of N and elapsed time, ending on results."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import ProgressBar

from quizapp.tui.items import Question
from quizapp.tui.screens.practice import PracticeScreen

__all__ = ["LEAVE_DETAIL", "LEAVE_QUESTION", "QuizScreen"]

LEAVE_QUESTION = "Leave this quiz?"
LEAVE_DETAIL = "Your answers so far are saved."


class QuizScreen(PracticeScreen):
    """Asks ``questions`` in order; Escape asks before leaving; the last answer leads to the results."""

    mode_name = "Quiz"
    confirms_leaving = True

    def __init__(self, questions: Sequence[Question], *, title: str = "Quiz") -> None:
        super().__init__()
        self.questions = list(questions)
        self.index = -1
        self.mode_name = title

    def on_mount(self) -> None:
        self.query_one(ProgressBar).update(total=len(self.questions), progress=0)

    def next_question(self) -> Question | None:
        self.index += 1
        return self.questions[self.index] if self.index < len(self.questions) else None

    def status_text(self) -> str:
        k = min(self.index + 1, len(self.questions))
        right = sum(1 for o in self.outcomes if o.correct)
        return f"{self.mode_name} · question {k} of {len(self.questions)} · {right} right so far"

    def on_outcome(self, outcome) -> None:
        self.query_one(ProgressBar).update(progress=len(self.outcomes))

    def action_leave(self) -> None:
        from quizapp.tui.screens.confirm import ConfirmScreen

        def done(yes: bool | None) -> None:
            if yes:
                self.leave_for(None)

        self.app.push_screen(ConfirmScreen(LEAVE_QUESTION, LEAVE_DETAIL), done)
