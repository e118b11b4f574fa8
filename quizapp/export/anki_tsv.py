"""Provides the Anki text export: a tab-separated file Anki's own importer reads, header lines included.

Anki (2.1.55 and later) reads these header lines and asks nothing::

    #separator:tab
    #html:true
    #notetype column:1
    #deck column:2
    #tags column:5
    #guid column:6

then one note a line: note type, deck, two fields, tags (space-separated), guid. The guid comes last
because Anki reads a line starting with ``#`` as a comment, and ``#`` is one of its guid characters. A text file cannot
bring its own note types, so the rows use the ones every Anki collection has: ``Basic`` (Front,
Back) for flashcards and multiple choice (the options listed on the front), ``Cloze`` (Text, Back
Extra) for cloze paragraphs with their ``{{c1::...}}`` deletions kept, and ``Basic (type in the
answer)`` (Front, Back) for drill instances; Anki compares what is typed with the whole Back field,
so it holds the answer alone (the worked steps are in the ``.apkg`` export). These are the English
names; a collection made in another language names them otherwise, and Anki then asks for the note
type. Guids, deck names and tags are those of the ``.apkg`` export (quizapp.export.anki), so a newer
file updates the same notes. Formulas are MathJax, ``\\(latex\\)``, as in the ``.apkg`` (a cloze's
``}}`` inside one written ``} }``). Fields are HTML (``&``, ``<``, ``>`` escaped, line breaks as
``<br>``); a field holding a tab or a double quote is quoted as Anki's reader expects (``"..."``,
quotes doubled).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from quizapp.export.anki import basic_back, choice_answer, cloze_html, notes, shown, to_html

__all__ = ["HEADER", "NOTETYPES", "render"]

HEADER = (
    "#separator:tab",
    "#html:true",
    "#notetype column:1",
    "#deck column:2",
    "#tags column:5",
    "#guid column:6",
)
NOTETYPES = {"basic": "Basic", "choice": "Basic", "cloze": "Cloze", "type-in": "Basic (type in the answer)"}
"""The stock Anki note type each kind of note goes to."""


def _fields(kind: str, item: Any) -> tuple[str, str]:
    """The two fields of a note in Anki's stock note type for ``kind``."""
    if kind == "type-in":
        return to_html(item.question_mathjax or item.question), to_html(item.answer_text)
    text = shown(item)
    if kind == "cloze":
        return cloze_html(text.cloze), to_html(text.note)
    if kind == "choice":
        options = "<ol>" + "".join(f"<li>{to_html(o)}</li>" for o in text.options) + "</ol>"
        why = f'<div class="why">{to_html(text.note)}</div>' if text.note else ""
        return to_html(text.question) + options, choice_answer(item) + why
    return to_html(text.question), basic_back(item)


def render(data: Any) -> bytes:
    """ExportData -> the Anki text file as UTF-8 bytes (LF line ends)."""
    buffer = io.StringIO(newline="")
    buffer.write("\n".join(HEADER) + "\n")
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for kind, guid, deck, tags, item in notes(data):
        front, back = _fields(kind, item)
        writer.writerow([NOTETYPES[kind], deck, front, back, " ".join(tags), guid])
    return buffer.getvalue().encode("utf-8")
