"""Provides the command palette's quizapp commands: the screens, picking one topic, drilling one template."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["QuizCommands"]


class QuizCommands(Provider):
    """Screens first, then one command per topic and per drill template."""

    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: QuizApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, Callable[[], object], str]] = [
            ("Home", app.go_home, "Back to the topic list"),
            ("Start quiz", app.start_quiz, f"{app.count} questions from the picked topics"),
            ("Start drill", app.start_drill, "Endless computed questions from the picked topics"),
            ("Review due cards", app.start_review, "Spaced repetition of the flashcards that are due"),
            ("Browse cards", app.open_browse, "Search every card by text"),
            ("Help", app.action_help, "Keys and how the app works"),
        ]
        for deck, topic, n_cards, n_templates in app.bank.topics():
            commands.append(
                (f"Topic: {topic}", partial(app.select_only, (deck.id, topic)), f"Pick only this topic ({n_cards} cards, {n_templates} drills)")
            )
        for template in app.bank.templates():
            ask = " ".join(template.ask.split())
            ask = ask if len(ask) <= 70 else ask[:69] + "…"
            commands.append((f"Drill: {template.id}", partial(app.start_drill, [template]), f"{template.topic}: {ask}"))
        return commands

    async def discover(self) -> Hits:
        for title, command, help_text in self._commands()[:6]:
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
