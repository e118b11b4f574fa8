"""The shipped English bank: every drawn drill is worth asking, and no card gives its answer away.

Instances are drawn with the real generator at every level; the checks recompute what makes an
instance trivial (equal attention scores, a dead unit, a perfect prediction) from the drawn
parameters with numpy, independently of the solvers.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest

from quizapp.content.drill import LEVELS
from quizapp.content.loader import load_bank
from quizapp.generate import generate

SEEDS = range(120)


@cache
def _bank():
    return load_bank([], bundled=True)


@cache
def _instances(template_id: str) -> tuple:
    template = _template(template_id)
    return tuple(generate(template, seed, level) for level in LEVELS for seed in SEEDS)


def _template(template_id: str):
    return next(t for t in _bank().templates() if t.id == template_id)


def _template_ids(predicate) -> list[str]:
    return [t.id for t in _bank().templates() if predicate(t)]


def _softmax(scores: np.ndarray) -> np.ndarray:
    e = np.exp(scores - scores.max())
    return e / e.sum()


@pytest.mark.parametrize("template_id", _template_ids(lambda t: t.answer.form in ("decimal", "percent")))
def test_no_number_answer_is_zero(template_id):
    # e.g. a gradient through a dead ReLU, or the MSE of ŷ = y
    for inst in _instances(template_id):
        assert inst.answer != 0, inst.question


@pytest.mark.parametrize("template_id", _template_ids(lambda t: t.solver == "attention.softmax"))
def test_softmax_logits_are_never_all_equal(template_id):
    for inst in _instances(template_id):
        logits = np.asarray(inst.params["x"], dtype=float)
        assert np.ptp(logits) > 0, inst.question


def _asked_attention(inst):
    """(weights of the asked query, the value rows it attends to), computed from the drawn parameters."""
    p = inst.params
    if "w_q" in p:
        x = np.asarray(p["x"], dtype=float)
        q, k, v = x @ np.asarray(p["w_q"]), x @ np.asarray(p["w_k"]), x @ np.asarray(p["w_v"])
    else:
        q, k, v = (np.asarray(p[name], dtype=float) for name in ("q", "k", "v"))
    row = _template(inst.template_id).answer.select[1]
    keys = np.arange(k.shape[0])
    if p.get("mask") is not None:
        keys = keys[np.asarray(p["mask"])[row] == 1]
    weights = _softmax(q[row] @ k[keys].T / np.sqrt(k.shape[1]))
    return weights, v[keys]


@pytest.mark.parametrize(
    "template_id",
    _template_ids(lambda t: t.solver in ("attention.scaled_dot_product", "attention.self_attention")),
)
def test_attention_answers_depend_on_the_weights(template_id):
    """The asked query's weights are not uniform, and no asked entry is the same whatever the weights."""
    asks_output = _template(template_id).answer.select[0] == "output"
    for inst in _instances(template_id):
        weights, values = _asked_attention(inst)
        assert np.ptp(weights) > 1e-9, inst.question
        if asks_output:
            for column in values.T:
                assert np.ptp(column) > 0, inst.question


@pytest.mark.parametrize("template_id", _template_ids(lambda t: t.solver == "loss.mse"))
def test_mse_drills_never_draw_a_perfect_prediction(template_id):
    for inst in _instances(template_id):
        assert not np.allclose(inst.params["pred"], inst.params["target"]), inst.question


def test_bce_output_bias_gradient_is_not_always_a_half():
    # z = 0 (every hidden unit dead, or W2·h = 0) made p = 1/2 and the answer ±0.5 in half the draws
    for inst in _instances("bp-bce-b2"):
        assert abs(abs(inst.answer) - 0.5) > 1e-9, inst.question


@pytest.mark.parametrize("template_id", _template_ids(lambda t: t.solver == "attention.shapes"))
def test_shape_drills_tell_the_token_count_from_the_widths(template_id):
    # with n_tokens = d_k the key matrix is d_k×d_k, so the answer cannot tell n×d_k from d_k×n
    width = {"k": "d_k", "q": "d_k", "scores": "d_k", "v": "d_v", "output": "d_v"}
    for inst in _instances(template_id):
        part = _template(template_id).answer.select[0]
        assert inst.params["n_tokens"] != inst.params[width[part]], inst.question


def test_pointwise_convolution_does_not_say_reduces_when_it_widens():
    for inst in _instances("conv-param-count-pointwise"):
        assert "reduce" not in inst.question or inst.params["c_out"] < inst.params["c_in"], inst.question


def test_single_cloze_context_does_not_contain_its_answer():
    cards = [c for c in _bank().cards() if str(c.kind) == "cloze"]
    ids = {c.id for c in cards}
    single = [c for c in cards if c.id.endswith("-c1") and c.id[:-1] + "2" not in ids]
    assert single
    for card in single:
        assert card.answer.strip().casefold() not in card.question.casefold(), card.id
    pool = next(c for c in cards if c.id == "pool-default-stride-c1")
    assert "kernel size" not in pool.question and "kernel size" in pool.answer


def test_binary_cross_entropy_is_written_with_ln_everywhere():
    bce = _template_ids(
        lambda t: t.solver == "loss.binary_cross_entropy" or getattr(t.domains().get("loss"), "value", None) == "bce"
    )
    assert "bp-bce-b2" in bce
    for template in _bank().templates():
        if template.id in bce and "cross-entropy L =" in template.ask:
            # the prediction is p or ŷ, as the question names it; either way the log is ln
            assert re.search(r"ln (p|ŷ)", template.ask) and not re.search(r"\blog\s*\(?1?\s*[−-]?\s*(p|ŷ)", template.ask), template.id


def test_bias_free_linear_outputs_are_never_zero():
    # x = [2, 2] against a row [1, −1] gave 0, and three such rows the answer [0, 0, 0]
    for inst in _instances("lin-forward-no-bias"):
        assert all(y != 0 for y in inst.answer), inst.question
