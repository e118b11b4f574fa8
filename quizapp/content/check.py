"""Provides `quizapp check`: every problem of a set of decks as ``file:line: message``, and an exit code.

Beyond what the loader reports, it looks for duplicate ids and empty answers across the bank, and
generates ``instances`` instances of every drill template at every level, so a template whose
``where`` no draw satisfies, or whose solver refuses its numbers, is caught before a user meets it.
Each generated instance is also checked against itself: its printed answer, typed back, must be
graded correct (so the precision printed and the tolerance agree). And every number that varies
from one instance to the next must be shown by the ``ask`` text, or the question cannot be
answered as asked (a hard level that draws ``dilation: [1, 2]`` under an ask that never says it).

An error names a drill whose numbers let one of its typical mistakes (the solver's misconceptions)
give the right answer within the tolerance in any instance generated (the generator redraws such
numbers, so this is a template whose draws rarely avoid it), and one whose mistake gives the right
answer in every instance at a level, so it can never be named there ("dead"): vary the numbers so
it shows, or list it under the level's ``not_tested``. A mistake that changes only another part of
the solver's result (V's width when the scores' shape is asked) is not the question's. Warnings say
a drill or a card gives itself away: a template that asks fewer than
``MIN_DISTINCT`` distinct questions at a level (its answers can be learnt by heart; a template that
cannot do better says why in a ``# few distinct: why`` comment), and a multiple-choice card whose
right option is the longest by a clear margin (the length alone points at it).
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from quizapp.content.model import Bank, ContentProblem, Deck, SourceRef

if TYPE_CHECKING:
    from quizapp.content.drill import Domain, DrillTemplate

__all__ = [
    "MIN_DISTINCT",
    "SECONDS_PER_DECK",
    "CheckReport",
    "Distinct",
    "MistakeTally",
    "check_bank",
    "estimated_questions",
    "give_away_option",
    "hidden_parameters",
    "run",
]

_NAME = re.compile(r"[A-Za-z_]\w*")
_MANY = 10_000
"""A list with more values than this counts as varying without comparing them."""


MIN_DISTINCT = 30
"""Fewer distinct questions than this at a level and a user soon meets the same numbers again."""

_DISTINCT_DRAWS = 60
"""Draws a level needs before its distinct count is judged (fewer could not show 30 by chance)."""

SECONDS_PER_DECK = 6.0
"""How long ``check`` generates drills for one deck by default: a deck of thousands of templates is
checked in bounded time, and says how far it got (the shipped decks take a second or two each)."""


def run(
    paths: list[Path],
    *,
    extra: list[Path],
    bundled: bool,
    instances: int = 200,
    seconds_per_deck: float | None = SECONDS_PER_DECK,
    counts: bool = False,
    out: TextIO | None = None,
) -> int:
    """Check ``paths`` (none: the shipped bank) plus ``extra``; print problems and a summary; 0 if clean, else 1.

    ``counts``: also print, for every template, its distinct questions per level.
    """
    from quizapp.content.loader import load_bank
    from quizapp.textsafe import printable

    out = out if out is not None else sys.stdout
    if paths:
        bank = load_bank([*paths, *extra], bundled=False)
    else:
        bank = load_bank(list(extra), bundled=bundled)
    problems, generated, distinct = check_bank(bank, instances=instances, seconds_per_deck=seconds_per_deck)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for p in problems:
        label = "" if p.severity == "error" else f"{p.severity}: "
        out.write(printable(f"{p.source}: {label}{p.message}") + "\n")
    if counts:
        for d in distinct:
            levels = ", ".join(f"{level} {n} of {draws}" for level, n, draws in d.levels)
            out.write(printable(f"{d.source}: drill {d.template_id!r}: distinct questions {levels}") + "\n")

    kinds = Counter(str(c.kind) for d in bank.decks for c in d.cards)
    n_cards = sum(kinds.values())
    by_kind = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
    n_templates = sum(len(d.templates) for d in bank.decks)
    out.write(
        f"checked {len(bank.decks)} deck{'s' if len(bank.decks) != 1 else ''}: "
        f"{n_cards} card{'s' if n_cards != 1 else ''} ({by_kind or 'none'}), "
        f"{n_templates} drill template{'s' if n_templates != 1 else ''}, "
        f"{generated} instances generated{_fewest(distinct)}; {len(errors)} error{'s' if len(errors) != 1 else ''}, "
        f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}\n"
    )
    return 1 if errors else 0


class Distinct(NamedTuple):
    """How many distinct questions a template asked at each level: (level, distinct, draws)."""

    template_id: str
    source: SourceRef
    levels: tuple[tuple[str, int, int], ...]


_JUDGE_DRAWS = 20
"""Draws before a mistake never named is judged: in fewer, one about another part of the result (the
scores' shape when the output's is asked) may have matched the whole answer on every draw."""


class MistakeTally:
    """How one template's typical mistakes fared over the instances drawn at one level.

    A mistake gives the right answer in an instance when the tolerance accepts its value as the
    answer (``coincident``), or when it leaves the asked part as it is (``unrelated``) while other
    numbers let it change that part (it bears on the question, and these numbers hide it). One never
    named and unrelated on some numbers is about another part of the solver's result (V's width when
    the scores' shape is asked): not the question's; one never named is judged only after
    _JUDGE_DRAWS draws. The level's ``not_tested`` names are not counted.
    """

    __slots__ = ("coincident", "draws", "named", "slips", "unrelated", "untested")

    def __init__(self, untested: frozenset[str] = frozenset()) -> None:
        self.untested = untested
        self.draws = 0
        self.named: Counter[str] = Counter()
        self.coincident: Counter[str] = Counter()
        self.unrelated: Counter[str] = Counter()
        self.slips: Counter[str] = Counter()
        """Generic slips the tolerance accepts (an answer too close to 0 for its precision): always counted."""

    def add(self, inst) -> None:
        """Count one generated DrillInstance."""
        self.draws += 1
        # a mistake sharing its value with an earlier one is still marked wrong
        self.named.update({m.name for m in inst.misconceptions} | {name for name, _ in inst.shared})
        self.coincident.update(set(inst.coincident))
        self.unrelated.update(set(inst.unrelated) - set(inst.coincident))
        self.slips.update(f"{name} (a generic slip)" for name in inst.slips)

    def giving_answer(self) -> dict[str, int]:
        """mistake -> instances in which it gives the right answer (none listed for a clean level)."""
        out = {}
        for name in (self.coincident | self.unrelated).keys() - self.untested:
            if not self.named[name] and (self.unrelated[name] or self.draws < _JUDGE_DRAWS):
                continue  # about another part, or too few draws to tell whether it is
            out[name] = self.coincident[name] + self.unrelated[name]
        out.update(self.slips)
        return out

    def dead(self) -> list[str]:
        """The mistakes that give the right answer in every instance: the level can never name them."""
        return sorted(name for name, n in self.giving_answer().items() if n >= self.draws)

    def tested_after_all(self) -> dict[str, int]:
        """``not_tested`` mistakes that some instance names after all: mistake -> instances naming it."""
        return {name: self.named[name] for name in sorted(self.untested) if self.named[name]}

    def never_seen(self) -> list[str]:
        """``not_tested`` names the solver never gave at this level (a typo, or a mistake of another solver)."""
        seen = self.named | self.coincident | self.unrelated
        return sorted(name for name in self.untested if not seen[name])


class CheckReport(NamedTuple):
    """What check_bank found: problems in file order, instances generated, distinct counts per template."""

    problems: list[ContentProblem]
    generated: int
    distinct: list[Distinct]


def _fewest(distinct: list[Distinct]) -> str:
    """", fewest distinct questions 12 (drill 'x', easy)" for the summary line, or ""."""
    judged = [(n, d.template_id, level) for d in distinct for level, n, draws in d.levels if draws >= _DISTINCT_DRAWS]
    if not judged:
        return ""
    n, template_id, level = min(judged)
    return f", fewest distinct questions {n} (drill {template_id!r}, {level})"


def check_bank(
    bank: Bank,
    *,
    instances: int = 200,
    seconds_per_deck: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> CheckReport:
    """(problems in file order, number of drill instances generated, distinct questions per template).

    Each deck's templates are generated ``instances`` times at each level, in rounds (seed 0 of every
    template, then seed 1, ...), for at most ``seconds_per_deck`` by ``clock`` (None: no limit); a deck
    cut short gets a warning saying how far its check got.
    """
    problems: list[ContentProblem] = list(bank.all_problems())
    problems += _duplicates(bank)
    problems += _empty_answers(bank)
    problems += _give_aways(bank)
    problems += _hint_leaks(bank)
    generated = 0
    distinct: list[Distinct] = []
    for deck in bank.decks:
        found, n, counted = _check_templates(deck, instances, seconds_per_deck, clock)
        problems += found
        generated += n
        distinct += counted
        for template, d in zip(deck.templates, counted):
            problems += _unshown(template)
            problems += _few(template, d)

    # One line per distinct problem, in file order.
    seen: set[tuple[str, int, str]] = set()
    unique = []
    for p in problems:
        key = (p.source.path, p.source.line, p.message)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    unique.sort(key=lambda p: (p.source.path, p.source.line))
    return CheckReport(unique, generated, distinct)


def estimated_questions(distinct: int, draws: int) -> float:
    """How many questions a level can ask, estimated from ``distinct`` seen in ``draws``: the S with
    S·(1 − e^(−draws/S)) = distinct, the count expected from S equally likely questions (60 draws
    of 40 questions show about 31; of 25, about 23). Infinite when every draw was new."""
    import math

    if distinct >= draws:
        return math.inf
    lo, hi = float(distinct), float(distinct)
    while hi * -math.expm1(-draws / hi) < distinct:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if mid * -math.expm1(-draws / mid) < distinct:
            lo = mid
        else:
            hi = mid
    return hi


def _few(template: DrillTemplate, distinct: Distinct) -> list[ContentProblem]:
    """A warning when a level, drawn often enough to tell, asked fewer than MIN_DISTINCT distinct
    questions, can ask fewer than that by estimate (a short run sees only some of a level's
    questions), and the template does not say why it cannot."""
    few = [
        (level, n, draws)
        for level, n, draws in distinct.levels
        if draws >= _DISTINCT_DRAWS and n < MIN_DISTINCT and estimated_questions(n, draws) < MIN_DISTINCT
    ]
    if not few or template.few_distinct:
        return []
    where = ", ".join(f"{n} at {level}" for level, n, _ in few)
    return [
        ContentProblem(
            template.source,
            f"drill {template.id!r} asks few distinct questions ({where}, in {few[0][2]} draws; at least {MIN_DISTINCT} "
            "wanted): widen its parameters, or say why it cannot in a '# few distinct: why' comment",
            "warning",
        )
    ]


_CLEAR_MARGIN = 1.3
"""The right option is a give-away when it is this many times as long as the longest other one..."""
_CLEAR_CHARS = 12
"""...and longer by at least this many characters (so short options such as "ReLU" vs "GELU" pass)."""


def give_away_option(options: tuple[str, ...] | list[str], correct: int) -> bool:
    """Is the right option the longest by a clear margin: len ≥ 1.3 × every other and 12 characters more?"""
    others = [len(o.strip()) for i, o in enumerate(options) if i != correct]
    if not others or not 0 <= correct < len(options):
        return False
    right, longest = len(options[correct].strip()), max(others)
    return right >= _CLEAR_MARGIN * longest and right - longest >= _CLEAR_CHARS


def _give_aways(bank: Bank) -> list[ContentProblem]:
    out = []
    for deck in bank.decks:
        for card in deck.cards:
            if card.options and card.correct is not None and give_away_option(card.options, card.correct):
                out.append(
                    ContentProblem(
                        card.source,
                        f"multiple choice {card.id!r}: the right option is the longest by far, so its length gives it away "
                        "(move reasons into Why:, or balance the options)",
                        "warning",
                    )
                )
    return out


def _duplicates(bank: Bank) -> list[ContentProblem]:
    out = []
    first_card: dict[str, SourceRef] = {}
    first_template: dict[str, SourceRef] = {}
    for deck in bank.decks:
        for card in deck.cards:
            if card.id in first_card:
                out.append(ContentProblem(card.source, f"duplicate card id {card.id!r} (first at {first_card[card.id]})"))
            else:
                first_card[card.id] = card.source
        for t in deck.templates:
            if t.id in first_template:
                out.append(ContentProblem(t.source, f"duplicate drill id {t.id!r} (first at {first_template[t.id]})"))
            else:
                first_template[t.id] = t.source
    return out


def _empty_answers(bank: Bank) -> list[ContentProblem]:
    out = []
    for deck in bank.decks:
        for card in deck.cards:
            if not card.question.strip():
                out.append(ContentProblem(card.source, "card with an empty question"))
            if not card.answer.strip():
                out.append(ContentProblem(card.source, f"card {card.id!r} has an empty answer"))
            if card.options and (card.correct is None or not 0 <= card.correct < len(card.options)):
                out.append(ContentProblem(card.source, f"multiple choice {card.id!r} has no correct option"))
    return out


def _check_templates(
    deck: Deck, instances: int, seconds: float | None, clock: Callable[[], float]
) -> tuple[list[ContentProblem], int, list[Distinct]]:
    """Generate each template of ``deck`` ``instances`` times at each level, seed by seed across the
    templates, within ``seconds``; report the first failure of a template at each level, once for
    all the levels it shares. Returns (problems, instances generated, distinct questions per template
    in the deck's order)."""
    from quizapp.answers import AnswerError, Verdict, check
    from quizapp.content.drill import LEVELS
    from quizapp.generate import GenerationError, generate

    templates = deck.templates
    failures: dict[tuple[int, str, int, str], list[str]] = {}  # (template, path, line, reason) -> levels
    stopped: set[tuple[int, str]] = set()  # (template, level) that failed: not generated again
    asked: dict[tuple[int, str], set[int]] = {}  # (template, level) -> hashes of the questions asked
    draws: Counter[tuple[int, str]] = Counter()
    tallies: dict[tuple[int, str], MistakeTally] = {}
    generated = 0
    deadline = None if seconds is None else clock() + seconds
    rounds, tried = 0, 0  # complete rounds; templates tried in the round under way
    out_of_time = False
    for seed in range(instances):
        for k, template in enumerate(templates):
            for level in LEVELS:
                if (k, level) in stopped:
                    continue
                reason = line = None
                try:
                    inst = generate(template, seed, level)
                except GenerationError as exc:
                    line, reason = exc.line, _explain(template, level, exc)
                except Exception as exc:
                    reason = f"seed {seed}: {type(exc).__name__}: {exc}"
                else:
                    generated += 1
                    draws[k, level] += 1
                    asked.setdefault((k, level), set()).add(hash(inst.question))
                    tally = tallies.get((k, level))
                    if tally is None:
                        tally = tallies[k, level] = MistakeTally(template.untested(level))
                    tally.add(inst)
                    message = _self_check(inst, check, AnswerError, Verdict)
                    if message:
                        reason = f"seed {seed}: {message}"
                if reason is not None:
                    stopped.add((k, level))
                    path = template.source.path
                    failures.setdefault((k, path, template.source.line if line is None else line, reason), []).append(level)
            tried = k + 1
            if deadline is not None and clock() > deadline:
                out_of_time = True
                break
        if out_of_time:
            break
        rounds, tried = seed + 1, 0
    problems = []
    for (k, level), tally in tallies.items():
        problems += _mistake_problems(templates[k], level, tally)
    for (k, path, line, reason), levels in failures.items():
        where = "at every level" if len(levels) == len(LEVELS) else f"at level {', '.join(sorted(levels, key=LEVELS.index))}"
        problems.append(ContentProblem(SourceRef(path, line), f"drill {templates[k].id!r} {where}: {reason}"))
    if out_of_time and rounds < instances:
        if rounds == 0:
            done = f"only {tried:,} of its {len(templates):,} drill templates were generated once"
        else:
            done = f"each of its drill templates was generated {rounds} times at each level, not {instances}"
        problems.append(
            ContentProblem(
                SourceRef(str(deck.path), 0),
                f"check stopped after {seconds:g} s: {done} (--time-limit 0 checks everything)",
                "warning",
            )
        )
    counted = [
        Distinct(t.id, t.source, tuple((level, len(asked.get((k, level), ())), draws[k, level]) for level in LEVELS))
        for k, t in enumerate(templates)
    ]
    return problems, generated, counted


def _mistake_problems(template: DrillTemplate, level: str, tally: MistakeTally) -> list[ContentProblem]:
    """Errors for the typical mistakes that give the right answer at ``level`` (dead ones, that do in
    every instance, said so); warnings for ``not_tested`` names that are tested or never given."""
    out = []
    head = f"drill {template.id!r} at level {level}"
    dead = set(tally.dead())
    for name, n in sorted(tally.giving_answer().items()):
        if name in dead:
            message = (
                f"{head}: the mistake {name!r} gives the right answer in every one of {n} instances, so it can "
                f"never be named: vary the numbers so it shows, or list it under not_tested for {level} (say why)"
            )
        else:
            message = (
                f"{head}: the mistake {name!r} gives the right answer in {n} of {tally.draws} instances, so they "
                "cannot tell it from the method: narrow the numbers so it always shows"
            )
        out.append(ContentProblem(template.source, message))
    for name, n in tally.tested_after_all().items():
        out.append(
            ContentProblem(
                template.source,
                f"{head}: not_tested lists {name!r}, but {n} of {tally.draws} instances name it: remove it from "
                "not_tested so the generator redraws the numbers on which it gives the answer",
                "warning",
            )
        )
    for name in tally.never_seen() if tally.draws >= _DISTINCT_DRAWS else ():
        out.append(
            ContentProblem(
                template.source,
                f"{head}: not_tested lists {name!r}, a mistake solver {template.solver} never gave in {tally.draws} instances",
                "warning",
            )
        )
    return out


def _explain(template, level: str, exc) -> str:
    """The generator's reason, made exact for a ``where`` over finite lists: none or how few of the
    combinations satisfy it."""
    from quizapp.generate import where_census

    if "`where`" not in exc.reason:
        return exc.reason
    census = where_census(template, level)
    if census is None:
        return exc.reason
    satisfied, total = census
    if satisfied == 0:
        return f"no combination of the {total} parameter combinations satisfies `where`"
    return f"only {satisfied} of {total} parameter combinations satisfy `where`: draws rarely find one ({exc.reason})"


def _self_check(inst, check, AnswerError, Verdict) -> str:
    """'' when the printed answer is graded correct and no misconception is; else what is wrong."""
    if not inst.answer_text.strip():
        return "empty answer"
    try:
        result = check(inst.answer_text, inst.answer, inst.tolerance, misconceptions=inst.misconceptions, form=inst.form)
    except AnswerError as exc:
        return f"the printed answer {inst.answer_text!r} cannot be read back: {exc}"
    if result.verdict is not Verdict.CORRECT:
        return f"the printed answer {inst.answer_text!r} is not graded correct ({result.message})"
    return ""


def _unshown(template: DrillTemplate) -> list[ContentProblem]:
    """An error when the ask hides a number that varies (see hidden_parameters)."""
    hidden = hidden_parameters(template)
    if not hidden:
        return []
    names = ", ".join(hidden)
    add = " ".join(f"{{{name}}}" for name in hidden)
    return [
        ContentProblem(
            template.source,
            f"drill {template.id!r}: {names} {'varies' if len(hidden) == 1 else 'vary'} between instances but the ask "
            f"never shows {'it' if len(hidden) == 1 else 'them'}, so the question cannot be answered as asked (add {add} to ask)",
        )
    ]


def hidden_parameters(template: DrillTemplate) -> list[str]:
    """The parameters and derived values that vary between instances but that the ``ask`` text does not show.

    A parameter varies when the values it can take, over every level, are more than one (a level that
    does not draw a solver parameter uses the solver's default, so ``hard: {dilation: [2]}`` varies it
    too); a derived value or a text parameter varies when something it is made from varies. What the
    ask shows: its placeholders; what a shown text parameter or derived value is made from; and any
    text parameter or derived value made only from shown or fixed values (the reader can work it out).
    """
    import solvers
    from quizapp.content.drill import LEVELS, PLACEHOLDER, Const

    spec = solvers.get(template.solver)
    defaults = {p.name: p.default for p in spec.params if not p.required}
    names = dict.fromkeys([*dict(template.params), *(name for _, over in template.levels for name, _ in over)])
    derived = [d.name for d in template.derive]
    known = set(names) | set(derived)

    varies: set[str] = set()
    made_of: dict[str, set[str]] = {}  # text parameters and derived values -> the names they are made from
    for name in names:
        values: set[str] = set()
        many = False
        for level in LEVELS:
            dom = template.domains(level).get(name)
            if dom is None:
                if name not in defaults:
                    continue
                dom = Const(defaults[name])
            for text in _texts(dom):
                made_of.setdefault(name, set()).update(m.group(1) for m in PLACEHOLDER.finditer(text))
            drawn = _values(dom)
            if drawn is None:
                many = True
            else:
                values |= drawn
        if many or len(values) > 1:
            varies.add(name)
    for d in template.derive:
        made_of[d.name] = {n for n in _NAME.findall(d.text) if n in known}

    changed = True
    while changed:  # a value made from a varying one varies
        changed = False
        for name, parts in made_of.items():
            if name not in varies and parts & varies:
                varies.add(name)
                changed = True

    shown = {m.group(1) for m in PLACEHOLDER.finditer(template.ask)}
    changed = True
    while changed:
        changed = False
        for name, parts in made_of.items():
            if name in shown and not parts <= shown:
                shown |= parts  # shown through the text or derived value it is part of
                changed = True
            elif name not in shown and parts and all(p in shown or p not in varies for p in parts):
                shown.add(name)  # worked out from what is shown
                changed = True
    order = [*names, *derived]
    return [name for name in order if name in varies and name not in shown]


def _texts(dom: Domain) -> list[str]:
    """The strings of a domain that have placeholders (a text parameter, or a list of them)."""
    from quizapp.content.drill import PLACEHOLDER, Choice, Text

    if isinstance(dom, Text):
        return [dom.text]
    if isinstance(dom, Choice):
        return [v for v in dom.values if isinstance(v, str) and PLACEHOLDER.search(v)]
    return []


def _values(dom: Domain) -> set | None:
    """The values a domain can draw (lists made tuples, to be hashable), or None when they are many."""
    from quizapp.content.drill import ArrayDomain, IntRange, Uniform

    if isinstance(dom, Uniform):
        return {dom.lo} if dom.lo == dom.hi else None
    if isinstance(dom, IntRange):  # counted, not listed: a range may span millions
        return {dom.lo} if (dom.hi - dom.lo) // dom.step == 0 else None
    if isinstance(dom, ArrayDomain):
        element = _values(dom.element)
        return None if element is None or len(element) > 1 else {(dom.shape, *element)}
    finite = dom.finite()
    if finite is None or len(finite) > _MANY:
        return None
    return {_hashable(v) for v in finite}


def _hashable(value):
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value


# --------------------------------------------------------------------------- hints that state the answer
# Self-contained (one call line in check_bank): the hint a user sees is the template's ``hint`` or,
# without one, the first worked step; a step that already holds the answer turns `?` into the answer.

HINT_DRAWS = 20
"""Draws per template and level whose hint is compared with the answer."""

_HINT_NUMBER = re.compile(r"(?<![\w.])[−-]?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?:[eE][−+-]?\d+)?")
"""A number as worked steps write it: 4608, 4,608, −0.577, 1.2e−5 (thousands separators without a space)."""


def _hint_numbers(text: str) -> list[float]:
    out = []
    for m in _HINT_NUMBER.finditer(text):
        token = m.group(0).replace("−", "-").replace(",", "")
        try:
            out.append(float(token))
        except ValueError:
            continue
    return out


def _flat(value) -> list[float] | None:
    """A scalar, vector or matrix answer as a flat list of floats; None for a shape."""
    if isinstance(value, tuple):
        return None
    if isinstance(value, list):
        flat: list = []
        for v in value:
            flat.extend(v if isinstance(v, list) else [v])
        return [float(v) for v in flat]
    return [float(value)]


def hint_states_answer(inst, constants: frozenset[float] = frozenset()) -> bool:
    """Does the hint shown for ``inst`` (its hint, else its first worked step) state its answer?

    Yes when a vector, matrix or shape answer as printed stands in the hint, or when the hint's
    numbers hold the answer, each entry in order, within the instance's tolerance. ``constants`` are
    numbers the hint shows whatever the draw (the 2 of "1 − 2·lr"): one of them equal to a scalar
    answer is the wording, not the answer.
    """
    text = inst.hint or (inst.steps[0] if inst.steps else "")
    if not text:
        return False
    answer_text = inst.answer_text.strip()
    if inst.form in ("vector", "matrix", "shape") and answer_text:
        # as a whole token: the shape 6×2 is not stated by 16×2
        printed = re.escape(answer_text.replace("-", "−"))
        if re.search(rf"(?<![\w.]){printed}(?!\w|\.\d)", text.replace("-", "−")):
            return True
    wanted = _flat(inst.answer)
    if wanted is None:
        return False
    found = _hint_numbers(text)
    n = len(wanted)
    for i in range(len(found) - n + 1):
        run = found[i : i + n]
        if all(inst.tolerance.allows(x, y) for x, y in zip(run, wanted)) and not all(x in constants for x in run):
            return True
    return False


def _hint_leaks(bank: Bank, draws: int = HINT_DRAWS) -> list[ContentProblem]:
    """A warning per template and level whose shown hint states the answer in any of ``draws`` draws."""
    from quizapp.content.drill import LEVELS
    from quizapp.generate import GenerationError, generate

    out = []
    for deck in bank.decks:
        for template in deck.templates:
            if template.hint and not re.search(r"\d", template.hint):
                continue  # a hint of its own without a digit cannot state a number (and is the same every draw)
            for level in LEVELS:
                instances = []
                for seed in range(draws):
                    try:
                        instances.append(generate(template, seed, level))
                    except GenerationError:
                        break  # reported by the generation check
                if not instances:
                    continue
                hints = [inst.hint or (inst.steps[0] if inst.steps else "") for inst in instances]
                constants = frozenset.intersection(*(frozenset(_hint_numbers(h)) for h in hints)) if len(instances) > 1 else frozenset()
                leaking = [inst for inst in instances if hint_states_answer(inst, constants)]
                if leaking:
                    example = leaking[0]
                    shown = "its hint" if example.hint else "its first worked step, shown as the hint,"
                    out.append(
                        ContentProblem(
                            template.source,
                            f"drill {template.id!r} at level {level}: {shown} states the answer in {len(leaking)} of "
                            f"{len(instances)} draws (seed {example.seed}: answer {example.answer_text}, hint "
                            f"{(example.hint or example.steps[0])!r}); write a hint that does not give it away",
                            "warning",
                        )
                    )
    return out
