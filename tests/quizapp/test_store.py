"""Progress store: attempts, FSRS state, due lists, summaries, migrations, damage and locks, and a killed writer."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


# --- schema 2: what statistics need, the migration from 1, foreign files, hand-edited rows ---------------

V1_FIXTURE = Path(__file__).parent / "data" / "progress-v1.sqlite3"  # made by data/make_progress_v1.py


def raw_rows(path, sql):
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_schema_2_records_seed_level_and_misconception(store):
    store.record_attempt(
        "conv-out", kind="drill", topic="Conv", deck="conv", verdict="wrong", rating=1, elapsed_s=7.5,
        seed=2**40 + 3, level="hard", misconception="forgot_floor", now=NOW,
    )
    attempt(store, "card")
    drill, card = store.attempts()
    assert (drill.seed, drill.level, drill.misconception, drill.elapsed_s, drill.rating) == (2**40 + 3, "hard", "forgot_floor", 7.5, 1)
    assert (card.seed, card.level, card.misconception) == (None, None, None)


def test_a_schema_1_database_upgrades_with_nothing_lost(tmp_path):
    path = tmp_path / "progress.sqlite3"
    shutil.copyfile(V1_FIXTURE, path)
    columns = "id, item_id, kind, topic, deck, verdict, score, rating, hint_used, answer_text, elapsed_s, at"
    attempts_before = raw_rows(path, f"SELECT {columns} FROM attempts ORDER BY id")
    states_before = raw_rows(path, "SELECT * FROM card_state ORDER BY item_id")
    assert raw_rows(path, "PRAGMA user_version") == [(1,)]
    assert len(attempts_before) == 7 and len(states_before) == 4
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        read = store.attempts()
        # every schema-1 field as the old release wrote it, read back through the new code
        assert sorted(
            (a.id, a.item_id, a.kind, a.topic, a.deck, a.verdict, a.score, a.rating, int(a.hint_used), a.answer_text, a.elapsed_s, a.at.timestamp())
            for a in read
        ) == attempts_before
        assert all((a.seed, a.level, a.misconception) == (None, None, None) for a in read)
        for item_id, *_rest, state_json, _due, _updated in states_before:
            assert store.get_state(item_id).to_dict() == json.loads(state_json)
        store.record_attempt("new", kind="drill", topic="T", deck="d", verdict="correct", seed=5, level="easy", now=NOW)
    assert raw_rows(path, f"SELECT {columns} FROM attempts WHERE id <= 7 ORDER BY id") == attempts_before
    assert raw_rows(path, "SELECT * FROM card_state ORDER BY item_id") == states_before
    with Store(path) as store:  # opening the upgraded file again changes nothing
        assert len(store.attempts()) == 8 and store.attempts()[-1].seed == 5


def test_an_unrelated_sqlite_file_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "progress.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    db.execute("INSERT INTO notes (body) VALUES ('shopping list')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a quizapp progress database"):
        Store(path)
    assert path.read_bytes() == before  # still in rollback-journal mode, no tables of ours added
    assert raw_rows(path, "PRAGMA journal_mode") == [("delete",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.sqlite3"]  # no -wal or -shm beside it


@pytest.mark.parametrize(
    "setup",
    [
        "PRAGMA application_id = 1234",  # another program's own id
        "CREATE TABLE attempts (id INTEGER PRIMARY KEY)",  # our table name, not our columns, version 0
        "CREATE TABLE attempts (id INTEGER PRIMARY KEY); PRAGMA user_version = 1",  # a version but not our tables
    ],
)
def test_other_sqlite_files_are_refused_and_left_alone(tmp_path, setup):
    path = tmp_path / "p.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(setup)
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a quizapp progress database"):
        Store(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", "'yesterday'"),
        ("at", "1e300"),
        ("score", "'full marks'"),
        ("score", "7"),
        ("rating", "'Good'"),
        ("rating", "9"),
        ("hint_used", "'yes'"),
        ("elapsed_s", "x'00ff'"),
        ("verdict", "'maybe'"),
        ("item_id", "x'00'"),  # a blob: a number in a text column is stored as its text, which is fine
        ("answer_text", "x'41'"),
        ("seed", "'seven'"),
        ("seed", "2.5"),
        ("level", "x'01'"),
        ("misconception", "x'01'"),
    ],
)
def test_a_hand_edited_attempt_of_the_wrong_type_is_a_store_error(store, column, value):
    attempt(store, "fine")
    row_id = attempt(store, "edited", "wrong")  # so that mistakes() reads it too
    db = sqlite3.connect(store.path)
    db.execute(f"UPDATE attempts SET {column} = {value} WHERE id = ?", (row_id,))
    db.commit()
    db.close()
    for read in (store.attempts, store.mistakes, lambda: store.topic_stats(NOW), lambda: store.attempts(since=NOW)):
        with pytest.raises(StoreError, match=rf"damaged row \(table attempts, row {row_id}: {column} "):
            read()
    assert [a.item_id for a in store.attempts("fine")] == ["fine"]  # the other rows can still be read one by one


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("due", "'soon'"),
        ("updated", "-5"),
        ("state", "'not json'"),
        ("state", "'[1, 2]'"),
        ("state", "'{\"due\": \"2025-01-01T00:00:00+00:00\"}'"),
        ("state", "'{\"card_id\": 0, \"state\": 9, \"step\": 0, \"stability\": null, \"difficulty\": null, \"due\": \"soon\", \"last_review\": null}'"),
        ("state", "7"),
    ],
)
def test_a_hand_edited_schedule_of_the_wrong_type_is_a_store_error(store, column, value):
    store.save_state("card", review(None, Rating.Good, NOW)[0], now=NOW)
    db = sqlite3.connect(store.path)
    db.execute(f"UPDATE card_state SET {column} = {value}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="damaged row \\(table card_state, row 'card'"):
        store.get_state("card")
    if column != "state":  # the due lists read only the due column
        for read in (lambda: store.due(["card"], NOW), lambda: store.unseen(["card"]), lambda: store.topic_stats(NOW)):
            with pytest.raises(StoreError, match="damaged row"):
                read()


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"score": 1.5}, "score must be from 0 to 1"), ({"rating": 5}, "rating must be 1 to 4"), ({"at": datetime(1960, 1, 1, tzinfo=UTC)}, "dated")],
)
def test_the_store_never_writes_a_row_it_would_call_damaged(store, extra, message):
    with pytest.raises(ValueError, match=message):
        attempt(store, "a", **extra)
    attempt(store, "b", elapsed_s=-3.0)  # a clock that went backwards: kept as 0 seconds
    assert [(a.item_id, a.elapsed_s) for a in store.attempts()] == [("b", 0.0)]


def test_undo_attempt_deletes_the_row_and_puts_the_schedule_back(tmp_path):
    from quizapp.schedule import Rating, review

    t0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    with Store(tmp_path / "u.sqlite3") as store:
        kept = store.record_attempt("a", kind="qa", topic="T", deck="d", verdict="correct", now=t0)
        state, _ = review(None, Rating.Good, t0)
        store.save_state("a", state, now=t0, kind="qa", topic="T", deck="d")
        previous = store.schedule("a")
        later = store.record_attempt("a", kind="qa", topic="T", deck="d", verdict="wrong", now=t0 + timedelta(hours=1))
        store.save_state("a", review(state, Rating.Again, t0 + timedelta(hours=1))[0], now=t0 + timedelta(hours=1))
        store.undo_attempt(later, "a", previous)
        assert [a.id for a in store.attempts()] == [kept]
        assert store.schedule("a") == previous
        store.undo_attempt(kept, "a", None)  # its first answer: the item had no schedule before
        assert store.attempts() == [] and store.schedule("a") is None and store.unseen(["a"]) == ["a"]


def test_first_answers_say_when_each_item_answered_in_a_window_was_first_answered(tmp_path):
    t0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    with Store(tmp_path / "f.sqlite3") as store:
        for item, hours in (("old", -30), ("old", 1), ("new", 2), ("new", 3), ("gone", -40)):
            store.record_attempt(item, kind="qa", topic="T", deck="d", verdict="correct", now=t0 + timedelta(hours=hours))
        first = store.first_answers(t0, t0 + timedelta(days=1))
        assert first == {"old": t0 - timedelta(hours=30), "new": t0 + timedelta(hours=2)}
