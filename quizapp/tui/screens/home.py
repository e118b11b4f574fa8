"""Provides HomeScreen: the topics with their counts and progress, the quiz length, and the modes to start."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, SelectionList, Static

from quizapp.tui.widgets.topic_picker import TopicPicker, TopicRow, header_text

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["HomeScreen"]


class HomeScreen(Screen[None]):
    """Pick topics, then start a quiz, a drill or a review."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start('quiz')", "Quiz", id="start-quiz"),
        Binding("d", "start('drill')", "Drill", id="start-drill"),
        Binding("r", "start('review')", "Review", id="start-review"),
        Binding("b", "browse", "Browse", id="browse"),
        Binding("a", "toggle_all", "All/none", show=False, id="select-all"),
        Binding("plus,equals_sign", "count(1)", "Length", key_display="+/-", id="quiz-longer"),
        Binding("minus", "count(-1)", "Shorter quiz", show=False, id="quiz-shorter"),
    ]

    app: QuizApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[TopicRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            "Space picks a topic (none picked = all) · a all/none · +/- quiz length", id="home-hint", markup=False
        )
        yield Static(header_text(), id="topic-header", markup=False)
        yield TopicPicker(id="topics")
        yield Static("", id="summary")
        with Horizontal(id="modes"):
            yield Button("Quiz (s)", id="quiz", variant="primary", compact=True)
            yield Button("Drill (d)", id="drill", compact=True)
            yield Button("Review (r)", id="review", compact=True)
            yield Button("Browse (b)", id="browse", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_topics()
        self.query_one(TopicPicker).focus()

    def on_screen_resume(self) -> None:
        # Back from a quiz or review: due counts and accuracy have changed.
        if self.rows:
            self.refresh_topics()

    def refresh_topics(self) -> None:
        self.rows = self.app.topic_rows()
        self.query_one(TopicPicker).show(self.rows, self.app.selection)
        self._update_summary()

    def _update_summary(self) -> None:
        picked = [row for row in self.rows if row.key in set(self.app.selection)] or self.rows
        what = f"{len(picked)} topic{'s' if len(picked) != 1 else ''}" if self.app.selection else "All topics"
        cards = sum(r.cards for r in picked)
        templates = sum(r.templates for r in picked)
        due = sum(r.due for r in picked)
        self.query_one("#summary", Static).update(
            Content.assemble(
                (what, "bold"),
                f": {cards} cards, {templates} drills, {due} due   ·   quiz length ",
                (str(self.app.count), "bold"),
                (" (+/-)", "$text-muted"),
            )
        )

    @on(SelectionList.SelectedChanged, "#topics")
    def _picked(self, event: SelectionList.SelectedChanged) -> None:
        picker = self.query_one(TopicPicker)
        order = {row.key: i for i, row in enumerate(self.rows)}
        self.app.set_selection(sorted(picker.selected, key=lambda k: order.get(k, 0)))
        self._update_summary()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "browse":
            self.action_browse()
        elif event.button.id:
            self.action_start(event.button.id)

    def action_start(self, mode: str) -> None:
        {"quiz": self.app.start_quiz, "drill": self.app.start_drill, "review": self.app.start_review}[mode]()

    def action_browse(self) -> None:
        self.app.open_browse()

    def action_toggle_all(self) -> None:
        picker = self.query_one(TopicPicker)
        if picker.selected:
            picker.deselect_all()
        else:
            picker.select_all()

    def action_count(self, step: int) -> None:
        self.app.set_count(self.app.count + step)
        self._update_summary()
