"""FSRS wrapper: hand-worked first intervals, determinism, and the verdict <-> rating tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from quizapp.answers import Verdict
from quizapp.schedule import (
    CardState,
    Rating,
    State,
    rating_for_verdict,
    retrievability,
    review,
    utc,
    verdict_for_rating,
)

NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def test_rating_is_the_fsrs_intenum():
    assert [int(r) for r in Rating] == [1, 2, 3, 4]
    assert [r.name for r in Rating] == ["Again", "Hard", "Good", "Easy"]


@pytest.mark.parametrize(
    ("rating", "interval", "state"),
    [
        # py-fsrs defaults: learning steps 1 min and 10 min; Hard on the first step waits their mean;
        # Easy graduates at once with the initial stability S0(Easy) = 8.2956 days, and at the desired
        # retention 0.9 the interval equals the stability: round(8.2956) = 8 days.
        (Rating.Again, timedelta(minutes=1), State.Learning),
        (Rating.Hard, timedelta(minutes=5, seconds=30), State.Learning),
        (Rating.Good, timedelta(minutes=10), State.Learning),
        (Rating.Easy, timedelta(days=8), State.Review),
    ],
)
def test_first_review_intervals(rating, interval, state):
    new, due = review(None, rating, NOW)
    assert due - NOW == interval
    assert new.due == due
    assert new.state == state
    assert new.last_review == NOW


def test_review_is_deterministic_and_does_not_touch_the_input():
    state, due = review(None, Rating.Easy, NOW)
    before = state.to_dict()
    later = due + timedelta(days=3)
    results = {review(state, Rating.Good, later)[1] for _ in range(20)}  # fuzzing would spread these
    assert len(results) == 1
    assert state.to_dict() == before


def test_better_grades_never_come_back_sooner():
    state, due = review(None, Rating.Easy, NOW)
    dues = [review(state, rating, due)[1] for rating in Rating]
    assert dues == sorted(dues)
    assert dues[0] < dues[-1]


def test_forgetting_a_graduated_card_relearns_it():
    state, due = review(None, Rating.Easy, NOW)
    again, again_due = review(state, Rating.Again, due)
    assert again.state == State.Relearning
    assert again_due - due == timedelta(minutes=10)  # the one default relearning step


def test_naive_and_other_zones_are_read_as_instants():
    naive = NOW.replace(tzinfo=None)
    plus_two = NOW.astimezone(timezone(timedelta(hours=2)))
    assert review(None, Rating.Good, naive)[1] == review(None, Rating.Good, NOW)[1]
    assert review(None, Rating.Good, plus_two)[1] == review(None, Rating.Good, NOW)[1]
    assert utc(plus_two).tzinfo is UTC


def test_state_round_trips_through_dict():
    state, _ = review(None, Rating.Hard, NOW)
    state, _ = review(state, Rating.Good, NOW + timedelta(minutes=6))
    assert CardState.from_dict(state.to_dict()) == state


def test_retrievability_falls_with_time():
    assert retrievability(None, NOW) == 0.0
    state, due = review(None, Rating.Easy, NOW)
    r_soon = retrievability(state, NOW + timedelta(days=1))
    r_late = retrievability(state, NOW + timedelta(days=30))
    assert 0 < r_late < r_soon <= 1
    # At the scheduled interval FSRS predicts the desired retention (0.9), by construction.
    assert retrievability(state, due) == pytest.approx(0.9, abs=0.01)


@pytest.mark.parametrize(
    ("verdict", "hint", "rating"),
    [
        ("wrong", False, Rating.Again),
        ("wrong", True, Rating.Again),
        ("partial", False, Rating.Hard),
        ("partial", True, Rating.Hard),
        ("correct", False, Rating.Good),
        ("correct", True, Rating.Hard),
        (Verdict.CORRECT, False, Rating.Good),
        (Verdict.WRONG, False, Rating.Again),
    ],
)
def test_rating_for_verdict(verdict, hint, rating):
    assert rating_for_verdict(verdict, hint_used=hint) == rating


def test_rating_for_an_unknown_verdict_fails():
    with pytest.raises(ValueError, match="unknown verdict"):
        rating_for_verdict("maybe")


@pytest.mark.parametrize(
    ("rating", "expected"),
    [(1, ("wrong", 0.0)), (2, ("correct", 1.0)), (3, ("correct", 1.0)), (4, ("correct", 1.0))],
)
def test_verdict_for_rating(rating, expected):
    assert verdict_for_rating(Rating(rating)) == expected
    assert verdict_for_rating(rating) == expected


def test_desired_retention_sets_the_interval_by_fsrs_formula():
    # Once a card is in review, the next interval is when recall falls to the desired retention r:
    # I(r) = S/F · (r^(−1/w₂₀) − 1), F = 0.9^(−1/w₂₀) − 1, so I(0.9) = S (rounded to whole days).
    from fsrs.scheduler import DEFAULT_PARAMETERS

    decay = DEFAULT_PARAMETERS[20]
    state, _ = review(None, Rating.Good, NOW)
    state, then = review(state, Rating.Good, state.due)
    assert state.state == State.Review
    intervals = {}
    for r in (0.8, 0.9, 0.95):
        after, next_due = review(state, Rating.Good, then, desired_retention=r)
        intervals[r] = (next_due - then).days
        factor = 0.9 ** (-1 / decay) - 1
        expected = after.stability / factor * (r ** (-1 / decay) - 1)
        assert abs(intervals[r] - expected) <= 1, (r, intervals[r], expected)
    assert intervals[0.8] > intervals[0.9] > intervals[0.95]
    assert review(state, Rating.Good, then)[1] == review(state, Rating.Good, then, desired_retention=0.9)[1]


@pytest.mark.parametrize(
    ("delta", "label"),
    [
        (timedelta(seconds=59), "<1m"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=10, seconds=59), "10m"),
        (timedelta(hours=3, minutes=59), "3h"),
        (timedelta(days=3), "3d"),
        (timedelta(days=29), "29d"),
        (timedelta(days=60), "2mo"),
        (timedelta(days=365 * 1.5), "1.5y"),
        (timedelta(days=365), "1y"),
    ],
)
def test_short_interval_labels_as_anki_does(delta, label):
    from quizapp.schedule import short_interval

    assert short_interval(delta) == label
