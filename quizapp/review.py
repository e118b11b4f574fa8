"""Provides spaced-repetition review: which cards and computations are due, and the line-based review for plain terminals."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from quizapp.content.model import Bank, Card
from quizapp.schedule import Rating
from quizapp.store import Store, StoreError
from quizapp.textsafe import error

if TYPE_CHECKING:
    from quizapp.content.drill import DrillTemplate
    from quizapp.generate import DrillInstance
    from quizapp.plain import _Progress, _Terminal
    from quizapp.progress import Recorded

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
) -> int:
    """Review line by line what is due, as the TUI's review does: the due flashcards (Enter reveals, a
    grade 1-4 records), a fresh instance of each due computation (typed and checked as in the plain
    drill), then new flashcards; at most ``count`` questions. A score line at the end or on EOF.

    ``seed`` fixes the numbers of the computations (default: a random seed); ``now`` fixes the clock
    (tests); by default each review is stamped with the real time. Exit status 1 when ``topics``
    match nothing, the progress store cannot be opened or an answer could not be saved.
    """
    from quizapp.paths import database_path

    mismatch = bank.mismatch(topics)
    if mismatch:
        error(f"quizapp: {mismatch}")
        return 1
    clock: Callable[[], datetime] = (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    try:
        store = Store(database_path(data_dir))
    except StoreError as err:
        error(f"quizapp: {err}")
        return 1
    except OSError as err:  # the data folder itself cannot be made
        from quizapp.paths import data_dir_error

        error(f"quizapp: {data_dir_error(err, data_dir)}")
        return 1
    from quizapp.optimize import load_parameters

    store.fsrs_parameters = load_parameters(data_dir)  # FSRS fitted to the user, when they chose to
    try:
        return _review_loop(bank, store, topics=topics, count=count, seed=seed, stdin=stdin, stdout=stdout, clock=clock)
    except StoreError as err:  # reading what is due failed (e.g. locked by another quizapp)
        error(f"quizapp: {err}")
        return 1
    finally:
        store.close()


def _due_drills(templates: Sequence[DrillTemplate], seed: int | None) -> list[DrillInstance]:
    """A fresh medium instance of each due template, as the TUI makes them; a template that cannot make
    one is named on stderr and left out (`quizapp check` says why)."""
    from quizapp.generate import GenerationError, generate
    from quizapp.plain import cannot_generate

    rng = random.Random(secrets.randbits(31) if seed is None else seed)
    made, broken = [], []
    for template in templates:
        try:
            made.append(generate(template, rng.getrandbits(31), "medium"))
        except GenerationError:
            broken.append(template)
    if broken:
        error(f"quizapp: {cannot_generate(broken, 'medium')}")
    return made


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
    clock: Callable[[], datetime],
) -> int:
    # The plain drill's terminal, checking and saving, so a computation is asked the same way in both.
    from quizapp.plain import _ask_drill, _Progress, _Quit, _Terminal

    term = _Terminal(stdin, stdout)
    progress = _Progress(store, clock)
    start = clock()
    cards = due_items(bank, store, topics=topics, now=start)
    n_new = len(store.unseen([card.id for card in cards]))
    due_cards, new_cards = cards[: len(cards) - n_new], cards[len(cards) - n_new :]
    drills = _due_drills(due_templates(bank, store, topics=topics, now=start), seed)
    # As in the TUI: reviews that are due first (cards, then computations), new cards after them.
    items: list[Card | DrillInstance] = [*due_cards, *drills, *new_cards]
    if count is not None:
        items = items[:count]
    if not items:
        ids = [card.id for card in bank.cards(topics or None)] + [t.id for t in bank.templates(topics or None)]
        upcoming = store.next_due(ids)
        when = f" The next one is due {humanize_delta(upcoming, start)}." if upcoming else ""
        term.say(f"Nothing to review.{when}")
        return 0

    new_ids = {card.id for card in new_cards}
    n_drills = sum(1 for item in items if not isinstance(item, Card))
    n_new = sum(1 for item in items if isinstance(item, Card) and item.id in new_ids)
    what = _plural(len(items) - n_drills, "card") + (f" and {_plural(n_drills, 'computation')}" if n_drills else "")
    term.say(
        f"Review: {what} ({len(items) - n_new} due, {n_new} new). "
        "Flashcards: Enter reveals the answer; then grade 1 Again, 2 Hard, 3 Good, 4 Easy."
        + (" Computations: type the value (? shows a hint; a right answer then counts half)." if n_drills else "")
        + " q or Ctrl-D stops."
    )
    grades: dict[int, int] = {1: 0, 2: 0, 3: 0, 4: 0}
    status = 0
    try:
        for k, item in enumerate(items, 1):
            term.say("")
            if isinstance(item, Card):
                term.say(f"[{k}/{len(items)}] {item.topic}")
                recorded = _review_card(term, item, progress)
            else:
                term.say(f"[{k}/{len(items)}] {item.topic} · computation")
                _, recorded = _ask_drill(term, item, progress)
            if recorded is not None:
                grades[int(recorded.rating)] += 1
                term.say(f"Next review {humanize_delta(recorded.due, progress.clock())}.")
    except _Quit:
        pass
    except KeyboardInterrupt:
        status = 130
    reviewed = sum(grades.values())
    recalled = reviewed - grades[1]
    term.say("")
    term.say(
        f"Reviewed {reviewed} of {len(items)}: recalled {recalled}, forgot {grades[1]} "
        f"(Again {grades[1]}, Hard {grades[2]}, Good {grades[3]}, Easy {grades[4]})."
    )
    return progress.status(status)


def _review_card(term: _Terminal, card: Card, progress: _Progress) -> Recorded | None:
    """One flashcard: Enter reveals the answer (the right option of a multiple choice), a grade 1-4 is
    saved and feeds FSRS. What was recorded, or None when the save failed."""
    from quizapp.plain import GRADE_CHOICES, GRADES

    term.say(card.question)
    for i, option in enumerate(card.options, 1):
        term.say(f"  {i}. {option}")
    asked_at = progress.clock()
    term.ask("(Enter to reveal) ")
    if card.options and card.correct is not None:
        term.say(f"Answer: {card.correct + 1}. {card.options[card.correct]}")
    else:
        term.say(card.answer)
    if card.note:
        term.say(f"Why: {card.note}")
    while True:
        text = term.ask("Grade 1 Again, 2 Hard, 3 Good, 4 Easy: ").strip().casefold()
        if text in GRADES:
            break
        term.say(GRADE_CHOICES)
    rating = GRADES[text][1]
    # As the TUI records a self-grade: answer_text Again / Hard / Good / Easy.
    return progress.save(card, asked_at=asked_at, rating=rating, answer_text=Rating(rating).name)
