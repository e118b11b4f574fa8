"""Tests for solvers._core.coerce_param and SolverSpec.bind/solve: every accepted spelling, every refusal."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import solvers
from solvers._core import Param, coerce_param


def coerce(kind: str, value, **extra):
    return coerce_param(Param("p", kind, **extra), value)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("int", 3, 3),
        ("int", "3", 3),
        ("int", " -12 ", -12),
        ("int", 4.0, 4),
        ("int", "32.0", 32),
        ("int", np.int64(7), 7),
        ("float", 0.5, 0.5),
        ("float", "1e-3", 0.001),
        ("float", 2, 2.0),
        ("float", "−0.25", -0.25),
        ("bool", True, True),
        ("bool", "true", True),
        ("bool", "Yes", True),
        ("bool", "no", False),
        ("bool", "off", False),
        ("bool", 0, False),
        ("int_or_pair", 3, 3),
        ("int_or_pair", "3", 3),
        ("int_or_pair", "3,5", (3, 5)),
        ("int_or_pair", "(3, 5)", (3, 5)),
        ("int_or_pair", "[3, 5]", (3, 5)),
        ("int_or_pair", "3x5", (3, 5)),
        ("int_or_pair", "3×5", (3, 5)),
        ("int_or_pair", [3, 5], (3, 5)),
        ("int_or_pair", (3, 5), (3, 5)),
        ("layers", [[3, 1], [3, 2]], ((3, 1), (3, 2))),
        ("layers", "[[3, 1], [3, 2, 2]]", ((3, 1), (3, 2, 2))),
        ("layers", "3,1;3,2", ((3, 1), (3, 2))),
        ("layers", "((3, 1), (2, 2))", ((3, 1), (2, 2))),
        ("shape", [64, 3, 3, 3], (64, 3, 3, 3)),
        ("shape", "64x3x3x3", (64, 3, 3, 3)),
        ("shape", "(128, 784)", (128, 784)),
        ("shape", "128,784", (128, 784)),
        ("shape", 5, (5,)),
        ("formula", "(w - 3)**2", "(w - 3)**2"),
        ("formula", 3, "3"),
        ("str", "relu", "relu"),
        ("str", ["x", "y"], "x, y"),  # a YAML list of names for a text parameter
        ("point", 1.5, 1.5),
        ("point", "2", 2.0),
        ("point", "1,2", [1.0, 2.0]),
        ("point", "[1, -2]", [1.0, -2.0]),
        ("point", [0, 1], [0.0, 1.0]),
    ],
)
def test_accepted_spellings(kind, value, expected):
    result = coerce(kind, value)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("vector", [1, 2, 3], [1.0, 2.0, 3.0]),
        ("vector", "1,2,3", [1.0, 2.0, 3.0]),
        ("vector", "1 2 3", [1.0, 2.0, 3.0]),
        ("vector", "[0.1, 0.9]", [0.1, 0.9]),
        ("vector", "[[1, 2], [3, 4]]", [[1.0, 2.0], [3.0, 4.0]]),  # softmax takes rows too
        ("matrix", [[1, 2], [3, 4]], [[1.0, 2.0], [3.0, 4.0]]),
        ("matrix", "[[1, 2], [3, 4]]", [[1.0, 2.0], [3.0, 4.0]]),
        ("matrix", "1,2;3,4", [[1.0, 2.0], [3.0, 4.0]]),
        ("matrix", "1 2; 3 4;", [[1.0, 2.0], [3.0, 4.0]]),
        ("matrix", [[True, False]], [[1.0, 0.0]]),
    ],
)
def test_arrays(kind, value, expected):
    result = coerce(kind, value)
    assert isinstance(result, np.ndarray)
    assert result.dtype == float
    assert result.tolist() == expected


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("int", True, "p: expected a whole number, got the bool True"),
        ("int", "true", "p: expected a whole number, got 'true'"),
        ("int", 2.5, "p: expected a whole number, got 2.5"),
        ("int", "2.5", "p: expected a whole number, got '2.5'"),
        ("int", [1], "p: expected a whole number, got list [1]"),
        ("float", "abc", "p: expected a number, got 'abc'"),
        ("float", "nan", "p: must be a finite number, got nan"),
        ("float", float("inf"), "p: must be a finite number, got inf"),
        ("float", False, "p: expected a number, got the bool False"),
        ("float", 10**400, "p: the number is too large"),
        ("bool", "maybe", "p: expected true or false (yes/no), got 'maybe'"),
        ("bool", 2, "p: expected true or false (yes/no), got 2"),
        ("int_or_pair", "3,5,7", "p: expected a whole number or a pair (h, w), got 3 numbers"),
        ("int_or_pair", "3.5", "p: expected a whole number, got '3.5'"),
        ("int_or_pair", [3, True], "p: expected a whole number, got the bool True"),
        ("vector", "[1, 2", "p: cannot read '[1, 2' as a list"),
        ("vector", "1,a", "p: expected a vector of numbers"),
        ("vector", [[[1]]], "p: expected a vector, got 3 dimensions"),
        ("vector", [], "p: expected a vector, got an empty one"),
        ("vector", [1, float("nan")], "p: contains nan or inf"),
        ("vector", 3, "p: expected a list, got int 3"),
        ("matrix", [1, 2], "p: expected a matrix (a list of rows), got 1 dimension"),
        ("matrix", [[1, 2], [3]], "p: expected a matrix (a list of rows) of numbers (rows of equal length)"),
        ("matrix", "[" * 5000 + "]" * 5000, "p: cannot read"),
        ("matrix", "1," * 60_000, "p: text longer than 100000 characters"),
        ("layers", [], "p: expected a non-empty list of (kernel, stride) layers"),
        ("layers", [[3, 1, 1, 1]], "p: layer 1: expected (kernel, stride) or (kernel, stride, dilation), got 4 numbers"),
        ("layers", [3, 1], "p: layer 1: expected (kernel, stride) or (kernel, stride, dilation), got 3"),
        ("layers", [[3, 1.5]], "p: layer 1: expected a whole number, got 1.5"),
        ("shape", "64x3.5", "p: expected a whole number, got '3.5'"),
        ("shape", [[1, 2]], "p: expected a flat list of whole numbers"),
        ("formula", "  ", "p: expected text, got an empty one"),
        ("formula", ["x"], "p: expected text, got list ['x']"),
        ("str", ["x", 1], "p: expected text, got list ['x', 1]"),
        ("str", [], "p: expected text, got list []"),
        ("point", "1,b", "p: expected a point (one number per variable) of numbers"),
        ("nonsense", 1, "p: unknown parameter kind 'nonsense'"),
    ],
)
def test_refusals_name_the_parameter(kind, value, message):
    with pytest.raises(ValueError) as info:
        coerce(kind, value)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("text", ["10**100", "2*16", "3*5", "10^2", "3/2", "1e3", "3;5", "3 by 5", "0.5e1"])
def test_int_or_pair_text_takes_only_x_comma_and_space_as_separators(text):
    # 10**100 used to be read as the pair (10, 100) and 2*16 as (2, 16)
    with pytest.raises(ValueError) as info:
        coerce_param(Param("size", "int_or_pair"), text)
    assert str(info.value) == f"size: expected a whole number or a pair like 3x5 or (3, 5), got {text!r}"


@pytest.mark.parametrize(
    ("text", "value"),
    [("3 5", (3, 5)), ("3 × 5", (3, 5)), ("32X20", (32, 20)), (" [3, 5] ", (3, 5)), ("(3,5)", (3, 5)), ("−3", -3), ("+3", 3)],
)
def test_int_or_pair_text_separators_that_stay(text, value):
    assert coerce("int_or_pair", text) == value


def test_a_product_for_a_conv_size_is_refused_not_solved():
    spec = solvers.get("conv.output_size")
    with pytest.raises(ValueError, match=r"^size: expected a whole number or a pair like 3x5"):
        spec.solve(size="10**100", kernel=3)
    with pytest.raises(ValueError, match=r"^kernel: expected a whole number or a pair like 3x5"):
        spec.solve(size=32, kernel="2*2")


def test_str_choices():
    param = Param("activation", "str", "relu", choices=("relu", "tanh"))
    assert coerce_param(param, " tanh ") == "tanh"
    with pytest.raises(ValueError, match=r"^activation: expected one of relu, tanh, got 'gelu'$"):
        coerce_param(param, "gelu")


def test_none_only_where_the_default_is_none():
    optional = Param("stride", "int_or_pair", None)
    assert coerce_param(optional, None) is None
    assert coerce_param(optional, "none") is None
    assert coerce_param(optional, "NULL") is None
    assert coerce_param(optional, "2") == 2
    with pytest.raises(ValueError, match="^size: a value is required$"):
        coerce_param(Param("size", "int"), None)
    with pytest.raises(ValueError, match="^size: expected a whole number, got 'none'$"):
        coerce_param(Param("size", "int"), "none")


@settings(max_examples=200, deadline=None)
@given(st.integers(-(10**30), 10**30))
def test_int_text_round_trip(n):
    assert coerce("int", str(n)) == n
    assert coerce("int_or_pair", f"{n}x{n + 1}") == (n, n + 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=6))
def test_vector_text_round_trip(values):
    assert coerce("vector", ",".join(repr(v) for v in values)).tolist() == values
    assert coerce("vector", "[" + ", ".join(repr(v) for v in values) + "]").tolist() == values


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.sampled_from(["int", "float", "bool", "int_or_pair", "vector", "matrix", "layers", "shape", "point"]))
def test_any_text_is_coerced_or_refused_with_a_value_error(text, kind):
    try:
        coerce(kind, text)
    except ValueError as exc:
        assert str(exc).startswith("p: ")


# ---------------------------------------------------------------- SolverSpec.bind / solve


def test_solve_fills_defaults_and_coerces():
    spec = solvers.get("conv.output_size")
    assert spec.bind(size="32", kernel="3", stride="2") == {"size": 32, "kernel": 3, "stride": 2, "padding": 0, "dilation": 1}
    assert spec.solve(size="32", kernel="3", stride="2", padding=1).value == 16
    assert spec.solve(size="32x20", kernel=[3, 5], stride=2, padding=1).value == (16, 9)
    assert solvers.get("conv.receptive_field").solve(layers="3,1;3,1;3,1").value == 7
    assert solvers.get("conv.param_count").solve(c_in=3, c_out=8, kernel=3, bias="false").value == 216
    assert solvers.get("conv.pool_output_size").solve(size=7, kernel=2, stride=None).value == 3
    assert solvers.get("init.fans").solve(shape="64x3x3x3").value == (27, 576)
    assert solvers.get("linear.forward").solve(w="1,2;3,4", x="1,1").value.tolist() == [3.0, 7.0]


def test_solve_rejects_unknown_and_missing_parameters():
    spec = solvers.get("conv.output_size")
    with pytest.raises(ValueError, match=r"^conv.output_size: unknown parameter kernal \(it takes: size, kernel, stride, padding, dilation\)$"):
        spec.solve(size=32, kernal=3)
    with pytest.raises(ValueError, match=r"^conv.output_size: unknown parameters foo, bar "):
        spec.solve(size=32, kernel=3, foo=1, bar=2)
    with pytest.raises(ValueError, match=r"^conv.output_size: missing parameter kernel$"):
        spec.solve(size=32)
    with pytest.raises(ValueError, match=r"^conv.output_size: missing parameters size, kernel$"):
        spec.solve()
    with pytest.raises(ValueError, match=r"^stride: expected a whole number, got 'two'$"):
        spec.solve(size=32, kernel=3, stride="two")
    with pytest.raises(ValueError, match=r"^stride: must be ≥ 1, got 0$"):
        spec.solve(size=32, kernel=3, stride="0")


def test_every_registered_param_kind_is_known():
    from solvers._core import _COERCERS

    for spec in solvers.registry().values():
        for param in spec.params:
            assert param.kind in _COERCERS, (spec.name, param.name, param.kind)
            if not param.required and param.default is not None:
                # A default survives coercion unchanged, so --param <default> means the same as leaving it out.
                coerced = coerce_param(param, param.default)
                assert np.array_equal(np.asarray(coerced, dtype=object), np.asarray(param.default, dtype=object)), (spec.name, param.name)


@pytest.mark.parametrize(("kind", "text"), [("shape", "2*16"), ("shape", "64*3*3*3"), ("vector", "1*2"), ("layers", "3*1")])
def test_a_star_is_not_a_list_separator(kind, text):
    # '*' reads as multiplication to a person, so "2*16" must not silently become the list [2, 16]
    with pytest.raises(ValueError):
        coerce_param(Param("p", kind), text)


def test_lists_still_split_on_x_commas_and_spaces():
    assert coerce_param(Param("shape", "shape"), "64x3x3x3") == (64, 3, 3, 3)
    assert coerce_param(Param("shape", "shape"), "64, 3, 3, 3") == (64, 3, 3, 3)
