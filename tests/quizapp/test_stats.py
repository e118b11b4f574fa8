"""Statistics on a prepared history, worked out by hand: answers per day with the 04:00 day boundary, the
streak, retention of reviews, the misconceptions with the solver's explanation, the due forecast, the weakest
items; the same as a golden JSON file; `quizapp stats` and the columns of `quizapp topics`.

Regenerate the golden file only on purpose: ``QUIZAPP_REGEN_GOLDEN=1 pytest tests/quizapp/test_stats.py``.
"""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.cli import main
from quizapp.content.loader import load_bank
from quizapp.generate import generate
from quizapp.paths import database_path
from quizapp.progress import record_answer
from quizapp.schedule import retrievability
from quizapp.stats import compute, render_text, run, run_topics, study_day
from quizapp.store import Store

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden" / "stats.json"
REGEN = os.environ.get("QUIZAPP_REGEN_GOLDEN") == "1"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TODAY = date(2025, 3, 1)


@pytest.fixture(scope="module")
def bank():
    return load_bank([DATA / "small.md"], bundled=False)


def at(days: int, hour: int) -> datetime:
    return datetime(2025, 3, 1, hour, tzinfo=UTC) + timedelta(days=days)


def card(bank, card_id):
    return next(c for c in bank.cards() if c.id == card_id)


def drill(bank, template_id):
    return generate(next(t for t in bank.templates() if t.id == template_id), 3, "medium")


def mistake(instance, name):
    return next(m for m in instance.misconceptions if m.name == name)


@pytest.fixture
def history(bank, tmp_path):
    """Eleven answers over ten weeks (see the test below for what each one counts towards)."""
    store = Store(database_path(tmp_path))
    stride, attention = card(bank, "small-stride"), card(bank, "small:7f0d005ec1")
    conv, he, forward = drill(bank, "small-conv-out"), drill(bank, "small-he"), drill(bank, "small-forward")
    answers = [
        (stride, {"rating": 3}, at(-20, 10)),
        (stride, {"rating": 1}, at(-2, 10)),
        (stride, {"rating": 3}, at(0, 11)),
        (attention, {"rating": 3}, at(-1, 10)),
        (conv, {"verdict": "wrong", "misconception": mistake(conv, "forgot_plus_one")}, at(-40, 10)),
        (conv, {"verdict": "wrong", "misconception": "forgot_plus_one"}, at(-3, 2)),  # 02:00: the day before
        (conv, {"verdict": "correct"}, at(-2, 12)),
        (he, {"verdict": "wrong", "misconception": "forgot_sqrt"}, at(-1, 15)),
        (forward, {"verdict": "correct"}, at(-70, 10)),  # before the 8 weeks shown
        (forward, {"verdict": "wrong", "misconception": "forgot_bias"}, at(-5, 10)),
    ]
    for item, answer, when in answers:
        record_answer(store, item, now=when, **answer)
    store.record_attempt("gone", kind="qa", topic="Old", deck="old", verdict="correct", rating=3, now=at(-1, 9))  # not in the bank
    yield store
    store.close()


def test_statistics_of_a_prepared_history(bank, history):
    stats = compute(history, bank, now=NOW, tz=UTC)
    assert stats.answers == 11
    days = dict(stats.per_day)
    assert len(stats.per_day) == 56 and stats.per_day[0][0] == date(2025, 1, 5) and stats.per_day[-1][0] == TODAY
    assert {day: n for day, n in days.items() if n} == {
        date(2025, 1, 20): 1,
        date(2025, 2, 9): 1,
        date(2025, 2, 24): 1,
        date(2025, 2, 25): 1,  # the answer at 02:00 on the 26th
        date(2025, 2, 27): 2,
        date(2025, 2, 28): 3,
        date(2025, 3, 1): 1,
    }
    assert stats.streak == 3  # today, the 28th and the 27th; nothing on the 26th
    # reviews in the last 30 days: stride Again then Good, conv-out wrong then correct; forward wrong;
    # the first answers to attention, he and gone are not reviews
    assert [(r.deck, r.topic, r.reviews, r.recalled, r.retention) for r in stats.retention] == [
        ("small", "Convolutions", 4, 2, 0.5),
        ("small", "Linear layers", 1, 0, 0.0),
    ]
    assert [(m.name, m.count, m.templates) for m in stats.misconceptions] == [
        ("forgot_plus_one", 2, (("small-conv-out", 2),)),
        ("forgot_bias", 1, (("small-forward", 1),)),
        ("forgot_sqrt", 1, (("small-he", 1),)),
    ]
    assert stats.misconceptions[0].explanation == mistake(drill(bank, "small-conv-out"), "forgot_plus_one").explanation != ""
    assert stats.misconceptions[2].explanation == mistake(drill(bank, "small-he"), "forgot_sqrt").explanation != ""

    scheduled = ["small-stride", "small:7f0d005ec1", "small-conv-out", "small-he", "small-forward"]  # not "gone"
    assert stats.due_now == len(history.due(scheduled, NOW))
    due_days = [study_day(history.get_state(i).due, UTC) for i in scheduled]
    assert [n for _, n in stats.forecast] == [
        sum(1 for d in due_days if max(d, TODAY) == TODAY + timedelta(days=k)) for k in range(30)
    ]
    recall = {i: retrievability(history.get_state(i), NOW) for i in scheduled}
    stability = {i: history.get_state(i).stability for i in scheduled}
    assert [w.item_id for w in stats.weakest] == sorted(scheduled, key=lambda i: (recall[i], stability[i], i))
    stride = next(w for w in stats.weakest if w.item_id == "small-stride")
    assert (stride.kind, stride.topic, stride.answers, stride.forgotten) == ("qa", "Convolutions", 3, 1)


def test_the_golden_json(bank, history):
    payload = json.dumps(compute(history, bank, now=NOW, tz=UTC).to_dict(), indent=2, ensure_ascii=False) + "\n"
    if REGEN:
        GOLDEN.write_text(payload, encoding="utf-8")
    assert GOLDEN.exists(), f"missing {GOLDEN}: run with QUIZAPP_REGEN_GOLDEN=1"
    assert payload == GOLDEN.read_text(encoding="utf-8"), f"stats differ from {GOLDEN} (regenerate on purpose with QUIZAPP_REGEN_GOLDEN=1)"


def test_the_day_starts_at_four_in_the_given_zone():
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    assert study_day(datetime(2025, 3, 1, 2, 59, tzinfo=UTC), UTC) == date(2025, 2, 28)  # 02:59 UTC
    assert study_day(datetime(2025, 3, 1, 4, 0, tzinfo=UTC), UTC) == date(2025, 3, 1)
    assert study_day(datetime(2025, 3, 1, 2, 59, tzinfo=UTC), paris) == date(2025, 2, 28)  # 03:59 in Paris
    assert study_day(datetime(2025, 3, 1, 3, 0, tzinfo=UTC), paris) == date(2025, 3, 1)  # 04:00 in Paris
    assert study_day(datetime(2025, 3, 1, 3, 0, tzinfo=UTC).timestamp(), paris, day_start=0) == date(2025, 3, 1)


def test_an_empty_history_has_zero_everywhere(bank, tmp_path):
    with Store(tmp_path / "p.sqlite3") as store:
        stats = compute(store, bank, now=NOW, tz=UTC)
    assert (stats.answers, stats.streak, stats.due_now, stats.retention, stats.weakest, stats.misconceptions) == (0, 0, 0, (), (), ())
    assert sum(n for _, n in stats.per_day) == 0 and sum(n for _, n in stats.forecast) == 0
    assert "0 answers in all" in render_text(stats) and "none named yet" in render_text(stats)


def test_stats_command_text_and_json(bank, history, tmp_path, capsys):
    out = io.StringIO()
    assert run(bank, data_dir=tmp_path, now=NOW, tz=UTC, stdout=out) == 0
    text = out.getvalue()
    assert "11 answers in all · streak 3 days" in text
    assert "  Convolutions    50%  of 4 (small)\n  Linear layers    0%  of 1 (small)\n" in text
    assert f"2×  forgot plus one: {mistake(drill(bank, 'small-conv-out'), 'forgot_plus_one').explanation}" in text
    out = io.StringIO()
    assert run(bank, data_dir=tmp_path, as_json=True, now=NOW, tz=UTC, stdout=out) == 0
    assert json.loads(out.getvalue())["answers"] == 11


def test_stats_and_topics_without_progress_create_nothing(tmp_path, capsys):
    folder = tmp_path / "data"
    assert main(["stats", "--json", "--no-bundled", "--content", str(DATA / "small.md"), "--data-dir", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out)["answers"] == 0
    assert main(["topics", "--no-bundled", "--content", str(DATA / "small.md"), "--data-dir", str(folder)]) == 0
    assert "0 due  retention    —" in capsys.readouterr().out
    assert not (folder / "progress.sqlite3").exists()  # reading never creates the database


def test_stats_on_a_damaged_database_is_one_line(tmp_path, capsys):
    database_path(tmp_path).write_bytes(b"not a database " * 100)
    assert main(["stats", "--no-bundled", "--content", str(DATA / "small.md"), "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and len(err.splitlines()) == 1


def test_topics_shows_due_and_retention(bank, history, tmp_path):
    out = io.StringIO()
    assert run_topics(bank, data_dir=tmp_path, now=NOW, stdout=out) == 0
    lines = {line.split()[0]: line for line in out.getvalue().splitlines() if line.startswith("  ")}
    def due(topic):
        return len(history.due([i.id for i in (*bank.cards([topic]), *bank.templates([topic]))], NOW))

    assert lines["Convolutions"].endswith(f"{due('Convolutions'):>4} due  retention  50%")
    assert lines["Linear"].endswith(f"{due('Linear layers'):>4} due  retention   0%")
    assert lines["Attention"].endswith(f"{due('Attention'):>4} due  retention    —")
    assert due("Convolutions") == 2 and due("Attention") == 2  # not every line the same


def test_a_streak_longer_than_the_eight_weeks_shown(bank, tmp_path):
    with Store(tmp_path / "p.sqlite3") as store:
        for k in range(75):  # 75 days in a row up to yesterday (nothing yet today), one gap before them
            store.record_attempt("x", kind="qa", topic="T", deck="d", verdict="correct", rating=3, now=at(-1 - k, 20))
        store.record_attempt("x", kind="qa", topic="T", deck="d", verdict="correct", rating=3, now=at(-77, 20))
        stats = compute(store, bank, now=NOW, tz=UTC)
    assert stats.streak == 75 and stats.answers == 76
    assert sum(n for _, n in stats.per_day) == 55  # the 56 days shown are today (none) and the 55 before it


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"])
def test_answers_per_day_agree_with_counting_each_answer_by_its_day(bank, tmp_path, zone):
    """compute counts ranges of the index between day starts; here every answer is dated one by one
    with study_day (both across the March DST change, and in zones 5:30 and 12:45 from UTC)."""
    from collections import Counter
    from zoneinfo import ZoneInfo

    from hypothesis import given, settings
    from hypothesis import strategies as st

    tz = ZoneInfo(zone)
    now = datetime(2025, 4, 2, 9, 30, tzinfo=UTC)

    @settings(max_examples=15, deadline=None)
    @given(st.lists(st.integers(0, 60 * 86400), min_size=1, max_size=60), st.integers(0, 23))
    def check(offsets, day_start):
        path = tmp_path / f"{zone.replace('/', '-')}-{day_start}-{len(offsets)}-{sum(offsets)}.sqlite3"
        with Store(path) as store:
            with store.batch():
                for seconds in offsets:
                    store.record_attempt("x", kind="qa", topic="T", deck="d", verdict="correct", rating=3, now=now - timedelta(seconds=seconds))
            stats = compute(store, bank, now=now, tz=tz, day_start=day_start)
            expected = Counter(study_day(a.at, tz, day_start) for a in store.attempts())
        assert {day: n for day, n in stats.per_day if n} == {day: n for day, n in expected.items() if day >= stats.per_day[0][0]}
        today = study_day(now, tz, day_start)
        streak, day = 0, today if expected[today] else today - timedelta(days=1)
        while expected[day]:
            streak, day = streak + 1, day - timedelta(days=1)
        assert stats.streak == streak

    check()


def test_a_misconception_whose_drill_cannot_be_asked_again_keeps_its_count(bank, tmp_path):
    with Store(tmp_path / "p.sqlite3") as store:
        store.record_attempt("small-conv-out", kind="drill", topic="Convolutions", deck="small", verdict="wrong", seed=3,
                             level="insane", misconception="forgot_plus_one", now=NOW)  # a level edited by hand
        store.record_attempt("gone-template", kind="drill", topic="X", deck="x", verdict="wrong", seed=3,
                             level="easy", misconception="forgot_plus_one", now=NOW)
        stats = compute(store, bank, now=NOW, tz=UTC)
    [mistake] = stats.misconceptions
    assert (mistake.count, mistake.explanation, dict(mistake.templates)) == (2, "", {"small-conv-out": 1, "gone-template": 1})
    assert "(no explanation: its drill is gone or changed)" in render_text(stats)


def test_the_day_boundary_of_the_settings_file_moves_an_answer_after_midnight(bank, history, tmp_path):
    # The wrong conv answer at 02:00 on 26 February counts for the 25th with days starting at 04:00,
    # and for the 26th once settings.json says days start at midnight.
    def per_day() -> tuple[int, dict[str, int]]:
        out = io.StringIO()
        assert run(bank, data_dir=tmp_path, as_json=True, now=NOW, tz=UTC, stdout=out) == 0
        data = json.loads(out.getvalue())
        return data["day_start"], {d["day"]: d["answers"] for d in data["answers_per_day"]}

    start, days = per_day()
    assert (start, days["2025-02-25"], days["2025-02-26"]) == (4, 1, 0)
    (tmp_path / "settings.json").write_text(json.dumps({"day_start_hour": 0}))
    start, days = per_day()
    assert (start, days["2025-02-25"], days["2025-02-26"]) == (0, 0, 1)


def test_due_by_topic_counts_as_the_forecast_does(bank, tmp_path):
    from quizapp.schedule import review
    from quizapp.stats import due_by_topic

    with Store(tmp_path / "p.sqlite3") as store:
        # Due: an hour ago and at 03:00 tomorrow (still today's study day) → now / today; 05:00 tomorrow and
        # 03:00 the day after → tomorrow; in three days → neither.
        dues = {
            "small-stride": at(0, 11),
            "small-conv-out": at(1, 3),
            "small:7f0d005ec1": at(1, 5),
            "small-he": at(2, 3),
            "small-forward": at(3, 12),
        }
        topics = {c.id: (c.deck, c.topic) for c in bank.cards()} | {t.id: (t.deck, t.topic) for t in bank.templates()}
        for item_id, due in dues.items():
            state, _ = review(None, 3, at(-1, 10))
            state.due = due
            store.save_state(item_id, state, now=at(-1, 10), deck=topics[item_id][0], topic=topics[item_id][1])
        by_topic = due_by_topic(store, bank, now=NOW, tz=UTC)
        stats = compute(store, bank, now=NOW, tz=UTC)
    assert by_topic == {("small", "Convolutions"): (1, 0), ("small", "Attention"): (0, 2)}  # Linear layers: neither
    assert (stats.due_now, stats.forecast[1][1]) == (1, 2)
