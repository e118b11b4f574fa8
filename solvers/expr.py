"""Provides the project's one safe expression language: parse, evaluate, differentiate and print formulas.

Everything typed by a user or written in a content file (answers, drill ``where``/``derive``
constraints, gradient formulas) goes through :func:`parse`, a hand-written tokenizer and Pratt
parser. Nothing here calls ``eval``, ``exec``, ``compile`` or sympy: the grammar has numbers, names,
a fixed set of functions and operators, and nothing else, so attribute access, indexing, strings and
lambdas are syntax errors. Input length, nesting depth and the size of every intermediate number are
bounded, so hostile input fails with :class:`ExprError` in microseconds.

Grammar, loosest binding first::

    or  <  and  <  not  <  comparisons (< <= > >= == != = ≤ ≥ ≠, chainable: a < b < c)
        <  + −  <  * / // % (also · × ⋅ ∗ ÷)  <  implicit product after a number (2π, 3(x+1))
        <  prefix − + √  <  power ^ or ** (right-assoc; -2^2 = -4, 10^-3 works)  <  superscripts x²

Implicit multiplication binds tighter than ``/`` so ``1/2π`` is 1/(2π) and ``√2/4`` is (√2)/4.
Constants: ``pi``, ``π``, ``e`` (reserved names, kept as :class:`Var` nodes so formulas print as
written; :func:`variables` leaves them out). ``log`` and ``ln`` are the natural logarithm.
"""

from __future__ import annotations

import functools
import math
import numbers
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, NamedTuple

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "Binary",
    "Call",
    "ExprError",
    "Node",
    "Num",
    "Unary",
    "Var",
    "differentiate",
    "evaluate",
    "parse",
    "simplify",
    "substitute",
    "to_text",
    "variables",
]


class ExprError(ValueError):
    """An expression that cannot be parsed or evaluated; the message is short and meant for a user.

    ``position`` is the 1-based character position the problem was found at, when there is one.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message if position is None else f"{message} at position {position}")
        self.position = position


# ---------------------------------------------------------------------------------------------
# Nodes


@dataclass(frozen=True)
class Num:
    """A number literal: int for integers, float for decimals."""

    value: int | float


@dataclass(frozen=True)
class Var:
    """A variable or one of the constants ``pi`` / ``e``."""

    name: str


@dataclass(frozen=True)
class Unary:
    """A prefix operator: ``-``, ``+`` or ``not``."""

    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    """An infix operator: ``+ - * / // % ^ < <= > >= == != and or``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    """A call of one of :data:`FUNCTIONS`; ``args`` is a tuple of nodes."""

    func: str
    args: tuple[Node, ...]


Node = Num | Var | Unary | Binary | Call

CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
"""Reserved names with fixed values (``π`` is read as ``pi``)."""

# The largest magnitude any intermediate result may have: every number stays convertible to float.
_MAX_FLOAT = 1.7976931348623157e308
_INT_LIMIT = int(_MAX_FLOAT)
_MAX_LOG10 = math.log10(_MAX_FLOAT)
_MAX_INT_DIGITS = 309

_ARITH_OPS = ("+", "-", "*", "/", "//", "%", "^")
_COMPARE_OPS = ("<", "<=", ">", ">=", "==", "!=")
_LOGIC_OPS = ("and", "or")


# ---------------------------------------------------------------------------------------------
# Evaluation helpers (used by FUNCTIONS, so defined first)


def _check_number(value: float) -> int | float:
    """Refuse inf, nan and integers beyond float range: every operation result passes through here."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if -_INT_LIMIT <= value <= _INT_LIMIT:
            return value
        raise ExprError("number too large")
    if math.isnan(value):
        raise ExprError("result is not a number")
    if math.isinf(value):
        raise ExprError("number too large")
    return value


def _sqrt(x: float) -> int | float:
    """√x; exact for perfect squares so sqrt(16) is the integer 4."""
    if x < 0:
        raise ExprError("square root of a negative number")
    if isinstance(x, int):
        root = math.isqrt(x)
        if root * root == x:
            return root
    return math.sqrt(x)


def _log_of(fn: Callable[[float], float], what: str) -> Callable[[int | float], float]:
    def log(x: float) -> float:
        if x <= 0:
            raise ExprError(f"{what} of a number that is not positive")
        return fn(x)

    return log


def _exp(x: float) -> float:
    if x > 709.78:  # log(1.797e308): beyond it exp overflows
        raise ExprError("number too large")
    return math.exp(x)


def _sigmoid(x: float) -> float:
    """σ(x) = 1/(1 + e^−x), computed without overflow for large |x|."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


_ROUND_CONTEXT = Context(prec=700)  # enough digits for any float to any of ±308 places


def _round(x: float, places: float = 0) -> int | float:
    """Round half away from zero (as taught at school, not Python's half-to-even) to ``places`` decimals."""
    if not float(places).is_integer() or not -308 <= places <= 308:
        raise ExprError("round() needs a whole number of places between -308 and 308")
    places = int(places)
    if isinstance(x, int) and places >= 0:
        return x
    # repr gives the shortest decimal that reads back as x, so 2.675 rounds to 2.68 as written.
    exact = Decimal(repr(x) if isinstance(x, float) else x)
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_ROUND_CONTEXT)
    return int(rounded) if places <= 0 else float(rounded)


def _floor_or_ceil(fn: Callable[[float], int]) -> Callable[[int | float], int]:
    def apply(x: float) -> int:
        return x if isinstance(x, int) else fn(x)

    return apply


def _extremum(fn: Callable[..., int | float]) -> Callable[..., int | float]:
    def apply(*xs: float) -> int | float:
        return fn(xs)

    return apply


class _Function(NamedTuple):
    """A function answers may call: how many arguments it takes, and what computes it."""

    min_args: int
    max_args: int | None
    impl: Callable[..., int | float]


FUNCTIONS: dict[str, _Function] = {
    "sqrt": _Function(1, 1, _sqrt),
    "exp": _Function(1, 1, _exp),
    "log": _Function(1, 1, _log_of(math.log, "log")),
    "log2": _Function(1, 1, _log_of(math.log2, "log2")),
    "log10": _Function(1, 1, _log_of(math.log10, "log10")),
    "sin": _Function(1, 1, math.sin),
    "cos": _Function(1, 1, math.cos),
    "tan": _Function(1, 1, math.tan),
    "tanh": _Function(1, 1, math.tanh),
    "sigmoid": _Function(1, 1, _sigmoid),
    "abs": _Function(1, 1, abs),
    "sign": _Function(1, 1, _sign),
    "floor": _Function(1, 1, _floor_or_ceil(math.floor)),
    "ceil": _Function(1, 1, _floor_or_ceil(math.ceil)),
    "round": _Function(1, 2, _round),
    "min": _Function(1, None, _extremum(min)),
    "max": _Function(1, None, _extremum(max)),
}
"""The functions the grammar knows, by name; ``ln`` is read as ``log`` (natural)."""

_FUNCTION_ALIASES = {"ln": "log"}


# ---------------------------------------------------------------------------------------------
# Tokenizer

_MINUS_SIGNS = "-\u2212\u2013"  # ASCII, U+2212 minus sign, U+2013 en dash (what editors substitute)
_TIMES_SIGNS = "*\u00b7\u00d7\u22c5\u2217"  # * · × ⋅ ∗
_SUPERSCRIPTS = {
    "\u2070": "0", "\u00b9": "1", "\u00b2": "2", "\u00b3": "3", "\u2074": "4",
    "\u2075": "5", "\u2076": "6", "\u2077": "7", "\u2078": "8", "\u2079": "9",
    "\u207b": "-", "\u207a": "+",
}  # fmt: skip
_SINGLE_OPS = {"+": "+", "/": "/", "\u00f7": "/", "%": "%", "^": "^", "<": "<", ">": ">", "=": "==",
               "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u221a": "√"}  # fmt: skip
_DOUBLE_OPS = {"**": "^", "//": "//", "<=": "<=", ">=": ">=", "==": "==", "!=": "!="}
_KEYWORDS = ("and", "or", "not")


class _Token(NamedTuple):
    """One token of the input (a tuple: the tokenizer makes one per symbol, and many per answer)."""

    kind: str  # num | name | op | ( | ) | , | sup | end
    value: object
    pos: int  # 1-based
    text: str


def _describe(tok: _Token) -> str:
    if tok.kind == "end":
        return "end of input"
    if tok.kind == "num":
        return f"number {tok.text}"
    return repr(tok.text)


def _is_name_start(ch: str) -> bool:
    return ch == "_" or (ch.isalpha() and ch != "π")


def _is_name_char(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum() or ch == "_"
    return ch.isalpha() and ch != "π"


def _scan_number(text: str, i: int) -> tuple[int | float, int]:
    """Read a number literal at ``text[i]``: 12, 1.5, .5, 1., 1e-3, 2.5E4 (exponent sign may be −)."""
    n = len(text)
    j = i
    while j < n and text[j].isascii() and text[j].isdigit():
        j += 1
    is_float = False
    if j < n and text[j] == ".":
        is_float = True
        j += 1
        while j < n and text[j].isascii() and text[j].isdigit():
            j += 1
    mantissa = text[i:j]
    exponent = ""
    if j < n and text[j] in "eE":
        k = j + 1
        if k < n and text[k] in "+" + _MINUS_SIGNS:
            k += 1
        if k < n and text[k].isascii() and text[k].isdigit():
            while k < n and text[k].isascii() and text[k].isdigit():
                k += 1
            sign = text[j + 1]
            exponent = "e" + ("-" if sign in _MINUS_SIGNS else "") + text[j + 1 : k].lstrip("+" + _MINUS_SIGNS)
            is_float = True
            j = k
    if mantissa == ".":
        raise ExprError("unexpected '.'", i + 1)
    if not is_float:
        if len(mantissa) > _MAX_INT_DIGITS:
            raise ExprError("number too large", i + 1)
        return _check_number(int(mantissa)), j
    # float() on a huge exponent is fast and gives inf; the check turns that into a message.
    value = float(mantissa + exponent)
    if math.isinf(value):
        raise ExprError("number too large", i + 1)
    return value, j


def _tokenize(text: str, max_depth: int) -> list[_Token]:
    tokens: list[_Token] = []
    depth = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        pos = i + 1
        if ch.isspace():
            i += 1
            continue
        if (ch.isascii() and ch.isdigit()) or (ch == "." and i + 1 < n and text[i + 1].isascii() and text[i + 1].isdigit()):
            value, j = _scan_number(text, i)
            tokens.append(_Token("num", value, pos, text[i:j]))
            i = j
            continue
        if ch == "π":
            tokens.append(_Token("name", "pi", pos, ch))
            i += 1
            continue
        if _is_name_start(ch):
            j = i + 1
            while j < n and _is_name_char(text[j]):
                j += 1
            tokens.append(_Token("name", text[i:j], pos, text[i:j]))
            i = j
            continue
        if ch in _SUPERSCRIPTS:
            j = i
            while j < n and text[j] in _SUPERSCRIPTS:
                j += 1
            digits = "".join(_SUPERSCRIPTS[c] for c in text[i:j])
            body = digits.lstrip("+-")
            if not body or not body.isdigit() or len(digits) - len(body) > 1 or len(body) > 4:
                raise ExprError(f"cannot read the exponent {text[i:j]!r}", pos)
            tokens.append(_Token("sup", int(digits), pos, text[i:j]))
            i = j
            continue
        two = text[i : i + 2]
        if two in _DOUBLE_OPS:
            tokens.append(_Token("op", _DOUBLE_OPS[two], pos, two))
            i += 2
            continue
        if ch in _MINUS_SIGNS:
            tokens.append(_Token("op", "-", pos, ch))
        elif ch in _TIMES_SIGNS:
            tokens.append(_Token("op", "*", pos, ch))
        elif ch in _SINGLE_OPS:
            tokens.append(_Token("op", _SINGLE_OPS[ch], pos, ch))
        elif ch == "(":
            depth += 1
            if depth > max_depth:
                raise ExprError(f"too deeply nested (more than {max_depth} levels of brackets)", pos)
            tokens.append(_Token("(", None, pos, ch))
        elif ch == ")":
            depth -= 1
            tokens.append(_Token(")", None, pos, ch))
        elif ch == ",":
            tokens.append(_Token(",", None, pos, ch))
        else:
            shown = ch if ch.isprintable() else ascii(ch)[1:-1]
            quote = '"' if ch == "'" else "'"
            raise ExprError(f"unexpected character {quote}{shown}{quote}", pos)
        i += 1
    tokens.append(_Token("end", None, n + 1, ""))
    return tokens


# ---------------------------------------------------------------------------------------------
# Parser (Pratt): binding powers, higher binds tighter

_INFIX_BP: dict[str, tuple[int, int]] = {
    "or": (10, 11),
    "and": (20, 21),
    **{op: (40, 41) for op in _COMPARE_OPS},
    "+": (50, 51),
    "-": (50, 51),
    "*": (60, 61),
    "/": (60, 61),
    "//": (60, 61),
    "%": (60, 61),
    "^": (80, 79),  # right-associative; the exponent may start with a sign (10^-3)
}
_NOT_BP = 30
_IMPLICIT_BP = (65, 66)
_PREFIX_BP = 70
_SUPERSCRIPT_BP = 90


class _Parser:
    def __init__(self, tokens: list[_Token], names: frozenset[str] | None, max_depth: int) -> None:
        self.tokens = tokens
        self.i = 0
        self.names = names
        self.max_depth = max_depth
        self.depth = 0

    @property
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.expression(0)
        tok = self.peek
        if tok.kind != "end":
            if tok.kind == ")":
                raise ExprError("unmatched ')'", tok.pos)
            if tok.kind in ("num", "name", "(") or (tok.kind == "op" and tok.value == "√"):
                raise ExprError(f"missing operator before {_describe(tok)}", tok.pos)
            raise ExprError(f"unexpected {_describe(tok)}", tok.pos)
        return node

    def _infix_op(self, tok: _Token) -> str | None:
        if tok.kind == "op" and tok.value in _INFIX_BP:
            return str(tok.value)
        if tok.kind == "name" and tok.value in _LOGIC_OPS:
            return str(tok.value)
        return None

    def expression(self, min_bp: int) -> Node:
        self.depth += 1
        if self.depth > self.max_depth:
            raise ExprError(f"too deeply nested (more than {self.max_depth} levels)", self.peek.pos)
        try:
            left = self.prefix()
            chain_right: Node | None = None  # right operand of the last comparison, for a < b < c
            while True:
                tok = self.peek
                prev = self.tokens[self.i - 1]
                if tok.kind == "sup":
                    if _SUPERSCRIPT_BP <= min_bp:
                        break
                    self.advance()
                    left = Binary("^", left, Num(int(tok.value)))  # type: ignore[arg-type]
                    chain_right = None
                    continue
                op = self._infix_op(tok)
                if op is None:
                    implicit = prev.kind == "num" and (tok.kind in ("name", "(") or (tok.kind == "op" and tok.value == "√"))
                    if not implicit or (tok.kind == "name" and tok.value in _KEYWORDS):
                        break
                    if _IMPLICIT_BP[0] <= min_bp:
                        break
                    right = self.expression(_IMPLICIT_BP[1])
                    left = Binary("*", left, right)
                    chain_right = None
                    continue
                left_bp, right_bp = _INFIX_BP[op]
                if left_bp <= min_bp:
                    break
                self.advance()
                if self.peek.kind == "end":
                    raise ExprError(f"expected a number after '{tok.text}'", self.peek.pos)
                right = self.expression(right_bp)
                if op in _COMPARE_OPS:
                    if chain_right is not None:
                        left = Binary("and", left, Binary(op, chain_right, right))
                    else:
                        left = Binary(op, left, right)
                    chain_right = right
                else:
                    left = Binary(op, left, right)
                    chain_right = None
            return left
        finally:
            self.depth -= 1

    def prefix(self) -> Node:
        tok = self.advance()
        if tok.kind == "num":
            return Num(tok.value)  # type: ignore[arg-type]
        if tok.kind == "op" and tok.value in ("-", "+", "√"):
            if self.peek.kind == "end":
                raise ExprError(f"expected a number after '{tok.text}'", self.peek.pos)
            operand = self.expression(_PREFIX_BP)
            if tok.value == "√":
                return Call("sqrt", (operand,))
            return Unary(str(tok.value), operand)
        if tok.kind == "(":
            if self.peek.kind == ")":
                raise ExprError("empty brackets", self.peek.pos)
            node = self.expression(0)
            closing = self.peek
            if closing.kind != ")":
                if closing.kind == "end":
                    raise ExprError("missing ')'", closing.pos)
                raise ExprError(f"expected ')', found {_describe(closing)}", closing.pos)
            self.advance()
            return node
        if tok.kind == "name":
            return self.name(tok)
        if tok.kind == "end":
            raise ExprError("expected a number", tok.pos)
        if tok.kind == ")":
            raise ExprError("unexpected ')'", tok.pos)
        raise ExprError(f"unexpected {_describe(tok)}", tok.pos)

    def name(self, tok: _Token) -> Node:
        name = str(tok.value)
        if name == "not":
            return Unary("not", self.expression(_NOT_BP))
        if name in _KEYWORDS:
            raise ExprError(f"unexpected '{name}'", tok.pos)
        func = _FUNCTION_ALIASES.get(name, name)
        if self.peek.kind == "(":
            if func not in FUNCTIONS:
                raise ExprError(f"unknown function '{name}'", tok.pos)
            return self.call(tok, func)
        if func in FUNCTIONS:
            raise ExprError(f"'{name}' needs its argument in brackets: {name}(...)", tok.pos)
        if name in CONSTANTS:
            if self.names is not None and name in self.names and tok.text != "π":
                # A parameter called e (or pi) would silently lose to the constant: refuse instead.
                raise ExprError(f"'{name}' is the constant {_SHOWN_NAME.get(name, name)}; rename the variable", tok.pos)
            return Var(name)
        # Leading underscores are never a name here: nothing dunder-like gets near evaluation.
        if name.startswith("_") or (self.names is not None and name not in self.names):
            raise ExprError(f"unknown name '{name}'", tok.pos)
        return Var(name)

    def call(self, tok: _Token, func: str) -> Node:
        self.advance()  # (
        args: list[Node] = []
        if self.peek.kind != ")":
            while True:
                args.append(self.expression(0))
                if self.peek.kind == ",":
                    self.advance()
                    continue
                break
        closing = self.peek
        if closing.kind != ")":
            if closing.kind == "end":
                raise ExprError("missing ')'", closing.pos)
            raise ExprError(f"expected ',' or ')', found {_describe(closing)}", closing.pos)
        self.advance()
        spec = FUNCTIONS[func]
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            if spec.max_args == spec.min_args:
                wanted = f"{spec.min_args} argument" + ("s" if spec.min_args != 1 else "")
            elif spec.max_args is None:
                wanted = f"at least {spec.min_args} argument" + ("s" if spec.min_args != 1 else "")
            else:
                wanted = f"{spec.min_args} or {spec.max_args} arguments"
            raise ExprError(f"{tok.text}() takes {wanted}, got {len(args)}", tok.pos)
        return Call(func, tuple(args))


def parse(
    text: str,
    *,
    variables: Collection[str] | None = None,
    max_length: int = 1000,
    max_depth: int = 64,
) -> Node:
    """Parse ``text`` into a tree of nodes.

    ``variables``: the names allowed (None: any name that is not a function or keyword; constants
    ``pi``/``π``/``e`` are always allowed, and a variable may not be called ``pi`` or ``e``). Raises :class:`ExprError` for anything outside the
    grammar, for text longer than ``max_length`` characters and for nesting deeper than ``max_depth``.
    """
    if not isinstance(text, str):
        raise ExprError("expected text")
    if len(text) > max_length:
        raise ExprError(f"too long ({len(text)} characters; the limit is {max_length})")
    if not text.strip():
        raise ExprError("empty expression")
    names = None if variables is None else frozenset(variables)
    try:
        tokens = _tokenize(text, max_depth)
        return _Parser(tokens, names, max_depth).parse()
    except RecursionError:  # only if a caller passes a huge max_depth
        raise ExprError("too deeply nested") from None


# ---------------------------------------------------------------------------------------------
# Evaluation


def _as_number(name: str, value: object) -> int | float:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Integral):
        return _check_number(int(value))
    if isinstance(value, numbers.Real):
        return _check_number(float(value))
    raise ExprError(f"the value of '{name}' is not a number")


def _power(a: float, b: float) -> int | float:
    """a^b, refusing results beyond float range by estimating b·log10|a| before computing anything."""
    if isinstance(a, int) and isinstance(b, int):
        if b >= 0:
            if a in (0, 1) or b == 0:
                return a**b
            if a == -1:
                return 1 if b % 2 == 0 else -1
            if b * math.log10(abs(a)) > _MAX_LOG10 + 0.01:
                raise ExprError("number too large")
            return _check_number(a**b)
        if a == 0:
            raise ExprError("division by zero")
        x, y = float(a), float(b)
    else:
        x, y = float(a), float(b)
        if x == 0 and y < 0:
            raise ExprError("division by zero")
        if x < 0 and not y.is_integer():
            raise ExprError("a negative number to a fractional power")
    if x != 0 and y * math.log10(abs(x)) > _MAX_LOG10 + 0.01:
        raise ExprError("number too large")
    try:
        return _check_number(math.pow(x, y))
    except OverflowError:
        raise ExprError("number too large") from None


def _divide(a: float, b: float) -> int | float:
    """a / b; an integer when both are integers and b divides a, so 4/2 is 2 but 3/4 is 0.75."""
    if b == 0:
        raise ExprError("division by zero")
    if isinstance(a, int) and isinstance(b, int) and a % b == 0:
        return a // b
    try:
        return _check_number(a / b)
    except OverflowError:
        raise ExprError("number too large") from None


def _arith(op: str, a: float, b: float) -> int | float:
    # bool is an int, but True + True should be 2, not a bool.
    a = int(a) if isinstance(a, bool) else a
    b = int(b) if isinstance(b, bool) else b
    try:
        if op == "+":
            return _check_number(a + b)
        if op == "-":
            return _check_number(a - b)
        if op == "*":
            return _check_number(a * b)
        if op == "/":
            return _divide(a, b)
        if op == "^":
            return _power(a, b)
        if b == 0:
            raise ExprError("division by zero")
        if op == "//":
            return _check_number(a // b)
        return _check_number(a % b)  # "%"
    except OverflowError:
        raise ExprError("number too large") from None


_COMPARATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne,
}  # fmt: skip

_UNSET = object()

# A compiled node: (env, values) -> its value. ``values`` holds, for one evaluation, the value of each
# subtree that occurs more than once (None when there is none).
_Compiled = Callable[[Mapping[str, object], "list[object] | None"], "int | float | bool"]


def _is_truth_value(node: Node) -> bool:
    """Whether ``node`` evaluates to a bool (True + True must still be 2, as in _arith)."""
    return (isinstance(node, Binary) and node.op in _COMPARE_OPS + _LOGIC_OPS) or (isinstance(node, Unary) and node.op == "not")


def _failing(message: str) -> _Compiled:
    """A node that raises ExprError(message) when, and only when, evaluation reaches it."""

    def fail(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
        raise ExprError(message)

    return fail


def _checked(value: int | float) -> int | float:
    """_check_number with the common case (a finite float, an int in float range) answered by one comparison."""
    return value if -_MAX_FLOAT <= value <= _MAX_FLOAT else _check_number(value)


_INLINE_ARITH: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": operator.mul}


def _arith_closure(
    apply: Callable[[Any, Any], Any],
    left: _Compiled,
    right: _Compiled,
    left_value: int | float | None,
    right_value: int | float | None,
) -> _Compiled:
    """a + b, a − b or a·b of numbers that are not bools, checked as _arith checks them; a number literal
    operand (x − 1, 2·x) is used directly instead of through its closure."""
    top = _MAX_FLOAT
    if right_value is not None:
        c = right_value

        def with_number_right(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
            value = apply(left(env, values), c)
            return value if -top <= value <= top else _check_number(value)

        return with_number_right
    if left_value is not None:
        c = left_value

        def with_number_left(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
            value = apply(c, right(env, values))
            return value if -top <= value <= top else _check_number(value)

        return with_number_left

    def arithmetic(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
        value = apply(left(env, values), right(env, values))
        return value if -top <= value <= top else _check_number(value)

    return arithmetic


def _power_closure(left: _Compiled, right: _Compiled, exponent: int | float | None) -> _Compiled:
    """a^b as _power computes it. A float base that is positive, or non-zero under a whole exponent, goes
    straight to math.pow: _power would do the same after checks that cannot fail there (its range estimate
    only refuses results that math.pow overflows on, with the same message)."""

    def power(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
        a = left(env, values)
        b = right(env, values) if exponent is None else exponent
        try:
            if a.__class__ is float and (a > 0.0 or (a < 0.0 and b.__class__ is int)):
                return math.pow(a, b)  # type: ignore[arg-type]
            return _power(a, b)  # type: ignore[arg-type]
        except OverflowError:
            raise ExprError("number too large") from None

    return power


def _children(n: object) -> tuple[Node, ...]:
    if isinstance(n, Binary):
        return (n.left, n.right)
    if isinstance(n, Unary):
        return (n.operand,)
    if isinstance(n, Call):
        return n.args
    return ()


def _post_order(root: Node) -> tuple[list[Node], dict[int, int]]:
    """Each distinct node once, children before parents, and how many times each is referred to.

    Iterative, so a long chain (x + x + … + x) costs no Python stack; a node reached again through
    another parent (a derivative shares subtrees) is counted, not walked again.
    """
    order: list[Node] = []
    uses: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        n, children_done = stack.pop()
        if children_done:
            order.append(n)
            continue
        if id(n) in uses:
            uses[id(n)] += 1
            continue
        uses[id(n)] = 1
        stack.append((n, True))
        stack.extend((child, False) for child in reversed(_children(n)))
    return order, uses


class _Compiler:
    """Turns a formula into a tree of closures, once, so that evaluating it again costs one call per node.

    Each closure does what a tree walk would do at its node, in the same order, with the same checks
    and messages; what can be settled once (operator dispatch, function specs, number literals) is
    settled here. A subtree that occurs more than once (the chain rule repeats the inner function:
    σ(u)·(1 − σ(u))·u′) gets one slot in ``values`` and is computed once per evaluation. No text is
    generated and nothing reaches ``eval``/``compile``: the closures are built from our own nodes.
    """

    def __init__(self, root: Node) -> None:
        order, uses = _post_order(root)  # root keeps every node alive, so ids stay unique
        self.built: dict[int, _Compiled] = {}
        self.constants: dict[int, int | float] = {}  # id(Num) -> its checked value, for operators to use inline
        self.slots = 0
        for n in order:
            compiled = self._node(n)
            if uses[id(n)] > 1 and isinstance(n, (Unary, Binary, Call)):
                compiled = self._shared(compiled, self.slots)
                self.slots += 1
            self.built[id(n)] = compiled
        self.root = self.built[id(root)]

    def compile(self, node: Node) -> _Compiled:
        return self.built[id(node)]  # children are built before their parents

    @staticmethod
    def _shared(inner: _Compiled, slot: int) -> _Compiled:
        def shared(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
            value = values[slot]  # type: ignore[index]
            if value is _UNSET:
                value = values[slot] = inner(env, values)  # type: ignore[index]
            return value  # type: ignore[return-value]

        return shared

    def _node(self, node: Node) -> _Compiled:
        if isinstance(node, Num):
            return self._number(node)
        if isinstance(node, Var):
            return self._variable(node)
        if isinstance(node, Unary):
            return self._unary(node)
        if isinstance(node, Binary):
            return self._binary(node)
        if isinstance(node, Call):
            return self._call(node)
        return _failing(f"not an expression node: {type(node).__name__}")

    def _number(self, node: Num) -> _Compiled:
        # Converted and checked once here; repr is only needed to name a literal that is not a number.
        raw = node.value
        try:
            value = _check_number(raw) if type(raw) in (int, float) else _as_number(repr(raw), raw)
        except ExprError as exc:
            return _failing(str(exc))
        self.constants[id(node)] = value

        def number(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
            return value

        return number

    @staticmethod
    def _variable(node: Var) -> _Compiled:
        name = node.name
        if name in CONSTANTS:
            constant = CONSTANTS[name]

            def fixed(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                return constant

            return fixed

        def variable(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
            if name not in env:
                raise ExprError(f"no value for '{name}'")
            value = env[name]
            if value.__class__ is float and -_MAX_FLOAT <= value <= _MAX_FLOAT:  # type: ignore[operator]
                return value  # type: ignore[return-value]
            return _as_number(name, value)

        return variable

    def _unary(self, node: Unary) -> _Compiled:
        operand, op = self.compile(node.operand), node.op
        if op == "not":

            def negation(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                return not operand(env, values)

            return negation
        if op == "-":

            def minus(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                value = operand(env, values)
                if value.__class__ is float:
                    return -value  # a checked float negated stays in range
                return _check_number(-int(value) if isinstance(value, bool) else -value)

            return minus
        if op == "+":

            def plus(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                value = operand(env, values)
                return int(value) if isinstance(value, bool) else value

            return plus

        def unknown(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
            operand(env, values)
            raise ExprError(f"unknown operator '{op}'")

        return unknown

    def _binary(self, node: Binary) -> _Compiled:
        left, right, op = self.compile(node.left), self.compile(node.right), node.op
        if op == "and":

            def both(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                return bool(left(env, values)) and bool(right(env, values))

            return both
        if op == "or":

            def either(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                return bool(left(env, values)) or bool(right(env, values))

            return either
        if op in _COMPARE_OPS:
            compare = _COMPARATORS[op]

            def comparison(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                return compare(left(env, values), right(env, values))

            return comparison
        if op not in _ARITH_OPS:

            def unknown(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                left(env, values)
                right(env, values)
                raise ExprError(f"unknown operator '{op}'")

            return unknown
        if _is_truth_value(node.left) or _is_truth_value(node.right) or op in ("//", "%"):

            def arithmetic(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                return _arith(op, left(env, values), right(env, values))

            return arithmetic
        # Neither operand can be a bool here, so _arith's bool-to-int step has nothing to do.
        if op in _INLINE_ARITH:
            return _arith_closure(
                _INLINE_ARITH[op], left, right, self.constants.get(id(node.left)), self.constants.get(id(node.right))
            )
        if op == "^":
            return _power_closure(left, right, self.constants.get(id(node.right)))

        def divide(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
            a = left(env, values)
            b = right(env, values)
            try:
                return _divide(a, b)
            except OverflowError:
                raise ExprError("number too large") from None

        return divide

    def _call(self, node: Call) -> _Compiled:
        func = node.func
        spec = FUNCTIONS.get(func)
        if spec is None:
            return _failing(f"unknown function '{func}'")
        args = [self.compile(arg) for arg in node.args]
        impl = spec.impl
        undefined = f"{func}() of this value is not defined"
        if len(args) == 1 and spec.min_args <= 1 and (spec.max_args is None or spec.max_args >= 1):
            (arg,) = args
            top = _MAX_FLOAT
            if _is_truth_value(node.args[0]):

                def call_on_truth_value(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                    x = arg(env, values)
                    try:
                        return _checked(impl(int(x)))
                    except ExprError:
                        raise
                    except (ArithmeticError, ValueError):
                        raise ExprError(undefined) from None

                return call_on_truth_value

            def call_one(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
                x = arg(env, values)
                try:
                    value = impl(x)
                except ExprError:
                    raise
                except (ArithmeticError, ValueError):  # math domain errors, overflow, decimal limits
                    raise ExprError(undefined) from None
                return value if -top <= value <= top else _check_number(value)

            return call_one
        wrong_count = len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args)

        def call(env: Mapping[str, object], values: list[object] | None) -> int | float | bool:
            xs = [arg(env, values) for arg in args]
            xs = [int(x) if isinstance(x, bool) else x for x in xs]
            if wrong_count:
                raise ExprError(f"{func}() got {len(xs)} arguments")
            try:
                return _checked(impl(*xs))
            except ExprError:
                raise
            except (ArithmeticError, ValueError):
                raise ExprError(undefined) from None

        return call


def _compile(node: Node) -> Callable[[Mapping[str, object]], int | float | bool]:
    """``node`` as a function of the variables; evaluating raises RecursionError on trees too deep to walk."""
    compiler = _Compiler(node)
    root, slots = compiler.root, compiler.slots
    if not slots:
        return lambda env: root(env, None)
    return lambda env: root(env, [_UNSET] * slots)


class _ByIdentity:
    """A cache key that is its node's identity: hashing a deep tree by value costs as much as evaluating it."""

    __slots__ = ("node",)

    def __init__(self, node: Node) -> None:
        self.node = node

    def __hash__(self) -> int:
        return id(self.node)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ByIdentity) and other.node is self.node


@functools.lru_cache(maxsize=128)
def _compiled(key: _ByIdentity) -> Callable[[Mapping[str, object]], int | float | bool]:
    # The cache holds the node through its key, so its id cannot be reused while the entry lives.
    return _compile(key.node)


def evaluate(node: Node, env: Mapping[str, float] | None = None) -> int | float | bool:
    """The value of ``node`` with variables from ``env``.

    Integers stay exact (``%``, ``//`` and ``==`` are exact on them; ``/`` gives an int when it
    divides exactly); otherwise floats. Comparisons and ``and``/``or``/``not`` give bools.
    Raises :class:`ExprError` on a missing variable, division by zero, log or sqrt outside the
    domain, and any result beyond float range (checked before computing a power).
    The formula is compiled once and kept (by identity) for the next call with the same node, so a
    loop that evaluates one formula at many points pays one call per node and point.
    """
    try:
        return _compiled(_ByIdentity(node))(env or {})
    except RecursionError:
        raise ExprError("expression too complex") from None


# ---------------------------------------------------------------------------------------------
# Tree utilities


def variables(node: Node) -> set[str]:
    """The names of the variables in ``node`` (constants ``pi`` and ``e`` left out)."""
    found: set[str] = set()
    seen: set[int] = set()  # a derivative shares subtrees: visit each once
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, Var):
            if n.name not in CONSTANTS:
                found.add(n.name)
        elif isinstance(n, Unary):
            stack.append(n.operand)
        elif isinstance(n, Binary):
            stack.append(n.left)
            stack.append(n.right)
        elif isinstance(n, Call):
            stack.extend(n.args)
    return found


def _to_node(name: str, value: object) -> Node:
    if isinstance(value, (Num, Var, Unary, Binary, Call)):
        return value
    return Num(_as_number(name, value))


def substitute(node: Node, env: Mapping[str, object]) -> Node:
    """``node`` with each variable named in ``env`` replaced by its value (a number or a node).

    Nothing is simplified, so ``to_text(substitute(f, {"w": 5}))`` shows the numbers in place,
    as a worked step would. Constants are never replaced.
    """
    done: dict[int, tuple[Node, Node]] = {}  # id -> (node, result): a shared subtree stays shared

    def sub(n: Node) -> Node:
        hit = done.get(id(n))
        if hit is not None:
            return hit[1]
        if isinstance(n, Var):
            result = _to_node(n.name, env[n.name]) if n.name in env and n.name not in CONSTANTS else n
        elif isinstance(n, Unary):
            result = Unary(n.op, sub(n.operand))
        elif isinstance(n, Binary):
            result = Binary(n.op, sub(n.left), sub(n.right))
        elif isinstance(n, Call):
            result = Call(n.func, tuple(sub(a) for a in n.args))
        else:
            result = n
        done[id(n)] = (n, result)
        return result

    try:
        return sub(node)
    except RecursionError:
        raise ExprError("expression too complex") from None


# ---------------------------------------------------------------------------------------------
# Simplification: smart constructors that fold constants and drop neutral elements

_ZERO = Num(0)
_ONE = Num(1)


def _is_num(n: Node, value: float | None = None) -> bool:
    if not isinstance(n, Num) or isinstance(n.value, bool):
        return False
    return value is None or n.value == value


def _is_negative(n: Node) -> bool:
    return (isinstance(n, Num) and n.value < 0) or (isinstance(n, Unary) and n.op == "-")


def _fold(op: str, a: Num, b: Num) -> Num | None:
    """a op b as one number when that is exact: integer results, or any float operand."""
    try:
        value = _arith(op, a.value, b.value)
    except ExprError:
        return None
    exact_inputs = isinstance(a.value, int) and isinstance(b.value, int)
    if exact_inputs and not isinstance(value, int):
        return None  # keep 1/3 and 2^-1 as written
    if isinstance(value, float) and value == 0:
        value = 0.0  # no -0.0 in printed results
    return Num(value)


def _split_coefficient(n: Node) -> tuple[int | float, Node]:
    """n = c·rest with a numeric c (1 when there is none; a number c is c·1)."""
    if isinstance(n, Num) and not isinstance(n.value, bool):
        return n.value, _ONE
    if isinstance(n, Binary) and n.op == "*" and _is_num(n.left):
        return n.left.value, n.right  # type: ignore[union-attr]
    if isinstance(n, Unary) and n.op == "-":
        c, rest = _split_coefficient(n.operand)
        return -c, rest
    return 1, n


def _differ_at_the_top(a: Node, b: Node) -> bool:
    """Whether ``a`` and ``b`` differ in their own kind, operator or function: unequal without looking further."""
    if type(a) is not type(b):
        return True
    if isinstance(a, (Binary, Unary)):
        return a.op != b.op  # type: ignore[union-attr]
    if isinstance(a, Call):
        return a.func != b.func or len(a.args) != len(b.args)  # type: ignore[union-attr]
    return False


def _as_power(n: Node) -> tuple[Node, Node]:
    if isinstance(n, Binary) and n.op == "^":
        return n.left, n.right
    return n, _ONE


class _Rewriter:
    """The smart constructors, simplification and differentiation, with memo tables for one call.

    The tables are keyed by ``id(node)`` and hold the node itself, so an id cannot be reused while
    its entry lives, and nodes are immutable, so a remembered answer stays right: each distinct node
    is simplified, differentiated and put in canonical form once per call, however often the
    derivative repeats it. Equality of two subtrees (exact, or up to the order of + and · operands) is
    one integer comparison: every distinct shape gets a number, made from its operands' numbers.
    """

    def __init__(self) -> None:
        self._forms: dict[tuple[object, ...], int] = {}
        self._numbers_of: dict[int, tuple[Node, tuple[int, int]]] = {}
        self._simplified: dict[int, tuple[Node, Node]] = {}
        self._names: dict[int, tuple[Node, frozenset[str]]] = {}
        self._derivatives: dict[int, tuple[Node, Node]] = {}  # one variable per call

    # -- equality, exact and up to commutation

    def _numbers(self, root: Node) -> tuple[int, int]:
        """Two numbers for ``root``'s shape: equal first numbers mean equal trees (as ``==``, so 2 and 2.0
        agree), equal second numbers mean equal up to the order of + and · operands (x·y and y·x)."""
        table = self._numbers_of
        hit = table.get(id(root))
        if hit is not None:
            return hit[1]
        stack: list[Node] = [root]
        while stack:  # children first, without recursion: a sum of 400 terms is 400 levels deep
            n = stack[-1]
            if id(n) in table:
                stack.pop()
                continue
            kids = _children(n)
            missing = [k for k in kids if id(k) not in table]
            if missing:
                stack += missing
                continue
            stack.pop()
            numbers = [table[id(k)][1] for k in kids]
            if isinstance(n, Binary):
                (left_exact, left), (right_exact, right) = numbers
                if n.op in ("+", "*") and right < left:
                    left, right = right, left
                exact, commuted = ("binary", n.op, left_exact, right_exact), ("binary~", n.op, left, right)
            elif isinstance(n, Unary):
                ((operand_exact, operand),) = numbers
                exact, commuted = ("unary", n.op, operand_exact), ("unary~", n.op, operand)
            elif isinstance(n, Call):
                exact = ("call", n.func, *(e for e, _ in numbers))
                commuted = ("call~", n.func, *(c for _, c in numbers))
            else:  # Num(2) == Num(2.0) and so are ("num", 2) and ("num", 2.0)
                exact = commuted = ("num", n.value) if isinstance(n, Num) else ("leaf", n)
            forms = self._forms
            pair = (forms.setdefault(exact, len(forms)), forms.setdefault(commuted, len(forms)))
            table[id(n)] = (n, pair)
        return table[id(root)][1]

    def equal(self, a: Node, b: Node) -> bool:
        """a == b, in one comparison once both have been numbered."""
        if a is b or _differ_at_the_top(a, b):
            return a is b
        if isinstance(a, (Num, Var)):
            return a == b
        return self._numbers(a)[0] == self._numbers(b)[0]

    def same(self, a: Node, b: Node) -> bool:
        """a equals b up to the order of + and · operands."""
        if a is b or _differ_at_the_top(a, b):
            return a is b
        if isinstance(a, (Num, Var)):
            return a == b
        return self._numbers(a)[1] == self._numbers(b)[1]

    # -- smart constructors

    def neg(self, a: Node) -> Node:
        if isinstance(a, Num):
            if a.value == 0:
                return Num(0 if isinstance(a.value, int) else 0.0)
            return Num(-a.value)
        if isinstance(a, Unary) and a.op == "-":
            return a.operand
        if isinstance(a, Binary) and a.op == "*" and _is_num(a.left):
            return self.mul(self.neg(a.left), a.right)
        if isinstance(a, Binary) and a.op == "-":
            return self.sub(a.right, a.left)
        return Unary("-", a)

    def add(self, a: Node, b: Node) -> Node:
        if isinstance(a, Num) and isinstance(b, Num):
            folded = _fold("+", a, b)
            if folded is not None:
                return folded
        if _is_num(a, 0):
            return b
        if _is_num(b, 0):
            return a
        if _is_negative(b):
            return self.sub(a, self.neg(b))
        if isinstance(a, Unary) and a.op == "-":
            return self.sub(b, a.operand)
        if isinstance(a, Binary) and a.op == "-" and self.same(a.right, b):
            return a.left  # (p − q) + q
        if not isinstance(a, Num) and not isinstance(b, Num):
            ca, ra = _split_coefficient(a)
            cb, rb = _split_coefficient(b)
            if self.same(ra, rb):
                return self.mul(Num(ca + cb), ra)
        return Binary("+", a, b)

    def sub(self, a: Node, b: Node) -> Node:
        if isinstance(a, Num) and isinstance(b, Num):
            folded = _fold("-", a, b)
            if folded is not None:
                return folded
        if _is_num(b, 0):
            return a
        if _is_num(a, 0):
            return self.neg(b)
        if self.same(a, b):
            return _ZERO
        if _is_negative(b):
            return self.add(a, self.neg(b))
        if isinstance(a, Binary) and a.op == "+" and self.same(a.right, b):
            return a.left  # (p + q) − q
        if isinstance(a, Binary) and a.op == "+" and self.same(a.left, b):
            return a.right  # (p + q) − p
        if isinstance(a, Binary) and a.op == "-" and self.same(a.left, b):
            return self.neg(a.right)  # (p − q) − p
        if not isinstance(a, Num) and not isinstance(b, Num):
            ca, ra = _split_coefficient(a)
            cb, rb = _split_coefficient(b)
            if self.same(ra, rb):
                return self.mul(Num(ca - cb), ra)
        return Binary("-", a, b)

    def mul(self, a: Node, b: Node) -> Node:
        if isinstance(a, Num) and isinstance(b, Num):
            folded = _fold("*", a, b)
            if folded is not None:
                return folded
        if _is_num(a, 0) or _is_num(b, 0):
            return _ZERO
        if _is_num(a, 1):
            return b
        if _is_num(b, 1):
            return a
        if _is_num(a, -1):
            return self.neg(b)
        if _is_num(b, -1):
            return self.neg(a)
        if _is_num(b) and not _is_num(a):
            return self.mul(b, a)  # numbers in front: 2·x, not x·2
        if isinstance(a, Unary) and a.op == "-":
            return self.neg(self.mul(a.operand, b))
        if isinstance(b, Unary) and b.op == "-":
            return self.neg(self.mul(a, b.operand))
        if _is_num(a) and isinstance(b, Binary) and b.op == "*" and _is_num(b.left):
            return self.mul(self.mul(a, b.left), b.right)
        if _is_num(a) and isinstance(b, Binary) and b.op == "/" and _is_num(b.left):
            return self.div(self.mul(a, b.left), b.right)
        if not _is_num(a) and isinstance(b, Binary) and b.op == "*" and _is_num(b.left):
            return self.mul(b.left, self.mul(a, b.right))  # x·(2·y) -> 2·(x·y)
        if isinstance(a, Binary) and a.op == "*" and _is_num(a.left):
            return self.mul(a.left, self.mul(a.right, b))  # (2·x)·y -> 2·(x·y)
        # One fraction: (p/q)·r -> p·r/q, so x·(1/x) cancels and 1/(2·√u)·2·x reads x/√u.
        if isinstance(a, Binary) and a.op == "/":
            return self.div(self.mul(a.left, b), a.right)
        if isinstance(b, Binary) and b.op == "/":
            return self.div(self.mul(a, b.left), b.right)
        base_a, exp_a = _as_power(a)
        base_b, exp_b = _as_power(b)
        if _is_num(exp_a) and _is_num(exp_b) and not _is_num(base_a) and self.equal(base_a, base_b):
            return self.pow(base_a, self.add(exp_a, exp_b))
        return Binary("*", a, b)

    def div(self, a: Node, b: Node) -> Node:
        if isinstance(a, Num) and isinstance(b, Num):
            folded = _fold("/", a, b)
            if folded is not None:
                return folded
        if _is_num(b, 1):
            return a
        if _is_num(b, -1):
            return self.neg(a)
        if _is_num(a, 0) and not _is_num(b, 0):
            return _ZERO
        if self.same(a, b) and not _is_num(a, 0):
            return _ONE
        if isinstance(a, Unary) and a.op == "-":
            return self.neg(self.div(a.operand, b))
        if isinstance(b, Unary) and b.op == "-":
            return self.neg(self.div(a, b.operand))
        if isinstance(a, Binary) and a.op == "/":
            return self.div(a.left, self.mul(a.right, b))  # (p/q)/r = p/(q·r)
        if isinstance(b, Binary) and b.op == "/":
            return self.div(self.mul(a, b.right), b.left)  # p/(q/r) = p·r/q
        ca, ra = _split_coefficient(a)
        cb, rb = _split_coefficient(b)
        if isinstance(ca, int) and isinstance(cb, int) and cb != 0:
            common = math.gcd(ca, cb) * (1 if cb > 0 else -1)
            if common not in (0, 1):  # (4·p)/(2·q) -> 2·p/q, 6/4 -> 3/2
                return self.div(self.mul(Num(ca // common), ra), self.mul(Num(cb // common), rb))
            if not _is_num(ra) and self.same(ra, rb):
                return self.div(Num(ca), Num(cb))  # (3·x)/(5·x) -> 3/5
        return Binary("/", a, b)

    def pow(self, a: Node, b: Node) -> Node:
        if isinstance(a, Num) and isinstance(b, Num):
            folded = _fold("^", a, b)
            if folded is not None:
                return folded
        if _is_num(b, 0):
            return _ONE
        if _is_num(b, 1):
            return a
        if _is_num(a, 1):
            return _ONE
        if (
            isinstance(a, Binary)
            and a.op == "^"
            and _is_num(a.right)
            and _is_num(b)
            and isinstance(a.right.value, int)  # type: ignore[union-attr]
            and isinstance(b.value, int)  # type: ignore[union-attr]
        ):
            return self.pow(a.left, Num(a.right.value * b.value))  # type: ignore[union-attr]
        return Binary("^", a, b)

    def call(self, func: str, *args: Node) -> Node:
        node = Call(func, args)
        if all(_is_num(a) for a in args):
            try:
                value = _compile(node)({})
            except ExprError:
                return node
            # Only fold results that print exactly (sqrt(16) -> 4, cos(0) -> 1); sqrt(2) stays readable.
            if isinstance(value, int) and not isinstance(value, bool):
                return Num(value)
            if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
                return Num(int(value))
        return node

    # -- simplification

    def _simplified_once(self, node: Node) -> Node:
        """One bottom-up pass over ``node``, each distinct subtree rewritten once."""
        hit = self._simplified.get(id(node))
        if hit is not None:
            return hit[1]
        result: Node = node
        if isinstance(node, Unary):
            operand = self._simplified_once(node.operand)
            if node.op == "-":
                result = self.neg(operand)
            elif node.op == "+":
                result = operand
            elif operand is not node.operand:
                result = Unary(node.op, operand)
            if isinstance(result, Unary) and result.op == node.op and result.operand is node.operand:
                result = node
        elif isinstance(node, Binary):
            left, right = self._simplified_once(node.left), self._simplified_once(node.right)
            if node.op in ("+", "-", "*", "/", "^"):
                result = _BUILDERS[node.op](self, left, right)
            else:
                folded = None
                if isinstance(left, Num) and isinstance(right, Num) and node.op in ("//", "%"):
                    folded = _fold(node.op, left, right)
                result = folded if folded is not None else Binary(node.op, left, right)
            # The same operator on the same operands is the node itself: keeps the fixed-point test cheap.
            if isinstance(result, Binary) and result.op == node.op and result.left is node.left and result.right is node.right:
                result = node
        elif isinstance(node, Call):
            args = tuple(self._simplified_once(a) for a in node.args)
            result = self.call(node.func, *args)
            if isinstance(result, Call) and all(x is y for x, y in zip(args, node.args)):
                result = node
        self._simplified[id(node)] = (node, result)
        return result

    def simplify(self, node: Node) -> Node:
        previous = node
        for _ in range(8):  # a pass can expose new folds; stop at the fixed point
            current = self._simplified_once(previous)
            if self.equal(current, previous):
                return current
            previous = current
        return previous

    # -- differentiation

    def names(self, node: Node) -> frozenset[str]:
        """The variables in ``node``, each distinct subtree looked at once."""
        hit = self._names.get(id(node))
        if hit is not None:
            return hit[1]
        if isinstance(node, Var):
            found = frozenset() if node.name in CONSTANTS else frozenset((node.name,))
        elif isinstance(node, Unary):
            found = self.names(node.operand)
        elif isinstance(node, Binary):
            found = self.names(node.left) | self.names(node.right)
        elif isinstance(node, Call):
            found = frozenset().union(*(self.names(a) for a in node.args))
        else:
            found = frozenset()
        self._names[id(node)] = (node, found)
        return found

    def _derivative_of_call(self, node: Call, var: str) -> Node:
        func, args = node.func, node.args
        if func in ("min", "max") and len(args) > 2:
            # min(a, b, c) = min(min(a, b), c)
            nested: Node = Call(func, args[:2])
            for arg in args[2:]:
                nested = Call(func, (nested, arg))
            return self.d(nested, var)
        if func in ("min", "max"):
            if len(args) == 1:
                return self.d(args[0], var)
            a, b = args
            # d min(a, b) = [a ≤ b]·a' + [a > b]·b' (comparisons evaluate to 0 or 1)
            first, second = ("<=", ">") if func == "min" else (">=", "<")
            return self.add(self.mul(Binary(first, a, b), self.d(a, var)), self.mul(Binary(second, a, b), self.d(b, var)))
        if func in ("floor", "ceil", "round", "sign"):
            return _ZERO  # piecewise constant: zero wherever the derivative exists
        (u,) = args
        du = self.d(u, var)
        if func == "sqrt":
            outer: Node = self.div(_ONE, self.mul(Num(2), self.call("sqrt", u)))
        elif func == "exp":
            outer = self.call("exp", u)
        elif func == "log":
            outer = self.div(_ONE, u)
        elif func in ("log2", "log10"):
            outer = self.div(_ONE, self.mul(u, self.call("log", Num(2 if func == "log2" else 10))))
        elif func == "sin":
            outer = self.call("cos", u)
        elif func == "cos":
            outer = self.neg(self.call("sin", u))
        elif func == "tan":
            outer = self.div(_ONE, self.pow(self.call("cos", u), Num(2)))
        elif func == "tanh":
            outer = self.sub(_ONE, self.pow(self.call("tanh", u), Num(2)))
        elif func == "sigmoid":
            s = self.call("sigmoid", u)
            outer = self.mul(s, self.sub(_ONE, s))
        elif func == "abs":
            outer = self.call("sign", u)
        else:
            raise ExprError(f"cannot differentiate {func}()")
        return self.mul(outer, du)  # mul puts a numeric factor in front: 2·cos(2·x)

    def d(self, node: Node, var: str) -> Node:
        """∂node/∂var built with the smart constructors; each distinct subtree differentiated once.

        One Python frame per level of the tree (the memo is inline), as deep as a plain walk."""
        hit = self._derivatives.get(id(node))
        if hit is not None:
            return hit[1]
        d = self.d
        result: Node
        if isinstance(node, Num):
            result = _ZERO
        elif isinstance(node, Var):
            result = _ONE if node.name == var and node.name not in CONSTANTS else _ZERO
        elif var not in self.names(node) or _is_truth_value(node):
            # a truth value (0 or 1) is piecewise constant: (x > 0)·x differentiates to (x > 0)
            result = _ZERO
        elif isinstance(node, Unary):
            if node.op == "-":
                result = self.neg(d(node.operand, var))
            elif node.op == "+":
                result = d(node.operand, var)
            else:
                raise ExprError(f"cannot differentiate '{node.op}'")
        elif isinstance(node, Binary):
            a, b, op = node.left, node.right, node.op
            if op == "+":
                result = self.add(d(a, var), d(b, var))
            elif op == "-":
                result = self.sub(d(a, var), d(b, var))
            elif op == "*":
                result = self.add(self.mul(d(a, var), b), self.mul(a, d(b, var)))
            elif op == "/" and var not in self.names(b):
                result = self.div(d(a, var), b)
            elif op == "/":
                # (a/b)' = (a'·b − a·b') / b²
                result = self.div(self.sub(self.mul(d(a, var), b), self.mul(a, d(b, var))), self.pow(b, Num(2)))
            elif op == "^" and var not in self.names(b):
                # (u^n)' = n·u^(n−1)·u'
                result = self.mul(self.mul(b, self.pow(a, self.sub(b, _ONE))), d(a, var))
            elif op == "^" and var not in self.names(a):
                # (c^v)' = c^v·ln c·v'
                result = self.mul(self.mul(node, self.call("log", a)), d(b, var))
            elif op == "^":
                # (u^v)' = u^v·(v'·ln u + v·u'/u)
                result = self.mul(node, self.add(self.mul(d(b, var), self.call("log", a)), self.div(self.mul(b, d(a, var)), a)))
            elif op in ("%", "//") and var not in self.names(b):
                # a mod c = a − c·⌊a/c⌋ and ⌊a/c⌋ is piecewise constant
                result = d(a, var) if op == "%" else _ZERO
            else:
                raise ExprError(f"cannot differentiate '{op}'")
        elif isinstance(node, Call):
            result = self._derivative_of_call(node, var)
        else:
            raise ExprError(f"not an expression node: {type(node).__name__}")
        self._derivatives[id(node)] = (node, result)
        return result


_BUILDERS: dict[str, Callable[[_Rewriter, Node, Node], Node]] = {
    "+": _Rewriter.add, "-": _Rewriter.sub, "*": _Rewriter.mul, "/": _Rewriter.div, "^": _Rewriter.pow,
}  # fmt: skip


def simplify(node: Node) -> Node:
    """``node`` made readable: constants folded where exact, x+0, x−x, 0·x, 1·x, x/1, x^1, x^0, x·x
    and like terms (2·x + 3·x) reduced, numbers moved in front of products. Values are unchanged
    wherever the original is defined."""
    try:
        return _Rewriter().simplify(node)
    except RecursionError:
        raise ExprError("expression too complex") from None


# ---------------------------------------------------------------------------------------------
# Differentiation


def differentiate(node: Node, var: str) -> Node:
    """∂node/∂var, symbolically (sum, product, quotient, power and chain rules), simplified.

    min/max give [a ≤ b]·a' + [a > b]·b'; floor, ceil, round, sign, comparisons and and/or/not are
    piecewise constant and give 0; abs gives sign(u)·u'. ``//`` and ``%`` need a constant divisor.
    The result shares subtrees where the chain rule repeats one (σ(u)·(1 − σ(u))·u′): it is a tree
    to every reader, and evaluate, substitute and to_text handle each shared part once.
    """
    try:
        rewriter = _Rewriter()
        return rewriter.simplify(rewriter.d(node, var))
    except RecursionError:
        raise ExprError("expression too complex") from None


# ---------------------------------------------------------------------------------------------
# Printing

_PREC = {
    "or": 1,
    "and": 2,
    "not": 3,
    **{op: 4 for op in _COMPARE_OPS},
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
    "//": 6,
    "%": 6,
    "neg": 7,
    "^": 8,
    "atom": 9,
}
_SHOWN_OP = {
    "+": " + ", "-": " \u2212 ", "*": "\u00b7", "/": "/", "//": "//", "%": " % ", "^": "^",
    "<": " < ", "<=": " \u2264 ", ">": " > ", ">=": " \u2265 ", "==": " = ", "!=": " \u2260 ",
    "and": " and ", "or": " or ",
}  # fmt: skip
_TO_SUPERSCRIPT = str.maketrans("0123456789-", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b")
_SHOWN_NAME = {"pi": "\u03c0"}
_SHOWN_FUNC = {"log": "ln"}


def _prec(node: Node) -> int:
    if isinstance(node, Num):
        return _PREC["neg"] if node.value < 0 else _PREC["atom"]
    if isinstance(node, Unary):
        return _PREC["not"] if node.op == "not" else _PREC["neg"]
    if isinstance(node, Binary):
        return _PREC[node.op]
    if isinstance(node, Call) and node.func == "sqrt":
        return _PREC["neg"]  # printed as the prefix √
    return _PREC["atom"]


def _starts_with_sign(node: Node) -> bool:
    """Whether the printed ``node`` begins with − or +: follows the left operands down (a loop, not recursion)."""
    while isinstance(node, Binary) and node.op != "^":
        if _prec(node) < 5:
            return False
        node = node.left
    if isinstance(node, Num):
        return node.value < 0
    if isinstance(node, Unary):
        return node.op in ("-", "+")
    return False


def _show_number(value: float, digits: int | None) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        text = str(abs(value))
    elif digits is not None:
        text = format(abs(value), f".{digits}g")
    else:
        text = repr(abs(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}e{int(exponent)}"
    sign = "\u2212" if value < 0 else ""
    return sign + text


def _unary_text(node: Unary, inner: str) -> str:
    if node.op == "not":
        return f"not ({inner})" if _prec(node.operand) < _PREC["not"] else f"not {inner}"
    sign = "\u2212" if node.op == "-" else "+"
    # −(a·b) and −(a/b) print as −a·b, −a/b (same value); −(a//b) and −(a % b) keep brackets.
    operand_prec = _prec(node.operand)
    floor_like = isinstance(node.operand, Binary) and node.operand.op in ("//", "%")
    if operand_prec < _PREC["*"] or floor_like or _starts_with_sign(node.operand):
        return f"{sign}({inner})"
    return sign + inner


def _call_text(node: Call, args: list[str]) -> str:
    if node.func == "sqrt":
        (arg,) = node.args
        (inner,) = args
        if _prec(arg) == _PREC["atom"] and not (isinstance(arg, Num) and isinstance(arg.value, float) and "e" in inner):
            return "\u221a" + inner
        return f"\u221a({inner})"
    return f"{_SHOWN_FUNC.get(node.func, node.func)}({', '.join(args)})"


def _binary_text(node: Binary, left: str, right: str) -> str:
    """``left op right`` with the brackets the operands' precedence needs."""
    op, p = node.op, _PREC[node.op]
    lp, rp = _prec(node.left), _prec(node.right)
    if op == "^":
        if lp <= p or (isinstance(node.left, Num) and "e" in left):
            left = f"({left})"
        if _is_num(node.right) and isinstance(node.right.value, int) and 2 <= node.right.value <= 9:  # type: ignore[union-attr]
            return left + str(node.right.value).translate(_TO_SUPERSCRIPT)  # type: ignore[union-attr]
        if rp < p:
            right = f"({right})"
        return f"{left}^{right}"
    if lp < p or (p == 4 and lp == 4):
        left = f"({left})"
    # a + (b − c) = a + b − c and a·(b/c) = a·b/c; every other equal-precedence right operand keeps brackets.
    associative = (op == "+" and node.right.op in ("+", "-")) if isinstance(node.right, Binary) else False
    associative |= (op == "*" and node.right.op in ("*", "/")) if isinstance(node.right, Binary) else False
    if rp < p or (rp == p and not associative) or _starts_with_sign(node.right):
        right = f"({right})"
    return f"{left}{_SHOWN_OP[op]}{right}"


def to_text(node: Node, *, digits: int | None = None) -> str:
    """``node`` as Unicode text with the fewest brackets that keep its meaning: ``2·(w − 3)``, ``x²``,
    ``√2/4``, ``ln(x)``, ``π``. ``digits``: significant digits for floats (default: shortest exact).
    The result parses back to an equal value."""
    done: dict[int, tuple[Node, str]] = {}  # a subtree the derivative shares is printed once

    def text(n: Node) -> str:
        if isinstance(n, Num):
            return _show_number(n.value, digits)
        if isinstance(n, Var):
            return _SHOWN_NAME.get(n.name, n.name)
        hit = done.get(id(n))
        if hit is not None:
            return hit[1]
        if isinstance(n, Binary):
            shown = _binary_text(n, text(n.left), text(n.right))
        elif isinstance(n, Unary):
            shown = _unary_text(n, text(n.operand))
        elif isinstance(n, Call):
            shown = _call_text(n, [text(a) for a in n.args])
        else:
            raise ExprError(f"not an expression node: {type(n).__name__}")
        done[id(n)] = (n, shown)
        return shown

    try:
        return text(node)
    except RecursionError:
        raise ExprError("expression too complex") from None
