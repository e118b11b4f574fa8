"""The Anki exports as Anki itself imports them (the `anki` package; skipped when it is not installed).

`pip install anki` in the test environment runs these: the .apkg and the text export go through
Anki's own importers into a fresh collection, and a newer export of an edited deck is imported over
the first, as a user who re-exports would; and what Anki exports in its newest format is read back.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quizapp.content.loader import load_bank
from quizapp.export import anki as anki_module
from quizapp.export import collect, render

anki = pytest.importorskip("anki")

pytestmark = [pytest.mark.anki, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

DATA = Path(__file__).parent / "data"


def _collection(tmp_path: Path):
    """A new, empty Anki collection in its own folder (Anki keeps its media folder beside it)."""
    from anki.collection import Collection

    folder = tmp_path / "anki"
    folder.mkdir()
    return Collection(str(folder / "collection.anki2"))


def _import_apkg(col, path: Path):
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    options = ImportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False)  # updates: Anki's default, if newer
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options)).log


def _export(deck: Path, fmt: str, out: Path) -> Path:
    data = collect(load_bank([deck], bundled=False), topics=None, count=8, seed=7)
    out.write_bytes(render(data, fmt))
    return out


def _counts(col) -> dict[str, int]:
    return {m["name"]: len(col.find_notes(f'"note:{m["name"]}"')) for m in col.models.all() if col.find_notes(f'"note:{m["name"]}"')}


def test_apkg_imports_with_real_note_types_and_updates_in_place(tmp_path):
    col = _collection(tmp_path)
    try:
        log = _import_apkg(col, _export(DATA / "small.md", "anki", tmp_path / "v1.apkg"))
        assert (len(log.new), len(log.updated), len(log.duplicate)) == (17, 0, 0)
        # 9 cards and 8 drills; the two cloze cards are one note with two cards
        assert _counts(col) == {"quizapp basic": 7, "quizapp cloze": 1, "quizapp multiple choice": 1, "quizapp type-in": 8}
        assert col.card_count() == 18
        (cloze,) = col.find_notes('"note:quizapp cloze"')
        assert len(col.get_note(cloze).cards()) == 2
        drill = col.get_note(col.find_notes('"note:quizapp type-in"')[0])
        assert "[[type:Answer]]" in drill.cards()[0].question()  # Anki's type-in box
        # the deck edited (and so newer): the same notes are updated, none added
        edited = tmp_path / "small.md"
        edited.write_text((DATA / "small.md").read_text(encoding="utf-8").replace("The step, in pixels,", "The step"), encoding="utf-8")
        newer = max(os.stat(DATA / "small.md").st_mtime, os.stat(anki_module.__file__).st_mtime) + 60
        os.utime(edited, (newer, newer))
        log = _import_apkg(col, _export(edited, "anki", tmp_path / "v2.apkg"))
        assert (len(log.new), len(log.updated)) == (0, 17)
        assert col.note_count() == 17 and col.card_count() == 18
        assert len(col.find_notes('"Back:The step between*"')) == 1
    finally:
        col.close()


def test_text_export_imports_with_its_header_lines(tmp_path):
    from anki.import_export_pb2 import ImportCsvRequest

    col = _collection(tmp_path)
    try:
        path = _export(DATA / "small.md", "anki-tsv", tmp_path / "v1.txt")
        for round, expected_new in ((1, 17), (2, 0)):
            metadata = col.get_csv_metadata(path=str(path), delimiter=None)
            log = col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata)).log
            assert len(log.new) == expected_new, round  # the second import finds every note by its guid
            assert not log.missing_notetype and not log.empty_first_field
        assert _counts(col) == {"Basic": 8, "Cloze": 1, "Basic (type in the answer)": 8}
        assert col.card_count() == 18
    finally:
        col.close()


def test_a_deck_anki_exports_in_its_newest_format_reads_back_as_quizapp_wrote_it(tmp_path):
    """quizapp's .apkg imported into Anki, exported by Anki in its newest format (zstd collection.anki21b,
    schema 18, with the stand-in collection.anki2) and read by quizapp: the same cards as quizapp's own
    package read back, multiple choice and clozes included."""
    import zipfile

    from anki.collection import DeckIdLimit, ExportAnkiPackageOptions
    from anki.decks import DeckId

    from quizapp.content.foreign import read_apkg

    ours = _export(DATA / "small.md", "anki", tmp_path / "ours.apkg")
    col = _collection(tmp_path)
    try:
        _import_apkg(col, ours)
        options = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False)
        # the shortest quizapp deck name is quizapp::<deck>, whose export takes its topics' subdecks too
        parent = min((d for d in col.decks.all_names_and_ids() if d.name.startswith("quizapp")), key=lambda d: len(d.name))
        newest = tmp_path / "newest.apkg"
        col.export_anki_package(out_path=str(newest), options=options, limit=DeckIdLimit(DeckId(parent.id)))
    finally:
        col.close()
    with zipfile.ZipFile(newest) as archive:
        assert {"meta", "collection.anki21b", "collection.anki2"} <= set(archive.namelist())

    def cards(path: Path) -> list[tuple[str, str, str, tuple[str, ...], int | None, str]]:
        deck = read_apkg(path)
        assert [p for p in deck.problems if p.severity == "error"] == [], deck.problems
        return sorted((str(c.kind), c.question, c.answer, c.options, c.correct, c.note) for c in deck.cards)

    assert cards(newest) == cards(ours)
    assert len(cards(ours)) == 18


MATH_DECK = r"""---
id: maths
title: Maths deck
---

# Init

Q: What is the He std for fan-in $n$? {#he-std}
A: $\sigma = \sqrt{2/n}$, and $a < b$ stays escaped.

The He std is {{c1::$\frac{1}{\sqrt{n}}$}} times {{c2::$\sqrt{2}$}}.
"""


@pytest.mark.parametrize("fmt", ["anki", "anki-tsv"])
def test_formulas_reach_anki_as_mathjax_and_clozes_stay_whole(tmp_path, fmt):
    """Anki shows the formulas as MathJax source for its typesetter; a cloze whose formula holds "}}" keeps
    the whole formula as the deletion (written "} }": Anki would otherwise end the deletion inside it)."""
    import re

    from anki.import_export_pb2 import ImportCsvRequest

    deck = tmp_path / "maths.md"
    deck.write_text(MATH_DECK, encoding="utf-8")
    path = _export(deck, fmt, tmp_path / ("maths.apkg" if fmt == "anki" else "maths.txt"))
    col = _collection(tmp_path)
    try:
        if fmt == "anki":
            _import_apkg(col, path)
        else:
            col.import_csv(ImportCsvRequest(path=str(path), metadata=col.get_csv_metadata(path=str(path), delimiter=None)))
        shown = {}
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            shown[(card.note_type()["type"], card.ord)] = re.sub(r"<style>.*?</style>", "", card.answer(), flags=re.DOTALL)
        basic = shown[(0, 0)]
        assert r"\(\sigma = \sqrt{2/n}\), and \(a &lt; b\) stays escaped." in basic and r"fan-in \(n\)?" in basic
        hidden = [re.search(r'<span class="cloze" data-ordinal="\d">(.*?)</span>', shown[(1, k)]).group(1) for k in (0, 1)]
        assert hidden == [r"\(\frac{1}{\sqrt{n} }\)", r"\(\sqrt{2}\)"]
    finally:
        col.close()
