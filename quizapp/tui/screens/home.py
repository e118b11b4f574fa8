"""Provides HomeScreen: the topics with their counts and progress, the quiz length, and the modes to start."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, SelectionList, Static

from quizapp.tui import keys
from quizapp.tui.widgets.topic_picker import TopicPicker, TopicRow, header_text

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["HomeScreen"]


class HomeScreen(Screen[None]):
    """Pick topics, then start a quiz, a drill or a review."""

    CSS_PATH = Path(__file__).with_name("home.tcss")  # also read with the app's when Home is its first screen

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("home")

    app: QuizApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[TopicRow] = []
        self.due: dict[tuple[str, str], tuple[int, int]] | None = None
        """(deck id, topic) -> (due now, due tomorrow); None until the progress database is open."""

    def compose(self) -> ComposeResult:
        key = self.app.key_label
        yield Header()
        yield Static(
            f"{key('home.pick')} picks a topic (none picked = all) · {key('home.all-none')} all/none · "
            f"{key('home.longer')}/{key('home.shorter')} quiz length",
            id="home-hint",
            markup=False,
        )
        yield Static(header_text(), id="topic-header", markup=False)
        yield TopicPicker(id="topics")
        yield Static("", id="summary")
        yield Static("", id="due")
        with Horizontal(id="modes"):
            yield Button(f"Quiz ({key('home.quiz')})", id="quiz", variant="primary", compact=True)
            yield Button(f"Drill ({key('home.drill')})", id="drill", compact=True)
            yield Button(f"Review ({key('home.review')})", id="review", compact=True)
            yield Button(f"Browse ({key('home.browse')})", id="browse", compact=True)
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
        self.due = self.app.due_by_topic()
        picker = self.query_one(TopicPicker)
        picker.show(self.rows, self.app.selection)
        # No taller than its rows: on a tall terminal the actions follow the list instead of the screen's bottom.
        picker.styles.max_height = len(self.rows) + picker.styles.gutter.height
        self._update_summary()

    def _update_summary(self) -> None:
        chosen = set(self.app.selection)
        picked = [row for row in self.rows if row.key in chosen]
        # Nothing picked means every topic: say so in words, as every box is empty then.
        what = f"{len(picked)} topic{'s' if len(picked) != 1 else ''} picked" if picked else "All topics (none picked)"
        shown = picked or self.rows
        cards = sum(r.cards for r in shown)
        templates = sum(r.templates for r in shown)
        # One line at 80 columns: the keys for the length are on the line above and in the footer.
        self.query_one("#summary", Static).update(
            Content.assemble(
                (what, "bold"),
                f": {cards} cards, {templates} drills  ·  quiz length ",
                (str(self.app.count), "bold"),
            )
        )
        # Stats and Settings are left out of the footer (it would cut Help and Quit at 80 columns): named here.
        k = self.app.key_label
        opens = (f"{k('home.stats')} statistics · {k('home.settings')} settings", "$text-muted")
        if self.due is None:  # the progress database is not open yet
            self.query_one("#due", Static).update(Content.assemble(opens))
            return
        now = sum(self.due.get(r.key, (0, 0))[0] for r in shown)
        tomorrow = sum(self.due.get(r.key, (0, 0))[1] for r in shown)
        self.query_one("#due", Static).update(
            Content.assemble(
                (f"{now:,} due now", "bold $text-warning" if now else ""), f" · {tomorrow:,} tomorrow   ", opens
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
        starts = {"quiz": self.app.start_quiz, "drill": self.app.start_drill, "review": self.app.start_review, "weak": self.app.start_weak}
        starts[mode]()

    def action_browse(self) -> None:
        self.app.open_browse()

    def action_stats(self) -> None:
        self.app.open_stats()

    def action_settings(self) -> None:
        self.app.open_settings()

    def action_toggle_all(self) -> None:
        picker = self.query_one(TopicPicker)
        if picker.selected:
            picker.deselect_all()
        else:
            picker.select_all()

    def action_count(self, step: int) -> None:
        self.app.set_count(self.app.count + step)
        self._update_summary()
