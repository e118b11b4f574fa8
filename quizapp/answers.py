"""Provides safe parsing of a typed answer and its comparison with the expected value.

Every number a user types goes through :func:`solvers.expr.parse` (a hand-written parser with no
``eval``), so an answer can be an expression (``sqrt(2/256)``, ``√2/4``, ``1.2·10^-3``) but never code.

How answers are read (the rules the UI can show to users):

- Numbers: ``16``, ``0.5``, ``.5``, ``1e-3``, ``1.2·10^-3``, ``1.2*10**-3``, ``1.2 × 10⁻³``,
  ``1.2 x 10^-3``, fractions ``3/4``, and expressions with ``sqrt``/``√``, ``pi``/``π``, ``e``,
  ``exp``, ``log``/``ln``, ``^`` or ``**``. Surrounding spaces, a leading ``≈``/``~``/``=`` and a
  trailing full stop are ignored; letters are not case-sensitive (``PI``, ``Sqrt``).
- Decimal comma: ``0,5`` is 0.5. A comma followed by exactly three digits (``12,288``) is a
  thousands separator when the answer is an integer; for a decimal answer it is ambiguous and
  refused with a message (write ``12.288`` or ``12288``); a leading 0 (``0,125``) is always a
  decimal comma. ``1,234,567``, ``1,234.5`` and ``1.234,5`` are read as thousands groups.
  Spaces and underscores between groups of three digits are thousands separators (``1 000``).
- Percent: ``12.5%`` is 0.125, unless the question asks for a percentage (``percent=True`` or
  form ``"percent"``): then ``12.5%`` and ``12.5`` are both 12.5.
- Shapes: ``(16, 16)``, ``[16, 16]``, ``16,16``, ``16x16``, ``16×16``, ``16 x 16``, ``16 16``.
- Vectors: ``[0.1, 0.9]``, ``(0.1, 0.9)``, ``0.1, 0.9``; spaces separate elements when no comma
  does (``[0.1 0.9]``, ``[1 -2]`` is two numbers while ``[1 - 2]`` is one); semicolons separate
  elements and let each use a decimal comma (``[0,1; 0,9]``). Each element may be an expression.
- Matrices: ``[[1, 2], [3, 4]]`` or ``[1 2; 3 4]`` / ``[1, 2; 3, 4]`` (semicolons end rows).
- A shape (``60x60``) or a list (``[0.1, 0.2]``) typed for a one-number question is refused with a
  message saying one number is wanted. A vector or matrix with the wrong count of numbers whose
  commas are both decimal commas and separators (``[0,09, 0,245, 0,665]`` read as six numbers) is
  refused with how to write it (``[0,09; 0,245; 0,665]``), not graded: the user is asked again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from quizapp.slips import ROUNDING, SLIP_LABEL, generic_slips, rounded_too_early
from quizapp.tolerance import DEFAULT_SIG_FIGS, FORMS, Tolerance, as_python, is_real
from solvers import Misconception
from solvers.expr import ExprError, evaluate, parse

__all__ = [
    "DEFAULT_SIG_FIGS",
    "FORMS",
    "MAX_ANSWER_LENGTH",
    "SLIP_LABEL",
    "AnswerError",
    "CheckResult",
    "Tolerance",
    "Verdict",
    "check",
    "infer_form",
    "parse_answer",
]

MAX_ANSWER_LENGTH = 500


class AnswerError(ValueError):
    """A typed answer that cannot be read; the message is short and meant for the user."""


class Verdict(Enum):
    """How an answer was graded."""

    CORRECT = "correct"
    PARTIAL = "partial"
    WRONG = "wrong"


# ---------------------------------------------------------------------------------------------
# Reading answers


def _shown(text: str, limit: int = 40) -> str:
    """The user's text quoted for a message: control characters escaped, long text shortened."""
    safe = "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
    if len(safe) > limit:
        safe = safe[: limit - 1] + "…"
    return f"'{safe}'"


_LEADING = ("≈", "~", "=")
_SPACE_THOUSANDS = re.compile(r"^([+\-−]?\d{1,3})((?:[ _\u00a0\u2009\u202f]\d{3})+)((?:[.,]\d+)?)$")
_NUMBER_RUN = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)+(?![\d.,])")
_MULTI_ARG_CALL = re.compile(r"\b(?:min|max|round)\s*\(")
_SCIENTIFIC_X = re.compile(r"(?<=[\d)])\s*[xX]\s*(?=10\s*(?:\^|\*\*|[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]))")


def _clean(text: str) -> str:
    """Trim what is not part of the answer: spaces, a leading ≈/~/=, a trailing full stop."""
    t = text.strip()
    if t[:1] in _LEADING:
        t = t[1:].strip()
    if t.endswith(".") and len(t) > 1:
        t = t[:-1].rstrip()
    return t


def _thousands_grouped(groups: Sequence[str]) -> bool:
    """1–3 leading digits (no leading zero) followed by groups of exactly three: 12 | 288."""
    head = groups[0]
    return 1 <= len(head) <= 3 and not head.startswith("0") and all(len(g) == 3 for g in groups[1:])


def _fix_number_run(run: str, integer: bool) -> str:
    """One run of digits with '.'/',' separators -> a plain decimal number, or AnswerError if ambiguous."""
    separators = [c for c in run if c in ".,"]
    groups = re.split(r"[.,]", run)
    if "," not in separators:
        return run
    if "." not in separators:
        if len(separators) == 1:
            head, tail = groups
            if _thousands_grouped(groups):
                if integer:
                    return head + tail
                raise AnswerError(
                    f"Could not read {_shown(run)}: is it {head}.{tail} or {head}{tail}? Write it without the comma"
                )
            return f"{head}.{tail}"
        if _thousands_grouped(groups):
            return "".join(groups)
        raise AnswerError(f"Could not read {_shown(run)}: too many commas")
    last, others = separators[-1], separators[:-1]
    if len(set(others)) == 1 and others[0] != last and _thousands_grouped(groups[:-1]):
        return "".join(groups[:-1]) + "." + groups[-1]  # 1,234.5 and 1.234,5
    raise AnswerError(f"Could not read {_shown(run)}: mixed '.' and ','")


def _normalise_number_text(text: str, integer: bool) -> str:
    match = _SPACE_THOUSANDS.match(text)
    if match:
        text = match.group(1) + re.sub(r"[ _\u00a0\u2009\u202f]", "", match.group(2)) + match.group(3)
    if not _MULTI_ARG_CALL.search(text):  # min(1,2) keeps its commas as argument separators
        text = _NUMBER_RUN.sub(lambda m: _fix_number_run(m.group(0), integer), text)
    return _SCIENTIFIC_X.sub("*", text)


_SHORT = 20


def _evaluate(text: str, original: str) -> int | float:
    """The value of one number or expression; AnswerError with the parser's reason otherwise."""
    try:
        value = evaluate(parse(text, variables=(), max_length=4 * MAX_ANSWER_LENGTH))
    except ExprError as exc:
        reason = str(exc)
        # A position helps in a long expression; in a short answer it is noise, and after the
        # comma/thousands rewriting it would point into text the user did not type.
        if exc.position is not None and (text != original or len(original) <= _SHORT):
            reason = reason.rsplit(" at position ", 1)[0]
        raise AnswerError(f"Could not read {_shown(original)}: {reason}") from None
    if isinstance(value, bool):
        raise AnswerError(f"Could not read {_shown(original)}: expected a number, not a comparison")
    return value


def _scalar(text: str, *, integer: bool = False, percent: bool = False) -> int | float:
    """One number: see the module docstring for what is accepted."""
    original = text
    t = text.strip()
    is_percent = t.endswith("%")
    if is_percent:
        t = t[:-1].rstrip()
    if not t:
        raise AnswerError("Empty answer" if not is_percent else f"Could not read {_shown(original)}: expected a number")
    t = _normalise_number_text(t.lower(), integer)
    value = _evaluate(t, original)
    if is_percent and not percent:
        value = value / 100
    if integer and isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        value = int(value)
    return value


def _split_top(text: str, separators: str) -> list[str]:
    """Split at separator characters outside brackets; whitespace separators collapse runs."""
    pieces, depth, current = [], 0, []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if depth == 0 and (ch in separators or (separators == " " and ch.isspace())):
            pieces.append("".join(current))
            current = []
            continue
        current.append(ch)
    pieces.append("".join(current))
    if separators == " ":
        return [p for p in pieces if p]
    return [p.strip() for p in pieces]


def _unwrap(text: str, pairs: str = "()[]") -> str:
    """Text inside one pair of outer brackets that enclose all of it: '[1, 2]' -> '1, 2'."""
    t = text.strip()
    for open_, close in zip(pairs[::2], pairs[1::2]):
        if t.startswith(open_) and t.endswith(close):
            depth = 0
            for i, ch in enumerate(t):
                depth += ch in "(["
                depth -= ch in ")]"
                if depth == 0:
                    if i == len(t) - 1:
                        return t[1:-1].strip()
                    break
    return t


def _drop_trailing_empty(pieces: list[str], original: str) -> list[str]:
    if len(pieces) > 1 and pieces[-1] == "":
        pieces = pieces[:-1]  # "[1, 2,]" and "(16,)"
    if any(p == "" for p in pieces):
        raise AnswerError(f"Could not read {_shown(original)}: an element is missing")
    return pieces


def _readable(piece: str) -> bool:
    try:
        _scalar(piece)
    except AnswerError:
        return False
    return True


def _row_pieces(text: str, *, semicolons: bool) -> tuple[list[str], str]:
    """The elements of one list and the separator used: ';' (if allowed and present), ' ' when
    every space-separated piece is a number on its own, else ','."""
    if semicolons and ";" in text:
        return _split_top(text, ";"), ";"
    spaced = _split_top(text.strip(), " ")
    if len(spaced) > 1 and all(_readable(p) for p in spaced):
        return spaced, " "
    return _split_top(text, ","), ","


def _row(text: str, original: str, *, semicolons: bool) -> list[float]:
    """One list of numbers, split as :func:`_row_pieces` says."""
    if not text.strip():
        raise AnswerError(f"Could not read {_shown(original)}: the list is empty")
    pieces = _drop_trailing_empty(_row_pieces(text, semicolons=semicolons)[0], original)
    return [float(_scalar(p)) for p in pieces]


def _vector(text: str) -> list[float]:
    inner = _unwrap(text)
    if "[" in inner:
        raise AnswerError(f"Could not read {_shown(text)}: expected one list of numbers like [0.1, 0.9]")
    return _row(inner, text, semicolons=True)


def _matrix_rows(text: str) -> list[str]:
    """The text of each row: [[1, 2], [3, 4]], [1 2; 3 4] or one row [1, 2]."""
    inner = _unwrap(text, "[]")
    if "[" in inner:
        rows, depth, start, between = [], 0, 0, []
        for i, ch in enumerate(inner):
            if ch == "[":
                if depth == 0:
                    start = i + 1
                depth += 1
            elif ch == "]":
                depth -= 1
                if depth == 0:
                    rows.append(inner[start:i])
                elif depth < 0:
                    raise AnswerError(f"Could not read {_shown(text)}: unmatched ']'")
            elif depth == 0:
                between.append(ch)
        if depth != 0:
            raise AnswerError(f"Could not read {_shown(text)}: missing ']'")
        if any(not (c.isspace() or c in ",;") for c in between):
            raise AnswerError(f"Could not read {_shown(text)}: expected rows like [[1, 2], [3, 4]]")
    elif ";" in inner:
        rows = _drop_trailing_empty(_split_top(inner, ";"), text)
    else:
        rows = [inner]
    return rows


def _matrix(text: str) -> list[list[float]]:
    matrix = [_row(row, text, semicolons=False) for row in _matrix_rows(text)]
    lengths = sorted({len(r) for r in matrix})
    if len(lengths) > 1:
        raise AnswerError(f"Could not read {_shown(text)}: rows have different lengths ({lengths[0]} and {lengths[-1]})")
    return matrix


_SHAPE_X = re.compile(r"(?<![a-z])\s*[x×]\s*(?![a-z(])")


def _shape(text: str) -> tuple[int, ...]:
    inner = _unwrap(text).lower()
    if not inner:
        raise AnswerError(f"Could not read {_shown(text)}: expected sizes like 16×16")
    if re.search(r"[,;]", inner):
        pieces = _drop_trailing_empty(_split_top(inner, ",;"), text)
    elif _SHAPE_X.search(inner):
        pieces = _drop_trailing_empty([p.strip() for p in _SHAPE_X.split(inner)], text)
    else:
        pieces = _split_top(inner, " ")
    sizes = []
    for piece in pieces:
        value = _scalar(piece, integer=True)
        if not isinstance(value, int):
            raise AnswerError(f"Could not read {_shown(text)}: sizes are whole numbers, not {piece.strip()}")
        sizes.append(value)
    return tuple(sizes)


def parse_answer(text: str, *, form: str | None = None, percent: bool = False) -> Any:
    """The value typed in ``text``: int or float for ``None``/``"number"``/``"integer"``/``"decimal"``/
    ``"percent"``, tuple of ints for ``"shape"``, list of floats for ``"vector"``, list of lists for
    ``"matrix"``. Raises :class:`AnswerError` with a short message when it cannot be read."""
    if not isinstance(text, str):
        raise TypeError(f"an answer is text, not {type(text).__name__}")
    if form is not None and form not in FORMS:
        raise ValueError(f"unknown answer form {form!r}; expected one of {', '.join(FORMS)}")
    if len(text) > MAX_ANSWER_LENGTH:
        raise AnswerError(f"Answer too long ({len(text)} characters; the limit is {MAX_ANSWER_LENGTH})")
    cleaned = _clean(text)
    if not cleaned:
        raise AnswerError("Empty answer")
    if form == "shape":
        return _shape(cleaned)
    if form == "vector":
        return _vector(cleaned)
    if form == "matrix":
        return _matrix(cleaned)
    try:
        return _scalar(cleaned, integer=form == "integer", percent=percent or form == "percent")
    except AnswerError:
        several = _several_numbers(cleaned)
        if several:
            raise AnswerError(several) from None
        raise


_SHAPE_LIKE = re.compile(r"[(\[]?\s*\d+(?:\s*[x×]\s*\d+)+\s*[)\]]?", re.IGNORECASE)


def _several_numbers(text: str) -> str:
    """Why unreadable text for a one-number question looks like a shape (60x60, 16 x 16) or a
    list ([0.1, 0.2], (1, 5), 0.1; 0.2), or "" when it does not.

    Only text that failed as a number gets here, so 16×16 (a product) and (1,5) (a decimal comma)
    keep their values; a list needs brackets, a ';' or a comma before a space, so 12,288 keeps its
    own message.
    """
    if _SHAPE_LIKE.fullmatch(text):
        return "This question wants one number, not a shape"
    bracketed = text[:1] in "([" and text[-1:] in ")]"
    if not (bracketed or ";" in text or re.search(r",\s", text)):
        return ""
    try:
        numbers = _vector(text)
    except AnswerError:
        return ""
    if len(numbers) > 1:
        return "This question wants one number, not a list"
    return "This question wants one number: write it without brackets" if bracketed else ""


# ---------------------------------------------------------------------------------------------
# Checking


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one typed answer."""

    verdict: Verdict
    parsed: Any
    misconception: Misconception | None
    message: str
    score: float  # 1.0 correct, 0 < score < 1 partly correct, 0.0 wrong
    slip: Misconception | None = None
    """A generic slip the answer matches (quizapp.slips), when no named misconception does."""


def infer_form(expected: Any) -> str:
    """The answer form an expected value implies: int -> integer, float -> decimal, tuple of ints ->
    shape, 1-D list or array -> vector, 2-D -> matrix."""
    value = as_python(expected)
    if isinstance(value, bool):
        raise TypeError("cannot check an answer against a bool")
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "decimal"
    if isinstance(value, tuple) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        return "shape"
    if isinstance(value, (list, tuple)) and value:
        if all(isinstance(row, (list, tuple)) for row in value):
            return "matrix"
        return "vector"
    raise TypeError(f"cannot check an answer against {type(expected).__name__} {expected!r}")


@dataclass(frozen=True)
class _Score:
    score: float
    problem: str = ""  # why the structure does not match, when it does not


def _score(parsed: Any, expected: Any, tolerance: Tolerance, form: str) -> _Score:
    expected = as_python(expected)
    if form == "shape":
        want = tuple(expected)
        if len(parsed) != len(want):
            return _Score(0.0, f"expected {len(want)} sizes, got {len(parsed)}")
        return _Score(sum(p == w for p, w in zip(parsed, want)) / len(want))
    if form == "vector":
        want = [float(v) for v in expected]
        if len(parsed) != len(want):
            return _Score(0.0, f"expected {len(want)} numbers, got {len(parsed)}")
        return _Score(sum(tolerance.allows(p, w) for p, w in zip(parsed, want)) / len(want))
    if form == "matrix":
        want_rows = [[float(v) for v in row] for row in expected]
        want_shape = (len(want_rows), len(want_rows[0]) if want_rows else 0)
        got_shape = (len(parsed), len(parsed[0]) if parsed else 0)
        if want_shape != got_shape:
            return _Score(0.0, f"expected a {want_shape[0]}×{want_shape[1]} matrix, got {got_shape[0]}×{got_shape[1]}")
        cells = [(p, w) for prow, wrow in zip(parsed, want_rows) for p, w in zip(prow, wrow)]
        return _Score(sum(tolerance.allows(p, w) for p, w in cells) / len(cells))
    return _Score(1.0 if tolerance.allows(parsed, expected) else 0.0)


def _matches(parsed: Any, value: Any, tolerance: Tolerance, form: str) -> bool:
    try:
        return _score(parsed, value, tolerance, form).score >= 1.0
    except (TypeError, ValueError, IndexError):  # a misconception of another structure never matches
        return False


_WHOLE_NUMBER = "the answer is a whole number"
_CLOSE = "close, but"


def _scalar_hint(parsed: Any, expected: Any, tolerance: Tolerance, form: str, percent: bool) -> str:
    """Why a wrong number is wrong, when the reason is a common slip rather than the method."""
    if not is_real(parsed) or not is_real(expected):
        return ""
    x, v = float(parsed), float(expected)
    if form == "integer" and tolerance.exact and not x.is_integer():
        return _WHOLE_NUMBER
    if percent and v != 0 and tolerance.allows(x * 100, v):
        return "the answer is asked in percent (×100)"
    if not percent and form != "integer" and v != 0 and tolerance.allows(x / 100, v):
        return "that looks like percent; add % or give the fraction"
    if not tolerance.exact and abs(x - v) <= 10 * tolerance.width(v):
        rule = tolerance.describe(expected=v)
        if rule.startswith("±"):
            return f"{_CLOSE} an answer must be within {rule}"
        if rule.startswith("within "):
            return f"{_CLOSE} an answer must be {rule}"
        return f"{_CLOSE} {rule} were asked for"
    return ""


_DECIMAL_COMMA = re.compile(r"\d,\d")


def _decimal_comma_guidance(text: str, form: str, expected: Any) -> str:
    """The message for a vector or matrix whose commas are both decimal commas and separators
    ([0,09, 0,245, 0,665] read as six numbers), or "" when no row was split at a comma between digits.

    Called only when the count of numbers is wrong: then the commas, not the user's numbers, are
    the likely fault, and the user is asked again instead of losing the point.
    """
    rows = [_unwrap(text)] if form == "vector" else _matrix_rows(text)
    split_rows = []
    for row in rows:
        pieces, separator = _row_pieces(row, semicolons=form == "vector")
        if separator != "," or not _DECIMAL_COMMA.search(row):
            return ""
        split_rows.append([p.strip() for p in pieces])
    if form == "vector":
        example = _paired(split_rows[0], len(expected))
        example = f"[{'; '.join(example)}]" if example else "[0,1; 0,9]"
        return f"Could not tell the numbers apart: write decimal commas with ; between numbers: {example}, or use points"
    columns = len(expected[0]) if expected and isinstance(expected[0], (list, tuple)) else 0
    paired = [_paired(row, columns) for row in split_rows]
    if len(paired) == len(expected) and all(paired):
        example = "[" + "; ".join(" ".join(row) for row in paired) + "]"
    else:
        example = "[0,1 0,9; 0,2 0,8]"
    return (
        "Could not tell the numbers apart: write decimal commas with spaces between numbers and ; between rows:"
        f" {example}, or use points"
    )


def _paired(pieces: list[str], count: int) -> list[str]:
    """The pieces of a row split at every comma, re-joined in twos as decimal commas, when that
    gives ``count`` numbers: ['0', '09', '0', '245'] -> ['0,09', '0,245']; else [] (also when a pair
    such as 1,000 reads as thousands, so the example would not be read as decimals either)."""
    if count < 1 or len(pieces) != 2 * count:
        return []
    pairs = list(zip(pieces[::2], pieces[1::2]))
    if not all(re.fullmatch(r"[+\-−]?\d+", whole) and re.fullmatch(r"\d+", fraction) for whole, fraction in pairs):
        return []
    if any(_thousands_grouped([whole.lstrip("+-−"), fraction]) for whole, fraction in pairs):
        return []
    return [f"{whole},{fraction}" for whole, fraction in pairs]


def check(
    text: str,
    expected: Any,
    tolerance: Tolerance,
    *,
    misconceptions: Sequence[Misconception] = (),
    form: str | None = None,
    percent: bool = False,
) -> CheckResult:
    """Read ``text`` and compare it with ``expected``.

    ``form`` defaults to the one ``expected`` implies (:func:`infer_form`). Vectors and matrices
    are compared element by element and shapes size by size; the score is the fraction right
    (PARTIAL when some are). When the answer is not fully correct, the first misconception whose
    value it matches (under the same tolerance) is returned and named in the message.

    Raises :class:`AnswerError` when the text cannot be read, when a shape answer is a single
    number, or when a vector or matrix has the wrong count of numbers because its commas are both
    decimal commas and separators: the UI asks again and the user loses nothing.
    """
    form = form or infer_form(expected)
    percent = percent or form == "percent"
    parsed = parse_answer(text, form=form, percent=percent)
    if form == "shape":
        want = len(as_python(expected))
        if len(parsed) == 1 and want > 1:
            example = "×".join(["16"] * want)
            raise AnswerError(f"Expected {want} numbers like {example}")
    result = _score(parsed, expected, tolerance, form)
    if result.problem and form in ("vector", "matrix"):
        guidance = _decimal_comma_guidance(_clean(text), form, as_python(expected))
        if guidance:
            raise AnswerError(guidance)
    if result.score >= 1.0:
        return CheckResult(Verdict.CORRECT, parsed, None, "Correct.", 1.0)
    matched = next((m for m in misconceptions if _matches(parsed, m.value, tolerance, form)), None)
    verdict = Verdict.PARTIAL if result.score > 0 else Verdict.WRONG
    hint = ""
    if verdict is Verdict.PARTIAL:
        unit = "sizes" if form == "shape" else "numbers"
        total = len(as_python(expected)) if form != "matrix" else sum(len(r) for r in as_python(expected))
        message = f"Partly correct: {round(result.score * total)} of {total} {unit} right."
    elif result.problem:
        message = f"Not correct: {result.problem}."
    else:
        hint = _scalar_hint(parsed, expected, tolerance, form, percent) if form not in ("vector", "matrix") else ""
        message = f"Not correct: {hint}." if hint else "Not correct."
    slip = None
    if matched is not None:
        explanation = matched.explanation.rstrip(".")
        message = f"{message} A common mistake ({matched.name.replace('_', ' ')}): {explanation}."
    elif not hint or hint == _WHOLE_NUMBER or hint.startswith(_CLOSE):  # a percent hint already says what slipped
        slip = _slip(parsed, expected, tolerance, form, rounding=not hint)
        if slip is not None:
            if hint.startswith(_CLOSE):  # at 1 significant figure −1 is "close" to 1: the slip says more
                message = "Not correct."
            message = f"{message} {SLIP_LABEL} {_sentence_end(slip.explanation)}"
    return CheckResult(verdict, parsed, matched, message, result.score, slip)


def _sentence_end(text: str) -> str:
    """``text`` ending with one full stop, or with its own question mark."""
    text = text.rstrip(". ")
    return text if text.endswith("?") else f"{text}."


def _slip(parsed: Any, expected: Any, tolerance: Tolerance, form: str, *, rounding: bool) -> Misconception | None:
    """The first generic slip (quizapp.slips) that a wrong answer matches, or None; ``rounding``:
    also the rounding slip, for an answer near the right one."""

    found = next((s for s in generic_slips(expected, form, tolerance) if _matches(parsed, s.value, tolerance, form)), None)
    if found is None and rounding and form in ("decimal", "percent") and rounded_too_early(parsed, expected, tolerance):
        return ROUNDING
    return found
