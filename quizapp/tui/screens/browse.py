"""Provides BrowseScreen: search the cards of the picked topics (or every topic) by text and read them with their answers;
suspend or flag the highlighted one (a column marks them: ⊘ suspended, ⚑ flagged)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from quizapp.content.model import Card
from quizapp.store import Mark
from quizapp.tui import keys
from quizapp.tui.items import topic_keys

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["BrowseScreen", "search_cards"]

MAX_RESULTS = 1000
"""Matches listed at most (the count line says when there are more): the list is rebuilt on every keystroke."""


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


MARK_COLUMN = {(False, False): "  ", (True, False): "⊘ ", (False, True): "⚑ ", (True, True): "⊘⚑"}
"""The list's first column by (suspended, flagged)."""


def card_content(card: Card, mark: Mark | None = None) -> Content:
    parts: list[str | tuple[str, str]] = [
        (f"{card.topic} · {card.kind} · {card.deck} · {card.id}", "$text-muted"),
        "\n",
        (card.question, "bold"),
        "\n",
    ]
    if card.options:
        for i, option in enumerate(card.options):
            tick = "✓" if i == card.correct else " "
            parts += ["\n", (f"{tick} {i + 1}. ", "bold $text-success" if i == card.correct else ""), option]
    else:
        parts += ["\n", card.answer]
    if card.note:
        parts += ["\n\n", ("Why: ", "bold"), card.note]
    parts += ["\n\n", (str(card.source), "$text-muted")]
    if mark is not None and mark.suspended:
        parts += ["\n", ("⊘ Suspended: never asked until unsuspended", "bold $text-warning")]
    if mark is not None and mark.flagged:
        parts += ["\n", ("⚑ Flagged", "bold $text-accent")]
    return Content.assemble(*parts)


class BrowseScreen(Screen[None]):
    """A search box, the matching cards, and the highlighted card in full.

    It searches the topics picked on Home (all when none are); a key widens the search to every topic.
    """

    CSS_PATH = Path(__file__).with_name("browse.tcss")

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("browse")

    every_topic: reactive[bool] = reactive(False, init=False)
    """Search every topic rather than only the ones picked on Home."""

    app: QuizApp  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[Card] = []
        self.results: list[Card] = []
        self.all_cards: list[Card] = []
        self.picked_cards: list[Card] = []
        self.n_picked_topics = 0
        self.marks: dict[str, Mark] = {}
        """The cards suspended or flagged (quizapp.store marks), by id."""

    def compose(self) -> ComposeResult:
        to_results = self.app.key_label("browse.results")
        yield Input(placeholder=f"Search cards (words in any order); {to_results} to the results", id="search")
        yield Static("", id="browse-count", markup=False)
        yield OptionList(id="results")
        with VerticalScroll(id="card-scroll"):
            yield Static("", id="card", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from quizapp.store import StoreError

        try:
            self.marks = self.app.store.marks()
        except StoreError as err:
            self.app.notify(f"Suspended and flagged cards not shown: {err}", severity="error", timeout=10)
        picked = self.app.practice_bank()
        self.all_cards = self.app.bank.cards()
        self.picked_cards = self.all_cards if picked is self.app.bank else picked.cards()
        self.n_picked_topics = len(topic_keys(picked))
        self.cards = self.picked_cards
        self._search("")
        self.query_one("#search", Input).focus()

    @property
    def narrowed(self) -> bool:
        """Do the picked topics leave some cards out (so widening the search would find more)?"""
        return len(self.picked_cards) < len(self.all_cards)

    def watch_every_topic(self, every_topic: bool) -> None:
        self.cards = self.all_cards if every_topic else self.picked_cards
        self._search(self.query_one("#search", Input).value)
        self.refresh_bindings()

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
        results.set_options(Option(self._row(card)) for card in shown)
        self.query_one("#browse-count", Static).update(self._count_text(len(shown)))
        if shown:
            results.highlighted = 0
            self._show(shown[0])
        elif self.narrowed and not self.every_topic and (elsewhere := len(search_cards(self.all_cards, query))):
            key = self.app.key_label("browse.all")
            self.query_one("#card", Static).update(f"No card matches in the picked topics; {key} finds {elsewhere} in all topics.")
        else:
            self._show(None)

    def _count_text(self, shown: int) -> str:
        """How many cards match, where the search looks, the key to look elsewhere, and any matches left out."""
        if self.every_topic or not self.narrowed:
            where = "all topics"
        else:
            where = f"the picked topic{'s' if self.n_picked_topics != 1 else ''}"
        text = f"{len(self.results)} of {len(self.cards)} cards in {where}"
        if self.narrowed:
            key = self.app.key_label("browse.picked" if self.every_topic else "browse.all")
            text += f" · {key}: {'the picked topics only' if self.every_topic else 'search all topics'}"
        if shown < len(self.results):
            text += f" · {shown} of {len(self.results)} matches shown — refine the search"
        return text

    def _row(self, card: Card) -> Content:
        """One line of the results: the mark column, the topic and the question, cut to the screen's width."""
        mark = self.marks.get(card.id)
        column = MARK_COLUMN[(mark.suspended, mark.flagged) if mark else (False, False)]
        width = max(20, self.size.width - 32)
        return Content.assemble((column, "bold $text-warning"), (f"{_cut(card.topic, 22):<22} ", "$text-muted"), _cut(card.question, width))

    def _show(self, card: Card | None) -> None:
        self.query_one("#card", Static).update(card_content(card, self.marks.get(card.id)) if card is not None else "No card matches.")

    @property
    def highlighted(self) -> Card | None:
        """The card highlighted in the results, if any."""
        index = self.query_one("#results", OptionList).highlighted
        return self.results[index] if index is not None and 0 <= index < min(len(self.results), MAX_RESULTS) else None

    def action_suspend(self) -> None:
        """Suspend the highlighted card (never asked, in any mode), or unsuspend it. Not a grade: nothing is recorded."""
        self._toggle("suspended")

    def action_flag(self) -> None:
        """Flag the highlighted card, or unflag it."""
        self._toggle("flagged")

    def _toggle(self, field: str) -> None:
        from quizapp.store import StoreError

        card = self.highlighted
        if card is None:
            return
        old = self.marks.get(card.id, Mark(card.id))
        try:
            mark = self.app.store.set_mark(card.id, **{field: not getattr(old, field)}, now=self.app.clock())
        except StoreError as err:
            self.app.notify(f"Not saved: {err}", severity="error", timeout=10)
            return
        if mark.suspended or mark.flagged:
            self.marks[card.id] = mark
        else:
            self.marks.pop(card.id, None)
        results = self.query_one("#results", OptionList)
        results.replace_option_prompt_at_index(results.highlighted, self._row(card))
        self._show(card)
        done = {"suspended": ("Suspended", "Unsuspended"), "flagged": ("Flagged", "Flag taken off")}[field]
        self.app.notify(done[0] if getattr(mark, field) else done[1], title="Browse")

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
        if action == "scope":
            return self.narrowed and self.every_topic == (parameters[0] == "picked")
        if action in ("suspend", "flag"):
            return bool(self.results)
        return True

    def action_scope(self, where: str) -> None:
        """Search every topic (``where`` = "all") or the picked ones again ("picked")."""
        self.every_topic = where == "all"

    def action_to_results(self) -> None:
        """Down from the search box goes to the results, so the arrows alone move through cards."""
        self.query_one("#results", OptionList).focus()

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        self.app.pop_screen()
