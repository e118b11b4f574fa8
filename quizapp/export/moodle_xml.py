"""Provides the Moodle XML export: drill templates as calculated questions, cards as short-answer, multiple-choice and cloze.

- **Drill templates** become Moodle *calculated* questions when their solver has a closed formula in
  Moodle's formula language (:data:`FORMULAS`) and the answer is one number: the template's
  parameters are wildcards ``{name}`` whose dataset holds :data:`DATASET_ITEMS` (Moodle's maximum,
  100) draws made by ``generate`` (so every ``where`` holds), the levels taken in turn; the answer
  is the formula; the worked steps of one draw are the general feedback. Before a template is
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

import hashlib
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

__all__ = ["DATASET_ITEMS", "FORMULAS", "NUMERICAL_SET", "SHORT_ANSWER", "render", "render_report"]

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

    for _ in range(2):  # a default may itself name a wildcard ({kernel} for pooling's stride)
        text = _WILDCARD.sub(lambda m: used(m.group(1)), text)
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
    return _Calculated(template, ask, text, names, tuple(items), tuple(values), tolerance, relative)


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
    example = ", ".join(f"{n} = {plan.values[0][n]}" for n in plan.wildcards)
    feedback = "\n".join([f"Worked example ({example}):", *first.steps]) if first.steps else ""
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
