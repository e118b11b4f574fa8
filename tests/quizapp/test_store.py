"""Progress store: attempts, FSRS state, due lists, summaries, migrations, damage and locks, and a killed writer."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.answers import Verdict
from quizapp.paths import database_path
from quizapp.schedule import Rating, review
from quizapp.store import SCHEMA_VERSION, Store, StoreError

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "progress.sqlite3") as s:
        yield s


def attempt(store, item, verdict="correct", *, topic="Conv", deck="conv", at=NOW, **extra):
    return store.record_attempt(item, kind="qa", topic=topic, deck=deck, verdict=verdict, now=at, **extra)


def test_new_database_is_versioned_and_in_wal_mode(tmp_path):
    path = tmp_path / "p.sqlite3"
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_store_uses_the_paths_seam(tmp_path):
    path = database_path(tmp_path / "data")
    with Store(path) as store:
        attempt(store, "a")
    assert path.is_file() and path.parent == tmp_path / "data"


def test_attempt_round_trip(store):
    row_id = store.record_attempt(
        "conv:1",
        kind="drill",
        topic="Convolutional layers",
        deck="conv",
        verdict=Verdict.PARTIAL,
        score=0.25,
        rating=2,
        hint_used=True,
        answer_text="16x16",
        elapsed_s=4.5,
        now=NOW,
    )
    [a] = store.attempts()
    assert a.id == row_id
    assert (a.item_id, a.kind, a.topic, a.deck) == ("conv:1", "drill", "Convolutional layers", "conv")
    assert (a.verdict, a.score, a.rating, a.hint_used) == ("partial", 0.25, 2, True)
    assert (a.answer_text, a.elapsed_s, a.at) == ("16x16", 4.5, NOW)


@pytest.mark.parametrize(("verdict", "score"), [("correct", 1.0), ("partial", 0.5), ("wrong", 0.0)])
def test_default_score_follows_the_verdict(store, verdict, score):
    attempt(store, "a", verdict)
    assert store.attempts()[0].score == score


def test_unknown_verdict_is_refused(store):
    with pytest.raises(ValueError, match="unknown verdict"):
        attempt(store, "a", "sort of")
    assert store.attempts() == []


def test_attempts_filter_by_item_and_time(store):
    attempt(store, "a", at=NOW - timedelta(days=2))
    attempt(store, "b", at=NOW - timedelta(days=1))
    attempt(store, "a", "wrong", at=NOW)
    assert [x.verdict for x in store.attempts("a")] == ["correct", "wrong"]
    assert [x.item_id for x in store.attempts(since=NOW - timedelta(days=1))] == ["b", "a"]


def test_state_round_trip_and_replace(store):
    assert store.get_state("card") is None
    first, _ = review(None, Rating.Good, NOW)
    store.save_state("card", first, now=NOW, kind="qa", topic="Conv", deck="conv")
    assert store.get_state("card") == first
    second, _ = review(first, Rating.Good, NOW + timedelta(minutes=10))
    store.save_state("card", second, now=NOW + timedelta(minutes=10))
    assert store.get_state("card") == second


def test_due_lists_overdue_first_and_skips_unknown_and_future(store):
    for item, minutes in (("late", -60), ("later", -5), ("future", 30)):
        state, _ = review(None, Rating.Good, NOW + timedelta(minutes=minutes - 10))  # due = that offset
        store.save_state(item, state, now=NOW)
    assert store.due(["future", "later", "late", "never-seen"], NOW) == ["late", "later"]
    assert store.due(["later"], NOW) == ["later"]
    assert store.unseen(["future", "x", "late", "y"]) == ["x", "y"]
    assert store.next_due(["future", "later"]) == NOW - timedelta(minutes=5)
    assert store.next_due(["nothing"]) is None


def test_topic_stats_counts_the_recent_window_and_due_cards(store):
    attempt(store, "a", "correct", at=NOW - timedelta(days=40))  # outside the 30-day window
    attempt(store, "a", "wrong", at=NOW - timedelta(days=3))
    attempt(store, "b", "partial", at=NOW - timedelta(days=1))
    attempt(store, "c", "correct", at=NOW, topic="Attention", deck="att")
    state, _ = review(None, Rating.Again, NOW - timedelta(hours=1))  # due 59 minutes ago
    store.save_state("a", state, now=NOW, topic="Conv", deck="conv")
    store.save_state("gone", state, now=NOW, topic="Conv", deck="conv")
    stats = store.topic_stats(NOW, item_ids=["a", "b", "c"])
    conv = stats[("conv", "Conv")]
    assert (conv.answered, conv.correct, conv.due) == (2, 0, 1)
    assert conv.accuracy == pytest.approx((0.0 + 0.5) / 2)
    att = stats[("att", "Attention")]
    assert (att.answered, att.correct, att.due, att.accuracy) == (1, 1, 0, 1.0)
    assert store.topic_stats(NOW)[("conv", "Conv")].due == 2  # without a filter "gone" counts too
    assert store.topic_stats(NOW, days=60)[("conv", "Conv")].answered == 3


def test_mistakes_are_items_whose_latest_answer_was_not_correct(store):
    attempt(store, "fixed", "wrong", at=NOW - timedelta(hours=3))
    attempt(store, "fixed", "correct", at=NOW - timedelta(hours=2))
    attempt(store, "old", "wrong", at=NOW - timedelta(hours=2))
    attempt(store, "new", "correct", at=NOW - timedelta(hours=2))
    attempt(store, "new", "partial", at=NOW - timedelta(hours=1), topic="Attention")
    assert [m.item_id for m in store.mistakes()] == ["new", "old"]
    assert [m.item_id for m in store.mistakes(topics=["Conv"])] == ["old"]
    assert [m.item_id for m in store.mistakes(limit=1)] == ["new"]
    assert [m.item_id for m in store.mistakes(since=NOW - timedelta(minutes=90))] == ["new"]


def test_batch_commits_together_or_not_at_all(store):
    state, _ = review(None, Rating.Good, NOW)
    with pytest.raises(RuntimeError), store.batch():
        attempt(store, "a")
        store.save_state("a", state, now=NOW)
        raise RuntimeError("interrupted")
    assert store.attempts() == [] and store.get_state("a") is None
    with store.batch():
        attempt(store, "a")
        store.save_state("a", state, now=NOW)
    assert len(store.attempts()) == 1 and store.get_state("a") == state


def test_data_survives_close_and_reopen(tmp_path):
    path = tmp_path / "p.sqlite3"
    with Store(path) as store:
        attempt(store, "a")
        store.save_state("a", review(None, Rating.Easy, NOW)[0], now=NOW)
    with Store(path) as store:
        assert [a.item_id for a in store.attempts()] == ["a"]
        assert store.get_state("a").state.name == "Review"


def test_an_unversioned_database_is_migrated(tmp_path):
    path = tmp_path / "p.sqlite3"
    sqlite3.connect(path).close()  # an empty file at user_version 0
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        attempt(store, "a")
        assert len(store.attempts()) == 1


def test_a_newer_schema_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "p.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer quizapp"):
        Store(path)
    assert path.read_bytes() == before


def test_a_damaged_file_gives_a_clear_error_and_is_not_reset(tmp_path):
    path = tmp_path / "p.sqlite3"
    garbage = b"this is not an sqlite database, but someone's notes " * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match="damaged") as info:
        Store(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == garbage


def test_a_locked_database_gives_a_clear_error_and_keeps_both_writers_data(tmp_path):
    path = tmp_path / "p.sqlite3"
    with Store(path) as first:
        attempt(first, "before")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "INSERT INTO attempts (item_id, kind, topic, deck, verdict, score, at) VALUES ('other', 'qa', 'T', 'd', 'correct', 1, 0)"
    )
    with Store(path, timeout=0.1) as store:
        with pytest.raises(StoreError, match="locked"):
            attempt(store, "blocked")
        other.execute("COMMIT")
        attempt(store, "after")
        assert [a.item_id for a in store.attempts()] == ["other", "before", "after"]
    other.close()


def test_progress_survives_a_killed_process(tmp_path):
    path = tmp_path / "p.sqlite3"
    script = textwrap.dedent(
        f"""
        import sys, time
        from datetime import datetime, timezone
        from quizapp.schedule import Rating, review
        from quizapp.store import Store
        store = Store({str(path)!r})
        now = datetime(2025, 3, 1, tzinfo=timezone.utc)
        for i in range(5):
            with store.batch():
                store.record_attempt(f"card{{i}}", kind="qa", topic="T", deck="d", verdict="correct", now=now)
                store.save_state(f"card{{i}}", review(None, Rating.Good, now)[0], now=now)
        print("recorded", flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "recorded"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    with Store(path) as store:
        assert [a.item_id for a in store.attempts()] == [f"card{i}" for i in range(5)]
        assert all(store.get_state(f"card{i}") is not None for i in range(5))
