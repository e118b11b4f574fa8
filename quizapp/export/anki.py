"""Provides the Anki export: a .apkg package (genanki) with one subdeck per quizapp deck.

Notes use a two-field model (Front, Back) whose id, like each deck's id, is derived from its name
(sha256), so re-importing an updated export updates the same notes instead of duplicating them;
a note's guid is ``genanki.guid_for(card id)`` (for a drill, its ``template@seed`` id).

Deterministic: genanki stamps notes and cards with the current time and numbers them from it, and
zips a temporary file with its modification time. Here the timestamp is fixed, derived from the
content (sha256 of the notes), and the zip entries carry a fixed date, so the same arguments give
byte-identical files.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import sqlite3
import tempfile
import zipfile
from typing import Any

from quizapp.content.model import slug

__all__ = ["MODEL_NAME", "render", "stable_id"]

MODEL_NAME = "quizapp basic"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_EPOCH = 1_600_000_000  # fixed timestamps fall in 2020..2023, derived from the content

_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background-color: white; }
.steps { font-family: monospace; font-size: 16px; }
.why { font-style: italic; }
"""


def stable_id(name: str) -> int:
    """An Anki model/deck id from a name: 2^30 + (sha256(name) mod 2^30), stable across runs."""
    digest = hashlib.sha256(name.encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def _model():
    import genanki

    return genanki.Model(
        stable_id(MODEL_NAME),
        MODEL_NAME,
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Front}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Back}}',
            }
        ],
        css=_CSS,
    )


def _card_fields(card: Any) -> tuple[str, str]:
    front = _html(card.question)
    if card.options:
        front += "<ol>" + "".join(f"<li>{_html(o)}</li>" for o in card.options) + "</ol>"
        if card.correct is not None and 0 <= card.correct < len(card.options):
            back = f"{card.correct + 1}. {_html(card.options[card.correct])}"
        else:
            back = _html(card.answer)
    else:
        back = _html(card.answer)
    if card.note:
        back += f'<div class="why">{_html(card.note)}</div>'
    return front, back


def _drill_fields(instance: Any) -> tuple[str, str]:
    back = f"{_html(instance.answer_text)} ({_html(instance.precision)})"
    if instance.steps:
        back += '<div class="steps">' + "<br>".join(_html(s) for s in instance.steps) + "</div>"
    return _html(instance.question), back


def render(data: Any) -> bytes:
    """ExportData -> the bytes of a .apkg file."""
    import genanki

    model = _model()
    decks: dict[str, Any] = {}

    def deck_for(deck_id: str):
        if deck_id not in decks:
            name = f"quizapp::{data.deck_title(deck_id)}"
            decks[deck_id] = genanki.Deck(stable_id(name), name)
        return decks[deck_id]

    fingerprint = hashlib.sha256()
    for card in data.cards:
        front, back = _card_fields(card)
        fingerprint.update(f"{card.id}\x1f{front}\x1f{back}\x1e".encode())
        tags = [t for t in (slug(card.topic), str(card.kind)) if t]
        deck_for(card.deck).add_note(genanki.Note(model=model, fields=[front, back], guid=genanki.guid_for(card.id), tags=tags))
    for inst in data.instances:
        front, back = _drill_fields(inst)
        fingerprint.update(f"{inst.id}\x1f{front}\x1f{back}\x1e".encode())
        tags = [t for t in (slug(inst.topic), "drill") if t]
        deck_for(inst.deck).add_note(genanki.Note(model=model, fields=[front, back], guid=genanki.guid_for(inst.id), tags=tags))

    timestamp = _EPOCH + int.from_bytes(fingerprint.digest()[:4], "big") % 100_000_000
    package = genanki.Package([decks[k] for k in sorted(decks)] or [genanki.Deck(stable_id("quizapp"), "quizapp")])
    return _package_bytes(package, timestamp)


def _package_bytes(package: Any, timestamp: int) -> bytes:
    """genanki's write_to_file with a fixed timestamp and fixed zip dates (it has neither)."""
    import itertools

    fd, db_path = tempfile.mkstemp(suffix=".anki2")
    os.close(fd)
    try:
        conn = sqlite3.connect(db_path)
        try:
            cursor = conn.cursor()
            package.write_to_db(cursor, timestamp, itertools.count(timestamp * 1000))
            conn.commit()
        finally:
            conn.close()
        with open(db_path, "rb") as handle:
            collection = handle.read()
    finally:
        os.unlink(db_path)

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, payload in (("collection.anki2", collection), ("media", b"{}")):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, payload)
    return buffer.getvalue()
