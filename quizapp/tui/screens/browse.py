"""Provides BrowseScreen: search every card by text and read it with its answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from quizapp.content.model import Card
from quizapp.tui import keys

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["BrowseScreen", "search_cards"]

MAX_RESULTS = 200


def search_cards(cards: Sequence[Card], query: str) -> list[Card]:
    """Cards whose question, answer, options, note, topic or deck contain every word of ``query`` (any case)."""
    words = query.casefold().split()
    if not words:
        return list(cards)
    found = []
    for card in cards:
        haystack = " ".join((card.question, card.answer, *card.options, card.note, card.topic, card.deck)).casefold()
        if all(word in haystack for word in words):
            found.append(card)
    return found


def _cut(text: str, width: int) -> str:
    """One line of at most ``width`` characters (the list stays one card a line)."""
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def card_content(card: Card) -> Content:
    parts: list[str | tuple[str, str]] = [
        (f"{card.topic} · {card.kind} · {card.deck}", "$text-muted"),
        "\n",
        (card.question, "bold"),
        "\n",
    ]
    if card.options:
        for i, option in enumerate(card.options):
            mark = "✓" if i == card.correct else " "
            parts += ["\n", (f"{mark} {i + 1}. ", "bold $text-success" if i == card.correct else ""), option]
    else:
        parts += ["\n", card.answer]
    if card.note:
        parts += ["\n\n", ("Why: ", "bold"), card.note]
    parts += ["\n\n", (str(card.source), "$text-muted")]
    return Content.assemble(*parts)


class BrowseScreen(Screen[None]):
    """A search box, the matching cards, and the highlighted card in full."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("browse")

    app: QuizApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[Card] = []
        self.results: list[Card] = []

    def compose(self) -> ComposeResult:
        to_results = self.app.key_label("browse.results")
        yield Input(placeholder=f"Search cards (words in any order); {to_results} to the results", id="search")
        yield Static("", id="browse-count", markup=False)
        yield OptionList(id="results")
        with VerticalScroll(id="card-scroll"):
            yield Static("", id="card", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.cards = self.app.bank.cards()
        self._search("")
        self.query_one("#search", Input).focus()

    @on(Input.Changed, "#search")
    def _changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @on(Input.Submitted, "#search")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.results:
            self.query_one("#results", OptionList).focus()

    def _search(self, query: str) -> None:
        self.results = search_cards(self.cards, query)
        shown = self.results[:MAX_RESULTS]
        results = self.query_one("#results", OptionList)
        width = max(20, self.size.width - 30)
        results.set_options(
            Option(Content.assemble((f"{_cut(card.topic, 22):<22} ", "$text-muted"), _cut(card.question, width)))
            for card in shown
        )
        more = f" (first {MAX_RESULTS} shown)" if len(self.results) > MAX_RESULTS else ""
        self.query_one("#browse-count", Static).update(f"{len(self.results)} of {len(self.cards)} cards{more}")
        if shown:
            results.highlighted = 0
        self._show(shown[0] if shown else None)

    def _show(self, card: Card | None) -> None:
        self.query_one("#card", Static).update(card_content(card) if card is not None else "No card matches.")

    @on(OptionList.OptionHighlighted, "#results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if 0 <= event.option_index < len(self.results):
            self._show(self.results[event.option_index])

    @on(OptionList.OptionSelected, "#results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#card-scroll").focus()

    def on_resize(self) -> None:
        self._search(self.query_one("#search", Input).value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "to_results":
            return bool(self.results) and isinstance(self.focused, Input)
        return True

    def action_to_results(self) -> None:
        """Down from the search box goes to the results, so the arrows alone move through cards."""
        self.query_one("#results", OptionList).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
