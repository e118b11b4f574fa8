"""Provides drill generation: a template and a seed -> a concrete question with its solved answer.

``generate(template, seed, level)`` is a pure function of its arguments: the random stream is seeded
from sha256(template id, seed, level), so the same call asks the same question on every machine
and every run.
"""

from __future__ import annotations

import functools
import math
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import solvers
from quizapp.content.drill import LEVELS, PLACEHOLDER, AnswerSpec, DrillTemplate, Text
from quizapp.digest import sha256
from quizapp.slips import accepted_slips
from quizapp.tolerance import Tolerance
from solvers import Misconception, Solution
from solvers._core import numpy_types, same_value, to_plain

__all__ = [
    "MAX_TRIES",
    "DrillInstance",
    "GenerationError",
    "format_answer",
    "format_number",
    "generate",
    "precision_text",
    "telling_mistakes",
    "where_census",
]

MAX_TRIES = 200
"""Draws tried before a template is declared unsatisfiable at a level."""


@dataclass(frozen=True)
class DrillInstance:
    """One asked drill: parameters drawn, answer solved, precision stated.

    ``question`` already ends with the precision asked for, e.g. "(integer)" or "(3 significant
    figures)". ``answer`` is the expected value after ``select`` (int, float, tuple or nested lists);
    ``answer_text`` is how the app prints it. ``steps`` are terminal text (Unicode formulas).
    ``misconceptions`` carry values of the same structure as ``answer``.
    """

    template_id: str
    deck: str
    topic: str
    seed: int
    level: str
    params: dict[str, Any]
    question: str
    answer: Any
    answer_text: str
    form: str  # integer | decimal | shape | vector | matrix | percent
    tolerance: Tolerance
    steps: tuple[str, ...]
    misconceptions: tuple[Misconception, ...] = ()
    hint: str = ""
    precision: str = ""
    """The precision asked for, without brackets: "integer", "3 significant figures", ..."""
    details: tuple[tuple[str, Any], ...] = ()
    """The solver's further results (e.g. a descent trajectory), as in ``Solution.details``."""
    question_mathjax: str = ""
    """``question`` with the ask's ``$...$`` formulas as MathJax ``\\(latex\\)`` for the exports that show it
    (Anki); empty when the ask has no formula."""
    coincident: tuple[str, ...] = ()
    """Names of the solver's misconceptions whose value the tolerance accepts as the answer, as
    computed or as typed at the asked precision: for these numbers that mistake gives the right
    answer, so the drill cannot tell it apart."""
    slips: tuple[str, ...] = ()
    """Names of the generic slips (quizapp.slips) the tolerance accepts as the answer: an answer
    too close to 0 for its precision, whose tenth or negation rounds to the same."""
    unrelated: tuple[str, ...] = ()
    """Names of the solver's misconceptions that change another part of its result but leave the
    asked part as it is (V's width when the scores' shape is asked). Not a mistake this question
    can show, unless the same mistake changes the asked part on other numbers of the template."""
    shared: tuple[tuple[str, str], ...] = ()
    """(name, kept name) of each misconception whose wrong answer is that of an earlier one: it is
    marked wrong under the kept name (padding added once at stride = padding is one +1 short)."""

    @property
    def id(self) -> str:
        return f"{self.template_id}@{self.seed}"


class GenerationError(ValueError):
    """A template that cannot produce an instance at a level; the message names the template and why."""

    def __init__(self, template: DrillTemplate, level: str, message: str, line: int | None = None) -> None:
        self.template_id = template.id
        self.level = level
        self.line = template.source.line if line is None else line
        self.path = template.source.path
        self.reason = message
        super().__init__(f"drill {template.id!r} ({level}): {message}")


# --------------------------------------------------------------------------- plan (once per template and level)


class _Plan(NamedTuple):
    """What generate needs for one template at one level, worked out once."""

    draws: tuple[tuple[str, Callable[[random.Random], Any]], ...]
    defaults: tuple[tuple[str, Any], ...]
    texts: tuple[str, ...]
    derive: tuple[Any, ...]
    where: tuple[Any, ...]
    solve: Callable[..., Solution]
    solver_args: tuple[str, ...]
    shape_params: frozenset[str]
    parts: tuple[str, ...]
    ask: str
    tolerance: Tolerance
    ask_mathjax: str = ""


@functools.lru_cache(maxsize=4096)
def _plan(template: DrillTemplate, level: str) -> _Plan:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    spec = _solver(template.solver)
    domains = template.domains(level)
    taken = {p.name: p for p in spec.params}
    # A solver parameter that only some level draws (dilation at hard) takes its default elsewhere,
    # so ask/where/derive can always refer to it.
    defaults = []
    for _, over in template.levels:
        for name, _dom in over:
            if name not in domains and name in taken and not taken[name].required and name not in dict(defaults):
                defaults.append((name, taken[name].default))
    texts = tuple(name for name, dom in domains.items() if isinstance(dom, Text) or _may_be_text(dom))
    names = set(domains) | {d.name for d in template.derive} | {n for n, _ in defaults}
    return _Plan(
        draws=tuple((name, dom.draw) for name, dom in domains.items()),
        defaults=tuple(defaults),
        texts=texts,
        derive=template.derive,
        where=template.where,
        solve=spec.solve,
        solver_args=tuple(n for n in taken if n in names),
        shape_params=frozenset(n for n, p in taken.items() if p.kind == "shape"),
        parts=spec.parts,
        ask=_ask_text(template.ask),
        tolerance=_tolerance(template.answer),
        ask_mathjax=_ask_mathjax(template.ask),
    )


def _ask_text(ask: str) -> str:
    """The ask as terminal text (``code`` and $math$ rendered, markup stripped), placeholders kept.

    Rendered once, before any number is filled in, so a drawn value such as ``(w - 3)**2`` is never
    read as markup. If rendering would touch a placeholder, the ask is used as written.
    """
    if not any(c in ask for c in "$`*\\<["):
        return ask
    from quizapp.content.mathtext import render_text

    rendered = render_text(ask)
    if PLACEHOLDER.findall(rendered) != PLACEHOLDER.findall(ask):
        return ask
    return rendered


_MATHJAX_SPAN = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)


def _ask_mathjax(ask: str) -> str:
    """The ask with its formulas as MathJax ``\\(latex\\)``, placeholders kept; "" when it has no formula.

    A placeholder inside a formula is braced, ``{{n}}``, so the number filled in is one TeX group
    (``\\frac{{n}}{2}`` with n = 12 reads 12/2, not 1/2 followed by 2). The ask must keep every
    placeholder, else "" (the export then shows the terminal text).
    """
    if "$" not in ask:
        return ""
    from quizapp.content.mathtext import has_formulas, mathjax_text, render_text

    marked = render_text(ask, keep_source=True)
    if not has_formulas(marked):
        return ""
    text = _MATHJAX_SPAN.sub(lambda m: PLACEHOLDER.sub(lambda p: "{" + p.group(0) + "}", m.group(0)), mathjax_text(marked))
    return text if PLACEHOLDER.findall(text) == PLACEHOLDER.findall(ask) else ""


@functools.cache
def _solver(name: str) -> solvers.SolverSpec:
    return solvers.get(name)


def _may_be_text(dom: Any) -> bool:
    values = getattr(dom, "values", ())
    return any(isinstance(v, str) and PLACEHOLDER.search(v) for v in values)


def _seed_int(template_id: str, seed: int, level: str) -> int:
    """A 64-bit seed from sha256 of (template id, seed, level): stable across runs and machines."""
    digest = sha256(f"{template_id}\x1f{seed}\x1f{level}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


# --------------------------------------------------------------------------- generate


MAX_REDRAWS = 300
"""Draws tried, beyond the first solvable one, for numbers on which no telling mistake gives the answer."""

_PROBES = 16
"""Instances drawn once per template and level to learn which of its mistakes bear on the asked part."""


def generate(template: DrillTemplate, seed: int, level: str = "medium") -> DrillInstance:
    """Draw parameters (redrawing until every ``where`` holds and the solver accepts them), solve,
    select the asked part and state the question with its precision.

    Numbers on which one of the template's telling mistakes gives the right answer (forgetting a
    ReLU′ that is 1 for every unit, a step count one off after the descent has converged) are drawn
    again, up to MAX_REDRAWS times, so the drill can tell the mistake from the method. A mistake is
    telling when it changes the asked part for some of the template's numbers (see telling_mistakes);
    one about another part (V's width when the scores' shape is asked) never is, nor one the level
    lists under ``not_tested``. When no draw avoids them, the first draw is asked (check reports it).
    """
    return _generate(template, seed, level, None)


@functools.lru_cache(maxsize=4096)
def telling_mistakes(template: DrillTemplate, level: str) -> frozenset[str]:
    """The misconceptions that change the asked part on at least one of _PROBES probe instances at
    ``level`` (named there, or sharing the value of another named one): the mistakes the level can
    tell from the method. One that never changes it is about
    another part of the solver's result (V's width when the scores' shape is asked) or is not what
    the level tests (the floor of a conv output size at stride 1). The level's ``not_tested``
    names are left out: it says its numbers are not meant to show them.

    A pure function of the template and level (the probes use seeds of their own), so generate
    stays a pure function of its arguments.
    """
    names: set[str] = set()
    for probe in range(_PROBES):
        try:
            inst = _generate(template, -1 - probe, level, frozenset())
        except GenerationError:
            break  # generate reports the template's problem itself
        names.update(m.name for m in inst.misconceptions)
        names.update(name for name, _ in inst.shared)
    return frozenset(names - template.untested(level))


def _generate(template: DrillTemplate, seed: int, level: str, telling: frozenset[str] | None) -> DrillInstance:
    """generate, redrawing for the mistakes in ``telling`` (None: telling_mistakes(template), worked
    out only when a draw lets some mistake give the answer, so most questions never pay for it)."""
    plan = _plan(template, level)
    rng = random.Random(_seed_int(template.id, seed, level))
    failures: dict[str, int] = {}
    refused = 0
    last_error = ""
    first: DrillInstance | None = None
    redraws = 0
    tries = 0
    while tries < MAX_TRIES + redraws:  # a draw redone for a telling mistake does not use up a try
        tries += 1
        values: dict[str, Any] = dict(plan.defaults)
        for name, draw in plan.draws:
            values[name] = draw(rng)
        try:
            for d in plan.derive:
                values[d.name] = _tidy(d.evaluate(values))
        except (ArithmeticError, ValueError, TypeError) as exc:
            refused += 1
            last_error = f"derive {d.name}: {exc}"
            continue
        for name in plan.texts:
            if isinstance(values[name], str):
                values[name] = fill_text(values[name], values)
        failed = _first_false(plan.where, values)
        if failed is not None:
            failures[failed.text] = failures.get(failed.text, 0) + 1
            continue
        try:
            solution = plan.solve(**{n: values[n] for n in plan.solver_args})
        except ValueError as exc:  # the solver refuses these numbers: draw again
            refused += 1
            last_error = str(exc)
            continue
        inst = _instance(template, seed, level, values, solution, plan)
        if not inst.coincident and not inst.unrelated and not inst.slips:
            return inst
        if telling is None:
            telling = telling_mistakes(template, level)
        if telling.isdisjoint((*inst.coincident, *inst.unrelated)) and not inst.slips:  # a slip is always telling
            return inst
        first = first or inst
        if redraws == MAX_REDRAWS:
            break
        redraws += 1

    if first is not None:
        return first  # every draw let some mistake give the answer: the first is asked (check counts these)
    if not refused:
        clause = max(failures, key=failures.get)
        line = next(c.line for c in template.where if c.text == clause)
        raise GenerationError(template, level, f"no parameters satisfy `where` in {MAX_TRIES} draws (most often false: {clause})", line)
    where_note = f", {MAX_TRIES - refused} failed `where`" if failures else ""
    raise GenerationError(
        template, level, f"no solvable parameters in {MAX_TRIES} draws: {refused} refused{where_note} (last reason: {last_error})"
    )


def where_census(template: DrillTemplate, level: str = "medium", *, limit: int = 100_000) -> tuple[int, int] | None:
    """(combinations satisfying every ``where``, all combinations) at ``level``, when every domain
    is a finite list and there are at most ``limit`` combinations; None otherwise."""
    import itertools

    plan = _plan(template, level)
    domains = template.domains(level)
    sizes = [dom.size() for dom in domains.values()]
    if None in sizes or math.prod(sizes) > limit:  # counted before anything is listed: a range may span 10^12
        return None
    total = math.prod(sizes)
    finite = [(name, dom.finite()) for name, dom in domains.items()]
    names = [name for name, _ in finite]
    satisfied = 0
    for combo in itertools.product(*(values for _, values in finite)):
        values = dict(plan.defaults)
        values.update(zip(names, combo))
        try:
            for d in plan.derive:
                values[d.name] = _tidy(d.evaluate(values))
        except (ArithmeticError, ValueError, TypeError):
            continue
        if _first_false(plan.where, values) is None:
            satisfied += 1
    return satisfied, total


def _first_false(clauses: tuple[Any, ...], values: Mapping[str, Any]) -> Any:
    """The first ``where`` clause that does not hold (one that cannot be evaluated, e.g. a division
    by zero, does not hold either); None when all hold."""
    for clause in clauses:
        try:
            if not clause.evaluate(values):
                return clause
        except (ArithmeticError, ValueError, TypeError):
            return clause
    return None


def _instance(template: DrillTemplate, seed: int, level: str, values: dict[str, Any], solution: Solution, plan: _Plan) -> DrillInstance:
    spec = template.answer
    try:
        answer = _normalise(_select_part(solution.value, spec.select, plan.parts), spec.form)
    except (LookupError, TypeError, ValueError) as exc:
        raise GenerationError(template, level, f"answer does not fit form {spec.form} after select {list(spec.select)}: {exc}") from None
    tolerance = plan.tolerance
    misconceptions = []
    coincident = list(solution.equal_to_answer)
    unrelated = []
    shared: list[tuple[str, str]] = []
    for m in solution.misconceptions:
        try:
            value = _normalise(_select_part(m.value, spec.select, plan.parts), spec.form, strict=False)
        except (LookupError, TypeError, ValueError):
            continue  # this wrong answer has another structure (e.g. names a different part)
        if _close(value, answer, tolerance, spec.form):
            # The whole result differs (distinct kept it): a selected part that is the same to
            # rounding error means the mistake is about another part; else the tolerance hides it.
            (unrelated if spec.select and same_value(value, answer) else coincident).append(m.name)
            continue  # would flag a correct answer as a mistake
        if _close(tolerance.as_typed(value), answer, tolerance, spec.form):
            coincident.append(m.name)  # as typed at the asked precision, the tolerance accepts it
            continue  # would flag a correct answer as a mistake
        kept = next((k for k in misconceptions if _close(value, k.value, tolerance, spec.form)), None)
        if kept is not None:
            shared.append((m.name, kept.name))
            continue  # two names for one (selected) value: the first, most common, is kept
        misconceptions.append(Misconception(m.name, value, _render(m.explanation)))
    precision = precision_text(spec, answer)
    question = f"{fill_text(plan.ask, values, ask=True, shape_params=plan.shape_params)} ({precision})"
    question_mathjax = f"{fill_text(plan.ask_mathjax, values, ask=True, shape_params=plan.shape_params)} ({precision})" if plan.ask_mathjax else ""
    return DrillInstance(
        template_id=template.id,
        deck=template.deck,
        topic=template.topic,
        seed=seed,
        level=level,
        params=values,
        question=question,
        answer=answer,
        answer_text=format_answer(answer, spec.form, sig_figs=spec.sig_figs, decimals=spec.decimals),
        form=spec.form,
        tolerance=tolerance,
        steps=tuple(_render(s) for s in solution.steps),
        misconceptions=tuple(misconceptions),
        hint=template.hint,
        precision=precision,
        details=tuple((name, to_plain(value)) for name, value in solution.details),
        coincident=tuple(coincident),
        slips=accepted_slips(answer, spec.form, tolerance),
        question_mathjax=question_mathjax,
        unrelated=tuple(unrelated),
        shared=tuple(shared),
    )


def _render(text: str) -> str:
    """A worked step with its $...$ formulas rendered; the rest is left as the solver wrote it."""
    if "$" not in text:
        return text
    from quizapp.content.mathtext import render_formulas

    return render_formulas(text)


def _tolerance(spec: AnswerSpec) -> Tolerance:
    return Tolerance.for_form(
        spec.form,
        sig_figs=spec.sig_figs,
        decimals=spec.decimals,
        abs_tol=spec.abs_tol or None,
        rel_tol=spec.rel_tol or None,
    )


def _tidy(value: Any) -> Any:
    """A derived value: numpy scalars to Python, integral floats to int (fan_in = c_in·k·k is a count)."""
    np = numpy_types()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ArithmeticError(f"value {value} is not finite")
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def _select(value: Any, path: tuple[str | int, ...]) -> Any:
    """Follow ``path`` (keys of a dict, indices of a tuple/list/array) into a solver value."""
    for step in path:
        if isinstance(value, dict):
            value = value[step]
        elif isinstance(step, str):
            raise KeyError(f"part {step!r} of a {type(value).__name__}")
        else:
            value = value[step]
    return value


def _select_part(value: Any, path: tuple[str | int, ...], parts: tuple[str, ...]) -> Any:
    """Like _select, but the first step may name a part of a tuple value (``weights`` of (output, weights))."""
    if path and isinstance(path[0], str) and isinstance(value, tuple) and parts:
        if path[0] not in parts:
            raise KeyError(f"part {path[0]!r}")
        value = value[parts.index(path[0])]
        path = path[1:]
    return _select(value, path)


def _normalise(value: Any, form: str, *, strict: bool = True) -> Any:
    """A (selected) solver value as plain Python of the form's structure; ValueError when it does not fit.

    ``strict=False`` is for misconceptions: a wrong answer to an integer question may be a fraction
    (forgot the floor: 16.5), and is kept as such.
    """
    np = numpy_types()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if form == "integer":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number, got {value!r}")
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            if not strict and math.isfinite(value):
                return value
            raise ValueError(f"{value} is not a whole number")
        return int(value)
    if form in ("decimal", "percent"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value!r}")
        # percent: the solver gives a fraction, the question asks for it in percent
        return float(value) * 100.0 if form == "percent" else float(value)
    if form == "shape":
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        if not items or not all(isinstance(n, (int, float)) and not isinstance(n, bool) and float(n).is_integer() for n in items):
            raise ValueError(f"expected a shape of whole numbers, got {value!r}")
        return tuple(int(n) for n in items)
    if form == "vector":
        if not isinstance(value, (list, tuple)) or not value or any(isinstance(v, (list, tuple)) for v in value):
            raise ValueError(f"expected a vector, got {value!r}")
        return [_finite(v) for v in value]
    if form == "matrix":
        if not isinstance(value, (list, tuple)) or not value or not all(isinstance(r, (list, tuple)) and r for r in value):
            raise ValueError(f"expected a matrix, got {value!r}")
        if len({len(r) for r in value}) != 1:
            raise ValueError("matrix rows differ in length")
        return [[_finite(v) for v in row] for row in value]
    raise ValueError(f"unknown form {form!r}")


def _finite(v: Any) -> float:
    np = numpy_types()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ValueError(f"expected a finite number, got {v!r}")
    return float(v)


def _close(a: Any, b: Any, tolerance: Tolerance, form: str) -> bool:
    """Would an answer ``a`` be accepted where ``b`` is expected? (Used to drop misconceptions that equal the answer.)"""
    if form == "shape":
        return a == b
    if not isinstance(a, list) and not isinstance(b, list):
        return tolerance.allows(a, b)
    import numpy as np  # vectors and matrices only

    xs = np.asarray(a, dtype=float)
    ys = np.asarray(b, dtype=float)
    if xs.shape != ys.shape:
        return False
    return all(tolerance.allows(x, y) for x, y in zip(xs.ravel().tolist(), ys.ravel().tolist()))


# --------------------------------------------------------------------------- text


_ASCII_MINUS = re.compile(r"(?<![\w.])-(?=\.?\d)")


def fill_text(text: str, values: Mapping[str, Any], *, ask: bool = False, shape_params: frozenset[str] = frozenset()) -> str:
    """Replace ``{name}`` / ``{name:spec}`` with parameter values; nothing else in ``text`` is interpreted.

    In a text parameter (a formula such as ``(w - {a})**2``) a negative number is bracketed so the
    formula keeps its meaning; in ``ask`` numbers print as they are.
    """

    def substitute(m: re.Match[str]) -> str:
        name, spec = m.group(1), m.group(2)
        if name not in values:
            return m.group(0)
        value = values[name]
        if spec:
            try:
                return format(value, spec)
            except (ValueError, TypeError, OverflowError):
                pass  # e.g. ':d' on a float: fall back to the plain rendering
        if ask and name in shape_params and isinstance(value, (list, tuple)):
            return "×".join(str(v) for v in value)
        if ask:
            shown = show_value(value)
            # prose writes minus as −, so a drawn −2 or [1, −1] does too (a text parameter is left as written)
            return shown if isinstance(value, str) else _ASCII_MINUS.sub("−", shown)
        # In a formula every digit counts: floats print exactly (repr), negatives in brackets.
        shown = repr(value) if isinstance(value, float) else show_value(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            return f"({shown})"
        return shown

    return PLACEHOLDER.sub(substitute, text)


def show_value(value: Any) -> str:
    """A parameter for display: ints as they are, floats shortest, lists as [[1, 2], [3, 4]]."""
    np = numpy_types()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        text = repr(value)
        return text if len(text) <= 12 else format(value, ".6g")
    return str(value)


def precision_text(spec: AnswerSpec, answer: Any = None) -> str:
    """The precision stated with the question: "integer", "3 significant figures", "shape like 2×3", ..."""
    if spec.form == "integer":
        return "integer"
    if spec.form == "shape":
        return f"shape like {_shape_example(answer)}"
    digits = _digits_text(spec)
    if spec.form == "decimal":
        return digits
    if spec.form == "percent":
        return f"percent, {digits}"
    return f"{spec.form}, {digits} each"


def _digits_text(spec: AnswerSpec) -> str:
    if spec.decimals is not None:
        return f"{spec.decimals} decimal place{'s' if spec.decimals != 1 else ''}"
    n = spec.sig_figs or 3
    return f"{n} significant figure{'s' if n != 1 else ''}"


def _shape_example(answer: Any) -> str:
    """An example with the answer's number of dimensions that is not the answer itself."""
    ndim = len(answer) if isinstance(answer, tuple) and answer else 2
    for size in (16, 8):
        example = (size,) * ndim
        if example != answer:
            return "×".join(map(str, example))
    return "×".join(["16"] * ndim)  # unreachable: (16, ...) and (8, ...) cannot both be the answer


def format_number(x: float, *, sig_figs: int | None = None, decimals: int | None = None) -> str:
    """A float to the asked precision: 0.088388 at 3 s.f. -> "0.0884", 0.6698 -> "0.670", 0.25 -> "0.25".

    A rounded value keeps its trailing zeros (they are the precision the question asked for); a value
    that is exact at that precision is written as it is. Without a precision, up to 6 s.f.
    """
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) and sig_figs is None and decimals is None:
        return str(x)
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if decimals is not None:
        text = f"{x:.{decimals}f}"
    else:
        n = sig_figs or 6
        if x == 0:
            return "0"
        rounded = float(f"{x:.{n - 1}e}")  # correctly rounded to n significant figures
        exponent = math.floor(math.log10(abs(rounded)))
        if -5 <= exponent < 15:
            text = f"{rounded:.{max(0, n - 1 - exponent)}f}"
        else:
            mantissa, exp = f"{rounded:.{n - 1}e}".split("e")
            if "." in mantissa and (sig_figs is None or float(rounded) == x):
                mantissa = mantissa.rstrip("0").rstrip(".")
            return f"{mantissa}e{int(exp)}"
    if "." in text:
        stripped = text.rstrip("0").rstrip(".")
        if (sig_figs is None and decimals is None) or float(stripped) == x:
            text = stripped  # an exact value reads best as written: 0.25, not 0.250
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]  # -0.00 rounds to zero: no sign
    return text


def format_answer(value: Any, form: str, *, sig_figs: int | None = None, decimals: int | None = None) -> str:
    """An answer as the app prints it: 16, 0.0884, 25%, 16×16, [0.09, 0.245, 0.665], [[1, 2], [3, 4]]."""
    np = numpy_types()
    if form == "integer":
        return str(int(value)) if isinstance(value, (int, float)) and float(value).is_integer() else format_number(value, sig_figs=sig_figs)
    if form == "shape":
        return "×".join(str(int(n)) for n in value)
    if form == "percent":
        return format_number(value, sig_figs=sig_figs, decimals=decimals) + "%"
    if form == "decimal":
        return format_number(value, sig_figs=sig_figs, decimals=decimals)
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_answer(v, form, sig_figs=sig_figs, decimals=decimals) for v in value) + "]"
    return format_number(value, sig_figs=sig_figs, decimals=decimals)
