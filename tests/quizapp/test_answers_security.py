"""Adversarial answers: each is refused with a clear AnswerError, executes nothing, and nothing else escapes."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.answers import (
    FORMS,
    MAX_ANSWER_LENGTH,
    AnswerError,
    Tolerance,
    check,
    parse_answer,
)
from solvers.expr import ExprError, evaluate, parse

ADVERSARIAL = [
    # (text, what the message says)
    ("9**9**9**9", "number too large"),
    ("9^9^9^9", "number too large"),
    ("10^10^10", "number too large"),
    ("1e999999", "number too large"),
    ("1e" + "9" * 400, "number too large"),
    ("9" * 400, "number too large"),
    ("exp(exp(exp(10)))", "number too large"),
    ("(" * 10_000 + "1" + ")" * 10_000, "Answer too long"),
    ("(" * 200 + "1" + ")" * 200, "too deeply nested"),
    ("-" * 400 + "1", "too deeply nested"),
    ("√" * 400 + "1", "too deeply nested"),
    ("__import__('os')", "unexpected character"),
    ("__import__", "unknown name '__import__'"),
    ("().__class__", "unexpected character '.'"),
    ("().__class__.__bases__[0].__subclasses__()", "unexpected character '.'"),
    ("lambda: 0", "unexpected character ':'"),
    ("[x for x in ()]", "unexpected character '['"),
    ("open('/etc/passwd').read()", "unexpected character \"'\""),
    ("open(1)", "unknown function 'open'"),
    ("os.system('true')", "unexpected character '.'"),
    ("eval('1')", "unexpected character \"'\""),
    ("eval(1)", "unknown function 'eval'"),
    ("exec", "unknown name 'exec'"),
    ("globals()", "unknown function 'globals'"),
    ("x" * 100_000, "Answer too long"),
    ("1+" * 300 + "1", "Answer too long"),
    ("2^^2", "unexpected '^'"),
    ("\x00", "unexpected character '\\x00'"),
    ("1\x00", "unexpected character '\\x00'"),
    ("'1'", "unexpected character"),
    ('"1"', "unexpected character"),
    ("1 if 1 else 2", "unknown name 'if'"),
    ("f'{1}'", "unexpected character \"'\""),
    ("\\x41", "unexpected character '\\'"),
    ("${1}", "unexpected character '$'"),
    ("1; import os", "unexpected character ';'"),
    ("sqrt(" * 100 + "1" + ")" * 100, "Answer too long"),
    ("sqrt(" * 80 + "1" + ")" * 80, "too deeply nested"),
]


class Guard:
    """Runs a call with builtins.__import__, os.system and subprocess.Popen replaced by spies.

    The spies are installed only for the duration of the call, so pytest's and hypothesis' own
    imports while reporting are not counted.
    """

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, func, *args, **kwargs) -> BaseException | None:
        real_import, real_system, real_popen = builtins.__import__, os.system, subprocess.Popen

        def spy_import(name, *a, **k):
            self.calls.append(f"import {name}")
            return real_import(name, *a, **k)

        def forbidden(*a, **k):
            self.calls.append(f"ran {a!r}")
            raise AssertionError("an answer executed a command")

        builtins.__import__, os.system, subprocess.Popen = spy_import, forbidden, forbidden
        try:
            func(*args, **kwargs)
        except AnswerError as exc:  # anything else propagates and fails the test
            return exc
        finally:
            builtins.__import__, os.system, subprocess.Popen = real_import, real_system, real_popen
        return None


@pytest.fixture
def guard():
    return Guard()


@pytest.mark.parametrize(("text", "message"), ADVERSARIAL, ids=lambda v: repr(v)[:40] if isinstance(v, str) else v)
@pytest.mark.parametrize("form", [None, "integer", "decimal"])
def test_adversarial_answer_is_refused_and_runs_nothing(guard, text, message, form):
    error = guard(parse_answer, text, form=form)
    assert isinstance(error, AnswerError)
    assert message in str(error)
    assert len(str(error)) < 160  # short enough for one line of the UI
    assert guard.calls == []


@pytest.mark.parametrize(("text", "message"), ADVERSARIAL[:12], ids=lambda v: repr(v)[:40] if isinstance(v, str) else v)
@pytest.mark.parametrize("form", ["shape", "vector", "matrix"])
def test_adversarial_structured_answers_are_refused(guard, text, message, form):
    assert isinstance(guard(parse_answer, text, form=form), AnswerError)
    assert guard.calls == []


def test_check_refuses_adversarial_text_without_running_anything(guard):
    for text, _ in ADVERSARIAL:
        assert isinstance(guard(check, text, 16, Tolerance(exact=True)), AnswerError)
    assert guard.calls == []


def test_the_guard_notices_an_import():
    guard = Guard()
    guard(lambda: __import__("json"))
    assert guard.calls == ["import json"]


def test_expr_limits_directly():
    with pytest.raises(ExprError, match="too deeply nested"):
        parse("(" * 10_000 + "1" + ")" * 10_000, max_length=1_000_000)
    with pytest.raises(ExprError, match="number too large"):
        evaluate(parse("9**9**9**9"))
    with pytest.raises(ExprError, match="too long"):
        parse("1" * 2000)


def test_a_huge_integer_string_does_not_hit_pythons_digit_limit():
    # int() refuses more than 4300 digits with ValueError; the tokenizer must refuse first.
    with pytest.raises(ExprError, match="number too large"):
        parse("9" * 5000, max_length=10_000)


def test_answer_length_limit():
    assert parse_answer("1" + " " * (MAX_ANSWER_LENGTH - 1)) == 1
    with pytest.raises(AnswerError, match=f"Answer too long \\({MAX_ANSWER_LENGTH + 1} characters"):
        parse_answer("1" * (MAX_ANSWER_LENGTH + 1))


def test_answers_module_does_not_import_ui_or_sympy():
    code = (
        "import sys, quizapp.answers; "
        "print(sorted(m for m in ('sympy', 'textual', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# Fuzz: parse_answer either returns a value or raises AnswerError, never anything else


def _parse_or_answer_error(text: str, form: str | None) -> None:
    try:
        value = parse_answer(text, form=form)
    except AnswerError as exc:
        assert str(exc)
        return
    if form == "shape":
        assert isinstance(value, tuple) and all(isinstance(v, int) for v in value)
    elif form == "vector":
        assert isinstance(value, list) and all(isinstance(v, float) for v in value)
    elif form == "matrix":
        assert all(isinstance(row, list) for row in value)
    else:
        assert isinstance(value, (int, float)) and not isinstance(value, bool)


forms = st.sampled_from([None, *FORMS])


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80), forms)
def test_fuzz_any_text(text, form):
    _parse_or_answer_error(text, form)


TOKENS = [
    *"0123456789", ".", ",", ";", " ", "+", "-", "−", "*", "/", "^", "**", "//", "%", "(", ")", "[", "]",
    "x", "×", "·", "√", "²", "⁻", "e", "E", "pi", "π", "sqrt(", "log(", "exp(", "min(", "max(", "round(",
    "1e308", "9**9", "_", "'", "__", ".__class__", "<", "and", "not", "\x00", "\t", "1,000", "0,5",
]  # fmt: skip


@settings(max_examples=1000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join), forms)
def test_fuzz_grammar_like_text(text, form):
    _parse_or_answer_error(text, form)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(TOKENS), max_size=30).map("".join))
def test_fuzz_check_never_raises_anything_but_answer_error(text):
    for expected, tol in (
        (16, Tolerance(exact=True)),
        (0.0884, Tolerance(sig_figs=3)),
        ((16, 16), Tolerance(exact=True)),
        ([0.1, 0.9], Tolerance(decimals=2)),
        ([[1, 2], [3, 4]], Tolerance(exact=True)),
    ):
        try:
            result = check(text, expected, tol)
        except AnswerError:
            continue
        assert 0.0 <= result.score <= 1.0
