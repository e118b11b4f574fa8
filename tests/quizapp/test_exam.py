"""Interview date: the exam_date setting, the review's early reviews for the day within the daily time budget, and the
readiness per topic in `quizapp stats`; every datetime fixed."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from test_study import NOW, bank_of, card

from quizapp.schedule import Rating, retrievability, review
from quizapp.settings import StudySettings, parse_field
from quizapp.stats import compute, render_text
from quizapp.study import at_risk, review_plan

EXAM = "2025-03-09"
EXAM_AT = datetime(2025, 3, 9, 4, 0, tzinfo=UTC)  # the study day of the interview begins at 04:00 (UTC here)


@pytest.mark.parametrize(("raw", "value"), [("2025-03-09", "2025-03-09"), (" 2025-03-09 ", "2025-03-09"), ("", "")])
def test_exam_date_accepts_a_day_or_nothing(raw, value):
    assert parse_field("exam_date", raw) == value


@pytest.mark.parametrize("raw", ["2025-3-9", "09.03.2025", "tomorrow", "2025-02-30", 20250309, None, "2025-03-09T10:00", "9" * 10_000])
def test_exam_date_refuses_anything_else_saying_what_is_allowed(raw):
    with pytest.raises(ValueError, match="a date as YYYY-MM-DD"):
        parse_field("exam_date", raw)


def test_study_settings_read_the_exam_and_fall_back_on_a_bad_one():
    assert StudySettings.from_dict({"exam_date": EXAM, "daily_minutes": 45}).exam == date(2025, 3, 9)
    bad = StudySettings.from_dict({"exam_date": "soon", "daily_minutes": 0})
    assert bad.exam is None and bad.daily_minutes == 30 and len(bad.problems) == 2


def prepared(store):
    """cF learnt three days ago (due now); cA learnt Easy now and cB two hours ago (due after the interview, recall on
    the day about 0.91: at risk); cC learnt Easy yesterday (due before the interview: its
    own review comes first); cD twice Easy (recall on the day far above 0.95); cE never answered. Answers of 40 s
    five days ago time the budget."""
    bank = bank_of([card(x) for x in "ABCDEF"], ())
    ids = {c.id: c for c in bank.cards()}  # "cA" ... (card(i) names them c{i})
    def learnt(item, *steps):
        state = None
        for rating, when in steps:
            state, _ = review(state, rating, when)
        store.save_state(item, state, now=steps[-1][1])
        return state
    states = {
        "cF": learnt("cF", (Rating.Good, NOW - timedelta(days=3)), (Rating.Good, NOW - timedelta(days=3, minutes=-10))),
        "cA": learnt("cA", (Rating.Easy, NOW)),
        "cB": learnt("cB", (Rating.Easy, NOW - timedelta(hours=2))),
        "cC": learnt("cC", (Rating.Easy, NOW - timedelta(days=1))),
        "cD": learnt("cD", (Rating.Easy, NOW - timedelta(days=9)), (Rating.Easy, NOW - timedelta(days=1))),
    }
    for _ in range(3):
        store.record_attempt("elsewhere", kind="qa", topic="X", deck="x", verdict="correct", elapsed_s=40.0, now=NOW - timedelta(days=5))
    assert set(ids) == {"cA", "cB", "cC", "cD", "cE", "cF"}
    return bank, states


def settings(**changes):
    return replace(StudySettings(day_start_hour=4, exam_date=EXAM), **changes)


def test_items_whose_interval_ends_after_the_interview_below_the_target_are_at_risk(store):
    bank, states = prepared(store)
    assert states["cA"].due > EXAM_AT and states["cC"].due < EXAM_AT  # the premises of the rule's cases
    risky = at_risk(store, {c.id: c for c in bank.cards()}, now=NOW, settings=settings(), tz=UTC)
    # FSRS counts elapsed time in whole days: cA and cB tie on the day (about 0.91) and go by id
    assert [c.id for c in risky] == ["cA", "cB"]
    assert retrievability(states["cD"], EXAM_AT) >= 0.95 > retrievability(states["cA"], EXAM_AT)


def test_the_review_asks_the_at_risk_items_after_the_due_ones_within_the_daily_budget(store):
    bank, _ = prepared(store)
    plain = review_plan(bank, store, now=NOW, settings=replace(settings(), exam_date=""), tz=UTC)
    assert [c.id for c in plain.items] == ["cF", "cE"] and plain.exam == 0
    # 3 minutes of 40-second answers: 4 a day, of which the due cF and the new cE take 2: both at-risk items fit
    roomy = review_plan(bank, store, now=NOW, settings=settings(daily_minutes=3), tz=UTC)
    assert [c.id for c in roomy.items] == ["cF", "cA", "cB", "cE"] and (roomy.exam, roomy.at_risk) == (2, 2)
    # 2 minutes: 3 a day, room for the first at-risk item only
    tight = review_plan(bank, store, now=NOW, settings=settings(daily_minutes=2), tz=UTC)
    assert [c.id for c in tight.items] == ["cF", "cA", "cE"] and (tight.exam, tight.at_risk) == (1, 2)


def test_an_interview_today_or_past_changes_nothing(store):
    bank, _ = prepared(store)
    for day in ("2025-03-01", "2025-02-01"):
        assert [c.id for c in review_plan(bank, store, now=NOW, settings=settings(exam_date=day), tz=UTC).items] == ["cF", "cE"]


def test_readiness_is_the_mean_recall_on_the_day_with_unanswered_items_at_zero(store):
    bank, states = prepared(store)
    store.set_mark("cD", suspended=True, now=NOW)  # left out of the mean
    stats = compute(store, bank, now=NOW, tz=UTC, day_start=4, exam=date(2025, 3, 9))
    (topic,) = stats.readiness
    assert (topic.topic, topic.items, topic.answered) == ("T", 5, 4)
    expected = sum(retrievability(states[i], EXAM_AT) for i in ("cA", "cB", "cC", "cF")) / 5
    assert topic.readiness == pytest.approx(expected)
    assert 0 < topic.readiness < 0.8  # cE unanswered pulls it below every answered card's own recall
    data = stats.to_dict()
    assert data["exam"] == EXAM and data["readiness"] == [
        {"deck": "d", "topic": "T", "items": 5, "answered": 4, "readiness": round(expected, 4)}
    ]
    assert f"Readiness on {EXAM}" in render_text(stats)
    assert "exam" not in compute(store, bank, now=NOW, tz=UTC).to_dict()  # no interview: no readiness


def test_stats_and_review_take_exam_on_the_command_line(tmp_path, capsys, monkeypatch):
    from pathlib import Path

    from quizapp.cli import main

    small = str(Path(__file__).parent / "data" / "small.md")
    base = ["--no-bundled", "--content", small, "--data-dir", str(tmp_path)]
    assert main([*base, "stats", "--json", "--exam", EXAM]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exam"] == EXAM and {r["topic"] for r in data["readiness"]} == {"Convolutions", "Attention", "Linear layers"}
    assert all(r["readiness"] == 0 for r in data["readiness"])  # nothing answered yet
    with pytest.raises(SystemExit):
        main([*base, "stats", "--exam", "next week"])
    assert "expected a date as YYYY-MM-DD" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main([*base, "review", "--plain", "--exam", EXAM, "--count", "1"]) == 0
