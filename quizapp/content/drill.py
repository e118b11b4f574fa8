"""Provides drill templates: the YAML of a ```drill fence -> a validated DrillTemplate.

A template names a registered solver, the domains its parameters are drawn from (per difficulty
level), derived parameters and ``where`` constraints written in the safe expression language of
``solvers.expr``, the question text with ``{name}`` placeholders and the form of the answer.
Everything is checked here, once, so that ``quizapp.generate`` only draws and solves.

Conventions beyond the format notes: ``decimal``, ``vector``, ``matrix`` and ``percent`` answers
default to 3 significant figures; a ``percent`` answer takes the solver's fraction and asks for it
× 100; a drawn parameter the solver does not take must feed a ``derive`` or a text parameter (so a
typo such as ``strid:`` is an error, not a silently ignored value); without ``answer.form`` the
form follows the solver's value (int -> integer, float -> decimal, shape, vector, matrix).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import solvers
from quizapp.content.model import ContentError, SourceRef
from quizapp.textsafe import short

if TYPE_CHECKING:  # yaml is imported where a template is parsed, not to load a cached bank
    import yaml

__all__ = [
    "ANSWER_FORMS",
    "LEVELS",
    "AnswerSpec",
    "ArrayDomain",
    "Choice",
    "Clause",
    "Const",
    "Derived",
    "Domain",
    "DrillTemplate",
    "IntRange",
    "Text",
    "Uniform",
    "parse_template",
    "placeholders",
]

LEVELS = ("easy", "medium", "hard")
"""Difficulty levels; ``medium`` is the base ``params``, the others override some of them."""

ANSWER_FORMS = ("integer", "decimal", "shape", "vector", "matrix", "percent")

PLACEHOLDER = re.compile(r"\{(\w+)(?::([^{}]*))?\}")
"""``{name}`` or ``{name:spec}`` in ask and string params: no attribute access, no indexing."""

# The parser's patterns are strings: re compiles each on first use (and keeps it), so a start
# that reads templates from the bank cache does not compile them.

# A format spec as Python's mini-language for numbers allows: fill/align, sign, #, 0, width,
# grouping, precision, type. Anything else (nested fields, conversions) is refused.
_FORMAT_SPEC = r"(?:.?[<>=^])?[+\- ]?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?(?P<type>[bdeEfFgGnoxX%]?)"

# What is left of a text after the valid placeholders are removed must not look like one
# (``{size!r}``, ``{a.b}``, ``{x[0]}``, ``{size:{k}}``); set notation such as {0, 1} is fine.
_STRAY = r"\{\w+[!:.\[]"

_ID = r"\w[\w.:-]*"

_LARGEST = 10**15
"""The largest whole number a parameter may take: beyond every solver's range, and printable."""

_TOP_KEYS = ("id", "solver", "topic", "params", "derive", "where", "ask", "answer", "levels", "hint", "tags", "not_tested")
_ANSWER_KEYS = ("form", "sig_figs", "decimals", "abs_tol", "rel_tol", "select")

# The forms an answer may take for each kind of solver value (before any select).
_FORMS_FOR_ANSWER = {
    "int": ("integer", "decimal"),
    "size": ("integer", "shape"),  # an int, or (h, w) when the template draws pairs
    "float": ("decimal", "percent"),
    "shape": ("shape",),
    "vector": ("vector",),
    "matrix": ("matrix",),
}
_DEFAULT_FORM = {"int": "integer", "size": "integer", "float": "decimal", "shape": "shape", "vector": "vector", "matrix": "matrix"}


# --------------------------------------------------------------------------- domains


@dataclass(frozen=True)
class Choice:
    """One of the listed values, drawn uniformly (a value may itself be a list: a layer stack, a vector)."""

    values: tuple[Any, ...]

    def draw(self, rng) -> Any:
        return _thaw(self.values[rng.randrange(len(self.values))])

    def finite(self) -> tuple[Any, ...] | None:
        return tuple(_thaw(v) for v in self.values)

    def size(self) -> int | None:
        return len(self.values)


@dataclass(frozen=True)
class IntRange:
    """An integer lo..hi inclusive in steps of ``step``."""

    lo: int
    hi: int
    step: int = 1

    def draw(self, rng) -> int:
        return self.lo + self.step * rng.randrange((self.hi - self.lo) // self.step + 1)

    def finite(self) -> tuple[int, ...] | None:
        return tuple(range(self.lo, self.hi + 1, self.step))

    def size(self) -> int | None:
        """How many values finite() would list, counted without listing them (a range may span 10^12)."""
        return (self.hi - self.lo) // self.step + 1


@dataclass(frozen=True)
class Uniform:
    """A float uniform on [lo, hi], rounded to ``decimals`` places when given."""

    lo: float
    hi: float
    decimals: int | None = None

    def draw(self, rng) -> float:
        x = rng.uniform(self.lo, self.hi)
        if self.decimals is not None:
            # Rounding may step just past a bound; clamp so the domain is what the template says.
            x = min(max(round(x, self.decimals), self.lo), self.hi)
        return x

    def finite(self) -> None:
        return None

    def size(self) -> None:
        return None


@dataclass(frozen=True)
class ArrayDomain:
    """A vector (shape ``(n,)``) or matrix (``(rows, cols)``) with each element drawn from ``element``."""

    shape: tuple[int, ...]
    element: Choice | IntRange | Uniform

    def draw(self, rng) -> list:
        if len(self.shape) == 1:
            return [self.element.draw(rng) for _ in range(self.shape[0])]
        rows, cols = self.shape
        return [[self.element.draw(rng) for _ in range(cols)] for _ in range(rows)]

    def finite(self) -> None:
        return None

    def size(self) -> None:
        return None


@dataclass(frozen=True)
class Const:
    """A constant value."""

    value: Any

    def draw(self, rng) -> Any:
        return _thaw(self.value)

    def finite(self) -> tuple[Any, ...]:
        return (_thaw(self.value),)

    def size(self) -> int:
        return 1


@dataclass(frozen=True)
class Text:
    """A string with ``{name}`` placeholders filled from other parameters (``f: "(w - {a})**2"``)."""

    text: str

    def draw(self, rng) -> str:
        return self.text  # placeholders are filled by the generator once the numbers are drawn

    def finite(self) -> tuple[str, ...]:
        return (self.text,)

    def size(self) -> int:
        return 1


Domain = Choice | IntRange | Uniform | ArrayDomain | Const | Text


def _freeze(value: Any) -> Any:
    """Lists (of lists ...) as tuples, so a domain's values are hashable; other values as they are."""
    if isinstance(value, list):
        # Most entries are numbers: only nested lists recurse (the bank cache reads thousands).
        return tuple([_freeze(v) if isinstance(v, list) else v for v in value])
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


# --------------------------------------------------------------------------- template


@dataclass(frozen=True)
class AnswerSpec:
    """The form of the expected answer and the precision the question asks for.

    ``select`` is a path into a tuple/dict/array value: part names (the solver's ``parts``) or indices.
    """

    form: str
    sig_figs: int | None = None
    decimals: int | None = None
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    select: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Derived:
    """A parameter computed from others: ``name: expression`` in ``derive``."""

    name: str
    text: str
    line: int
    evaluate: Callable[[Mapping[str, Any]], Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Clause:
    """One ``where`` constraint with the line it was written on."""

    text: str
    line: int
    evaluate: Callable[[Mapping[str, Any]], Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class DrillTemplate:
    """A validated drill template.

    ``params`` are the medium (base) domains in the order written; ``levels`` maps a level to its
    overrides (which may add solver parameters such as dilation); ``derive`` and ``where`` hold
    expressions already parsed by ``solvers.expr``. ``source`` is the line of the opening fence.
    """

    id: str
    solver: str
    deck: str
    topic: str
    source: SourceRef
    ask: str
    answer: AnswerSpec
    params: tuple[tuple[str, Domain], ...]
    levels: tuple[tuple[str, tuple[tuple[str, Domain], ...]], ...] = ()
    derive: tuple[Derived, ...] = ()
    where: tuple[Clause, ...] = ()
    hint: str = ""
    tags: tuple[str, ...] = ()
    needs_sympy: bool = False
    few_distinct: str = ""
    """Why the template cannot ask 30 distinct questions at a level (a ``# few distinct: why`` comment
    in its YAML); ``quizapp check`` then does not warn about its count."""
    not_tested: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(level, names of the solver's misconceptions that level's numbers do not test), from the
    ``not_tested`` key: stride 1 at easy cannot show "ignored the stride". The generator does not
    redraw for them and ``quizapp check`` does not count them as giving the answer."""

    def domains(self, level: str = "medium") -> dict[str, Domain]:
        """The parameter domains at ``level``: the base params with that level's overrides applied."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
        out = dict(self.params)
        out.update(dict(self.levels).get(level, ()))
        return out

    def untested(self, level: str) -> frozenset[str]:
        """The misconceptions ``level`` does not test (its ``not_tested`` names)."""
        return frozenset(dict(self.not_tested).get(level, ()))

    def to_dict(self) -> dict[str, Any]:
        """The validated template as JSON data (the bank cache stores it); :meth:`from_dict` rebuilds it exactly."""
        spec = self.answer
        return {
            "id": self.id,
            "solver": self.solver,
            "deck": self.deck,
            "topic": self.topic,
            "source": [self.source.path, self.source.line],
            "ask": self.ask,
            "answer": {
                "form": spec.form,
                "sig_figs": spec.sig_figs,
                "decimals": spec.decimals,
                "abs_tol": spec.abs_tol,
                "rel_tol": spec.rel_tol,
                "select": list(spec.select),
            },
            "params": [[name, _domain_to_dict(dom)] for name, dom in self.params],
            "levels": [[level, [[name, _domain_to_dict(dom)] for name, dom in over]] for level, over in self.levels],
            "derive": [{"name": d.name, "text": d.text, "line": d.line} for d in self.derive],
            "where": [{"text": c.text, "line": c.line} for c in self.where],
            "hint": self.hint,
            "tags": list(self.tags),
            "needs_sympy": self.needs_sympy,
            "few_distinct": self.few_distinct,
            "not_tested": [[level, list(names)] for level, names in self.not_tested],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DrillTemplate:
        """A template from :meth:`to_dict`'s data.

        The data was validated when it was written (by :func:`parse_template`, against the solver
        registry), so it is not validated again; ``derive`` and ``where`` texts are parsed again by
        ``solvers.expr``, which is what makes them callable. Raises KeyError, TypeError or ValueError
        on data of another shape.
        """
        from solvers import expr

        answer = data["answer"]
        path, line = data["source"]
        return cls(
            id=data["id"],
            solver=data["solver"],
            deck=data["deck"],
            topic=data["topic"],
            source=SourceRef(path, line),
            ask=data["ask"],
            answer=AnswerSpec(
                form=answer["form"],
                sig_figs=answer["sig_figs"],
                decimals=answer["decimals"],
                abs_tol=answer["abs_tol"],
                rel_tol=answer["rel_tol"],
                select=tuple(answer["select"]),
            ),
            params=tuple((name, _domain_from_dict(dom)) for name, dom in data["params"]),
            levels=tuple(
                (level, tuple((name, _domain_from_dict(dom)) for name, dom in over)) for level, over in data["levels"]
            ),
            # Names were checked against the template's parameters when it was validated; parsing
            # with variables=None gives the same tree.
            derive=tuple(Derived(d["name"], d["text"], d["line"], _evaluator(expr.parse(d["text"]))) for d in data["derive"]),
            where=tuple(Clause(c["text"], c["line"], _evaluator(expr.parse(c["text"]))) for c in data["where"]),
            hint=data["hint"],
            tags=tuple(data["tags"]),
            needs_sympy=data["needs_sympy"],
            few_distinct=data.get("few_distinct", ""),
            not_tested=tuple((level, tuple(names)) for level, names in data.get("not_tested", ())),
        )


def _domain_to_dict(dom: Domain) -> dict[str, Any]:
    """A domain as JSON data: one key naming its kind, as in the YAML where that fits."""
    if isinstance(dom, Choice):
        return {"choice": _thaw(dom.values)}
    if isinstance(dom, IntRange):
        return {"range": [dom.lo, dom.hi], "step": dom.step}
    if isinstance(dom, Uniform):
        return {"uniform": [dom.lo, dom.hi], "decimals": dom.decimals}
    if isinstance(dom, ArrayDomain):
        return {"array": list(dom.shape), "element": _domain_to_dict(dom.element)}
    if isinstance(dom, Const):
        return {"const": _thaw(dom.value)}
    if isinstance(dom, Text):
        return {"text": dom.text}
    raise TypeError(f"not a domain: {dom!r}")


def _domain_from_dict(data: Mapping[str, Any]) -> Domain:
    if "choice" in data:
        return Choice(_freeze(list(data["choice"])))
    if "range" in data:
        lo, hi = data["range"]
        return IntRange(lo, hi, data["step"])
    if "uniform" in data:
        lo, hi = data["uniform"]
        return Uniform(lo, hi, data["decimals"])
    if "array" in data:
        element = _domain_from_dict(data["element"])
        if not isinstance(element, (Choice, IntRange, Uniform)):
            raise ValueError(f"an array's elements are drawn from values, a range or uniform, got {data['element']!r}")
        return ArrayDomain(tuple(data["array"]), element)
    if "const" in data:
        return Const(_freeze(data["const"]))
    if "text" in data:
        return Text(data["text"])
    raise ValueError(f"not a domain: {data!r}")



# --------------------------------------------------------------------------- yaml positions


class _Positions:
    """Lines of keys in the YAML text, from yaml.compose: path of keys -> 1-based file line."""

    def __init__(self, root: yaml.Node | None, first_line: int) -> None:
        self.root = root
        self.first_line = first_line

    def line(self, *path: str | int) -> int:
        """The file line of the deepest key (or item) of ``path`` that exists; the fence line at worst."""
        import yaml

        node = self.root
        best = self.first_line - 1
        for step in path:
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    if isinstance(key, yaml.ScalarNode) and key.value == str(step):
                        best = self.first_line + key.start_mark.line
                        node = value
                        break
                else:
                    return best
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                node = node.value[step]
                best = self.first_line + node.start_mark.line
            else:
                return best
        return best


# --------------------------------------------------------------------------- parsing


class _Parser:
    """Validation of one template; every error raises ContentError at the offending line."""

    def __init__(self, text: str, source: SourceRef, deck: str, topic: str) -> None:
        self.text = text
        self.source = source
        self.deck = deck
        self.topic = topic
        # The YAML starts on the line after the opening fence.
        self.pos = _Positions(None, source.line + 1)

    def fail(self, line: int, message: str) -> ContentError:
        return ContentError(SourceRef(self.source.path, line), message)

    def parse(self) -> DrillTemplate:
        data = self._load()
        at = self.pos.line
        unknown = [k for k in data if k not in _TOP_KEYS]
        if unknown:
            raise self.fail(at(unknown[0]), f"unknown key {short(unknown[0])} in drill template (known: {', '.join(_TOP_KEYS)})")

        for key in ("id", "solver", "ask"):
            if key not in data or data[key] is None or (isinstance(data[key], str) and not data[key].strip()):
                raise self.fail(at(key) if key in data else self.source.line, f"drill template needs {short(key)}")
        template_id = data["id"]
        if not isinstance(template_id, str) or not re.fullmatch(_ID, template_id):
            raise self.fail(at("id"), f"id must be a word of letters, digits, '.', ':', '-' or '_', got {short(template_id)}")

        solver_name = data["solver"]
        if not isinstance(solver_name, str):
            raise self.fail(at("solver"), f"solver must be a name such as conv.output_size, got {short(solver_name)}")
        try:
            spec = solvers.get(solver_name)  # a registry lookup: never an import of the text
        except KeyError as exc:
            raise self.fail(at("solver"), str(exc.args[0])) from None
        self.spec = spec
        self.solver_params = {p.name: p for p in spec.params}

        topic = data.get("topic", self.topic)
        if not isinstance(topic, str) or not topic.strip():
            raise self.fail(at("topic"), "topic must be a non-empty text")

        params = self._domains(data.get("params"), ("params",))
        levels = self._levels(data.get("levels"), params)
        derive = self._derive(data.get("derive"), params, levels)
        derived_names = [d.name for d in derive]
        all_names = set(params) | set(derived_names) | {n for _, over in levels for n in over}
        numeric = self._numeric_names(params, levels) | set(derived_names)
        self._check_text_params(params, levels, numeric)
        self._check_inputs(params, levels, derive, data.get("ask") if isinstance(data.get("ask"), str) else "")
        where = self._where(data.get("where"), numeric, all_names)

        ask = data["ask"]
        if not isinstance(ask, str):
            raise self.fail(at("ask"), "ask must be text")
        ask = ask.strip()
        self._check_placeholders(ask, at("ask"), "ask", self._ask_names(params, levels, derived_names))

        answer = self._answer(data.get("answer"), spec)
        hint = data.get("hint", "")
        if not isinstance(hint, str):
            raise self.fail(at("hint"), "hint must be text")
        tags = data.get("tags", [])
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise self.fail(at("tags"), "tags must be a list of words")

        return DrillTemplate(
            id=template_id,
            solver=solver_name,
            deck=self.deck,
            topic=topic.strip(),
            source=self.source,
            ask=ask,
            answer=answer,
            params=tuple(params.items()),
            levels=levels,
            derive=derive,
            where=where,
            hint=hint.strip(),
            tags=tuple(tags),
            needs_sympy=spec.needs_sympy,
            few_distinct=_few_distinct(self.text),
            not_tested=self._not_tested(data.get("not_tested")),
        )

    # -- pieces

    def _not_tested(self, raw: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``not_tested``: a list of misconception names (every level) or a map level -> list."""
        at = self.pos.line
        if raw is None:
            return ()
        by_level = {level: raw for level in LEVELS} if isinstance(raw, list) else raw
        if not isinstance(by_level, dict):
            raise self.fail(at("not_tested"), "not_tested must list misconception names, or map easy/medium/hard to such lists")
        out = []
        for level, names in by_level.items():
            if level not in LEVELS:
                raise self.fail(at("not_tested", level), f"unknown level {short(level)}; expected one of {', '.join(LEVELS)}")
            if isinstance(names, str):
                names = [names]
            if not isinstance(names, list) or not all(isinstance(n, str) and re.fullmatch(r"\w+", n) for n in names):
                where = at("not_tested") if isinstance(raw, list) else at("not_tested", level)
                raise self.fail(where, f"not_tested: {short(level)} must list misconception names such as ignored_stride")
            out.append((level, tuple(dict.fromkeys(names))))
        return tuple(sorted(out, key=lambda item: LEVELS.index(item[0])))

    def _load(self) -> dict:
        import yaml

        from quizapp.content.bounds import MAX_DRILL_TEXT, YamlProblem, load_yaml

        if len(self.text) > MAX_DRILL_TEXT:
            raise self.fail(
                self.source.line,
                f"drill template is {len(self.text):,} characters; at most {MAX_DRILL_TEXT:,} (split it into several templates)",
            )
        try:
            root, data = load_yaml(self.text)
        except YamlProblem as exc:
            raise self.fail(self.source.line + 1 + exc.line, f"drill template: {exc.message}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = self.source.line + 1 + mark.line if mark is not None else self.source.line
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise self.fail(line, f"bad YAML in drill template: {problem}") from None
        if not isinstance(data, dict):
            raise self.fail(self.source.line, "a drill template is a YAML mapping (id:, solver:, params:, ask:, answer:)")
        self.pos = _Positions(root, self.source.line + 1)
        return data

    def _domains(self, raw: Any, path: tuple[str, ...]) -> dict[str, Domain]:
        at = self.pos.line
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise self.fail(at(*path), f"{path[-1]} must be a mapping of parameter name -> values")
        out: dict[str, Domain] = {}
        for name, value in raw.items():
            if not isinstance(name, str) or not name.isidentifier():
                raise self.fail(at(*path), f"parameter name must be an identifier, got {short(name)}")
            out[name] = self._domain(value, at(*path, name), name)
        return out

    def _domain(self, raw: Any, line: int, name: str) -> Domain:
        """A YAML value -> a domain: list, {range}, {uniform}, {matrix}, {vector}, scalar or text."""
        if isinstance(raw, list):
            if not raw:
                raise self.fail(line, f"{name}: an empty list has nothing to draw")
            for item in raw:
                self._check_plain(item, line, name)
            return Choice(tuple(_freeze(v) for v in raw))
        if isinstance(raw, dict):
            if "matrix" in raw or "vector" in raw:
                return self._array(raw, line, name)
            if "range" in raw:
                return self._int_range(raw, line, name, extra=())
            if "uniform" in raw:
                return self._uniform(raw, line, name, extra=())
            raise self.fail(line, f"{name}: a mapping domain needs range, uniform, matrix or vector (got {', '.join(map(str, raw))})")
        if raw is None:
            raise self.fail(line, f"{name}: no value given")
        if isinstance(raw, str):
            return Text(raw) if PLACEHOLDER.search(raw) else Const(raw)
        if isinstance(raw, (bool, int, float)):
            self._check_plain(raw, line, name)
            return Const(raw)
        raise self.fail(line, f"{name}: unsupported value {short(raw)}")

    def _check_plain(self, item: Any, line: int, name: str) -> None:
        if isinstance(item, list):
            for sub in item:
                self._check_plain(sub, line, name)
        elif isinstance(item, float) and not math.isfinite(item):
            raise self.fail(line, f"{name}: {item} is not a finite number")
        elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > _LARGEST:
            raise self.fail(line, f"{name}: {short(item)} is too large (at most 10^15 in size)")
        elif item is None or not isinstance(item, (bool, int, float, str)):
            raise self.fail(line, f"{name}: list items must be numbers, text or lists, got {short(item)}")

    def _pair(self, raw: Any, line: int, name: str, key: str, kind: type | tuple[type, ...]) -> tuple[Any, Any]:
        if (
            not isinstance(raw, list)
            or len(raw) != 2
            or not all(isinstance(v, kind) and not isinstance(v, bool) for v in raw)
        ):
            what = "integers" if kind is int else "numbers"
            raise self.fail(line, f"{name}: {key} must be [lo, hi] with two {what}, got {short(raw)}")
        lo, hi = raw
        if isinstance(lo, float) and not (math.isfinite(lo) and math.isfinite(hi)):
            raise self.fail(line, f"{name}: {key} bounds must be finite")
        for v in raw:
            self._check_plain(v, line, name)
        if lo > hi:
            raise self.fail(line, f"{name}: {key} lower bound {lo} is above the upper bound {hi}")
        return lo, hi

    def _int_range(self, raw: dict, line: int, name: str, *, extra: tuple[str, ...]) -> IntRange:
        self._only_keys(raw, ("range", "step", *extra), line, name)
        lo, hi = self._pair(raw["range"], line, name, "range", int)
        step = raw.get("step", 1)
        if not isinstance(step, int) or isinstance(step, bool) or not 1 <= step <= _LARGEST:
            raise self.fail(line, f"{name}: step must be a whole number >= 1, got {short(step)}")
        return IntRange(lo, hi, step)

    def _uniform(self, raw: dict, line: int, name: str, *, extra: tuple[str, ...]) -> Uniform:
        self._only_keys(raw, ("uniform", "decimals", *extra), line, name)
        lo, hi = self._pair(raw["uniform"], line, name, "uniform", (int, float))
        decimals = raw.get("decimals")
        if decimals is not None and (not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 12):
            raise self.fail(line, f"{name}: decimals must be a whole number 0..12, got {short(decimals)}")
        return Uniform(float(lo), float(hi), decimals)

    def _array(self, raw: dict, line: int, name: str) -> ArrayDomain:
        if "matrix" in raw and "vector" in raw:
            raise self.fail(line, f"{name}: give matrix or vector, not both")
        key = "matrix" if "matrix" in raw else "vector"
        size = raw[key]
        if key == "matrix":
            ok = isinstance(size, list) and len(size) == 2 and all(_positive_int(v) for v in size)
            shape = tuple(size) if ok else ()
        else:
            ok = _positive_int(size)
            shape = (size,) if ok else ()
        if not ok:
            example = "[rows, cols]" if key == "matrix" else "a whole number >= 1"
            raise self.fail(line, f"{name}: {key} size must be {example}, got {short(size)}")
        from quizapp.content.bounds import MAX_ARRAY_ENTRIES

        if math.prod(shape) > MAX_ARRAY_ENTRIES:
            shown = "×".join(short(n) for n in shape)
            raise self.fail(line, f"{name}: a {shown} {key} has more than {MAX_ARRAY_ENTRIES:,} entries, the most a parameter may have")
        kinds = [k for k in ("values", "range", "uniform") if k in raw]
        if len(kinds) != 1:
            raise self.fail(line, f"{name}: a {key} needs exactly one of values, range or uniform")
        if kinds[0] == "values":
            self._only_keys(raw, (key, "values"), line, name)
            values = raw["values"]
            if (
                not isinstance(values, list)
                or not values
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) <= _LARGEST for v in values)
            ):
                raise self.fail(line, f"{name}: values must be a non-empty list of numbers, got {short(values)}")
            element: Choice | IntRange | Uniform = Choice(tuple(values))
        elif kinds[0] == "range":
            element = self._int_range(raw, line, name, extra=(key,))
        else:
            element = self._uniform(raw, line, name, extra=(key,))
        return ArrayDomain(shape, element)

    def _only_keys(self, raw: dict, allowed: Sequence[str], line: int, name: str) -> None:
        extra = [k for k in raw if k not in allowed]
        if extra:
            raise self.fail(line, f"{name}: unknown key {short(extra[0])} (allowed here: {', '.join(allowed)})")

    def _levels(self, raw: Any, params: dict[str, Domain]) -> tuple[tuple[str, tuple[tuple[str, Domain], ...]], ...]:
        at = self.pos.line
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            raise self.fail(at("levels"), "levels must map easy/medium/hard to parameter overrides")
        out = []
        for level, over in raw.items():
            if level not in LEVELS:
                raise self.fail(at("levels", level), f"unknown level {short(level)}; expected one of {', '.join(LEVELS)}")
            domains = self._domains(over, ("levels", level))
            for name in domains:
                if name not in params and name not in self.solver_params:
                    raise self.fail(
                        at("levels", level, name),
                        f"level {level}: {short(name)} is neither a parameter of this template nor of solver "
                        f"{self.spec.name} (takes: {', '.join(self.solver_params)})",
                    )
            out.append((level, tuple(domains.items())))
        return tuple(out)

    def _derive(self, raw: Any, params: dict[str, Domain], levels) -> tuple[Derived, ...]:
        at = self.pos.line
        if raw is None:
            return ()
        if not isinstance(raw, dict):
            raise self.fail(at("derive"), "derive must map a new parameter name to an expression")
        known = set(params) | {n for _, over in levels for n in over}
        numeric = self._numeric_names(params, levels)
        out = []
        for name, text in raw.items():
            line = at("derive", name)
            if not isinstance(name, str) or not name.isidentifier():
                raise self.fail(line, f"derived parameter name must be an identifier, got {short(name)}")
            if name in known:
                raise self.fail(line, f"{short(name)} is drawn in params and derived: give it one definition")
            if isinstance(text, (int, float)) and not isinstance(text, bool):
                text = repr(text)
            if not isinstance(text, str) or not text.strip():
                raise self.fail(line, f"derive {name}: expected an expression, got {short(text)}")
            evaluate = self._compile(text, numeric, known, line, f"derive {name}")
            out.append(Derived(name, text.strip(), line, evaluate))
            known.add(name)
            numeric.add(name)
        return tuple(out)

    def _where(self, raw: Any, numeric: set[str], names: set[str]) -> tuple[Clause, ...]:
        at = self.pos.line
        if raw is None:
            return ()
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            raise self.fail(at("where"), "where must be an expression or a list of them")
        out = []
        for i, text in enumerate(items):
            line = at("where", i)
            if not isinstance(text, str) or not text.strip():
                raise self.fail(line, f"where: expected an expression, got {short(text)}")
            out.append(Clause(text.strip(), line, self._compile(text, numeric, names, line, "where")))
        return tuple(out)

    def _compile(self, text: str, numeric: set[str], names: set[str], line: int, what: str):
        """Parse with solvers.expr; variables are the template's numeric parameters."""
        from solvers import expr

        try:
            parsed = expr.parse(text, variables=sorted(numeric))
        except (ValueError, KeyError, TypeError) as exc:
            unknown = [n for n in re.findall(r"[A-Za-z_]\w*", text) if n in names and n not in numeric]
            if unknown:
                raise self.fail(line, f"{what}: {short(unknown[0])} is not a number, it cannot be used in an expression") from None
            raise self.fail(line, f"{what}: {_message(exc)} in {short(text.strip(), 200)}") from None
        return _evaluator(parsed)

    def _numeric_names(self, params: dict[str, Domain], levels) -> set[str]:
        """Parameters whose every domain (base and level overrides) yields a number."""
        domains: dict[str, list[Domain]] = {}
        for name, dom in params.items():
            domains.setdefault(name, []).append(dom)
        for _, over in levels:
            for name, dom in over:
                domains.setdefault(name, []).append(dom)
        # A level-only solver parameter (dilation at hard) falls back to the solver's default elsewhere.
        for name, doms in domains.items():
            if name not in params and name in self.solver_params:
                default = self.solver_params[name].default
                if not self.solver_params[name].required:
                    doms.append(Const(default))
        return {name for name, doms in domains.items() if all(_is_numeric(d) for d in doms)}

    def _check_inputs(self, params: dict[str, Domain], levels, derive: tuple[Derived, ...], ask: str = "") -> None:
        """Every drawn parameter feeds the solver, a derive or a text parameter, or is words the ask
        shows (a sentence that only some levels say); required ones are given."""
        at = self.pos.line
        consumed: set[str] = set()
        for name in {m.group(1) for m in PLACEHOLDER.finditer(ask)}:
            doms = [dom for n, dom in (*params.items(), *((n, d) for _, over in levels for n, d in over)) if n == name]
            if doms and all(_is_words(dom) for dom in doms):
                consumed.add(name)
        for d in derive:
            consumed |= set(re.findall(r"[A-Za-z_]\w*", d.text))
        for dom in params.values():
            for text in _texts(dom):
                consumed |= {m.group(1) for m in PLACEHOLDER.finditer(text)}
        for _, over in levels:
            for _, dom in over:
                for text in _texts(dom):
                    consumed |= {m.group(1) for m in PLACEHOLDER.finditer(text)}
        for name in params:
            if name not in self.solver_params and name not in consumed:
                raise self.fail(
                    at("params", name),
                    f"{short(name)} is not a parameter of solver {self.spec.name} (takes: {', '.join(self.solver_params)}) "
                    "and no derive uses it",
                )
        given = set(params) | {d.name for d in derive}
        for p in self.spec.params:
            if p.required and p.name not in given:
                raise self.fail(at("params"), f"solver {self.spec.name} needs parameter {short(p.name)}: add it to params or derive")

    def _check_text_params(self, params: dict[str, Domain], levels, numeric: set[str]) -> None:
        at = self.pos.line
        groups = [("params", tuple(params.items()))] + [(f"levels.{lv}", over) for lv, over in levels]
        for where_, items in groups:
            for name, dom in items:
                for text in _texts(dom):
                    line = at(*where_.split("."), name)
                    self._check_placeholders(text, line, name, numeric - {name})

    def _ask_names(self, params, levels, derived: list[str]) -> set[str]:
        names = set(params) | set(derived)
        for _, over in levels:
            for name, _dom in over:
                # A level-only solver parameter shows its default at the other levels.
                param = self.solver_params.get(name)
                if name in params or (param is not None and not param.required and param.default is not None):
                    names.add(name)
        return names

    def _check_placeholders(self, text: str, line: int, what: str, names: set[str]) -> None:
        stray = re.search(_STRAY, PLACEHOLDER.sub("", text))
        if stray:
            raise self.fail(line, f"{what}: {stray.group(0)}… is not a placeholder (write {{name}} or {{name:.3g}})")
        for m in PLACEHOLDER.finditer(text):
            name, spec = m.group(1), m.group(2)
            if name not in names:
                known = ", ".join(sorted(names)) or "none"
                raise self.fail(line, f"{what}: placeholder {{{name}}} is not a parameter of this template (known: {known})")
            if spec is not None:
                problem = _spec_problem(spec)
                if problem:
                    raise self.fail(line, f"{what}: bad format {{{name}:{short(spec)[1:-1]}}}: {problem}")

    def _answer(self, raw: Any, spec) -> AnswerSpec:
        at = self.pos.line
        if raw is None:
            raw = {}
        if isinstance(raw, str):
            raw = {"form": raw}
        if not isinstance(raw, dict):
            raise self.fail(at("answer"), "answer must be a mapping (form:, sig_figs:, select:, ...)")
        unknown = [k for k in raw if k not in _ANSWER_KEYS]
        if unknown:
            raise self.fail(at("answer", unknown[0]), f"unknown key {short(unknown[0])} in answer (known: {', '.join(_ANSWER_KEYS)})")

        select = self._select(raw.get("select"), spec)
        form = raw.get("form")
        if form is None:
            if select or spec.answer not in _DEFAULT_FORM:
                raise self.fail(at("answer"), f"answer needs a form ({', '.join(ANSWER_FORMS)})")
            form = _DEFAULT_FORM[spec.answer]
        if form not in ANSWER_FORMS:
            raise self.fail(at("answer", "form"), f"unknown answer form {short(form)}; expected one of {', '.join(ANSWER_FORMS)}")
        if not select and spec.answer in _FORMS_FOR_ANSWER and form not in _FORMS_FOR_ANSWER[spec.answer]:
            raise self.fail(
                at("answer", "form"),
                f"answer form {short(form)} does not fit solver {spec.name}, whose value is of kind {spec.answer} "
                f"(use {' or '.join(_FORMS_FOR_ANSWER[spec.answer])})",
            )
        if not select and spec.answer in ("tuple", "dict"):
            raise self.fail(at("answer"), f"solver {spec.name} returns several parts ({', '.join(spec.parts)}): choose one with select")

        sig_figs, decimals = raw.get("sig_figs"), raw.get("decimals")
        for key, value in (("sig_figs", sig_figs), ("decimals", decimals)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 15 or (key == "sig_figs" and value < 1)):
                raise self.fail(at("answer", key), f"{key} must be a whole number {'1' if key == 'sig_figs' else '0'}..15, got {short(value)}")
        if sig_figs is not None and decimals is not None:
            raise self.fail(at("answer", "decimals"), "give sig_figs or decimals, not both")
        if form in ("integer", "shape") and (sig_figs is not None or decimals is not None):
            key = "sig_figs" if sig_figs is not None else "decimals"
            raise self.fail(at("answer", key), f"an {form} answer is exact: {key} does not apply")
        if form in ("decimal", "vector", "matrix", "percent") and sig_figs is None and decimals is None:
            sig_figs = 3  # the documented default precision of a decimal answer
        tols = {}
        for key in ("abs_tol", "rel_tol"):
            value = raw.get(key, 0.0)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value) or value < 0:
                raise self.fail(at("answer", key), f"{key} must be a number >= 0, got {short(value)}")
            tols[key] = float(value)
        return AnswerSpec(form, sig_figs, decimals, tols["abs_tol"], tols["rel_tol"], select)

    def _select(self, raw: Any, spec) -> tuple[str | int, ...]:
        at = self.pos.line
        if raw is None:
            return ()
        path = raw if isinstance(raw, list) else [raw]
        if not path:
            raise self.fail(at("answer", "select"), "select is empty")
        for step in path:
            if isinstance(step, bool) or not isinstance(step, (str, int)):
                raise self.fail(at("answer", "select"), f"select steps are part names or indices, got {short(step)}")
        if spec.answer in ("int", "float"):
            raise self.fail(at("answer", "select"), f"solver {spec.name} returns a single number: there is nothing to select")
        first = path[0]
        if isinstance(first, str):
            if not spec.parts and spec.answer != "dict":
                raise self.fail(at("answer", "select"), f"solver {spec.name} returns a {spec.answer} without named parts: select it by index")
            if spec.parts and first not in spec.parts:
                raise self.fail(at("answer", "select"), f"solver {spec.name} has no part {short(first)} (parts: {', '.join(spec.parts)})")
        elif spec.parts and not -len(spec.parts) <= first < len(spec.parts):
            raise self.fail(at("answer", "select"), f"select index {first} is out of range: solver {spec.name} has {len(spec.parts)} parts")
        return tuple(path)


# --------------------------------------------------------------------------- helpers


_FEW_DISTINCT = re.compile(r"^\s*#\s*few[ -]distinct\s*:\s*(\S.*?)\s*$", re.MULTILINE | re.IGNORECASE)


def _few_distinct(text: str) -> str:
    """The reason of a ``# few distinct: why`` comment in a template's YAML (a comment, so the YAML
    loader never sees it), or ""."""
    m = _FEW_DISTINCT.search(text)
    return m.group(1)[:300] if m else ""


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_words(dom: Domain) -> bool:
    """A domain that draws only text (a sentence the ask shows at some levels)."""
    if isinstance(dom, Text):
        return True
    values = dom.finite() if isinstance(dom, (Const, Choice)) else None
    return bool(values) and all(isinstance(v, str) for v in values)


def _is_numeric(dom: Domain) -> bool:
    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, list)

    if isinstance(dom, (IntRange, Uniform)):
        return True
    if isinstance(dom, Choice):
        return all(number(v) for v in dom.values)
    if isinstance(dom, Const):
        return number(dom.value)
    return False


def _texts(dom: Domain) -> list[str]:
    """The strings of a domain that may hold placeholders."""
    if isinstance(dom, Text):
        return [dom.text]
    if isinstance(dom, Choice):
        return [v for v in dom.values if isinstance(v, str) and PLACEHOLDER.search(v)]
    return []


def _spec_problem(spec: str) -> str:
    """Why ``spec`` is not a number format a question may use ('' when it is one).

    Width and precision are read and capped before ``format`` ever sees the spec: ``{size:999999999}``
    would make a gigabyte of padding.
    """
    from quizapp.content.bounds import MAX_FORMAT_PRECISION, MAX_FORMAT_WIDTH

    m = re.fullmatch(_FORMAT_SPEC, spec)
    if m is None:
        return "use a number format such as .3g or .2f"
    width, precision = m.group("width"), m.group("precision")
    if width and (len(width) > 3 or int(width) > MAX_FORMAT_WIDTH):
        return f"a width of at most {MAX_FORMAT_WIDTH}"
    if precision and (len(precision) > 2 or int(precision) > MAX_FORMAT_PRECISION):
        return f"a precision of at most {MAX_FORMAT_PRECISION} digits"
    for sample in (1, 1.5):
        try:
            format(sample, spec)
            return ""
        except (ValueError, TypeError):
            continue
    return "use a number format such as .3g or .2f"


def _message(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args else type(exc).__name__
    return text.rstrip(".")


def placeholders(text: str) -> list[str]:
    """Names used as ``{name}`` / ``{name:spec}`` in ``text``."""
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]


def _evaluator(parsed: Any) -> Callable[[Mapping[str, Any]], Any]:
    """A callable env -> value for a parsed solvers.expr expression."""
    from solvers import expr

    def evaluate(env: Mapping[str, Any]) -> Any:
        return expr.evaluate(parsed, env)

    return evaluate


def parse_template(text: str, *, source: SourceRef, deck: str, topic: str) -> DrillTemplate:
    """The YAML of one ```drill fence -> a validated DrillTemplate.

    ``source`` is the line of the opening fence; a problem raises ContentError at the line of the
    offending key (fence line + 1 + the key's line in the YAML).
    """
    return _Parser(text, source, deck, topic).parse()
