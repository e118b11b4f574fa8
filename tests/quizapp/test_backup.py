"""`quizapp progress export/import`: every attempt and schedule round-trips, a second import adds nothing,
and an untrusted file is refused with `FILE: where: what is wrong` before anything is written."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp import backup
from quizapp.cli import main
from quizapp.paths import database_path
from quizapp.schedule import Rating, review
from quizapp.store import Store

V1_FIXTURE = Path(__file__).parent / "data" / "progress-v1.sqlite3"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def rows(store):
    """Everything kept, without the row ids (which a merge does not carry over)."""
    return [replace(a, id=0) for a in store.attempts()], store.schedules()


@pytest.fixture
def history(tmp_path):
    """A data folder holding the schema-1 fixture, upgraded, plus drills recorded with schema-2 fields."""
    data = tmp_path / "mine"
    data.mkdir()
    shutil.copyfile(V1_FIXTURE, database_path(data))
    with Store(database_path(data)) as store:
        store.record_attempt(
            "conv-out", kind="drill", topic="Conv", deck="conv", verdict="wrong", rating=1, elapsed_s=3.125,
            seed=-(2**62), level="hard", misconception="forgot_floor", answer_text="7,5 ✗", now=NOW + timedelta(microseconds=7),
        )
        store.save_state("conv-out", review(store.get_state("conv-out"), Rating.Again, NOW)[0], now=NOW)
    return data


def run(capsys, *argv):
    code = main([*map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_export_then_import_round_trips_everything(history, tmp_path, capsys):
    file = tmp_path / "backup.json"
    code, out, _ = run(capsys, "progress", "export", file, "--data-dir", history)
    assert code == 0 and "8 answers and 4 schedules" in out
    doc = json.loads(file.read_text(encoding="utf-8"))
    assert (doc["format"], doc["version"], len(doc["attempts"]), len(doc["schedules"])) == ("quizapp-progress", 1, 8, 4)

    code, out, _ = run(capsys, "--data-dir", tmp_path / "fresh", "progress", "import", file)
    assert code == 0 and "8 of 8 answers added" in out and "4 of 4 schedules" in out
    with Store(database_path(history)) as mine, Store(database_path(tmp_path / "fresh")) as fresh:
        assert rows(fresh) == rows(mine)
        assert fresh.attempts()[-1].misconception == "forgot_floor" and fresh.attempts()[-1].seed == -(2**62)


def test_importing_twice_adds_nothing_the_second_time(history, tmp_path, capsys):
    file = tmp_path / "backup.json"
    run(capsys, "progress", "export", file, "--data-dir", history)
    before = rows(Store(database_path(history)))
    for _ in range(2):  # into the very store it came from: everything is already there
        code, out, _ = run(capsys, "progress", "import", file, "--data-dir", history)
        assert code == 0 and "0 of 8 answers added (8 already kept)" in out and "0 of 4 schedules" in out
    with Store(database_path(history)) as store:
        assert rows(store) == before


def test_a_merge_keeps_the_more_recent_schedule_and_adds_new_answers(tmp_path):
    with Store(tmp_path / "a.sqlite3") as a, Store(tmp_path / "b.sqlite3") as b:
        old, _ = review(None, Rating.Good, NOW)
        new, _ = review(old, Rating.Again, NOW + timedelta(days=2))
        a.save_state("x", new, now=NOW + timedelta(days=2))
        b.save_state("x", old, now=NOW)
        b.save_state("y", old, now=NOW)
        b.record_attempt("y", kind="qa", topic="T", deck="d", verdict="correct", rating=3, now=NOW)
        added, changed = a.merge(b.attempts(), b.schedules())
        assert (added, changed) == (1, 1)  # y's answer and schedule; x keeps its later review
        assert a.get_state("x") == new and a.get_state("y") == old
        added, changed = b.merge(a.attempts(), a.schedules())
        assert (added, changed) == (0, 1) and b.get_state("x") == new


def good_doc():
    state = review(None, Rating.Good, NOW)[0].to_dict()
    attempt = {
        "item_id": "a", "kind": "drill", "topic": "T", "deck": "d", "verdict": "wrong", "score": 0.0, "rating": 1,
        "hint_used": False, "answer_text": "3", "elapsed_s": 1.5, "at": NOW.timestamp(), "seed": 4, "level": "easy",
        "misconception": None,
    }
    schedule = {"item_id": "a", "kind": "drill", "topic": "T", "deck": "d", "state": state, "updated": NOW.timestamp()}
    return {"format": "quizapp-progress", "version": 1, "attempts": [attempt, dict(attempt, at=NOW.timestamp() + 60)], "schedules": [schedule]}


def edit(path, *keys_and_value):
    *keys, value = keys_and_value
    doc = good_doc()
    target = doc
    for key in keys[:-1]:
        target = target[key]
    if value is KeyError:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    path.write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("format", "anki"), "not a quizapp progress backup"),
        (("version", 99), "written by a newer quizapp (backup version 99"),
        (("version", "1"), "version: expected a whole number"),
        (("attempts", {}), "attempts: expected a list"),
        (("attempts", 1, "score", 2), "attempts[1].score: expected a number from 0 to 1, got 2"),
        (("attempts", 1, "score", "1"), "attempts[1].score: expected a number"),
        (("attempts", 1, "at", -5), "attempts[1].at: expected a number from 0"),
        (("attempts", 1, "rating", 5), "attempts[1].rating: expected a whole number from 1 to 4"),
        (("attempts", 1, "rating", True), "attempts[1].rating: expected a whole number"),
        (("attempts", 1, "verdict", ["wrong"]), "attempts[1].verdict: expected correct, partial or wrong"),
        (("attempts", 1, "hint_used", 0), "attempts[1].hint_used: expected true or false"),
        (("attempts", 1, "item_id", "x" * 10_001), "attempts[1].item_id: expected a text of at most 10,000"),
        (("attempts", 1, "level", "insane"), "attempts[1].level: expected easy or medium or hard"),
        (("attempts", 1, "seed", 2**64), "attempts[1].seed: expected a whole number"),
        (("attempts", 1, "seed", KeyError), "attempts[1]: seed is missing"),
        (("attempts", 1, "nope"), "attempts[1]: expected an object, got 'nope'"),
        (("schedules", 0, "state", "due", "tomorrow"), "schedules[0].state.due: expected a date"),
        (("schedules", 0, "state", "due", "2025-01-01T00:00:00"), "schedules[0].state.due: expected a date from 1970 on with its time zone"),
        (("schedules", 0, "state", "state", [2]), "schedules[0].state.state: expected 1, 2 or 3"),
        (("schedules", 0, "state", "stability", -1), "schedules[0].state.stability: expected a number from 0"),
        (("schedules", 0, "state", "step", KeyError), "schedules[0].state: step is missing"),
        (("schedules", 0, "updated", None), "schedules[0].updated: expected a number"),
    ],
)
def test_a_malformed_backup_is_refused_by_name_and_nothing_is_written(tmp_path, capsys, change, message):
    file = tmp_path / "b.json"
    edit(file, *change)
    code, out, err = run(capsys, "progress", "import", file, "--data-dir", tmp_path / "d")
    assert code == 1 and out == ""
    assert err.startswith(f"quizapp: {file}: ") and message in err and "Traceback" not in err
    with Store(database_path(tmp_path / "d")) as store:
        assert store.attempts() == [] and store.schedules() == []  # the first, valid attempt was not kept either


def test_the_good_document_of_the_table_above_imports(tmp_path, capsys):
    file = tmp_path / "b.json"
    file.write_text(json.dumps(good_doc()), encoding="utf-8")
    code, out, _ = run(capsys, "progress", "import", file, "--data-dir", tmp_path / "d")
    assert code == 0 and "2 of 2 answers added" in out and "1 of 1 schedules" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{\"format\": \"quizapp-progress\",\n  \"version\": 1, oops}", ":2:17: not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "not a progress backup"),
        (b'{"format": "quizapp-progress", "version": NaN}', "NaN is not a number JSON allows"),
        (b'{"format": "quizapp-progress", "version": ' + b"9" * 5000 + b"}", "not a progress backup"),
        (b"", ":1:1: not valid JSON"),
    ],
)
def test_a_file_that_is_not_a_backup_gets_one_line(tmp_path, capsys, content, message):
    file = tmp_path / "b.json"
    file.write_bytes(content)
    code, _, err = run(capsys, "progress", "import", file, "--data-dir", tmp_path / "d")
    assert code == 1 and err.startswith(f"quizapp: {file}") and message in err and len(err.splitlines()) == 1


def test_a_file_past_the_size_bound_is_refused_unread(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(backup, "MAX_BYTES", 1000)
    file = tmp_path / "b.json"
    file.write_text(json.dumps(good_doc()) + " " * 1000, encoding="utf-8")
    code, _, err = run(capsys, "progress", "import", file, "--data-dir", tmp_path / "d")
    assert code == 1 and "larger than" in err


def test_missing_files_and_unwritable_targets_get_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "progress", "import", tmp_path / "none.json", "--data-dir", tmp_path / "d")
    assert code == 1 and f"{tmp_path / 'none.json'}: cannot read it" in err
    code, _, err = run(capsys, "progress", "export", tmp_path / "no-dir" / "b.json", "--data-dir", tmp_path / "d")
    assert code == 1 and "cannot write it" in err and "Traceback" not in err
