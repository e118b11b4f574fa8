"""Provides the plain-terminal modes: drill, quiz and the topic list, line by line (works in a pipe).

Each mode reads one line per answer, so ``printf '16\\n' | quizapp drill --plain`` works as well as a
terminal. ``q`` quits, end of input ends cleanly, and a score line is printed in every case
(Ctrl-C prints it too, then exits 130). Every answer is saved to the progress store the moment it is
graded (quizapp.progress, as the TUI does), so a killed run keeps what was answered. In a terminal,
questions, steps and feedback are wrapped to its width between words; in a pipe nothing is wrapped.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TextIO

from quizapp.answers import AnswerError, Verdict, check
from quizapp.content.model import Bank, Card
from quizapp.generate import DrillInstance, format_answer
from quizapp.session import DrillSession, QuizItem, build_quiz
from quizapp.textsafe import error, printable

if TYPE_CHECKING:
    from quizapp.content.drill import DrillTemplate
    from quizapp.progress import Recorded
    from quizapp.store import Store

__all__ = ["GRADES", "GRADE_CHOICES", "cannot_generate", "print_topics", "run_drill", "run_quiz", "wrap"]

_MARK = {Verdict.CORRECT: "✓ correct", Verdict.PARTIAL: "~ partly correct", Verdict.WRONG: "✗ wrong"}
GRADES = {
    **{key: ("Again", 1) for key in ("1", "again", "a", "n", "no")},
    **{key: ("Hard", 2) for key in ("2", "hard", "h")},
    **{key: ("Good", 3) for key in ("3", "good", "g", "y", "yes")},
    **{key: ("Easy", 4) for key in ("4", "easy", "e")},
}
"""A flashcard's typed self-grade (casefolded) -> (its name, the FSRS rating); y/n are Good/Again."""

GRADE_CHOICES = "type 1 Again, 2 Hard, 3 Good or 4 Easy (the words work too; y is Good, n is Again), or q to quit"
"""What to say when a self-grade was not one of GRADES."""

_QUIT = ("q", "quit", "exit")


class _Quit(Exception):
    """The user typed q, or the input ended."""


def cannot_generate(templates: Sequence[DrillTemplate], level: str) -> str:
    """One line naming the templates that made no drill at ``level``, with the first one's reason."""
    from quizapp.generate import GenerationError, generate

    first = templates[0]
    names = ", ".join(repr(t.id) for t in templates[:5])
    if len(templates) > 5:
        names += f" and {len(templates) - 5} more"
    try:
        generate(first, 0, level)
        reason = ""
    except GenerationError as exc:
        reason = f": {exc.reason}"
    noun = "template" if len(templates) == 1 else "templates"
    return f"no drill can be made from {noun} {names} at level {level} ({first.source}{reason}); `quizapp check` shows why"


def _terminal_width(stream: TextIO) -> int | None:
    """The width to wrap to: the terminal's (less one column) when ``stream`` is one, else None (no wrapping)."""
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return max(20, shutil.get_terminal_size().columns - 1)


_LIST_MARK = re.compile(r"(?:\d+\.|[-•*]) ")


def wrap(text: str, width: int | None) -> str:
    """``text`` with each line longer than ``width`` broken between words (never inside one); continuation
    lines keep the line's indent plus two spaces (or the width of a list marker). None: unchanged."""
    if width is None:
        return text
    out = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        body = line.lstrip(" ")
        lead = line[: len(line) - len(body)]
        mark = _LIST_MARK.match(body)
        hang = " " * (len(mark.group(0)) if mark else 2)
        out.append(
            textwrap.fill(
                body,
                width,
                initial_indent=lead,
                subsequent_indent=lead + hang,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


class _Terminal:
    """Reading answers and writing lines; echoes what was read when input is not a terminal, and wraps
    what it says to the terminal's width when output is one."""

    def __init__(self, stdin: TextIO | None, stdout: TextIO | None) -> None:
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout
        try:
            self.echo = not self.stdin.isatty()
        except (AttributeError, ValueError):
            self.echo = True
        self.width = _terminal_width(self.stdout)

    def say(self, text: str = "") -> None:
        self.stdout.write(wrap(printable(text), self.width) + "\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str:
        """One line of input without its newline; _Quit on end of input or q."""
        self.stdout.write(printable(prompt))
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.stdout.write("\n")
            raise _Quit
        text = line.rstrip("\r\n")
        if self.echo:
            self.stdout.write(printable(text) + "\n")
        if text.strip().casefold() in _QUIT:
            raise _Quit
        return text


class _Score:
    def __init__(self) -> None:
        self.points = 0.0
        self.asked = 0

    def add(self, points: float) -> None:
        self.points += points
        self.asked += 1

    def line(self) -> str:
        if not self.asked:
            return "score: no answers"
        points = f"{self.points:g}"
        return f"score: {points}/{self.asked} ({100 * self.points / self.asked:.0f}%)"


class _Progress:
    """Saves each answer the moment it is graded (quizapp.progress.record_answer).

    A save that fails (the database locked for too long, the disk full) is said on stderr and the
    session goes on; the run then exits 1 so a script notices.
    """

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self.failed = 0

    def save(self, item: Any, *, asked_at: datetime, **answer: Any) -> Recorded | None:
        """Record one answered ``item`` (card or drill instance); ``answer`` as record_answer takes it.
        What was recorded, or None when the save failed."""
        from quizapp.progress import record_answer
        from quizapp.store import StoreError

        now = self.clock()
        try:
            return record_answer(self.store, item, elapsed_s=(now - asked_at).total_seconds(), now=now, **answer)
        except StoreError as err:
            self.failed += 1
            error(f"quizapp: progress not saved: {err}")
            return None

    def status(self, code: int) -> int:
        """The exit status: ``code``, or 1 when an answer could not be saved."""
        return 1 if code == 0 and self.failed else code


@contextmanager
def _progress(data_dir: str | os.PathLike[str] | None, now: datetime | None) -> Iterator[_Progress | None]:
    """The progress store at ``data_dir`` (None when it cannot be opened: the reason is on stderr and
    the file is left as it was), closed on the way out. ``now`` fixes the clock (tests)."""
    from quizapp.paths import database_path
    from quizapp.store import Store, StoreError

    try:
        store = Store(database_path(data_dir))
    except StoreError as err:
        error(f"quizapp: {err}")
        yield None
        return
    except OSError as err:  # the data folder itself cannot be made
        from quizapp.paths import data_dir_error

        error(f"quizapp: {data_dir_error(err, data_dir)}")
        yield None
        return
    clock: Callable[[], datetime] = (lambda: now) if now is not None else (lambda: datetime.now(UTC))
    from quizapp.optimize import load_parameters

    store.fsrs_parameters = load_parameters(data_dir)  # FSRS fitted to the user, when they chose to
    try:
        yield _Progress(store, clock)
    finally:
        store.close()


def _seed(seed: int | None, term: _Terminal) -> int:
    if seed is None:
        seed = secrets.randbelow(10_000)
        term.say(f"seed {seed}: rerun with --seed {seed}")
    return seed


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _ask_drill(term: _Terminal, instance: DrillInstance, progress: _Progress) -> tuple[float, Recorded | None]:
    """Ask one drill until the answer can be read; save it, then show the verdict, the answer and the steps.

    Returns (the score: the checker's, times HINT_COST when the hint was shown first; what was recorded).
    """
    from quizapp.progress import hinted_score

    term.say(instance.question)
    asked_at = progress.clock()
    hint = instance.hint or (instance.steps[0] if instance.steps else "")
    hint_used = False
    while True:
        text = term.ask("> ")
        if not text.strip():
            continue
        if text.strip() in ("?", "h", "hint"):
            if not hint:
                term.say("  no hint for this one")
            elif hint_used:
                term.say(f"hint: {hint}")
            else:
                hint_used = True
                term.say(f"hint: {hint}")
                term.say("  (a right answer now counts half)")
            continue
        try:
            result = check(
                text,
                instance.answer,
                instance.tolerance,
                misconceptions=instance.misconceptions,
                form=instance.form,
            )
        except AnswerError as exc:
            term.say(f"  {exc} (try again, or q to quit)")
            continue
        break
    score = hinted_score(result.score, hint_used)
    recorded = progress.save(
        instance,
        asked_at=asked_at,
        verdict=result.verdict,
        score=score,
        hint_used=hint_used,
        answer_text=text,
        misconception=result.misconception,
    )
    precision = instance.tolerance.describe(instance.form, expected=instance.answer)
    half = " (with the hint: half a point)" if hint_used and result.verdict is Verdict.CORRECT else ""
    term.say(f"{_MARK[result.verdict]}{half}: the answer is {instance.answer_text} ({precision})")
    term.say(f"  you answered: {_show_parsed(result.parsed, instance)}")
    if result.misconception is not None:
        m = result.misconception
        term.say(f"  that is the {m.name.replace('_', ' ')} mistake: {m.explanation}")
    elif result.slip is not None:
        term.say(f"  likely slip: {result.slip.explanation}")
    elif result.verdict is not Verdict.CORRECT and result.message not in ("", "Not correct."):
        term.say(f"  {result.message}")
    if instance.steps:
        term.say("  worked solution:")
        for step in instance.steps:
            term.say(_indent(step, "    "))
    return score, recorded


def _show_parsed(parsed, instance: DrillInstance) -> str:
    """The user's answer as it was read (an expression shows its value), to 6 significant figures."""
    try:
        # No precision given: up to 6 significant figures with trailing zeros dropped (an asked
        # precision would pad 0.1 to 0.100000).
        return format_answer(parsed, instance.form)
    except (TypeError, ValueError):
        return str(parsed)


def run_drill(
    bank: Bank,
    *,
    topics: Sequence[str] | None,
    count: int | None,
    seed: int | None,
    level: str | None,
    data_dir: str | os.PathLike[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    """Fresh drills until ``count`` (or endless), difficulty climbing with the streak; each answer is saved
    to the progress store in ``data_dir`` as it is graded. ``now`` fixes the clock (tests)."""
    from quizapp.generate import GenerationError

    term = _Terminal(stdin, stdout)
    mismatch = bank.mismatch(topics)
    if mismatch:
        error(f"quizapp: {mismatch}")
        return 1
    templates = bank.templates(topics or None)
    if not templates:
        chosen = f"topic {' or '.join(map(repr, topics))}" if topics else "the loaded decks"
        error(f"quizapp: no drill templates in {chosen}, only flashcards (see `quizapp topics`)")
        return 1
    with _progress(data_dir, now) as progress:
        if progress is None:
            return 1
        seed = _seed(seed, term)
        term.say("Type an answer and press Enter (numbers, expressions such as sqrt(2/9), shapes 16x16, vectors [0.1, 0.9]);")
        term.say("? shows a hint (a right answer then counts half), q quits.")
        session = DrillSession(templates, seed=seed, level=level)
        score = _Score()
        status = 0
        try:
            while count is None or session.answered < count:
                instance = session.next()
                total = f"/{count}" if count else ""
                term.say("")
                term.say(f"drill {session.answered + 1}{total} · {instance.topic} · {instance.level} · streak {session.streak}")
                points, _ = _ask_drill(term, instance, progress)
                score.add(points)
                # Only an unaided right answer makes the numbers harder (the hint costs the streak, as in the TUI).
                session.record(points >= 1.0)
        except _Quit:
            pass
        except GenerationError:
            # Every template of the selection failed at this level (a deck's impossible template):
            # `session.next` only gives up when none is left.
            error(f"quizapp: {cannot_generate(session.templates, session.level)}")
            status = 1
        except KeyboardInterrupt:
            term.say("")
            term.say(score.line())
            return 130
        term.say(score.line())
        return progress.status(status)


def _ask_card(term: _Terminal, card: Card, progress: _Progress) -> float:
    """A flashcard: Enter reveals, the self-grade 1-4 (or y/n) is saved and feeds FSRS as in review."""
    term.say(card.question)
    asked_at = progress.clock()
    term.ask("(Enter shows the answer) ")
    term.say(_indent(card.answer))
    if card.note:
        term.say(_indent(f"why: {card.note}"))
    while True:
        text = term.ask("how did you do? 1 Again · 2 Hard · 3 Good · 4 Easy (or y/n) ").strip().casefold()
        if text in GRADES:
            break
        term.say(f"  {GRADE_CHOICES}")
    name, rating = GRADES[text]
    progress.save(card, asked_at=asked_at, rating=rating, answer_text=name)
    term.say(f"  graded {name}")
    return 0.0 if rating == 1 else 1.0


def _ask_choice(term: _Terminal, card: Card, progress: _Progress) -> float:
    term.say(card.question)
    asked_at = progress.clock()
    for number, option in enumerate(card.options, start=1):
        term.say(f"  {number}. {option}")
    n = len(card.options)
    while True:
        text = term.ask(f"answer 1-{n}: ").strip()
        if text.isdigit() and 1 <= int(text) <= n:
            chosen = int(text) - 1
            break
        term.say(f"  type a number from 1 to {n} (or q to quit)")
    right = card.correct if card.correct is not None else -1
    ok = chosen == right
    progress.save(
        card,
        asked_at=asked_at,
        verdict="correct" if ok else "wrong",
        score=1.0 if ok else 0.0,
        answer_text=f"{chosen + 1}. {card.options[chosen]}",
    )
    answer = card.options[right] if 0 <= right < n else card.answer
    term.say(f"{'✓ correct' if ok else '✗ wrong'}: {right + 1}. {answer}")
    if card.note:
        term.say(_indent(f"why: {card.note}"))
    return 1.0 if ok else 0.0


def run_quiz(
    bank: Bank,
    *,
    topics: Sequence[str] | None,
    count: int,
    seed: int | None,
    data_dir: str | os.PathLike[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    """A quiz of ``count`` questions mixing flashcards (self-graded), multiple choice and drills; each
    answer is saved to the progress store in ``data_dir`` as it is graded. ``now`` fixes the clock (tests)."""
    term = _Terminal(stdin, stdout)
    mismatch = bank.mismatch(topics)
    if mismatch:
        error(f"quizapp: {mismatch}")
        return 1
    with _progress(data_dir, now) as progress:
        if progress is None:
            return 1
        seed = _seed(seed, term)
        items: list[QuizItem] = build_quiz(bank, topics=topics or None, count=count, seed=seed)
        templates = bank.templates(topics or None)
        if templates and len(items) < count and not any(item.drill is not None for item in items):
            # The quiz wanted drills and build_quiz could make none: every template of the selection failed.
            error(f"quizapp: {cannot_generate(templates, 'medium')}")
            if not items:
                return 1
        if not items:
            error("quizapp: no questions in the loaded decks (see `quizapp topics`)")
            return 1
        term.say("Flashcards: Enter shows the answer, then grade yourself 1-4. Multiple choice: type the number.")
        term.say("Computations: type the value (? shows a hint; a right answer then counts half). q quits.")
        score = _Score()
        try:
            for number, item in enumerate(items, start=1):
                term.say("")
                term.say(f"question {number}/{len(items)} · {item.topic} · {item.kind}")
                if item.drill is not None:
                    score.add(_ask_drill(term, item.drill, progress)[0])
                elif item.kind == "mcq":
                    score.add(_ask_choice(term, item.card, progress))
                else:
                    score.add(_ask_card(term, item.card, progress))
        except _Quit:
            pass
        except KeyboardInterrupt:
            term.say("")
            term.say(score.line())
            return 130
        term.say(score.line())
        return progress.status(0)


def _count(n: int, word: str, width: int = 0) -> str:
    return f"{n:>{width}} {word}{'' if n == 1 else 's'}"


def print_topics(
    bank: Bank, stdout: TextIO | None = None, *, progress: Mapping[tuple[str, str], tuple[int, float | None]] | None = None
) -> int:
    """Decks and their topics with card and drill-template counts; with ``progress`` ((deck id, topic) ->
    (items due now, retention) as quizapp.stats.topic_progress gives it), also what is due and the retention."""
    out = stdout if stdout is not None else sys.stdout
    rows = bank.topics()
    if not rows:
        out.write("no decks loaded\n")
        return 0
    width = max(len(topic) for _, topic, _, _ in rows)
    current = None
    for deck, topic, n_cards, n_templates in rows:
        if deck is not current:
            current = deck
            out.write(printable(f"{deck.title} ({deck.id}, {deck.path})") + "\n")
        line = f"  {topic:<{width}}  {_count(n_cards, 'card', 4):<10}  {_count(n_templates, 'drill', 3):<10}"
        if progress is not None:
            due, retention = progress.get((deck.id, topic), (0, None))
            line += f"  {due:>4} due  retention {'—' if retention is None else f'{100 * retention:.0f}%':>4}"
        out.write(printable(line.rstrip()) + "\n")
    total_cards = sum(len(d.cards) for d in bank.decks)
    total_templates = sum(len(d.templates) for d in bank.decks)
    out.write(f"{_count(len(bank.decks), 'deck')}, {_count(total_cards, 'card')}, {_count(total_templates, 'drill template')}\n")
    return 0
