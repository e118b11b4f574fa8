"""Provides spaced-repetition review: which cards are due, and the line-based review for plain terminals."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from quizapp.content.model import Bank, Card
from quizapp.progress import record_answer
from quizapp.schedule import Rating
from quizapp.store import Store, StoreError

if TYPE_CHECKING:
    from quizapp.content.drill import DrillTemplate

__all__ = ["NEW_PER_SESSION", "due_items", "due_templates", "humanize_delta", "run_plain_review"]

NEW_PER_SESSION = 20
"""Cards never seen before that one review session introduces at most (the rest wait for later sessions)."""

_GRADE_WORDS = {"1": 1, "2": 2, "3": 3, "4": 4, "again": 1, "hard": 2, "good": 3, "easy": 4, "a": 1, "h": 2, "g": 3, "e": 4}


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
    data_dir: str | Path | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    """Review due cards line by line: Enter reveals, a grade 1-4 records; a score line at the end or on EOF.

    ``now`` fixes the clock (tests); by default each review is stamped with the real time.
    """
    from quizapp.paths import database_path

    stdin = stdin if stdin is not None else sys.stdin
    out = stdout if stdout is not None else sys.stdout
    clock: Callable[[], datetime] = (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    try:
        store = Store(database_path(data_dir))
    except StoreError as err:
        print(f"quizapp: {err}", file=sys.stderr)
        return 1
    try:
        return _review_loop(bank, store, topics=topics, count=count, stdin=stdin, out=out, clock=clock)
    except StoreError as err:  # reading what is due failed (e.g. locked by another quizapp)
        print(f"quizapp: {err}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _read(stdin: TextIO, out: TextIO, prompt: str) -> str | None:
    """One line without its newline; None at end of input or on q. Echoed when input is not a terminal,
    so a piped transcript reads like a session."""
    out.write(prompt)
    out.flush()
    line = stdin.readline()
    if not line:
        out.write("\n")
        return None
    text = line.rstrip("\r\n")
    try:
        echo = not stdin.isatty()
    except (AttributeError, ValueError):
        echo = True
    if echo:
        out.write(text + "\n")
    if text.strip().casefold() in ("q", "quit"):
        return None
    return text


def _review_loop(
    bank: Bank,
    store: Store,
    *,
    topics: Sequence[str] | None,
    count: int | None,
    stdin: TextIO,
    out: TextIO,
    clock: Callable[[], datetime],
) -> int:
    start = clock()
    items = due_items(bank, store, topics=topics, now=start)
    if count is not None:
        items = items[:count]
    if not items:
        ids = [card.id for card in bank.cards(topics or None)]
        if not ids:
            print("No cards match the chosen topics.", file=out)
            return 0
        upcoming = store.next_due(ids)
        when = f" Next card due {humanize_delta(upcoming, start)}." if upcoming else ""
        print(f"Nothing to review.{when}", file=out)
        return 0

    n_new = len(store.unseen([card.id for card in items]))
    print(
        f"Review: {len(items)} cards ({len(items) - n_new} due, {n_new} new). "
        "Enter reveals the answer; then grade 1 Again, 2 Hard, 3 Good, 4 Easy. q or Ctrl-D stops.",
        file=out,
    )
    grades: dict[int, int] = {1: 0, 2: 0, 3: 0, 4: 0}
    status = 0
    try:
        for k, card in enumerate(items, 1):
            print(f"\n[{k}/{len(items)}] {card.topic}", file=out)
            print(card.question, file=out)
            for i, option in enumerate(card.options, 1):
                print(f"  {i}. {option}", file=out)
            asked_at = clock()
            if _read(stdin, out, "(Enter to reveal) ") is None:
                break
            if card.options and card.correct is not None:
                print(f"Answer: {card.correct + 1}. {card.options[card.correct]}", file=out)
            else:
                print(card.answer, file=out)
            if card.note:
                print(f"Why: {card.note}", file=out)
            rating = None
            while rating is None:
                line = _read(stdin, out, "Grade 1 Again, 2 Hard, 3 Good, 4 Easy: ")
                if line is None:
                    break
                rating = _GRADE_WORDS.get(line.strip().casefold())
                if rating is None:
                    print("Type 1, 2, 3 or 4.", file=out)
            if rating is None:
                break
            now = clock()
            recorded = record_answer(
                store,
                card,
                rating=rating,
                answer_text=Rating(rating).name,  # as the TUI records a self-grade: Again / Hard / Good / Easy
                elapsed_s=(now - asked_at).total_seconds(),
                now=now,
            )
            grades[rating] += 1
            print(f"Next review {humanize_delta(recorded.due, now)}.", file=out)
    except KeyboardInterrupt:
        status = 130
    except StoreError as err:  # the grade in hand was not kept; those before it were
        print(f"quizapp: progress not saved: {err}", file=sys.stderr)
        status = 1
    reviewed = sum(grades.values())
    recalled = reviewed - grades[1]
    print(
        f"\nReviewed {reviewed} of {len(items)}: recalled {recalled}, forgot {grades[1]} "
        f"(Again {grades[1]}, Hard {grades[2]}, Good {grades[3]}, Easy {grades[4]}).",
        file=out,
    )
    return status
