"""Provides PracticeScreen: asking one question after another (typed, multiple choice or flashcard) with feedback.

Quiz, Drill and Review subclass it and decide which question comes next and what happens at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from quizapp.tui import keys
from quizapp.tui.items import DRILL, FLASHCARD, KIND_LABELS, MCQ, Outcome, Question, record_outcome
from quizapp.tui.widgets.answer_box import AnswerBox
from quizapp.tui.widgets.feedback_view import (
    FeedbackView,
    feedback_content,
    reveal_content,
)
from quizapp.tui.widgets.question_view import QuestionView

if TYPE_CHECKING:
    from textual.timer import Timer

    from quizapp.tui.app import QuizApp
    from quizapp.tui.widgets.mcq_options import McqOptions

__all__ = ["PracticeScreen", "elapsed_text"]

RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}

ASKING, REVEALED, ANSWERED = "asking", "revealed", "answered"


def elapsed_text(seconds: float) -> str:
    """m:ss, or h:mm:ss past an hour."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


class PracticeScreen(Screen[None]):
    """One question at a time; subclasses implement :meth:`next_question` and :meth:`finish`."""

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
    asks_cards = True
    """Whether cards come up (the drill asks computations only and skips building their widgets)."""
    confirms_leaving = False
    """Whether leaving before the end asks first (a quiz does; a drill or review shows what was done)."""

    def __init__(self) -> None:
        super().__init__()
        self.current: Question | None = None
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
        """The session is over: nothing more is asked and its clock stops."""
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
        """The question to ask next, or None when the session is over (each subclass decides)."""
        raise NotImplementedError

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
        self.leave_for(ResultsScreen(self.outcomes, elapsed=self._elapsed(self.started), title=f"{self.mode_name} results", then=then))

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
            prompt.update(f"Type the answer and press Enter.{hint}")
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
        """The outcome of ``text`` typed for ``question``'s computation, or None (said in ``answer_box``) when it
        cannot be read yet."""
        from quizapp.answers import AnswerError, check

        drill = question.drill
        try:
            result = check(text, drill.answer, drill.tolerance, misconceptions=drill.misconceptions, form=drill.form)
        except AnswerError as err:
            answer_box.show_error(str(err))
            return None
        answer_box.show_error("")  # an earlier "could not read" no longer applies
        from quizapp.progress import hinted_score
        from quizapp.schedule import rating_for_verdict

        verdict = result.verdict.value
        score = hinted_score(result.score, self.hint_used)
        return Outcome(
            question=question,
            verdict=verdict,
            score=score,
            rating=int(rating_for_verdict(verdict, hint_used=self.hint_used)),
            answer_text=text,
            hint_used=self.hint_used,
            elapsed_s=self._elapsed(self.asked_at),
            result=result,
        )

    # Handled by name, not with @on(McqOptions.Chosen): that would import the options widget (and
    # Textual's OptionList) with this module, before a drill's first frame that has no options.
    def on_mcq_options_chosen(self, event: McqOptions.Chosen) -> None:
        event.stop()
        question = self.current
        if self.phase != ASKING or question is None or question.card is None:
            return
        card = question.card
        right = event.index == card.correct
        outcome = Outcome(
            question=question,
            verdict="correct" if right else "wrong",
            score=1.0 if right else 0.0,
            rating=3 if right else 1,
            answer_text=f"{event.index + 1}. {card.options[event.index]}",
            elapsed_s=self._elapsed(self.asked_at),
            chosen=event.index,
        )
        event.options.mark(event.index, card.correct)
        self._answered(outcome)

    def _answered(self, outcome: Outcome) -> None:
        """Record at once, then show the feedback and wait for Enter."""
        self.outcomes.append(outcome)
        self._record(outcome)
        self.on_outcome(outcome)
        feedback = self._feedback()
        feedback.show(
            feedback_content(outcome, options_shown=True),
            footer=f"Press {self.app.key_label('practice.next')} for the next question.",
        )
        self.query_one("#prompt", Static).display = False
        self.phase = ANSWERED
        feedback.focus()
        self._update_status()

    def _record(self, outcome: Outcome) -> None:
        """Save the answer and its schedule update at once (quizapp.progress); a failure is shown, never swallowed."""
        from quizapp.store import StoreError

        try:
            record_outcome(self.app.store, outcome, now=self.app.clock())
        except StoreError as err:
            self.app.notify(f"Progress not saved: {err}", severity="error", timeout=10)

    def on_outcome(self, outcome: Outcome) -> None:
        """Hook for subclasses (the drill's streak)."""

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        kind = self.current.kind if self.current else None
        if action == "reveal":
            return kind == FLASHCARD and self.phase == ASKING
        if action == "grade":
            return kind == FLASHCARD and self.phase == REVEALED
        if action == "hint":
            return kind == DRILL and self.phase == ASKING and not self.hint_used and self._has_hint()
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
        """What each grade Again..Easy would give, to label the grade keys ("10m"); None: unlabelled (the review labels them)."""
        return None

    def action_grade(self, rating: int) -> None:
        question = self.current
        if question is None or question.card is None:
            return
        from quizapp.schedule import verdict_for_rating

        verdict, score = verdict_for_rating(rating)
        outcome = Outcome(
            question=question,
            verdict=verdict,
            score=score,
            rating=rating,
            answer_text=RATING_NAMES[rating],
            elapsed_s=self._elapsed(self.asked_at),
        )
        self.outcomes.append(outcome)
        self._record(outcome)
        self.on_outcome(outcome)
        self.advance()  # the answer is already on screen: the grade moves on

    def action_hint(self) -> None:
        drill = self.current.drill if self.current else None
        if drill is None:
            return
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
        """Escape: each subclass decides (ask first, or show the results so far)."""
        raise NotImplementedError
