"""Provides AnswerBox: a one-line input for typed answers that reports what was submitted."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

__all__ = ["AnswerBox"]


class AnswerBox(Vertical):
    """An input, and under it a line for "could not read that" messages; Enter posts :class:`AnswerBox.Submitted`."""

    @dataclass
    class Submitted(Message):
        """The user pressed Enter on an answer (a non-empty one unless ``allow_empty``)."""

        answer_box: AnswerBox
        text: str

        @property
        def control(self) -> AnswerBox:
            return self.answer_box

    allow_empty = False
    """Whether Enter on an empty box is submitted too (a review takes it as "I don't know")."""

    def __init__(self, *, placeholder: str = "Type your answer, then Enter", id: str | None = None) -> None:
        super().__init__(id=id)
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        # The "could not read that" line is mounted by the first message (show_error): most
        # questions never need it, and each widget delays the first frame.
        yield Input(placeholder=self._placeholder, id="answer-input", select_on_focus=False)

    @property
    def input(self) -> Input:
        return self.query_one("#answer-input", Input)

    @property
    def value(self) -> str:
        return self.input.value

    def reset(self, placeholder: str | None = None) -> None:
        """Empty, enabled and without a message, ready for the next question."""
        self.input.value = ""
        self.input.disabled = False
        if placeholder is not None:
            self.input.placeholder = placeholder
        self.show_error("")

    def show_error(self, message: str) -> None:
        """Show ``message`` under the input; an empty one hides the line."""
        shown = self.query("#answer-error")
        if not shown:
            if message:
                self.mount(Static(message, id="answer-error", markup=False))
            return
        error = shown.first(Static)
        error.update(message)
        error.display = bool(message)

    def focus(self, scroll_visible: bool = True) -> AnswerBox:
        self.input.focus(scroll_visible)
        return self

    @on(Input.Submitted, "#answer-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if text or self.allow_empty:
            self.post_message(self.Submitted(self, text))
        else:
            self.show_error("Type an answer first (Enter submits).")
