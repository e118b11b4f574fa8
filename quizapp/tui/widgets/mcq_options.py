"""Provides McqOptions: numbered multiple-choice options picked with arrows and Enter (the screen maps number keys)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

__all__ = ["McqOptions"]


class McqOptions(OptionList):
    """The options of one multiple-choice card; posts :class:`McqOptions.Chosen` once per question."""

    @dataclass
    class Chosen(Message):
        """An option was picked (0-based ``index``)."""

        options: McqOptions
        index: int

        @property
        def control(self) -> McqOptions:
            return self.options

    def show(self, options: Sequence[str]) -> None:
        """Replace the options; the first is highlighted and nothing is chosen yet."""
        self.set_options(
            Option(Content.assemble((f"{i}. ", "bold"), text)) for i, text in enumerate(options, 1)
        )
        self.highlighted = 0 if options else None
        self.disabled = False

    def choose(self, index: int) -> bool:
        """Pick option ``index`` (0-based) as if it had been selected; False when there is no such option."""
        if self.disabled or not 0 <= index < self.option_count:
            return False
        self.highlighted = index
        self._report(index)
        return True

    def mark(self, chosen: int, correct: int | None) -> None:
        """After the answer: ✓ on the right option, ✗ on a wrong pick, and no more choosing."""
        prompts = []
        for i in range(self.option_count):
            prompt = self.get_option_at_index(i).prompt
            mark = "✓ " if i == correct else ("✗ " if i == chosen else "  ")
            style = "bold $text-success" if i == correct else ("bold $text-error" if i == chosen else "")
            prompts.append(Option(Content.assemble((mark, style), prompt)))
        self.set_options(prompts)
        self.highlighted = chosen
        self.disabled = True

    def _report(self, index: int) -> None:
        self.disabled = True
        self.post_message(self.Chosen(self, index))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if not self.disabled:
            self._report(event.option_index)
