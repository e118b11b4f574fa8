"""Provides TopicPicker: the decks' topics with card, template and due counts and recent accuracy, picked with Space."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import BindingType
from textual.content import Content
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist
from textual.widgets.selection_list import Selection

from quizapp.tui import keys

__all__ = ["PICKED", "UNPICKED", "TopicPicker", "TopicRow", "header_text"]

NAME_WIDTH = 38
PICKED = "[✓] "
UNPICKED = "[ ] "
"""The box before each topic: its state in characters, so it reads without colour (and in a screen capture)."""


@dataclass(frozen=True)
class TopicRow:
    """One topic line: counts from the bank, due and accuracy from the store."""

    deck: str
    topic: str
    cards: int
    templates: int
    due: int = 0
    accuracy: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.deck, self.topic)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def header_text() -> str:
    return f"{' ' * len(PICKED)}{'Topic':<{NAME_WIDTH}} {'cards':>5} {'drills':>6} {'due':>4} {'recent':>6}"


def _prompt(row: TopicRow) -> Content:
    accuracy = f"{row.accuracy:.0%}" if row.accuracy is not None else "–"
    due = str(row.due) if row.due else "·"
    return Content.assemble(
        f"{_fit(row.topic, NAME_WIDTH):<{NAME_WIDTH}} {row.cards:>5} {row.templates:>6} ",
        (f"{due:>4}", "bold $text-warning" if row.due else "$text-muted"),
        f" {accuracy:>6}",
    )


class TopicPicker(SelectionList[tuple[str, str]]):
    """Topics as a selection list; values are (deck id, topic). Each line opens with [✓] or [ ]."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("topics")

    def show(self, rows: Sequence[TopicRow], selected: Iterable[tuple[str, str]]) -> None:
        """Replace the rows, keeping the highlighted line where it was."""
        chosen = set(selected)
        highlighted = self.highlighted
        self.clear_options()
        self.add_options([Selection(_prompt(row), row.key, row.key in chosen) for row in rows])
        if rows:
            self.highlighted = min(highlighted or 0, len(rows) - 1)

    def _get_left_gutter_width(self) -> int:
        return len(PICKED)

    def render_line(self, y: int) -> Strip:
        """The option's line after a text box: [✓] in the success colour when picked, a muted [ ] when not."""
        line = OptionList.render_line(self, y)  # the prompt alone; SelectionList's own box is a coloured X
        index = self.scroll_offset.y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        picked = selection.value in self.selected
        component = "selection-list--button-selected" if picked else "selection-list--button"
        underlying = next(iter(line)).style or self.rich_style
        box = Style(color=self.get_component_rich_style(component).color, bold=picked)
        box_style = underlying + box + Style(meta={"option": index})  # the meta lets a click on the box toggle it
        return Strip([Segment(PICKED if picked else UNPICKED, box_style), *line])
