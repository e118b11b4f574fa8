"""Export: golden files per format, byte-identical reruns, the JSON schema, CSV, markdown round trip, Anki, GIFT.

Golden files live in tests/quizapp/golden/ and are made from the fixed deck tests/quizapp/data/small.md
(not the shipped bank, so content edits do not touch them). Regenerate them on purpose with
``QUIZAPP_REGEN_GOLDEN=1 pytest tests/quizapp/test_export.py``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from quizapp.content.loader import load_bank, load_deck
from quizapp.export import FORMATS, collect, instance_seed, render, run, template_order, write_atomic
from quizapp.export.gift import escape as gift_escape
from quizapp.export.markdown import escape as md_escape
from quizapp.generate import generate

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("QUIZAPP_REGEN_GOLDEN") == "1"
COUNT, SEED = 8, 7
TEXT_FORMATS = {"json": "json", "csv": "csv", "md": "md", "gift": "gift"}


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
    gradient descent, linear) are all in."""
    bank = load_bank([], bundled=True)
    topics = {(t.deck, t.topic) for t in bank.templates()}
    for count in (len(topics), 20):
        per_topic = dict.fromkeys(topics, 0)
        for inst in collect(bank, topics=None, count=count, seed=seed).instances:
            per_topic[(inst.deck, inst.topic)] += 1
        assert max(per_topic.values()) == -(-count // len(topics)), per_topic
        assert sum(n > 0 for n in per_topic.values()) == min(count, len(topics)), per_topic
    decks = {i.deck for i in collect(bank, topics=None, count=20, seed=seed).instances}
    assert {"convolution", "initialisation", "gradient-descent", "linear-layers"} <= decks


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


def test_anki_package(data, tmp_path):
    payload = render(data, "anki")
    archive = zipfile.ZipFile(io.BytesIO(payload))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["collection.anki2", "media"]
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    db = tmp_path / "collection.anki2"
    db.write_bytes(archive.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        notes = conn.execute("select guid, flds, tags from notes").fetchall()
        n_cards = conn.execute("select count(*) from cards").fetchone()[0]
        decks = json.loads(conn.execute("select decks from col").fetchone()[0])
    finally:
        conn.close()
    assert len(notes) == n_cards == len(data.cards) + len(data.instances)
    import genanki

    guids = {g for g, _, _ in notes}
    assert genanki.guid_for("small-stride") in guids
    assert all(genanki.guid_for(i.id) in guids for i in data.instances)
    fronts = [f.split("\x1f")[0] for _, f, _ in notes]
    assert "What does stride mean?" in fronts
    assert "quizapp::Small test deck" in {d["name"] for d in decks.values()}
    assert json.loads(archive.read("media")) == {}


def test_anki_needs_an_output_file(bank, capsys):
    assert run(bank, "anki", topics=None, count=2, seed=None, output=None) == 2
    assert "-o FILE" in capsys.readouterr().err


# ---------------------------------------------------------------- GIFT


def test_gift_escapes_special_characters():
    assert gift_escape("a~b=c#d{e}f:g\\h") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h"
    assert gift_escape("line one\n\n\nline two") == "line one\nline two"


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
