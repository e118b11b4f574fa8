"""Provides PracticeScreen: a view of one study session (quizapp.study.StudySession) asking one question after
another (typed, multiple choice or flashcard) with feedback.

The session decides what comes next, records each answer, brings a question answered Again back after its learning
step (a computation with new numbers), gives a wrong typed answer its second try, takes "I don't know" and undoes
the last answer; the screen shows and reports. Quiz, Drill and Review subclass it for their status line and ending.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from quizapp.tui import keys
from quizapp.tui.items import DRILL, FLASHCARD, KIND_LABELS, MCQ, Outcome, Question
from quizapp.tui.widgets.answer_box import AnswerBox
from quizapp.tui.widgets.feedback_view import (
    FeedbackView,
    feedback_content,
    reveal_content,
)
from quizapp.tui.widgets.question_view import QuestionView

if TYPE_CHECKING:
    from textual.timer import Timer

    from quizapp import study
    from quizapp.tui.app import QuizApp
    from quizapp.tui.widgets.mcq_options import McqOptions

__all__ = ["PracticeScreen", "elapsed_text", "next_due_line"]

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}

ASKING, REVEALED, ANSWERED = "asking", "revealed", "answered"


def elapsed_text(seconds: float) -> str:
    """m:ss, or h:mm:ss past an hour."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def next_due_line(dates: Sequence[datetime], now: datetime) -> str:
    """When the items of a finished session are due again: "Next due: in 1 minute · 2 of 5 within a day"
    (empty when none of them has a schedule)."""
    from quizapp.review import humanize_delta

    if not dates:
        return ""
    soon = sum(1 for due in dates if due - now <= timedelta(days=1))
    first = min(dates)
    # humanize_delta rounds down: a learning step 50 seconds away is not due "now".
    when = "in less than a minute" if now < first < now + timedelta(minutes=1) else humanize_delta(first, now)
    return f"Next due: {when} · {soon} of {len(dates)} within a day"


class PracticeScreen(Screen[None]):
    """One question at a time from ``session``; subclasses say what the status line shows and how leaving works."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("practice")

    AUTO_FOCUS = ""
    """Nothing is focused for us: show() picks the answer box or the options, and nothing while a flashcard
    is asked (a hidden option list or answer box would take its Enter and digits)."""

    phase: reactive[str] = reactive(ASKING, init=False)
    """Where the current question is: asking, revealed (flashcard awaiting a grade) or answered."""

    hint_used: reactive[bool] = reactive(False, init=False)
    """Whether the hint was shown for the current question."""

    app: QuizApp  # type: ignore[assignment]
    mode_name = "Practice"
    show_progress = True
    """A progress bar for a session of known length (not for the endless drill)."""
    total = 0
    """The questions the session set out to ask (the progress bar's length; learning steps come on top)."""
    asks_cards = True
    """Whether cards come up (the drill asks computations only and skips building their widgets)."""
    confirms_leaving = False
    """Whether leaving before the end asks first (a quiz does; a drill or review shows what was done)."""

    def __init__(self, session: study.StudySession) -> None:
        super().__init__()
        self.session = session
        self.first_try = ""
        """The wrong first try of the computation asked, while its second try is awaited."""
        self.current: Question | None = None
        self.last: study.Outcome | None = None
        """What the study core made of the last answer (when it comes back in this session, if it does)."""
        self.outcomes: list[Outcome] = []
        self.started: datetime | None = None
        self.asked_at: datetime | None = None
        self.finished = False
        self._ticker: Timer | None = None

    # --- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="status", markup=False)
        if self.show_progress:
            from textual.widgets import ProgressBar  # the endless drill has none: it need not load one

            yield ProgressBar(id="progress", show_eta=False, show_percentage=False)
        with VerticalScroll(id="question-scroll", can_focus=False):
            yield QuestionView(id="question")
        # No container around the options, answer box and prompt: every widget on this screen
        # delays its first frame (~0.6 ms each), and app.tcss places them without one.
        if self.asks_cards:
            from quizapp.tui.widgets.mcq_options import McqOptions  # the drill asks no cards

            yield McqOptions(id="options")
        yield AnswerBox(id="answer")
        yield Static("", id="prompt", markup=False)
        # The feedback panel (hidden until there is feedback) and the Footer come after the first frame.

    def on_mount(self) -> None:
        # The question paints first; the feedback panel and the key bar follow one frame later.
        self.call_after_refresh(self._after_first_frame)
        self.query_one(AnswerBox).allow_empty = True  # Enter alone: I don't know
        if self.show_progress:
            from textual.widgets import ProgressBar

            self.query_one(ProgressBar).update(total=self.total, progress=0)
        self.started = self.app.clock()
        self._ticker = self.set_interval(1, self._update_status)
        self.advance()

    async def _after_first_frame(self) -> None:
        """The feedback panel (hidden) and the key bar, one frame after the question."""
        from textual.widgets import Footer

        if not self.is_attached:
            return  # the app stopped first (a damaged database ends it right after the first frame)
        self._feedback()
        await self.mount(Footer())
        # The Footer shows the bindings announced after it mounted: the question focused its input
        # before this, so announce them again.
        self.refresh_bindings()

    def _feedback(self) -> FeedbackView:
        """The feedback panel, mounted hidden after the first frame or by the first use of it before then."""
        found = self.query(FeedbackView)
        if found:
            return found.first()
        view = FeedbackView(id="feedback")
        view.display = False
        self.mount(view, after="#prompt")
        return view

    @property
    def running(self) -> bool:
        """True while a session is under way (quitting asks first)."""
        return not self.finished

    def end(self) -> None:
        """The session is over: nothing more is asked and its clock stops. A wrong first try still waiting for its
        second is recorded as it was given (the first try decides)."""
        if not self.finished and self.current is not None:
            done = self.session.settle()
            if done is not None:
                self.outcomes.append(self._outcome(self.current, done, self.first_try))
        self.finished = True
        if self._ticker is not None:
            self._ticker.stop()

    def leave_for(self, screen: Screen[None] | None) -> None:
        """End the session and show ``screen`` (its results) in its place, or Home when None.

        Opened from the command line, the session is the app's first screen, which Textual cannot
        switch away (it keeps no result callback for it): the next screen then goes on top of it.
        """
        self.end()
        if screen is None:
            self.app.go_home()
        elif len(self.app.screen_stack) > 1:
            self.app.switch_screen(screen)
        else:
            self.app.push_screen(screen)

    # --- flow -------------------------------------------------------------------------------------

    def next_question(self) -> Question | None:
        """The question the session asks next, or None when it is over (or no template can make one: said)."""
        from quizapp.generate import GenerationError

        try:
            ask = self.session.next()
        except GenerationError as err:  # every template of an endless drill failed: say so, end the session
            self.app.notify(str(err), severity="error", timeout=10)
            return None
        return None if ask is None else Question.of(ask.item)

    def finish(self, then: Callable[[], object] | None = None) -> None:
        """What follows the last question: the results of what was answered (Home when nothing was).

        ``then`` is what the user asked for while the session was under way (a palette command): it
        runs when the results are closed, in place of going Home, so no answers go unseen.
        """
        from quizapp.tui.screens.results import ResultsScreen

        if not self.outcomes:
            self.leave_for(None)
            if then is not None:
                then()
            return
        screen = ResultsScreen(
            self.outcomes, elapsed=self._elapsed(self.started), title=f"{self.mode_name} results", then=then, next_due=self.next_due()
        )
        self.leave_for(screen)

    def next_due(self) -> str:
        """When what this session asked is due again (:func:`next_due_line`); empty when it cannot be read."""
        from quizapp.progress import schedule_target
        from quizapp.store import StoreError

        ids = {schedule_target(o.question.drill or o.question.card).item_id for o in self.outcomes}
        try:
            dates = self.app.store.due_dates(ids)
        except StoreError:
            return ""
        return next_due_line(list(dates.values()), self.app.clock())

    def status_text(self) -> str:
        """The top line: mode, position and score so far."""
        return self.mode_name

    def advance(self) -> None:
        """Ask the next question, or finish."""
        question = self.next_question()
        if question is None:
            self.end()
            self.finish()
            return
        self.show(question)

    def show(self, question: Question) -> None:
        """Lay the screen out for ``question``: options, an answer box, or a flashcard waiting for Space."""
        self.current = question
        self.asked_at = self.app.clock()
        self.hint_used = False
        answer = self.query_one(AnswerBox)
        prompt = self.query_one("#prompt", Static)
        for feedback in self.query(FeedbackView):  # none before the first frame: nothing to clear
            feedback.clear()  # (which also hides it)
        kind = question.kind
        extra = ""
        if question.drill is not None and question.drill.level and question.drill.level != "medium":
            extra = question.drill.level
        if self.is_flagged(question):
            extra = f"{extra} ⚑ flagged".strip()
        self.query_one(QuestionView).show(question.text, topic=question.topic, kind=KIND_LABELS[kind], extra=extra)
        self.query_one("#question-scroll", VerticalScroll).scroll_home(animate=False)
        if self.asks_cards:
            self.query_one("#options").display = kind == MCQ
        answer.display = kind == DRILL
        # Focus goes through Screen.set_focus, which focuses at once: the question's first frame
        # already has it (Widget.focus would wait for the next turn of the event loop).
        if kind == MCQ:
            assert question.card is not None
            options: McqOptions = self.query_one("#options")  # type: ignore[assignment]
            options.show(question.card.options)
            n = len(question.card.options)
            prompt.update(f"Press {self._choice_keys(n)}, or ↑ ↓ and Enter, to choose.")
            self.set_focus(options)
        elif kind == DRILL:
            answer.reset()
            hint = f"  {self.app.key_label('practice.hint')} shows a hint." if self._has_hint() else ""
            prompt.update(f"Type the answer, then Enter (Enter alone: I don't know).{hint}")
            self.set_focus(answer.input)
        else:
            reveal = keys.keys_label(self.app.binding_keys("flashcard.reveal"), sep=" or ")
            prompt.update(f"Recall the answer, then press {reveal} to see it.")
            self.set_focus(None)
        prompt.display = True
        self.phase = ASKING
        self._update_status()
        self.refresh_bindings()

    def _choice_keys(self, n: int) -> str:
        """The keys that pick options 1..n: "1–4" by default, each named when the user moved them."""
        labels = [self.app.key_label(f"choice.{i}") for i in range(1, n + 1)]
        if labels == [str(i) for i in range(1, n + 1)]:
            return f"1–{n}"
        return ", ".join(labels)

    def _has_hint(self) -> bool:
        drill = self.current.drill if self.current else None
        return drill is not None and bool(drill.hint or drill.steps)

    def _elapsed(self, since: datetime | None) -> float:
        if since is None:
            return 0.0
        return max(0.0, (self.app.clock() - since).total_seconds())

    def _update_status(self) -> None:
        self.query_one("#status", Static).update(f"{self.status_text()}   ⏱ {elapsed_text(self._elapsed(self.started))}")

    def watch_phase(self, phase: str) -> None:
        self.refresh_bindings()

    # --- answering --------------------------------------------------------------------------------

    @on(AnswerBox.Submitted)
    def _typed(self, event: AnswerBox.Submitted) -> None:
        event.stop()
        question = self.current
        if self.phase == ANSWERED:
            self.advance()  # Enter in the answer box after the feedback: the next question
            return
        if self.phase != ASKING or question is None or question.drill is None:
            return
        outcome = self.typed_outcome(question, event.text, event.answer_box)
        if outcome is not None:
            self._answered(outcome)

    def typed_outcome(self, question: Question, text: str, answer_box: AnswerBox) -> Outcome | None:
        """``text`` typed for the computation asked, checked and recorded by the study core; None (said in
        ``answer_box``) while there is nothing to show yet. Enter alone is "I don't know" (Again, the worked
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
            answer_box.show_error(f"{text} is not right: one more try ({self._dont_know_keys()}: I don't know).")
            return None
        answer_box.show_error("")  # an earlier "could not read" no longer applies
        if done.first is None:
            return self._outcome(question, done, text or "(I don't know)")
        second_right = done.result is not None and done.result.verdict.value == "correct"
        return replace(self._outcome(question, done, self.first_try), second_try=text, second_right=second_right)

    def _dont_know_keys(self) -> str:
        return f"Enter alone or {self.app.key_label('practice.dont-know')}"

    def _outcome(self, question: Question, done: study.Outcome, answer_text: str, chosen: int | None = None) -> Outcome:
        """What the screens show of the core's ``done`` (a failed save is said, never swallowed)."""
        if done.error is not None:
            self.app.notify(f"Progress not saved: {done.error}", severity="error", timeout=10)
        self.last = done
        return Outcome(
            question=question,
            verdict=done.verdict,
            score=done.score,
            rating=int(done.rating),
            answer_text=answer_text,
            hint_used=done.hint_used,
            elapsed_s=self._elapsed(self.asked_at),
            result=done.first or done.result,
            chosen=chosen,
        )

    # Handled by name, not with @on(McqOptions.Chosen): that would import the options widget (and
    # Textual's OptionList) with this module, before a drill's first frame that has no options.
    def on_mcq_options_chosen(self, event: McqOptions.Chosen) -> None:
        event.stop()
        question = self.current
        if self.phase != ASKING or question is None or question.card is None:
            return
        card = question.card
        done = self.session.choose(event.index)
        outcome = self._outcome(question, done, f"{event.index + 1}. {card.options[event.index]}", chosen=event.index)
        event.options.mark(event.index, card.correct)
        self._answered(outcome)

    def _answered(self, outcome: Outcome) -> None:
        """The answer is recorded (by the core): show the feedback and wait for Enter."""
        self.outcomes.append(outcome)
        self.on_outcome(outcome)
        feedback = self._feedback()
        feedback.show(feedback_content(outcome, options_shown=True), footer=self._after_answer(outcome))
        self.query_one("#prompt", Static).display = False
        self.phase = ANSWERED
        feedback.focus()
        self._update_status()

    def _after_answer(self, outcome: Outcome) -> str:
        """The feedback's last line: when the question comes back in this session, and the keys that go on or undo."""
        from quizapp.review import humanize_delta

        back = ""
        done = self.last
        if done is not None and done.comes_back is not None and done.at is not None:
            fresh = " with new numbers" if outcome.question.drill is not None else ""
            back = f"It comes back {humanize_delta(done.comes_back, done.at)}{fresh}, in this session. "
        return f"{back}Press {self.app.key_label('practice.next')} for the next question ({self.app.key_label('practice.undo')} undoes this answer)."

    def on_outcome(self, outcome: Outcome | None) -> None:
        """An answer is in (or, with None, taken back): the progress bar counts the first-time questions answered."""
        if not self.show_progress:
            return
        from textual.widgets import ProgressBar

        ask = self.session.current  # asked again after an undo: not answered yet
        answered = self.session.taken - (1 if ask is not None and not ask.again else 0)
        self.query_one(ProgressBar).update(progress=min(max(0, answered), self.total))

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        kind = self.current.kind if self.current else None
        if action == "reveal":
            return kind == FLASHCARD and self.phase == ASKING
        if action == "grade":
            return kind == FLASHCARD and self.phase == REVEALED
        if action == "hint":
            return kind == DRILL and self.phase == ASKING and not self.hint_used and self._has_hint()
        if action == "dont_know":
            return kind == DRILL and self.phase == ASKING
        if action == "undo":
            return self.session.can_undo
        if action == "next":
            return self.phase == ANSWERED
        return True

    def action_reveal(self) -> None:
        question = self.current
        if question is None or question.card is None:
            return
        self.query_one("#prompt", Static).display = False
        feedback = self._feedback()
        grades = [self.app.key_label(f"flashcard.{name.lower()}") for name in RATING_NAMES.values()]
        feedback.show(reveal_content(question.card, grade_keys=grades, intervals=self.grade_intervals()))
        feedback.focus()
        self.phase = REVEALED

    def grade_intervals(self) -> list[str] | None:
        """Each grade's interval from the scheduler's preview (quizapp.study.StudySession.intervals): "1m", "10m",
        "8d"; None (the grades unlabelled) when the progress cannot be read."""
        from quizapp.schedule import short_interval
        from quizapp.store import StoreError

        try:
            intervals = self.session.intervals()
        except StoreError:
            return None
        return [short_interval(intervals[rating]) for rating in sorted(intervals)]

    def action_grade(self, rating: int) -> None:
        question = self.current
        if question is None or question.card is None or self.phase != REVEALED:
            return
        outcome = self._outcome(question, self.session.grade(rating), RATING_NAMES[rating])
        self.outcomes.append(outcome)
        self.on_outcome(outcome)
        self.advance()  # the answer is already on screen: the grade moves on

    def action_dont_know(self) -> None:
        """I don't know (Enter alone does the same): the computation counts as Again and its worked solution is shown."""
        question = self.current
        if self.phase != ASKING or question is None or question.drill is None:
            return
        self._answered(self.typed_outcome(question, "", self.query_one(AnswerBox)))  # never None: nothing to read

    def action_undo(self) -> None:
        """Take back the last answer or grade (the core restores its history and schedule exactly) and ask it again."""
        from quizapp.store import StoreError

        try:
            ask = self.session.undo()
        except StoreError as err:
            self.app.notify(f"Cannot undo: {err}", severity="error", timeout=10)
            return
        if ask is None:
            self.app.notify("Nothing to undo.", title=self.mode_name)
            return
        if self.outcomes:
            self.outcomes.pop()
        self.first_try = ""
        self.on_outcome(None)
        self.show(Question.of(ask.item))
        self.app.notify("The last answer is taken back: here is its question again.", title=self.mode_name, timeout=3)

    def action_hint(self) -> None:
        drill = self.current.drill if self.current else None
        if drill is None:
            return
        self.session.hint()  # the core knows the hint was seen: a right answer then counts half
        self.hint_used = True
        text = drill.hint or drill.steps[0]
        self._feedback().show(f"Hint: {text}")
        self.query_one("#prompt", Static).update("Type the answer and press Enter (a right answer now counts half).")
        self.query_one(AnswerBox).focus()
        self.refresh_bindings()

    def action_next(self) -> None:
        self.advance()

    def action_suspend(self) -> None:
        """Suspend the item on screen (a computation: its template; never asked again, not a grade) and go on."""
        if self._mark(suspend=True):
            session = getattr(self, "session", None)
            if getattr(session, "templates", True) == []:  # a drill whose every template is now suspended
                self.end()
                self.finish()
            else:
                self.advance()

    def action_flag(self) -> None:
        """Flag the item on screen for a closer look, or unflag it (not a grade: the question stays)."""
        self._mark(suspend=False)

    def is_flagged(self, question: Question) -> bool:
        """Did the user flag ``question``'s item? The study core says so of what it asks (a screen without a core session
        does not read the store for it: before the first answer the database is not open yet)."""
        ask = getattr(getattr(self, "session", None), "current", None)
        return bool(getattr(ask, "flagged", False))

    def _mark(self, *, suspend: bool) -> bool:
        """Suspend or flip the flag of the item on screen through the study core (the store when the screen has no
        core session); say what was done. False when nothing was (no question, or the store failed)."""
        from quizapp.progress import schedule_target
        from quizapp.session import DrillSession
        from quizapp.store import StoreError
        from quizapp.study import StudySession, flip_flag

        if self.current is None or self.finished:
            return False
        item_id = schedule_target(self.current).item_id
        session = getattr(self, "session", None)
        try:
            if isinstance(session, StudySession):
                flagged = session.suspend(item_id) if suspend else session.flag(item_id)
            elif suspend:
                self.app.store.set_mark(item_id, suspended=True, now=self.app.clock())
                if isinstance(session, DrillSession):  # (a drill not yet on the core) draws from the rest
                    session.templates = [t for t in session.templates if t.id != item_id]
            else:
                flagged = flip_flag(self.app.store, item_id, self.app.clock())
        except StoreError as err:
            self.app.notify(f"Not saved: {err}", severity="error", timeout=10)
            return False
        if suspend:
            self.app.notify(f"Suspended {item_id}: not asked again until unsuspended in Browse.", title=self.mode_name)
        else:
            self.app.notify("Flagged." if flagged else "Flag taken off.", title=self.mode_name)
        return True

    def action_leave(self) -> None:
        """Escape: the results so far (a quiz asks first)."""
        self.end()
        self.finish()
