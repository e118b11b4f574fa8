"""Provides ResultsScreen (score, time, per-topic table, the mistakes) and MistakeScreen (one mistake at a time)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from quizapp.tui import keys
from quizapp.tui.items import DRILL, KIND_LABELS, MCQ, Outcome, format_value
from quizapp.tui.screens.practice import elapsed_text
from quizapp.tui.widgets.feedback_view import FeedbackView, feedback_content
from quizapp.tui.widgets.question_view import QuestionView

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["MistakeScreen", "ResultsScreen", "mistake_prompt", "question_end", "topic_table"]


def topic_table(outcomes: Sequence[Outcome]) -> list[tuple[str, int, int, float]]:
    """(topic, answered, right, mean score) per topic, in the order topics first came up."""
    rows: dict[str, list[float]] = {}
    for o in outcomes:
        rows.setdefault(o.question.topic, []).append(o.score)
    right: dict[str, int] = {}
    for o in outcomes:
        right[o.question.topic] = right.get(o.question.topic, 0) + (1 if o.correct else 0)
    return [(topic, len(scores), right[topic], sum(scores) / len(scores)) for topic, scores in rows.items()]


def _short(text: str, width: int = 70) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: max(0, width - 1)] + "…"


def _answers(outcome: Outcome) -> str:
    """What was given against what was right: "you: 31 · correct: 32", or the grade of a flashcard."""
    q = outcome.question
    if q.kind == DRILL and q.drill is not None:
        text = f"you: {_short(outcome.answer_text, 20)} · correct: {_short(q.drill.answer_text, 20)}"
        return text + (" (partly right)" if outcome.verdict == "partial" else "")
    if q.kind == MCQ and q.card is not None and outcome.chosen is not None:
        correct = f"{q.card.correct + 1}" if q.card.correct is not None else "?"
        return f"you: {outcome.chosen + 1} · correct: {correct}"
    return f"graded {outcome.answer_text}"


def question_end(text: str) -> str:
    """The question's last sentence without the remarks in brackets after it: "What is the output height?"
    from "A square input … dilation 1. What is the output height? (integer)"."""
    line = " ".join(text.split())
    while line.endswith(")") and " (" in line:
        line = line[: line.rindex(" (")].rstrip()
    starts = [line.rfind(mark, 0, len(line) - 1) for mark in (". ", "? ", "! ")]
    start = max(starts)
    return line[start + 2 :] if start >= 0 else line


def _detail(outcome: Outcome) -> str:
    """What sets this question apart from its look-alikes: a drill's numbers then what it asks; a card's question."""
    drill = outcome.question.drill
    if drill is None:
        return outcome.question.text
    numbers = " · ".join(f"{name} {_short(format_value(value), 18)}" for name, value in drill.params.items())
    return f"{numbers} — {question_end(drill.question)}" if numbers else drill.question


def mistake_prompt(outcome: Outcome, width: int) -> Content:
    """Two lines, each at most ``width`` long: topic and kind with the answers given and right, then the
    detail that tells it from the other mistakes (conv drills all open with the same sentence)."""
    q = outcome.question
    answers = _short(_answers(outcome), width - 15)
    head = _short(f"{q.topic} · {KIND_LABELS[q.kind]}", max(12, width - len(answers) - 3))
    return Content.assemble(
        (head, "$text-muted"),
        " " * max(3, width - len(head) - len(answers)),
        (answers, "bold"),
        "\n  ",
        _short(_detail(outcome), width - 2),
    )


class ResultsScreen(Screen[None]):
    """The end of a quiz, drill or review."""

    CSS_PATH = Path(__file__).with_name("results.tcss")

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("results")

    app: QuizApp  # type: ignore[assignment]

    def __init__(
        self,
        outcomes: Sequence[Outcome],
        *,
        elapsed: float,
        title: str = "Results",
        then: Callable[[], object] | None = None,
        next_due: str = "",
    ) -> None:
        super().__init__()
        self.next_due = next_due
        """When the items asked are due again ("Next due: in 1 minute · 2 of 5 within a day"), or empty."""
        self.then = then
        """What closing the results does instead of going Home: the palette command that ended the session."""
        self.outcomes = list(outcomes)
        self.elapsed = elapsed
        self.title_text = title
        self.mistakes = [o for o in self.outcomes if not o.correct]

    def compose(self) -> ComposeResult:
        n = len(self.outcomes)
        right = sum(1 for o in self.outcomes if o.correct)
        points = sum(o.score for o in self.outcomes)
        share = f"{points / n:.0%}" if n else "–"
        yield Static(
            Content.assemble(
                (self.title_text, "bold"),
                f"   {right} of {n} right · score {points:g}/{n} ({share}) · time {elapsed_text(self.elapsed)}",
                *((("\n" + self.next_due, "$text-muted"),) if self.next_due else ()),
            ),
            id="results-score",
        )
        table: DataTable[str] = DataTable(id="results-table", cursor_type="none", zebra_stripes=True)
        yield table
        key = self.app.key_label
        label = (
            f"Mistakes ({len(self.mistakes)}): Enter opens one, {key('results.retry')} practises them again"
            if self.mistakes
            else f"No mistakes. {key('results.home')} goes back to Home."
        )
        if self.then is not None:  # a palette command ended the session: it runs when these results close
            label = label.replace(f" {key('results.home')} goes back to Home.", "") + f" · {key('results.home')} goes on to what you chose"
        yield Static(label, id="mistakes-label", markup=False)
        yield OptionList(id="mistakes")
        yield Footer()

    def _fill_mistakes(self) -> None:
        """Two lines per mistake, cut to the screen's width so the list stays readable."""
        mistakes = self.query_one("#mistakes", OptionList)
        highlighted = mistakes.highlighted
        # Within the list's margin, border, padding and scrollbar, and no wider than the question's 110 columns.
        width = max(40, min(self.size.width - 8, 100))
        mistakes.set_options(Option(mistake_prompt(o, width)) for o in self.mistakes)
        if self.mistakes:
            mistakes.highlighted = highlighted or 0

    def on_resize(self) -> None:
        self._fill_mistakes()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Topic", "Answered", "Right", "Score")
        for topic, answered, right, score in topic_table(self.outcomes):
            table.add_row(Text(_short(topic, 40)), str(answered), str(right), f"{score:.0%}")  # Text: a topic is never markup
        mistakes = self.query_one("#mistakes", OptionList)
        mistakes.display = bool(self.mistakes)
        self._fill_mistakes()
        if self.mistakes:
            mistakes.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return bool(self.mistakes)
        return True

    @on(OptionList.OptionSelected, "#mistakes")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.app.push_screen(MistakeScreen(self.mistakes, event.option_index))

    def action_retry(self) -> None:
        """The mistakes once more, each computation with new numbers (quizapp.study.asked_again)."""
        from quizapp.study import asked_again
        from quizapp.tui.items import Question

        items = asked_again([o.question.drill or o.question.card for o in self.mistakes], self.app.bank.templates(), seed=self.app.next_seed())
        self.app.start_quiz([Question.of(item) for item in items], title="Mistakes again")

    def action_home(self) -> None:
        if self.then is not None:
            self.then()
        else:
            self.app.go_home()


class MistakeScreen(Screen[None]):
    """One mistake with its feedback; n / p walk through the others."""

    CSS_PATH = Path(__file__).with_name("results.tcss")

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("mistake")

    def __init__(self, mistakes: Sequence[Outcome], index: int = 0) -> None:
        super().__init__()
        self.mistakes = list(mistakes)
        self.index = index

    def compose(self) -> ComposeResult:
        yield Static("", id="status", markup=False)
        yield QuestionView(id="question")
        yield FeedbackView(id="feedback")
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        outcome = self.mistakes[self.index]
        q = outcome.question
        self.query_one("#status", Static).update(f"Mistake {self.index + 1} of {len(self.mistakes)}")
        self.query_one(QuestionView).show(q.text, topic=q.topic, kind=KIND_LABELS[q.kind])
        feedback = self.query_one(FeedbackView)
        feedback.show(feedback_content(outcome))
        feedback.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "step":
            target = self.index + int(parameters[0])  # type: ignore[call-overload]
            return 0 <= target < len(self.mistakes)
        return True

    def action_step(self, delta: int) -> None:
        self.index = max(0, min(len(self.mistakes) - 1, self.index + delta))
        self._show()

    def action_back(self) -> None:
        self.app.pop_screen()
