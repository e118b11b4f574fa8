"""Provides the Moodle XML export: drill templates as calculated questions, cards as short-answer, multiple-choice and cloze.

- **Drill templates** become Moodle *calculated* questions when their solver has a closed formula in
  Moodle's formula language (:data:`FORMULAS`) and the answer is one number: the template's
  parameters are wildcards ``{name}`` whose dataset holds :data:`DATASET_ITEMS` (Moodle's maximum,
  100) draws made by ``generate`` (so every ``where`` holds), the levels taken in turn; the answer
  is the formula; the worked steps are the general feedback, written with the wildcards and Moodle's
  ``{=formula}`` so each student reads the steps for their own numbers (see ``_feedback``: a step
  that cannot be written so is shown for one draw and marked). Before a template is
  written so, every item is checked: the formula evaluated on the written values (with the project's
  own safe expression evaluator) must give the solver's answer, and the question text with the values
  put in must read as quizapp asks it. A template that fails a check, or whose solver has no formula
  (a matrix product, a softmax, a receptive field over a list of layers), becomes a set of
  :data:`NUMERICAL_SET` questions of fixed numbers instead: numerical for a number, short answer for
  a shape, cloze with one numerical blank per element for a vector or matrix. ``summary`` says how
  many of each (``quizapp export`` prints it, and the file opens with it as a comment).
- **Tolerance.** quizapp accepts |x − v| ≤ max(abs, rel·|v|, half a unit in the last asked place),
  which varies with v; Moodle has one tolerance per question. A calculated question takes the widest
  the app allows over its dataset, nominal for integers and fixed decimals, relative for significant
  figures, so Moodle is never stricter than the app; a template where that tolerance would accept a
  named mistake (a typical wrong answer) for some item becomes numerical questions instead.
- **Cards**: multiple choice as ``multichoice`` (one right option, the note as general feedback); a
  cloze paragraph as one ``cloze`` question with a ``{1:SHORTANSWER:=...}`` blank per deletion; other
  cards with a one-line answer of at most :data:`SHORT_ANSWER` characters as ``shortanswer``, longer
  answers (lists, explanations) as ``essay`` with the answer as general feedback, as Moodle cannot
  grade free recall.
- **Categories** ``$course$/quizapp/<deck title>/<topic>`` (a ``/`` in a name doubled, as Moodle
  reads it), each question named by its quizapp id, which is also its ``idnumber`` (unique in a
  category, as Moodle requires): a card's id, an instance's ``template@seed``, a calculated
  question's ``template@calculated``.

Deterministic for a seed: draws are seeded by sha256 of ("moodle", seed, template id, item), and the
XML is written by ElementTree in a fixed order.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DATASET_ITEMS",
    "FORMULAS",
    "GENERIC_MARK",
    "NUMERICAL_SET",
    "SHORT_ANSWER",
    "STEP_TERMS",
    "moodle_text",
    "php_number",
    "render",
    "render_report",
    "same_step",
]

DATASET_ITEMS = 100
"""Items in a calculated question's dataset: Moodle allows at most 100."""
NUMERICAL_SET = 10
"""Numerical questions written for a template that cannot be a calculated question."""
SHORT_ANSWER = 60
"""The longest one-line card answer written as a short-answer question; longer ones are essays."""
_LEVELS = ("easy", "medium", "hard")

# Each solver's answer in Moodle's formula language (+ − * / floor sqrt, wildcards {name}), with the
# text that stands for a parameter a template does not draw (the solver's default; a bool is 1 or 0).
# Written with only what the project's expression grammar also reads, so each is checked on every item.
FORMULAS: dict[str, tuple[str, dict[str, str]]] = {
    "conv.output_size": (
        "floor(({size} + 2*{padding} - {dilation}*({kernel} - 1) - 1)/{stride}) + 1",
        {"stride": "1", "padding": "0", "dilation": "1"},
    ),
    "conv.pool_output_size": ("floor(({size} + 2*{padding} - {kernel})/{stride}) + 1", {"stride": "{kernel}", "padding": "0"}),
    "conv.transposed_output_size": (
        "({size} - 1)*{stride} - 2*{padding} + {dilation}*({kernel} - 1) + {output_padding} + 1",
        {"stride": "1", "padding": "0", "output_padding": "0", "dilation": "1"},
    ),
    "conv.param_count": ("({kernel}*{kernel}*{c_in}/{groups} + {bias})*{c_out}", {"bias": "1", "groups": "1"}),
    "conv.macs": (
        "(floor(({size} + 2*{padding} - {dilation}*({kernel} - 1) - 1)/{stride}) + 1)"
        "*(floor(({size} + 2*{padding} - {dilation}*({kernel} - 1) - 1)/{stride}) + 1)"
        "*{c_out}*{kernel}*{kernel}*{c_in}/{groups}",
        {"stride": "1", "padding": "0", "dilation": "1", "groups": "1"},
    ),
    "linear.param_count": ("{n_in}*{n_out} + {bias}*{n_out}", {"bias": "1"}),
    "linear.flops": ("2*{batch}*{n_in}*{n_out} + {bias}*{batch}*{n_out}", {"batch": "1", "bias": "1"}),
    "attention.multi_head_param_count": ("4*{d_model}*{d_model} + 4*{bias}*{d_model}", {"bias": "1"}),
    "init.he_std": ("sqrt(2/(1 + {negative_slope}*{negative_slope}))/sqrt({fan_in})", {"negative_slope": "0"}),
    "init.he_uniform_bound": ("sqrt(6/((1 + {negative_slope}*{negative_slope})*{fan_in}))", {"negative_slope": "0"}),
    "init.xavier_std": ("{gain}*sqrt(2/({fan_in} + {fan_out}))", {"gain": "1"}),
    "init.xavier_uniform_bound": ("{gain}*sqrt(6/({fan_in} + {fan_out}))", {"gain": "1"}),
    "init.lecun_std": ("1/sqrt({fan_in})", {}),
    "init.default_uniform_bound": ("1/sqrt({fan_in})", {}),
    "gradient.max_stable_lr": ("1/{curvature}", {}),
}

_WILDCARD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class _Calculated:
    """A template written as one calculated question."""

    template: Any
    text: str
    formula: str
    wildcards: tuple[str, ...]
    items: tuple[Any, ...]  # DrillInstance per dataset item
    values: tuple[dict[str, str], ...]  # the written value of each wildcard, per item
    tolerance: float
    relative: bool
    inlined: tuple[tuple[str, str], ...] = ()
    """Parameters of the formula written as numbers (a default, or the same on every item): (name, text)."""


@dataclass(frozen=True)
class _Numerical:
    """A template written as a set of questions of fixed numbers, and why it is not calculated."""

    template: Any
    instances: tuple[Any, ...]
    reason: str


def _seed(seed: int, template_id: str, k: int) -> int:
    digest = hashlib.sha256(f"moodle\x1f{seed}\x1f{template_id}\x1f{k}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF


def _draws(template: Any, seed: int, n: int) -> list[Any]:
    """``n`` instances of ``template``, the levels in turn; a level that cannot generate is left out."""
    from quizapp.generate import GenerationError, generate

    out = []
    for k in range(n):
        try:
            out.append(generate(template, _seed(seed, template.id, k), _LEVELS[k % 3]))
        except GenerationError:
            continue
    return out


def _number_text(value: Any) -> str | None:
    """A parameter as Moodle reads it (and as quizapp shows it), or None when it is not one number."""
    from quizapp.generate import show_value

    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)) and math.isfinite(value):
        return show_value(value)
    return None


def _plan(template: Any, seed: int) -> _Calculated | _Numerical:
    """How ``template`` is written: a calculated question when every check passes, else numerical questions."""
    from quizapp.generate import _ask_text

    def numerical(reason: str) -> _Numerical:
        return _Numerical(template, tuple(_draws(template, seed, NUMERICAL_SET)), reason)

    spec = template.answer
    if template.solver not in FORMULAS:
        return numerical("no closed formula in Moodle's formula language")
    if spec.form not in ("integer", "decimal", "percent") or spec.select:
        return numerical(f"the answer is a {spec.form}" if not spec.select else "the answer is one part of the solver's result")
    items = _draws(template, seed, DATASET_ITEMS)
    if not items or len({i.precision for i in items}) != 1:
        return numerical("the precision asked differs between draws")
    text, defaults = FORMULAS[template.solver]
    if spec.form == "percent":
        text = f"100*({text})"

    ask = _ask_text(template.ask)
    asked_names = set(_WILDCARD.findall(ask))

    def used(name: str) -> str:
        present = [i.params.get(name) is not None for i in items]
        if all(present):
            constant = {repr(i.params[name]) for i in items}
            if len(constant) == 1 and name not in asked_names and _number_text(items[0].params[name]) is not None:
                return str(int(items[0].params[name])) if isinstance(items[0].params[name], bool) else constant.pop()  # 5/3 exactly
            return "{" + name + "}"
        if any(present):
            return "?"
        return defaults.get(name, "?")

    inlined: dict[str, str] = {}

    def fill(m: re.Match[str]) -> str:
        written = inlined[m.group(1)] = used(m.group(1))
        return written

    for _ in range(2):  # a default may itself name a wildcard ({kernel} for pooling's stride)
        text = _WILDCARD.sub(fill, text)
    if "?" in text:
        return numerical("a solver parameter is drawn at some levels only")
    names = tuple(dict.fromkeys(_WILDCARD.findall(text) + [n for n in _WILDCARD.findall(ask) if all(n in i.params for i in items)]))
    values = []
    for inst in items:
        row = {n: _number_text(inst.params[n]) for n in names}
        if None in row.values():
            return numerical("a parameter is not a single number")
        values.append(row)
        if not _agrees(text, row, inst.answer):
            return numerical("the formula does not give the solver's answer on every draw")
        asked = _WILDCARD.sub(lambda m, r=row: r.get(m.group(1), m.group(0)), ask)
        if f"{asked} ({inst.precision})" != inst.question:
            return numerical("the question text does not take Moodle's wildcards as written")
    tolerance, relative = _tolerance(items, spec)
    for inst in items:
        width = tolerance * abs(float(inst.answer)) if relative else tolerance
        if any(abs(float(m.value) - float(inst.answer)) <= width for m in inst.misconceptions):
            return numerical("one tolerance for every draw would accept a named mistake")
    kept = tuple((n, t) for n, t in inlined.items() if t != "{" + n + "}" and not _WILDCARD.search(t))
    return _Calculated(template, ask, text, names, tuple(items), tuple(values), tolerance, relative, kept)


def _agrees(formula: str, row: dict[str, str], answer: Any) -> bool:
    """Whether ``formula`` on the written values gives ``answer`` (exactly for integers, to 1e-9 otherwise)."""
    from solvers.expr import ExprError, evaluate, parse

    try:
        node = parse(_WILDCARD.sub(lambda m: m.group(1), formula), variables=set(row))
        got = evaluate(node, {n: float(v) if "." in v or "e" in v else int(v) for n, v in row.items()})
    except (ExprError, ValueError):
        return False
    return math.isclose(float(got), float(answer), rel_tol=1e-9, abs_tol=1e-12)


def _tolerance(items: list[Any], spec: Any) -> tuple[float, bool]:
    """(tolerance, relative?): the widest quizapp accepts over the items, nominal unless the precision is
    significant figures (whose width grows with the answer)."""
    relative = spec.form != "integer" and items[0].tolerance.sig_figs is not None and all(float(i.answer) != 0 for i in items)
    widths = []
    for inst in items:
        t = inst.tolerance
        width = 0.0 if spec.form == "integer" or t.exact else t.width(float(inst.answer))
        widths.append(width / abs(float(inst.answer)) if relative else width)
    return max(widths), relative


# ----------------------------------------------------------------------- worked steps as feedback

# A number in a worked step: not inside a name (W_q, x2), and the minus sign left to the text around it.
_STEP_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?")
_SIG_FIGS = (5, 4, 6, 7, 3)
"""Significant figures a worked step may print a decimal with (solvers' fmt: 5 unless told otherwise)."""
GENERIC_MARK = "*"
"""Ends a worked step that is shown with one draw's numbers, not the student's (see _feedback)."""

STEP_TERMS: dict[str, tuple[str, ...]] = {
    "attention.multi_head_param_count": ("3*{d_model}*{d_model}", "{d_model}*{d_model}", "{d_model}/{n_heads}"),
    "linear.flops": ("{batch}*{n_in}*{n_out}", "{n_in}*{n_out}"),
    "conv.param_count": ("{kernel}*{kernel}*{c_in}/{groups}*{c_out}", "{kernel}*{kernel}*{c_in}/{groups}", "{c_in}/{groups}"),
    "conv.output_size": ("{dilation}*({kernel} - 1) + 1",),
    "init.he_std": ("sqrt(2/(1 + {negative_slope}*{negative_slope}))",),
    "conv.macs": ("2*({answer})",),
    "init.default_uniform_bound": ("3*{fan_in}", "1/sqrt(3*{fan_in})"),
}
"""Intermediate results the solvers' worked steps print, beyond the parts of the answer's formula
(:data:`FORMULAS`), in Moodle's formula language (``{answer}``: that formula); a term naming a
parameter the question does not draw is left out."""


def _moodle_text(node: Any) -> str:
    """A solvers.expr tree as a Moodle formula, every operation bracketed (PHP reads it as written)."""
    from solvers.expr import Binary, Call, Num, Unary, Var

    if isinstance(node, Num):
        return repr(node.value)
    if isinstance(node, Var):
        return "{" + node.name + "}"
    if isinstance(node, Unary):
        return f"({node.op}{_moodle_text(node.operand)})"
    if isinstance(node, Binary):
        return f"({_moodle_text(node.left)} {node.op} {_moodle_text(node.right)})"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(_moodle_text(a) for a in node.args)})"
    raise ValueError(f"no Moodle formula for {node!r}")


def _subterms(node: Any) -> list[Any]:
    """Every operation and call in a solvers.expr tree, outermost first."""
    from solvers.expr import Binary, Call, Unary

    if isinstance(node, Binary):
        return [node, *_subterms(node.left), *_subterms(node.right)]
    if isinstance(node, Unary):
        return [node, *_subterms(node.operand)]
    if isinstance(node, Call):
        return [node, *(t for a in node.args for t in _subterms(a))]
    return []


def php_number(value: float) -> str | None:
    """How Moodle prints a computed number in a text (PHP's float to string, 14 significant digits),
    or None for a number it would print in exponent form, which no worked step does."""
    text = f"{float(value):.14G}"
    return None if "E" in text or text in ("NAN", "INF", "-INF") else text


def _terms(plan: _Calculated) -> list[tuple[str, list[float]]]:
    """(Moodle formula, its value on each dataset item) of the answer's formula, its parts and STEP_TERMS."""
    from solvers.expr import ExprError, evaluate, parse

    rows = [{n: float(v) if "." in v or "e" in v else int(v) for n, v in row.items()} for row in plan.values]
    inlined = dict(plan.inlined)
    texts = [plan.formula]
    for term in STEP_TERMS.get(plan.template.solver, ()):
        term = term.replace("{answer}", plan.formula)
        texts.append(_WILDCARD.sub(lambda m: inlined.get(m.group(1), m.group(0)), term))
    out: dict[str, list[float]] = {}
    for text in texts:
        try:
            tree = parse(_WILDCARD.sub(lambda m: m.group(1), text), variables=set(plan.wildcards))
        except ExprError:
            continue  # names a parameter this question does not draw
        for node in _subterms(tree):
            formula = _moodle_text(node)
            if formula in out:
                continue
            try:
                out[formula] = [float(evaluate(node, row)) for row in rows]
            except (ExprError, ArithmeticError, ValueError):
                continue
    return list(out.items())


def _rounded(formula: str, values: list[float], shown: list[str]) -> str | None:
    """``{=formula}``, or ``{=round(formula, d)}`` to the significant figures of ``shown``, when Moodle
    prints exactly ``shown`` on every item; else None. A value within a hair of a rounding tie is
    refused: PHP and Python might round it apart."""
    if all(php_number(v) == t for v, t in zip(values, shown, strict=True)):
        return "{=" + formula + "}"
    if any(v == 0 or not math.isfinite(v) for v in values):
        return None
    exponents = {math.floor(math.log10(abs(v))) for v in values}
    for sig in _SIG_FIGS:
        places = [sig - 1 - math.floor(math.log10(abs(v))) for v in values]
        if any(abs((abs(v) * 10.0**d) % 1 - 0.5) < 1e-6 for v, d in zip(values, places, strict=True)):
            continue
        if all(php_number(round(v, d)) == t for v, d, t in zip(values, places, shown, strict=True)):
            digits = str(sig - 1 - exponents.pop()) if len(exponents) == 1 else f"{sig - 1} - floor(log10(abs({formula})))"
            return "{=round(" + formula + ", " + digits + ")}"
    return None


_MOODLE_EXPRESSION = re.compile(r"\{=([^{}]*(?:\{[^{}]+}[^{}]*)*)}")
"""A ``{=formula}`` in a text, as Moodle's qtype_calculated finds it."""
_FLOOR = re.compile(r"⌊(\d+(?:\.\d+)?)…?⌋")
"""A floor of a written number in a worked step, ``⌊63.5⌋`` or ``⌊48.333…⌋``."""


@functools.lru_cache(maxsize=1024)
def _formula_tree(formula: str, names: frozenset[str]) -> Any:
    """A Moodle formula read by solvers.expr (parsed once: a step is checked on every dataset item)."""
    from solvers.expr import parse

    return parse(_WILDCARD.sub(lambda w: w.group(1), formula), variables=names)


def moodle_text(text: str, row: dict[str, str]) -> str:
    """``text`` as Moodle shows it for the dataset item ``row`` (wildcard -> written value): each
    ``{=formula}`` computed and printed as PHP prints it, then each ``{name}`` replaced by its value."""
    from solvers.expr import evaluate

    values = {n: float(v) if "." in v or "e" in v else int(v) for n, v in row.items()}
    names = frozenset(row)

    def computed(m: re.Match[str]) -> str:
        return php_number(float(evaluate(_formula_tree(m.group(1), names), values))) or "?"

    return _WILDCARD.sub(lambda m: row.get(m.group(1), m.group(0)), _MOODLE_EXPRESSION.sub(computed, text))


def _floors(text: str) -> str:
    """A worked step with every floor of a written number worked out: ``⌊63.5⌋ + 1`` -> ``63 + 1``."""
    return _FLOOR.sub(lambda m: str(math.floor(float(m.group(1)))), text) if "⌊" in text else text


def same_step(shown: str, step: str) -> bool:
    """Whether the step Moodle shows says what the solver's step says: the same text once every floor of
    a written number is worked out (``⌊63.5⌋`` is 63; the solvers leave the floor out when a division is
    exact, so one text cannot follow both)."""
    return shown == step or _floors(shown) == _floors(step)


def _shape(step: str) -> str:
    """A worked step with its numbers left out (floors worked out): the steps of one kind on every item share it."""
    return _STEP_NUMBER.sub("#", _floors(step))


def _aligned(plan: _Calculated) -> tuple[list[list[str] | None], bool]:
    """(for each worked step of the first item, that step on every item, or None when some item has no
    step of its shape; whether some item has steps the first item has not).

    Items may take steps others skip (a dilated kernel's effective size): each item's steps are matched
    in order to the first item's by shape.
    """
    reference = [_shape(s) for s in plan.items[0].steps]
    columns: list[list[str] | None] = [[] for _ in reference]
    extra = False
    for item in plan.items:
        shapes = [_shape(s) for s in item.steps]
        start, used = 0, 0
        for j, shape in enumerate(reference):
            found = next((q for q in range(start, len(shapes)) if shapes[q] == shape), None)
            column = columns[j]
            if found is None or column is None:
                columns[j] = None
                continue
            column.append(item.steps[found])
            start, used = found + 1, used + 1
        extra = extra or used < len(item.steps)
    return columns, extra


def _step_template(plan: _Calculated, steps: list[str], terms: list[tuple[str, list[float]]]) -> str | None:
    """A worked step, given as each dataset item's ``steps``, with its numbers as Moodle wildcards and
    formulas, so that Moodle prints each item's own step; None when no such text gives every item's
    step (see same_step).

    Floors of written numbers are worked out first (``⌊63.5⌋`` -> 63), so a step keeps one shape
    whether its division is exact or not. The text follows the items of one shape (numbers aside),
    the largest tried first: each number is a constant, a wildcard or a formula of :func:`_terms`
    that prints it on every item of that shape, and the text is then checked on every item.
    """
    worked = [_floors(s) for s in steps]
    numbers = [_STEP_NUMBER.findall(s) for s in worked]
    shapes: dict[str, list[int]] = {}
    for k, s in enumerate(worked):
        shapes.setdefault(_STEP_NUMBER.sub("#", s), []).append(k)
    for shaped in sorted(shapes.values(), key=len, reverse=True):
        for constants_first in (True, False):
            template = _shaped_template(plan, [numbers[k] for k in shaped], worked[shaped[0]], shaped, terms, constants_first)
            if template is not None and all(same_step(moodle_text(template, row), step) for row, step in zip(plan.values, steps, strict=True)):
                return template
    return None


def _shaped_template(
    plan: _Calculated, numbers: list[list[str]], step: str, items: list[int], terms: list[tuple[str, list[float]]], constants_first: bool
) -> str | None:
    """The Moodle text of ``step``, whose numbers on the dataset items ``items`` (steps of one shape) are
    ``numbers``; None when some number is neither a constant, a wildcard nor one of ``terms`` there.

    A number the same on all of these items is tried as a constant first or last (``constants_first``):
    first, it is not mistaken for a wildcard that happens to be constant on them (a stride of 1 on the
    items whose division is exact); last, a formula that varies on the other items is found for it.
    """
    pieces = _STEP_NUMBER.split(step)
    rows = [plan.values[k] for k in items]
    out = [pieces[0]]
    for slot_index in range(len(numbers[0])):
        shown = [row[slot_index] for row in numbers]
        constant = shown[0] if len(set(shown)) == 1 else None
        slot = constant if constants_first else None
        if slot is None:
            slot = next((f"{{{n}}}" for n in plan.wildcards if all(r[n] == t for r, t in zip(rows, shown, strict=True))), None)
        for formula, values in terms:
            if slot is not None:
                break
            slot = _rounded(formula, [values[k] for k in items], shown)
        slot = slot or constant
        if slot is None:
            return None
        out += [slot, pieces[slot_index + 1]]
    return "".join(out)


def _feedback(plan: _Calculated) -> str:
    """The worked steps as general feedback, each student's own: Moodle puts the item's values in for
    ``{name}`` and computes ``{=formula}``. A step that cannot be written so (its shape changes between
    items, or it prints a number no wildcard or formula gives) is shown for the first item and ends
    with GENERIC_MARK, which a line after the steps explains; steps the first item does not take are
    left out, and a last line says so."""
    first = plan.items[0]
    terms = _terms(plan)
    columns, extra = _aligned(plan)
    lines, generic = [], 0
    for step, column in zip(first.steps, columns, strict=True):
        template = None if column is None else _step_template(plan, column, terms)
        if template is None:
            generic += 1
            template = f"{step} {GENERIC_MARK}"
        lines.append(template)
    if generic:
        example = ", ".join(f"{n} = {plan.values[0][n]}" for n in plan.wildcards)
        lines.append(f"{GENERIC_MARK} worked for one draw ({example}), not for your numbers.")
    if extra:
        lines.append("Some numbers take further steps, not shown here.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- XML


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _texted(parent: ET.Element, tag: str, text: str) -> ET.Element:
    """``<tag format="html"><text>...</text></tag>``: Moodle's container of a text, given as terminal text."""
    el = _sub(parent, tag, format="html")
    _sub(el, "text", _html(text))
    return el


def _html(text: str) -> str:
    """Terminal text as HTML (ElementTree escapes it again as XML)."""
    import html

    return html.escape(text, quote=False).replace("\n", "<br>")


def _question(root: ET.Element, kind: str, name: str, html_text: str, feedback: str = "") -> ET.Element:
    """A question's common head: name, text (already HTML), general feedback, grade, idnumber."""
    q = _sub(root, "question", type=kind)
    _sub(_sub(q, "name"), "text", name)
    _sub(_sub(q, "questiontext", format="html"), "text", html_text)
    _texted(q, "generalfeedback", feedback)
    _sub(q, "defaultgrade", "1")
    _sub(q, "penalty", "0.3333333")
    _sub(q, "hidden", "0")
    _sub(q, "idnumber", name)
    return q


def _number(x: float) -> str:
    if float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(float(x))


def _category(root: ET.Element, deck_title: str, topic: str) -> None:
    path = "/".join(p.replace("/", "//") for p in ("quizapp", deck_title, topic))
    q = _sub(root, "question", type="category")
    _sub(_sub(q, "category"), "text", f"$course$/{path}")


def _calculated(root: ET.Element, plan: _Calculated) -> None:
    first = plan.items[0]
    feedback = _feedback(plan)
    q = _question(root, "calculated", f"{plan.template.id}@calculated", _html(f"{plan.text} ({first.precision})"), feedback)
    for tag, text in (("synchronize", "0"), ("single", "0"), ("answernumbering", "abc"), ("shuffleanswers", "0")):
        _sub(q, tag, text)
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _texted(q, tag, "")
    answer = _sub(q, "answer", fraction="100")
    _sub(answer, "text", plan.formula)
    _sub(answer, "tolerance", _number(plan.tolerance))
    _sub(answer, "tolerancetype", "1" if plan.relative else "2")  # 1 relative, 2 nominal
    t = first.tolerance
    sig = t.sig_figs is not None
    _sub(answer, "correctanswerformat", "2" if sig else "1")  # 2 significant figures, 1 decimals
    _sub(answer, "correctanswerlength", str(t.sig_figs if sig else (t.decimals or 0)))
    _texted(answer, "feedback", "")
    for tag, text in (("unitgradingtype", "0"), ("unitpenalty", "0.1"), ("showunits", "3"), ("unitsleft", "0")):
        _sub(q, tag, text)
    definitions = _sub(q, "dataset_definitions")
    for name in plan.wildcards:
        column = [row[name] for row in plan.values]
        numbers = [float(v) for v in column]
        decimals = max((len(v.split(".")[1]) if "." in v else 0) for v in column)
        d = _sub(definitions, "dataset_definition")
        _sub(_sub(d, "status"), "text", "private")
        _sub(_sub(d, "name"), "text", name)
        _sub(d, "type", "calculated")
        _sub(_sub(d, "distribution"), "text", "uniform")
        _sub(_sub(d, "minimum"), "text", _number(min(numbers)))
        _sub(_sub(d, "maximum"), "text", _number(max(numbers)))
        _sub(_sub(d, "decimals"), "text", str(decimals))
        _sub(d, "itemcount", str(len(column)))
        items = _sub(d, "dataset_items")
        for k, value in enumerate(column, start=1):
            item = _sub(items, "dataset_item")
            _sub(item, "number", str(k))
            _sub(item, "value", value)
        _sub(d, "number_of_items", str(len(column)))


def _embedded(text: str) -> str:
    """Text inside an embedded (cloze) answer: Moodle's special characters } # ~ / " \\ escaped."""
    return re.sub(r'([}#~/"\\])', r"\\\1", text)


def _drill(root: ET.Element, inst: Any) -> None:
    """One fixed-number instance: numerical, short answer (shape) or cloze with a numerical blank per element."""
    feedback = "\n".join([f"Answer: {inst.answer_text}", *inst.steps])
    t = inst.tolerance
    if inst.form in ("integer", "decimal", "percent"):
        q = _question(root, "numerical", inst.id, _html(inst.question), feedback)
        answer = _sub(q, "answer", fraction="100")
        _sub(answer, "text", _number(inst.answer))
        _texted(answer, "feedback", "")
        width = 0.0 if inst.form == "integer" or t.exact else t.width(float(inst.answer))
        _sub(answer, "tolerance", _number(width))
        return
    if inst.form == "shape":
        dims = [str(n) for n in inst.answer]
        q = _question(root, "shortanswer", inst.id, _html(inst.question), feedback)
        _sub(q, "usecase", "0")
        for spelling in dict.fromkeys(["x".join(dims), "×".join(dims), "(" + ", ".join(dims) + ")"]):
            answer = _sub(q, "answer", fraction="100", format="moodle_auto_format")
            _sub(answer, "text", spelling.replace("*", "\\*"))
            _texted(answer, "feedback", "")
        return
    rows = inst.answer if inst.form == "matrix" else [inst.answer]

    def blank(v: float) -> str:
        width = t.width(float(v)) if not t.exact else 0.0
        return f"{{1:NUMERICAL:={_number(v)}:{_number(width)}}}"

    grid = "<br>".join("[" + ", ".join(blank(v) for v in row) + "]" for row in rows)
    _question(root, "cloze", inst.id, f"{_html(inst.question)}<br>{grid}", feedback)


def _card(root: ET.Element, card: Any) -> None:
    if card.options and card.correct is not None and 0 <= card.correct < len(card.options):
        q = _question(root, "multichoice", card.id, _html(card.question), card.note)
        for tag, text in (("single", "true"), ("shuffleanswers", "true"), ("answernumbering", "abc")):
            _sub(q, tag, text)
        for k, option in enumerate(card.options):
            answer = _sub(q, "answer", fraction="100" if k == card.correct else "0", format="html")
            _sub(answer, "text", _html(option))
            _texted(answer, "feedback", "")
        return
    feedback = card.answer + (f"\nWhy: {card.note}" if card.note else "")
    if "\n" not in card.answer and len(card.answer) <= SHORT_ANSWER:
        q = _question(root, "shortanswer", card.id, _html(card.question), feedback)
        _sub(q, "usecase", "0")
        answer = _sub(q, "answer", fraction="100", format="moodle_auto_format")
        _sub(answer, "text", card.answer.replace("*", "\\*"))  # * is Moodle's wildcard in a short answer
        _texted(answer, "feedback", "")
        return
    q = _question(root, "essay", card.id, _html(card.question), feedback)
    _sub(q, "responseformat", "editor")
    _sub(q, "responserequired", "1")
    _sub(q, "responsefieldlines", "5")
    _texted(q, "graderinfo", feedback)


def _cloze_card(root: ET.Element, card: Any) -> None:
    """A cloze paragraph as one Moodle cloze question: a short-answer blank per deletion."""
    from quizapp.content.syntax import parse_cloze

    text = card.cloze
    deletions, _ = parse_cloze(text)
    pieces, pos = [], 0
    for c in deletions:
        pieces += [_html(text[pos : c.start]), f"{{1:SHORTANSWER:={_embedded(c.hidden)}}}"]
        pos = c.end
    pieces.append(_html(text[pos:]))
    _question(root, "cloze", card.id, "".join(pieces), card.note)


def _plans(data: Any) -> list[_Calculated | _Numerical]:
    return [_plan(t, data.seed) for t in getattr(data, "templates", ())]


def _summary(plans: list[_Calculated | _Numerical]) -> str:
    calculated = sum(isinstance(p, _Calculated) for p in plans)
    numerical = [p for p in plans if isinstance(p, _Numerical)]
    questions = sum(len(p.instances) for p in numerical)
    return (
        f"{calculated} drill template{'s' if calculated != 1 else ''} as calculated questions, "
        f"{len(numerical)} as sets of fixed-number questions ({questions} questions)"
    )


def render(data: Any) -> bytes:
    """ExportData -> Moodle XML as UTF-8 bytes."""
    return render_report(data)[0]


def render_report(data: Any) -> tuple[bytes, str]:
    """(Moodle XML as UTF-8 bytes, how the templates were written: "N drill templates as calculated
    questions, M as sets of fixed-number questions (K questions)")."""
    plans = _plans(data)
    root = ET.Element("quiz")
    groups: dict[tuple[str, str], list[tuple[str, Any]]] = {}
    clozes: set[tuple[str, str, str]] = set()
    for card in data.cards:
        if str(card.kind) == "cloze" and card.cloze:
            key = (card.deck, card.topic, card.cloze)
            if key in clozes:
                continue  # one question holds every deletion of the paragraph
            clozes.add(key)
            groups.setdefault((card.deck, card.topic), []).append(("cloze", card))
        else:
            groups.setdefault((card.deck, card.topic), []).append(("card", card))
    for plan in plans:
        groups.setdefault((plan.template.deck, plan.template.topic), []).append(("plan", plan))
    root.append(ET.Comment(f" {data.generator}, seed {data.seed}: {_summary(plans)} "))
    for (deck, topic), entries in groups.items():
        _category(root, data.deck_title(deck), topic)
        for kind, entry in entries:
            if kind == "cloze":
                _cloze_card(root, entry)
            elif kind == "card":
                _card(root, entry)
            elif isinstance(entry, _Calculated):
                _calculated(root, entry)
            else:
                for inst in entry.instances:
                    _drill(root, inst)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n", _summary(plans)
