"""Provides the command palette's quizapp commands: the screens, picking one topic, drilling one template."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

if TYPE_CHECKING:
    from textual.fuzzy import Matcher

    from quizapp.tui.app import QuizApp

__all__ = ["PaletteCommand", "QuizCommands", "match_command"]

_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")

ANY_ORDER_WEIGHT = 0.5
"""A query matched word by word (any order, or through the topic) ranks below one matched as typed."""


@dataclass(frozen=True)
class PaletteCommand:
    """One palette entry: the title shown and matched, what it runs, its help line, and words that find it
    without being shown (a drill's topic)."""

    title: str
    run: Callable[[], object]
    help: str
    also: str = ""


def drill_title(template_id: str) -> str:
    """ "Drill: conv output size (conv-output-size)": the id's words, so "conv out" finds it, then the id itself."""
    return f"Drill: {' '.join(template_id.replace('_', '-').split('-'))} ({template_id})"


def match_command(matcher: Matcher, command: PaletteCommand) -> tuple[float, list[int]]:
    """Textual's fuzzy score of ``command`` for the query, and the title's matched offsets; (0, []) for no match.

    The query as typed is matched against the title first; failing that, each word of it on its own against
    the title or the hidden words (``also``), every word having to match, at ANY_ORDER_WEIGHT.
    """
    fuzzy = matcher.fuzzy_search
    score, offsets = fuzzy.match(matcher.query, command.title)
    if score:
        return score, list(offsets)
    words = matcher.query.split()
    if len(words) < 2 and not command.also:
        return 0.0, []
    total, marks = 0.0, set()
    for word in words:
        score, offsets = fuzzy.match(word, command.title)
        if not score:
            score, offsets = fuzzy.match(word, command.also)
            offsets = ()  # matched in words that are not shown
        if not score:
            return 0.0, []
        total += score
        marks.update(offsets)
    return total * ANY_ORDER_WEIGHT, sorted(marks)


class QuizCommands(Provider):
    """Screens first, then one command per topic and per drill template."""

    def _commands(self) -> list[PaletteCommand]:
        app: QuizApp = self.app  # type: ignore[assignment]
        browse = app.key_label("browse.all")
        # What would end a quiz under way asks first (app.after_leaving); Browse and Help open over it.
        def leaving(action: Callable[[], object]) -> Callable[[], None]:
            return partial(app.after_leaving, action)

        commands = [
            PaletteCommand("Home", leaving(app.go_home), "Back to the topic list"),
            PaletteCommand("Start quiz", leaving(app.start_quiz), f"{app.count} questions from the picked topics"),
            PaletteCommand("Start drill", leaving(app.start_drill), "Endless computed questions from the picked topics"),
            PaletteCommand("Review due cards", leaving(app.start_review), "Spaced repetition of the flashcards that are due"),
            PaletteCommand("Weak spots", leaving(app.start_weak), "Your lowest predicted recall and most frequent mistakes, due or not"),
            PaletteCommand("Browse cards", app.open_browse, f"Search the picked topics' cards by text ({browse}: all topics)"),
            PaletteCommand("Statistics", app.open_stats, "Your history with plots, weakest items and most frequent mistakes"),
            PaletteCommand("Settings", app.open_settings, "New cards and reviews a day, desired retention, drill level, quiz length"),
            PaletteCommand("Help", app.action_help, "Keys and how the app works"),
        ]
        for deck, topic, n_cards, n_templates in app.bank.topics():
            commands.append(
                PaletteCommand(
                    f"Topic: {topic}",
                    leaving(partial(app.select_only, (deck.id, topic))),
                    f"Pick only this topic ({n_cards} cards, {n_templates} drills)",
                    also=deck.title,
                )
            )
        for template in app.bank.templates():
            # The question with its numbers left open ("{d_model}" reads as code), on one line at 80 columns.
            ask = _PLACEHOLDER.sub("…", " ".join(template.ask.split()))
            about = f"{template.topic}: {ask}"
            about = about if len(about) <= 66 else about[:65].rstrip("… ") + "…"
            commands.append(
                PaletteCommand(drill_title(template.id), leaving(partial(app.start_drill, [template])), about, also=template.topic)
            )
        return commands

    async def discover(self) -> Hits:
        for command in self._commands()[:8]:
            # Content, not str: the palette reads a str as markup, and titles and help quote deck text.
            yield DiscoveryHit(Content(command.title), command.run, help=Content(command.help))  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score, offsets = match_command(matcher, command)
            if score > 0:
                shown = Content(command.title)
                for offset in offsets:
                    if not command.title[offset].isspace():
                        shown = shown.stylize(matcher.match_style, offset, offset + 1)
                yield Hit(score, shown, command.run, text=command.title, help=Content(command.help))  # type: ignore[arg-type]
