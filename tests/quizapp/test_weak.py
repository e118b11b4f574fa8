"""Weak-spots mode: the plan (lowest predicted recall and most misconception hits, in turn) on a prepared history with
fixed datetimes, and `quizapp review --weak` in plain mode."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from test_study import NOW, bank_of, card, conv_template

from quizapp.paths import database_path
from quizapp.review import run_plain_review
from quizapp.schedule import Rating, review
from quizapp.store import Store
from quizapp.study import StudySession, weak_plan


def he_template(bank):
    return next(t for t in bank.templates() if t.id == "small-he")


def learnt(store, item_id, when, kind="qa"):
    """``item_id`` answered Good once, as a new item, at ``when`` (every such item gets the same stability)."""
    store.save_state(item_id, review(None, Rating.Good, when)[0], now=when, kind=kind)


def mistake(store, template_id, name, when):
    store.record_attempt(template_id, kind="drill", topic="T", deck="d", verdict="wrong", rating=1, misconception=name, seed=1, level="medium", now=when)


def prepared(store, small):
    """c0, c2, c1 learnt 30, 10 and 1 day(s) ago: with one stability, predicted recall falls with the time since, so
    c0 < c2 < c1; both templates learnt an hour ago (recall 1); three mistakes on conv-out, one on he; c3 never
    answered; c4 the weakest of all but suspended."""
    bank = bank_of([card(i) for i in range(5)], [conv_template(small), he_template(small)])
    for item, days in (("c0", 30), ("c1", 1), ("c2", 10), ("c4", 40)):
        learnt(store, item, NOW - timedelta(days=days))
    for template in ("small-conv-out", "small-he"):
        learnt(store, template, NOW - timedelta(hours=1), kind="drill")
    for minutes in (50, 40, 30):
        mistake(store, "small-conv-out", "forgot_plus_one", NOW - timedelta(minutes=minutes))
    mistake(store, "small-he", "fan_out_for_fan_in", NOW - timedelta(minutes=20))
    store.set_mark("c4", suspended=True, now=NOW)
    return bank


def test_weak_spots_take_the_lowest_recall_and_the_most_mistaken_in_turn(store, small):
    bank = prepared(store, small)
    plan = weak_plan(bank, store, now=NOW)
    assert [i.id for i in plan.items] == ["c0", "small-conv-out", "c2", "small-he", "c1"]
    assert plan.recall["c0"] < plan.recall["c2"] < plan.recall["c1"] < 1.0
    assert plan.mistakes == {"small-conv-out": 3, "small-he": 1}
    assert [i.id for i in weak_plan(bank, store, now=NOW, count=3).items] == ["c0", "small-conv-out", "c2"]


def test_weak_spots_leave_out_unseen_and_suspended_items(store, small):
    bank = prepared(store, small)
    ids = {i.id for i in weak_plan(bank, store, now=NOW).items}
    assert "c3" not in ids and "c4" not in ids
    store.set_mark("c0", suspended=True, now=NOW)
    assert [i.id for i in weak_plan(bank, store, now=NOW).items] == ["c2", "small-conv-out", "c1", "small-he"]
    empty = bank_of([card(9)])
    assert weak_plan(empty, store, now=NOW).items == ()


def test_a_weak_spots_session_asks_its_computations_with_fresh_numbers(store, small):
    bank = prepared(store, small)
    plan = weak_plan(bank, store, now=NOW, count=2)
    session = StudySession(store, plan.items, clock=lambda: NOW, seed=4)
    ask = session.next()
    assert ask.item_id == "c0"
    session.grade(Rating.Good)
    ask = session.next()
    assert ask.kind == "drill" and ask.item.template_id == "small-conv-out"


def test_review_weak_in_plain_mode_asks_the_weak_spots(tmp_path, small):
    data = tmp_path / "data"
    with Store(database_path(data)) as store:
        prepared(store, small)
    bank = bank_of([card(i) for i in range(5)], [conv_template(small), he_template(small)])
    out = io.StringIO()
    status = run_plain_review(bank, weak=True, count=1, seed=3, data_dir=data, stdin=io.StringIO("\n3\n"), stdout=out, now=NOW)
    assert status == 0
    text = out.getvalue()
    assert text.startswith("Weak spots: 1 card") and "Question 0?" in text
    with Store(database_path(data)) as store:
        assert store.attempts()[-1].item_id == "c0"


def test_review_weak_with_no_history_says_so(tmp_path, small):
    out = io.StringIO()
    status = run_plain_review(bank_of([card(1)]), weak=True, seed=3, data_dir=tmp_path / "d", stdin=io.StringIO(""), stdout=out, now=NOW)
    assert status == 0 and "No weak spots yet" in out.getvalue()




def test_the_command_line_review_weak_reaches_the_weak_spots(tmp_path, monkeypatch, capsys):
    from quizapp.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    small_md = str(Path(__file__).parent / "data" / "small.md")
    assert main(["--no-bundled", "--content", small_md, "--data-dir", str(tmp_path), "review", "--weak", "--plain"]) == 0
    assert "No weak spots yet" in capsys.readouterr().out
