"""Provides recording of one answered question: its attempt row and its FSRS update, committed together.

The one place that turns an answer into progress, shared by the TUI, the plain quiz and drill, and the
plain review, so every mode schedules the same thing the same way: a card by its own id, a computed
question by its template id (the skill is scheduled, not the particular numbers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from quizapp.content.model import Card
from quizapp.schedule import Rating, rating_for_verdict, review, verdict_for_rating

if TYPE_CHECKING:
    from quizapp.store import Store

__all__ = ["HINT_COST", "Recorded", "Target", "hinted_score", "record_answer", "schedule_target"]

HINT_COST = 0.5
"""A right answer after the hint scores this much (and FSRS hears Hard, not Good)."""


@dataclass(frozen=True)
class Target:
    """What an answer is recorded against: the scheduled item's id and the labels the history keeps."""

    item_id: str
    kind: str  # the card kind (qa, mcq, cloze, ...) or "drill"
    topic: str
    deck: str


@dataclass(frozen=True)
class Recorded:
    """What one recorded answer did: the attempt's row id, the rating FSRS heard and the next due date."""

    item_id: str
    attempt_id: int
    verdict: str  # correct | partial | wrong
    rating: Rating
    due: datetime


def _unwrap(item: Any) -> Any:
    """The Card or DrillInstance inside ``item`` (itself, or what a QuizItem / the TUI's Question holds)."""
    if not isinstance(item, Card) and (hasattr(item, "card") or hasattr(item, "drill")):
        drill = getattr(item, "drill", None)
        return drill if drill is not None else getattr(item, "card", None)
    return item


def schedule_target(item: Any) -> Target:
    """The item FSRS schedules for ``item``: a Card by its id; a DrillInstance by its template id.

    ``item`` may also be anything holding one of them as ``.card`` / ``.drill`` (session.QuizItem, the
    TUI's Question).
    """
    item = _unwrap(item)
    if isinstance(item, Card):
        return Target(item.id, str(item.kind), item.topic, item.deck)
    template_id = getattr(item, "template_id", None)
    if not template_id:
        raise TypeError(f"cannot record an answer to {item!r}: expected a Card or a DrillInstance")
    return Target(template_id, "drill", item.topic, item.deck)


def hinted_score(score: float, hint_used: bool) -> float:
    """The score a checked answer earns: score · HINT_COST after the hint was shown, else score."""
    return float(score) * (HINT_COST if hint_used else 1.0)


def _verdict_name(verdict: object) -> str:
    # answers.Verdict (an Enum) or its plain string, without importing the answer checker.
    return str(getattr(verdict, "value", verdict)).lower()


def record_answer(
    store: Store,
    item: Any,
    *,
    verdict: object = None,
    score: float | None = None,
    rating: Rating | int | None = None,
    hint_used: bool = False,
    answer_text: str = "",
    elapsed_s: float = 0.0,
    misconception: object = None,
    now: datetime,
    parameters: Sequence[float] | None = None,
) -> Recorded:
    """Record one answered question at ``now``: append the attempt and move the item's FSRS state, in one commit.

    A checked answer (typed or chosen) gives ``verdict`` and ``score``; FSRS then hears
    wrong → Again, partial → Hard, correct → Good (Hard after the hint). A flashcard gives its
    self-grade ``rating``; the verdict follows: Again → wrong (score 0), Hard/Good/Easy → correct (1).
    Giving both records them as given. ``score`` defaults to 1 / 0.5 / 0 by verdict.
    ``misconception`` is the typical mistake the answer matched (a solvers.Misconception or its name);
    a drill's seed and level are recorded from the instance, so statistics can ask it again.
    ``parameters`` are the FSRS weights fitted to the user (None: the store's, see Store.fsrs_parameters).

    Raises store.StoreError when the database cannot be written; then nothing of this answer is kept.
    """
    if verdict is None and rating is None:
        raise ValueError("an answer needs a verdict, a rating or both")
    if rating is None:
        rating = rating_for_verdict(verdict, hint_used=hint_used)
    rating = Rating(int(rating))
    if verdict is None:
        verdict, graded_score = verdict_for_rating(rating)
        score = graded_score if score is None else score
    name = _verdict_name(verdict)
    target = schedule_target(item)
    asked = _unwrap(item)
    drill = None if isinstance(asked, Card) else asked
    if misconception is not None:
        misconception = str(getattr(misconception, "name", misconception))
    with store.batch():
        attempt_id = store.record_attempt(
            target.item_id,
            kind=target.kind,
            topic=target.topic,
            deck=target.deck,
            verdict=name,
            score=score,
            rating=int(rating),
            hint_used=hint_used,
            answer_text=answer_text,
            elapsed_s=max(0.0, float(elapsed_s)),
            seed=getattr(drill, "seed", None),
            level=getattr(drill, "level", None),
            misconception=misconception,
            now=now,
        )
        if parameters is None:
            parameters = store.fsrs_parameters
        state, due = review(
            store.get_state(target.item_id), rating, now, parameters=parameters, desired_retention=store.desired_retention
        )
        store.save_state(target.item_id, state, now=now, kind=target.kind, topic=target.topic, deck=target.deck)
    return Recorded(target.item_id, attempt_id, name, rating, due)
