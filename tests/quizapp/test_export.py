"""Export: golden files per format, byte-identical reruns, the JSON schema, CSV, markdown round trip, Anki, GIFT.

Golden files live in tests/quizapp/golden/ and are made from the fixed deck tests/quizapp/data/small.md
(not the shipped bank, so content edits do not touch them). Regenerate them on purpose with
``QUIZAPP_REGEN_GOLDEN=1 pytest tests/quizapp/test_export.py``.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from quizapp.content.loader import load_bank, load_deck
from quizapp.export import FORMATS, collect, instance_seed, render, run, template_order, write_atomic
from quizapp.export import anki as anki_module
from quizapp.export.gift import escape as gift_escape
from quizapp.export.markdown import escape as md_escape
from quizapp.generate import generate

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("QUIZAPP_REGEN_GOLDEN") == "1"
COUNT, SEED = 8, 7
TEXT_FORMATS = {"json": "json", "csv": "csv", "md": "md", "gift": "gift", "anki-tsv": "anki.tsv", "moodle-xml": "moodle.xml"}


@pytest.fixture
def bank(monkeypatch):
    # A relative path, so card sources read "small.md:N" on every machine.
    monkeypatch.chdir(DATA)
    return load_bank([Path("small.md")], bundled=False)


@pytest.fixture
def data(bank):
    return collect(bank, topics=None, count=COUNT, seed=SEED)


@pytest.mark.parametrize("fmt", sorted(TEXT_FORMATS))
def test_golden(data, fmt):
    payload = render(data, fmt)
    path = GOLDEN / f"small.{TEXT_FORMATS[fmt]}"
    if REGEN:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(payload)
    assert path.exists(), f"missing golden file {path}: run with QUIZAPP_REGEN_GOLDEN=1"
    assert payload == path.read_bytes(), f"{fmt} export differs from {path} (regenerate on purpose with QUIZAPP_REGEN_GOLDEN=1)"


@pytest.mark.parametrize("fmt", FORMATS)
def test_same_arguments_same_bytes(bank, fmt):
    a = render(collect(bank, topics=None, count=COUNT, seed=SEED), fmt)
    b = render(collect(bank, topics=None, count=COUNT, seed=SEED), fmt)
    assert a == b
    c = render(collect(bank, topics=None, count=COUNT, seed=SEED + 1), fmt)
    assert c != a


def test_instances_cycle_templates_and_levels(bank, data):
    templates = template_order(bank.templates(), SEED)
    assert sorted(t.id for t in templates) == sorted(t.id for t in bank.templates())
    assert len(data.instances) == COUNT
    for k, inst in enumerate(data.instances):
        assert inst.template_id == templates[k % len(templates)].id
        assert inst.level == ("medium", "easy", "hard")[(k // len(templates)) % 3]
        assert inst.seed == instance_seed(SEED, k)
        # the recorded seed and level reproduce the instance
        assert generate(templates[k % len(templates)], inst.seed, inst.level) == inst


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_default_export_covers_every_topic_evenly(seed):
    """The shipped bank's instances spread over its topics: with as many instances as topics, one each;
    with the default 20, none above its share and none left out while there are no more topics than
    instances (with more, 20 different topics); the decks an interviewer starts with (conv, init,
    gradient descent, linear) are all in once there is an instance for each topic."""
    bank = load_bank([], bundled=True)
    topics = {(t.deck, t.topic) for t in bank.templates()}
    for count in (len(topics), 20):
        per_topic = dict.fromkeys(topics, 0)
        for inst in collect(bank, topics=None, count=count, seed=seed).instances:
            per_topic[(inst.deck, inst.topic)] += 1
        assert max(per_topic.values()) == -(-count // len(topics)), per_topic
        assert sum(n > 0 for n in per_topic.values()) == min(count, len(topics)), per_topic
    # With an instance for each topic, every deck is in (the bank has more topics than the default 20).
    decks = {i.deck for i in collect(bank, topics=None, count=len(topics), seed=seed).instances}
    assert {"convolution", "initialisation", "gradient-descent", "linear-layers"} <= decks
    assert decks == {t.deck for t in bank.templates()}


def test_template_order_is_round_robin_over_topics_and_shuffled_by_seed(bank):
    templates = bank.templates()
    order = template_order(templates, 3)
    assert order == template_order(templates, 3)
    # the first len(topics) templates are one from each topic
    topics = {(t.deck, t.topic) for t in templates}
    assert len({(t.deck, t.topic) for t in order[: len(topics)]}) == len(topics)
    orders = {tuple(t.id for t in template_order(templates, s)) for s in range(20)}
    assert len(orders) > 1  # the seed shuffles


def test_topics_filter(bank):
    d = collect(bank, topics=["attention"], count=4, seed=0)
    assert {c.topic for c in d.cards} == {"Attention"}
    assert {i.topic for i in d.instances} == {"Attention"}
    assert len(d.instances) == 4


# ---------------------------------------------------------------- JSON


def test_json_schema(data):
    doc = json.loads(render(data, "json"))
    assert doc["schema"] == 1
    assert doc["generator"].startswith("quizapp ")
    assert doc["seed"] == SEED and doc["topics"] == []
    assert len(doc["cards"]) == len(data.cards) == 10
    for card in doc["cards"]:
        assert {"id", "deck", "topic", "kind", "question", "answer", "source"} <= card.keys()
        assert card["answer"] and "$" not in card["question"] and "**" not in card["answer"]
    mcq = [c for c in doc["cards"] if c["kind"] == "mcq"]
    assert mcq and mcq[0]["options"][mcq[0]["correct"]] == mcq[0]["answer"]
    assert len(doc["drill_instances"]) == COUNT
    for inst in doc["drill_instances"]:
        assert {
            "id", "template_id", "seed", "level", "params", "question", "answer", "answer_text",
            "form", "tolerance", "steps", "misconceptions", "precision", "hint", "details",
        } <= inst.keys()
        assert set(inst["tolerance"]) == {"abs", "rel", "sig_figs", "decimals", "exact"}
        assert inst["question"].endswith(f"({inst['precision']})")
        assert inst["id"] == f"{inst['template_id']}@{inst['seed']}"


def test_json_writes_every_field_a_card_has(math_data, data):
    """Each Card field is in the JSON when the card has it (a field added later and not exported fails here)."""
    import dataclasses

    from quizapp.content.model import Card

    docs = [json.loads(render(d, "json")) for d in (math_data, data)]
    cards = {c["id"]: c for doc in docs for c in doc["cards"]}
    assert {f.name for f in dataclasses.fields(Card)} - set().union(*cards.values()) == {"tags"}  # no tags in these decks
    for card in math_data.cards:
        mathjax = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(card.mathjax).items() if v}
        assert cards[card.id]["mathjax"] == mathjax
    c1, c2 = (c for c in math_data.cards if str(c.kind) == "cloze")
    assert cards[c1.id]["cloze"] == cards[c2.id]["cloze"] == "The He std is {{c1::1/√n}} times {{c2::√2}}."
    (inst,) = docs[0]["drill_instances"]
    assert inst["question_mathjax"] == math_data.instances[0].question_mathjax != inst["question"]
    for card in data.cards:  # the notes cards of small.md's one section are siblings; written cards have no family
        assert cards[card.id].get("family") == ("Convolutions" if str(card.kind) in ("definition", "list", "formula") else None)


def test_json_is_sorted_utf8_indented(data):
    text = render(data, "json").decode("utf-8")
    assert "√dₖ" in text  # not \\u escapes
    assert text.startswith('{\n  "cards": [')
    assert text.endswith("}\n")


# ---------------------------------------------------------------- CSV


def test_csv_opens_as_a_table(data):
    payload = render(data, "csv")
    assert payload.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets then read UTF-8
    rows = list(csv.reader(io.StringIO(payload.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["id", "deck", "topic", "kind", "question", "answer", "options", "tolerance", "steps", "note"]
    body = rows[1:]
    assert len(body) == len(data.cards) + len(data.instances)
    assert all(len(r) == 10 for r in body)
    by_id = {r[0]: r for r in body}
    mcq = next(r for r in body if r[3] == "mcq")
    assert mcq[5] == "2. Max pooling" and mcq[6].splitlines() == ["1. Convolution", "2. Max pooling", "3. Linear"]
    for inst in data.instances:
        row = by_id[inst.id]
        assert row[3] == "drill" and row[4] == inst.question and row[5] == inst.answer_text
        assert row[7] == inst.tolerance.describe(inst.form, expected=inst.answer) and row[8].splitlines() == list(inst.steps)


def test_csv_keeps_the_cards_notes(data):
    rows = list(csv.DictReader(io.StringIO(render(data, "csv").decode("utf-8-sig"), newline="")))
    notes = {r["id"]: r["note"] for r in rows}
    with_notes = [c for c in data.cards if c.note]
    assert len(with_notes) >= 2  # the stride card's Why: and the multiple choice's
    for card in data.cards:
        assert notes[card.id] == card.note
    assert notes["small-stride"] == "A stride of 2 halves the output size."
    shape = next(r for r in rows if r["id"].startswith("small-shapes@"))
    assert shape["tolerance"] == "exact sizes"  # not "an exact integer"


# ---------------------------------------------------------------- markdown


def test_markdown_reloads_as_the_same_cards(data, tmp_path):
    path = tmp_path / "export.md"
    path.write_bytes(render(data, "md"))
    deck = load_deck(path)
    assert deck.problems == ()
    back = {c.id: c for c in deck.cards}
    assert len(back) == len(data.cards) + len(data.instances)
    for card in data.cards:
        got = back[card.id]
        assert (got.question, got.topic, got.note) == (card.question, card.topic, card.note)
        if card.options:
            assert (got.options, got.correct) == (card.options, card.correct)
        else:
            assert got.answer == card.answer
    for inst in data.instances:
        got = back[f"{inst.template_id}-{inst.seed}"]
        assert (got.question, got.answer, got.topic) == (inst.question, inst.answer_text, inst.topic)


@pytest.mark.parametrize(
    "text",
    [
        "plain text",
        "**not bold** and *not italic* and `not code` and $x$ and \\alpha",
        "a :: b and {{c1::x}} and {#id} and [link](u) and <b>tag</b> and ~~strike~~",
        "- not a list\n+ nor this\n* nor this\n1. nor this\n2) nor this\n# nor a heading\n> nor a quote\n---",
        "Q: not a question\nA: not an answer\nWhy: not a note",
        "fan_in = c_in·k·k and (w - 3)**2 | pipes | and 0.25 and 12. at the end\n-0.5 leads",
    ],
)
def test_markdown_escape_round_trips(tmp_path, text):
    path = tmp_path / "one.md"
    path.write_text(f"# T\n\nQ: question {{#the-id}}\nA: {md_escape(text)}\n", encoding="utf-8")
    deck = load_deck(path)
    assert deck.problems == ()
    assert [c.answer for c in deck.cards] == [text]


def test_shipped_bank_markdown_round_trip(tmp_path):
    bank = load_bank([], bundled=True)
    d = collect(bank, topics=None, count=0, seed=0)
    path = tmp_path / "bank.md"
    path.write_bytes(render(d, "md"))
    back = {c.id: c for c in load_deck(path).cards}
    for card in d.cards:
        got = back[card.id]
        assert got.question == card.question
        assert (got.options, got.correct) == (card.options, card.correct) if card.options else got.answer == card.answer


# ---------------------------------------------------------------- Anki


def _read_apkg(payload: bytes, tmp_path: Path) -> dict:
    """The package read back with zipfile and sqlite3: models by name, notes with their model, deck and cards."""
    archive = zipfile.ZipFile(io.BytesIO(payload))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["collection.anki2", "media"]
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    assert json.loads(archive.read("media")) == {}
    db = tmp_path / "collection.anki2"
    db.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        models = json.loads(conn.execute("select models from col").fetchone()[0])
        decks = json.loads(conn.execute("select decks from col").fetchone()[0])
        notes = conn.execute("select id, guid, mid, flds, tags from notes").fetchall()
        mods = dict(conn.execute("select guid, mod from notes"))
        cards = conn.execute("select nid, did, ord from cards").fetchall()
    finally:
        conn.close()
    by_name = {m["name"]: m for m in models.values()}
    out = {}
    for nid, guid, mid, flds, tags in notes:
        model = models[str(mid)]
        mine = [c for c in cards if c[0] == nid]
        out[guid] = {
            "model": model["name"],
            "fields": dict(zip([f["name"] for f in model["flds"]], flds.split("\x1f"), strict=True)),
            "tags": tags.split(),
            "decks": {decks[str(did)]["name"] for _, did, _ in mine},
            "ords": sorted(o for _, _, o in mine),
        }
    return {"models": by_name, "notes": out, "decks": {d["name"]: int(i) for i, d in decks.items()}, "mods": mods}


def test_anki_golden(data, tmp_path):
    """The .apkg's content as read back (note types, notes, decks) against a golden file; the bytes
    themselves are compared run to run by test_same_arguments_same_bytes."""
    apkg = _read_apkg(render(data, "anki"), tmp_path)
    del apkg["mods"]  # the files' modification times
    apkg["models"] = {name: {k: m[k] for k in ("id", "type", "flds", "tmpls", "css")} for name, m in apkg["models"].items()}
    for note in apkg["notes"].values():
        note["decks"] = sorted(note["decks"])
    payload = (json.dumps(apkg, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    path = GOLDEN / "small.apkg.json"
    if REGEN:
        path.write_bytes(payload)
    assert payload == path.read_bytes(), f"anki export differs from {path} (regenerate on purpose with QUIZAPP_REGEN_GOLDEN=1)"


def test_anki_note_types_and_every_card(data, tmp_path):
    import genanki

    from quizapp.export.anki import stable_id

    apkg = _read_apkg(render(data, "anki"), tmp_path)
    models = apkg["models"]
    assert set(models) == {"quizapp basic", "quizapp cloze", "quizapp type-in", "quizapp multiple choice"}
    assert models["quizapp cloze"]["type"] == 1 and "{{cloze:Text}}" in models["quizapp cloze"]["tmpls"][0]["qfmt"]
    assert "{{type:Answer}}" in models["quizapp type-in"]["tmpls"][0]["qfmt"]
    assert "{{Options}}" in models["quizapp multiple choice"]["tmpls"][0]["qfmt"]
    for name, model in models.items():
        assert int(model["id"]) == stable_id(name)  # the same id in every export: notes update in place
    notes = apkg["notes"]

    # every card is in: basic and choice cards by their own guid; the two cloze cards as one note of two cards
    cloze_cards = [c for c in data.cards if str(c.kind) == "cloze"]
    assert len(cloze_cards) == 2
    cloze = notes[genanki.guid_for(cloze_cards[0].id)]
    assert cloze["model"] == "quizapp cloze"
    assert cloze["fields"]["Text"] == "A 1×1 convolution mixes {{c1::channels}} but not {{c2::positions}}."
    assert cloze["ords"] == [0, 1]
    assert genanki.guid_for(cloze_cards[1].id) not in notes
    for card in data.cards:
        if card in cloze_cards:
            continue
        note = notes[genanki.guid_for(card.id)]
        assert note["ords"] == [0]
        assert note["decks"] == {f"quizapp::Small test deck::{card.topic}"}
        assert {"small", str(card.kind)} <= set(note["tags"])
        if card.options:
            assert note["model"] == "quizapp multiple choice"
            assert note["fields"]["Options"] == "<ol><li>Convolution</li><li>Max pooling</li><li>Linear</li></ol>"
            assert note["fields"]["Answer"] == "2. Max pooling"
            assert note["fields"]["Why"] == "pooling takes a max; nothing is learned."
        else:
            assert note["model"] == "quizapp basic"
            assert note["fields"]["Front"] == html.escape((card.mathjax or card).question, quote=False).replace("\n", "<br>")
    stride = notes[genanki.guid_for("small-stride")]
    assert stride["fields"]["Front"] == "What does stride mean?"
    assert "A stride of 2 halves the output size." in stride["fields"]["Back"]
    for inst in data.instances:
        note = notes[genanki.guid_for(inst.id)]
        assert note["model"] == "quizapp type-in" and note["ords"] == [0]
        assert note["fields"]["Answer"] == inst.answer_text.replace("\n", "<br>")
        assert note["fields"]["Precision"] == inst.precision
        assert not note["fields"]["Question"].endswith(f"({inst.precision})")
        assert note["fields"]["Steps"].count("<br>") == len(inst.steps) - 1
        assert "drill" in note["tags"]
    assert len(notes) == len(data.cards) - 1 + len(data.instances)
    conv = next(i for i in data.instances if i.template_id == "small-conv-out" and i.misconceptions)
    mistakes = notes[genanki.guid_for(conv.id)]["fields"]["Mistakes"]
    assert mistakes.count("Not ") == len(conv.misconceptions)
    for name, deck_id in apkg["decks"].items():
        if name != "Default":
            assert deck_id == stable_id(name)


def test_anki_changed_text_updates_the_same_notes(tmp_path, monkeypatch):
    """A re-export after editing answers and an explicit-id question keeps every guid, model id and deck id."""
    monkeypatch.chdir(DATA)
    first = _read_apkg(render(collect(load_bank([Path("small.md")], bundled=False), topics=None, count=2, seed=SEED), "anki"), tmp_path)
    text = (DATA / "small.md").read_text(encoding="utf-8")
    edited = (
        text.replace("What does stride mean?", "What does the stride of a convolution mean?")
        .replace("The step, in pixels,", "The step")
        .replace("- [x] Max pooling", "- [x] Max pooling (2×2)")
        .replace("A: $8$", "A: $8$, since 8² = 64")
    )
    assert edited.count("\n") == text.count("\n") and edited != text
    copy = tmp_path / "small.md"
    copy.write_text(edited, encoding="utf-8")
    newer = max(os.stat(DATA / "small.md").st_mtime, os.stat(anki_module.__file__).st_mtime) + 60
    os.utime(copy, (newer, newer))
    monkeypatch.chdir(tmp_path)
    second = _read_apkg(render(collect(load_bank([Path("small.md")], bundled=False), topics=None, count=2, seed=SEED), "anki"), tmp_path)
    assert first["notes"].keys() == second["notes"].keys()
    assert first["decks"] == second["decks"]
    assert {n: m["id"] for n, m in first["models"].items()} == {n: m["id"] for n, m in second["models"].items()}
    changed = [g for g in first["notes"] if first["notes"][g]["fields"] != second["notes"][g]["fields"]]
    assert len(changed) == 3  # stride, the multiple choice and the √dₖ card: updated, not duplicated
    # Anki updates a note when the incoming one is newer: the edited deck's notes are stamped later
    assert all(second["mods"][g] == int(newer) > first["mods"][g] for g in first["notes"])


def test_anki_tsv_reads_as_anki_reads_it(data):
    """Header lines first, then one note a line in six tab-separated columns, every card found by its guid."""
    import genanki

    lines = render(data, "anki-tsv").decode("utf-8").split("\n")
    assert lines[:6] == [
        "#separator:tab",
        "#html:true",
        "#notetype column:1",
        "#deck column:2",
        "#tags column:5",
        "#guid column:6",
    ]
    assert lines[-1] == ""
    rows = list(csv.reader(io.StringIO("\n".join(lines[6:])), delimiter="\t"))
    assert all(len(r) == 6 for r in rows)
    by_guid = {r[5]: r[:5] for r in rows}
    assert len(by_guid) == len(rows) == len(data.cards) - 1 + len(data.instances)  # two cloze cards, one note
    c1, c2 = (c for c in data.cards if str(c.kind) == "cloze")
    assert genanki.guid_for(c2.id) not in by_guid  # Anki makes its card from the first card's note
    assert by_guid[genanki.guid_for(c1.id)][:4] == [
        "Cloze",
        "quizapp::Small test deck::Convolutions",
        "A 1×1 convolution mixes {{c1::channels}} but not {{c2::positions}}.",
        "",
    ]
    mcq = next(c for c in data.cards if c.options)
    row = by_guid[genanki.guid_for(mcq.id)]
    assert row[0] == "Basic" and "<li>Max pooling</li>" in row[2] and row[3].startswith("2. Max pooling")
    assert by_guid[genanki.guid_for("small-stride")][4].split() == ["small", "convolutions", "qa"]
    for inst in data.instances:
        row = by_guid[genanki.guid_for(inst.id)]
        assert row[0] == "Basic (type in the answer)"
        assert row[2] == html.escape(inst.question, quote=False) and row[3] == inst.answer_text
        assert "drill" in row[4].split()
    assert not any("\n" in cell for r in rows for cell in r)
    assert not any(line.startswith("#") for line in lines[6:])  # Anki would read it as a comment


MATH_DECK = r"""---
id: maths
title: Maths deck
---

# Init

Q: What is the He std for fan-in $n$? {#he-std}
A: $\sigma = \sqrt{2/n}$, so it shrinks as $n$ grows.
Why: $a < b$ and $a \& b$ stay escaped HTML.

Which scale keeps $\mathrm{Var}(z)$ constant?
- [ ] $1/n$
- [x] $\sqrt{2/n}$
- [ ] $2/n$

The He std is {{c1::$\frac{1}{\sqrt{n}}$}} times {{c2::$\sqrt{2}$}}.

```drill
id: maths-he
solver: init.he_std
params:
  fan_in: [9, 27, 72]
ask: 'Fan-in {fan_in}: what is $\sigma$ if $\sigma^2 = 2/n$?'
answer: {form: decimal, sig_figs: 3}
```
"""


@pytest.fixture
def math_data(tmp_path, monkeypatch):
    (tmp_path / "maths.md").write_text(MATH_DECK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    bank = load_bank([Path("maths.md")], bundled=False)
    assert not bank.all_problems()
    return collect(bank, topics=None, count=1, seed=SEED)


MATH_FIELDS = {
    "he-std": (r"What is the He std for fan-in \(n\)?", r"\(\sigma = \sqrt{2/n}\), so it shrinks as \(n\) grows."),
    "why": r"\(a &lt; b\) and \(a \&amp; b\) stay escaped HTML.",
    "choice": (r"Which scale keeps \(\mathrm{Var}(z)\) constant?", r"<ol><li>\(1/n\)</li><li>\(\sqrt{2/n}\)</li><li>\(2/n\)</li></ol>", r"2. \(\sqrt{2/n}\)"),
    # Anki would end the deletion at the formula's "}}": written "} }", which TeX reads the same
    "cloze": r"The He std is {{c1::\(\frac{1}{\sqrt{n} }\)}} times {{c2::\(\sqrt{2}\)}}.",
    "drill": r"Fan-in {}: what is \(\sigma\) if \(\sigma^2 = 2/n\)?",
}


def test_anki_formulas_are_mathjax_in_the_package(math_data, tmp_path):
    """Formulas written as $...$ reach the .apkg's note fields as MathJax, HTML-escaped; the cards keep Unicode."""
    import genanki

    he, choice, c1, _ = math_data.cards
    assert he.question == "What is the He std for fan-in n?" and he.answer.startswith("σ = √(2/n)")  # terminal text
    notes = _read_apkg(render(math_data, "anki"), tmp_path)["notes"]
    basic = notes[genanki.guid_for("he-std")]["fields"]
    assert (basic["Front"], basic["Back"]) == (MATH_FIELDS["he-std"][0], MATH_FIELDS["he-std"][1] + f'<div class="why">{MATH_FIELDS["why"]}</div>')
    mcq = notes[genanki.guid_for(choice.id)]["fields"]
    assert (mcq["Question"], mcq["Options"], mcq["Answer"]) == MATH_FIELDS["choice"]
    assert notes[genanki.guid_for(c1.id)]["fields"]["Text"] == MATH_FIELDS["cloze"]
    (inst,) = math_data.instances
    fan_in = inst.params["fan_in"]
    assert inst.question == f"Fan-in {fan_in}: what is σ if σ² = 2/n? (3 significant figures)"
    assert notes[genanki.guid_for(inst.id)]["fields"]["Question"] == MATH_FIELDS["drill"].format(fan_in)


def test_anki_tsv_formulas_are_mathjax(math_data):
    import genanki

    rows = list(csv.reader(io.StringIO(render(math_data, "anki-tsv").decode("utf-8").split("\n", 6)[6]), delimiter="\t"))
    by_guid = {r[5]: r[2:4] for r in rows}
    _, choice, c1, _ = math_data.cards
    assert by_guid[genanki.guid_for("he-std")] == [MATH_FIELDS["he-std"][0], MATH_FIELDS["he-std"][1] + f'<div class="why">{MATH_FIELDS["why"]}</div>']
    question, options, answer = MATH_FIELDS["choice"]
    assert by_guid[genanki.guid_for(choice.id)] == [question + options, answer]
    assert by_guid[genanki.guid_for(c1.id)] == [MATH_FIELDS["cloze"], ""]
    (inst,) = math_data.instances
    assert by_guid[genanki.guid_for(inst.id)] == [MATH_FIELDS["drill"].format(inst.params["fan_in"]) + " (3 significant figures)", inst.answer_text]


@pytest.mark.parametrize("fmt", ["anki", "anki-tsv"])
def test_anki_formulas_read_back_as_the_same_terminal_text(math_data, tmp_path, fmt):
    """Export, then quizapp's own importer: every card and drill question renders to the text it had."""
    from quizapp.content.foreign import read_apkg

    path = tmp_path / ("export.apkg" if fmt == "anki" else "export.txt")
    path.write_bytes(render(math_data, fmt))
    back = read_apkg(path) if fmt == "anki" else load_deck(path)
    assert [p for p in back.problems if p.severity == "error"] == []
    he, choice, c1, c2 = math_data.cards
    got = {c.question: c for c in back.cards}
    assert got[he.question].answer.startswith(he.answer)  # the "Why:" note follows it on the back
    for cloze in (c1, c2):
        assert (got[cloze.question].answer, got[cloze.question].cloze) == (cloze.answer, cloze.cloze)
    if fmt == "anki":  # quizapp's multiple-choice note type comes back as multiple choice
        mine = got[choice.question]
        assert (mine.options, mine.correct, mine.note) == (choice.options, choice.correct, choice.note)
    (inst,) = math_data.instances
    assert any(inst.question.startswith(q) and c.answer == inst.answer_text for q, c in got.items())


def test_anki_needs_an_output_file(bank, capsys):
    assert run(bank, "anki", topics=None, count=2, seed=None, output=None) == 2
    assert "-o FILE" in capsys.readouterr().err


# ---------------------------------------------------------------- Moodle XML

MOODLE_TYPES = {"category", "calculated", "numerical", "shortanswer", "multichoice", "cloze", "essay"}
# Moodle's calculated formulas: its functions, numbers, operators and {wildcards}, nothing else.
MOODLE_FUNCTIONS = ("floor", "ceil", "sqrt", "pow", "abs", "exp", "log", "min", "max", "pi", "round")


def _moodle(payload: bytes):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(payload)
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    by_name = {}
    for q in questions:
        assert q.get("type") in MOODLE_TYPES, q.get("type")
        if q.get("type") == "category":
            assert q.findtext("category/text").startswith("$course$/quizapp/")
            continue
        name = q.findtext("name/text")
        assert name and name not in by_name, name
        assert q.find("questiontext").get("format") == "html" and q.findtext("questiontext/text")
        assert q.findtext("idnumber") == name
        by_name[name] = q
    return root, by_name


def _dataset(q) -> list[dict[str, float]]:
    """The items of a calculated question's dataset, each as {wildcard: value}, checked against Moodle's rules."""
    definitions = q.findall("dataset_definitions/dataset_definition")
    assert definitions
    counts = set()
    rows: dict[int, dict[str, float]] = {}
    for d in definitions:
        name = d.findtext("name/text")
        assert re.fullmatch(r"[A-Za-z_]\w*", name)
        assert d.findtext("status/text") == "private" and d.findtext("type") == "calculated"
        items = d.findall("dataset_items/dataset_item")
        count = int(d.findtext("itemcount"))
        assert count == len(items) == int(d.findtext("number_of_items")) and 1 <= count <= 100
        counts.add(count)
        low, high = float(d.findtext("minimum/text")), float(d.findtext("maximum/text"))
        assert [int(i.findtext("number")) for i in items] == list(range(1, count + 1))
        for item in items:
            value = float(item.findtext("value"))
            assert low <= value <= high
            rows.setdefault(int(item.findtext("number")), {})[name] = value
    assert len(counts) == 1  # items are drawn together: item k of every wildcard is one draw
    return [rows[k] for k in sorted(rows)]


def test_moodle_xml_structure_and_every_card(data):
    payload = render(data, "moodle-xml")
    _, by_name = _moodle(payload)
    c1, c2 = (c for c in data.cards if str(c.kind) == "cloze")
    cloze = by_name.pop(c1.id)
    assert cloze.get("type") == "cloze" and c2.id not in by_name
    assert cloze.findtext("questiontext/text") == "A 1×1 convolution mixes {1:SHORTANSWER:=channels} but not {1:SHORTANSWER:=positions}."
    for card in data.cards:
        if card in (c1, c2):
            continue
        q = by_name.pop(card.id)
        if card.options:
            assert q.get("type") == "multichoice" and q.findtext("single") == "true"
            answers = [(a.get("fraction"), a.findtext("text")) for a in q.findall("answer")]
            assert answers == [("0", "Convolution"), ("100", "Max pooling"), ("0", "Linear")]
            assert q.findtext("generalfeedback/text") == card.note
        elif "\n" in card.answer or len(card.answer) > 60:
            assert q.get("type") == "essay" and card.answer.split("\n")[0] in q.findtext("graderinfo/text")
        else:
            assert q.get("type") == "shortanswer" and q.find("answer").get("fraction") == "100"
            assert q.findtext("answer/text") == card.answer
    # every template: one calculated question, or a set of numerical ones; the file says how many
    calculated = {f"{t.id}@calculated" for t in data.templates if f"{t.id}@calculated" in by_name}
    assert calculated == {"small-conv-out@calculated", "small-he@calculated"}  # conv output size and He std have Moodle formulas
    numerical = [n for n in by_name if n not in calculated]
    assert {n.split("@")[0] for n in numerical} == {"small-shapes", "small-forward"}
    assert len(numerical) == 20
    assert b"<!-- quizapp 0.1.0, seed 7: 2 drill templates as calculated questions, 2 as sets of fixed-number questions (20 questions) -->" in payload
    for name in numerical:
        q = by_name[name]
        if name.startswith("small-shapes@"):
            assert q.get("type") == "shortanswer" and re.fullmatch(r"\d+x\d+", q.findall("answer")[0].findtext("text"))
        else:  # a vector: one numerical blank per element
            text = q.findtext("questiontext/text")
            assert q.get("type") == "cloze" and len(re.findall(r"\{1:NUMERICAL:=-?[\d.e-]+:[\d.e-]+\}", text)) == 2


@pytest.mark.parametrize("template_id", ["small-conv-out", "small-he"])
def test_moodle_calculated_question_grades_as_quizapp_does(data, template_id):
    """On every dataset item the formula gives what the solver, called directly, gives; Moodle's tolerance
    accepts the answer rounded as the question asks and rejects every named mistake."""
    import solvers
    from quizapp.generate import format_answer
    from solvers.expr import evaluate, parse

    _, by_name = _moodle(render(data, "moodle-xml"))
    q = by_name[f"{template_id}@calculated"]
    template = next(t for t in data.templates if t.id == template_id)
    spec = solvers.get(template.solver)
    answer = q.find("answer")
    formula = answer.findtext("text")
    bare = formula
    for f in MOODLE_FUNCTIONS:
        bare = bare.replace(f + "(", "(")
    assert re.fullmatch(r"[\d.+\-*/() ]*", re.sub(r"\{\w+\}", "", bare)), formula
    tolerance, kind = float(answer.findtext("tolerance")), answer.findtext("tolerancetype")
    assert kind in ("1", "2")
    rows = _dataset(q)
    assert len(rows) == 100
    assert set(re.findall(r"\{(\w+)\}", formula)) <= set(rows[0])
    node = parse(re.sub(r"\{(\w+)\}", r"\1", formula))
    for row in rows:
        values = {n: int(v) if v.is_integer() else v for n, v in row.items()}
        solution = spec.solve(**{p.name: values[p.name] for p in spec.params if p.name in values})
        moodle = float(evaluate(node, values))
        assert moodle == pytest.approx(float(solution.value), rel=1e-12)
        width = tolerance * abs(moodle) if kind == "1" else tolerance
        t = template.answer
        rounded = float(format_answer(solution.value, t.form, sig_figs=t.sig_figs, decimals=t.decimals))
        assert abs(rounded - moodle) <= width  # the answer written as asked is accepted
        for m in solution.misconceptions:
            assert abs(float(m.value) - moodle) > width, m.name  # a named mistake is not
    # the question text's wildcards all have datasets, and it keeps the precision asked for
    text = q.findtext("questiontext/text")
    assert set(re.findall(r"\{(\w+)\}", text)) <= set(rows[0])
    assert text.endswith(")")


def test_moodle_export_says_how_it_wrote_the_drills(bank, tmp_path, capsys):
    out = tmp_path / "q.xml"
    assert run(bank, "moodle-xml", topics=None, count=COUNT, seed=SEED, output=out) == 0
    err = capsys.readouterr().err
    assert "2 drill templates as calculated questions, 2 as sets of fixed-number questions (20 questions)" in err
    assert out.read_bytes() == render(collect(bank, topics=None, count=COUNT, seed=SEED), "moodle-xml")


def test_moodle_shipped_bank_keeps_most_templates_calculated():
    bank = load_bank([], bundled=True)
    d = collect(bank, topics=None, count=1, seed=0)
    payload = render(d, "moodle-xml")
    _, by_name = _moodle(payload)
    calculated = [q for q in by_name.values() if q.get("type") == "calculated"]
    assert len(calculated) >= 25
    for q in calculated:
        _dataset(q)
    for card in d.cards:
        assert card.id in by_name or (str(card.kind) == "cloze")
    for t in d.templates:
        assert any(n.startswith(t.id + "@") for n in by_name)


# Moodle's qtype_calculated finds a {=formula} in a text with this pattern (question/type/calculated).
MOODLE_EXPRESSION = re.compile(r"\{=([^{}]*(?:\{[^{}]+}[^{}]*)*)}")


def _moodle_shows(text: str, row: dict[str, float]) -> str:
    """``text`` as Moodle shows it for a dataset item: each {=formula} computed and printed as PHP prints a
    float (14 significant digits, no trailing zeros), then each {wildcard} replaced by its value as written."""
    from solvers.expr import evaluate, parse

    values = {n: int(v) if v.is_integer() else v for n, v in row.items()}

    def computed(m):
        formula = m.group(1)
        bare = formula
        for f in (*MOODLE_FUNCTIONS, "log10"):
            bare = bare.replace(f + "(", "(")
        assert re.fullmatch(r"[\d.+\-*/(), ]*", re.sub(r"\{\w+\}", "", bare)), formula  # Moodle's formula language
        value = float(evaluate(parse(re.sub(r"\{(\w+)\}", r"\1", formula)), values))
        printed = f"{value:.14G}"
        assert "E" not in printed
        return printed

    shown = MOODLE_EXPRESSION.sub(computed, text)
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), shown)


def _worked_floors(step: str) -> str:
    """⌊63.5⌋ written as 63: a solver shows the floor of a division that is not exact, and leaves it out otherwise."""
    import math

    return re.sub(r"⌊(\d+(?:\.\d+)?)…?⌋", lambda m: str(math.floor(float(m.group(1)))), step)


def _check_calculated_feedback(data, q) -> tuple[int, int]:
    """Every dataset item shown the general feedback as Moodle shows it: each step written with wildcards and
    formulas reads as the solver's step for that item's numbers; each other step ends with " *", is the first
    item's, and a last line says so. (steps written for every item, steps shown for one)"""
    import html as html_module

    from quizapp.export.moodle_xml import DATASET_ITEMS, _draws

    template = next(t for t in data.templates if f"{t.id}@calculated" == q.findtext("name/text"))
    items = _draws(template, data.seed, DATASET_ITEMS)
    rows = _dataset(q)
    assert len(rows) == len(items)
    for row, item in zip(rows, items, strict=True):
        assert all(float(item.params[n]) == v for n, v in row.items())  # dataset item k is draw k
    lines = html_module.unescape(q.findtext("generalfeedback/text")).split("<br>")
    steps = [line for line in lines if not line.startswith(("* worked for one draw", "Some numbers take"))]
    assert len(steps) == len(items[0].steps)
    generic = [k for k, line in enumerate(steps) if line.endswith(" *")]
    if generic:
        assert lines[len(steps)].startswith("* worked for one draw (") and lines[len(steps)].endswith("), not for your numbers.")
    for k in generic:
        assert steps[k] == items[0].steps[k] + " *"
    further = False
    for row, item in zip(rows, items, strict=True):
        # the written steps, as this student sees them, are the solver's steps for these numbers, in order
        # (a student may have further steps, a dilated kernel's size, that the feedback leaves out)
        theirs = iter(_worked_floors(step) for step in item.steps)
        for k, line in enumerate(steps):
            if k not in generic:
                shown = _worked_floors(_moodle_shows(line, row))
                assert any(shown == step for step in theirs), (shown, item.steps)
        further = further or len(item.steps) > len(steps) - len(generic)
    if lines[-1] == "Some numbers take further steps, not shown here.":
        assert further
    return len(steps) - len(generic), len(generic)


@pytest.mark.parametrize(
    ("template_id", "written", "generic"),
    [
        # the hard level's dilated kernels state another formula first (with K_eff) and work K_eff out
        ("small-conv-out", 1, 1),
        ("small-he", 3, 0),
    ],
)
def test_moodle_calculated_feedback_shows_each_student_their_own_steps(data, template_id, written, generic):
    _, by_name = _moodle(render(data, "moodle-xml"))
    q = by_name[f"{template_id}@calculated"]
    assert _check_calculated_feedback(data, q) == (written, generic)
    assert MOODLE_EXPRESSION.search(q.findtext("generalfeedback/text"))


def test_moodle_shipped_bank_feedback_is_each_students_own():
    """Across the shipped bank's calculated questions almost every worked step is written for every student."""
    d = collect(load_bank([], bundled=True), topics=None, count=1, seed=0)
    _, by_name = _moodle(render(d, "moodle-xml"))
    counts = [_check_calculated_feedback(d, q) for q in by_name.values() if q.get("type") == "calculated"]
    written, generic = sum(w for w, _ in counts), sum(g for _, g in counts)
    assert generic <= 0.1 * (written + generic), (written, generic)


def test_php_number_prints_as_php_does():
    from quizapp.export.moodle_xml import php_number

    assert [php_number(v) for v in (72.0, 0.5, 63.5, 0.028868, 1 / 3, 18874368.0)] == ["72", "0.5", "63.5", "0.028868", "0.33333333333333", "18874368"]
    assert php_number(1e-5) is None and php_number(1e15) is None  # PHP writes these as 1.0E-5, 1.0E+15


# ---------------------------------------------------------------- GIFT


def test_gift_escapes_special_characters():
    assert gift_escape("a~b=c#d{e}f:g\\h") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h"
    assert gift_escape("line one\n\n\nline two") == "line one\nline two"


_GIFT_SPECIAL = "~=#{}:\\"


def _gift_chars(text: str) -> list[tuple[str, bool]]:
    """GIFT text as (character, escaped) pairs; a backslash may escape only a special character."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            assert i + 1 < len(text) and text[i + 1] in _GIFT_SPECIAL, f"stray backslash in {text!r}"
            out.append((text[i + 1], True))
            i += 2
        else:
            out.append((text[i], False))
            i += 1
    return out


def _split(chars: list[tuple[str, bool]], marks: str) -> list[list[tuple[str, bool]]]:
    """Split at unescaped characters in ``marks`` (each kept as the first item of its part)."""
    parts: list[list[tuple[str, bool]]] = [[]]
    for c, escaped in chars:
        if c in marks and not escaped:
            parts.append([])
        parts[-1].append((c, escaped))
    return parts


def _plain(chars: list[tuple[str, bool]]) -> str:
    assert not any(c in _GIFT_SPECIAL and not escaped for c, escaped in chars), "an unescaped special character"
    return "".join(c for c, _ in chars)


def parse_gift(text: str) -> dict[str, dict]:
    """A GIFT grammar check: every question ``::title::text{answers}``, specials escaped everywhere else.

    Returns {title: {"text", "kind", "answers", "feedback", "category"}} with escapes undone.
    """
    questions: dict[str, dict] = {}
    category = None
    for block in text.split("\n\n"):
        lines = [ln for ln in block.split("\n") if not ln.startswith("//")]
        if not "".join(lines).strip():
            continue
        if lines[0].startswith("$CATEGORY: "):
            assert len(lines) == 1
            category = lines[0][len("$CATEGORY: ") :]
            continue
        chars = _gift_chars("\n".join(lines))
        assert chars[:2] == [(":", False), (":", False)], block
        rest = chars[2:]
        end = next(k for k in range(len(rest) - 1) if rest[k] == (":", False) and rest[k + 1] == (":", False))
        title, rest = _plain(rest[:end]), rest[end + 2 :]
        open_at = rest.index(("{", False))
        close_at = len(rest) - 1 - rest[::-1].index(("}", False))
        after = _plain(rest[close_at + 1 :])  # text after the block: GIFT's missing-word form
        question = _plain(rest[:open_at]) + ("_" + after if after.strip() else "")
        body = rest[open_at + 1 : close_at]
        main, feedback = body, ""
        flat = "".join(c if not e else "\0" for c, e in body)
        if "####" in flat:
            k = flat.index("####")
            main, feedback = body[:k], _plain(body[k + 4 :])
        head = "".join(c for c, _ in main).strip()
        if not head:
            kind, answers = "essay", []
        elif main and next(c for c in main if not c[0].isspace()) == ("#", False):
            kind = "numerical"
            value, tolerance = "".join(c for c, _ in main if c != "#").strip().split(":")
            answers = [(float(value), float(tolerance))]
        else:
            kind = "choice"
            parts = [p for p in _split(main, "=~") if "".join(c for c, _ in p).strip()]
            answers = [(p[0][0], _plain(p[1:]).strip()) for p in parts]
            assert all(mark in "=~" and option for mark, option in answers)
            assert any(mark == "=" for mark, _ in answers)
        assert title not in questions, f"title {title} twice"
        questions[title] = {"text": question, "kind": kind, "answers": answers, "feedback": feedback, "category": category}
    return questions


def test_gift_grammar_finds_every_card_and_drill(data):
    questions = parse_gift(render(data, "gift").decode("utf-8"))
    assert len(questions) == len(data.cards) + len(data.instances)
    for card in data.cards:
        q = questions[card.id]  # the title carries our id, unescaped
        assert q["category"] == f"quizapp/{card.topic}"
        if str(card.kind) == "cloze":  # the blank is a missing word, answered in the sentence
            assert q["text"] == card.question.replace("[…]", "_") and q["answers"] == [("=", card.answer)]
            continue
        assert q["text"] == card.question
        if card.options:
            assert q["kind"] == "choice"
            assert [o for _, o in q["answers"]] == list(card.options)
            assert [m for m, _ in q["answers"]].index("=") == card.correct
            assert q["feedback"] == card.note
        else:
            assert q["kind"] == "essay" and q["feedback"].startswith(card.answer.split("\n")[0])
    for inst in data.instances:
        q = questions[inst.id]
        assert q["text"] == inst.question
        steps = q["feedback"].split("\n")
        assert steps[0] == f"Answer: {inst.answer_text}" and steps[1:] == list(inst.steps)  # worked steps as general feedback
        if inst.form in ("integer", "decimal", "percent"):
            ((value, tolerance),) = q["answers"]
            assert q["kind"] == "numerical" and value == pytest.approx(float(inst.answer))
            # the answer as printed is accepted; every named mistake is not
            assert abs(float(inst.answer_text) - value) <= tolerance
            for m in inst.misconceptions:
                assert abs(float(m.value) - value) > tolerance, m.name
        elif inst.form == "shape":
            assert q["kind"] == "choice" and all(mark == "=" for mark, _ in q["answers"])


@pytest.mark.parametrize("text", ["a~b=c#d{e}f:g\\h", "::title::", "{=1 ~2}", "x \\: y", "####"])
def test_gift_escape_reads_back(text):
    assert _plain(_gift_chars(gift_escape(text))) == text


def test_gift_questions(data):
    text = render(data, "gift").decode("utf-8")
    assert "::small\\:cbfbcb8863::Which layer has no parameters?{~Convolution =Max pooling ~Linear" in text
    integer = next(i for i in data.instances if i.form == "integer")
    assert f"{{#{integer.answer}:0\n####Answer\\: {integer.answer_text}" in text
    decimal = next(i for i in data.instances if i.form == "decimal")
    assert f"{{#{decimal.answer!r}:0.0005\n" in text  # 3 significant figures of 0.1 to 1: ±0.0005
    shape = next(i for i in data.instances if i.form == "shape")
    a, b = shape.answer
    assert f"{{={a}x{b} ={a}×{b} =({a}, {b})\n" in text
    # a question ends at a blank line: none inside a question
    for block in text.split("\n\n"):
        assert block.count("{") - block.count("\\{") == block.count("}") - block.count("\\}")


# ---------------------------------------------------------------- run, files, imports


def test_run_to_stdout_and_to_a_file(bank, tmp_path, capsysbinary):
    assert run(bank, "json", topics=None, count=COUNT, seed=None, output=None) == 0
    printed = capsysbinary.readouterr().out
    assert json.loads(printed)["seed"] == 0  # no --seed: seed 0, so reruns agree
    out = tmp_path / "sub" / "x.json"
    assert run(bank, "json", topics=None, count=COUNT, seed=None, output=out) == 2  # no such folder
    out.parent.mkdir()
    assert run(bank, "json", topics=None, count=COUNT, seed=None, output=out) == 0
    assert out.read_bytes() == printed
    assert [p.name for p in out.parent.iterdir()] == ["x.json"]  # no temporary file left


def test_write_atomic_replaces_and_keeps_mode(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_export_command_is_deterministic_and_light(tmp_path):
    """Two runs of the real command give identical files, and neither textual nor sympy is imported."""
    code = (
        "import sys\n"
        "from quizapp.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = [m for m in ('textual', 'sympy', 'rich') if m in sys.modules]\n"
        "print('heavy:', heavy)\n"
        "raise SystemExit(code)\n"
    )
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"e{n}.json"
        proc = subprocess.run(
            [sys.executable, "-c", code, "export", "--format", "json", "--count", "50", "-o", str(out)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert "heavy: []" in proc.stdout
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_export_to_a_device_or_fifo_writes_through_and_never_replaces_it(tmp_path):
    import os
    import stat
    import threading

    from quizapp.export import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"exported")
    reader.join(timeout=5)
    assert received == [b"exported"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a FIFO, not replaced by a regular file


def test_export_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path):
    from quizapp.export import write_atomic

    target = tmp_path / "real.json"
    target.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert link.is_symlink()
    assert target.read_bytes() == b"new"
