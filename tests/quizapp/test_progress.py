"""The one function that records an answered question: the attempt row and the FSRS update, together."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.content.loader import load_bank
from quizapp.content.model import Bank, CardKind
from quizapp.generate import generate
from quizapp.progress import HINT_COST, Target, hinted_score, record_answer, schedule_target
from quizapp.schedule import Rating, review
from quizapp.session import QuizItem
from quizapp.store import Store, StoreError

DATA = Path(__file__).parent / "data"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank([DATA / "small.md"], bundled=False)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "p.sqlite3") as s:
        yield s


def template(bank, template_id):
    return next(t for t in bank.templates() if t.id == template_id)


def card(bank, kind):
    return next(c for c in bank.cards() if c.kind == kind)


def test_targets_schedule_cards_by_id_and_drills_by_template(bank):
    flash = card(bank, CardKind.QA)
    drill = generate(template(bank, "small-conv-out"), 11, "medium")
    assert schedule_target(flash) == Target(flash.id, "qa", flash.topic, flash.deck)
    assert schedule_target(drill) == Target("small-conv-out", "drill", "Convolutions", "small")
    # wrappers holding one of them (session.QuizItem, the TUI's Question) schedule the same item
    assert schedule_target(QuizItem(drill=drill)) == schedule_target(drill)
    assert schedule_target(QuizItem(card=flash)) == schedule_target(flash)
    with pytest.raises(TypeError):
        schedule_target("not a question")


def test_record_answer_writes_the_attempt_and_moves_fsrs(bank, store):
    """A drill answered right, then again with the hint, then a flashcard self-graded Again: each row
    and each state matches the history replayed through quizapp.schedule by hand."""
    drill = generate(template(bank, "small-conv-out"), 11, "medium")
    first = record_answer(store, drill, verdict="correct", score=1.0, answer_text="16", elapsed_s=4.5, now=NOW)
    expected_1, due_1 = review(None, Rating.Good, NOW)  # correct without the hint: Good
    assert (first.item_id, first.verdict, first.rating, first.due) == ("small-conv-out", "correct", Rating.Good, due_1)

    later = NOW + timedelta(days=3)
    second = record_answer(
        store, QuizItem(drill=drill), verdict="correct", score=hinted_score(1.0, True), hint_used=True, answer_text="16", now=later
    )
    expected_2, due_2 = review(expected_1, Rating.Hard, later)  # the hint turns Good into Hard
    assert (second.rating, second.due) == (Rating.Hard, due_2)
    assert json.dumps(store.get_state("small-conv-out").to_dict()) == json.dumps(expected_2.to_dict())

    flash = card(bank, CardKind.QA)
    graded = record_answer(store, flash, rating=1, answer_text="Again", now=later)
    assert (graded.verdict, graded.rating) == ("wrong", Rating.Again)  # Again: not recalled
    assert store.get_state(flash.id).due == review(None, Rating.Again, later)[1]

    rows = [(a.id, a.item_id, a.kind, a.topic, a.deck, a.verdict, a.score, a.rating, a.hint_used, a.answer_text, a.elapsed_s, a.at) for a in store.attempts()]
    assert rows == [
        (first.attempt_id, "small-conv-out", "drill", "Convolutions", "small", "correct", 1.0, 3, False, "16", 4.5, NOW),
        (second.attempt_id, "small-conv-out", "drill", "Convolutions", "small", "correct", HINT_COST, 2, True, "16", 0.0, later),
        (graded.attempt_id, flash.id, "qa", flash.topic, "small", "wrong", 0.0, 1, False, "Again", 0.0, later),
    ]


@pytest.mark.parametrize(
    ("verdict", "hint_used", "rating"),
    [("wrong", False, Rating.Again), ("partial", False, Rating.Hard), ("correct", False, Rating.Good), ("correct", True, Rating.Hard)],
)
def test_a_verdict_alone_gives_the_rating(bank, store, verdict, hint_used, rating):
    drill = generate(template(bank, "small-he"), 3, "medium")
    assert record_answer(store, drill, verdict=verdict, hint_used=hint_used, now=NOW).rating == rating
    [attempt] = store.attempts()
    assert attempt.score == {"wrong": 0.0, "partial": 0.5, "correct": 1.0}[verdict]  # the store's default by verdict


@pytest.mark.parametrize(("rating", "verdict"), [(1, "wrong"), (2, "correct"), (3, "correct"), (4, "correct")])
def test_a_self_grade_alone_gives_the_verdict(bank, store, rating, verdict):
    flash = card(bank, CardKind.QA)
    assert record_answer(store, flash, rating=rating, now=NOW).verdict == verdict
    assert store.get_state(flash.id).due == review(None, Rating(rating), NOW)[1]


def test_an_answer_needs_a_verdict_or_a_rating(bank, store):
    with pytest.raises(ValueError, match="verdict, a rating or both"):
        record_answer(store, card(bank, CardKind.QA), now=NOW)
    assert store.attempts() == []


def test_a_failed_schedule_update_keeps_no_half_answer(bank, store, monkeypatch):
    """The attempt and the state are one commit: if the state cannot be saved, the attempt is rolled back."""

    def broken(*args, **kwargs):
        raise StoreError("disk full")

    monkeypatch.setattr(store, "save_state", broken)
    with pytest.raises(StoreError):
        record_answer(store, card(bank, CardKind.QA), rating=3, now=NOW)
    assert store.attempts() == []


def test_hinted_score():
    assert hinted_score(1.0, False) == 1.0
    assert hinted_score(1.0, True) == HINT_COST
    assert hinted_score(0.5, True) == 0.5 * HINT_COST


def test_progress_imports_no_ui():
    code = "import json, sys, quizapp.progress; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout))
    assert "quizapp.progress" in loaded
    assert not loaded & {"textual", "rich", "sympy"}


def test_record_answer_keeps_the_drill_seed_level_and_the_mistake_named(bank, store):
    """Statistics ask a drill again from its seed and level and count the misconceptions hit."""
    drill = generate(template(bank, "small-conv-out"), 11, "hard")
    mistake = drill.misconceptions[0]
    record_answer(store, QuizItem(drill=drill), verdict="wrong", score=0.0, misconception=mistake, now=NOW)
    record_answer(store, drill, verdict="wrong", score=0.0, misconception=mistake.name, now=NOW)
    record_answer(store, card(bank, CardKind.QA), rating=3, now=NOW)
    first, second, flash = store.attempts()
    assert (first.seed, first.level, first.misconception) == (11, "hard", mistake.name)
    assert (second.seed, second.level, second.misconception) == (11, "hard", mistake.name)
    assert (flash.seed, flash.level, flash.misconception) == (None, None, None)
    again = generate(template(bank, first.item_id), first.seed, first.level)
    assert again.question == drill.question


def test_the_stores_desired_retention_schedules_the_answer(bank, store):
    from quizapp.schedule import review as fsrs_review

    item = bank.cards()[0]
    first = datetime(2025, 3, 1, 10, tzinfo=UTC)
    store.desired_retention = 0.8
    recorded = record_answer(store, item, rating=3, now=first)
    assert recorded.due == fsrs_review(None, 3, first, desired_retention=0.8)[1]
    later = recorded.due
    recorded = record_answer(store, item, rating=3, now=later)
    state, _ = fsrs_review(None, 3, first, desired_retention=0.8)
    assert recorded.due == fsrs_review(state, 3, later, desired_retention=0.8)[1]
    assert recorded.due > fsrs_review(state, 3, later)[1]  # 0.8 waits longer than FSRS's 0.9
