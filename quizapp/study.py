"""Provides the study core: one study session as a state machine, shared by plain mode and the TUI (no UI here).

A :class:`StudySession` decides what to ask next, records each answer through the store (quizapp.progress),
brings an item answered Again (a computation answered wrong) back after its FSRS learning step in the same
session, with fresh numbers for a computation, keeps siblings apart, gives a second try to a typed answer
that is wrong but readable, takes back the last answer (:meth:`StudySession.undo`) and says when the
session is over. The views only show what it asks and report what the user did.

A *suspended* item (a card id or a drill template id, quizapp.store marks) is never asked, in any mode: plans
leave it out and a session skips it; a *flagged* one is asked as usual and marked (:attr:`Ask.flagged`).
Suspending or flagging is not a grade: nothing is recorded, and undo (which takes back answers) leaves marks as
they are; :meth:`StudySession.suspend` takes the current question away without an answer.

Before an interview date (settings ``exam_date``, ``--exam``) the review aims at high recall on that day (see
:func:`review_plan` for the rule). Per-day limits (:func:`day_counts`, :func:`review_plan`) are counted from the store's history across
sessions and modes: a *day* begins at ``day_start_hour`` local time (quizapp.settings, as quizapp.stats).
A card is *new* on the day of its first answer; a *review* is an item answered on a day after its first.
Time (``clock``) and randomness (``seed``) are parameters.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from quizapp.content.drill import DrillTemplate
from quizapp.content.model import Bank, Card, CardKind
from quizapp.generate import DrillInstance, GenerationError, generate
from quizapp.giveaway import giveaway_keys
from quizapp.session import family, spread_siblings
from quizapp.settings import StudySettings

# The answer checker, the statistics, the store and the scheduler (fsrs) are imported where they are used: the
# TUI's first question is asked by a session before the first frame, and needs none of them (the checker alone
# takes ~50 ms).
if TYPE_CHECKING:
    from quizapp.answers import CheckResult
    from quizapp.progress import Recorded
    from quizapp.schedule import Rating
    from quizapp.session import DrillSession
    from quizapp.store import Schedule, Store

__all__ = [
    "EXAM_RETENTION",
    "LEARN_AHEAD",
    "WEAK_COUNT",
    "Ask",
    "DayCounts",
    "Outcome",
    "Retry",
    "ReviewPlan",
    "StudySession",
    "WeakPlan",
    "asked_again",
    "at_risk",
    "day_counts",
    "exam_budget",
    "family",
    "flip_flag",
    "fresh_instance",
    "review_plan",
    "spread_siblings",
    "weak_plan",
]

LEARN_AHEAD = timedelta(minutes=20)
"""When nothing else is left, a learning step due within this long is asked early (Anki's learn-ahead limit)."""

_FRESH_TRIES = 20
"""Seeds tried for a computation asked again before accepting numbers already shown (a template with few choices)."""

Item = Card | DrillInstance | DrillTemplate
"""What a session's queue holds: a card, a drill instance, or a template asked with numbers drawn when it comes up."""


def flip_flag(store: Store, item_id: str, now: datetime) -> bool:
    """Flag ``item_id``, or unflag it when it is flagged (its suspension left as it is); returns whether it is flagged now."""
    from quizapp.store import Mark

    flagged = not store.marks([item_id]).get(item_id, Mark(item_id)).flagged
    store.set_mark(item_id, flagged=flagged, now=now)
    return flagged


def fresh_instance(template: DrillTemplate, level: str, shown: Iterable[str], rng: random.Random) -> DrillInstance | None:
    """A question from ``template`` at ``level`` with numbers drawn from ``rng``, never one of the questions ``shown``
    (as worded, with their numbers) while another can be found (a template with few choices may have to repeat
    one); None when it can make none."""
    shown = frozenset(shown)
    made = None
    for _ in range(_FRESH_TRIES):
        try:
            made = generate(template, rng.getrandbits(31), level)
        except GenerationError:
            return None
        if made.question not in shown:
            return made
    return made


def asked_again(items: Sequence[Card | DrillInstance], templates: Iterable[DrillTemplate], *, seed: int) -> list[Card | DrillInstance]:
    """``items`` to ask once more ("retry mistakes"): the cards as they were, each computation from its template with
    new numbers at the same level (a computation whose template is not in ``templates``, or makes none, as it was)."""
    by_id = {t.id: t for t in templates}
    rng = random.Random(seed)
    again: list[Card | DrillInstance] = []
    for item in items:
        if isinstance(item, DrillInstance) and item.template_id in by_id:
            item = fresh_instance(by_id[item.template_id], item.level, {item.question}, rng) or item
        again.append(item)
    return again


@dataclass(frozen=True)
class Ask:
    """One question the session asks now."""

    item: Card | DrillInstance
    number: int
    """1 for the session's first question; an item coming back gets a new number."""
    again: bool = False
    """The item comes back after a learning step (answered Again earlier in this session)."""
    asked_at: datetime | None = None
    flagged: bool = False
    """The user flagged this item (its card, or its computation's template) for a closer look."""

    @property
    def item_id(self) -> str:
        """The id the item is scheduled and marked by: a card's own, a computation's template's."""
        item = self.item
        return item.id if isinstance(item, Card) else item.template_id  # as progress.schedule_target, without fsrs

    @property
    def kind(self) -> str:
        """"drill", "mcq" or "flashcard"."""
        if isinstance(self.item, DrillInstance):
            return "drill"
        return "mcq" if self.item.kind == CardKind.MCQ and self.item.options else "flashcard"

    @property
    def hint(self) -> str:
        """A computation's hint (its first worked step when it has none); empty for a card."""
        if not isinstance(self.item, DrillInstance):
            return ""
        return self.item.hint or (self.item.steps[0] if self.item.steps else "")


@dataclass(frozen=True)
class Retry:
    """A typed answer was wrong but readable: one more try before the answer is shown (nothing recorded yet)."""

    result: CheckResult


@dataclass(frozen=True)
class Outcome:
    """What one answer did: the verdict and rating recorded, and when the item comes back in this session."""

    ask: Ask
    verdict: str
    rating: Rating
    score: float
    recorded: Recorded | None
    """None when the store could not save it (``error`` says why; the session goes on)."""
    result: CheckResult | None = None
    """The checked typed answer (the second try's when there was one); None for a card or "I don't know"."""
    first: CheckResult | None = None
    """The first try, when a second one was given: it decided the rating."""
    hint_used: bool = False
    comes_back: datetime | None = None
    """When the item is asked again in this session (its learning step), or None."""
    error: str | None = None
    at: datetime | None = None
    """When the answer was recorded."""


@dataclass(frozen=True)
class DayCounts:
    """Today's study so far: new items introduced and items reviewed (each item once), from the history."""

    new: int
    reviews: int
    day_begins: datetime
    day_ends: datetime
    answered: frozenset[str] = frozenset()
    """The ids of the items answered today."""


def day_counts(store: Store, now: datetime, settings: StudySettings, tz: tzinfo | None = None) -> DayCounts:
    """What today (the study day holding ``now``, in ``tz``; None: the system's zone) has introduced and reviewed."""
    from quizapp.stats import day_begins, study_day

    today = study_day(now, tz, settings.day_start_hour)
    begins = day_begins(today, tz, settings.day_start_hour)
    ends = day_begins(today + timedelta(days=1), tz, settings.day_start_hour)
    first = store.first_answers(begins, ends)
    new = sum(1 for when in first.values() if when >= begins)
    return DayCounts(new, len(first) - new, begins, ends, frozenset(first))


@dataclass(frozen=True)
class ReviewPlan:
    """What a review session asks, in order, and what the day's limits and burying left out."""

    items: tuple[Card | DrillTemplate, ...]
    due: int
    """How many of ``items`` are due reviews (the rest are new cards)."""
    new: int
    over_cap: int = 0
    """Due items left for later by the review cap."""
    new_left_out: int = 0
    """Unseen cards left for later days by the new-per-day limit."""
    buried: tuple[str, ...] = ()
    """Ids of cards left for the next day because a sibling is asked today."""
    today: DayCounts | None = None
    exam: int = 0
    """How many of ``items`` (after the due ones, before the new) are reviewed early for the interview date."""
    at_risk: int = 0
    """Items whose next review falls after the interview and whose recall on the day is predicted below the target
    (the ``exam`` ones among them; the rest wait for the next days' budget)."""


def review_plan(
    bank: Bank,
    store: Store,
    *,
    topics: Sequence[str] | None = None,
    now: datetime,
    settings: StudySettings | None = None,
    tz: tzinfo | None = None,
) -> ReviewPlan:
    """Today's review: due cards (most overdue first), due computations, then new cards, within the day's limits.

    ``review_cap`` minus the items already reviewed today bounds the due ones; ``new_per_day`` minus the cards
    introduced today bounds the new ones. Suspended items are left out. Cards whose answer gives another away
    (quizapp.giveaway) are buried as siblings are: of such a pair, one is asked a day.

    With an interview date (``settings.exam``, a day still ahead) the review aims at recall on that day: an item
    answered before whose next review falls after the start of that study day, and whose recall predicted for
    then (FSRS retrievability) is below the target EXAM_RETENTION (0.95, or the desired retention when higher) is
    *at risk*: its interval would end after the interview with recall lower than one wants on the day (an
    interval ends where recall falls to the desired retention, so the day's target must be above it). The at-risk items are reviewed early, the lowest predicted recall
    first, as many a day as the daily time budget leaves: ``daily_minutes`` · 60 / the mean seconds per answer
    (of the last 200 timed answers; 20 s without any), less what was answered today and what the review asks
    anyway. Each early review lengthens the item's interval; one still at risk comes again on a later day, so
    the last review of each falls before the interview. Of a family (see :func:`family`) only one card is asked a day: a card
    whose sibling was answered today, or comes earlier in the plan, is buried until the next day.
    """
    settings = settings or StudySettings()
    today = day_counts(store, now, settings, tz)
    suspended = store.suspended()
    cards = {card.id: card for card in bank.cards(topics or None) if card.id not in suspended}
    templates = {t.id: t for t in bank.templates(topics or None) if t.id not in suspended}
    due: list[Card | DrillTemplate] = [cards[i] for i in store.due(cards, now)] + [templates[i] for i in store.due(templates, now)]
    unseen = [cards[i] for i in store.unseen(cards)]

    giveaways = giveaway_keys(list(cards.values()))

    def keys(item: Card | DrillTemplate) -> frozenset[tuple[str, ...]]:
        """The families ``item`` is in: its siblings' (quizapp.session.family) and each give-away pair (quizapp.giveaway)."""
        if not isinstance(item, Card):
            return frozenset()
        own = family(item)
        return giveaways.get(item.id, frozenset()) | ({own} if own is not None else set())

    taken: set[tuple[str, ...]] = {k for i in today.answered if i in cards for k in keys(cards[i])}
    buried: list[str] = []

    def unburied(items: Iterable[Card | DrillTemplate], limit: int) -> tuple[list[Card | DrillTemplate], int]:
        kept: list[Card | DrillTemplate] = []
        left = 0
        for item in items:
            mine = keys(item)
            if mine & taken:
                buried.append(item.id)
                continue
            if len(kept) >= limit:
                left += 1
                continue
            taken.update(mine)
            kept.append(item)
        return kept, left

    due_kept, over_cap = unburied(due, max(0, settings.review_cap - today.reviews))
    new_kept, new_left = unburied(unseen, max(0, settings.new_per_day - today.new))
    risky = at_risk(store, {**cards, **templates}, now=now, settings=settings, tz=tz)
    budget = exam_budget(store, settings) - len(today.answered) - len(due_kept) - len(new_kept)
    exam_kept, _ = unburied(risky, max(0, budget))
    return ReviewPlan(
        tuple(due_kept + exam_kept + new_kept), len(due_kept), len(new_kept), over_cap, new_left, tuple(buried), today, len(exam_kept), len(risky)
    )


EXAM_RETENTION = 0.95
"""The recall an interview date aims at for the day itself (above the everyday desired retention of 0.9)."""

SECONDS_PER_ANSWER = 20.0
"""The time an answer is taken to need, for the daily budget, until the history says otherwise."""


def exam_budget(store: Store, settings: StudySettings) -> int:
    """Answers the daily time budget holds: daily_minutes · 60 / mean seconds per answer (SECONDS_PER_ANSWER without any)."""
    seconds = store.mean_answer_seconds() or SECONDS_PER_ANSWER
    return int(settings.daily_minutes * 60 // max(1.0, seconds))


def at_risk(
    store: Store, items: dict[str, Card | DrillTemplate], *, now: datetime, settings: StudySettings, tz: tzinfo | None = None
) -> list[Card | DrillTemplate]:
    """The ``items`` whose next review falls after the interview (the start of ``settings.exam``'s study day, still
    ahead of ``now``) and whose recall predicted for then is below the target: lowest predicted recall first.
    Empty without an interview date. See :func:`review_plan`."""
    from quizapp.schedule import retrievability
    from quizapp.stats import day_begins

    if settings.exam is None:
        return []
    exam_at = day_begins(settings.exam, tz, settings.day_start_hour)
    if exam_at <= now:
        return []
    target = max(EXAM_RETENTION, store.desired_retention or 0.0)
    recall = {
        s.item_id: retrievability(s.state, exam_at, parameters=store.fsrs_parameters)
        for s in store.schedules()
        if s.item_id in items and s.state.due > exam_at
    }
    return [items[i] for i in sorted(recall, key=lambda i: (recall[i], i)) if recall[i] < target]


WEAK_COUNT = 20
"""Items a weak-spots session asks by default."""


@dataclass(frozen=True)
class WeakPlan:
    """A weak-spots session: what it asks, in order, and why each item is there."""

    items: tuple[Card | DrillTemplate, ...]
    recall: dict[str, float]
    """Item id -> the recall FSRS predicts for it now, for each item in ``items`` that has a schedule."""
    mistakes: dict[str, int]
    """Template id -> how often the user's answers to it matched a named misconception, for each one in ``items``."""


def weak_plan(
    bank: Bank,
    store: Store,
    *,
    topics: Sequence[str] | None = None,
    now: datetime,
    count: int = WEAK_COUNT,
    parameters: Sequence[float] | None = None,
) -> WeakPlan:
    """The user's weak spots among the cards and templates of ``topics`` already answered (not suspended), at most
    ``count`` of them, taken in turn from two rankings (an item in both is asked once):

    - lowest predicted recall now, R = FSRS retrievability of the item's schedule (ties: lower stability, as
      quizapp.stats ranks the weakest items);
    - most misconception hits: the templates whose answers most often matched a named typical mistake
      (quizapp.stats' most frequent mistakes, counted per template; ties: lower recall).

    Items never answered have no recall to predict and are left to the review. Nothing here changes a schedule;
    answers given in the session are recorded like any other (FSRS hears them as early reviews).
    """
    from quizapp.schedule import retrievability

    suspended = store.suspended()
    by_id: dict[str, Card | DrillTemplate] = {c.id: c for c in bank.cards(topics or None)}
    by_id.update({t.id: t for t in bank.templates(topics or None)})
    by_id = {i: item for i, item in by_id.items() if i not in suspended}
    weights = parameters if parameters is not None else store.fsrs_parameters
    schedules = [s for s in store.schedules() if s.item_id in by_id]
    recall = {s.item_id: retrievability(s.state, now, parameters=weights) for s in schedules}
    stability = {s.item_id: s.state.stability or 0.0 for s in schedules}
    hits: dict[str, int] = {}
    for _name, item_id, n, _seed, _level in store.misconception_hits():
        if item_id in by_id:
            hits[item_id] = hits.get(item_id, 0) + n
    by_recall = sorted(recall, key=lambda i: (recall[i], stability[i], i))
    by_mistakes = sorted(hits, key=lambda i: (-hits[i], recall.get(i, 1.0), i))
    chosen: list[str] = []
    for pair in zip_longest(by_recall, by_mistakes):
        for item_id in pair:
            if item_id is not None and item_id not in chosen and len(chosen) < count:
                chosen.append(item_id)
    return WeakPlan(
        tuple(by_id[i] for i in chosen),
        {i: recall[i] for i in chosen if i in recall},
        {i: hits[i] for i in chosen if i in hits},
    )


def _complete(answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` with its verdict, score and rating all given, derived as progress.record_answer derives them
    (a verdict -> its rating, Hard after the hint; a self-grade -> its verdict and score), so the session knows
    them even when the store could not save the answer."""
    from quizapp.schedule import Rating, rating_for_verdict, verdict_for_rating

    out = dict(answer)
    if out.get("rating") is None:
        out["rating"] = rating_for_verdict(out["verdict"], hint_used=out.get("hint_used", False))
    out["rating"] = Rating(int(out["rating"]))
    if out.get("verdict") is None:
        out["verdict"], graded = verdict_for_rating(out["rating"])
        out["score"] = graded if out.get("score") is None else out["score"]
    out["verdict"] = str(getattr(out["verdict"], "value", out["verdict"])).lower()
    if out.get("score") is None:
        out["score"] = {"correct": 1.0, "partial": 0.5, "wrong": 0.0}[out["verdict"]]
    out["score"] = float(out["score"])
    return out


@dataclass
class _Learning:
    """An item waiting for its learning step: when it comes back and the seeds already shown (a computation)."""

    due: datetime
    item: Card | DrillTemplate
    level: str


@dataclass
class _State:
    """Everything an answer changes in the session, so undo can put it back."""

    position: int = 0
    asked: int = 0
    learning: list[_Learning] = field(default_factory=list)
    last_family: tuple[str, ...] | None = None
    ratings: dict[int, int] = field(default_factory=lambda: {1: 0, 2: 0, 3: 0, 4: 0})
    points: float = 0.0
    answered: int = 0
    drill: dict[str, Any] | None = None
    shown: dict[str, frozenset[str]] = field(default_factory=dict)
    """Template id -> its questions asked in this session, as worded with their numbers (one coming back never
    repeats them: a new seed could still draw the same numbers)."""

    def copy(self) -> _State:
        drill = None if self.drill is None else dict(self.drill)
        return replace(self, learning=list(self.learning), ratings=dict(self.ratings), drill=drill, shown=dict(self.shown))


@dataclass(frozen=True)
class _Undo:
    ask: Ask
    recorded: Recorded
    previous: Schedule | None
    state: _State


class StudySession:
    """One study session over ``items`` (or endless drills from ``drills``), recording into ``store``.

    ``items`` are asked in order (a template with numbers drawn when it comes up), except that a sibling of the
    question just asked is put off by one and learning steps that fall due come first. ``drills`` (a
    session.DrillSession) makes endless drills instead, up to ``count`` answers; the difficulty climbs as it says.
    ``templates`` lets a computation given as a ready instance (a quiz's) come back from its template.
    ``clock`` gives the time (tests fix it), ``seed`` the numbers of computations drawn here.
    """

    def __init__(
        self,
        store: Store,
        items: Sequence[Item] = (),
        *,
        clock: Callable[[], datetime],
        seed: int,
        settings: StudySettings | None = None,
        drills: DrillSession | None = None,
        count: int | None = None,
        level: str = "medium",
        parameters: Sequence[float] | None = None,
        templates: Iterable[DrillTemplate] = (),
    ) -> None:
        self.store = store
        self.items = list(items)
        self.clock = clock
        self.settings = settings or StudySettings()
        self.drills = drills
        self.count = count
        self.level = level
        self.parameters = parameters
        # A computation answered wrong comes back from its template with new numbers: the templates it may come from.
        known = [*templates, *(i for i in self.items if isinstance(i, DrillTemplate)), *(drills.templates if drills else ())]
        self._templates = {t.id: t for t in known}
        self.broken: list[DrillTemplate] = []
        """Templates that could make no question (left out; `quizapp check` says why)."""
        self.failed = 0
        """Answers the store could not save."""
        self.put_away = 0
        """Questions of ``items`` suspended while asked (taken, never answered)."""
        self._rng = random.Random(seed)
        marks = store.marks()
        self.suspended = {item for item, mark in marks.items() if mark.suspended}
        """Ids never asked in this session: suspended before it began or during it (:meth:`suspend`)."""
        self.flagged = {item for item, mark in marks.items() if mark.flagged}
        if drills is not None:
            drills.templates = [t for t in drills.templates if t.id not in self.suspended]
        self._s = _State(drill=self._drill_snapshot())
        self._undo: list[_Undo] = []
        self.current: Ask | None = None
        self._first: tuple[CheckResult, str] | None = None
        self._hint_used = False

    # --- what to ask ----------------------------------------------------------------------------

    def next(self) -> Ask | None:
        """The question to ask now (the same one until it is answered), or None when the session is over."""
        if self.current is not None:
            return self.current
        now = self.clock()
        item, again = self._next_item(now)
        if item is None:
            return None
        self._s.asked += 1
        self._s.last_family = family(item) if isinstance(item, Card) else None
        if isinstance(item, DrillInstance):
            self._s.shown[item.template_id] = self._s.shown.get(item.template_id, frozenset()) | {item.question}
        self.current = Ask(item, self._s.asked, again, now)
        self.current = replace(self.current, flagged=self.current.item_id in self.flagged)
        self._first, self._hint_used = None, False
        return self.current

    def _is_suspended(self, item: Item) -> bool:
        return (item.id if isinstance(item, Card | DrillTemplate) else item.template_id) in self.suspended

    def _next_item(self, now: datetime) -> tuple[Card | DrillInstance | None, bool]:
        self._s.learning = [e for e in self._s.learning if not self._is_suspended(e.item)]
        learning = sorted(self._s.learning, key=lambda entry: entry.due)
        if learning and learning[0].due <= now:
            return self._from_learning(learning[0]), True
        made = self._from_queue()
        if made is not None:
            return made, False
        if learning and learning[0].due <= now + LEARN_AHEAD:
            return self._from_learning(learning[0]), True
        return None, False

    def _from_learning(self, entry: _Learning) -> Card | DrillInstance | None:
        self._s.learning.remove(entry)
        if isinstance(entry.item, Card):
            return entry.item
        return self._instance(entry.item, entry.level, self._s.shown.get(entry.item.id, frozenset()))

    def _from_queue(self) -> Card | DrillInstance | None:
        if self.drills is not None:
            return self._from_drills()
        while self._s.position < len(self.items):
            self._put_off_sibling()
            item = self.items[self._s.position]
            self._s.position += 1
            if self._is_suspended(item):
                continue
            if isinstance(item, DrillTemplate):
                made = self._instance(item, self.level, self._s.shown.get(item.id, frozenset()))
                if made is None:
                    continue
                return made
            return item
        return None

    def _put_off_sibling(self) -> None:
        """Swap the next card with the first later item that is not a sibling of the card just asked."""
        last = self._s.last_family
        if last is None or family(self.items[self._s.position]) != last:
            return
        for k in range(self._s.position + 1, len(self.items)):
            if family(self.items[k]) != last:
                self.items[self._s.position], self.items[k] = self.items[k], self.items[self._s.position]
                return

    def _from_drills(self) -> DrillInstance | None:
        if self.count is not None and self.drills.answered >= self.count:
            return None
        if not self.drills.templates:
            return None  # every template was suspended
        return self.drills.next()  # GenerationError when no template can make one: the view says so

    def _instance(self, template: DrillTemplate, level: str, shown: frozenset[str]) -> DrillInstance | None:
        """A question from ``template`` with numbers drawn now, never one in ``shown`` while another can be found."""
        made = fresh_instance(template, level, shown, self._rng)
        if made is None:
            self.broken.append(template)
        return made

    # --- answering ------------------------------------------------------------------------------

    def hint(self) -> str:
        """The current computation's hint (from now on a right answer counts half); empty when there is none."""
        ask = self._require()
        if ask.hint:
            self._hint_used = True
        return ask.hint

    def submit(self, text: str) -> Outcome | Retry:
        """Check a typed answer to the current computation. AnswerError (nothing recorded) when it cannot be read.

        A wrong answer gets one more try first (``second_try``); the first try decides the rating.
        """
        from quizapp.answers import Verdict, check
        from quizapp.progress import hinted_score

        ask = self._require()
        instance = ask.item
        if not isinstance(instance, DrillInstance):
            raise TypeError("submit() answers a computation; grade() or choose() a card")
        result = check(text, instance.answer, instance.tolerance, misconceptions=instance.misconceptions, form=instance.form)
        if result.verdict is Verdict.WRONG and self._first is None and self.settings.second_try:
            self._first = (result, text)
            return Retry(result)
        first, first_text = self._first or (result, text)
        score = hinted_score(first.score, self._hint_used)
        return self._record(
            ask,
            dict(verdict=first.verdict, score=score, hint_used=self._hint_used, answer_text=first_text, misconception=first.misconception),
            result=result,
            first=first if self._first is not None else None,
        )

    def dont_know(self) -> Outcome:
        """"I don't know" on a computation (or a card): recorded as Again, the worked solution is shown.

        After a wrong first try it is that try that is recorded (the first try decides)."""
        from quizapp.schedule import Rating

        ask = self._require()
        if self._first is not None:
            first, text = self._first
            return self._record(
                ask, dict(verdict=first.verdict, score=0.0, hint_used=self._hint_used, answer_text=text, misconception=first.misconception), first=first
            )
        return self._record(ask, dict(verdict="wrong", score=0.0, rating=Rating.Again, hint_used=self._hint_used, answer_text=""))

    def settle(self) -> Outcome | None:
        """Record a first try still waiting for its second (the user stopped in between): the first try decides,
        so it is kept as given. None when no try is waiting."""
        if self.current is None or self._first is None:
            return None
        return self.dont_know()

    def choose(self, index: int) -> Outcome:
        """The current multiple-choice card answered with option ``index`` (0-based)."""
        ask = self._require()
        card = ask.item
        if not isinstance(card, Card) or not card.options or not 0 <= index < len(card.options):
            raise ValueError(f"no option {index + 1} to choose")
        ok = index == card.correct
        return self._record(
            ask, dict(verdict="correct" if ok else "wrong", score=1.0 if ok else 0.0, answer_text=f"{index + 1}. {card.options[index]}")
        )

    def grade(self, rating: Rating | int) -> Outcome:
        """The current card (after its answer was shown) self-graded ``rating`` 1 Again … 4 Easy."""
        from quizapp.schedule import Rating

        ask = self._require()
        rating = Rating(int(rating))
        return self._record(ask, dict(rating=rating, answer_text=rating.name))

    def suspend(self, item_id: str | None = None) -> str:
        """Suspend ``item_id`` (default: the current question's item; a computation's is its template) so it is not
        asked again in any mode until unsuspended; when it is the question asked, that question goes unanswered.
        Returns the id suspended. Not a grade: nothing is recorded (a wrong first try waiting for its second is
        dropped too), and undo does not bring it back. StoreError (nothing changed) when the database cannot be written."""
        asking = self.current is not None and item_id in (None, self.current.item_id)
        item_id = item_id or self._require().item_id
        self.store.set_mark(item_id, suspended=True, now=self.clock())
        self.suspended.add(item_id)
        if self.drills is not None:
            self.drills.templates = [t for t in self.drills.templates if t.id != item_id]
        if asking:
            self.put_away += not self.current.again
            self.current = None
            self._first, self._hint_used = None, False
        return item_id

    def flag(self, item_id: str | None = None) -> bool:
        """Flag ``item_id`` (default: the current question's item), or unflag it when it was flagged; returns whether it
        is flagged now. Not a grade: nothing is recorded and the question stays asked. StoreError when the database
        cannot be written."""
        item_id = item_id or self._require().item_id
        flagged = flip_flag(self.store, item_id, self.clock())
        (self.flagged.add if flagged else self.flagged.discard)(item_id)
        if self.current is not None and self.current.item_id == item_id:
            self.current = replace(self.current, flagged=flagged)
        return flagged

    def intervals(self) -> dict[Rating, timedelta]:
        """How long until the current question is due again after each grade (the grade keys' labels; nothing saved)."""
        from quizapp.progress import schedule_target
        from quizapp.schedule import preview

        ask = self._require()
        now = self.clock()
        state = self.store.get_state(schedule_target(ask.item).item_id)
        parameters = self.parameters if self.parameters is not None else self.store.fsrs_parameters
        return {rating: due - now for rating, due in preview(state, now, parameters=parameters).items()}

    def _require(self) -> Ask:
        if self.current is None:
            raise RuntimeError("no question is being asked: call next() first")
        return self.current

    def _record(self, ask: Ask, answer: dict[str, Any], *, result: CheckResult | None = None, first: CheckResult | None = None) -> Outcome:
        """Record ``answer`` to ``ask`` (through progress.record_answer), keep what undo needs, bring the item back
        when its learning step says so. A failed save is counted and said in the outcome; the session goes on."""
        from quizapp.progress import record_answer, schedule_target
        from quizapp.store import StoreError

        answer = _complete(answer)
        now = self.clock()
        before = self._s.copy()
        target = schedule_target(ask.item)
        elapsed = (now - ask.asked_at).total_seconds() if ask.asked_at else 0.0
        recorded: Recorded | None = None
        error = None
        previous = None
        try:
            previous = self.store.schedule(target.item_id)
            recorded = record_answer(self.store, ask.item, elapsed_s=elapsed, now=now, parameters=self.parameters, **answer)
        except StoreError as err:
            self.failed += 1
            error = str(err)
        rating, verdict, score = answer["rating"], answer["verdict"], answer["score"]
        comes_back = self._learning_step(ask, rating, recorded, now)
        self._s.ratings[int(rating)] += 1
        self._s.points += score
        self._s.answered += 1
        if self.drills is not None and not ask.again:
            # Only an unaided right answer makes the numbers harder (the hint costs the streak).
            self.drills.record(score >= 1.0)
            self._s.drill = self._drill_snapshot()
        if recorded is not None:
            self._undo.append(_Undo(ask, recorded, previous, before))
        self.current = None
        return Outcome(ask, verdict, rating, score, recorded, result, first, bool(answer.get("hint_used")), comes_back, error, now)

    def _learning_step(self, ask: Ask, rating: Rating, recorded: Recorded | None, now: datetime) -> datetime | None:
        """Put the item back in this session when FSRS keeps it in (re)learning after Again, or after a step it was
        already coming back for; it returns when FSRS's step says (1 min, 10 min by default)."""
        from quizapp.schedule import Rating, State

        if rating != Rating.Again and not ask.again:
            return None
        if recorded is not None:
            state = self.store.get_state(recorded.item_id)
            if state is None or state.state not in (State.Learning, State.Relearning):
                return None
            due = recorded.due
        else:
            due = now + timedelta(minutes=1)
        item: Card | DrillTemplate
        if isinstance(ask.item, DrillInstance):
            if ask.item.template_id not in self._templates:
                return None  # asked from a ready instance whose template the session was not given
            item, level = self._templates[ask.item.template_id], ask.item.level
        else:
            item, level = ask.item, self.level
        self._s.learning = [e for e in self._s.learning if e.item is not item]
        self._s.learning.append(_Learning(due, item, level))
        return due


    # --- undo and the end -----------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    def undo(self) -> Ask | None:
        """Take back the last answer: its history row is deleted and the item's schedule restored exactly, the
        session put back as it was; the same question is asked again (unless it was suspended since: then the
        answer is taken back and :attr:`current` is None). None when there is nothing to undo.

        StoreError (nothing changed) when the database cannot be written."""
        if not self._undo:
            return None
        last = self._undo[-1]
        self.store.undo_attempt(last.recorded.attempt_id, last.recorded.item_id, last.previous)
        self._undo.pop()
        self._s = last.state
        if self.drills is not None and last.state.drill is not None:
            vars(self.drills).update(last.state.drill)
        self._first, self._hint_used = None, False
        if last.ask.item_id in self.suspended:
            self.current = None  # taken back, but suspended since: the session goes on to the next question
            return last.ask
        self.current = replace(last.ask, asked_at=self.clock(), flagged=last.ask.item_id in self.flagged)
        return self.current

    def _drill_snapshot(self) -> dict[str, Any] | None:
        if self.drills is None:
            return None
        return {k: getattr(self.drills, k) for k in ("streak", "answered", "correct", "_climb")}

    @property
    def answered(self) -> int:
        return self._s.answered

    @property
    def taken(self) -> int:
        """How far into ``items`` the session is (a question coming back does not move it)."""
        return self._s.position

    @property
    def points(self) -> float:
        return self._s.points

    @property
    def ratings(self) -> dict[int, int]:
        """Answers by the rating FSRS heard (1 Again … 4 Easy)."""
        return dict(self._s.ratings)

    @property
    def waiting(self) -> datetime | None:
        """When the next learning step falls due, while one is waiting (the session may end before it)."""
        return min((e.due for e in self._s.learning), default=None)
