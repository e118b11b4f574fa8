"""Provides the synthetic review histories of tests/data/ that test the FSRS fitting gate (quizapp.optimize).

A simulated learner reviews 150 items when the default FSRS scheduler says they are due. Whether an
answer is recalled is drawn from the learner's *true* memory: FSRS with other parameters (reviews
update both the scheduler's card and the true one with the same grade). Two histories:

- fsrs-history-forgetful.json: the learner forgets much faster than FSRS's defaults assume, all along.
  Parameters fitted to the first 80% predict the last 20% better than the defaults: they are kept.
- fsrs-history-drift.json: the same forgetful learner for the first 70% of the time, then one who
  recalls 97% of what is asked whatever the interval (say, after an intensive course). Parameters
  fitted to the forgetful part predict the last 20% of reviews worse than the defaults: not kept.

Each file is {"start": seconds since 1970 UTC, "reviews": [[item number, seconds after start, rating], ...]}.
Deterministic (random.Random(seed), py-fsrs without fuzzing). Regenerate only on purpose, from the repo:

    .venv/bin/python tests/data/make_fsrs_history.py tests/data
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Card, Rating, Scheduler

START = datetime(2025, 1, 6, 18, 0, tzinfo=UTC)
DAYS = 150
ITEMS = 150
DEFAULTS = Scheduler().parameters


def weights(initial: float, growth: float) -> tuple[float, ...]:
    """The defaults with the initial stabilities (w0-w3) times ``initial`` and the growth on success (w8) times ``growth``."""
    w = list(DEFAULTS)
    w[0:4] = [x * initial for x in w[0:4]]
    w[8] *= growth
    return tuple(w)


FORGETFUL = weights(0.15, 0.45)
LATE_RECALL = 0.97


def simulate(seed: int, late_recall: float | None) -> list[list[int]]:
    """Reviews of ITEMS items over DAYS days; from 70% of the days on, recalled with ``late_recall`` if given."""
    rng = random.Random(seed)
    schedule = Scheduler(enable_fuzzing=False)
    truth = Scheduler(parameters=FORGETFUL, enable_fuzzing=False)
    switch = START + timedelta(days=int(DAYS * 0.7))
    reviews = []
    for item in range(ITEMS):
        introduced = START + timedelta(days=rng.randrange(DAYS // 2), minutes=rng.randrange(240))
        planned, true = Card(card_id=item, due=introduced), Card(card_id=item, due=introduced)
        when = introduced
        while when < START + timedelta(days=DAYS):
            recall = truth.get_card_retrievability(true, when) if true.last_review else 0.0
            if late_recall is not None and when >= switch:
                recall = late_recall
            if true.last_review is None:
                rating = rng.choices([Rating.Again, Rating.Hard, Rating.Good, Rating.Easy], [0.3, 0.15, 0.5, 0.05])[0]
            elif rng.random() < recall:
                rating = rng.choices([Rating.Hard, Rating.Good, Rating.Easy], [0.15, 0.75, 0.1])[0]
            else:
                rating = Rating.Again
            reviews.append([item, int((when - START).total_seconds()), int(rating)])
            planned, _ = schedule.review_card(planned, rating, when)
            true, _ = truth.review_card(true, rating, when)
            when = planned.due + timedelta(minutes=rng.randrange(60))  # answered a little after it falls due
    reviews.sort(key=lambda r: (r[1], r[0]))
    return reviews


def main(folder: Path) -> None:
    for name, seed, late in (("forgetful", 1, None), ("drift", 2, LATE_RECALL)):
        reviews = simulate(seed, late)
        path = folder / f"fsrs-history-{name}.json"
        rows = ",\n".join(json.dumps(r) for r in reviews)
        path.write_text(f'{{"start": {START.timestamp()}, "reviews": [\n{rows}\n]}}\n', encoding="utf-8")
        print(f"wrote {path}: {len(reviews)} reviews")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
