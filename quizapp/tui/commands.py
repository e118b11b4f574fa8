"""Provides the command palette's quizapp commands: the screens, picking one topic, drilling one template."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from quizapp.tui.app import QuizApp

__all__ = ["QuizCommands"]

_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")


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
            # The question with its numbers left open ("{d_model}" reads as code), on one line at 80 columns.
            ask = _PLACEHOLDER.sub("…", " ".join(template.ask.split()))
            about = f"{template.topic}: {ask}"
            about = about if len(about) <= 66 else about[:65].rstrip("… ") + "…"
            commands.append((f"Drill: {template.id}", partial(app.start_drill, [template]), about))
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
