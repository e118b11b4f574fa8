"""Provides `quizapp suspend|unsuspend|flag|unflag [ID ...]`: marking cards and drill templates by id, or listing them.

A suspended item is never asked, in any mode, until it is unsuspended; a flagged one is asked as usual and shown
with a flag. Neither touches the item's history or schedule (quizapp.store marks). With no id, the command lists
the items so marked. An id must name a card or template of the loaded decks, except to take a mark off (an item
whose deck is gone can still be unsuspended).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from quizapp.content.model import Bank
from quizapp.textsafe import error, printable

__all__ = ["ACTIONS", "run"]

ACTIONS = {
    "suspend": ("suspended", True, "suspended"),
    "unsuspend": ("suspended", False, "unsuspended"),
    "flag": ("flagged", True, "flagged"),
    "unflag": ("flagged", False, "unflagged"),
}
"""Each command -> (the mark it sets, the value, what it says it did)."""


def _labels(bank: Bank) -> dict[str, str]:
    """item id -> "topic · question" for every card and drill template of ``bank`` (a template shows its ask text)."""
    out = {card.id: f"{card.topic} · {card.question}" for card in bank.cards()}
    out.update({t.id: f"{t.topic} · computation: {t.ask}" for t in bank.templates()})
    return out


def _line(item_id: str, label: str | None, width: int = 100) -> str:
    text = " ".join((label or "(not in the loaded decks)").split())
    text = text if len(text) <= width else text[: width - 1] + "…"
    return printable(f"{item_id}  {text}")


def run(
    bank: Bank,
    action: str,
    ids: Sequence[str],
    *,
    data_dir: str | Path | None = None,
    now: datetime | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Set ``action``'s mark on each of ``ids`` (or list the items it marks when ``ids`` is empty).

    Exit status 1 when an id names nothing in the decks (the others are still marked) or the store cannot be used."""
    from quizapp.plain import open_store
    from quizapp.store import StoreError

    out = stdout if stdout is not None else sys.stdout
    field, value, done = ACTIONS[action]
    labels = _labels(bank)
    status = 0
    with open_store(data_dir) as store:
        if store is None:
            return 1
        try:
            marks = store.marks()
            if not ids:
                marked = sorted(item for item, mark in marks.items() if getattr(mark, field))
                for item in marked:
                    out.write(_line(item, labels.get(item)) + "\n")
                out.write(f"{len(marked)} {field}\n")
                return 0
            for item in ids:
                if item not in labels and (value or item not in marks):
                    error(f"quizapp: no card or drill template has the id {item!r} (`quizapp export` lists the ids)")
                    status = 1
                    continue
                store.set_mark(item, **{field: value}, now=now or datetime.now(UTC))
                out.write(_line(item, labels.get(item)) + f"  ({done})\n")
        except StoreError as err:
            error(f"quizapp: {err}")
            return 1
    return status
