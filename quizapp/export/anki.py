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

Formulas: a formula written as ``$...$`` in a card (question, answer, options, "Why:" note, cloze
paragraph) or in a drill's ask goes out as MathJax, ``\\(latex\\)`` (``$$...$$``: ``\\[latex\\]``), which
Anki typesets; the rest of the text is the terminal text (quizapp's own views show the formulas in
Unicode, e.g. ``√(2/n)``). In a cloze paragraph a ``}}`` inside a formula is written ``} }``, as
Anki's manual asks, so it does not close the deletion. Worked steps are the solvers' terminal text.

Deterministic, and newer when the content is: genanki stamps notes and cards with the current time
and numbers them from it, and zips a temporary file with its modification time. Here the timestamp
is the newest modification time of the exported decks' files and of this module (the code that shapes
the notes), and the zip entries carry a fixed date, so the same arguments on the same files give
byte-identical packages. Anki's importer by default updates a note only when the incoming one is
newer; an edited deck (or a newer quizapp) gives a newer stamp, so its notes update, while a note
edited in Anki since keeps the edit.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
import sqlite3
import tempfile
import zipfile
from typing import Any

from quizapp.content.model import CardKind, slug

__all__ = [
    "MODEL_NAMES",
    "basic_back",
    "choice_answer",
    "cloze_html",
    "deck_name",
    "drill_question",
    "note_fields",
    "notes",
    "render",
    "shown",
    "stable_id",
    "to_html",
]

MODEL_NAMES = {
    "basic": "quizapp basic",
    "cloze": "quizapp cloze",
    "type-in": "quizapp type-in",
    "choice": "quizapp multiple choice",
}
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_EPOCH = 1_600_000_000  # the stamp when no file can be dated (September 2020)

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


def to_html(text: str) -> str:
    """Terminal text as HTML: &, < and > escaped, line breaks as <br>."""
    return html.escape(text, quote=False).replace("\n", "<br>")


_MATHJAX_SPAN = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)


def cloze_html(text: str) -> str:
    """A cloze paragraph as HTML (to_html), each ``}}`` inside a MathJax formula written ``} }``: Anki's
    cloze reader would take it for the end of a deletion, and TeX reads both the same."""
    return _MATHJAX_SPAN.sub(lambda m: m.group(0).replace("}}", "} }"), to_html(text))


def shown(card: Any) -> Any:
    """What Anki shows of a card: its MathJax texts when it has formulas (same field names), else the card."""
    return card.mathjax or card


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


def drill_question(instance: Any) -> str:
    """An instance's question as Anki shows it (MathJax formulas) without the "(precision)" it ends with."""
    question = instance.question_mathjax or instance.question
    suffix = f" ({instance.precision})"
    if instance.precision and question.endswith(suffix):
        return question[: -len(suffix)]
    return question


def _drill_fields(instance: Any) -> list[str]:
    """Question, Answer, Precision, Steps, Mistakes of a drill instance: the answer as the app prints it,
    the worked steps and the named mistakes."""
    from quizapp.generate import format_answer

    t = instance.tolerance
    mistakes = [
        f"Not {format_answer(m.value, instance.form, sig_figs=t.sig_figs, decimals=t.decimals)}: {m.explanation}"
        for m in instance.misconceptions
    ]
    return [
        to_html(drill_question(instance)),
        to_html(instance.answer_text),
        to_html(instance.precision),
        "<br>".join(to_html(s) for s in instance.steps),
        "<br>".join(to_html(m) for m in mistakes),
    ]


def notes(data: Any) -> list[tuple[str, str, str, list[str], Any]]:
    """(note type, guid, deck name, tags, card or instance) of every note, in export order.

    The cards quizapp cut from one cloze paragraph become one ``cloze`` note (the paragraph's first
    card stands for it; its ``cloze`` holds every deletion); multiple choice is ``choice``, a drill
    instance ``type-in``, every other card ``basic``. The guid is ``genanki.guid_for(id)``.
    """
    import genanki

    rows = []
    clozes: set[tuple[str, str, str]] = set()
    for card in data.cards:
        tags = [t for t in dict.fromkeys((slug(card.deck), slug(card.topic), str(card.kind))) if t]
        if card.kind is CardKind.CLOZE and card.cloze:
            key = (card.deck, card.topic, card.cloze)
            if key in clozes:
                continue  # the paragraph's note is already there: Anki makes its other cards
            clozes.add(key)
            kind = "cloze"
        elif card.options and card.correct is not None and 0 <= card.correct < len(card.options):
            kind = "choice"
        else:
            kind = "basic"
        rows.append((kind, genanki.guid_for(card.id), deck_name(data, card.deck, card.topic), tags, card))
    for inst in data.instances:
        tags = [t for t in dict.fromkeys((slug(inst.deck), slug(inst.topic), "drill")) if t]
        rows.append(("type-in", genanki.guid_for(inst.id), deck_name(data, inst.deck, inst.topic), tags, inst))
    return rows


def note_fields(kind: str, item: Any) -> list[str]:
    """The HTML fields of one note of :func:`notes` in this package's note type ``kind``."""
    if kind == "type-in":
        return _drill_fields(item)
    text = shown(item)
    if kind == "cloze":
        return [cloze_html(text.cloze), to_html(text.note)]
    if kind == "choice":
        options = "<ol>" + "".join(f"<li>{to_html(o)}</li>" for o in text.options) + "</ol>"
        return [to_html(text.question), options, choice_answer(item), to_html(text.note)]
    return [to_html(text.question), basic_back(item)]


def basic_back(card: Any) -> str:
    """A flashcard's back: the answer, and its "Why:" note below (MathJax formulas, see shown)."""
    text = shown(card)
    return to_html(text.answer) + (f'<div class="why">{to_html(text.note)}</div>' if text.note else "")


def choice_answer(card: Any) -> str:
    """The right option of a multiple-choice card as ``2. text`` (MathJax formulas, see shown)."""
    return f"{card.correct + 1}. {to_html(shown(card).options[card.correct])}"


def render(data: Any) -> bytes:
    """ExportData -> the bytes of a .apkg file."""
    import genanki

    models = _models()
    decks: dict[str, Any] = {}
    for kind, guid, name, tags, item in notes(data):
        fields = note_fields(kind, item)
        if name not in decks:
            decks[name] = genanki.Deck(stable_id(name), name)
        decks[name].add_note(genanki.Note(model=models[kind], fields=fields, guid=guid, tags=tags))
    timestamp = _timestamp([*(d.path for d in data.decks), __file__])
    package = genanki.Package([decks[k] for k in sorted(decks)] or [genanki.Deck(stable_id("quizapp"), "quizapp")])
    return _package_bytes(package, timestamp)


def _timestamp(paths: list[Any]) -> int:
    """The newest whole-second modification time of ``paths`` (those that can be dated), else _EPOCH."""
    stamps = []
    for path in paths:
        try:
            stamps.append(int(os.stat(path).st_mtime))
        except (OSError, ValueError):
            continue
    return max(stamps, default=_EPOCH)


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
