"""Provides tests/quizapp/data/foreign/anki-modern.apkg and anki-collection.colpkg: packages in Anki's newest format.

Anki 2.1.50 and later export, unless "Support older Anki versions" is ticked, a zip holding ``meta``
(a protobuf saying "latest"), ``collection.anki21b`` (the collection as zstd-compressed SQLite, schema
18) and a stand-in ``collection.anki2`` whose one note asks the user to update Anki. The importer test
checks that quizapp reads the real notes and never the stand-in. Both files are written by Anki itself
(its Python package, which quizapp never depends on); regenerate them only on purpose, in a scratch
virtual environment outside the repository:

    python3 -m venv /tmp/ankivenv && /tmp/ankivenv/bin/pip install anki
    /tmp/ankivenv/bin/python tests/quizapp/data/make_anki_modern.py tests/quizapp/data/foreign

The notes are those of anki-made.apkg (Anki's stock Basic, Cloze, reversed and type-in note types in
the deck ML::Regularisation) and one more: a copy of the Cloze note type renamed "Lückentext", so the
reader has to take "cloze" from the note type's kind, not from its name.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

NOTES = [
    ("Basic", ["What does <b>dropout</b> do during training?",
               'Zeroes each unit with probability p<br>and scales the rest by 1/(1 &minus; p)<img src="dropout.png">'], ["reg"]),
    ("Cloze", ["L2 regularisation adds {{c1::\\(\\lambda \\lVert w \\rVert^2\\)}} to the loss; in SGD it is {{c2::weight decay}}.",
               "PyTorch's weight_decay"], ["l2", "reg"]),
    ("Basic (and reversed card)", ["Early stopping", "stop when the validation loss stops improving"], []),
    ("Basic (type in the answer)", ["Dropout rate that keeps half the units?", "0.5"], []),
    ("Lückentext", ["Batch norm normalises over the {{c1::batch}} dimension.", ""], []),
]


def main(out: Path) -> None:
    try:
        from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions
    except ImportError:
        raise SystemExit("needs Anki's Python package: pip install anki (in a scratch venv)") from None

    with tempfile.TemporaryDirectory() as folder:
        col = Collection(str(Path(folder) / "collection.anki2"))
        renamed = col.models.copy(col.models.by_name("Cloze"), add=False)
        renamed["name"] = "Lückentext"
        col.models.add_dict(renamed)
        deck_id = col.decks.id("ML::Regularisation")
        (Path(folder) / "collection.media" / "dropout.png").write_bytes(b"\x89PNG\r\n\x1a\n not really an image")
        for notetype, fields, tags in NOTES:
            note = col.new_note(col.models.by_name(notetype))
            for k, value in enumerate(fields):
                note.fields[k] = value
            note.tags = tags
            col.add_note(note, deck_id)
        options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False)
        count = col.export_anki_package(out_path=str(out / "anki-modern.apkg"), options=options, limit=DeckIdLimit(deck_id))
        col.export_collection_package(str(out / "anki-collection.colpkg"), include_media=True, legacy=False)  # closes col
    print(f"wrote {out / 'anki-modern.apkg'} ({count} notes) and {out / 'anki-collection.colpkg'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "foreign")
