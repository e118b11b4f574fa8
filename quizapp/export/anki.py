"""Provides the Anki export: a .apkg package (genanki) with four note types and a subdeck per deck and topic.

Note types, each with an id derived from its name (sha256), so a newer export updates the same notes:

- ``quizapp basic`` (Front, Back): definitions, lists, formulas, Q/A cards; a card's "Why:" note
  is on the back.
- ``quizapp cloze`` (Text, Extra), Anki's cloze type: the paragraph with its ``{{c1::...}}``
  deletions kept, so Anki makes one card per cloze number. quizapp itself cuts such a paragraph into
  one card per number; those cards are put back together here as one note.
- ``quizapp type-in`` (Question, Answer, Precision, Steps, Mistakes): a drill instance; the front asks
  for the answer with ``{{type:Answer}}``, the back shows the worked steps and the named mistakes
  (the typical wrong answers and why they are wrong).
- ``quizapp multiple choice`` (Question, Options, Answer, Why): the options as a numbered list on the
  front, the right one on the back.

Decks are ``quizapp::<deck title>::<topic>`` with ids derived from their names; tags are the deck id,
the topic's slug and the card kind (``drill`` for instances). A note's guid is
``genanki.guid_for(id)`` of its card id (a drill's ``template@seed``; a cloze note's first card), so
a changed answer, note or option re-imports as an update of the same note, and so does a changed
question of a card with an explicit ``{#id}`` (an automatic id is a hash of the question).

Formulas: cards and drill steps hold terminal text (formulas already rendered to Unicode, e.g.
``√(2/n)``); the LaTeX they were written in is not kept, so they are exported as that Unicode text,
not as MathJax.

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

from quizapp.content.model import CardKind, slug

__all__ = ["MODEL_NAMES", "deck_name", "note_rows", "render", "stable_id"]

MODEL_NAMES = {
    "basic": "quizapp basic",
    "cloze": "quizapp cloze",
    "type-in": "quizapp type-in",
    "choice": "quizapp multiple choice",
}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_EPOCH = 1_600_000_000  # fixed timestamps fall in 2020..2023, derived from the content

_CSS = """.card { font-family: sans-serif; font-size: 20px; text-align: left; color: black; background-color: white; }
.steps { font-family: monospace; font-size: 16px; }
.why, .precision { font-style: italic; }
.cloze { font-weight: bold; color: blue; }
"""

# (fields, front, back) of each note type; the back of the type-in card shows the typed answer compared.
_TEMPLATES: dict[str, tuple[list[str], str, str]] = {
    "basic": (["Front", "Back"], "{{Front}}", '{{FrontSide}}<hr id="answer">{{Back}}'),
    "cloze": (["Text", "Extra"], "{{cloze:Text}}", "{{cloze:Text}}<br>{{Extra}}"),
    "type-in": (
        ["Question", "Answer", "Precision", "Steps", "Mistakes"],
        '{{Question}}<div class="precision">{{Precision}}</div>{{type:Answer}}',
        '{{Question}}<div class="precision">{{Precision}}</div>{{type:Answer}}<hr id="answer">'
        '<div class="steps">{{Steps}}</div>{{#Mistakes}}<div class="why">{{Mistakes}}</div>{{/Mistakes}}',
    ),
    "choice": (
        ["Question", "Options", "Answer", "Why"],
        "{{Question}}{{Options}}",
        '{{FrontSide}}<hr id="answer">{{Answer}}{{#Why}}<div class="why">{{Why}}</div>{{/Why}}',
    ),
}


def stable_id(name: str) -> int:
    """An Anki model/deck id from a name: 2^30 + (sha256(name) mod 2^30), stable across runs."""
    digest = hashlib.sha256(name.encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def deck_name(data: Any, deck_id: str, topic: str) -> str:
    """``quizapp::<deck title>::<topic>``; a ``::`` inside a title would nest one deck more, so it becomes ``:``."""
    parts = [data.deck_title(deck_id), topic]
    return "::".join(["quizapp", *(p.replace("::", ":").strip() or "-" for p in parts)])


def _models() -> dict[str, Any]:
    import genanki

    models = {}
    for kind, (fields, front, back) in _TEMPLATES.items():
        models[kind] = genanki.Model(
            stable_id(MODEL_NAMES[kind]),
            MODEL_NAMES[kind],
            fields=[{"name": f} for f in fields],
            templates=[{"name": "Cloze" if kind == "cloze" else "Card 1", "qfmt": front, "afmt": back}],
            css=_CSS,
            model_type=genanki.Model.CLOZE if kind == "cloze" else genanki.Model.FRONT_BACK,
        )
    return models


def _card_note(card: Any) -> tuple[str, list[str]]:
    """(note type, fields) of a flashcard or a multiple-choice card."""
    why = _html(card.note) if card.note else ""
    if card.options and card.correct is not None and 0 <= card.correct < len(card.options):
        options = "<ol>" + "".join(f"<li>{_html(o)}</li>" for o in card.options) + "</ol>"
        return "choice", [_html(card.question), options, f"{card.correct + 1}. {_html(card.options[card.correct])}", why]
    back = _html(card.answer) + (f'<div class="why">{why}</div>' if why else "")
    return "basic", [_html(card.question), back]


def _drill_note(instance: Any) -> tuple[str, list[str]]:
    """(``type-in``, fields) of a drill instance: the answer as the app prints it, steps and named mistakes."""
    from quizapp.generate import format_answer

    question = instance.question
    suffix = f" ({instance.precision})"
    if instance.precision and question.endswith(suffix):
        question = question[: -len(suffix)]  # the precision has its own field
    t = instance.tolerance
    mistakes = [
        f"Not {format_answer(m.value, instance.form, sig_figs=t.sig_figs, decimals=t.decimals)}: {m.explanation}"
        for m in instance.misconceptions
    ]
    return "type-in", [
        _html(question),
        _html(instance.answer_text),
        _html(instance.precision),
        "<br>".join(_html(s) for s in instance.steps),
        "<br>".join(_html(m) for m in mistakes),
    ]


def note_rows(data: Any) -> list[tuple[str, str, str, list[str], list[str]]]:
    """(note type, guid, deck name, fields, tags) of every note, in export order.

    The cards quizapp cut from one cloze paragraph become one cloze note: its Text is the paragraph
    with every ``{{cN::...}}`` kept, its guid that of the paragraph's first card.
    """
    import genanki

    rows = []
    clozes: dict[tuple[str, str, str], int] = {}
    for card in data.cards:
        tags = [t for t in dict.fromkeys((slug(card.deck), slug(card.topic), str(card.kind))) if t]
        deck = deck_name(data, card.deck, card.topic)
        if card.kind is CardKind.CLOZE and card.cloze:
            key = (card.deck, card.topic, card.cloze)
            if key in clozes:
                continue  # the paragraph's note is already there: Anki makes its other cards
            clozes[key] = len(rows)
            rows.append(("cloze", genanki.guid_for(card.id), deck, [_html(card.cloze), _html(card.note)], tags))
            continue
        kind, fields = _card_note(card)
        rows.append((kind, genanki.guid_for(card.id), deck, fields, tags))
    for inst in data.instances:
        tags = [t for t in dict.fromkeys((slug(inst.deck), slug(inst.topic), "drill")) if t]
        kind, fields = _drill_note(inst)
        rows.append((kind, genanki.guid_for(inst.id), deck_name(data, inst.deck, inst.topic), fields, tags))
    return rows


def render(data: Any) -> bytes:
    """ExportData -> the bytes of a .apkg file."""
    import genanki

    models = _models()
    decks: dict[str, Any] = {}
    fingerprint = hashlib.sha256()
    for kind, guid, name, fields, tags in note_rows(data):
        if name not in decks:
            decks[name] = genanki.Deck(stable_id(name), name)
        fingerprint.update("\x1f".join([kind, guid, name, *fields, *tags, "\x1e"]).encode())
        decks[name].add_note(genanki.Note(model=models[kind], fields=fields, guid=guid, tags=tags))
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
