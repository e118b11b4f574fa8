"""Provides McqOptions: numbered multiple-choice options picked with the number keys, or arrows and Enter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import BindingType
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.visual import Visual
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from quizapp.tui import keys

if TYPE_CHECKING:
    from textual.css.styles import RulesMap
    from textual.style import Style
    from textual.visual import RenderOptions

__all__ = ["McqOptions"]


class _Hanging(Visual):
    """A head ("✓ 2. ") and a text that wraps beside it, so a long option's second line starts under its text."""

    def __init__(self, head: Content, text: Content) -> None:
        self.head = head
        self.text = text

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.head.cell_length + self.text.get_optimal_width(rules, container_width - self.head.cell_length)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return max(1, self.text.get_height(rules, max(1, width - self.head.cell_length)))

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        indent = self.head.cell_length
        lines = self.text.render_strips(max(1, width - indent), height, style, options) or [Strip.blank(0)]
        head = self.head.render_strips(indent, 1, style, options)[0].extend_cell_length(indent, style.rich_style)
        blank = Strip.blank(indent, style.rich_style)
        return [Strip.join([head if n == 0 else blank, line]) for n, line in enumerate(lines)]


def _option(number: int, text: str, mark: str = " ", mark_style: str = "") -> Option:
    return Option(_Hanging(Content.assemble((f"{mark} ", mark_style), (f"{number}. ", "bold")), Content(text)))


class McqOptions(OptionList):
    """The options of one multiple-choice card; posts :class:`McqOptions.Chosen` once per question.

    The number keys are its own bindings (not the screen's), so remapping a flashcard grade that shares
    a key with an option leaves the option's key alone.
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("choices")

    texts: list[str]
    """The options' texts, in order."""

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
        self.texts = list(options)
        # The mark column is there from the start, so the options do not move when ✓ and ✗ appear.
        self.set_options(_option(i, text) for i, text in enumerate(self.texts, 1))
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
        for i, text in enumerate(self.texts):
            mark = "✓" if i == correct else ("✗" if i == chosen else " ")
            style = "bold $text-success" if i == correct else ("bold $text-error" if i == chosen else "")
            prompts.append(_option(i + 1, text, mark, style))
        self.set_options(prompts)
        self.highlighted = chosen
        self.disabled = True

    def action_choose(self, number: int) -> None:
        self.choose(number - 1)

    def _report(self, index: int) -> None:
        self.disabled = True
        self.post_message(self.Chosen(self, index))

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if not self.disabled:
            self._report(event.option_index)
