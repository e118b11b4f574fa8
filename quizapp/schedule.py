"""Provides spaced-repetition scheduling on FSRS: a review outcome -> the card's next state and due date.

A thin wrapper around py-fsrs so the rest of the app speaks in ``Rating`` and ``now=`` and never
touches the scheduler object. Fuzzing is off: py-fsrs fuzzes intervals with the global RNG, and the
same history must always give the same due dates. ``parameters`` are the 21 FSRS weights: None for
FSRS's defaults, or the ones fitted to the user (quizapp.optimize), which the caller passes in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from fsrs import Card as CardState
from fsrs import Rating, Scheduler, State

from quizapp.clock import utc

__all__ = [
    "DESIRED_RETENTION",
    "CardState",
    "Rating",
    "State",
    "preview",
    "rating_for_verdict",
    "retrievability",
    "review",
    "scheduler",
    "short_interval",
    "verdict_for_rating",
]

# The card id inside an FSRS state is unused (the store keys states by our own item id); a fixed
# value also avoids fsrs.Card's default, which reads the clock and sleeps a millisecond.
_STATE_ID = 0


Parameters = Sequence[float] | None
"""The 21 FSRS weights, or None for the defaults."""


DESIRED_RETENTION = 0.9
"""FSRS's default: the recall an interval is chosen to reach."""


def scheduler(parameters: Parameters = None, desired_retention: float | None = None) -> Scheduler:
    """The FSRS scheduler (fuzzing off) with ``parameters`` aiming at ``desired_retention`` (None: 0.9),
    made once per pair."""
    return _scheduler(
        None if parameters is None else tuple(float(w) for w in parameters),
        DESIRED_RETENTION if desired_retention is None else float(desired_retention),
    )


@lru_cache(maxsize=4)
def _scheduler(parameters: tuple[float, ...] | None, desired_retention: float) -> Scheduler:
    if parameters is None:
        return Scheduler(desired_retention=desired_retention, enable_fuzzing=False)
    return Scheduler(parameters=parameters, desired_retention=desired_retention, enable_fuzzing=False)


def new_state(now: datetime) -> CardState:
    """A card never reviewed: FSRS Learning state, due at ``now``."""
    return CardState(card_id=_STATE_ID, due=utc(now))


def review(
    state: CardState | None,
    rating: Rating | int,
    now: datetime,
    *,
    parameters: Parameters = None,
    desired_retention: float | None = None,
) -> tuple[CardState, datetime]:
    """One review at ``now`` graded ``rating`` -> (the new FSRS state, when it is due next).

    ``state`` is None for a card seen for the first time. The input state is not modified. The next
    interval is the one at which recall falls to ``desired_retention`` (None: 0.9).
    """
    now = utc(now)
    card = state if state is not None else new_state(now)
    updated, _log = scheduler(parameters, desired_retention).review_card(card, Rating(int(rating)), review_datetime=now)
    return updated, updated.due


def retrievability(state: CardState | None, now: datetime, *, parameters: Parameters = None) -> float:
    """FSRS's predicted probability of recall at ``now``: R = (1 + F·t/S)^−decay; 0 for a new card."""
    if state is None:
        return 0.0
    return float(scheduler(parameters).get_card_retrievability(state, utc(now)))


def _verdict_name(verdict: object) -> str:
    # Accept answers.Verdict (an Enum with .value) or its plain string without importing answers.
    return str(getattr(verdict, "value", verdict)).lower()


def rating_for_verdict(verdict: object, *, hint_used: bool = False) -> Rating:
    """A checked answer -> the rating FSRS needs.

    wrong -> Again; partial -> Hard; correct -> Good, or Hard when the hint was shown first.
    """
    name = _verdict_name(verdict)
    if name == "correct":
        return Rating.Hard if hint_used else Rating.Good
    if name == "partial":
        return Rating.Hard
    if name == "wrong":
        return Rating.Again
    raise ValueError(f"unknown verdict {verdict!r}")


def verdict_for_rating(rating: Rating | int) -> tuple[str, float]:
    """A flashcard self-grade -> (verdict, score) for the attempt history.

    Again means the card was not recalled (wrong, 0); Hard, Good and Easy are recalls (correct, 1).
    """
    rating = Rating(int(rating))
    if rating == Rating.Again:
        return "wrong", 0.0
    return "correct", 1.0


def preview(state: CardState | None, now: datetime, *, parameters: Parameters = None) -> dict[Rating, datetime]:
    """When the item would be due next after each grade at ``now`` (nothing is saved): the grade keys' intervals."""
    return {rating: review(state, rating, now, parameters=parameters)[1] for rating in Rating}


def short_interval(delta: timedelta) -> str:
    """An interval as Anki labels its grade keys: '<1m', '10m', '3h', '4d', '2mo', '1.5y' (whole units rounded down, months of 30 days; years to one decimal)."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    size, unit = next(u for u in ((365 * 86400, "y"), (30 * 86400, "mo"), (86400, "d"), (3600, "h"), (60, "m")) if seconds >= u[0])
    if unit == "y":
        return f"{seconds / size:.1f}".removesuffix(".0") + unit
    return f"{int(seconds // size)}{unit}"
