"""Provides TopicPicker: the decks' topics with card, template and due counts and recent accuracy, picked with Space."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.widgets import SelectionList
from textual.widgets.selection_list import Selection

__all__ = ["TopicPicker", "TopicRow", "header_text"]

NAME_WIDTH = 38


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
    return f"    {'Topic':<{NAME_WIDTH}} {'cards':>5} {'drills':>6} {'due':>4} {'recent':>6}"


def _prompt(row: TopicRow) -> Content:
    accuracy = f"{row.accuracy:.0%}" if row.accuracy is not None else "–"
    due = str(row.due) if row.due else "·"
    return Content.assemble(
        f"{_fit(row.topic, NAME_WIDTH):<{NAME_WIDTH}} {row.cards:>5} {row.templates:>6} ",
        (f"{due:>4}", "bold $text-warning" if row.due else "$text-muted"),
        f" {accuracy:>6}",
    )


class TopicPicker(SelectionList[tuple[str, str]]):
    """Topics as a selection list; values are (deck id, topic)."""

    def show(self, rows: Sequence[TopicRow], selected: Iterable[tuple[str, str]]) -> None:
        """Replace the rows, keeping the highlighted line where it was."""
        chosen = set(selected)
        highlighted = self.highlighted
        self.clear_options()
        self.add_options([Selection(_prompt(row), row.key, row.key in chosen) for row in rows])
        if rows:
            self.highlighted = min(highlighted or 0, len(rows) - 1)
