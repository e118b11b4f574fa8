"""Provides small helpers the Pilot tests share: reading a widget's text, typing an answer."""

from __future__ import annotations


def text_of(app, selector: str) -> str:
    """The plain text a Static shows."""
    return str(app.screen.query_one(selector).render())


def feedback(app) -> str:
    return text_of(app, "#feedback-text")


async def type_answer(pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await pilot.pause()


def card(bank, card_id: str):
    return next(c for c in bank.cards() if c.id == card_id)


async def run_from_palette(pilot, title: str, *then: str) -> None:
    """Open the command palette, type ``title``, run the first hit, then press the keys ``then``."""
    await pilot.press("ctrl+p", *title)
    await pilot.pause(0.3)  # the palette searches in a worker
    await pilot.press("enter", *then)
    await pilot.pause()
