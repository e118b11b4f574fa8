"""Plain quiz and drill keep progress: every answer is saved as it is graded, a kill keeps it, and a damaged
database stops the run before anything is asked or written."""

from __future__ import annotations

import io
import json
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from quizapp.cli import main
from quizapp.content.loader import load_bank
from quizapp.content.model import Bank
from quizapp.paths import database_path
from quizapp.plain import run_drill, run_quiz
from quizapp.progress import HINT_COST, schedule_target
from quizapp.schedule import Rating, review
from quizapp.session import DrillSession, build_quiz
from quizapp.store import Store, StoreError

DATA = Path(__file__).parent / "data"
SMALL = DATA / "small.md"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank([SMALL], bundled=False)


def drill(bank, tmp_path, answers: str, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    options = {"topics": ["Convolutions"], "count": None, "seed": 5, "level": None, **kwargs}
    code = run_drill(bank, data_dir=tmp_path / "data", stdin=io.StringIO(answers), stdout=out, now=NOW, **options)
    return code, out.getvalue()


def stored(tmp_path) -> Store:
    return Store(database_path(tmp_path / "data"))


def replay(ratings) -> dict:
    """The FSRS state a history of ratings at NOW leads to, computed with quizapp.schedule directly."""
    state = None
    for rating in ratings:
        state, _ = review(state, rating, NOW)
    return state.to_dict()


def saved_state(store, item_id) -> dict:
    return json.loads(json.dumps(store.get_state(item_id).to_dict()))


def test_plain_drill_records_every_answer(bank, tmp_path):
    session = DrillSession(bank.templates(["Convolutions"]), seed=5)
    first = session.next()
    session.record(True)
    second = session.next()
    code, text = drill(bank, tmp_path, f"{first.answer}\n{second.answer + 1}\n", count=2)
    assert code == 0 and text.rstrip().endswith("score: 1/2 (50%)")
    with stored(tmp_path) as store:
        rows = [(a.item_id, a.kind, a.topic, a.deck, a.verdict, a.score, a.rating, a.hint_used, a.answer_text, a.at) for a in store.attempts()]
        assert rows == [
            ("small-conv-out", "drill", "Convolutions", "small", "correct", 1.0, 3, False, str(first.answer), NOW),
            ("small-conv-out", "drill", "Convolutions", "small", "wrong", 0.0, 1, False, str(second.answer + 1), NOW),
        ]
        # one schedule per template: Good, then Again
        assert saved_state(store, "small-conv-out") == json.loads(json.dumps(replay([Rating.Good, Rating.Again])))
        assert store.get_state(first.id) is None  # instances are not scheduled, their template is


def test_plain_drill_records_the_hint_and_its_cost(bank, tmp_path):
    inst = DrillSession(bank.templates(["Convolutions"]), seed=5).next()
    code, text = drill(bank, tmp_path, f"?\n{inst.answer}\n", count=1)
    assert code == 0
    assert "(a right answer now counts half)" in text
    assert f"✓ correct (with the hint: half a point): the answer is {inst.answer_text}" in text
    assert text.rstrip().endswith(f"score: {HINT_COST:g}/1 (50%)")
    with stored(tmp_path) as store:
        [attempt] = store.attempts()
        assert (attempt.hint_used, attempt.score, attempt.rating) == (True, HINT_COST, int(Rating.Hard))


def test_unreadable_answers_and_quitting_record_nothing(bank, tmp_path):
    code, _ = drill(bank, tmp_path, "twelve\nq\n")
    assert code == 0
    with stored(tmp_path) as store:
        assert store.attempts() == []


def quiz_lines(items, drill_answer, flash_grade: str) -> str:
    lines = []
    for item in items:
        if item.kind == "drill":
            lines.append(drill_answer(item.drill))
        elif item.kind == "mcq":
            lines.append(str(item.card.correct + 1))
        else:
            lines += ["", flash_grade]
    return "\n".join(lines) + "\n"


def test_plain_quiz_records_cards_choices_and_drills(bank, tmp_path):
    items = build_quiz(bank, topics=["Convolutions"], count=8, seed=4)
    kinds = {i.kind for i in items}
    assert kinds == {"drill", "mcq", "flashcard"}
    keys = quiz_lines(items, lambda d: "-1\n-1", "4")  # drills wrong (twice: the second try), choices right, flashcards Easy
    out = io.StringIO()
    code = run_quiz(bank, topics=["Convolutions"], count=8, seed=4, data_dir=tmp_path / "data", stdin=io.StringIO(keys), stdout=out, now=NOW)
    assert code == 0
    expected = {"drill": ("wrong", 1), "mcq": ("correct", 3), "flashcard": ("correct", 4)}
    with stored(tmp_path) as store:
        got = [(a.item_id, a.kind, a.verdict, a.rating) for a in store.attempts()]
        assert got == [
            (schedule_target(i).item_id, schedule_target(i).kind, *expected[i.kind]) for i in items
        ]
        history: dict[str, list[Rating]] = {}
        for item in items:
            history.setdefault(schedule_target(item).item_id, []).append(Rating(expected[item.kind][1]))
        for item_id, ratings in history.items():
            assert saved_state(store, item_id) == json.loads(json.dumps(replay(ratings))), item_id


def test_a_flashcard_self_grade_feeds_fsrs_like_review(bank, tmp_path):
    items = build_quiz(bank, topics=["Convolutions"], count=8, seed=4)
    flash = next(i for i in items if i.kind == "flashcard")
    upto = items[: items.index(flash) + 1]
    keys = quiz_lines(upto, lambda d: str(d.answer), "n")  # n = Again, as in review
    run_quiz(bank, topics=["Convolutions"], count=8, seed=4, data_dir=tmp_path / "data", stdin=io.StringIO(keys), stdout=io.StringIO(), now=NOW)
    with stored(tmp_path) as store:
        last = store.attempts()[-1]
        assert (last.item_id, last.verdict, last.score, last.rating, last.answer_text) == (flash.card.id, "wrong", 0.0, 1, "Again")
        assert store.get_state(flash.card.id).due == review(None, Rating.Again, NOW)[1]


def test_a_failed_save_is_said_and_the_run_exits_1(bank, tmp_path, monkeypatch, capsys):
    def locked(*args, **kwargs):
        raise StoreError("the progress database is locked by another program")

    monkeypatch.setattr("quizapp.progress.record_answer", locked)
    inst = DrillSession(bank.templates(["Convolutions"]), seed=5).next()
    code, text = drill(bank, tmp_path, f"{inst.answer}\n", count=1)
    assert code == 1
    assert "✓ correct" in text and text.rstrip().endswith("score: 1/1 (100%)")  # the session itself went on
    assert capsys.readouterr().err == "quizapp: progress not saved: the progress database is locked by another program\n"


# ---------------------------------------------------------------- a damaged database


@pytest.fixture
def damaged(tmp_path) -> Path:
    path = database_path(tmp_path / "data")
    path.write_bytes(b"not a database " * 200)
    return path


@pytest.mark.parametrize("mode", ["drill", "quiz"])
def test_a_damaged_database_stops_before_asking_and_is_left_alone(bank, tmp_path, damaged, capsys, mode):
    out = io.StringIO()
    common = {"topics": ["Convolutions"], "seed": 5, "data_dir": tmp_path / "data", "stdin": io.StringIO("3\n"), "stdout": out}
    if mode == "drill":
        code = run_drill(bank, count=1, level=None, **common)
    else:
        code = run_quiz(bank, count=3, **common)
    assert code == 1 and out.getvalue() == ""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("quizapp: ") and "damaged" in err
    assert damaged.read_bytes() == b"not a database " * 200
    assert sorted(p.name for p in damaged.parent.iterdir()) == [damaged.name]  # no journal or WAL files either


def test_the_cli_passes_the_data_dir_and_exits_1_on_a_damaged_database(tmp_path, damaged, capsys):
    argv = ["--data-dir", str(tmp_path / "data"), "--no-bundled", "--content", str(SMALL)]
    code = main([*argv, "drill", "--plain", "--count", "1", "--seed", "1"])
    assert code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "damaged" in captured.err
    assert damaged.read_bytes() == b"not a database " * 200


# ---------------------------------------------------------------- a killed process


def test_a_killed_plain_drill_keeps_the_first_answer(bank, tmp_path):
    data = tmp_path / "data"
    first = DrillSession(bank.templates(["Convolutions"]), seed=5).next()
    command = [
        sys.executable, "-u", "-m", "quizapp", "--data-dir", str(data), "--no-bundled", "--content", str(SMALL),
        "drill", "--plain", "--seed", "5", "--topic", "Convolutions",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", bufsize=1
    )
    try:
        proc.stdin.write(f"{first.answer}\n")  # the second drill then waits for input that never comes
        proc.stdin.flush()
        seen = ""
        while "drill 2 · " not in seen:  # the first answer was echoed, graded, and the next drill is up
            line = proc.stdout.readline()
            assert line, f"drill ended early: {seen}{proc.stderr.read()}"
            seen += line
        assert f"> {first.answer}\n" in seen and "✓ correct" in seen
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()
    with Store(database_path(data)) as store:
        [attempt] = store.attempts()
        assert (attempt.item_id, attempt.verdict, attempt.rating, attempt.answer_text) == ("small-conv-out", "correct", 3, str(first.answer))
        assert store.get_state("small-conv-out") is not None


def test_plain_drill_records_the_seed_level_and_the_mistake_made(bank, tmp_path):
    inst = DrillSession(bank.templates(["Convolutions"]), seed=5).next()
    mistake = inst.misconceptions[0]
    code, text = drill(bank, tmp_path, f"{mistake.value}\n", count=1)
    assert code == 0 and f"that is the {mistake.name.replace('_', ' ')} mistake" in text
    with stored(tmp_path) as store:
        [attempt] = store.attempts()
        assert (attempt.verdict, attempt.seed, attempt.level, attempt.misconception) == ("wrong", inst.seed, inst.level, mistake.name)
