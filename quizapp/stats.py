"""Provides the statistics of a user's history: answers per day, the due forecast, retention by topic, the streak,
the weakest items and the most frequent misconceptions, and `quizapp stats` / the columns of `quizapp topics`.

Core code (no UI): the TUI's stats screen can draw the same :class:`Stats`. Time is a parameter
(``now``), and so is the clock's zone (``tz``; None is the system's local time): a *day* runs from
``day_start`` o'clock to the same hour the next day, as in Anki (default 04:00, so a session after
midnight counts for the evening before). Definitions:

- answers per day: every attempt recorded, by the day it was given, for the last 8 weeks (56 days);
- due forecast: the bank's scheduled items by the day they fall due, for the next 30 days (what is
  overdue counts for today);
- retention of a topic: the share of its *reviews* in the last 30 days that were recalled, a review
  being an answer to an item answered before, recalled meaning graded Hard, Good or Easy (for a
  computation: not wrong). This is Anki's "true retention";
- streak: days in a row with at least one answer, up to today (or up to yesterday, while nothing has
  been answered yet today);
- weakest items: the ten items with the lowest FSRS predicted recall now (then the lowest stability);
- misconceptions: the typical mistakes (solvers.Misconception) the user's answers matched, most
  frequent first, with the solver's explanation and the templates on which they were made;
- readiness of a topic, when an interview date is set: the mean recall FSRS predicts at the start of that
  study day over the topic's cards and templates (suspended ones left out), an item never answered
  counting 0 (nothing learnt yet is not known on the day).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from quizapp.schedule import Parameters, retrievability, utc
from quizapp.settings import DAY_START

if TYPE_CHECKING:
    from quizapp.content.model import Bank
    from quizapp.store import Store

__all__ = [
    "DAY_START",
    "Mistake",
    "Readiness",
    "Stats",
    "TopicRetention",
    "WeakItem",
    "compute",
    "day_begins",
    "due_by_topic",
    "readiness",
    "render_text",
    "run",
    "run_topics",
    "study_day",
    "topic_progress",
]

HISTORY_DAYS = 56
FORECAST_DAYS = 30
RETENTION_DAYS = 30
WEAKEST = 10
MISCONCEPTIONS = 10
_SPARK = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class TopicRetention:
    """Reviews in one topic over the last 30 days and the share recalled (None when there were none)."""

    deck: str
    topic: str
    reviews: int
    recalled: int

    @property
    def retention(self) -> float | None:
        return self.recalled / self.reviews if self.reviews else None


@dataclass(frozen=True)
class WeakItem:
    """A scheduled item with its predicted recall now."""

    item_id: str
    kind: str
    deck: str
    topic: str
    label: str
    recall: float
    answers: int
    forgotten: int


@dataclass(frozen=True)
class Mistake:
    """A misconception the user's answers matched: how often, what it is, and on which templates."""

    name: str
    count: int
    explanation: str
    templates: tuple[tuple[str, int], ...]
    """(template id, times) most frequent first."""


@dataclass(frozen=True)
class Readiness:
    """One topic's predicted recall on the interview day: the sum over its items (never answered: 0)."""

    deck: str
    topic: str
    items: int
    answered: int
    recall_sum: float

    @property
    def readiness(self) -> float:
        """Mean predicted recall on the day over the topic's items: recall_sum / items."""
        return self.recall_sum / self.items if self.items else 0.0


def readiness(
    store: Store, bank: Bank, *, exam_at: datetime, parameters: Parameters = None, suspended: frozenset[str] = frozenset()
) -> tuple[Readiness, ...]:
    """Per (deck, topic) of ``bank``, in bank order: the mean predicted recall at ``exam_at`` of its cards and templates
    not in ``suspended`` (R = FSRS retrievability of each item's schedule; an item never answered counts 0)."""
    states = {s.item_id: s.state for s in store.schedules()}
    sums: dict[tuple[str, str], list[float]] = {}
    for item_id, (_, deck, topic, _) in _bank_items(bank).items():
        if item_id in suspended:
            continue
        entry = sums.setdefault((deck, topic), [0, 0, 0.0])
        entry[0] += 1
        if item_id in states:
            entry[1] += 1
            entry[2] += retrievability(states[item_id], exam_at, parameters=parameters)
    return tuple(Readiness(deck, topic, int(n), int(answered), total) for (deck, topic), (n, answered, total) in sums.items())


@dataclass(frozen=True)
class Stats:
    """Everything `quizapp stats` shows; ``to_dict`` is its --json output."""

    now: datetime
    day_start: int
    answers: int
    per_day: tuple[tuple[date, int], ...]
    due_now: int
    forecast: tuple[tuple[date, int], ...]
    retention: tuple[TopicRetention, ...]
    streak: int
    weakest: tuple[WeakItem, ...]
    misconceptions: tuple[Mistake, ...]
    fitted: bool = False
    """Predicted recall comes from FSRS parameters fitted to the user (`quizapp stats --optimize`), not the defaults."""
    exam: date | None = None
    """The interview day, when one is set (settings.json exam_date, or --exam)."""
    readiness: tuple[Readiness, ...] = ()
    """Per topic, the predicted recall on the interview day (empty without one)."""

    def to_dict(self) -> dict[str, Any]:
        exam = {}
        if self.exam is not None:
            exam = {
                "exam": self.exam.isoformat(),
                "readiness": [
                    {"deck": r.deck, "topic": r.topic, "items": r.items, "answered": r.answered, "readiness": _round(r.readiness)}
                    for r in self.readiness
                ],
            }
        return {
            "now": self.now.isoformat(),
            "day_start": self.day_start,
            "answers": self.answers,
            "answers_per_day": [{"day": day.isoformat(), "answers": n} for day, n in self.per_day],
            "due_now": self.due_now,
            "due_forecast": [{"day": day.isoformat(), "due": n} for day, n in self.forecast],
            "retention": [{**asdict(r), "retention": _round(r.retention)} for r in self.retention],
            "streak": self.streak,
            "fsrs_parameters": "fitted" if self.fitted else "default",
            "weakest": [{**asdict(w), "recall": _round(w.recall)} for w in self.weakest],
            "misconceptions": [
                {"name": m.name, "count": m.count, "explanation": m.explanation, "templates": [{"id": t, "count": n} for t, n in m.templates]}
                for m in self.misconceptions
            ],
            **exam,
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def study_day(moment: datetime | float, tz: tzinfo | None = None, day_start: int = DAY_START) -> date:
    """The day of study ``moment`` belongs to: its local date (in ``tz``, None: the system's zone) ``day_start`` hours earlier."""
    if not isinstance(moment, datetime):
        moment = datetime.fromtimestamp(moment, tz) if tz is not None else datetime.fromtimestamp(moment)
    elif tz is not None:
        moment = utc(moment).astimezone(tz)
    else:
        moment = utc(moment).astimezone()
    return (moment - timedelta(hours=day_start)).date()


def day_begins(day: date, tz: tzinfo | None = None, day_start: int = DAY_START) -> datetime:
    """When study day ``day`` begins: ``day_start`` o'clock local time (in ``tz``; None: the system's zone), in UTC."""
    begins = datetime.combine(day, time(day_start), tzinfo=tz)
    return utc(begins if tz is not None else begins.astimezone())


def _bank_items(bank: Bank) -> dict[str, tuple[str, str, str, str]]:
    """item id -> (kind, deck, topic, a short label) for every card and drill template of ``bank``."""
    items = {c.id: (str(c.kind), c.deck, c.topic, c.question) for c in bank.cards()}
    items.update({t.id: ("drill", t.deck, t.topic, t.id) for t in bank.templates()})
    return items


def _label(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compute(
    store: Store,
    bank: Bank,
    *,
    now: datetime,
    tz: tzinfo | None = None,
    day_start: int = DAY_START,
    parameters: Parameters = None,
    exam: date | None = None,
) -> Stats:
    """The statistics of ``store``'s history at ``now`` for the items of ``bank`` (see the module docstring).

    ``parameters`` are the FSRS weights predicted recall is computed with (None: the defaults); ``exam`` the
    interview day, whose readiness per topic is predicted for the start of that study day.
    """
    now = utc(now)
    today = study_day(now, tz, day_start)
    first = today - timedelta(days=HISTORY_DAYS - 1)

    def answers_on(day: date) -> int:
        return store.count_between(day_begins(day, tz, day_start), day_begins(day + timedelta(days=1), tz, day_start))

    per_day = tuple((day, answers_on(day)) for day in (first + timedelta(days=k) for k in range(HISTORY_DAYS)))
    counted = dict(per_day)
    # Days in a row with answers, back from today (or yesterday, while today has none): one index probe a day.
    streak, day = 0, today if counted[today] else today - timedelta(days=1)
    while (counted[day] if day in counted else answers_on(day)) > 0:
        streak, day = streak + 1, day - timedelta(days=1)

    items = _bank_items(bank)
    schedules = [s for s in store.schedules() if s.item_id in items]
    forecast = [0] * FORECAST_DAYS
    due_now = 0
    for s in schedules:
        is_due, offset = _when_due(s.state.due, now, today, tz, day_start)
        if offset < FORECAST_DAYS:
            forecast[offset] += 1
        due_now += is_due

    reviews = store.review_counts(since=now - timedelta(days=RETENTION_DAYS))
    retention = tuple(TopicRetention(deck, topic, n, recalled) for (deck, topic), (n, recalled) in sorted(reviews.items()))
    # FSRS counts elapsed time in whole days, so items reviewed today tie at 100%: the one of lower
    # stability (forgotten sooner) is the weaker.
    recall = sorted((retrievability(s.state, now, parameters=parameters), s.state.stability or 0.0, s.item_id) for s in schedules)[:WEAKEST]
    counts = store.item_counts(item_id for *_, item_id in recall)
    weakest = tuple(
        WeakItem(item_id, *items[item_id][:3], _label(items[item_id][3]), r, *counts.get(item_id, (0, 0))) for r, _, item_id in recall
    )
    return Stats(
        now=now,
        day_start=day_start,
        answers=store.count_attempts(),
        per_day=per_day,
        due_now=due_now,
        forecast=tuple((today + timedelta(days=k), n) for k, n in enumerate(forecast)),
        retention=retention,
        streak=streak,
        weakest=weakest,
        misconceptions=_mistakes(store.misconception_hits(), bank),
        fitted=parameters is not None,
        exam=exam,
        readiness=()
        if exam is None
        else readiness(store, bank, exam_at=day_begins(exam, tz, day_start), parameters=parameters, suspended=store.suspended()),
    )


def _when_due(due: datetime, now: datetime, today: date, tz: tzinfo | None, day_start: int) -> tuple[bool, int]:
    """(is it due at ``now``, in how many study days from ``today`` it falls due: 0 for today and for overdue)."""
    return utc(due) <= now, max(0, (study_day(due, tz, day_start) - today).days)


def due_by_topic(
    store: Store, bank: Bank, *, now: datetime, tz: tzinfo | None = None, day_start: int = DAY_START
) -> dict[tuple[str, str], tuple[int, int]]:
    """(deck id, topic) -> (the bank's items there due at ``now``, those falling due during tomorrow's study day),
    as the forecast of :func:`compute` counts them; topics with neither are absent."""
    now = utc(now)
    today = study_day(now, tz, day_start)
    items = _bank_items(bank)
    result: dict[tuple[str, str], tuple[int, int]] = {}
    for item_id, due in store.due_dates(items).items():
        is_due, offset = _when_due(due, now, today, tz, day_start)
        if is_due or offset == 1:
            _, deck, topic, _ = items[item_id]
            n, tomorrow = result.get((deck, topic), (0, 0))
            result[(deck, topic)] = (n + is_due, tomorrow + (offset == 1))
    return result


def _mistakes(rows: Sequence[tuple[str, str, int, int | None, str | None]], bank: Bank) -> tuple[Mistake, ...]:
    """The most frequent misconceptions, each explained by the solver as it was shown: the drill asked again
    from the seed and level of the latest answer that made it."""
    per_name: dict[str, list[tuple[int, str, int | None, str | None]]] = {}
    for name, item_id, n, seed, level in rows:
        per_name.setdefault(name, []).append((n, item_id, seed, level))
    ranked = sorted(per_name.items(), key=lambda entry: (-sum(n for n, *_ in entry[1]), entry[0]))[:MISCONCEPTIONS]
    templates = {t.id: t for t in bank.templates()}
    mistakes = []
    for name, hits in ranked:
        hits.sort(key=lambda hit: (-hit[0], hit[1]))
        explanation = next((text for _, item_id, seed, level in hits if (text := _explain(templates.get(item_id), name, seed, level))), "")
        mistakes.append(Mistake(name, sum(n for n, *_ in hits), explanation, tuple((item_id, n) for n, item_id, *_ in hits)))
    return tuple(mistakes)


def _explain(template: Any, name: str, seed: int | None, level: str | None) -> str:
    """The explanation of misconception ``name`` as the drill ``template`` at ``seed`` and ``level`` gives it ('' if none)."""
    if template is None:
        return ""
    from quizapp.generate import GenerationError, generate

    try:
        instance = generate(template, 0 if seed is None else seed, level or "medium")
    except (GenerationError, ValueError):  # GenerationError is a ValueError; so is a level edited into the database
        return ""
    return next((m.explanation for m in instance.misconceptions if m.name == name), "")


# --- text --------------------------------------------------------------------------------------------


def _spark(counts: Sequence[int]) -> str:
    """One block character per count, its height in eighths of the largest (a space for zero)."""
    top = max(counts, default=0)
    return "".join(_SPARK[0 if n == 0 else max(1, round(8 * n / top))] for n in counts)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def render_text(stats: Stats) -> str:
    """The statistics as terminal text (deck text is made printable by the caller)."""
    lines = [
        f"{_plural(stats.answers, 'answer')} in all · streak {_plural(stats.streak, 'day')}"
        f" · days start at {stats.day_start:02d}:00",
        "",
        "Answers per day, last 8 weeks (a row a week, oldest first):",
    ]
    for week in range(0, len(stats.per_day), 7):
        days = stats.per_day[week : week + 7]
        counts = [n for _, n in days]
        lines.append(f"  {days[0][0].isoformat()}  {_spark(counts) if any(counts) else '·' * len(days)}  {sum(counts):>5,}")
    forecast = [n for _, n in stats.forecast]
    lines += [
        "",
        f"Due: {stats.due_now:,} now · {forecast[0]:,} today · {forecast[1]:,} tomorrow · {sum(forecast[:7]):,} this week"
        f" · {sum(forecast):,} in 30 days",
        f"  next 30 days: {_spark(forecast)}",
        "",
        "Retention (reviews recalled, last 30 days):",
    ]
    width = max((len(r.topic) for r in stats.retention), default=0)
    lines += [f"  {r.topic:<{width}}  {_percent(r.retention):>4}  of {r.reviews:,} ({r.deck})" for r in stats.retention] or ["  no reviews yet"]
    fsrs = "FSRS fitted to you" if stats.fitted else "FSRS defaults; `quizapp stats --optimize` fits them to you"
    lines += ["", f"Weakest items (predicted recall now, {fsrs}):"]
    lines += [
        f"  {_percent(w.recall):>4}  {w.label}  [{w.kind}, {w.topic}; {_plural(w.answers, 'answer')}, {w.forgotten} forgotten]" for w in stats.weakest
    ] or ["  nothing scheduled yet"]
    lines += ["", "Your most frequent mistakes:"]
    for m in stats.misconceptions:
        where = ", ".join(f"{t} ×{n}" for t, n in m.templates)
        lines.append(f"  {m.count:>4}×  {m.name.replace('_', ' ')}: {m.explanation or '(no explanation: its drill is gone or changed)'}")
        lines.append(f"         in {where}")
    if not stats.misconceptions:
        lines.append("  none named yet")
    if stats.exam is not None:
        days = (stats.exam - study_day(stats.now, None, stats.day_start)).days
        lines += ["", f"Readiness on {stats.exam.isoformat()} ({_plural(days, 'day')} away; predicted recall on the day, never answered = 0):"]
        width = max((len(r.topic) for r in stats.readiness), default=0)
        lines += [
            f"  {r.topic:<{width}}  {_percent(r.readiness):>4}  {r.answered:,} of {_plural(r.items, 'item')} answered ({r.deck})"
            for r in stats.readiness
        ] or ["  no topics"]
    return "\n".join(lines) + "\n"


# --- commands ----------------------------------------------------------------------------------------


def _open(data_dir: str | Path | None) -> Store | None:
    """The progress store when there is one (a command that only reads never creates it); StoreError if unusable."""
    from quizapp.paths import database_path
    from quizapp.store import Store

    path = database_path(data_dir)
    return Store(path) if path.exists() else None


def _settings(data_dir: str | Path | None):
    """settings.json's study settings (its day_start_hour: the same day as the per-day limits; its exam_date)."""
    from quizapp.settings import load_study_settings

    return load_study_settings(data_dir)


def run(
    bank: Bank,
    *,
    data_dir: str | Path | None = None,
    as_json: bool = False,
    optimize: bool = False,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    stdout: TextIO | None = None,
    exam: date | None = None,
) -> int:
    """`quizapp stats [--json] [--optimize] [--exam DATE]`: exit status 0, or 1 after a message on stderr.

    ``optimize`` first fits FSRS to the history (quizapp.optimize) and says whether the fit is kept; ``exam`` (default:
    settings.json's exam_date) adds the readiness per topic on that day.
    """
    import sys

    from quizapp.store import StoreError
    from quizapp.textsafe import error, printable

    out = stdout if stdout is not None else sys.stdout
    now = now if now is not None else datetime.now(UTC)
    try:
        store = _open(data_dir)
    except (StoreError, OSError) as err:
        error(f"quizapp: {err}")
        return 1
    if store is None:
        from quizapp.store import Store

        store = Store(":memory:")  # no history yet: the same figures, all zero
    try:
        from quizapp.optimize import load_parameters, run_optimize

        settings = _settings(data_dir)
        day_start = settings.day_start_hour
        exam = exam or settings.exam
        if optimize:
            status = run_optimize(store, data_dir=data_dir, stdout=sys.stderr if as_json else out, tz=tz, day_start=day_start)
            if status:
                return status
        stats = compute(store, bank, now=now, tz=tz, day_start=day_start, parameters=load_parameters(data_dir), exam=exam)
    except StoreError as err:
        error(f"quizapp: {err}")
        return 1
    finally:
        store.close()
    if as_json:
        out.write(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(printable(render_text(stats)))
    return 0


def topic_progress(store: Store, bank: Bank, *, now: datetime) -> dict[tuple[str, str], tuple[int, float | None]]:
    """(deck id, topic) -> (the bank's items there due at ``now``, retention over the last 30 days)."""
    now = utc(now)
    items = _bank_items(bank)
    result: dict[tuple[str, str], tuple[int, float | None]] = {}
    for item_id, due in store.due_dates(items).items():
        _, deck, topic, _ = items[item_id]
        n, r = result.get((deck, topic), (0, None))
        result[(deck, topic)] = (n + (due <= now), r)
    for (deck, topic), (reviews, recalled) in store.review_counts(since=now - timedelta(days=RETENTION_DAYS)).items():
        n, _ = result.get((deck, topic), (0, None))
        result[(deck, topic)] = (n, recalled / reviews if reviews else None)
    return result


def run_topics(bank: Bank, *, data_dir: str | Path | None = None, now: datetime | None = None, stdout: TextIO | None = None) -> int:
    """`quizapp topics`: the bank's topics with their counts, and with what is due and the retention when there is progress."""
    from quizapp.plain import print_topics
    from quizapp.store import StoreError
    from quizapp.textsafe import error

    progress: Mapping[tuple[str, str], tuple[int, float | None]] | None = None
    try:
        store = _open(data_dir)
        progress = {}  # no progress yet: nothing due, no retention
        if store is not None:
            with store:
                progress = topic_progress(store, bank, now=now if now is not None else datetime.now(UTC))
    except (StoreError, OSError) as err:
        progress = None
        error(f"quizapp: {err} (listing the topics without progress)")
    return print_topics(bank, stdout, progress=progress)
