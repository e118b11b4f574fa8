"""Provides HelpScreen: how the app works and every key of the screen it was opened from."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

__all__ = ["HelpScreen"]

GUIDE_PARAGRAPHS = (
    ("Home: pick topics with Space (none picked means all; a picks all or none), then start a Quiz (s), "
     "a Drill (d) or a Review (r). + and - change the quiz length. b browses every card."),
    ("Quiz: a fixed number of questions mixing flashcards, multiple choice and computations. "
     "The results at the end list your mistakes: Enter opens one, r practises them again."),
    ("Drill: endless computed questions; the numbers get harder while your streak grows. "
     "Esc shows the results so far."),
    "Review: the flashcards that spaced repetition says are due, the computations you got wrong lately, and some new cards.",
    ("Answering: type the answer and press Enter (numbers like 16 or 0.25, shapes like 16x16x3, "
     "vectors like [1, 2]). Multiple choice: the number keys, or the arrows and Enter. Flashcards: Space "
     "shows the answer, then grade your recall 1 Again, 2 Hard, 3 Good, 4 Easy. Ctrl+T shows a hint; "
     "a right answer after a hint counts half. Every answer is saved as you give it."),
    ("? opens this help (F1 while the cursor is in an answer or search box). Ctrl+P opens the command "
     "palette: screens, a single topic, a single drill (\"Drill: conv-output-size\"), and themes."),
)
GUIDE = "\n\n".join(GUIDE_PARAGRAPHS)


def _keys_table(screen: Screen) -> Content:
    app = screen.app
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        # The keys the footer shows; the widgets' own navigation (arrows, Tab) is in the guide below.
        if not binding.show or not binding.description or binding.system or not active.enabled:
            continue
        label = (binding.key_display or app.get_key_display(binding)).strip() or key
        if (label, binding.description) in seen:
            continue
        seen.add((label, binding.description))
        rows.append((label, binding.description))
    width = max((len(label) for label, _ in rows), default=4) + 2
    parts: list[str | tuple[str, str]] = [("Keys on this screen", "bold underline")]
    for label, description in rows:
        parts += ["\n", (f"{label:>{width}}", "bold $text-accent"), f"  {description}"]
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """Opened with ? (or F1) from any screen; Escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "close", "Close", id="help-close")]

    AUTO_FOCUS = "#help-scroll"

    def __init__(self, below: Screen) -> None:
        super().__init__()
        self.below = below

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Content.assemble(("quizapp help", "bold"), ("   Esc closes", "$text-muted")), id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(_keys_table(self.below), id="help-keys")
                yield Static(GUIDE, id="help-guide", markup=False)
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
