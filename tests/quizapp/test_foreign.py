"""Decks written for other tools: Obsidian Spaced Repetition, hashcards, Anki's text export and .apkg packages,
read into cards; broken input as file:line problems; `quizapp import` copies decks into the user's folder."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from hostile_decks import zstd_stream

from quizapp.content import foreign
from quizapp.content.foreign import dialect, html_text, read_apkg
from quizapp.content.loader import load_bank, load_deck
from quizapp.content.model import CardKind

FOREIGN = Path(__file__).parent / "data" / "foreign"


def cards(deck) -> list[tuple[int, str, str, str, str]]:
    return [(c.source.line, str(c.kind), c.topic, c.question, c.answer) for c in deck.cards]


# ---------------------------------------------------------------- dialects


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#separator:tab\n#html:true\nfront\tback\n", "anki-text"),
        ("#html:false\nfront;back\n", "anki-text"),
        ("# A heading\n\nQ: x\nA: y\n", None),  # quizapp's own (and a plain hashcards Q/A file reads the same)
        ("#flashcards\nQ::A\n", "obsidian"),
        ("---\ntags: [flashcards, ml]\n---\nQ::A\n", "obsidian"),
        ("C: the [capital] of France\n", "hashcards"),
        ("Question :: Answer\n", None),
        ("A note that mentions #flashcardsX only\n", None),
        ("---\nid: mine\ntitle: t\n---\nTag your notes #flashcards in Obsidian.\n", None),  # quizapp front matter
        ("Tag notes #flashcards.\n\n```drill\nid: x\n```\n", None),  # a drill block
        ("#flashcards\n\n```drill\nid: x\n```\n", None),  # a drill block is quizapp's alone, whatever the tags
        # Obsidian notes whose front matter has keys quizapp uses too: tagged as a tag, they are Obsidian's
        ("---\nid: 20240105\nlanguage: en\n---\n#flashcards\n\nQ::A\n", "obsidian"),
        ("---\nid: n1\n---\n#ml #flashcards/ml/cnn\n\nQ::A\n", "obsidian"),
        ("---\nid: n1\ntags:\n  - ml\n  - flashcards\n---\nQ::A\n", "obsidian"),
        ("---\nlanguage: en\ntags: [\"#flashcards/ml\"]\n---\nQ::A\n", "obsidian"),
        ("---\nid: n1\naliases: [x]\n---\nSome prose #flashcards\n\nQ::A\n", "obsidian"),  # not quizapp's keys alone
        # quizapp's front matter with the tag in a sentence, or tags that only look alike, stays quizapp's
        ("---\nid: mine\ntags: [cnn, flashcardsx]\n---\n#flashcardsX\n", None),
        ("---\nid: mine\nlanguage: en\n---\nIn Obsidian: #flashcards on a line.\n", None),
        ("---\nid: mine\n---\n# flashcards\n", None),  # a heading, not a tag
        ("tags: [flashcards]\n", None),  # a line of prose, not front matter
    ],
)
def test_dialect(text, expected):
    assert dialect(text) == expected


def test_every_shipped_deck_is_read_as_quizapp_markdown():
    from quizapp.paths import bundled_content_dir

    decks = sorted(bundled_content_dir().rglob("*.md"))
    assert decks
    for path in decks:
        assert dialect(path.read_text(encoding="utf-8")) is None, path


# ---------------------------------------------------------------- Obsidian


def test_obsidian_cards():
    deck = load_deck(FOREIGN / "obsidian.md")
    assert [p for p in deck.problems if p.severity == "error"] == []
    cnn, att = "ml / cnn", "ml / attention"  # the flashcards sub-deck tags are the topics
    assert cards(deck) == [
        (8, "qa", cnn, "What does a 1×1 convolution mix", "the channels, not the positions"),
        (11, "qa", cnn, "Stride", "the step between two kernel positions"),
        (11, "qa", cnn, "the step between two kernel positions", "Stride"),  # ::: goes both ways
        (14, "qa", cnn, "Why does padding exist?", "To keep the output size,\nand to let border pixels be seen as often as inner ones."),
        (19, "qa", cnn, "Max pooling", "takes the largest value in each window"),
        (19, "qa", cnn, "takes the largest value in each window", "Max pooling"),  # ?? goes both ways
        (23, "cloze", cnn, "A 2×2 max pooling with stride 2 […] the height and the width.", "halves"),
        (23, "cloze", cnn, "A 2×2 max pooling with stride 2 halves the height and the […].", "width"),
        (25, "cloze", cnn, "Weight sharing is the reason a convolution has […].", "few parameters"),
        (28, "qa", att, "Attention scores are divided by √dₖ", "to keep the softmax from saturating"),
    ]
    assert deck.cards[6].cloze == "A 2×2 max pooling with stride 2 {{c1::halves}} the height and the {{c2::width}}."
    text = " ".join(c.question + c.answer for c in deck.cards)
    assert "SR:" not in text and "<!--" not in text and "not a card" not in text


def test_obsidian_note_with_quizapp_like_front_matter_keeps_its_cards(tmp_path):
    """Obsidian's own front matter often has id: or language:; the tag line decides, and the front
    matter is not shown or reported."""
    path = tmp_path / "note.md"
    path.write_text("---\nid: 20240105\nlanguage: en\naliases: [dropout]\n---\n#flashcards/ml\n\nDropout::zeroes units at random\n", encoding="utf-8")
    deck = load_deck(path)
    assert cards(deck) == [(8, "qa", "ml", "Dropout", "zeroes units at random")] and deck.problems == ()


def test_obsidian_broken_card_is_reported_and_the_rest_loads(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("#flashcards\n\nno answer::\n\nfine::yes\n\nunclosed ==cloze\n", encoding="utf-8")
    deck = load_deck(path)
    assert [str(p) for p in deck.problems] == [f"{path}:3: a card needs a question and an answer: one side is empty"]
    assert [(c.question, c.answer) for c in deck.cards] == [("fine", "yes")]


# ---------------------------------------------------------------- hashcards


def test_hashcards_cards_and_problems():
    deck = load_deck(FOREIGN / "hashcards.md")
    assert cards(deck) == [
        (3, "qa", "Optimisers", "What does momentum add to plain SGD?", "A velocity that accumulates past gradients,\nso steps keep going in a consistent direction."),
        (7, "qa", "Optimisers", "What is Adam's default β₂?", "0.999"),
        (10, "cloze", "Optimisers", "Adam keeps a running mean of the […] and of their squares.", "gradients"),
        (10, "cloze", "Optimisers", "Adam keeps a running mean of the gradients and of their […].", "squares"),
    ]
    path = FOREIGN / "hashcards.md"
    assert [str(p) for p in deck.problems] == [f"{path}:12: Q: without an A: answer", f"{path}:14: A: without a Q: question before it"]


def test_hashcards_markdown_link_is_not_a_deletion(tmp_path):
    path = tmp_path / "h.md"
    path.write_text("C: see [the docs](https://example.org) for the [learning rate].\n", encoding="utf-8")
    (card,) = load_deck(path).cards
    assert card.answer == "learning rate" and "the docs" in card.question


# ---------------------------------------------------------------- Anki text


def test_anki_text_export():
    path = FOREIGN / "anki.txt"
    deck = load_deck(path)
    assert cards(deck) == [
        (6, "qa", "Losses", "What is cross-entropy of a one-hot target?", "−log py, i.e. −log p_y"),
        (7, "cloze", "Losses", "MSE is the […] of the squared errors.", "mean"),
        (7, "cloze", "Losses", "MSE is the mean of the […] errors.", "squared"),
        (8, "qa", "Init", "He init", "std √(2/fan_in)"),
        (8, "qa", "Init", "std √(2/fan_in)", "He init"),  # "and reversed card"
    ]
    assert deck.cards[0].tags == ("loss", "ce")
    assert [str(p) for p in deck.problems] == [
        f"{path}:1: 1 media reference (images, sounds) left out",
        f"{path}:9: a Basic note needs a front and a back field, found 1",
        f"{path}:10: a Broken note needs a front and a back field, found 0",
    ]


@pytest.mark.parametrize(("header", "sep"), [("comma", ","), ("semicolon", ";"), ("Tab", "\t"), ("|", "|")])
def test_anki_text_separators(tmp_path, header, sep):
    path = tmp_path / "cards.txt"
    path.write_text(f"#separator:{header}\n#html:false\nfront one{sep}back <one>\n\"two{sep} quoted\"{sep}back two\n", encoding="utf-8")
    deck = load_deck(path)
    assert [(c.question, c.answer) for c in deck.cards] == [("front one", "back <one>"), (f"two{sep} quoted", "back two")]


def test_html_reduced_to_text():
    text, media = html_text('<div>one&nbsp;<b>two</b></div><ul><li>a</li><li>b &amp; c</li></ul><script>alert(1)</script>'
                            '<img src="x.png">[sound:y.mp3]\\(\\frac{1}{2}\\)')
    assert text == "one two\n• a\n• b & c\n1/2"  # entities decoded, a script's text and media dropped, MathJax rendered
    assert media == 2


# ---------------------------------------------------------------- .apkg


def _package(tmp_path: Path, notes, media: int = 0) -> Path:
    import genanki

    deck = genanki.Deck(1_234_567, "Course::Week 1")
    for model, fields, tags in notes:
        deck.add_note(genanki.Note(model=model, fields=fields, tags=tags))
    package = genanki.Package(deck)
    files = []
    for k in range(media):
        f = tmp_path / f"img{k}.png"
        f.write_bytes(b"\x89PNG fake")
        files.append(str(f))
    package.media_files = files
    path = tmp_path / "deck.apkg"
    package.write_to_file(path)
    return path


def test_apkg_basic_and_cloze_notes(tmp_path):
    import genanki

    path = _package(
        tmp_path,
        [
            (genanki.BASIC_MODEL, ["What is <i>dropout</i>?", "Zeroing units at random<br>during training"], ["reg"]),
            (genanki.CLOZE_MODEL, ["Dropout keeps each unit with probability {{c1::1 − p}} \\(p\\)", "extra"], []),
            (genanki.BASIC_AND_REVERSED_CARD_MODEL, ["L2", "weight decay <img src=\"img0.png\">"], []),
        ],
        media=1,
    )
    before = path.read_bytes()
    deck = read_apkg(path)
    assert path.read_bytes() == before  # read from a copy, never written
    assert cards(deck) == [
        (1, "qa", "Week 1", "What is dropout?", "Zeroing units at random\nduring training"),
        (2, "cloze", "Week 1", "Dropout keeps each unit with probability […] p", "1 − p"),
        (3, "qa", "Week 1", "L2", "weight decay"),
        (3, "qa", "Week 1", "weight decay", "L2"),
    ]
    assert deck.cards[0].tags == ("reg",) and deck.cards[1].note == "extra"
    assert {str(p) for p in deck.problems} == {
        f"{path}: 1 media file (images, sounds) left out",
        f"{path}: 1 media reference in fields (images, sounds) left out",
    }


def test_our_own_apkg_reads_back_with_every_card(tmp_path, monkeypatch):
    """quizapp's Anki export read by the importer: every flashcard, the cloze paragraph, every drill."""
    from quizapp.export import collect, render

    monkeypatch.chdir(Path(__file__).parent / "data")
    data = collect(load_bank([Path("small.md")], bundled=False), topics=None, count=4, seed=1)
    path = tmp_path / "export.apkg"
    path.write_bytes(render(data, "anki"))
    back = read_apkg(path)
    assert [p for p in back.problems if p.severity == "error"] == []
    got = {(c.question, c.answer) for c in back.cards}
    choices = {c.question: c for c in back.cards if c.kind is CardKind.MCQ}
    for card in data.cards:
        if card.kind is CardKind.CLOZE:
            assert (card.question, card.answer) in got
        elif card.options:  # quizapp's multiple-choice note type comes back as multiple choice
            mine = choices[card.question]
            assert (mine.options, mine.correct, mine.answer, mine.note) == (card.options, card.correct, card.answer, card.note)
        else:
            assert any(q == card.question and a.startswith(card.answer) for q, a in got), card.question
    for inst in data.instances:
        assert any(inst.question.startswith(q) and a == inst.answer_text for q, a in got), inst.question


ANKI_MADE = [
    ("qa", "What does dropout do during training?", "Zeroes each unit with probability p\nand scales the rest by 1/(1 − p)"),
    ("cloze", "L2 regularisation adds […] to the loss; in SGD it is weight decay.", "λ‖w‖²"),
    ("cloze", "L2 regularisation adds λ‖w‖² to the loss; in SGD it is […].", "weight decay"),
    ("qa", "Early stopping", "stop when the validation loss stops improving"),
    ("qa", "stop when the validation loss stops improving", "Early stopping"),
    ("qa", "Dropout rate that keeps half the units?", "0.5"),
]


# The note of anki-modern's note type "Lückentext": a copy of Cloze under another name.
RENAMED_CLOZE = ("cloze", "Batch norm normalises over the […] dimension.", "batch")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("anki-made.apkg", ANKI_MADE),
        ("anki-made.txt", ANKI_MADE),
        ("anki-modern.apkg", [*ANKI_MADE, RENAMED_CLOZE]),
        ("anki-collection.colpkg", [*ANKI_MADE, RENAMED_CLOZE]),
    ],
)
def test_files_made_by_anki_itself(name, expected):
    """A package ("Support older Anki versions") and a "Notes in Plain Text" export written by Anki 26.09
    (its Python package) from four notes: Basic with an image, Cloze with MathJax, Basic (and reversed
    card), Basic (type in the answer), in the deck ML::Regularisation; and the same notes plus one of a
    renamed Cloze type in Anki's newest format, as a deck and as a collection package (written by
    data/make_anki_modern.py)."""
    deck = load_deck(FOREIGN / name)
    assert [(str(c.kind), c.question, c.answer) for c in deck.cards] == expected
    assert {c.topic for c in deck.cards} == {"Regularisation"}
    assert deck.cards[1].note == "PyTorch's weight_decay" and set(deck.cards[1].tags) == {"l2", "reg"}
    assert deck.cards[1].cloze == "L2 regularisation adds {{c1::λ‖w‖²}} to the loss; in SGD it is {{c2::weight decay}}."
    assert all(p.severity == "warning" and "media" in p.message for p in deck.problems) and deck.problems


@pytest.mark.parametrize("name", ["anki-modern.apkg", "anki-collection.colpkg"])
def test_newest_package_is_read_from_its_zstd_collection_not_the_stand_in(tmp_path, name):
    """Anki's newest packages also hold a collection.anki2 whose one note asks the user to update Anki
    (seen here through sqlite3 alone); quizapp reads the zstd collection.anki21b instead."""
    with zipfile.ZipFile(FOREIGN / name) as archive:
        assert archive.read("meta") == b"\x08\x03"  # PackageMetadata{version: LATEST}
        (tmp_path / "stand-in.anki2").write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(tmp_path / "stand-in.anki2")
    (fields,) = conn.execute("select flds from notes").fetchone()
    conn.close()
    assert "Please update to the latest Anki version" in fields
    deck = read_apkg(FOREIGN / name)
    assert len(deck.cards) == 7 and not any("update" in c.question or "update" in p.message for c in deck.cards for p in deck.problems)


def _zip(tmp_path: Path, entries: dict[str, bytes], name: str = "p.apkg") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry, payload in entries.items():
            archive.writestr(entry, payload)
    return path


def test_apkg_refusals_are_problems_never_tracebacks(tmp_path, monkeypatch):
    not_zip = tmp_path / "x.apkg"
    not_zip.write_bytes(b"not a zip at all")
    cases = {
        not_zip: "is not a readable Anki package",
        _zip(tmp_path, {"media": b"{}"}, "none.apkg"): "holds no collection.anki2, collection.anki21, collection.anki21b",
        _zip(tmp_path, {"collection.anki21b": b"zstd", "collection.anki2": b"stub"}, "new.apkg"): "not readable zstd data",
        _zip(tmp_path, {"meta": b"\x08\x04", "collection.anki2": b"stub"}, "v4.apkg"): "newer Anki than quizapp reads (package version 4)",
        _zip(tmp_path, {"meta": b"\x08", "collection.anki2": b"stub"}, "m.apkg"): "(package version unreadable)",
        _zip(tmp_path, {"meta": b"\x08\x03", "collection.anki2": b"stub"}, "m3.apkg"): "holds no collection.anki21b",
        _zip(tmp_path, {"meta": b"\x08\x03", "collection.anki21b": zstd_stream(b"not sqlite", 100)}, "z.apkg"): "not a readable Anki database",
        _zip(tmp_path, {"collection.anki2": b"garbage" * 100}, "bad.apkg"): "not a readable Anki database",
    }
    for path, message in cases.items():
        deck = load_deck(path)
        assert deck.cards == () and message in str(deck.problems[0]), (path, deck.problems)
        assert str(deck.problems[0]).startswith(f"{path}:")


def test_apkg_zip_bomb_is_stopped_before_inflating(tmp_path, monkeypatch):
    """A collection that would inflate past the limit is refused from the sizes the zip states, and
    counted while inflating in case they lie."""
    bomb = _zip(tmp_path, {"collection.anki2": b"\0" * (4 << 20)})
    assert bomb.stat().st_size < 100_000
    monkeypatch.setattr(foreign, "MAX_COLLECTION_BYTES", 1 << 20)
    deck = read_apkg(bomb)
    assert deck.cards == () and "at most 1 MB is read" in str(deck.problems[0])

    real_getinfo = zipfile.ZipFile.getinfo

    def lying(self, name):
        info = real_getinfo(self, name)
        info.file_size = 10  # the header claims ten bytes
        return info

    monkeypatch.setattr(zipfile.ZipFile, "getinfo", lying)
    deck = read_apkg(bomb)
    assert deck.cards == () and deck.problems, deck.problems  # stopped: by our count or by zipfile's own check


def test_zstd_bomb_is_stopped_at_the_collection_bound(tmp_path):
    """2 KB of zstd (two frames) that inflate one byte past 64 MB are refused by the count while inflating;
    more than 64 MB of zstd input is refused from the zip's sizes; a frame asking for a 128 MB window is
    refused before the decoder allocates it."""
    bomb = zstd_stream(bytes(foreign.MAX_COLLECTION_BYTES), 1) + zstd_stream(b"\0")  # and a second frame of one byte
    assert len(bomb) < 4096
    path = _zip(tmp_path, {"meta": b"\x08\x03", "collection.anki21b": bomb}, "bomb.apkg")
    deck = load_deck(path)
    assert deck.cards == () and [str(p) for p in deck.problems] == [f"{path}: its collection inflates past 64 MB: not read"]

    # zstd input past the bound, however little it inflates to (empty frames), is refused from the zip's sizes
    empty_frames = zstd_stream(b"") * (foreign.MAX_COLLECTION_BYTES // len(zstd_stream(b"")) + 1)
    path = _zip(tmp_path, {"meta": b"\x08\x03", "collection.anki21b": empty_frames}, "empty.apkg")
    assert path.stat().st_size < 1_000_000
    (problem,) = load_deck(path).problems
    assert "at most 64 MB is read" in str(problem)

    wide = zstd_stream(b"x" * 100, window_log=27, write_content_size=0)
    path = _zip(tmp_path, {"meta": b"\x08\x03", "collection.anki21b": wide}, "wide.apkg")
    (problem,) = load_deck(path).problems
    assert "not readable zstd data" in str(problem) and "memory" in str(problem)


def test_a_collection_just_under_the_bound_is_inflated_whole(tmp_path, monkeypatch):
    """The bound is on the bytes out, not the chunks read: a collection of exactly the limit is read."""
    monkeypatch.setattr(foreign, "MAX_COLLECTION_BYTES", 3 << 20)
    deck = read_apkg(_zip(tmp_path, {"meta": b"\x08\x03", "collection.anki21b": zstd_stream(bytes(3 << 20))}))
    assert "not a readable Anki database" in str(deck.problems[0])  # inflated, then found not to be SQLite
    deck = read_apkg(_zip(tmp_path, {"meta": b"\x08\x03", "collection.anki21b": zstd_stream(bytes((3 << 20) + 1))}, "q.apkg"))
    assert "inflates past 3 MB" in str(deck.problems[0])


def test_protobuf_varints():
    """Varint fields by number; other wire types skipped; malformed bytes None."""
    assert foreign._protobuf_varints(b"") == {}
    assert foreign._protobuf_varints(b"\x08\x03") == {1: 3}
    assert foreign._protobuf_varints(b"\x08\x96\x01") == {1: 150}  # the protobuf docs' own example
    assert foreign._protobuf_varints(b"\x12\x02hi\x08\x01\x1d\x00\x00\x00\x00") == {1: 1}  # a string and a fixed32 skipped
    for bad in (b"\x08", b"\x08\x80", b"\x12\x05hi", b"\x0b", b"\xff" * 20):
        assert foreign._protobuf_varints(bad) is None, bad


def test_apkg_opened_read_only(tmp_path):
    """The collection copy is opened with mode=ro: a package whose collection is a valid but foreign
    SQLite database is reported, and nothing is written anywhere."""
    db = tmp_path / "c.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    path = _zip(tmp_path, {"collection.anki2": db.read_bytes()}, "foreign.apkg")
    deck = read_apkg(path)
    assert "not a readable Anki database" in str(deck.problems[0])


# ---------------------------------------------------------------- loading and importing


def test_folder_loads_every_kind_of_deck(tmp_path):
    import shutil

    shutil.copytree(FOREIGN, tmp_path / "decks")
    (tmp_path / "decks" / "notes.txt").write_text("just a text file\n", encoding="utf-8")
    bank = load_bank([tmp_path / "decks"], bundled=False)
    assert sorted(d.path.name for d in bank.decks) == [
        "anki-collection.colpkg", "anki-made.apkg", "anki-made.txt", "anki-modern.apkg", "anki.txt", "hashcards.md", "obsidian.md",
    ]
    # anki-made.apkg and anki-made.txt are one deck id with the same cards: the second copy is reported, not doubled
    assert len(bank.cards()) == 7 + 6 + 7 + 5 + 4 + 10
    assert any("duplicate deck id 'anki-made'" in str(p) for p in bank.all_problems())


def test_garbage_never_raises(tmp_path):
    import random

    rng = random.Random(5)
    for k in range(30):
        head = rng.choice(["#separator:tab\n", "#flashcards\n", "C: [x]\n", ""])
        body = "".join(rng.choice("Q:A:C:[]{}==?\n\t\";:: #<>x") for _ in range(300))
        path = tmp_path / f"g{k}.txt"
        path.write_text(head + body, encoding="utf-8")
        load_deck(path)  # problems, never an exception


def test_import_command_copies_into_the_user_folder(tmp_path, capsys):
    from quizapp.cli import main

    data = tmp_path / "data"
    empty = tmp_path / "empty.md"
    empty.write_text("# Only a heading\n", encoding="utf-8")
    assert main(["--data-dir", str(data), "import", str(FOREIGN / "obsidian.md"), str(FOREIGN / "anki.txt")]) == 0
    out = capsys.readouterr()
    assert "imported" in out.out and "anki.txt:9:" in out.err
    assert sorted(p.name for p in (data / "decks").iterdir()) == ["anki.txt", "obsidian.md"]
    assert (data / "decks" / "obsidian.md").read_bytes() == (FOREIGN / "obsidian.md").read_bytes()
    # every later session has them, without --content
    assert main(["--data-dir", str(data), "topics", "--no-bundled"]) == 0
    listed = capsys.readouterr().out
    assert "ml / cnn" in listed and "Losses" in listed
    assert main(["--data-dir", str(data), "import", str(empty)]) == 1
    assert "no cards could be read" in capsys.readouterr().err and not (data / "decks" / "empty.md").exists()
    assert main(["--data-dir", str(data), "import", str(tmp_path / "missing.md")]) == 2


def test_import_command_takes_anki_packages_of_both_kinds(tmp_path, capsys):
    from quizapp.cli import main

    data = tmp_path / "data"
    packages = [FOREIGN / "anki-modern.apkg", FOREIGN / "anki-collection.colpkg"]
    assert main(["--data-dir", str(data), "import", *map(str, packages)]) == 0
    assert sorted(p.name for p in (data / "decks").iterdir()) == ["anki-collection.colpkg", "anki-modern.apkg"]
    assert capsys.readouterr().out.count("7 cards") == 2
