"""Tests for solvers.attention: hand-worked cases, validation messages, properties against plain loops."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from solvers import attention
from solvers._core import REGISTRY


def misc(solution, name):
    """The value of the named misconception, or None when the solver did not offer it."""
    for m in solution.misconceptions:
        if m.name == name:
            return m.value
    return None


# ---------------------------------------------------------------- softmax, by hand

E = math.e


@pytest.mark.parametrize(
    ("x", "kwargs", "expected"),
    [
        ([1, 2, 3], {}, [0.0900306, 0.2447285, 0.6652410]),
        ([0, 0], {}, [0.5, 0.5]),
        ([5.0], {}, [1.0]),
        ([0, math.log(3)], {}, [0.25, 0.75]),
        # stable: exp(1000) overflows, softmax([1000, 1001]) = softmax([-1, 0])
        ([1000, 1001], {}, [1 / (1 + E), E / (1 + E)]),
        ([-1000, -1001], {}, [E / (1 + E), 1 / (1 + E)]),
        # temperature divides: softmax([2, 4] / 2) = softmax([1, 2])
        ([2, 4], {"temperature": 2}, [1 / (1 + E), E / (1 + E)]),
        ([0, 1], {"temperature": 0.5}, [1 / (1 + E**2), E**2 / (1 + E**2)]),
        ([[0, 0], [0, math.log(3)]], {}, [[0.5, 0.5], [0.25, 0.75]]),
        ([[0, 0], [0, math.log(3)]], {"axis": 0}, [[0.5, 0.25], [0.5, 0.75]]),
        ([[0, 0], [0, math.log(3)]], {"axis": 1}, [[0.5, 0.5], [0.25, 0.75]]),
    ],
)
def test_softmax_by_hand(x, kwargs, expected):
    sol = attention.softmax(x, **kwargs)
    assert isinstance(sol.value, np.ndarray)
    np.testing.assert_allclose(sol.value, expected, rtol=1e-6, atol=1e-12)


def test_softmax_steps_show_the_numbers():
    steps = attention.softmax([1, 2, 3]).steps
    text = "\n".join(steps)
    assert "m = 3" in text
    assert "z − m = [−2, −1, 0]" in text
    assert "[0.1353, 0.3679, 1]" in text
    assert steps[-1] == "softmax = exp(z − m) / Σ = [0.09003, 0.2447, 0.6652]"


def test_softmax_misconceptions_by_hand():
    sol = attention.softmax([1, 2, 3])
    np.testing.assert_allclose(misc(sol, "no_exp"), [1 / 6, 2 / 6, 3 / 6])
    # T = 1: multiplying and dividing by T agree, so that is no mistake to offer
    assert misc(sol, "temperature_multiplied") is None
    assert misc(sol, "wrong_axis") is None

    sol = attention.softmax([1, 2], temperature=2)
    np.testing.assert_allclose(misc(sol, "temperature_multiplied"), [1 / (1 + E**2), E**2 / (1 + E**2)])
    # x/Σx does not depend on T
    np.testing.assert_allclose(misc(sol, "no_exp"), [1 / 3, 2 / 3])

    sol = attention.softmax([[0, 0], [0, math.log(3)]])
    np.testing.assert_allclose(misc(sol, "wrong_axis"), [[0.5, 0.25], [0.5, 0.75]])


def test_softmax_no_exp_left_out_when_the_sum_is_zero():
    assert misc(attention.softmax([-1, 1]), "no_exp") is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x": "1, 2"}, "^x: expected a vector or a matrix of numbers, got text"),
        ({"x": []}, "^x: is empty$"),
        ({"x": 3.0}, "^x: expected a vector or a matrix, got a single number$"),
        ({"x": [[[1.0]]]}, "^x: expected a vector or a matrix, got 3 dimensions$"),
        ({"x": [[1, 2], [3]]}, "^x: expected a vector or a matrix of numbers with rows of equal length$"),
        ({"x": [1, float("nan")]}, "^x: contains nan or inf$"),
        ({"x": [1, float("inf")]}, "^x: contains nan or inf$"),
        ({"x": [1, 2], "axis": 1}, "^axis: 1 is out of range for x with 1 dimension"),
        ({"x": [[1, 2]], "axis": -3}, "^axis: -3 is out of range"),
        ({"x": [1, 2], "axis": 0.5}, "^axis: expected a whole number, got 0.5$"),
        ({"x": [1, 2], "temperature": 0}, "^temperature: must be > 0, got 0$"),
        ({"x": [1, 2], "temperature": -1}, "^temperature: must be > 0, got −1$"),
        ({"x": [1, 2], "temperature": float("inf")}, "^temperature: must be a finite number, got inf$"),
        ({"x": [1, 2], "temperature": "hot"}, "^temperature: expected a number, got 'hot'$"),
        ({"x": [1e308, 0], "temperature": 1e-10}, "^temperature: x / 1e-10 overflows"),
    ],
)
def test_softmax_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        attention.softmax(**kwargs)


# ---------------------------------------------------------------- softmax, properties

finite = st.floats(-50, 50, allow_nan=False, allow_infinity=False)
vectors = st.lists(finite, min_size=1, max_size=8)


def softmax_loop(x, temperature=1.0):
    """Plain Python: exp(x_i/T) / Σ exp(x_j/T) (no shift; fine for |x/T| <= 100)."""
    exps = [math.exp(v / temperature) for v in x]
    total = math.fsum(exps)
    return [e / total for e in exps]


@given(vectors, st.floats(0.5, 10))
def test_softmax_matches_a_plain_exp_loop(x, temperature):
    np.testing.assert_allclose(attention.softmax(x, temperature=temperature).value, softmax_loop(x, temperature), rtol=1e-9, atol=1e-300)


@given(vectors, st.floats(-1e4, 1e4))
def test_softmax_sums_to_one_and_ignores_a_shift(x, shift):
    p = attention.softmax(x).value
    assert math.isclose(math.fsum(p), 1.0, rel_tol=1e-12)
    assert np.all(p >= 0)
    np.testing.assert_allclose(attention.softmax([v + shift for v in x]).value, p, rtol=1e-6, atol=1e-12)


@given(vectors)
def test_softmax_keeps_the_order_of_its_inputs(x):
    p = attention.softmax(x).value
    for i in range(len(x)):
        for j in range(len(x)):
            if x[i] < x[j]:
                assert p[i] <= p[j]


@given(st.lists(st.lists(finite, min_size=3, max_size=3), min_size=1, max_size=4), st.sampled_from([0, 1, -1]))
def test_softmax_of_a_matrix_is_the_softmax_of_each_slice(rows, axis):
    arr = np.array(rows)
    p = attention.softmax(rows, axis=axis).value
    if axis % 2 == 1:
        expected = [softmax_loop(r) for r in rows]
    else:
        expected = np.array([softmax_loop(list(c)) for c in arr.T]).T
    np.testing.assert_allclose(p, expected, rtol=1e-9, atol=1e-300)


@given(st.lists(finite, min_size=2, max_size=6), st.floats(0.25, 4))
def test_softmax_misconceptions_never_equal_the_answer(x, temperature):
    sol = attention.softmax(x, temperature=temperature)
    for m in sol.misconceptions:
        assert np.asarray(m.value).shape == sol.value.shape
        assert not np.allclose(m.value, sol.value, rtol=1e-9, atol=1e-12), m.name


# ---------------------------------------------------------------- scaled dot-product, by hand


def test_scaled_dot_product_by_hand():
    # d_k = 4, so √d_k = 2: scores = [4, 0] / 2 = [2, 0]
    q = [[1, 1, 1, 1]]
    k = [[1, 1, 1, 1], [0, 0, 0, 0]]
    v = [[10, 0], [0, 10]]
    sol = attention.scaled_dot_product(q, k, v)
    output, weights = sol.value
    w0 = E**2 / (1 + E**2)  # 0.8808
    np.testing.assert_allclose(weights, [[w0, 1 - w0]])
    np.testing.assert_allclose(output, [[10 * w0, 10 * (1 - w0)]])
    np.testing.assert_allclose(dict(sol.details)["scores"], [[2.0, 0.0]])
    assert "scores = Q·Kᵀ / √d_k = Q·Kᵀ / √4 = [[2, 0]]" in sol.steps
    assert "weights = softmax of each row = [[0.8808, 0.1192]]" in sol.steps
    assert "output = weights·V = [[8.808, 1.192]] (1×2)" in sol.steps

    # the seed notes' √(number of tokens) = √2: scores [4/√2, 0]
    out, wts = misc(sol, "scaled_by_sqrt_tokens")
    s = 4 / math.sqrt(2)
    np.testing.assert_allclose(wts, [[1 / (1 + math.exp(-s)), 1 / (1 + math.exp(s))]])
    np.testing.assert_allclose(out, 10 * wts)
    np.testing.assert_allclose(misc(sol, "unscaled")[1], [[1 / (1 + E**-4), 1 / (1 + E**4)]])
    np.testing.assert_allclose(misc(sol, "scaled_by_d_k")[1], [[E / (1 + E), 1 / (1 + E)]])
    # one query: a softmax down each column gives weight 1 to every key
    np.testing.assert_allclose(misc(sol, "softmax_over_queries")[1], [[1.0, 1.0]])
    np.testing.assert_allclose(misc(sol, "softmax_over_queries")[0], [[10.0, 10.0]])


def test_scaled_dot_product_with_a_causal_mask_by_hand():
    q = k = [[1, 0], [0, 1]]
    v = [[1, 2], [3, 4]]
    sol = attention.scaled_dot_product(q, k, v, mask=[[True, False], [True, True]])
    output, weights = sol.value
    a = 1 / (1 + math.exp(-1 / math.sqrt(2)))  # 0.6698: softmax([1/√2, 0])[0]
    np.testing.assert_allclose(weights, [[1, 0], [1 - a, a]])
    np.testing.assert_allclose(output, [[1, 2], [(1 - a) * 1 + a * 3, (1 - a) * 2 + a * 4]])
    # 0/1 numbers mean the same as booleans
    same = attention.scaled_dot_product(q, k, v, mask=[[1, 0], [1, 1]])
    np.testing.assert_allclose(same.value[1], weights)
    unmasked = attention.scaled_dot_product(q, k, v).value
    np.testing.assert_allclose(misc(sol, "mask_ignored")[1], unmasked[1])
    # softmax over both keys, then the masked weight zeroed: the first row keeps only softmax([1/√2, 0])[0]
    np.testing.assert_allclose(misc(sol, "masked_after_softmax")[1], [[a, 0], [1 - a, a]])
    np.testing.assert_allclose(misc(sol, "masked_after_softmax")[0], [[a * 1, a * 2], output[1]])
    # n_tokens = d_k = 2: dividing by √n is the right answer here, so it is not offered as a mistake
    assert misc(sol, "scaled_by_sqrt_tokens") is None


def test_scaled_dot_product_large_scores_are_stable():
    sol = attention.scaled_dot_product([[100.0, 100.0]], [[100.0, 100.0], [99.0, 99.0]], [[1.0], [0.0]])
    # scores 20000/√2 and 19800/√2: difference 200/√2 ≈ 141, so all weight on the first key
    np.testing.assert_allclose(sol.value[1], [[1.0, math.exp(-200 / math.sqrt(2))]], rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([1, 2], [[1, 2]], [[1]]), "^q: expected a matrix \\(a list of rows\\), got 1 dimension$"),
        (([[1, 2]], [[1, 2, 3]], [[1]]), "^k: has 3 columns but q has 2; queries and keys must share the width d_k$"),
        (([[1, 2]], [[1, 2]], [[1], [2]]), "^v: has 2 rows but k has 1; every key needs one value row$"),
        (([[1, 2]], [[1, 2]], [[]]), "^v: is empty$"),
        (([[1e200, 1e200]], [[1e200, 1e200]], [[1]]), "^q: the dot products q·k overflow"),
    ],
)
def test_scaled_dot_product_rejects_shapes(args, message):
    with pytest.raises(ValueError, match=message):
        attention.scaled_dot_product(*args)


@pytest.mark.parametrize(
    ("mask", "message"),
    [
        ([[1, 0]], "^mask: expected 2×2 \\(queries × keys\\), got 1×2$"),
        ([[1, 0], [0, 0]], "^mask: row 1 masks out every key; each query must keep at least one key$"),
        ([[0, -math.inf], [0, 0]], "^mask: entries must be 1/True \\(attend\\) or 0/False"),
        ([[1, 2], [1, 1]], "^mask: entries must be 1/True"),
        ("causal", "^mask: expected a matrix of True/False or 1/0, got text"),
        ([[1, 0], [1]], "^mask: expected a matrix of True/False or 1/0 with rows of equal length$"),
    ],
)
def test_scaled_dot_product_rejects_masks(mask, message):
    q = k = [[1, 0], [0, 1]]
    with pytest.raises(ValueError, match=message):
        attention.scaled_dot_product(q, k, [[1], [2]], mask=mask)


# ---------------------------------------------------------------- attention, properties against a loop


def attention_loop(q, k, v, keep=None):
    """Token by token in plain Python: for each query, scores over the kept keys, softmax, weighted sum."""
    d_k = len(q[0])
    outputs, all_weights = [], []
    for i, qi in enumerate(q):
        scores = []
        for j, kj in enumerate(k):
            if keep is None or keep[i][j]:
                scores.append(sum(a * b for a, b in zip(qi, kj)) / math.sqrt(d_k))
            else:
                scores.append(None)
        top = max(s for s in scores if s is not None)
        exps = [0.0 if s is None else math.exp(s - top) for s in scores]
        total = math.fsum(exps)
        weights = [e / total for e in exps]
        outputs.append([math.fsum(w * v[j][c] for j, w in enumerate(weights)) for c in range(len(v[0]))])
        all_weights.append(weights)
    return outputs, all_weights


small = st.floats(-3, 3, allow_nan=False, allow_infinity=False)


def matrices(rows, cols):
    return st.lists(st.lists(small, min_size=cols, max_size=cols), min_size=rows, max_size=rows)


@st.composite
def attention_cases(draw, with_mask):
    n_q, n_k = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    d_k, d_v = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    q, k, v = draw(matrices(n_q, d_k)), draw(matrices(n_k, d_k)), draw(matrices(n_k, d_v))
    keep = None
    if with_mask:
        keep = draw(st.lists(st.lists(st.booleans(), min_size=n_k, max_size=n_k), min_size=n_q, max_size=n_q))
        keep = [row if any(row) else [True] + row[1:] for row in keep]
    return q, k, v, keep


@given(attention_cases(with_mask=False))
def test_attention_matches_a_loop_over_tokens(case):
    q, k, v, _ = case
    sol = attention.scaled_dot_product(q, k, v)
    out, weights = attention_loop(q, k, v)
    np.testing.assert_allclose(sol.value[0], out, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sol.value[1], weights, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sol.value[1].sum(axis=1), 1.0)


@given(attention_cases(with_mask=True))
def test_masked_attention_matches_a_loop_over_tokens(case):
    q, k, v, keep = case
    sol = attention.scaled_dot_product(q, k, v, mask=keep)
    out, weights = attention_loop(q, k, v, keep)
    np.testing.assert_allclose(sol.value[0], out, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sol.value[1], weights, rtol=1e-9, atol=1e-12)
    assert np.all(sol.value[1][~np.array(keep)] == 0)


@given(attention_cases(with_mask=True), st.booleans())
def test_attention_misconceptions_have_the_answers_structure(case, use_mask):
    q, k, v, keep = case
    sol = attention.scaled_dot_product(q, k, v, mask=keep if use_mask else None)
    for m in sol.misconceptions:
        out, wts = m.value
        assert out.shape == sol.value[0].shape and wts.shape == sol.value[1].shape
        assert not (np.allclose(out, sol.value[0], rtol=1e-9, atol=1e-12) and np.allclose(wts, sol.value[1], rtol=1e-9, atol=1e-12))


@given(attention_cases(with_mask=False))
def test_scaled_by_sqrt_tokens_is_attention_with_the_notes_scale(case):
    q, k, v, _ = case
    sol = attention.scaled_dot_product(q, k, v)
    wrong = misc(sol, "scaled_by_sqrt_tokens")
    if wrong is None:  # only when it coincides with the answer, e.g. n_tokens = d_k
        return
    n_k, d_k = len(k), len(q[0])
    # scaling q by √d_k/√n_k turns the right formula into the notes' one
    rescaled = [[x * math.sqrt(d_k) / math.sqrt(n_k) for x in row] for row in q]
    out, weights = attention_loop(rescaled, k, v)
    np.testing.assert_allclose(wrong[0], out, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(wrong[1], weights, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- self-attention


def test_self_attention_two_tokens_by_hand():
    x = [[1, 0], [0, 1]]
    eye = [[1, 0], [0, 1]]
    sol = attention.self_attention(x, eye, eye, [[1, 2], [3, 4]])
    output, weights = sol.value
    a = 1 / (1 + math.exp(-1 / math.sqrt(2)))  # softmax([1/√2, 0])[0] = 0.6698
    np.testing.assert_allclose(weights, [[a, 1 - a], [1 - a, a]])
    np.testing.assert_allclose(output, [[a + 3 * (1 - a), 2 * a + 4 * (1 - a)], [(1 - a) + 3 * a, 2 * (1 - a) + 4 * a]])
    details = dict(sol.details)
    np.testing.assert_allclose(details["q"], eye)
    np.testing.assert_allclose(details["v"], [[1, 2], [3, 4]])
    np.testing.assert_allclose(details["scores"], [[1 / math.sqrt(2), 0], [0, 1 / math.sqrt(2)]])
    assert sol.steps[1:4] == (
        "Q = X·W_q = [[1, 0], [0, 1]] (2×2)",
        "K = X·W_k = [[1, 0], [0, 1]] (2×2)",
        "V = X·W_v = [[1, 2], [3, 4]] (2×2)",
    )
    assert "weights = softmax of each row = [[0.6698, 0.3302], [0.3302, 0.6698]]" in sol.steps
    assert "output = weights·V = [[1.66, 2.66], [2.34, 3.34]] (2×2)" in sol.steps
    np.testing.assert_allclose(misc(sol, "unscaled")[1], [[E / (1 + E), 1 / (1 + E)], [1 / (1 + E), E / (1 + E)]])


def test_self_attention_three_tokens_projected_by_hand():
    # X 3×2, W_q = W_k 2×1 picking the first feature (d_k = 1), W_v 2×1 picking the second (d_v = 1)
    x = [[0, 1], [1, 2], [2, 3]]
    sol = attention.self_attention(x, [[1], [0]], [[1], [0]], [[0], [1]])
    output, weights = sol.value
    # q = k = [0, 1, 2]; scores_ij = q_i·k_j / √1
    rows = [softmax_loop([0, 0, 0]), softmax_loop([0, 1, 2]), softmax_loop([0, 2, 4])]
    np.testing.assert_allclose(weights, rows)
    np.testing.assert_allclose(output, [[sum(w * val for w, val in zip(r, [1, 2, 3]))] for r in rows])
    assert output.shape == (3, 1)
    # d_k = 1: unscaled and scaled_by_d_k coincide with the answer and are not offered
    assert misc(sol, "unscaled") is None and misc(sol, "scaled_by_d_k") is None
    assert misc(sol, "scaled_by_sqrt_tokens") is not None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ([[1, 2, 3]], [[1], [1]], [[1], [1], [1]], [[1], [1], [1]]),
            "^w_q: expected d_model = 3 rows \\(X is 1×3\\), got 2×1; W_q is d_model×d_k$",
        ),
        (
            ([[1, 2, 3]], [[1], [1], [1]], [[1, 2], [1, 2], [1, 2]], [[1], [1], [1]]),
            "^w_k: is 3×2 but w_q is 3×1; both are d_model×d_k so that QKᵀ is defined$",
        ),
        (
            ([[1, 2, 3], [4, 5, 6]], [[1]] * 3, [[1]] * 3, [[1, 0], [0, 1]]),
            (
                "^w_v: expected d_model = 3 rows \\(X is 2×3\\), got 2×2; W_v is d_model×d_v "
                "\\(not M×M with M = number of tokens, a common slip\\)$"
            ),
        ),
        (([[1, 2, 3]], [[1]] * 3, [[1]] * 3, [[1]] * 2), "^w_v: expected d_model = 3 rows \\(X is 1×3\\), got 2×1; W_v is d_model×d_v$"),
        (([1, 2, 3], [[1]] * 3, [[1]] * 3, [[1]] * 3), "^x: expected a matrix"),
    ],
)
def test_self_attention_names_shape_mismatches(args, message):
    with pytest.raises(ValueError, match=message):
        attention.self_attention(*args)


@st.composite
def self_attention_cases(draw):
    n, d_model = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    d_k, d_v = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return draw(matrices(n, d_model)), draw(matrices(d_model, d_k)), draw(matrices(d_model, d_k)), draw(matrices(d_model, d_v))


def matmul_loop(a, b):
    return [[math.fsum(a[i][t] * b[t][j] for t in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


@given(self_attention_cases())
def test_self_attention_matches_projections_then_a_loop(case):
    x, w_q, w_k, w_v = case
    sol = attention.self_attention(x, w_q, w_k, w_v)
    q, k, v = matmul_loop(x, w_q), matmul_loop(x, w_k), matmul_loop(x, w_v)
    out, weights = attention_loop(q, k, v)
    np.testing.assert_allclose(sol.value[0], out, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(sol.value[1], weights, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dict(sol.details)["k"], k, rtol=1e-12, atol=1e-12)
    # the shapes solver agrees with the arrays actually computed
    shapes = attention.shapes(len(x), len(x[0]), len(w_q[0]), len(w_v[0])).value
    assert shapes == (np.shape(q), np.shape(k), np.shape(v), sol.value[1].shape, sol.value[0].shape)


# ---------------------------------------------------------------- shapes


def test_shapes_by_hand():
    sol = attention.shapes(10, 512, 64, 32)
    assert sol.value == ((10, 64), (10, 64), (10, 32), (10, 10), (10, 32))
    assert misc(sol, "scores_d_k") == ((10, 64), (10, 64), (10, 32), (64, 64), (10, 32))
    assert misc(sol, "w_v_square") == ((10, 64), (10, 64), (10, 10), (10, 10), (10, 10))
    assert misc(sol, "v_width_d_model") == ((10, 64), (10, 64), (10, 512), (10, 10), (10, 512))
    assert misc(sol, "v_width_d_k")[4] == (10, 64)
    assert "scores = Q·Kᵀ/√d_k: (10×64)·(64×10) = 10×10 (one row per query, one column per key)" in sol.steps


def test_shapes_leaves_out_mistakes_that_give_the_right_shapes():
    sol = attention.shapes(4, 4, 4, 4)
    names = {m.name for m in sol.misconceptions}
    assert names == set()
    sol = attention.shapes(3, 8, 8, 8)  # d_v = d_model = d_k: only the token-count mistakes differ
    assert {m.name for m in sol.misconceptions} == {"w_v_square", "scores_d_k"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_tokens": 0, "d_model": 4, "d_k": 2, "d_v": 2}, "^n_tokens: must be ≥ 1, got 0$"),
        ({"n_tokens": 3, "d_model": -4, "d_k": 2, "d_v": 2}, "^d_model: must be ≥ 1, got -4$"),
        ({"n_tokens": 3, "d_model": 4, "d_k": 2.5, "d_v": 2}, "^d_k: expected a whole number, got 2.5$"),
        ({"n_tokens": 3, "d_model": 4, "d_k": 2, "d_v": True}, "^d_v: expected a whole number, got the bool True$"),
        ({"n_tokens": "3", "d_model": 4, "d_k": 2, "d_v": 2}, "^n_tokens: expected a whole number, got '3'$"),
    ],
)
def test_shapes_rejects(kwargs, message):
    with pytest.raises(ValueError, match=message):
        attention.shapes(**kwargs)


@given(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9), st.integers(1, 9))
def test_shapes_match_numpy_products(n, d_model, d_k, d_v):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, d_model))
    q, k, v = x @ rng.normal(size=(d_model, d_k)), x @ rng.normal(size=(d_model, d_k)), x @ rng.normal(size=(d_model, d_v))
    scores = q @ k.T
    sol = attention.shapes(n, d_model, d_k, d_v)
    assert sol.value == (q.shape, k.shape, v.shape, scores.shape, (scores @ v).shape)
    assert all(m.value != sol.value for m in sol.misconceptions)
    assert len({m.value for m in sol.misconceptions}) == len(sol.misconceptions)


# ---------------------------------------------------------------- multi-head parameter count


@pytest.mark.parametrize(
    ("d_model", "n_heads", "bias", "expected"),
    [
        (512, 8, True, 4 * 512 * 512 + 4 * 512),  # 1,050,624
        (512, 8, False, 4 * 512 * 512),
        (4, 2, True, 80),  # 4·16 + 16
        (1, 1, True, 8),
        (768, 12, True, 2_362_368),
    ],
)
def test_multi_head_param_count_by_hand(d_model, n_heads, bias, expected):
    assert attention.multi_head_param_count(d_model, n_heads, bias).value == expected


def test_multi_head_param_count_misconceptions_by_hand():
    sol = attention.multi_head_param_count(8, 2)
    assert sol.value == 288
    assert misc(sol, "forgot_bias") == 256
    assert misc(sol, "forgot_output_projection") == 3 * 64 + 3 * 8
    # each of 2 heads with 8×8 W_q, W_k, W_v and biases (2·3·72 = 432), W_o 16×8 plus bias 8
    assert misc(sol, "heads_full_width") == 432 + 128 + 8
    assert misc(sol, "times_heads") == 576
    assert sol.steps[-1] == "total = 4·d_model² + 4·d_model = 256 + 32 = 288"
    no_bias = attention.multi_head_param_count(8, 2, bias=False)
    assert misc(no_bias, "forgot_bias") is None
    assert misc(no_bias, "forgot_output_projection") == 192
    # one head: the "full width" head is the right answer
    assert misc(attention.multi_head_param_count(8, 1), "heads_full_width") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((10, 3), "^n_heads: d_model = 10 must divide by n_heads = 3 \\(each head is d_model/h wide\\)$"),
        ((0, 1), "^d_model: must be ≥ 1, got 0$"),
        ((8, 0), "^n_heads: must be ≥ 1, got 0$"),
        ((8, 2, "yes"), "^bias: expected True or False, got 'yes'$"),
    ],
)
def test_multi_head_param_count_rejects(args, message):
    with pytest.raises(ValueError, match=message):
        attention.multi_head_param_count(*args)


@given(st.integers(1, 64), st.integers(1, 8), st.booleans())
def test_multi_head_param_count_counts_numpy_weight_entries(head_dim, n_heads, bias):
    d_model = head_dim * n_heads
    # per head: W_q, W_k, W_v of d_model×head_dim (+ biases); then W_o d_model×d_model (+ bias)
    arrays = []
    for _ in range(n_heads):
        for _proj in "qkv":
            arrays.append(np.empty((d_model, head_dim)))
            if bias:
                arrays.append(np.empty(head_dim))
    arrays.append(np.empty((d_model, d_model)))
    if bias:
        arrays.append(np.empty(d_model))
    sol = attention.multi_head_param_count(d_model, n_heads, bias)
    assert sol.value == sum(a.size for a in arrays)
    assert all(m.value != sol.value for m in sol.misconceptions)


# ---------------------------------------------------------------- registry and export


def test_registered_with_the_agreed_names_and_parts():
    assert REGISTRY["attention.softmax"].func is attention.softmax
    assert REGISTRY["attention.scaled_dot_product"].parts == ("output", "weights")
    assert REGISTRY["attention.self_attention"].parts == ("output", "weights")
    assert REGISTRY["attention.shapes"].parts == ("q", "k", "v", "scores", "output")
    assert REGISTRY["attention.multi_head_param_count"].answer == "int"
    assert [p.name for p in REGISTRY["attention.scaled_dot_product"].params] == ["q", "k", "v", "mask"]
    assert REGISTRY["attention.self_attention"].param("w_v").kind == "matrix"


@settings(max_examples=20)
@given(attention_cases(with_mask=True))
def test_solutions_export_as_json(case):
    q, k, v, keep = case
    for sol in (
        attention.softmax(q[0], temperature=2),
        attention.scaled_dot_product(q, k, v, mask=keep),
        attention.shapes(3, 4, 2, 5),
        attention.multi_head_param_count(8, 4),
    ):
        data = json.loads(json.dumps(sol.to_dict(), allow_nan=False))
        assert data["steps"] and "value" in data


# ---------------------------------------------------------------- softmax Jacobian


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        ([0, 0], [[0.25, -0.25], [-0.25, 0.25]]),  # p = [½, ½]: ½·½ on the diagonal, −¼ off it
        ([0, math.log(3)], [[0.1875, -0.1875], [-0.1875, 0.1875]]),  # p = [¼, ¾]: ¼·¾ = 3/16
        ([5, 5, 5], [[2 / 9, -1 / 9, -1 / 9], [-1 / 9, 2 / 9, -1 / 9], [-1 / 9, -1 / 9, 2 / 9]]),  # p = ⅓ each
    ],
)
def test_softmax_jacobian_by_hand(x, expected):
    np.testing.assert_allclose(attention.softmax_jacobian(x).value, expected, rtol=1e-12, atol=1e-15)


def test_softmax_jacobian_misconceptions_by_hand():
    sol = attention.softmax_jacobian([0, math.log(3)])
    np.testing.assert_allclose(misc(sol, "diagonal_only"), [[0.1875, 0], [0, 0.1875]])
    np.testing.assert_allclose(misc(sol, "off_diagonal_sign"), [[0.1875, 0.1875], [0.1875, 0.1875]])
    np.testing.assert_allclose(misc(sol, "outer_product_only"), [[-0.0625, -0.1875], [-0.1875, -0.5625]])


@given(st.lists(st.floats(-5, 5, allow_nan=False), min_size=2, max_size=6))
def test_softmax_jacobian_is_the_slope_of_centred_differences(x):
    def plain_softmax(v):  # written out again, independently of the solver
        e = [math.exp(a - max(v)) for a in v]
        return np.array(e) / sum(e)

    h = 1e-6
    columns = []
    for j in range(len(x)):
        up = list(x)
        down = list(x)
        up[j] += h
        down[j] -= h
        columns.append((plain_softmax(up) - plain_softmax(down)) / (2 * h))
    jac = attention.softmax_jacobian(x).value
    np.testing.assert_allclose(jac, np.array(columns).T, atol=1e-7)
    np.testing.assert_allclose(jac, jac.T, atol=1e-15)  # symmetric
    np.testing.assert_allclose(jac.sum(axis=1), 0, atol=1e-12)  # a shift changes nothing
