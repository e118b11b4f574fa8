"""Provides spaced-repetition review: which cards and computations are due, and the line-based review for plain terminals."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from quizapp.content.model import Bank, Card
from quizapp.store import Store, StoreError
from quizapp.textsafe import error

if TYPE_CHECKING:
    from quizapp.content.drill import DrillTemplate
    from quizapp.plain import _Terminal
    from quizapp.study import Ask, Outcome, StudySession

__all__ = ["NEW_PER_SESSION", "due_items", "due_templates", "humanize_delta", "run_plain_review"]

NEW_PER_SESSION = 20
"""Cards never seen before that one review session introduces at most (the rest wait for later sessions)."""


def due_items(
    bank: Bank,
    store: Store,
    *,
    topics: Sequence[str] | None = None,
    now: datetime,
    new_limit: int = NEW_PER_SESSION,
) -> list[Card]:
    """The cards to review at ``now``: scheduled cards that are due (most overdue first), then up to
    ``new_limit`` cards never reviewed (in bank order)."""
    cards = bank.cards(topics or None)
    by_id = {card.id: card for card in cards}
    due = [by_id[i] for i in store.due(by_id, now)]
    new = [by_id[i] for i in store.unseen(by_id)][: max(0, new_limit)]
    return due + new


def due_templates(
    bank: Bank, store: Store, *, topics: Sequence[str] | None = None, now: datetime
) -> list[DrillTemplate]:
    """Drill templates answered before whose schedule is due at ``now``, most overdue first.

    Computations are scheduled per template, so these are the skills the user is about to forget;
    templates never answered are left to the drill mode.
    """
    templates = {t.id: t for t in bank.templates(topics or None)}
    return [templates[i] for i in store.due(templates, now)]


def humanize_delta(due: datetime, now: datetime) -> str:
    """'now', 'in 10 minutes', 'in 3 hours', 'in 4 days' (rounded down to the largest whole unit)."""
    seconds = (due - now).total_seconds()
    if seconds < 60:
        return "now"
    size, unit = next((size, unit) for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")) if seconds >= size)
    n = int(seconds // size)
    return f"in {n} {unit}{'s' if n != 1 else ''}"


def run_plain_review(
    bank: Bank,
    *,
    topics: Sequence[str] | None = None,
    count: int | None = None,
    seed: int | None = None,
    data_dir: str | Path | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    now: datetime | None = None,
    weak: bool = False,
    exam: str | None = None,
) -> int:
    """Review line by line what is due today, as the TUI's review does: the due flashcards (Enter reveals, a
    grade 1-4 records), a fresh instance of each due computation (typed and checked as in the plain drill),
    then new flashcards, within the day's limits (quizapp.study.review_plan); at most ``count`` questions.
    A card graded Again (a computation answered wrong) comes back after its learning step; u takes back the
    last answer. A score line at the end or on EOF.

    ``weak``: ask the weak spots instead (quizapp.study.weak_plan: lowest predicted recall and most frequent
    mistakes, ``count`` of them, default 20), due or not, without the day's limits. ``exam`` (YYYY-MM-DD) is the
    interview date in place of settings.json's exam_date (quizapp.study.review_plan says what it changes).

    ``seed`` fixes the numbers of the computations (default: a random seed); ``now`` fixes the clock
    (tests); by default each review is stamped with the real time. Exit status 1 when ``topics``
    match nothing, the progress store cannot be opened or an answer could not be saved.
    """
    from quizapp.plain import open_store

    mismatch = bank.mismatch(topics)
    if mismatch:
        error(f"quizapp: {mismatch}")
        return 1
    with open_store(data_dir) as store:
        if store is None:
            return 1
        try:
            return _review_loop(
                bank, store, topics=topics, count=count, seed=seed, stdin=stdin, stdout=stdout, now=now, data_dir=data_dir, weak=weak, exam=exam
            )
        except StoreError as err:  # reading what is due failed (e.g. locked by another quizapp)
            error(f"quizapp: {err}")
            return 1


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _review_loop(
    bank: Bank,
    store: Store,
    *,
    topics: Sequence[str] | None,
    count: int | None,
    seed: int | None,
    stdin: TextIO | None,
    stdout: TextIO | None,
    now: datetime | None,
    data_dir: str | Path | None,
    weak: bool = False,
    exam: str | None = None,
) -> int:
    # The plain view's terminal and askers, so a computation is asked the same way in every mode.
    from quizapp.plain import HELP_DRILL, HELP_KEYS, _Terminal, clock_at, study_settings
    from quizapp.study import WEAK_COUNT, review_plan, weak_plan

    term = _Terminal(stdin, stdout)
    clock = clock_at(now)
    start = clock()
    settings = study_settings(data_dir)
    if exam:
        settings = replace(settings, exam_date=exam)
    if weak:
        return _weak_loop(term, store, weak_plan(bank, store, topics=topics, now=start, count=count or WEAK_COUNT), clock, seed, settings)
    plan = review_plan(bank, store, topics=topics, now=start, settings=settings)
    items = list(plan.items)[:count] if count is not None else list(plan.items)
    if not items:
        ids = [card.id for card in bank.cards(topics or None)] + [t.id for t in bank.templates(topics or None)]
        upcoming = store.next_due(ids)
        when = f" The next one is due {humanize_delta(upcoming, start)}." if upcoming else ""
        limits = " Today's limits are reached (new_per_day, review_cap in settings.json)." if plan.over_cap or plan.new_left_out else ""
        term.say(f"Nothing to review.{when}{limits}")
        return 0

    n_due = min(plan.due, len(items))
    n_exam = min(plan.exam, len(items) - n_due)
    n_new = len(items) - n_due - n_exam
    n_cards = sum(1 for item in items if isinstance(item, Card))
    n_drills = len(items) - n_cards
    what = _plural(n_cards, "card") + (f" and {_plural(n_drills, 'computation')}" if n_drills else "")
    waiting = [f"{plan.over_cap} over the review cap" if plan.over_cap else "", f"{_plural(len(plan.buried), 'sibling')} of cards asked today" if plan.buried else ""]
    term.say(
        f"Review: {what} ({n_due} due, {f'{n_exam} early for the interview, ' if n_exam else ''}{n_new} new). "
        "Flashcards: Enter reveals the answer; then grade 1 Again, 2 Hard, 3 Good, 4 Easy."
        + (f" {HELP_DRILL}" if n_drills else "")
        + f" {HELP_KEYS}"
        + (f" Waiting for tomorrow: {' and '.join(x for x in waiting if x)}." if any(waiting) else "")
    )
    return _ask_all(term, store, items, clock, seed, settings, "Reviewed")


def _weak_loop(term: _Terminal, store: Store, plan, clock, seed: int | None, settings) -> int:
    """The weak-spots session of ``plan`` (quizapp.study.WeakPlan), asked as a review is; what it is and why first."""
    from quizapp.plain import HELP_DRILL, HELP_KEYS

    items = list(plan.items)
    if not items:
        term.say("No weak spots yet: they are the items you have answered (lowest predicted recall, most frequent mistakes).")
        return 0
    n_cards = sum(1 for item in items if isinstance(item, Card))
    parts = [_plural(n, word) for n, word in ((n_cards, "card"), (len(items) - n_cards, "computation")) if n]
    what = " and ".join(parts)
    low = [f"{item.id} {100 * plan.recall[item.id]:.0f}%" for item in items if item.id in plan.recall][:3]
    term.say(
        f"Weak spots: {what}, the lowest predicted recall ({', '.join(low) or 'none'}) and your most frequent mistakes"
        f" ({sum(plan.mistakes.values())} in these computations). Flashcards: Enter reveals, then grade 1-4. {HELP_DRILL} {HELP_KEYS}"
    )
    return _ask_all(term, store, items, clock, seed, settings, "Practised")


def _ask_all(term: _Terminal, store: Store, items: list, clock, seed: int | None, settings, done: str) -> int:
    """Ask ``items`` through the study core as a review does, then the score line ("``done`` k of n: ...")."""
    from quizapp.plain import ASKERS, run_session
    from quizapp.study import StudySession

    session = StudySession(store, items, clock=clock, seed=secrets.randbits(31) if seed is None else seed, settings=settings)

    def header(ask) -> str:
        where = "again" if ask.again else f"{session.taken}/{len(items)}"
        return f"[{where}] {ask.item.topic}" + (" · computation" if ask.kind == "drill" else "")

    def after(outcome) -> None:
        if outcome.recorded is not None and outcome.comes_back is None:  # else the view said when it comes back
            term.say(f"Next review {humanize_delta(outcome.recorded.due, outcome.at)}.")

    status = run_session(term, session, header, {**ASKERS, "flashcard": _review_card, "mcq": _review_card}, after)
    grades = session.ratings
    pending = session.current is not None and not session.current.again
    reviewed = session.taken - pending - session.put_away
    term.say("")
    term.say(
        f"{done} {reviewed} of {len(items)}: recalled {sum(grades.values()) - grades[1]}, forgot {grades[1]} "
        f"(Again {grades[1]}, Hard {grades[2]}, Good {grades[3]}, Easy {grades[4]})."
    )
    if session.broken:
        from quizapp.plain import cannot_generate

        error(f"quizapp: {cannot_generate(session.broken, 'medium')}")
    return status


def _review_card(term: _Terminal, session: StudySession, ask: Ask) -> Outcome:
    """One flashcard: Enter reveals the answer (the right option of a multiple choice), a grade 1-4 is
    saved and feeds FSRS; the grades show the interval each would give."""
    from quizapp.plain import GRADE_CHOICES, _read, grade_keys, read_grade

    card = ask.item
    term.say(card.question)
    for i, option in enumerate(card.options, 1):
        term.say(f"  {i}. {option}")
    _read(term, "(Enter to reveal) ")
    if card.options and card.correct is not None:
        term.say(f"Answer: {card.correct + 1}. {card.options[card.correct]}")
    else:
        term.say(card.answer)
    if card.note:
        term.say(f"Why: {card.note}")
    return session.grade(read_grade(term, f"Grade {grade_keys(session)}: ", GRADE_CHOICES))
