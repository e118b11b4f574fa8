"""Provides ConfirmScreen: a yes/no question before something that interrupts (quitting or leaving a quiz)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

from quizapp.tui import keys

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["ConfirmScreen"]


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True on y (or the Yes button), False on n / Escape (or No, focused first)."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("confirm")

    app: QuizApp  # type: ignore[assignment]

    def __init__(self, question: str, detail: str = "") -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            if self.detail:
                yield Static(self.detail, id="confirm-detail", markup=False)
            with Horizontal(id="confirm-buttons"):
                key = self.app.key_label
                yield Button(f"Yes ({key('confirm.yes')})", id="yes", variant="error", compact=True)
                yield Button(f"No ({key('confirm.no')})", id="no", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        # A stray Enter keeps the user where they were.
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
