"""Provides ReviewScreen: today's review as a view of the study core (quizapp.study.StudySession), which decides
what comes next, records each answer, brings back what was graded Again and takes back the last answer."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual.binding import BindingType
from textual.widgets import ProgressBar

from quizapp.tui import keys
from quizapp.tui.items import Outcome, Question
from quizapp.tui.screens.practice import PracticeScreen
from quizapp.tui.widgets.answer_box import AnswerBox

if TYPE_CHECKING:
    from quizapp.study import StudySession

__all__ = ["ReviewScreen"]


class ReviewScreen(PracticeScreen):
    """Reviews what ``session`` asks (due first, then new ones, then learning steps); Escape ends with the results so far."""

    # The same binding as the quiz's Leave (one id to remap), named for what it does here; u takes an answer back.
    BINDINGS: ClassVar[list[BindingType]] = [replace(keys.BINDINGS["practice.leave"], description="Finish"), *keys.bindings("review")]

    mode_name = "Review"

    def __init__(self, session: StudySession, *, total: int, new: int = 0) -> None:
        super().__init__()
        self.session = session
        self.first_try = ""
        """The wrong first try of the computation asked, while its second try is awaited."""
        self.total = total
        self.new = new

    def next_question(self) -> Question | None:
        ask = self.session.next()
        return None if ask is None else Question.of(ask.item)

    def status_text(self) -> str:
        ask = self.session.current
        where = "again" if ask is not None and ask.again else f"card {min(self.session.taken, self.total)} of {self.total}"
        plan = f" ({self.total - self.new} due, {self.new} new)" if self.mode_name == "Review" else ""  # weak spots: due or not
        return f"{self.mode_name} · {where}{plan}"

    def typed_outcome(self, question: Question, text: str, answer_box: AnswerBox) -> Outcome | None:
        """A typed answer checked and recorded by the study core: Enter alone is "I don't know" (Again, the worked
        solution shown); a wrong but readable answer gets one more try first (settings ``second_try``), and the
        first try decides."""
        from quizapp.answers import AnswerError
        from quizapp.study import Retry

        try:
            done = self.session.submit(text) if text else self.session.dont_know()
        except AnswerError as err:
            answer_box.show_error(str(err))
            return None
        if isinstance(done, Retry):
            self.first_try = text
            answer_box.reset()
            answer_box.show_error(f"{text} is not right: one more try (Enter alone: I don't know).")
            return None
        answer_box.show_error("")
        if done.error is not None:
            self.app.notify(f"Progress not saved: {done.error}", severity="error", timeout=10)
        if done.first is not None:
            shown = f"{self.first_try} (then {text})" if text else self.first_try
        else:
            shown = text or "(I don't know)"
        return Outcome(
            question=question,
            verdict=done.verdict,
            score=done.score,
            rating=int(done.rating),
            answer_text=shown,
            hint_used=done.hint_used,
            elapsed_s=self._elapsed(self.asked_at),
            result=done.first or done.result,
        )

    def action_hint(self) -> None:
        self.session.hint()  # the core knows the hint was seen: a right answer then counts half
        super().action_hint()

    def on_mount(self) -> None:
        self.query_one(ProgressBar).update(total=self.total, progress=0)
        self.query_one(AnswerBox).allow_empty = True

    def _record(self, outcome: Outcome) -> None:
        """The answer goes to the study core, which records it (attempt and schedule) and decides if it comes back;
        a typed answer it has already taken (typed_outcome) is not recorded twice."""
        from quizapp.store import StoreError

        if self.session.current is None:
            return
        try:
            if outcome.chosen is not None:
                done = self.session.choose(outcome.chosen)
            else:
                done = self.session.grade(outcome.rating)
        except StoreError as err:  # the session itself catches a failed save; this is a failed read
            self.app.notify(f"Progress not saved: {err}", severity="error", timeout=10)
            return
        if done.error is not None:
            self.app.notify(f"Progress not saved: {done.error}", severity="error", timeout=10)

    def on_outcome(self, outcome: Outcome) -> None:
        self.query_one(ProgressBar).update(progress=min(self.session.taken, self.total))

    def grade_intervals(self) -> list[str]:
        """Each grade's interval from the scheduler's preview (quizapp.study.StudySession.intervals): "1m", "10m", "8d"."""
        from quizapp.schedule import short_interval

        intervals = self.session.intervals()
        return [short_interval(intervals[rating]) for rating in sorted(intervals)]

    def action_undo(self) -> None:
        """u: take back the last answer (history and schedule restored exactly) and ask that question again."""
        from quizapp.store import StoreError

        try:
            ask = self.session.undo()
        except StoreError as err:
            self.app.notify(f"Cannot undo: {err}", severity="error", timeout=10)
            return
        if ask is None:
            self.app.notify("Nothing to undo.", title="Review")
            return
        if self.outcomes:
            self.outcomes.pop()
        self.query_one(ProgressBar).update(progress=max(0, self.session.taken - 1))
        self.show(Question.of(ask.item))

    def action_leave(self) -> None:
        self.end()
        self.finish()
