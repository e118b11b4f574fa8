"""Suspended and flagged items in the store: set and cleared, kept apart from answers, the migration from schema 2."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.schedule import Rating, review
from quizapp.store import _MIGRATIONS, SCHEMA_VERSION, Mark, Store, StoreError

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "progress.sqlite3") as s:
        yield s


def test_suspend_and_flag_are_kept_separately_and_cleared_one_at_a_time(store):
    assert store.marks() == {} and store.suspended() == frozenset()
    store.set_mark("card-a", suspended=True, now=NOW)
    store.set_mark("card-a", flagged=True, now=NOW + timedelta(minutes=1))  # suspended stays as it was
    store.set_mark("tmpl-b", flagged=True, now=NOW)
    assert store.marks()["card-a"] == Mark("card-a", True, True, NOW + timedelta(minutes=1))
    assert (store.suspended(), store.flagged()) == ({"card-a"}, {"card-a", "tmpl-b"})
    store.set_mark("card-a", suspended=False, now=NOW)
    assert (store.suspended(), store.flagged()) == (frozenset(), {"card-a", "tmpl-b"})
    store.set_mark("card-a", flagged=False, now=NOW)
    assert set(store.marks()) == {"tmpl-b"}  # a mark with nothing set is no row at all
    assert store.marks(["card-a", "x"]) == {}


def test_a_mark_is_not_an_answer(store):
    state = review(None, Rating.Good, NOW)[0]
    store.save_state("card-a", state, now=NOW)
    store.set_mark("card-a", suspended=True, flagged=True, now=NOW)
    assert store.attempts() == [] and store.get_state("card-a") == state


def test_marks_survive_reopening(tmp_path):
    path = tmp_path / "progress.sqlite3"
    with Store(path) as store:
        store.set_mark("card-a", suspended=True, now=NOW)
    with Store(path) as store:
        assert store.suspended() == {"card-a"}


def _schema_2_file(path):
    """A progress file as the schema-2 release wrote it: its two steps of SQL, with one answer and one schedule."""
    db = sqlite3.connect(path)
    for step in _MIGRATIONS[:2]:
        for statement in step:
            db.execute(statement)
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "INSERT INTO attempts (item_id, kind, topic, deck, verdict, score, rating, at, seed, level, misconception)"
        " VALUES ('t', 'drill', 'Conv', 'conv', 'wrong', 0, 1, ?, 7, 'easy', 'forgot_floor')",
        (NOW.timestamp(),),
    )
    state = json.dumps(review(None, Rating.Good, NOW)[0].to_dict())
    db.execute("INSERT INTO card_state VALUES ('c', 'qa', 'Conv', 'conv', ?, ?, ?)", (state, NOW.timestamp() + 86400, NOW.timestamp()))
    db.commit()
    db.close()


def test_a_schema_2_database_without_marks_opens_and_upgrades_with_nothing_lost(tmp_path):
    path = tmp_path / "progress.sqlite3"
    _schema_2_file(path)
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 3
        assert store.marks() == {}
        (a,) = store.attempts()
        assert (a.item_id, a.seed, a.level, a.misconception, a.rating) == ("t", 7, "easy", "forgot_floor", 1)
        assert store.get_state("c") is not None
        store.set_mark("t", suspended=True, now=NOW)
    with Store(path) as store:
        assert store.suspended() == {"t"} and len(store.attempts()) == 1


@pytest.mark.parametrize(("column", "value"), [("suspended", "'yes'"), ("flagged", "2"), ("updated", "'soon'")])
def test_a_hand_edited_mark_is_a_store_error(store, column, value):
    store.set_mark("card-a", suspended=True, now=NOW)
    db = sqlite3.connect(store.path)
    db.execute(f"UPDATE marks SET {column} = {value}")
    db.commit()
    db.close()
    for read in (store.marks, store.suspended, store.flagged):
        with pytest.raises(StoreError, match=rf"damaged row \(table marks, row 'card-a': {column} "):
            read()
