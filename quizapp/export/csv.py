"""Provides the CSV export: one row per card and per drill instance, UTF-8 with a BOM for spreadsheets.

Columns: id, deck, topic, kind, question, answer, options, tolerance, steps, note. Multiple choice
puts its options one a line ("1. ...") in ``options`` and the correct one in ``answer``; ``note`` is
a card's "Why:" note; a drill row has kind ``drill``, its id is ``template@seed``, its question ends
with the precision asked for, ``answer`` is the printed answer and ``tolerance`` says how close an
answer must be. Multi-line cells are quoted (RFC 4180, CRLF rows). The byte-order mark is what makes
Excel read the file as UTF-8; a program reading it should use the encoding ``utf-8-sig``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

__all__ = ["COLUMNS", "render"]

COLUMNS = ("id", "deck", "topic", "kind", "question", "answer", "options", "tolerance", "steps", "note")


def render(data: Any) -> bytes:
    """ExportData -> CSV bytes (UTF-8 with BOM)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for card in data.cards:
        options = "\n".join(f"{n}. {opt}" for n, opt in enumerate(card.options, start=1))
        answer = card.answer
        if card.options and card.correct is not None and 0 <= card.correct < len(card.options):
            answer = f"{card.correct + 1}. {card.options[card.correct]}"
        writer.writerow([card.id, card.deck, card.topic, str(card.kind), card.question, answer, options, "", "", card.note])
    for inst in data.instances:
        writer.writerow(
            [
                inst.id,
                inst.deck,
                inst.topic,
                "drill",
                inst.question,
                inst.answer_text,
                "",
                # with the form and value: "exact sizes" for a shape, "... each" for a vector
                inst.tolerance.describe(inst.form, expected=inst.answer),
                "\n".join(inst.steps),
                "",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
