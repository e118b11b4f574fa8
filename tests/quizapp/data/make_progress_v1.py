"""Provides tests/quizapp/data/progress-v1.sqlite3: a progress database as quizapp's schema-1 release writes it.

The migration test opens a copy and checks that nothing in it is lost. Regenerate it only on purpose,
with the schema-1 code (commit 381560d, the last one before schema 2) first on the import path:

    git archive 381560d quizapp solvers | tar -x -C /tmp/v1src
    PYTHONPATH=/tmp/v1src .venv/bin/python tests/quizapp/data/make_progress_v1.py tests/quizapp/data/progress-v1.sqlite3

It refuses to run against a store of another schema version, so the file is always a real schema-1 one.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from quizapp.schedule import Rating, review
from quizapp.store import SCHEMA_VERSION, Store

START = datetime(2025, 1, 6, 9, 30, tzinfo=UTC)


def main(out: Path) -> None:
    if SCHEMA_VERSION != 1:
        raise SystemExit(f"run this with the schema-1 quizapp on PYTHONPATH (this one writes schema {SCHEMA_VERSION})")
    out.unlink(missing_ok=True)
    store = Store(out)
    # (item, kind, topic, deck, verdict, score, rating, hint, answer text, seconds, days after START, FSRS rating)
    history = [
        ("conv-out", "drill", "Convolutional layers", "conv", "correct", 1.0, 3, False, "16", 4.25, 0.0),
        ("conv-out", "drill", "Convolutional layers", "conv", "wrong", 0.0, 1, False, "15.5", 12.5, 1.0),
        ("conv-out", "drill", "Convolutional layers", "conv", "correct", 0.5, 2, True, "16×16", 30.0, 1.01),
        ("conv-1x1", "qa", "Convolutional layers", "conv", "correct", 1.0, 4, False, "Easy", 2.0, 0.5),
        ("att-softmax", "drill", "Attention — softmax", "attention", "partial", 0.25, 2, False, "[0.1, 0.9; 0,3]", 61.0, 2.0),
        ("pool-mcq", "mcq", "Pooling", "conv", "wrong", 0.0, 1, False, "2. MaxPool2d 'quoted'", 0.0, 3.0),
        ("legacy", "qa", "Pooling", "conv", "correct", 1.0, None, False, "", 0.0, 3.5),
    ]
    states = {}
    for item, kind, topic, deck, verdict, score, rating, hint, text, seconds, days in history:
        when = START + timedelta(days=days)
        with store.batch():
            store.record_attempt(
                item, kind=kind, topic=topic, deck=deck, verdict=verdict, score=score, rating=rating,
                hint_used=hint, answer_text=text, elapsed_s=seconds, now=when,
            )
            if rating is not None:
                states[item], _ = review(states.get(item), Rating(rating), when)
                store.save_state(item, states[item], now=when, kind=kind, topic=topic, deck=deck)
    store.close()
    print(f"wrote {out}: {len(history)} attempts, {len(states)} schedules")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
