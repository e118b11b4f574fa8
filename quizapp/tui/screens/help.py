"""Provides HelpScreen: the keys of the screen it was opened from, how the app works, and every binding id
with its current keys and where to remap them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from quizapp.tui import keys

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["HelpScreen", "guide_text", "keymap_content"]

REMAP_EXAMPLE = {"keymap": {"practice.hint": "f2", "home.quiz": ["s", "ctrl+s"]}}


def guide_text(app: QuizApp) -> str:
    """How the app works, naming each key as it is bound now (the user's keymap applied)."""
    k = app.key_label
    grades = ", ".join(f"{k(f'flashcard.{g.lower()}')} {g}" for g in ("Again", "Hard", "Good", "Easy"))
    paragraphs = (
        f"Home: pick topics with {k('home.pick')} (none picked means all; {k('home.all-none')} picks all or none), "
        f"then start a Quiz ({k('home.quiz')}), a Drill ({k('home.drill')}) or a Review ({k('home.review')}). "
        f"{k('home.longer')} and {k('home.shorter')} change the quiz length. {k('home.browse')} browses the cards "
        f"of the picked topics ({k('browse.all')} there searches all topics). {k('home.stats')} opens your "
        f"statistics ({k('stats.drill-mistakes')} there drills your most frequent mistakes, {k('stats.fit')} fits "
        f"FSRS to your reviews); {k('home.settings')} the settings: new cards and reviews a day, desired retention, "
        "the hour a day starts, drill level, quiz length, second try.",
        "Quiz: a fixed number of questions mixing flashcards, multiple choice and computations. "
        f"The results at the end list your mistakes: Enter opens one, {k('results.retry')} practises them again.",
        "Drill: endless computed questions; the numbers get harder while your streak grows. "
        f"{k('practice.leave')} shows the results so far.",
        "Review: the flashcards that spaced repetition says are due, the computations you got wrong lately, "
        "and some new cards.",
        "Answering: type the answer and press Enter (numbers like 16 or 0.25, shapes like 16x16x3, "
        "vectors like [1, 2]). Multiple choice: the number keys, or the arrows and Enter. Flashcards: "
        f"{keys.keys_label(app.binding_keys('flashcard.reveal'), sep=' or ')} shows the answer, then grade your recall: {grades}. "
        f"{k('practice.hint')} shows a hint; a right answer after a hint counts half. Enter alone (or "
        f"{k('practice.dont-know')}) is I don't know: the worked solution, counted as Again. A wrong answer that "
        "could be read gets one more try (the first try counts; Settings can turn this off). "
        "Every answer is saved as you give it; "
        f"{keys.keys_label(app.binding_keys('practice.undo'), sep=' or ')} takes back the last answer or grade. "
        "A question answered wrong or Again comes back later in the session (a computation with new numbers).",
        f"{k('app.help')} opens this help ({k('app.help-typing')} while the cursor is in an answer or search box). "
        f"{k('app.palette')} opens the command palette: screens, a single topic, a single drill "
        '("Drill: conv-output-size"), and themes.',
    )
    return "\n\n".join(paragraphs)


def _keys_table(screen: Screen) -> Content:
    """The keys the footer of ``screen`` shows (read before Help covers it, while they are still enabled)."""
    app = screen.app
    rows: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        # The widgets' own navigation (arrows, Tab) is in the guide below.
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


def keymap_content(app: QuizApp) -> Content:
    """Every binding id with its keys now and what it does, then where and how to remap them."""
    id_width = max(len(binding_id) for binding_id in keys.BINDINGS) + 2
    bound = {binding_id: keys.keys_label(app.binding_keys(binding_id)) for binding_id in keys.BINDINGS}
    keys_width = max(len(label) for label in bound.values())
    parts: list[str | tuple[str, str]] = [("Every key, by binding id", "bold underline")]
    for section in keys.SECTIONS:
        parts += ["\n\n", (section.title, "bold")]
        for binding in section.bindings:
            assert binding.id is not None
            remapped = binding.id in app.keymap
            parts += [
                "\n  ",
                (f"{binding.id:<{id_width}}", "$text-muted"),
                (f"{bound[binding.id]:<{keys_width}}", "bold $text-accent"),
                (" *" if remapped else "  ", "bold $text-warning"),
                f" {binding.tooltip or binding.description}",
            ]
    example = json.dumps(REMAP_EXAMPLE)
    parts += [
        "\n\n",
        ("Remap keys", "bold"),
        f" in {app.settings_path} (restart quizapp to apply; * marks a key you remapped):\n  {example}\n"
        "Keys go by their Textual names: a, ctrl+t, f2, escape, enter, space, question_mark (or ?); "
        "several keys as a list. A screen's own keys must differ, except where they never apply at once (Show answer "
        "and Next share Enter); keys used while typing an answer need Ctrl or F1–F12.",
    ]
    if app.keymap_problems:
        parts += ["\n\n", ("Left out of the settings file", "bold $text-warning")]
        for problem in app.keymap_problems:
            parts += ["\n  ", problem]
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """Opened with ? (or F1) from any screen; Escape, q or ? closes it."""

    CSS_PATH = Path(__file__).with_name("dialogs.tcss")

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("help")

    AUTO_FOCUS = "#help-scroll"

    app: QuizApp  # type: ignore[assignment]

    def __init__(self, below: Screen) -> None:
        super().__init__()
        self.below = below
        self.keys_below = _keys_table(below)

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            close = self.app.key_label("help.close")
            yield Static(Content.assemble(("quizapp help", "bold"), (f"   {close} closes", "$text-muted")), id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(self.keys_below, id="help-keys")
                yield Static(guide_text(self.app), id="help-guide", markup=False)
                yield Static(keymap_content(self.app), id="help-keymap")
            yield Static("", id="help-more", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        self.watch(scroll, "scroll_y", self._scrolled, init=False)
        self.call_after_refresh(self._scrolled)

    def on_resize(self) -> None:
        self.call_after_refresh(self._scrolled)

    def _scrolled(self, _scroll_y: float | None = None) -> None:
        """The line under the help: is there more below, and which keys scroll (a scrollbar alone is easy to miss)."""
        scroll = self.query_one("#help-scroll", VerticalScroll)
        k = self.app.key_label
        if scroll.max_scroll_y <= 0:
            text = "All of the help is shown."
        elif scroll.scroll_y < scroll.max_scroll_y:
            shown = min(100, round(100 * (scroll.scroll_y + scroll.scrollable_content_region.height) / scroll.virtual_size.height))
            text = f"▼ more below ({shown}% read) · {k('help.page-down')} or ↓ scrolls down, {k('help.page-up')} or ↑ up"
        else:
            text = f"▲ end of help · {k('help.page-up')} or ↑ scrolls back up"
        self.query_one("#help-more", Static).update(text)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page":
            try:
                scroll = self.query_one("#help-scroll", VerticalScroll)
            except NoMatches:  # asked before the help is composed
                return False
            if scroll.max_scroll_y <= 0:
                return False
            at_end = scroll.scroll_y >= scroll.max_scroll_y if parameters[0] == 1 else scroll.scroll_y <= 0
            return None if at_end else True  # shown, dimmed at that end
        return True

    def action_page(self, direction: int) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        if direction > 0:
            scroll.scroll_page_down()
        else:
            scroll.scroll_page_up()

    def action_close(self) -> None:
        self.dismiss(None)
