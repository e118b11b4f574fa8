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

import math
import numbers
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

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


@dataclass(frozen=True)
class _Function:
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


@dataclass(frozen=True)
class _Token:
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
                    implicit = prev.kind == "num" and (
                        tok.kind in ("name", "(") or (tok.kind == "op" and tok.value == "√")
                    )
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


def _compare(op: str, a: float, b: float) -> bool:
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "==":
        return a == b
    return a != b


def _eval(node: Node, env: Mapping[str, object]) -> int | float | bool:
    if isinstance(node, Num):
        return _as_number(repr(node.value), node.value)
    if isinstance(node, Var):
        if node.name in CONSTANTS:
            return CONSTANTS[node.name]
        if node.name not in env:
            raise ExprError(f"no value for '{node.name}'")
        return _as_number(node.name, env[node.name])
    if isinstance(node, Unary):
        value = _eval(node.operand, env)
        if node.op == "not":
            return not value
        if node.op == "-":
            return _check_number(-int(value) if isinstance(value, bool) else -value)
        if node.op == "+":
            return int(value) if isinstance(value, bool) else value
        raise ExprError(f"unknown operator '{node.op}'")
    if isinstance(node, Binary):
        if node.op in _LOGIC_OPS:
            left = bool(_eval(node.left, env))
            if node.op == "and":
                return left and bool(_eval(node.right, env))
            return left or bool(_eval(node.right, env))
        a = _eval(node.left, env)
        b = _eval(node.right, env)
        if node.op in _COMPARE_OPS:
            return _compare(node.op, a, b)
        if node.op in _ARITH_OPS:
            return _arith(node.op, a, b)
        raise ExprError(f"unknown operator '{node.op}'")
    if isinstance(node, Call):
        spec = FUNCTIONS.get(node.func)
        if spec is None:
            raise ExprError(f"unknown function '{node.func}'")
        args = [_eval(arg, env) for arg in node.args]
        args = [int(a) if isinstance(a, bool) else a for a in args]
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            raise ExprError(f"{node.func}() got {len(args)} arguments")
        try:
            return _check_number(spec.impl(*args))
        except ExprError:
            raise
        except (ArithmeticError, ValueError):  # math domain errors, overflow, decimal limits
            raise ExprError(f"{node.func}() of this value is not defined") from None
    raise ExprError(f"not an expression node: {type(node).__name__}")


def evaluate(node: Node, env: Mapping[str, float] | None = None) -> int | float | bool:
    """The value of ``node`` with variables from ``env``.

    Integers stay exact (``%``, ``//`` and ``==`` are exact on them; ``/`` gives an int when it
    divides exactly); otherwise floats. Comparisons and ``and``/``or``/``not`` give bools.
    Raises :class:`ExprError` on a missing variable, division by zero, log or sqrt outside the
    domain, and any result beyond float range (checked before computing a power).
    """
    try:
        return _eval(node, env or {})
    except RecursionError:
        raise ExprError("expression too complex") from None


# ---------------------------------------------------------------------------------------------
# Tree utilities


def variables(node: Node) -> set[str]:
    """The names of the variables in ``node`` (constants ``pi`` and ``e`` left out)."""
    found: set[str] = set()
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
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

    def sub(n: Node) -> Node:
        if isinstance(n, Var):
            if n.name in env and n.name not in CONSTANTS:
                return _to_node(n.name, env[n.name])
            return n
        if isinstance(n, Unary):
            return Unary(n.op, sub(n.operand))
        if isinstance(n, Binary):
            return Binary(n.op, sub(n.left), sub(n.right))
        if isinstance(n, Call):
            return Call(n.func, tuple(sub(a) for a in n.args))
        return n

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


def _neg(a: Node) -> Node:
    if isinstance(a, Num):
        if a.value == 0:
            return Num(0 if isinstance(a.value, int) else 0.0)
        return Num(-a.value)
    if isinstance(a, Unary) and a.op == "-":
        return a.operand
    if isinstance(a, Binary) and a.op == "*" and _is_num(a.left):
        return _mul(_neg(a.left), a.right)
    if isinstance(a, Binary) and a.op == "-":
        return _sub(a.right, a.left)
    return Unary("-", a)


def _canon(n: Node) -> object:
    """A key equal for trees that differ only in the order of + and · operands (x·y and y·x)."""
    if isinstance(n, Binary):
        left, right = _canon(n.left), _canon(n.right)
        if n.op in ("+", "*"):
            left, right = sorted((left, right), key=repr)
        return (n.op, left, right)
    if isinstance(n, Unary):
        return (n.op, _canon(n.operand))
    if isinstance(n, Call):
        return (n.func, *(_canon(a) for a in n.args))
    if isinstance(n, Num):
        return ("num", n.value)
    return n


def _same(a: Node, b: Node) -> bool:
    return a == b or _canon(a) == _canon(b)


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


def _add(a: Node, b: Node) -> Node:
    if isinstance(a, Num) and isinstance(b, Num):
        folded = _fold("+", a, b)
        if folded is not None:
            return folded
    if _is_num(a, 0):
        return b
    if _is_num(b, 0):
        return a
    if _is_negative(b):
        return _sub(a, _neg(b))
    if isinstance(a, Unary) and a.op == "-":
        return _sub(b, a.operand)
    if isinstance(a, Binary) and a.op == "-" and _same(a.right, b):
        return a.left  # (p − q) + q
    if not isinstance(a, Num) and not isinstance(b, Num):
        ca, ra = _split_coefficient(a)
        cb, rb = _split_coefficient(b)
        if _same(ra, rb):
            return _mul(Num(ca + cb), ra)
    return Binary("+", a, b)


def _sub(a: Node, b: Node) -> Node:
    if isinstance(a, Num) and isinstance(b, Num):
        folded = _fold("-", a, b)
        if folded is not None:
            return folded
    if _is_num(b, 0):
        return a
    if _is_num(a, 0):
        return _neg(b)
    if _same(a, b):
        return _ZERO
    if _is_negative(b):
        return _add(a, _neg(b))
    if isinstance(a, Binary) and a.op == "+" and _same(a.right, b):
        return a.left  # (p + q) − q
    if isinstance(a, Binary) and a.op == "+" and _same(a.left, b):
        return a.right  # (p + q) − p
    if isinstance(a, Binary) and a.op == "-" and _same(a.left, b):
        return _neg(a.right)  # (p − q) − p
    if not isinstance(a, Num) and not isinstance(b, Num):
        ca, ra = _split_coefficient(a)
        cb, rb = _split_coefficient(b)
        if _same(ra, rb):
            return _mul(Num(ca - cb), ra)
    return Binary("-", a, b)


def _mul(a: Node, b: Node) -> Node:
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
        return _neg(b)
    if _is_num(b, -1):
        return _neg(a)
    if _is_num(b) and not _is_num(a):
        return _mul(b, a)  # numbers in front: 2·x, not x·2
    if isinstance(a, Unary) and a.op == "-":
        return _neg(_mul(a.operand, b))
    if isinstance(b, Unary) and b.op == "-":
        return _neg(_mul(a, b.operand))
    if _is_num(a) and isinstance(b, Binary) and b.op == "*" and _is_num(b.left):
        return _mul(_mul(a, b.left), b.right)
    if _is_num(a) and isinstance(b, Binary) and b.op == "/" and _is_num(b.left):
        return _div(_mul(a, b.left), b.right)
    if not _is_num(a) and isinstance(b, Binary) and b.op == "*" and _is_num(b.left):
        return _mul(b.left, _mul(a, b.right))  # x·(2·y) -> 2·(x·y)
    if isinstance(a, Binary) and a.op == "*" and _is_num(a.left):
        return _mul(a.left, _mul(a.right, b))  # (2·x)·y -> 2·(x·y)
    # One fraction: (p/q)·r -> p·r/q, so x·(1/x) cancels and 1/(2·√u)·2·x reads x/√u.
    if isinstance(a, Binary) and a.op == "/":
        return _div(_mul(a.left, b), a.right)
    if isinstance(b, Binary) and b.op == "/":
        return _div(_mul(a, b.left), b.right)
    base_a, exp_a = _as_power(a)
    base_b, exp_b = _as_power(b)
    if base_a == base_b and _is_num(exp_a) and _is_num(exp_b) and not _is_num(base_a):
        return _pow(base_a, _add(exp_a, exp_b))
    return Binary("*", a, b)


def _as_power(n: Node) -> tuple[Node, Node]:
    if isinstance(n, Binary) and n.op == "^":
        return n.left, n.right
    return n, _ONE


def _div(a: Node, b: Node) -> Node:
    if isinstance(a, Num) and isinstance(b, Num):
        folded = _fold("/", a, b)
        if folded is not None:
            return folded
    if _is_num(b, 1):
        return a
    if _is_num(b, -1):
        return _neg(a)
    if _is_num(a, 0) and not _is_num(b, 0):
        return _ZERO
    if _same(a, b) and not _is_num(a, 0):
        return _ONE
    if isinstance(a, Unary) and a.op == "-":
        return _neg(_div(a.operand, b))
    if isinstance(b, Unary) and b.op == "-":
        return _neg(_div(a, b.operand))
    if isinstance(a, Binary) and a.op == "/":
        return _div(a.left, _mul(a.right, b))  # (p/q)/r = p/(q·r)
    if isinstance(b, Binary) and b.op == "/":
        return _div(_mul(a, b.right), b.left)  # p/(q/r) = p·r/q
    ca, ra = _split_coefficient(a)
    cb, rb = _split_coefficient(b)
    if isinstance(ca, int) and isinstance(cb, int) and cb != 0:
        common = math.gcd(ca, cb) * (1 if cb > 0 else -1)
        if common not in (0, 1):  # (4·p)/(2·q) -> 2·p/q, 6/4 -> 3/2
            return _div(_mul(Num(ca // common), ra), _mul(Num(cb // common), rb))
        if _same(ra, rb) and not _is_num(ra):
            return _div(Num(ca), Num(cb))  # (3·x)/(5·x) -> 3/5
    return Binary("/", a, b)


def _pow(a: Node, b: Node) -> Node:
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
        return _pow(a.left, Num(a.right.value * b.value))  # type: ignore[union-attr]
    return Binary("^", a, b)


_BUILDERS: dict[str, Callable[[Node, Node], Node]] = {"+": _add, "-": _sub, "*": _mul, "/": _div, "^": _pow}


def _fold_call(func: str, args: tuple[Node, ...]) -> Node:
    node = Call(func, args)
    if all(_is_num(a) for a in args):
        try:
            value = _eval(node, {})
        except ExprError:
            return node
        # Only fold results that print exactly (sqrt(16) -> 4, cos(0) -> 1); sqrt(2) stays readable.
        if isinstance(value, int) and not isinstance(value, bool):
            return Num(value)
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            return Num(int(value))
    return node


def _simplify(node: Node) -> Node:
    if isinstance(node, Unary):
        operand = _simplify(node.operand)
        if node.op == "-":
            return _neg(operand)
        if node.op == "+":
            return operand
        return Unary(node.op, operand)
    if isinstance(node, Binary):
        left, right = _simplify(node.left), _simplify(node.right)
        builder = _BUILDERS.get(node.op)
        if builder is not None:
            return builder(left, right)
        if isinstance(left, Num) and isinstance(right, Num) and node.op in ("//", "%"):
            folded = _fold(node.op, left, right)
            if folded is not None:
                return folded
        return Binary(node.op, left, right)
    if isinstance(node, Call):
        return _fold_call(node.func, tuple(_simplify(a) for a in node.args))
    return node


def simplify(node: Node) -> Node:
    """``node`` made readable: constants folded where exact, x+0, x−x, 0·x, 1·x, x/1, x^1, x^0, x·x
    and like terms (2·x + 3·x) reduced, numbers moved in front of products. Values are unchanged
    wherever the original is defined."""
    try:
        previous = node
        for _ in range(8):  # a pass can expose new folds; stop at the fixed point
            current = _simplify(previous)
            if current == previous:
                return current
            previous = current
        return previous
    except RecursionError:
        raise ExprError("expression too complex") from None


# ---------------------------------------------------------------------------------------------
# Differentiation


def _c(func: str, *args: Node) -> Node:
    return _fold_call(func, args)


def _derivative_of_call(node: Call, var: str) -> Node:
    func, args = node.func, node.args
    if func in ("min", "max") and len(args) > 2:
        # min(a, b, c) = min(min(a, b), c)
        nested: Node = Call(func, args[:2])
        for arg in args[2:]:
            nested = Call(func, (nested, arg))
        return _d(nested, var)
    if func in ("min", "max"):
        if len(args) == 1:
            return _d(args[0], var)
        a, b = args
        # d min(a, b) = [a ≤ b]·a' + [a > b]·b' (comparisons evaluate to 0 or 1)
        first, second = ("<=", ">") if func == "min" else (">=", "<")
        return _add(_mul(Binary(first, a, b), _d(a, var)), _mul(Binary(second, a, b), _d(b, var)))
    if func in ("floor", "ceil", "round", "sign"):
        return _ZERO  # piecewise constant: zero wherever the derivative exists
    (u,) = args
    du = _d(u, var)
    if func == "sqrt":
        outer: Node = _div(_ONE, _mul(Num(2), _c("sqrt", u)))
    elif func == "exp":
        outer = _c("exp", u)
    elif func == "log":
        outer = _div(_ONE, u)
    elif func in ("log2", "log10"):
        outer = _div(_ONE, _mul(u, _c("log", Num(2 if func == "log2" else 10))))
    elif func == "sin":
        outer = _c("cos", u)
    elif func == "cos":
        outer = _neg(_c("sin", u))
    elif func == "tan":
        outer = _div(_ONE, _pow(_c("cos", u), Num(2)))
    elif func == "tanh":
        outer = _sub(_ONE, _pow(_c("tanh", u), Num(2)))
    elif func == "sigmoid":
        s = _c("sigmoid", u)
        outer = _mul(s, _sub(_ONE, s))
    elif func == "abs":
        outer = _c("sign", u)
    else:
        raise ExprError(f"cannot differentiate {func}()")
    return _mul(outer, du)  # _mul puts a numeric factor in front: 2·cos(2·x)


def _d(node: Node, var: str) -> Node:
    if isinstance(node, Num):
        return _ZERO
    if isinstance(node, Var):
        return _ONE if node.name == var and node.name not in CONSTANTS else _ZERO
    if var not in variables(node):
        return _ZERO
    if (isinstance(node, Binary) and node.op in _COMPARE_OPS + _LOGIC_OPS) or (
        isinstance(node, Unary) and node.op == "not"
    ):
        return _ZERO  # a truth value (0 or 1) is piecewise constant: (x > 0)·x differentiates to (x > 0)
    if isinstance(node, Unary):
        if node.op == "-":
            return _neg(_d(node.operand, var))
        if node.op == "+":
            return _d(node.operand, var)
        raise ExprError(f"cannot differentiate '{node.op}'")
    if isinstance(node, Binary):
        a, b, op = node.left, node.right, node.op
        if op == "+":
            return _add(_d(a, var), _d(b, var))
        if op == "-":
            return _sub(_d(a, var), _d(b, var))
        if op == "*":
            return _add(_mul(_d(a, var), b), _mul(a, _d(b, var)))
        if op == "/":
            if var not in variables(b):
                return _div(_d(a, var), b)
            # (a/b)' = (a'·b − a·b') / b²
            return _div(_sub(_mul(_d(a, var), b), _mul(a, _d(b, var))), _pow(b, Num(2)))
        if op == "^":
            if var not in variables(b):
                # (u^n)' = n·u^(n−1)·u'
                return _mul(_mul(b, _pow(a, _sub(b, _ONE))), _d(a, var))
            if var not in variables(a):
                # (c^v)' = c^v·ln c·v'
                return _mul(_mul(node, _c("log", a)), _d(b, var))
            # (u^v)' = u^v·(v'·ln u + v·u'/u)
            return _mul(node, _add(_mul(_d(b, var), _c("log", a)), _div(_mul(b, _d(a, var)), a)))
        if op in ("%", "//") and var not in variables(b):
            # a mod c = a − c·⌊a/c⌋ and ⌊a/c⌋ is piecewise constant
            return _d(a, var) if op == "%" else _ZERO
        raise ExprError(f"cannot differentiate '{op}'")
    if isinstance(node, Call):
        return _derivative_of_call(node, var)
    raise ExprError(f"not an expression node: {type(node).__name__}")


def differentiate(node: Node, var: str) -> Node:
    """∂node/∂var, symbolically (sum, product, quotient, power and chain rules), simplified.

    min/max give [a ≤ b]·a' + [a > b]·b'; floor, ceil, round, sign, comparisons and and/or/not are
    piecewise constant and give 0; abs gives sign(u)·u'. ``//`` and ``%`` need a constant divisor.
    """
    try:
        return simplify(_d(node, var))
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
    if isinstance(node, Num):
        return node.value < 0
    if isinstance(node, Unary):
        return node.op in ("-", "+")
    if isinstance(node, Binary) and node.op != "^":
        return _starts_with_sign(node.left) and _prec(node) >= 5
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


def _text(node: Node, digits: int | None) -> str:
    if isinstance(node, Num):
        return _show_number(node.value, digits)
    if isinstance(node, Var):
        return _SHOWN_NAME.get(node.name, node.name)
    if isinstance(node, Unary):
        inner = _text(node.operand, digits)
        if node.op == "not":
            return f"not ({inner})" if _prec(node.operand) < _PREC["not"] else f"not {inner}"
        sign = "\u2212" if node.op == "-" else "+"
        # −(a·b) and −(a/b) print as −a·b, −a/b (same value); −(a//b) and −(a % b) keep brackets.
        operand_prec = _prec(node.operand)
        floor_like = isinstance(node.operand, Binary) and node.operand.op in ("//", "%")
        if operand_prec < _PREC["*"] or floor_like or _starts_with_sign(node.operand):
            return f"{sign}({inner})"
        return sign + inner
    if isinstance(node, Call):
        if node.func == "sqrt":
            (arg,) = node.args
            inner = _text(arg, digits)
            if _prec(arg) == _PREC["atom"] and not (isinstance(arg, Num) and isinstance(arg.value, float) and "e" in inner):
                return "\u221a" + inner
            return f"\u221a({inner})"
        name = _SHOWN_FUNC.get(node.func, node.func)
        return f"{name}({', '.join(_text(a, digits) for a in node.args)})"
    if isinstance(node, Binary):
        return _binary_text(node, digits)
    raise ExprError(f"not an expression node: {type(node).__name__}")


def _binary_text(node: Binary, digits: int | None) -> str:
    op, p = node.op, _PREC[node.op]
    left, right = _text(node.left, digits), _text(node.right, digits)
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
    try:
        return _text(node, digits)
    except RecursionError:
        raise ExprError("expression too complex") from None
