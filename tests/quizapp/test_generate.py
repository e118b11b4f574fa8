"""Drill generation: determinism, where, derive, levels, select, forms and precision, and agreement with the solver."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import solvers
from quizapp.content.drill import parse_template
from quizapp.content.model import SourceRef
from quizapp.generate import (
    MAX_TRIES,
    DrillInstance,
    GenerationError,
    fill_text,
    format_answer,
    format_number,
    generate,
)

SRC = SourceRef("deck.md", 10)


def template(text: str, topic: str = "Topic"):
    return parse_template(textwrap.dedent(text), source=SRC, deck="deck", topic=topic)


CONV = template(
    """\
    id: conv-out
    solver: conv.output_size
    params:
      size: {range: [5, 64]}
      kernel: [1, 3, 5, 7]
      stride: {range: [1, 3]}
      padding: {range: [0, 3]}
    where:
      - kernel <= size + 2*padding
      - padding < kernel
    ask: "A {size}×{size} input, {kernel}×{kernel} kernel, stride {stride}, padding {padding}, dilation {dilation}. Output height?"
    answer: {form: integer}
    levels:
      easy: {size: [32, 64], stride: [1], padding: [0]}
      hard: {size: {range: [17, 227]}, dilation: [1, 2]}
    hint: "O = ⌊(I − K + 2P)/S⌋ + 1"
    """
)

HE = template(
    """\
    id: he-conv
    solver: init.he_std
    params:
      c_in: [3, 16, 64]
      k: [1, 3, 5]
    derive:
      fan_in: c_in * k * k
    ask: "He std for a conv weight with C_in = {c_in} and a {k}×{k} kernel (fan_in = {fan_in})?"
    answer: {form: decimal, sig_figs: 3}
    """
)

ATTENTION = """\
    id: att-{name}
    solver: attention.scaled_dot_product
    params:
      q: {{matrix: [2, 3], range: [-2, 2]}}
      k: {{matrix: [2, 3], range: [-2, 2]}}
      v: {{matrix: [2, 2], values: [0, 1, 2]}}
    ask: "Q = {{q}}, K = {{k}}, V = {{v}}."
    answer: {answer}
    """
WEIGHTS = template(ATTENTION.format(name="w", answer="{form: matrix, select: weights, sig_figs: 3}"))
WEIGHT_01 = template(ATTENTION.format(name="w01", answer="{form: decimal, select: [weights, 0, 1], decimals: 2}"))
OUTPUT_ROW = template(ATTENTION.format(name="row", answer="{form: vector, select: [output, 1], sig_figs: 3}"))

SHAPES = template(
    """\
    id: att-shapes
    solver: attention.shapes
    params:
      n_tokens: [4, 10]
      d_model: [16, 64]
      d_k: [8, 16]
      d_v: [8, 32]
    ask: "n = {n_tokens}, d_model = {d_model}, d_k = {d_k}, d_v = {d_v}: the shape of the output?"
    answer: {form: shape, select: output}
    """
)

SOFTMAX_PERCENT = template(
    """\
    id: softmax-top
    solver: attention.softmax
    params:
      x: {vector: 3, values: [0, 1, 2]}
    ask: "softmax({x}): the first probability, in percent?"
    answer: {form: percent, select: 0, sig_figs: 3}
    """
)

ALL = [CONV, HE, WEIGHTS, WEIGHT_01, OUTPUT_ROW, SHAPES, SOFTMAX_PERCENT]


def solver_value(t, inst: DrillInstance):
    """The answer computed independently: the registered solver called with the instance's params, then select."""
    spec = solvers.get(t.solver)
    kwargs = {p.name: inst.params[p.name] for p in spec.params if p.name in inst.params}
    value = spec.solve(**kwargs).value
    for step in t.answer.select:
        if isinstance(step, str) and isinstance(value, tuple):
            value = value[spec.parts.index(step)]
        else:
            value = value[step]
    if t.answer.form == "percent":
        value = 100 * float(value)  # a percent question asks for the solver's fraction × 100
    return value


# ---------------------------------------------------------------- determinism


def test_same_arguments_same_instance():
    for t in ALL:
        for level in ("easy", "medium", "hard"):
            assert generate(t, 7, level) == generate(t, 7, level)


def test_different_seeds_vary():
    questions = {generate(CONV, seed).question for seed in range(50)}
    assert len(questions) > 20


def test_levels_draw_from_their_domains():
    for seed in range(100):
        easy = generate(CONV, seed, "easy")
        assert easy.params["size"] in (32, 64) and easy.params["stride"] == 1 and easy.params["padding"] == 0
        hard = generate(CONV, seed, "hard")
        assert 17 <= hard.params["size"] <= 227 and hard.params["dilation"] in (1, 2)
        medium = generate(CONV, seed, "medium")
        assert medium.params["dilation"] == 1  # the solver default, shown in the question
        assert "dilation 1." in medium.question


def test_seed_is_independent_of_python_hash_randomisation():
    code = (
        "import json, textwrap;"
        "from quizapp.content.drill import parse_template;"
        "from quizapp.content.model import SourceRef;"
        "from quizapp.generate import generate;"
        f"t = parse_template({CONV_TEXT!r}, source=SourceRef('d.md', 1), deck='d', topic='T');"
        "print(json.dumps([generate(t, s, 'hard').question for s in range(5)]))"
    )
    outs = []
    for hash_seed in ("1", "2"):
        env = {"PYTHONHASHSEED": hash_seed, "PATH": ""}
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        outs.append(json.loads(proc.stdout))
    assert outs[0] == outs[1]
    t = parse_template(CONV_TEXT, source=SourceRef("d.md", 1), deck="d", topic="T")
    assert outs[0] == [generate(t, s, "hard").question for s in range(5)]


CONV_TEXT = "id: c\nsolver: conv.output_size\nparams:\n  size: {range: [5, 99]}\n  kernel: [3, 5]\nask: 'In {size}, k {kernel}'\n"


# ---------------------------------------------------------------- where, derive, redraw


def test_where_always_holds():
    for level in ("easy", "medium", "hard"):
        for seed in range(300):
            p = generate(CONV, seed, level).params
            assert p["kernel"] <= p["size"] + 2 * p["padding"]
            assert p["padding"] < p["kernel"]


def test_derive_is_computed_and_passed_to_the_solver():
    for seed in range(50):
        inst = generate(HE, seed)
        p = inst.params
        assert p["fan_in"] == p["c_in"] * p["k"] ** 2
        assert isinstance(p["fan_in"], int)
        assert math.isclose(inst.answer, math.sqrt(2 / p["fan_in"]), rel_tol=1e-12)
        assert f"fan_in = {p['fan_in']})" in inst.question


def test_solver_refusal_means_redraw():
    # No where: kernels larger than the padded input are drawn, refused by the solver, and redrawn.
    t = template(
        """\
        id: redraw
        solver: conv.output_size
        params: {size: {range: [1, 6]}, kernel: [3, 5, 7]}
        ask: "{size} {kernel}"
        """
    )
    for seed in range(100):
        p = generate(t, seed).params
        assert p["kernel"] <= p["size"]


def test_unsatisfiable_where_names_template_and_clause():
    t = template(
        """\
        id: never
        solver: conv.output_size
        params: {size: [3, 4], kernel: [5]}
        where:
          - size > 2
          - kernel < size
        ask: "{size}"
        """
    )
    with pytest.raises(GenerationError) as info:
        generate(t, 0)
    err = info.value
    assert "never" in str(err) and "kernel < size" in str(err) and str(MAX_TRIES) in str(err)
    assert err.line == SRC.line + 6 and err.template_id == "never"


def test_always_refused_names_the_solver_reason():
    t = template(
        """\
        id: refused
        solver: conv.output_size
        params: {size: [2], kernel: [5]}
        ask: "{size}"
        """
    )
    with pytest.raises(GenerationError, match=r"no solvable parameters in 200 draws: 200 refused \(last reason: kernel: "):
        generate(t, 0)


def test_unknown_level():
    with pytest.raises(ValueError):
        generate(CONV, 0, "extreme")


# ---------------------------------------------------------------- select and forms


def test_answer_equals_the_solver_called_directly():
    for t in ALL:
        for level in ("easy", "medium", "hard"):
            for seed in range(40):
                inst = generate(t, seed, level)
                expected = solver_value(t, inst)
                if inst.form == "shape":
                    assert inst.answer == tuple(expected)
                elif inst.form == "integer":
                    assert inst.answer == expected and isinstance(inst.answer, int)
                else:
                    assert np.allclose(inst.answer, np.asarray(expected, dtype=float), rtol=1e-12, atol=0)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**40), level=st.sampled_from(["easy", "medium", "hard"]), index=st.integers(0, len(ALL) - 1))
def test_property_answer_is_the_solver_answer(seed, level, index):
    t = ALL[index]
    inst = generate(t, seed, level)
    expected = solver_value(t, inst)
    assert np.allclose(np.asarray(inst.answer, dtype=float), np.asarray(expected, dtype=float), rtol=1e-12, atol=0)


def test_select_part_and_index():
    inst = generate(WEIGHT_01, 3)
    weights = solvers.get("attention.scaled_dot_product").solve(**{n: inst.params[n] for n in "qkv"}).value[1]
    assert inst.answer == pytest.approx(float(weights[0][1]), rel=1e-12)
    assert inst.form == "decimal" and isinstance(inst.answer, float)
    row = generate(OUTPUT_ROW, 3)
    assert isinstance(row.answer, list) and len(row.answer) == 2


def test_misconceptions_follow_select_and_differ_from_the_answer():
    seen = 0
    for seed in range(60):
        inst = generate(WEIGHTS, seed)
        for m in inst.misconceptions:
            seen += 1
            assert np.asarray(m.value).shape == np.asarray(inst.answer).shape
            assert not np.allclose(m.value, inst.answer, atol=0.0005)
    assert seen > 0


def test_misconception_equal_to_answer_is_dropped():
    # stride 1: "ignored_stride" would equal the answer, so it must not be offered.
    t = template(
        """\
        id: s1
        solver: conv.output_size
        params: {size: [32], kernel: [3], stride: [1]}
        ask: "{size}"
        """
    )
    inst = generate(t, 0)
    assert inst.answer == 30
    assert all(m.value != 30 for m in inst.misconceptions)
    assert "ignored_stride" not in {m.name for m in inst.misconceptions}
    # a non-integral wrong answer to an integer question is kept (forgot the floor)
    t2 = template(
        """\
        id: s2
        solver: conv.output_size
        params: {size: [32], kernel: [3], stride: [2], padding: [1]}
        ask: "{size}"
        """
    )
    names = {m.name: m.value for m in generate(t2, 0).misconceptions}
    assert names.get("forgot_floor") == 16.5


def test_a_mistake_that_rounds_to_the_answer_as_typed_is_drawn_again():
    # He std, fan_in 100, leaky slope 0.1: √(2/1.01)/10 = 0.14072; ignoring the slope gives √(2/100) = 0.14142.
    # They differ by more than half a unit of the third figure, but 0.14142 typed to 3 s.f. is 0.141,
    # which the answer's tolerance accepts: the number pair cannot tell the mistake apart.
    pinned = template(
        """\
        id: he-leaky-pinned
        solver: init.he_std
        params: {fan_in: [100], negative_slope: [0.1]}
        ask: "He std, fan_in {fan_in}, leaky ReLU slope {negative_slope}?"
        answer: {form: decimal, sig_figs: 3}
        """
    )
    inst = generate(pinned, 0)
    assert abs(inst.answer - math.sqrt(2 / 1.01) / 10) < 1e-12
    assert "ignored_negative_slope" in inst.coincident  # no other numbers to draw: asked, and reported
    free = template(
        """\
        id: he-leaky-free
        solver: init.he_std
        params: {fan_in: [100, 400], negative_slope: [0.1, 0.5]}
        ask: "He std, fan_in {fan_in}, leaky ReLU slope {negative_slope}?"
        answer: {form: decimal, sig_figs: 3}
        """
    )
    drawn = {(generate(free, seed).params["fan_in"], generate(free, seed).params["negative_slope"]) for seed in range(80)}
    # fan_in 400, slope 0.1: 0.070360 vs 0.070711 typed 0.0707, outside half a unit (0.00005): kept
    assert drawn == {(100, 0.5), (400, 0.1), (400, 0.5)}


def test_an_answer_too_small_for_its_precision_is_drawn_again():
    # softmax asked to 3 decimals: softmax([0, 9, 9])[0] = 1/(1 + 2e⁹) = 0.0000617 rounds to 0.000, so its
    # tenth, its half and its negation would be "right" too: such numbers are drawn again.
    ask = """\
        id: sm-tiny
        solver: attention.softmax
        params:
          x: {values}
        ask: "softmax({{x}}): the first probability?"
        answer: {{form: decimal, select: 0, decimals: 3}}
        """
    only_tiny = template(ask.format(values="[[0, 9, 9]]"))
    inst = generate(only_tiny, 0)
    assert abs(inst.answer - 1 / (1 + 2 * math.exp(9))) < 1e-12
    assert {"sign_flipped", "factor_10", "factor_2"} <= set(inst.slips)  # no other numbers: asked, and reported
    mixed = template(ask.format(values="[[0, 9, 9], [0, 1, 2], [1, 1, 0]]"))
    answers = {round(generate(mixed, seed).answer, 6) for seed in range(60)}
    assert answers == {round(1 / (1 + math.e + math.e**2), 6), round(math.e / (2 * math.e + 1), 6)}


PRECISION_CASES = [
    (CONV, "integer", "(integer)"),
    (HE, "decimal", "(3 significant figures)"),
    (WEIGHT_01, "decimal", "(2 decimal places)"),
    (WEIGHTS, "matrix", "(matrix, 3 significant figures each)"),
    (OUTPUT_ROW, "vector", "(vector, 3 significant figures each)"),
    (SOFTMAX_PERCENT, "percent", "(percent, 3 significant figures)"),
]


@pytest.mark.parametrize(("t", "form", "suffix"), PRECISION_CASES, ids=[c[1] + "-" + c[0].id for c in PRECISION_CASES])
def test_question_ends_with_precision(t, form, suffix):
    inst = generate(t, 1)
    assert inst.form == form
    assert inst.question.endswith(" " + suffix)
    assert inst.precision == suffix[1:-1]


def test_shape_precision_example_is_not_the_answer():
    for seed in range(20):
        inst = generate(SHAPES, seed)
        assert inst.form == "shape" and isinstance(inst.answer, tuple)
        assert inst.precision.startswith("shape like ")
        example = inst.precision.removeprefix("shape like ")
        assert example.count("×") == len(inst.answer) - 1
        assert example != inst.answer_text
        assert inst.answer_text == "×".join(map(str, inst.answer))


def test_answer_text_per_form():
    inst = generate(HE, 0)
    assert inst.answer_text == format_number(inst.answer, sig_figs=3)
    pct = generate(SOFTMAX_PERCENT, 0)
    assert pct.answer_text.endswith("%")


def test_tolerance_matches_the_asked_precision():
    inst = generate(HE, 0)
    assert inst.tolerance.sig_figs == 3 and not inst.tolerance.exact
    assert generate(CONV, 0).tolerance.exact
    assert generate(WEIGHT_01, 0).tolerance.decimals == 2


def test_steps_are_terminal_text():
    inst = generate(CONV, 5)
    assert inst.steps and all("$" not in s and "\\" not in s for s in inst.steps)
    assert inst.hint == "O = ⌊(I − K + 2P)/S⌋ + 1"
    assert inst.id == "conv-out@5" and inst.deck == "deck" and inst.topic == "Topic"


# ---------------------------------------------------------------- text helpers


@pytest.mark.parametrize(
    ("x", "kwargs", "text"),
    [
        (0.08838834764831845, {"sig_figs": 3}, "0.0884"),
        (1234.5, {"sig_figs": 3}, "1230"),
        (9.996, {"sig_figs": 3}, "10.0"),
        (0.25, {"sig_figs": 3}, "0.25"),  # exact: written as it is
        (-0.5, {"sig_figs": 2}, "-0.5"),
        (0.6698, {"sig_figs": 3}, "0.670"),  # rounded: the zero is part of the asked precision
        (0.000012345, {"sig_figs": 3}, "0.0000123"),
        (1.2345e-7, {"sig_figs": 3}, "1.23e-7"),
        (6.02e23, {"sig_figs": 3}, "6.02e23"),
        (0, {"sig_figs": 3}, "0"),
        (0.5, {"decimals": 2}, "0.5"),
        (0.125, {"decimals": 2}, "0.12"),  # float 0.125 is exact; Python rounds half to even
        (-0.001, {"decimals": 2}, "0.00"),  # no sign on a rounded zero
        (3.14159, {"decimals": 0}, "3"),
        (16, {}, "16"),
    ],
)
def test_format_number(x, kwargs, text):
    assert format_number(x, **kwargs) == text


def test_format_answer_forms():
    assert format_answer(16, "integer") == "16"
    assert format_answer((16, 16), "shape") == "16×16"
    assert format_answer([0.0900306, 0.2447285, 0.6652410], "vector", sig_figs=3) == "[0.0900, 0.245, 0.665]"
    assert format_answer([[1.0, 2.0], [3.0, 4.5]], "matrix", sig_figs=3) == "[[1, 2], [3, 4.5]]"
    assert format_answer(26.894, "percent", sig_figs=3) == "26.9%"


def test_fill_text_is_only_substitution():
    values = {"a": 3, "b": -2, "x": 0.1234567, "m": [[1, 2], [3, 4]], "flag": True}
    assert fill_text("(w - {a})**2 + {b}*w", values) == "(w - 3)**2 + (-2)*w"
    # a question shows minus as − like its prose; a formula for the solver keeps the ASCII -
    assert fill_text("a={a}, b={b}", values, ask=True) == "a=3, b=−2"
    assert fill_text("{v} {e}", {"v": [[1, -1], [-0.5, 2]], "e": -1e-05}, ask=True) == "[[1, −1], [−0.5, 2]] −1e-05"
    assert fill_text("{x:.3g} {m} {flag}", values, ask=True) == "0.123 [[1, 2], [3, 4]] true"
    # unknown names, attribute access and indexing are left as written, never evaluated
    assert fill_text("{zz} {a.__class__} {m[0]} {{a}}", values, ask=True) == "{zz} {a.__class__} {m[0]} {3}"
    assert fill_text("{a:d}", {"a": 2.5}, ask=True) == "2.5"  # a bad spec falls back to the plain text


DESCEND = template(
    """\
    id: gd
    solver: gradient.descend
    params:
      a: {range: [-3, 3]}
      f: "(w - {a})**2"
      start: [0, 1]
      lr: [0.1, 0.25]
      steps: [1, 2, 3]
    where:
      - start != a
    ask: "f(w) = (w − {a})², w₀ = {start}, α = {lr}: w after {steps} steps?"
    answer: {form: decimal, sig_figs: 3}
    """
)


def test_text_params_are_filled_and_negative_numbers_bracketed():
    seen_negative = False
    for seed in range(60):
        inst = generate(DESCEND, seed)
        a = inst.params["a"]
        assert inst.params["f"] == (f"(w - ({a}))**2" if a < 0 else f"(w - {a})**2")
        seen_negative |= a < 0
        # independent computation: each step multiplies the distance to a by (1 - 2·lr)
        w = inst.params["start"]
        for _ in range(inst.params["steps"]):
            w = w - inst.params["lr"] * 2 * (w - a)
        assert inst.answer == pytest.approx(w, rel=1e-12, abs=1e-12)
    assert seen_negative


def test_conv_size_solvers_take_height_width_pairs_and_answer_a_shape():
    from quizapp.answers import Verdict, check
    from quizapp.content.drill import parse_template
    from quizapp.content.model import SourceRef
    from quizapp.generate import generate

    template = parse_template(
        "id: rect\nsolver: conv.output_size\nparams:\n  size: [[32, 48]]\n  kernel: [3]\n"
        "  stride: [2]\n  padding: [1]\nask: 'Output size?'\nanswer:\n  form: shape\n",
        source=SourceRef("x.md", 1), deck="d", topic="t",
    )
    instance = generate(template, 1)
    # ⌊(32 + 2 − 3)/2⌋ + 1 = 16 and ⌊(48 + 2 − 3)/2⌋ + 1 = 24, worked by hand
    assert instance.answer == (16, 24)
    assert instance.answer_text == "16×24"
    assert check("16x24", instance.answer, instance.tolerance, form=instance.form).verdict is Verdict.CORRECT
    assert check("16x23", instance.answer, instance.tolerance, form=instance.form).verdict is Verdict.PARTIAL


CONVERGING = """
    id: converging
    solver: gradient.descend
    params:
      a: {range: [1, 4]}
      f: "5*(w - {a})**2"
      start: [0, 6]
      lr: [0.05, 0.095]
      steps: [3, 4]
    ask: "f = 5(w − {a})², w₀ = {start}, lr {lr}: w after step {steps}?"
    answer: {form: decimal, sig_figs: 3, abs_tol: 0.001}
    """


def test_numbers_on_which_a_mistake_gives_the_answer_are_drawn_again():
    # lr 0.095 on 5(w − a)² shrinks the distance to a twentyfold a step: after 3 steps, a step count one
    # off is within the tolerance of the answer; those draws are redrawn
    from quizapp.generate import _generate, telling_mistakes

    t = template(CONVERGING)
    assert "one_step_extra" in telling_mistakes(t, "medium")
    undrawn = [_generate(t, seed, "medium", frozenset()) for seed in range(40)]
    assert any("one_step_extra" in inst.coincident for inst in undrawn)  # without the redraw it happens
    for seed in range(40):
        inst = generate(t, seed, "medium")
        assert "one_step_extra" not in inst.coincident
        assert inst.params["lr"] != 0.095
        assert generate(t, seed, "medium") == inst  # still a pure function of its arguments


@pytest.mark.parametrize(
    ("ask", "terminal", "mathjax"),
    [
        # a formula without placeholders: rendered for the terminal, MathJax for Anki
        ("Fan-in {fan_in}: $\\sigma$ if $\\sigma^2 = 2/n$?", "Fan-in {n}: σ if σ² = 2/n?", "Fan-in {n}: \\(\\sigma\\) if \\(\\sigma^2 = 2/n\\)?"),
        # a placeholder inside a formula is one TeX group once filled in: {12}, so \frac reads 12/2
        ("$\\frac{fan_in}2$ with {fan_in}", "$\\frac{n}2$ with {n}", "\\(\\frac{{{n}}}2\\) with {n}"),
        ("No formula, fan-in {fan_in}", "No formula, fan-in {n}", ""),
    ],
)
def test_drill_question_in_mathjax(ask, terminal, mathjax):
    t = template(
        f"""\
        id: he-math
        solver: init.he_std
        params:
          fan_in: [12, 48, 300]
        ask: '{ask}'
        answer: {{form: decimal, sig_figs: 3}}
        """
    )
    for seed in range(6):
        inst = generate(t, seed)
        n = inst.params["fan_in"]
        assert inst.question == terminal.format(n=n) + " (3 significant figures)"
        assert inst.question_mathjax == (mathjax.format(n=n) + " (3 significant figures)" if mathjax else "")


SCORES = """
    id: scores
    solver: attention.shapes
    params:
      n_tokens: [5, 6]
      d_model: [32]
      d_k: [8]
      d_v: [16]
    ask: "{n_tokens} tokens, d_model {d_model}, d_k {d_k}, d_v {d_v}: shape of the scores?"
    answer: {form: shape, select: scores}
    """


def test_a_mistake_about_another_part_is_unrelated_not_coincident():
    # V's width (d_model or d_k for d_v) changes V and the output, never the n×n scores
    inst = generate(template(SCORES), 0, "medium")
    assert inst.answer == (inst.params["n_tokens"],) * 2
    assert {"v_width_d_model", "v_width_d_k", "w_v_square"} <= set(inst.unrelated)
    assert not {"v_width_d_model", "v_width_d_k", "w_v_square"} & set(inst.coincident)
    assert "scores_d_k" in {m.name for m in inst.misconceptions}  # d_k×d_k scores: about the asked part


def test_a_mistake_sharing_an_earlier_ones_answer_is_recorded_with_the_name_kept():
    # asked V's shape, "no projection" (V = X, n×d_model) gives what "V as wide as d_model" gives:
    # the candidate is marked wrong under the first name, and the second is recorded as shared
    t = template(SCORES.replace("select: scores", "select: v").replace("shape of the scores", "shape of V"))
    inst = generate(t, 0, "medium")
    assert inst.answer == (inst.params["n_tokens"], 16)
    assert ("no_projection", "v_width_d_model") in inst.shared
    assert "v_width_d_model" in {m.name for m in inst.misconceptions}
    assert "no_projection" not in {m.name for m in inst.misconceptions} | set(inst.coincident)
