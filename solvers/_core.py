"""Provides the solver result types (Solution, Misconception) and the registry of named solvers."""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

REQUIRED: Any = object()
"""Marker for a parameter without a default."""


class _NoNumpy:
    """Stands in for numpy's types while numpy is not loaded: no value is an instance of an empty tuple."""

    bool_ = integer = floating = generic = ndarray = ()


def numpy_types() -> Any:
    """numpy when it is loaded, else :class:`_NoNumpy`.

    A numpy value can only exist once numpy has been imported, so checks such as
    ``isinstance(v, (int, np.integer))`` need not import it: the registry and the integer solvers
    (conv, init, linear.param_count) run without numpy's ~100 ms and ~16 MiB.
    """
    return sys.modules.get("numpy", _NoNumpy)


@dataclass(frozen=True)
class Misconception:
    """A named wrong answer a candidate typically gives.

    ``value`` has the same structure as the ``Solution.value`` it belongs to, so a drill template
    that selects part of the value (``select``) can select the same part of the misconception.
    """

    name: str
    value: Any
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": to_plain(self.value), "explanation": self.explanation}


@dataclass(frozen=True)
class Solution:
    """A solver's answer: the value, the worked solution with numbers substituted, typical wrong answers."""

    value: Any
    steps: tuple[str, ...]
    misconceptions: tuple[Misconception, ...] = ()
    details: tuple[tuple[str, Any], ...] = ()
    """Further results worth showing or exporting, as (name, value) pairs (e.g. a descent trajectory)."""

    @property
    def equal_to_answer(self) -> tuple[str, ...]:
        """Names of the typical mistakes that give exactly the answer for these numbers (left out of
        ``misconceptions`` by :func:`distinct`): a drill on these numbers cannot tell them apart."""
        return getattr(self.misconceptions, "equal_to_answer", ())

    def to_dict(self) -> dict[str, Any]:
        data = {
            "value": to_plain(self.value),
            "steps": list(self.steps),
            "misconceptions": [m.to_dict() for m in self.misconceptions],
        }
        if self.details:
            data["details"] = {name: to_plain(v) for name, v in self.details}
        return data


def to_plain(value: Any) -> Any:
    """Numpy arrays and scalars, tuples and dicts -> JSON-friendly Python values."""
    np = numpy_types()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Param:
    """One parameter a registered solver takes.

    ``kind`` is one of: ``int``, ``float``, ``bool``, ``str`` (with ``choices``), ``int_or_pair``
    (an int or ``(h, w)``), ``vector`` (list of floats), ``matrix`` (list of lists of floats),
    ``layers`` (list of ``(kernel, stride)`` pairs), ``formula`` (text parsed by ``solvers.expr``),
    ``point`` (a float or a list of floats, one per variable), ``shape`` (tuple of ints).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    help: str = ""
    choices: tuple[Any, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class SolverSpec:
    """A solver in the registry: its short name (``conv.output_size``), function and parameters.

    ``answer`` says what the value is: ``int``, ``size`` (an int, or an (h, w) tuple when the
    sizes were given as pairs), ``float``, ``shape`` (tuple of ints), ``vector``,
    ``matrix``, ``point`` (a float for one variable, a tuple of floats for several, as gradient
    descent returns), ``tuple`` (a tuple of the former, e.g. attention's (output, weights)) or ``dict``.
    ``needs_sympy`` marks solvers that import sympy (drill generation pays for it only then).
    """

    name: str
    func: Callable[..., Solution]
    params: tuple[Param, ...]
    summary: str
    answer: str
    needs_sympy: bool = False
    parts: tuple[str, ...] = field(default=())
    """Names of the parts of a tuple/dict value (``("output", "weights")``), for ``select``."""

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def __call__(self, **kwargs: Any) -> Solution:
        return self.func(**kwargs)

    def bind(self, **params: Any) -> dict[str, Any]:
        """The full keyword arguments for ``func``: given values coerced to their Param kind, defaults filled.

        Raises ValueError naming unknown or missing parameters, or the parameter that cannot be coerced.
        """
        known = [p.name for p in self.params]
        unknown = [name for name in params if name not in known]
        if unknown:
            raise ValueError(
                f"{self.name}: unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}"
                f" (it takes: {', '.join(known) or 'nothing'})"
            )
        missing = [p.name for p in self.params if p.required and p.name not in params]
        if missing:
            raise ValueError(f"{self.name}: missing parameter{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        return {p.name: coerce_param(p, params[p.name]) if p.name in params else p.default for p in self.params}

    def solve(self, **params: Any) -> Solution:
        """Fill defaults, coerce each value to its Param kind (a YAML/JSON value or CLI text), call the solver."""
        return self.func(**self.bind(**params))


REGISTRY: dict[str, SolverSpec] = {}


def register(
    name: str,
    *,
    params: tuple[Param, ...],
    summary: str,
    answer: str,
    needs_sympy: bool = False,
    parts: tuple[str, ...] = (),
) -> Callable[[Callable[..., Solution]], Callable[..., Solution]]:
    """Decorator: add a solver function to REGISTRY under ``name`` (``topic.function``)."""

    def decorate(func: Callable[..., Solution]) -> Callable[..., Solution]:
        if name in REGISTRY:
            raise ValueError(f"solver {name!r} registered twice")
        REGISTRY[name] = SolverSpec(name, func, params, summary, answer, needs_sympy, parts)
        return func

    return decorate


# ---------------------------------------------------------------- coercion of parameter values

_MAX_TEXT = 100_000
"""Longest parameter text we parse; a matrix typed on a command line is far shorter."""

_TRUE_WORDS = frozenset({"true", "yes", "on", "y", "1"})
_FALSE_WORDS = frozenset({"false", "no", "off", "n", "0"})
_NONE_WORDS = frozenset({"none", "null"})


class _Bad(Exception):
    """A reason a value does not fit a kind; coerce_param prefixes the parameter name."""


def coerce_param(param: Param, value: Any) -> Any:
    """``value`` (a YAML/JSON value or command-line text) converted to ``param``'s kind.

    int: 3, 3.0, "3" (bools refused); float: 0.5, "1e-3"; bool: True, "true/false/yes/no/on/off/1/0";
    int_or_pair: 3, "3", [3, 5], "3,5", "(3, 5)", "3x5", "3×5", "3 5" (no other separator: "2*16" is
    refused, not read as (2, 16)); vector/matrix: lists or text ("[1, 2]",
    "1,2,3", "1,2;3,4") -> float numpy arrays; layers: [[3, 1], [3, 2]] or "3,1;3,2" -> tuple of int
    tuples; shape: [64, 3, 3, 3] or "64x3x3x3" -> tuple of ints; formula/str: text (str checks
    ``choices``; without choices a list of words is joined: [x, y] -> "x, y"); point: a float or a list of floats. ``None`` (or "none") is kept when the default is None.
    Raises ValueError("<param>: <reason>").
    """
    if param.default is None and (
        value is None or (isinstance(value, str) and value.strip().casefold() in _NONE_WORDS)
    ):
        return None
    if value is None:
        raise ValueError(f"{param.name}: a value is required")
    convert = _COERCERS.get(param.kind)
    if convert is None:
        raise ValueError(f"{param.name}: unknown parameter kind {param.kind!r}")
    try:
        return convert(param, value)
    except _Bad as exc:
        raise ValueError(f"{param.name}: {exc}") from None


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _int(value: Any) -> int:
    np = numpy_types()
    if isinstance(value, (bool, np.bool_)):
        raise _Bad(f"expected a whole number, got the bool {value}")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isfinite(value) and float(value).is_integer():
            return int(value)
        raise _Bad(f"expected a whole number, got {value}")
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d{1,4000}", text):
            return int(text)
        if re.fullmatch(r"[+-]?\d{1,300}\.0*", text):
            return int(text.split(".")[0])
        raise _Bad(f"expected a whole number, got {_shown(value)}")
    raise _Bad(f"expected a whole number, got {type(value).__name__} {_shown(value)}")


def _float(value: Any) -> float:
    np = numpy_types()
    if isinstance(value, (bool, np.bool_)):
        raise _Bad(f"expected a number, got the bool {value}")
    if isinstance(value, (int, float, np.integer, np.floating)):
        try:
            number = float(value)
        except OverflowError:
            raise _Bad("the number is too large") from None
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > 400:
            raise _Bad("expected a number, got a very long text")
        try:
            number = float(text.replace("−", "-"))
        except ValueError:
            raise _Bad(f"expected a number, got {_shown(value)}") from None
    else:
        raise _Bad(f"expected a number, got {type(value).__name__} {_shown(value)}")
    if not math.isfinite(number):
        raise _Bad(f"must be a finite number, got {number}")
    return number


def _split_text(text: str) -> Any:
    """List text -> nested Python lists: JSON/Python brackets ("[[1, 2], [3, 4]]", "(3, 5)"),
    rows separated by ';' ("1,2;3,4"), or items separated by commas, spaces, 'x' or '×' ("3x5")."""
    if len(text) > _MAX_TEXT:
        raise _Bad(f"text longer than {_MAX_TEXT} characters")
    text = text.strip().replace("−", "-")
    if not text:
        raise _Bad("expected a value, got empty text")
    if text[0] in "[(":
        try:
            return json.loads(text.replace("(", "[").replace(")", "]"))
        except (ValueError, RecursionError):
            raise _Bad(f"cannot read {_shown(text)} as a list (write it like [1, 2] or [[1, 2], [3, 4]])") from None

    def items(row: str) -> list[str]:
        return [item for item in re.split(r"[,\s×xX]+", row.strip()) if item]

    if ";" in text:
        rows = [row for row in text.split(";") if row.strip()]
        return [items(row) for row in rows]
    return items(text)


def _listlike(value: Any) -> Any:
    np = numpy_types()
    if isinstance(value, str):
        return _split_text(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        return value
    raise _Bad(f"expected a list, got {type(value).__name__} {_shown(value)}")


def _ints(value: Any) -> tuple[int, ...]:
    np = numpy_types()
    items = _listlike(value)
    if isinstance(items, np.ndarray):
        items = items.tolist()
    if not isinstance(items, (list, tuple)) or any(isinstance(v, (list, tuple, dict)) for v in items):
        raise _Bad(f"expected a flat list of whole numbers, got {_shown(value)}")
    return tuple(_int(v) for v in items)


def _array(value: Any, ndims: tuple[int, ...], what: str) -> np.ndarray:
    import numpy as np
    items = _listlike(value)
    try:
        arr = np.asarray(items, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise _Bad(f"expected {what} of numbers (rows of equal length), got {_shown(value)}") from None
    if arr.ndim not in ndims:
        raise _Bad(f"expected {what}, got {arr.ndim} dimension{'s' if arr.ndim != 1 else ''}")
    if arr.size == 0:
        raise _Bad(f"expected {what}, got an empty one")
    if not np.all(np.isfinite(arr)):
        raise _Bad("contains nan or inf")
    return arr


def _coerce_int(param: Param, value: Any) -> int:
    return _int(value)


def _coerce_float(param: Param, value: Any) -> float:
    return _float(value)


def _coerce_bool(param: Param, value: Any) -> bool:
    np = numpy_types()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise _Bad(f"expected true or false (yes/no), got {_shown(value)}")


def _coerce_str(param: Param, value: Any) -> Any:
    np = numpy_types()
    if param.choices:
        if not isinstance(value, (list, dict, tuple, np.ndarray)) and value in param.choices:
            return value
        text = str(value).strip()
        for choice in param.choices:
            if str(choice) == text:
                return choice
        raise _Bad(f"expected one of {', '.join(map(str, param.choices))}, got {_shown(value)}")
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        # A YAML list of words for a text parameter (variables: [x, y]) reads as "x, y".
        return ", ".join(v.strip() for v in value)
    return _coerce_formula(param, value)


def _coerce_formula(param: Param, value: Any) -> str:
    np = numpy_types()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (str, int, float, np.integer, np.floating)):
        raise _Bad(f"expected text, got {type(value).__name__} {_shown(value)}")
    text = str(value).strip()
    if not text:
        raise _Bad("expected text, got an empty one")
    return text


_NOT_IN_A_PAIR = r"[^\d+\-−.xX×,\s()\[\]]"
"""A character that is neither part of a whole number nor a pair separator (x, ×, comma, space, brackets)."""


def _coerce_int_or_pair(param: Param, value: Any) -> int | tuple[int, int]:
    np = numpy_types()
    if isinstance(value, str):
        # '*' is no separator here: 10**100 or 2*16 is a product the user meant, not the pair (10, 100).
        # Text without digits ("two") keeps the plainer "expected a whole number".
        if re.search(_NOT_IN_A_PAIR, value[:_MAX_TEXT]) and re.search(r"\d", value[:_MAX_TEXT]):
            raise _Bad(f"expected a whole number or a pair like 3x5 or (3, 5), got {_shown(value)}")
        value = _split_text(value)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
    if isinstance(value, (list, tuple, np.ndarray)):
        pair = _ints(value)
        if len(pair) != 2:
            raise _Bad(f"expected a whole number or a pair (h, w), got {len(pair)} numbers")
        return pair
    return _int(value)


def _coerce_vector(param: Param, value: Any) -> np.ndarray:
    # A matrix is let through: solvers such as softmax apply a "vector" parameter row by row.
    return _array(value, (1, 2), "a vector")


def _coerce_matrix(param: Param, value: Any) -> np.ndarray:
    return _array(value, (2,), "a matrix (a list of rows)")


def _coerce_layers(param: Param, value: Any) -> tuple[tuple[int, ...], ...]:
    np = numpy_types()
    rows = _listlike(value)
    if isinstance(rows, np.ndarray):
        rows = rows.tolist()
    if not isinstance(rows, (list, tuple)) or not rows:
        raise _Bad("expected a non-empty list of (kernel, stride) layers")
    layers = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, (list, tuple)):
            raise _Bad(f"layer {number}: expected (kernel, stride) or (kernel, stride, dilation), got {_shown(row)}")
        try:
            layer = _ints(row)
        except _Bad as exc:
            raise _Bad(f"layer {number}: {exc}") from None
        if len(layer) not in (2, 3):
            raise _Bad(f"layer {number}: expected (kernel, stride) or (kernel, stride, dilation), got {len(layer)} numbers")
        layers.append(layer)
    return tuple(layers)


def _coerce_shape(param: Param, value: Any) -> tuple[int, ...]:
    np = numpy_types()
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return (int(value),)
    return _ints(value)


def _coerce_point(param: Param, value: Any) -> float | list[float]:
    np = numpy_types()
    if isinstance(value, str):
        value = _split_text(value)
        if isinstance(value, list) and len(value) == 1 and not isinstance(value[0], list):
            value = value[0]
    if isinstance(value, (list, tuple, np.ndarray)):
        return _array(value, (1,), "a point (one number per variable)").tolist()
    return _float(value)


_COERCERS: dict[str, Callable[[Param, Any], Any]] = {
    "int": _coerce_int,
    "float": _coerce_float,
    "bool": _coerce_bool,
    "str": _coerce_str,
    "formula": _coerce_formula,
    "int_or_pair": _coerce_int_or_pair,
    "vector": _coerce_vector,
    "matrix": _coerce_matrix,
    "layers": _coerce_layers,
    "shape": _coerce_shape,
    "point": _coerce_point,
}


# ---------------------------------------------------------------- checks and display shared by solvers


MAX_WHOLE = 10**12
"""The largest whole-number parameter (a size, channel count, fan, ...) any solver takes.

No layer is that wide, and the bound keeps every product of a few such numbers printable and
every square root of one a float (10**400 used to overflow math.sqrt).
"""


def _shown_int(number: int) -> str:
    """An int for a message: as it is, or its number of digits when it is too long to read."""
    if -(10**15) < number < 10**15:
        return str(number)
    sign = "negative " if number < 0 else ""
    if number.bit_length() > 14_000:  # str() refuses ints beyond 4300 digits
        return f"a {sign}number of more than 4,000 digits"
    return f"a {len(str(abs(number)))}-digit {sign}number"


def check_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """``value`` as an int >= ``minimum`` and <= MAX_WHOLE, or ValueError naming ``name``.

    Integral floats (4.0) are accepted; bools, other floats and text are refused, so that a
    ``True`` or a ``2.5`` never silently becomes a layer size.
    """
    np = numpy_types()
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected a whole number, got the bool {value}")
    integral_float = isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer()
    if not (isinstance(value, (int, np.integer)) or integral_float):
        raise ValueError(f"{name}: expected a whole number, got {_shown(value)}")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name}: must be ≥ {minimum}, got {_shown_int(number)}")
    if number > MAX_WHOLE:
        raise ValueError(f"{name}: must be ≤ 10¹², got {_shown_int(number)}")
    return number


def check_int_or_pair(name: str, value: Any, *, minimum: int | None = None) -> tuple[tuple[int, int], bool]:
    """An int or an (h, w) pair -> ((h, w), was_pair); ints are used for both dimensions."""
    np = numpy_types()
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value)
        if len(items) != 2:
            raise ValueError(f"{name}: expected a whole number or a pair (h, w), got {len(items)} values")
        h = check_int(name, items[0], minimum=minimum)
        w = check_int(name, items[1], minimum=minimum)
        return (h, w), True
    number = check_int(name, value, minimum=minimum)
    return (number, number), False


def check_float(name: str, value: Any, *, positive: bool = False) -> float:
    """``value`` as a finite float (> 0 when ``positive``), or ValueError naming ``name``; bools refused."""
    np = numpy_types()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name}: expected a number, got {_shown(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{name}: the number is too large") from None
    if not math.isfinite(number):
        raise ValueError(f"{name}: must be a finite number, got {number}")
    if positive and number <= 0:
        raise ValueError(f"{name}: must be > 0, got {fmt(number)}")
    return number


def check_bool(name: str, value: Any) -> bool:
    """``value`` as a bool; only True/False (and numpy bools) are accepted."""
    np = numpy_types()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name}: expected True or False, got {_shown(value)}")


def same_value(a: Any, b: Any) -> bool:
    """True when two answers of the same structure agree (floats to rounding error, 1e-9 relative)."""
    if type(a) in (int, float) and type(b) in (int, float):
        # Fast path for scalars: np.allclose costs ~10 µs a call and drill generation calls this often.
        return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    import numpy as np  # arrays, numpy scalars and mixed values (a bool, None) get here

    try:
        a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a_arr.shape == b_arr.shape and bool(np.allclose(a_arr, b_arr, rtol=1e-9, atol=1e-12))


class Misconceptions(tuple):
    """The tuple :func:`distinct` returns, remembering which candidates gave the answer itself."""

    equal_to_answer: tuple[str, ...] = ()


def distinct(value: Any, candidates: Any) -> tuple[Misconception, ...]:
    """The misconceptions whose value is finite and differs from the answer and from every earlier one.

    A "wrong" answer equal to the right one would flag a correct user; two names for one value
    would make the diagnosis a guess, so the first (most common) name is kept. The names of those
    equal to the answer are kept on the result (``Solution.equal_to_answer``), so a drill generator
    can tell that these numbers cannot catch the mistake.
    """
    kept: list[Misconception] = []
    equal: list[str] = []
    for m in candidates:
        if not _finite_value(m.value):
            continue  # an overflowing wrong path: nobody answers ∞
        if same_value(m.value, value):
            equal.append(m.name)
            continue
        if any(same_value(m.value, k.value) for k in kept):
            continue
        kept.append(m)
    result = Misconceptions(kept)
    result.equal_to_answer = tuple(equal)
    return result


def _finite_value(value: Any) -> bool:
    """True when every number in ``value`` (a number, array, tuple or dict of them) is finite."""
    if isinstance(value, dict):
        return all(_finite_value(v) for v in value.values())
    if isinstance(value, (tuple, list)):
        return all(_finite_value(v) for v in value)
    if isinstance(value, (int, float)):  # Python ints are exact and always finite
        return isinstance(value, int) or math.isfinite(value)
    import numpy as np

    try:
        return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))
    except (TypeError, ValueError, OverflowError):
        return True  # not numbers (a shape of names, ...): nothing to overflow


def check_array(name: str, value: Any, ndims: tuple[int, ...], what: str, *, max_entries: int | None = None) -> np.ndarray:
    """A finite float array with one of the allowed numbers of dimensions, or ValueError naming ``name``.

    ``max_entries`` bounds arrays whose every entry the worked steps write out.
    """
    import numpy as np

    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name}: expected {what} of numbers, got text {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected {what} of numbers with rows of equal length") from None
    if arr.ndim not in ndims:
        got = "a single number" if arr.ndim == 0 else f"{arr.ndim} dimension{'s' if arr.ndim > 1 else ''}"
        raise ValueError(f"{name}: expected {what}, got {got}")
    if arr.size == 0:
        raise ValueError(f"{name}: is empty")
    if max_entries is not None and arr.size > max_entries:
        raise ValueError(f"{name}: has {arr.size:,} numbers; at most {max_entries:,} here, since the steps show them all")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains nan or inf")
    return arr


def show_number(x: Any, digits: int = 4) -> str:
    """A number for worked steps with a compact exponent: 0.2447, −0.7071, 4.54e−5."""
    return re.sub(r"e([−+]?)0*(\d)", r"e\1\2", fmt(x, digits)).replace("e+", "e")


def show_term(x: Any, digits: int = 4) -> str:
    """A number after an operator in a worked step: a negative in parentheses, 1 + (−0.309), never 1 + −0.309."""
    text = show_number(x, digits)
    return f"({text})" if text.startswith("−") else text


def show_array(a: Any, digits: int = 4) -> str:
    """A vector or matrix for worked steps: [[0.5, 0.5], [0.2689, 0.7311]]."""
    import numpy as np

    a = np.asarray(a)
    if a.ndim == 0:
        return show_number(a, digits)
    return "[" + ", ".join(show_array(row, digits) for row in a) + "]"


def fmt(x: Any, digits: int = 5) -> str:
    """A number for the worked steps: ints as they are, floats to ``digits`` significant figures,
    a Unicode minus."""
    np = numpy_types()
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        text = str(int(x))
    else:
        x = float(x)
        if math.isinf(x):
            text = "-∞" if x < 0 else "∞"
        elif x == int(x) and abs(x) < 1e15:
            text = str(int(x))
        else:
            text = f"{x:.{digits}g}"
    return text.replace("-", "−")
