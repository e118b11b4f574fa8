"""Provides the plain-terminal modes: drill, quiz and the topic list, line by line (works in a pipe).

A thin view over the study core (quizapp.study.StudySession), which decides what is asked and records
each answer the moment it is given, so a killed run keeps what was answered. Each mode reads one line per
answer, so ``printf '16\\n' | quizapp drill --plain`` works as well as a terminal. ``q`` quits, ``u`` takes
back the last answer, an empty line on a computation is "I don't know", end of input ends cleanly, and a
score line is printed in every case (Ctrl-C prints it too, then exits 130). In a terminal,
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
from typing import TYPE_CHECKING, TextIO

from quizapp.answers import AnswerError, Verdict
from quizapp.content.model import Bank
from quizapp.generate import DrillInstance, format_answer
from quizapp.session import DrillSession, QuizItem, build_quiz
from quizapp.settings import StudySettings
from quizapp.study import Ask, Outcome, Retry, StudySession
from quizapp.textsafe import error, printable

if TYPE_CHECKING:
    from quizapp.content.drill import DrillTemplate
    from quizapp.store import Store

__all__ = [
    "ASKERS",
    "GRADES",
    "GRADE_CHOICES",
    "HELP_DRILL",
    "HELP_KEYS",
    "ask_card",
    "ask_choice",
    "ask_drill",
    "cannot_generate",
    "clock_at",
    "grade_keys",
    "open_store",
    "print_topics",
    "read_grade",
    "run_drill",
    "run_quiz",
    "run_session",
    "study_settings",
    "wrap",
]

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


def _seed(seed: int | None, term: _Terminal) -> int:
    if seed is None:
        seed = secrets.randbelow(10_000)
        term.say(f"seed {seed}: rerun with --seed {seed}")
    return seed


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


class _Undo(Exception):
    """The user typed u: take back the last answer."""


class _Suspend(Exception):
    """The user typed s: suspend the item asked (never asked again until `quizapp unsuspend`)."""


class _Flag(Exception):
    """The user typed f: flag the item asked, or unflag it."""


_KEYS = {
    **dict.fromkeys(("u", "undo"), _Undo),
    **dict.fromkeys(("s", "suspend"), _Suspend),
    **dict.fromkeys(("f", "flag"), _Flag),
}
"""What every prompt of a study session takes besides an answer (no answer, grade or option is one of these)."""

HELP_KEYS = "u undoes the last answer, s suspends the question's item, f flags it, q quits."
"""The keys every prompt takes, as the help lines say them."""


def _read(term: _Terminal, prompt: str) -> str:
    """One line of input; _Undo, _Suspend or _Flag when it is u, s or f (every prompt of a study session takes them)."""
    text = term.ask(prompt)
    key = _KEYS.get(text.strip().casefold())
    if key is not None:
        raise key
    return text


def _score_line(session: StudySession) -> str:
    """score: points/answers (percent); every answer counts, a question coming back after Again too."""
    if not session.answered:
        return "score: no answers"
    return f"score: {session.points:g}/{session.answered} ({100 * session.points / session.answered:.0f}%)"


@contextmanager
def open_store(data_dir: str | os.PathLike[str] | None) -> Iterator[Store | None]:
    """The progress store at ``data_dir`` (None when it cannot be opened: the reason is on stderr and the file is
    left as it was), with the FSRS parameters fitted to the user, closed on the way out."""
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
    from quizapp.optimize import load_parameters

    store.fsrs_parameters = load_parameters(data_dir)  # FSRS fitted to the user, when they chose to
    try:
        yield store
    finally:
        store.close()


def clock_at(now: datetime | None) -> Callable[[], datetime]:
    """A clock: always ``now`` when given (tests), else the real time."""
    return (lambda: now) if now is not None else (lambda: datetime.now(UTC))


def study_settings(data_dir: str | os.PathLike[str] | None) -> StudySettings:
    """The study settings of ``data_dir``; each problem with them is said on stderr (its default is used instead)."""
    from quizapp.settings import load_study_settings

    settings = load_study_settings(data_dir)
    for problem in settings.problems:
        error(f"quizapp: settings.json: {problem}")
    return settings


Asker = Callable[[_Terminal, StudySession, Ask], Outcome]


def run_session(
    term: _Terminal,
    session: StudySession,
    header: Callable[[Ask], str],
    askers: Mapping[str, Asker],
    after: Callable[[Outcome], None] | None = None,
) -> int:
    """Drive ``session`` line by line until it ends or the user stops: each question under its ``header``, asked by
    ``askers[ask.kind]``; u at any prompt takes back the last answer and asks that question again, s suspends the
    item asked (it goes without an answer), f flags or unflags it (the question is asked again from its start).
    The exit status: 0, 130 on Ctrl-C, 1 when an answer could not be saved."""
    from quizapp.review import humanize_delta
    from quizapp.store import StoreError

    status = 0
    try:
        while (ask := session.next()) is not None:
            term.say("")
            term.say(header(ask) + (" · ⚑ flagged" if ask.flagged else ""))
            try:
                outcome = askers[ask.kind](term, session, ask)
            except (_Undo, _Suspend, _Flag) as key:
                try:
                    term.say(_by_key(session, key))
                except StoreError as err:
                    error(f"quizapp: cannot {type(key).__name__[1:].lower()}: {err}")
                continue
            if outcome.error is not None:
                error(f"quizapp: progress not saved: {outcome.error}")
            if outcome.comes_back is not None:
                term.say(f"  it comes back {humanize_delta(outcome.comes_back, outcome.at)} in this session")
            if after is not None:
                after(outcome)
    except (_Quit, KeyboardInterrupt) as stop:
        status = 130 if isinstance(stop, KeyboardInterrupt) else 0
        settled = session.settle()  # a wrong first try waiting for its second is kept: the first try decides
        if settled is not None and isinstance(settled.ask.item, DrillInstance):
            _show_drill(term, settled.ask.item, settled)
    return 1 if status == 0 and session.failed else status


def _by_key(session: StudySession, key: Exception) -> str:
    """Do what u, s or f asks of ``session``; what to say about it."""
    if isinstance(key, _Undo):
        undone = session.undo()
        if undone is None:
            return "  nothing to undo"
        return "  undone: the last answer is taken back" + ("; here it is again" if session.current is not None else "")
    if isinstance(key, _Suspend):
        item_id = session.suspend()
        return f"  suspended {item_id}: it is not asked again until `quizapp unsuspend {item_id}`"
    return "  flagged (`quizapp flag` lists what you flagged)" if session.flag() else "  flag taken off"


def ask_drill(term: _Terminal, session: StudySession, ask: Ask) -> Outcome:
    """A computation: typed until it can be read (? hint, Enter alone: I don't know, one more try after a wrong
    answer when ``second_try`` is on); then the verdict, the answer and the worked solution."""
    instance = ask.item
    term.say(instance.question)
    hinted = False
    while True:
        text = _read(term, "> ")
        if not text.strip():
            outcome = session.dont_know()
            break
        if text.strip() in ("?", "h", "hint"):
            hint = session.hint()
            if not hint:
                term.say("  no hint for this one")
                continue
            term.say(f"hint: {hint}")
            if not hinted:
                term.say("  (a right answer now counts half)")
            hinted = True
            continue
        try:
            result = session.submit(text)
        except AnswerError as exc:
            term.say(f"  {exc} (try again, or q to quit)")
            continue
        if isinstance(result, Retry):
            term.say("  not right: one more try (Enter alone: I don't know)")
            continue
        outcome = result
        break
    _show_drill(term, instance, outcome)
    return outcome


def _show_drill(term: _Terminal, instance: DrillInstance, outcome: Outcome) -> None:
    """The verdict (the first try's when there were two), the answer with its precision, what was read, the
    named mistake and the worked solution."""
    precision = instance.tolerance.describe(instance.form, expected=instance.answer)
    result, first = outcome.result, outcome.first
    decided = first or result
    if decided is None:
        term.say(f"? not known: the answer is {instance.answer_text} ({precision})")
    elif first is not None:
        then = "" if result is None else f"; then {_show_parsed(result.parsed, instance)}"
        second = "" if result is None else f" (the second try: {_MARK[result.verdict]}; the first try counts)"
        term.say(f"{_MARK[first.verdict]}{second}: the answer is {instance.answer_text} ({precision})")
        term.say(f"  you answered: {_show_parsed(first.parsed, instance)}{then}")
    else:
        half = " (with the hint: half a point)" if outcome.hint_used and result.verdict is Verdict.CORRECT else ""
        term.say(f"{_MARK[result.verdict]}{half}: the answer is {instance.answer_text} ({precision})")
        term.say(f"  you answered: {_show_parsed(result.parsed, instance)}")
    if decided is not None and decided.misconception is not None:
        m = decided.misconception
        term.say(f"  that is the {m.name.replace('_', ' ')} mistake: {m.explanation}")
    elif decided is not None and decided.slip is not None:
        term.say(f"  likely slip: {decided.slip.explanation}")
    elif decided is not None and decided.verdict is not Verdict.CORRECT and decided.message not in ("", "Not correct."):
        term.say(f"  {decided.message}")
    if instance.steps:
        term.say("  worked solution:")
        for step in instance.steps:
            term.say(_indent(step, "    "))


def _show_parsed(parsed, instance: DrillInstance) -> str:
    """The user's answer as it was read (an expression shows its value), to 6 significant figures."""
    try:
        # No precision given: up to 6 significant figures with trailing zeros dropped (an asked
        # precision would pad 0.1 to 0.100000).
        return format_answer(parsed, instance.form)
    except (TypeError, ValueError):
        return str(parsed)


def read_grade(term: _Terminal, prompt: str, choices: str) -> int:
    """A self-grade 1-4 (or its word, y/n), asked again with ``choices`` until it is one."""
    while True:
        text = _read(term, prompt).strip().casefold()
        if text in GRADES:
            return GRADES[text][1]
        term.say(choices)


def grade_keys(session: StudySession) -> str:
    """The grades with the interval each would give now: '1 Again · 1m  2 Hard · 6m  3 Good · 10m  4 Easy · 8d'."""
    from quizapp.schedule import short_interval

    return "  ".join(f"{int(r)} {r.name} · {short_interval(d)}" for r, d in session.intervals().items())


def ask_card(term: _Terminal, session: StudySession, ask: Ask) -> Outcome:
    """A flashcard: Enter reveals, the self-grade 1-4 (or y/n) is saved and feeds FSRS."""
    card = ask.item
    term.say(card.question)
    _read(term, "(Enter shows the answer) ")
    term.say(_indent(card.answer))
    if card.note:
        term.say(_indent(f"why: {card.note}"))
    rating = read_grade(term, f"how did you do? {grade_keys(session)} (or y/n) ", f"  {GRADE_CHOICES}")
    outcome = session.grade(rating)
    term.say(f"  graded {outcome.rating.name}")
    return outcome


def ask_choice(term: _Terminal, session: StudySession, ask: Ask) -> Outcome:
    """A multiple-choice card: the number of an option; then right or wrong, with the right option and why."""
    card = ask.item
    term.say(card.question)
    for number, option in enumerate(card.options, start=1):
        term.say(f"  {number}. {option}")
    n = len(card.options)
    while True:
        text = _read(term, f"answer 1-{n}: ").strip()
        if text.isdigit() and 1 <= int(text) <= n:
            break
        term.say(f"  type a number from 1 to {n} (or q to quit)")
    outcome = session.choose(int(text) - 1)
    right = card.correct if card.correct is not None else -1
    answer = card.options[right] if 0 <= right < n else card.answer
    term.say(f"{'✓ correct' if outcome.verdict == 'correct' else '✗ wrong'}: {right + 1}. {answer}")
    if card.note:
        term.say(_indent(f"why: {card.note}"))
    return outcome


ASKERS: Mapping[str, Asker] = {"drill": ask_drill, "flashcard": ask_card, "mcq": ask_choice}
"""How plain mode asks each kind of question (Ask.kind)."""


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
    to the progress store in ``data_dir`` as it is graded, and a wrong one comes back with new numbers after
    its learning step. ``now`` fixes the clock (tests)."""
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
    with open_store(data_dir) as store:
        if store is None:
            return 1
        seed = _seed(seed, term)
        term.say("Type an answer and press Enter (numbers, expressions such as sqrt(2/9), shapes 16x16, vectors [0.1, 0.9]);")
        term.say(f"? shows a hint (a right answer then counts half), Enter alone: I don't know. {HELP_KEYS}")
        drills = DrillSession(templates, seed=seed, level=level)
        session = StudySession(store, clock=clock_at(now), seed=seed, settings=study_settings(data_dir), drills=drills, count=count)
        total = f"/{count}" if count else ""

        def header(ask: Ask) -> str:
            if ask.again:
                return f"again, new numbers · {ask.item.topic} · {ask.item.level}"
            return f"drill {drills.answered + 1}{total} · {ask.item.topic} · {ask.item.level} · streak {drills.streak}"

        try:
            status = run_session(term, session, header, ASKERS)
        except GenerationError:
            # Every template of the selection failed at this level (a deck's impossible template):
            # `DrillSession.next` only gives up when none is left.
            error(f"quizapp: {cannot_generate(drills.templates, drills.level)}")
            status = 1
        if status == 130:
            term.say("")
        term.say(_score_line(session))
        return status


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
    answer is saved to the progress store in ``data_dir`` as it is graded, and a question answered Again
    comes back after its learning step (a computation with new numbers). ``now`` fixes the clock (tests)."""
    term = _Terminal(stdin, stdout)
    mismatch = bank.mismatch(topics)
    if mismatch:
        error(f"quizapp: {mismatch}")
        return 1
    with open_store(data_dir) as store:
        if store is None:
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
        term.say(f"{HELP_DRILL} {HELP_KEYS}")
        questions = [item.drill if item.drill is not None else item.card for item in items]
        session = StudySession(store, questions, clock=clock_at(now), seed=seed, settings=study_settings(data_dir), templates=templates)

        def header(ask: Ask) -> str:
            if ask.again:
                return f"question again · {ask.item.topic} · {ask.kind}"
            return f"question {session.taken}/{len(items)} · {ask.item.topic} · {ask.kind}"

        status = run_session(term, session, header, ASKERS)
        if status == 130:
            term.say("")
        term.say(_score_line(session))
        return status


HELP_DRILL = "Computations: type the value (? shows a hint; a right answer then counts half; Enter alone: I don't know)."
"""How a computation is answered, as the help lines of quiz and review say it."""


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
