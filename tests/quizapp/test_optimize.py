"""FSRS fitted to the user: review samples built from the history, the gate on the latest 20% of reviews
(kept for a learner who forgets faster than the defaults assume, refused when the learner changed), the
optimizer's own threshold, settings.json, the scheduler using the kept parameters, and the lazy import.

The histories are synthetic, made by tests/data/make_fsrs_history.py (its docstring says how).
"""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp import optimize
from quizapp.optimize import SETTINGS_KEY, fit, load_parameters, log_loss, review_samples, run_optimize, save_parameters
from quizapp.paths import database_path, settings_path
from quizapp.progress import record_answer
from quizapp.schedule import Rating, review
from quizapp.stats import run as run_stats
from quizapp.store import Store

pytest.importorskip("fsrs_rs_python")  # in the test extra; the optional `optimizer` extra for users

HISTORIES = Path(__file__).parents[1] / "data"
NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


def load_history(store: Store, name: str) -> None:
    """A synthetic history into ``store``: item n as flashcard "item-n", each review with its grade."""
    doc = json.loads((HISTORIES / f"fsrs-history-{name}.json").read_text(encoding="utf-8"))
    start = datetime.fromtimestamp(doc["start"], UTC)
    with store.batch():
        for item, seconds, rating in doc["reviews"]:
            store.record_attempt(
                f"item-{item}", kind="qa", topic="T", deck="d", verdict="wrong" if rating == 1 else "correct", rating=rating,
                now=start + timedelta(seconds=seconds),
            )


@pytest.fixture
def store(tmp_path):
    with Store(database_path(tmp_path)) as s:
        yield s


def test_samples_are_reviews_on_a_later_day_with_the_history_before_them(store):
    day = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    for when, rating in ((day, 3), (day + timedelta(minutes=10), 1), (day + timedelta(hours=20), 3), (day + timedelta(days=3), 4)):
        store.record_attempt("a", kind="qa", topic="T", deck="d", verdict="correct", rating=rating, now=when)
    store.record_attempt("a", kind="qa", topic="T", deck="d", verdict="correct", rating=None, now=day + timedelta(days=4))  # unrated: left out
    store.record_attempt("b", kind="qa", topic="T", deck="d", verdict="correct", rating=3, now=day + timedelta(days=1))  # one answer: nothing to predict
    samples = review_samples(store.attempts(), tz=UTC)
    # 10:00 and 10:10 on the 1st, 06:00 on the 2nd (a new day after 04:00), then the 4th
    assert [history for _, history in samples] == [
        ((3, 0), (1, 0), (3, 1)),
        ((3, 0), (1, 0), (3, 1), (4, 2)),
    ]
    assert [when for when, _ in samples] == [(day + timedelta(hours=20)).timestamp(), (day + timedelta(days=3)).timestamp()]


def replayed_log_loss(parameters, samples) -> float:
    """The gate's log loss computed another way: each sample's reviews replayed through py-fsrs (the scheduler
    the app uses), its predicted recall at the last review from py-fsrs's own retrievability."""
    from fsrs import Card, Scheduler

    scheduler = Scheduler(parameters=parameters, enable_fuzzing=False)
    total = 0.0
    for _, history in samples:
        card, when = Card(card_id=0, due=NOW), NOW
        for rating, days in history[:-1]:
            when += timedelta(days=days, minutes=1)  # so that py-fsrs counts exactly `days` whole days
            card, _ = scheduler.review_card(card, Rating(rating), when)
        rating, days = history[-1]
        p = min(max(scheduler.get_card_retrievability(card, when + timedelta(days=days, minutes=1)), 1e-4), 1 - 1e-4)
        total -= math.log(p) if rating > 1 else math.log(1 - p)
    return total / len(samples)


@pytest.mark.parametrize("name", ["forgetful", "drift"])
def test_the_gate_figures_agree_with_a_py_fsrs_replay(store, name):
    from fsrs import Scheduler

    load_history(store, name)
    samples = review_samples(store.attempts(), tz=UTC)
    result = fit(samples)
    held_out = samples[result.trained_on :]
    assert result.default_log_loss == pytest.approx(replayed_log_loss(Scheduler().parameters, held_out), rel=1e-3)
    assert result.log_loss == pytest.approx(replayed_log_loss(result.parameters, held_out), rel=1e-3)
    assert log_loss(result.parameters, held_out) == result.log_loss


def test_a_forgetful_learners_fit_is_kept_and_schedules_from_then_on(store, tmp_path):
    load_history(store, "forgetful")
    out = io.StringIO()
    assert run_optimize(store, data_dir=tmp_path, stdout=out, tz=UTC) == 0
    result = fit(review_samples(store.attempts(), tz=UTC))
    assert result.kept and result.log_loss < result.default_log_loss
    assert result.tested_on == len(review_samples(store.attempts(), tz=UTC)) - result.trained_on
    assert result.tested_on == pytest.approx(0.2 * (result.trained_on + result.tested_on), abs=1)
    assert ": better, so they are saved in settings.json" in out.getvalue()
    assert f"{result.log_loss:.4f} against {result.default_log_loss:.4f}" in out.getvalue()
    saved = load_parameters(tmp_path)
    assert saved == pytest.approx(result.parameters, abs=1e-6) and len(saved) == 21
    # the scheduler now uses them: a new answer is scheduled as py-fsrs schedules it with these weights
    store.fsrs_parameters = saved
    card = type("Card", (), {"template_id": "new-item", "topic": "T", "deck": "d", "seed": 1, "level": "easy"})()
    recorded = record_answer(store, card, verdict="correct", rating=Rating.Easy, now=NOW)  # Easy: straight to Review
    assert recorded.due == review(None, Rating.Easy, NOW, parameters=saved)[1]
    assert recorded.due < review(None, Rating.Easy, NOW)[1]  # the forgetful learner's first interval is shorter


def test_a_fit_that_does_not_predict_the_latest_reviews_better_is_not_kept(store, tmp_path):
    load_history(store, "drift")
    settings_path(tmp_path).write_text('{"theme": "nord"}\n', encoding="utf-8")
    out = io.StringIO()
    assert run_optimize(store, data_dir=tmp_path, stdout=out, tz=UTC) == 0
    result = fit(review_samples(store.attempts(), tz=UTC))
    assert not result.kept and result.log_loss > result.default_log_loss
    assert ": not better, so your settings are unchanged." in out.getvalue()
    assert settings_path(tmp_path).read_text(encoding="utf-8") == '{"theme": "nord"}\n'
    assert load_parameters(tmp_path) is None


def test_too_few_reviews_is_the_optimizers_call(store, tmp_path):
    load_history(store, "forgetful")
    few = [a for a in store.attempts() if a.item_id in ("item-0", "item-1", "item-2")]
    samples = review_samples(few, tz=UTC)
    assert 0 < len(samples) < 30
    assert fit(samples).parameters is None
    with Store(tmp_path / "few.sqlite3") as small:
        small.merge(few, [])
        out = io.StringIO()
        assert run_optimize(small, data_dir=tmp_path, stdout=out, tz=UTC) == 0
    assert f"not enough reviews to fit your own parameters yet ({len(samples)} usable" in out.getvalue()
    assert not settings_path(tmp_path).exists()


def test_stats_optimize_says_so_and_prints_the_stats(tmp_path, capsys):
    from quizapp.content.loader import load_bank

    with Store(database_path(tmp_path)) as store:
        load_history(store, "forgetful")
    bank = load_bank([Path(__file__).parent / "data" / "small.md"], bundled=False)
    out = io.StringIO()
    assert run_stats(bank, data_dir=tmp_path, optimize=True, now=NOW, tz=UTC, stdout=out) == 0
    assert "better, so they are saved" in out.getvalue() and "answers in all" in out.getvalue()
    out = io.StringIO()
    assert run_stats(bank, data_dir=tmp_path, optimize=True, as_json=True, now=NOW, tz=UTC, stdout=out) == 0
    assert json.loads(out.getvalue())["answers"] > 2000  # the verdict went to stderr, the JSON stays clean
    assert "FSRS fitted on" in capsys.readouterr().err


@pytest.mark.parametrize(
    "settings",
    [
        '{"fsrs_parameters": [1, 2, 3]}',
        '{"fsrs_parameters": "fast"}',
        '{"fsrs_parameters": [' + ", ".join(["0.5"] * 20) + ', "x"]}',
        '{"fsrs_parameters": [' + ", ".join(["1e9"] * 21) + "]}",  # out of py-fsrs's bounds
        '{"fsrs_parameters": [' + ", ".join(["true"] * 21) + "]}",
        "[1, 2]",
        "not json",
    ],
)
def test_hand_edited_parameters_fall_back_to_the_defaults(tmp_path, settings):
    settings_path(tmp_path).write_text(settings, encoding="utf-8")
    assert load_parameters(tmp_path) is None


def test_saving_keeps_other_settings_and_never_overwrites_a_damaged_file(tmp_path):
    from fsrs import Scheduler

    defaults = Scheduler().parameters
    settings_path(tmp_path).write_text('{"theme": "nord", "keymap": {"home.quiz": "s"}}', encoding="utf-8")
    save_parameters(tmp_path, defaults)
    data = json.loads(settings_path(tmp_path).read_text(encoding="utf-8"))
    assert data["theme"] == "nord" and data["keymap"] == {"home.quiz": "s"} and data[SETTINGS_KEY] == list(defaults)
    settings_path(tmp_path).write_text("{broken", encoding="utf-8")
    with pytest.raises(ValueError, match="left untouched"):
        save_parameters(tmp_path, defaults)
    assert settings_path(tmp_path).read_text(encoding="utf-8") == "{broken"


def test_without_the_optimizer_installed_the_message_says_how_to_get_it(store, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)  # import fails as if not installed
    assert run_optimize(store, data_dir=tmp_path, stdout=io.StringIO()) == 1
    assert "pip install 'quizapp[optimizer]'" in capsys.readouterr().err


def test_the_optimizer_is_imported_only_for_a_fit():
    code = (
        "import sys, quizapp.optimize, quizapp.stats, quizapp.cli, quizapp.plain, quizapp.review;"
        "print('fsrs_rs_python' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    assert optimize.HOLDOUT == 0.2


def test_plain_drill_schedules_with_the_saved_parameters(tmp_path):
    from fsrs import Scheduler

    from quizapp.content.loader import load_bank
    from quizapp.plain import run_drill
    from quizapp.session import DrillSession

    mine = list(Scheduler().parameters)
    mine[2] = 0.75  # the initial stability after Good
    save_parameters(tmp_path, mine)
    bank = load_bank([Path(__file__).parent / "data" / "small.md"], bundled=False)
    first = DrillSession(bank.templates(["Convolutions"]), seed=5).next()
    answers = io.StringIO(f"{first.answer}\n")
    assert run_drill(bank, topics=["Convolutions"], count=1, seed=5, level=None, data_dir=tmp_path, stdin=answers, stdout=io.StringIO(), now=NOW) == 0
    with Store(database_path(tmp_path)) as store:
        assert store.get_state(first.template_id).stability == 0.75
        assert store.get_state(first.template_id) == review(None, Rating.Good, NOW, parameters=mine)[0]


def test_stats_say_whose_parameters_predict_recall(tmp_path):
    from quizapp.content.loader import load_bank

    bank = load_bank([Path(__file__).parent / "data" / "small.md"], bundled=False)
    with Store(database_path(tmp_path)) as store:
        store.record_attempt("x", kind="qa", topic="T", deck="d", verdict="correct", rating=3, now=NOW)
    out = io.StringIO()
    run_stats(bank, data_dir=tmp_path, as_json=True, now=NOW, tz=UTC, stdout=out)
    assert json.loads(out.getvalue())["fsrs_parameters"] == "default"
    from fsrs import Scheduler

    save_parameters(tmp_path, Scheduler().parameters)
    out = io.StringIO()
    run_stats(bank, data_dir=tmp_path, now=NOW, tz=UTC, stdout=out)
    assert "(predicted recall now, FSRS fitted to you)" in out.getvalue()
