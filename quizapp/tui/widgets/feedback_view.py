"""Provides FeedbackView: a scrolling panel for the verdict, the answer as parsed, the correct answer and the worked steps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from quizapp.slips import SLIP_LABEL
from quizapp.tui.items import DRILL, MCQ, Outcome, format_value

if TYPE_CHECKING:
    from quizapp.content.model import Card

__all__ = ["FeedbackView", "feedback_content", "reveal_content"]

Part = str | tuple[str, str]

GRADES = ("Again", "Hard", "Good", "Easy")

OPTION_WIDTH = 60
"""An option's text in the feedback while the options are on screen: one line beside its label at 80 columns."""


def grade_line(grade_keys: Sequence[str] = ("1", "2", "3", "4"), intervals: Sequence[str] | None = None) -> str:
    """The self-grade prompt under a revealed flashcard, with the key of each grade, and with ``intervals`` the
    time each grade gives ("1 Again · 1m   3 Good · 10m", as Anki labels its buttons)."""
    if intervals is None:
        return "How well did you recall it?  " + " · ".join(f"{key} {name}" for key, name in zip(grade_keys, GRADES, strict=True))
    grades = zip(grade_keys, GRADES, intervals, strict=True)
    # On a line of their own: with the intervals they would not fit beside the question at 80 columns.
    return "How well did you recall it?\n" + "   ".join(f"{key} {name} · {interval}" for key, name, interval in grades)


def _verdict_line(outcome: Outcome) -> list[Part]:
    if outcome.verdict == "correct":
        line: list[Part] = [("✓ Correct", "bold $text-success")]
        if outcome.hint_used:
            line.append(("  (with the hint: half a point)", "$text-muted"))
        return line
    if outcome.verdict == "partial":
        return [("◐ Partly right", "bold $text-warning")]
    return [("✗ Wrong", "bold $text-error")]


def _steps(steps: tuple[str, ...] | list[str]) -> list[Part]:
    parts: list[Part] = [("\n\nWorked solution", "bold underline")]
    for i, step in enumerate(steps, 1):
        parts += ["\n", (f"{i:>2}. ", "$text-muted"), step]
    return parts


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def _one_line(text: str, width: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def feedback_content(outcome: Outcome, *, options_shown: bool = False) -> Content:
    """The feedback for an answered drill or multiple-choice question, or a graded flashcard.

    ``options_shown``: the options are on screen with their ✓ and ✗, so a long option is cut to one
    line here (the screen is short; the option above is whole); without them it is shown whole.
    """
    q = outcome.question
    parts: list[Part] = _verdict_line(outcome)
    if q.kind == DRILL and q.drill is not None:
        drill = q.drill
        result = outcome.result
        parts += ["\n\n", ("You answered   ", "$text-muted"), outcome.answer_text]
        if result is not None and result.parsed is not None:
            shown = format_value(result.parsed)
            if shown != outcome.answer_text.strip():
                parts += [("   (read as ", "$text-muted"), shown, (")", "$text-muted")]
        if outcome.second_try:
            verdict = "right, but the first try counts" if outcome.second_right else "wrong too"
            parts += ["\n", ("Second try     ", "$text-muted"), outcome.second_try, (f"   ({verdict})", "$text-muted")]
        precision = drill.tolerance.describe(drill.form, expected=drill.answer)
        parts += ["\n", ("Correct answer ", "$text-muted"), (drill.answer_text, "bold")]
        if precision:
            parts += [(f"   ({precision})", "$text-muted")]
        if result is not None and outcome.verdict != "correct":
            # The checker's message ends with the misconception's or the slip's sentence; each gets its own line here.
            message = result.message.split(" A common mistake (", 1)[0].split(f" {SLIP_LABEL} ", 1)[0].strip()
            if message and message != "Not correct.":
                parts += ["\n", message]
            if result.misconception is not None:
                parts += ["\n\n", ("⚠ Common mistake: ", "bold $text-warning"), _sentence(result.misconception.explanation)]
            elif result.slip is not None:
                parts += ["\n\n", ("⚠ Likely slip: ", "bold $text-warning"), _sentence(result.slip.explanation)]
        if drill.steps:
            parts += _steps(drill.steps)
    elif q.kind == MCQ and q.card is not None:
        card = q.card

        def option(i: int) -> str:
            text = card.options[i]
            return f"{i + 1}. {_one_line(text, OPTION_WIDTH) if options_shown else text}"

        if outcome.chosen is not None and not outcome.correct:
            parts += ["\n\n", ("You chose      ", "$text-muted"), option(outcome.chosen)]
            if card.correct is not None:
                parts += ["\n", ("Correct answer ", "$text-muted"), (option(card.correct), "bold")]
        if card.note:
            parts += ["\n\n", ("Why: ", "bold"), card.note]
    elif q.card is not None:
        parts = [(f"Graded: {outcome.answer_text}", "bold")]
        parts += ["\n\n", ("Answer", "bold underline"), "\n", q.card.answer]
        if q.card.note:
            parts += ["\n\n", ("Why: ", "bold"), q.card.note]
    return Content.assemble(*parts)


def reveal_content(card: Card, *, grade_keys: Sequence[str] = ("1", "2", "3", "4"), intervals: Sequence[str] | None = None) -> Content:
    """A flashcard's answer, shown on Space, with the grades to choose from (``grade_keys``: Again..Easy; ``intervals``:
    what each gives, in a review)."""
    parts: list[Part] = [("Answer", "bold underline"), "\n", card.answer]
    if card.note:
        parts += ["\n\n", ("Why: ", "bold"), card.note]
    parts += ["\n\n", (grade_line(grade_keys, intervals), "$text-accent")]
    return Content.assemble(*parts)


class FeedbackView(VerticalScroll):
    """Below the question: hints, revealed answers and feedback; scrolls when the worked solution is long.

    Its text can be set from the moment it is made, before it is mounted (the practice screen
    mounts it after the question's first frame).
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None, name: str | None = None) -> None:
        self._text = Static("", id="feedback-text", markup=False)
        super().__init__(self._text, id=id, classes=classes, name=name)

    @property
    def text(self) -> Static:
        return self._text

    def show(self, content: Content | str, *, footer: str = "") -> None:
        if footer:
            content = Content.assemble(content, "\n\n", (footer, "$text-accent"))
        self.text.update(content)
        self.display = True
        self.scroll_home(animate=False)

    def clear(self) -> None:
        self.text.update("")
        self.display = False
