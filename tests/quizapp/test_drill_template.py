"""Drill template parsing: a good template's fields, and every bad case with its file:line."""

from __future__ import annotations

import textwrap

import pytest

from quizapp.content.drill import (
    LEVELS,
    AnswerSpec,
    ArrayDomain,
    Choice,
    Const,
    DrillTemplate,
    IntRange,
    Text,
    Uniform,
    parse_template,
    placeholders,
)
from quizapp.content.model import ContentError, SourceRef

FENCE_LINE = 40  # the ```drill line; the YAML's first line is file line 41

GOOD = """\
id: conv-out
solver: conv.output_size
params:
  size: [28, 32, 64]
  kernel: [3, 5]
  stride: {range: [1, 3]}
  padding: {range: [0, 4], step: 2}
where:
  - kernel <= size + 2*padding
ask: >-
  A {size}×{size} input, {kernel}×{kernel} kernel, stride {stride}, padding {padding},
  dilation {dilation}. What is the output height?
answer:
  form: integer
levels:
  easy: {size: [32, 64], stride: [1], padding: [0]}
  hard: {size: {range: [17, 227]}, dilation: [1, 2]}
hint: "O = ⌊(I − K + 2P)/S⌋ + 1"
"""


def parse(text: str, topic: str = "Convolutional layers"):
    return parse_template(textwrap.dedent(text), source=SourceRef("deck.md", FENCE_LINE), deck="conv", topic=topic)


def error_of(text: str) -> ContentError:
    with pytest.raises(ContentError) as info:
        parse(text)
    return info.value


def test_good_template_fields():
    t = parse(GOOD)
    assert (t.id, t.solver, t.deck, t.topic) == ("conv-out", "conv.output_size", "conv", "Convolutional layers")
    assert t.source == SourceRef("deck.md", FENCE_LINE)
    assert dict(t.params) == {
        "size": Choice((28, 32, 64)),
        "kernel": Choice((3, 5)),
        "stride": IntRange(1, 3),
        "padding": IntRange(0, 4, 2),
    }
    assert t.answer == AnswerSpec("integer")
    assert [c.text for c in t.where] == ["kernel <= size + 2*padding"]
    assert t.where[0].line == FENCE_LINE + 9
    assert t.hint == "O = ⌊(I − K + 2P)/S⌋ + 1"
    # levels override some params and may add a solver parameter
    assert t.domains("easy")["size"] == Choice((32, 64))
    assert t.domains("easy")["kernel"] == Choice((3, 5))
    assert t.domains("hard")["dilation"] == Choice((1, 2))
    assert "dilation" not in t.domains("medium")
    with pytest.raises(ValueError):
        t.domains("extreme")


def test_topic_key_overrides_current_topic():
    t = parse(GOOD + "topic: Pooling\n")
    assert t.topic == "Pooling"


def test_domain_kinds():
    t = parse(
        """\
        id: att
        solver: attention.scaled_dot_product
        params:
          q: {matrix: [2, 3], values: [-1, 0, 1, 2]}
          k: {matrix: [2, 3], range: [-2, 2]}
          v: {matrix: [2, 2], uniform: [-1, 1], decimals: 1}
        ask: "Q = {q}, K = {k}, V = {v}. The attention weights?"
        answer: {form: matrix, select: weights, sig_figs: 2}
        """
    )
    d = dict(t.params)
    assert d["q"] == ArrayDomain((2, 3), Choice((-1, 0, 1, 2)))
    assert d["k"] == ArrayDomain((2, 3), IntRange(-2, 2))
    assert d["v"] == ArrayDomain((2, 2), Uniform(-1.0, 1.0, 1))
    assert t.answer == AnswerSpec("matrix", sig_figs=2, select=("weights",))


def test_derive_and_constants():
    t = parse(
        """\
        id: he
        solver: init.he_std
        params:
          c_in: [3, 16]
          k: [3, 5]
          negative_slope: 0.0
        derive:
          fan_in: c_in * k * k
        ask: "Conv weight with C_in = {c_in}, {k}×{k} kernel. He std? fan_in = {fan_in}"
        answer: {form: decimal, sig_figs: 3}
        """
    )
    d = dict(t.params)
    assert d["negative_slope"] == Const(0.0)
    assert [(x.name, x.text) for x in t.derive] == [("fan_in", "c_in * k * k")]
    assert t.derive[0].evaluate({"c_in": 3, "k": 5}) == 75


def test_decimal_defaults_to_three_significant_figures():
    t = parse(
        """\
        id: lecun
        solver: init.lecun_std
        params: {fan_in: [64, 128]}
        ask: "fan_in = {fan_in}: LeCun std?"
        answer: {form: decimal}
        """
    )
    assert t.answer.sig_figs == 3 and t.answer.decimals is None


def test_form_defaults_from_the_solver():
    t = parse(
        """\
        id: lin
        solver: linear.param_count
        params: {n_in: [3], n_out: [4]}
        ask: "Linear {n_in} -> {n_out}: parameters?"
        """
    )
    assert t.answer.form == "integer"


def test_placeholders_helper():
    assert placeholders("a {x} b {y:.3g} {{z}} {not valid}") == ["x", "y", "z"]


# Every bad case: (YAML, line offset from the fence of the key at fault, words of the message).
BAD = [
    ("id: x\nsolver: conv.output_size\nparams: {size: [1}\n", 3, "bad YAML"),
    ("- just\n- a list\n", 0, "YAML mapping"),
    ("solver: conv.output_size\nask: hi\n", 0, "needs 'id'"),
    ("id: x\nask: hi\n", 0, "needs 'solver'"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\n", 0, "needs 'ask'"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: '  '\n", 4, "needs 'ask'"),
    ("id: [x]\nsolver: conv.output_size\nask: hi\n", 1, "id must be"),
    ("id: x\nsolver: conv.nope\nask: hi\n", 2, "unknown solver 'conv.nope'"),
    ("id: x\nsolver: os.system\nask: hi\n", 2, "unknown solver 'os.system'"),
    ("id: x\nsolver: conv.output_size\nask: hi\nwher: [a]\n", 4, "unknown key 'wher'"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: [8]\n  kernel: [3]\n  strid: [2]\nask: hi\n", 6, "'strid' is not a parameter of solver conv.output_size"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: [8]\nask: hi\n", 3, "needs parameter 'kernel'"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: []\n  kernel: [3]\nask: hi\n", 4, "empty list"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: {range: [9, 3]}\n  kernel: [3]\nask: hi\n", 4, "lower bound 9 is above"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: {range: [1.5, 3]}\n  kernel: [3]\nask: hi\n", 4, "two integers"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: {range: [1, 3], step: 0}\n  kernel: [3]\nask: hi\n", 4, "step must be"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: {rnge: [1, 3]}\n  kernel: [3]\nask: hi\n", 4, "needs range, uniform, matrix or vector"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: {range: [1, 3], stp: 2}\n  kernel: [3]\nask: hi\n", 4, "unknown key 'stp'"),
    ("id: x\nsolver: init.he_std\nparams:\n  fan_in: {uniform: [1, 2], decimals: -1}\nask: hi\n", 4, "decimals must be"),
    ("id: x\nsolver: linear.forward\nparams:\n  w: {matrix: [2, 0], values: [1]}\n  x: {vector: 2, values: [1]}\nask: hi\n", 4, "matrix size"),
    ("id: x\nsolver: linear.forward\nparams:\n  w: {matrix: [2, 2], values: [1]}\n  x: {vector: 2}\nask: hi\n", 5, "exactly one of values, range or uniform"),
    ("id: x\nsolver: linear.forward\nparams:\n  w: {matrix: [2, 2], values: []}\n  x: {vector: 2, values: [1]}\nask: hi\n", 4, "non-empty list of numbers"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: [8]\n  kernel: [3]\nwhere:\n  - kernel <= siz\nask: hi\n", 7, "unknown name 'siz'"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: [8]\n  kernel: [3]\nwhere:\n  - kernel <=\nask: hi\n", 7, "where:"),
    ("id: x\nsolver: conv.output_size\nparams:\n  size: [8]\n  kernel: [3]\nwhere:\n  - __import__('os')\nask: hi\n", 7, "where:"),
    ("id: x\nsolver: init.he_std\nparams:\n  c: [3]\nderive:\n  fan_in: c * k\nask: hi\n", 6, "derive fan_in"),
    ("id: x\nsolver: init.he_std\nparams:\n  fan_in: [3]\nderive:\n  fan_in: 2 * 3\nask: hi\n", 6, "drawn in params and derived"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: 'size {sise}'\n", 4, "placeholder {sise}"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: 'size {size!r}'\n", 4, None),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: 'size {size:{kernel}}'\n", 4, None),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: 'size {size:zz}'\n", 4, "bad format"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: hi\nanswer: {form: fraction}\n", 5, "unknown answer form 'fraction'"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: hi\nanswer:\n  form: vector\n", 6, "does not fit solver"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: hi\nanswer:\n  form: integer\n  sig_figs: 3\n", 7, "exact"),
    ("id: x\nsolver: init.lecun_std\nparams: {fan_in: [8]}\nask: hi\nanswer:\n  form: decimal\n  sig_figs: 3\n  decimals: 2\n", 8, "not both"),
    ("id: x\nsolver: init.lecun_std\nparams: {fan_in: [8]}\nask: hi\nanswer:\n  form: decimal\n  abs_tol: -1\n", 7, "abs_tol must be"),
    ("id: x\nsolver: init.lecun_std\nparams: {fan_in: [8]}\nask: hi\nanswer:\n  form: decimal\n  tol: 1\n", 7, "unknown key 'tol'"),
    ("id: x\nsolver: init.lecun_std\nparams: {fan_in: [8]}\nask: hi\nanswer:\n  form: decimal\n  select: 0\n", 7, "single number"),
    (
        (
            "id: x\nsolver: attention.scaled_dot_product\nparams:\n  q: {matrix: [2, 2], values: [1]}\n  k: {matrix: [2, 2], values: [1]}\n"
            "  v: {matrix: [2, 2], values: [1]}\nask: hi\nanswer:\n  form: matrix\n  select: weight\n"
        ),
        10,
        "no part 'weight'",
    ),
    (
        (
            "id: x\nsolver: attention.scaled_dot_product\nparams:\n  q: {matrix: [2, 2], values: [1]}\n  k: {matrix: [2, 2], values: [1]}\n"
            "  v: {matrix: [2, 2], values: [1]}\nask: hi\nanswer:\n  form: matrix\n"
        ),
        8,
        "choose one with select",
    ),
    (
        (
            "id: x\nsolver: attention.scaled_dot_product\nparams:\n  q: {matrix: [2, 2], values: [1]}\n  k: {matrix: [2, 2], values: [1]}\n"
            "  v: {matrix: [2, 2], values: [1]}\nask: hi\nanswer:\n  form: matrix\n  select: 7\n"
        ),
        10,
        "out of range",
    ),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: hi\nlevels:\n  extreme: {size: [9]}\n", 6, "unknown level 'extreme'"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: hi\nlevels:\n  hard:\n    dilatoin: [2]\n", 7, "'dilatoin' is neither"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: hi\nlevels:\n  hard:\n    size: {range: [3]}\n", 7, "[lo, hi]"),
    ("id: x\nsolver: gradient.max_stable_lr\nparams:\n  curvature: [1]\n  f: 'x + {g}'\nask: hi\n", 5, "placeholder {g}"),
    ("id: x\nsolver: gradient.max_stable_lr\nparams:\n  curvature: [1]\n  f: 'x + {curvature}'\nask: hi\n", 5, "'f' is not a parameter"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: hi\nhint: [1]\n", 5, "hint must be text"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: hi\ntopic: ''\n", 5, "topic must be"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: [3]}\nask: hi\ntags: [1]\n", 5, "tags must be"),
    ("id: x\nsolver: conv.receptive_field\nparams:\n  layers: [[[3, 1], [3, 1]]]\nwhere:\n  - layers > 1\nask: hi\n", 6, "'layers' is not a number"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8], kernel: null}\nask: hi\n", 3, "no value"),
    ("id: x\nsolver: conv.output_size\nparams: {size: [8, {a: 1}], kernel: [3]}\nask: hi\n", 3, "list items must be"),
]


@pytest.mark.parametrize(("text", "offset", "words"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_bad_template_reports_file_and_line(text, offset, words):
    err = error_of(text)
    assert err.source == SourceRef("deck.md", FENCE_LINE + offset), err
    assert str(err).startswith(f"deck.md:{FENCE_LINE + offset}: ")
    if words is not None:
        assert words in err.message, err.message


def test_solver_text_is_never_imported():
    # A registry lookup: a module path that exists in Python is still an unknown solver.
    for name in ("os.path", "builtins.eval", "solvers._core", "__import__"):
        err = error_of(f"id: x\nsolver: {name}\nask: hi\n")
        assert "unknown solver" in err.message


def test_yaml_tags_are_refused():
    err = error_of("id: x\nsolver: !!python/object/apply:os.system ['true']\nask: hi\n")
    assert "bad YAML" in err.message


DESCEND = """\
id: gd
solver: gradient.descend
params:
  a: {range: [-3, 3]}
  f: "(w - {a})**2"
  start: [0]
  lr: [0.25]
  steps: [2]
ask: "f(w) = (w − {a})², w₀ = {start}, α = {lr}: w after {steps} steps?"
answer: {form: decimal, sig_figs: 3}
"""


def test_text_param_with_placeholders():
    t = parse(DESCEND)
    assert dict(t.params)["f"] == Text("(w - {a})**2")


def test_text_param_placeholder_must_be_a_number_param():
    err = error_of(DESCEND.replace('"(w - {a})**2"', '"(w - {b})**2"'))
    assert err.source.line == FENCE_LINE + 5 and "placeholder {b}" in err.message
    err = error_of(DESCEND.replace('"(w - {a})**2"', '"(w - {f})**2"'))
    assert "placeholder {f}" in err.message  # a text cannot refer to itself


def test_words_the_ask_shows_at_some_levels_are_a_parameter():
    # a sentence said only at easy (the divisor an attention drill tests), empty elsewhere
    template = parse(
        """
        id: words
        solver: linear.param_count
        params:
          n_in: [3]
          n_out: [4]
          how: ""
        levels:
          easy: {how: " Count the bias too."}
        ask: "Linear({n_in}, {n_out}).{how} Parameters?"
        """
    )
    from quizapp.generate import generate

    assert generate(template, 0, "easy").question.startswith("Linear(3, 4). Count the bias too. Parameters?")
    assert generate(template, 0, "medium").question.startswith("Linear(3, 4). Parameters?")


def test_a_number_only_the_ask_shows_is_still_not_a_parameter():
    with pytest.raises(ContentError, match="'width' is not a parameter of solver linear.param_count"):
        parse(
            """
            id: numbers
            solver: linear.param_count
            params:
              n_in: [3]
              n_out: [4]
              width: [5]
            ask: "Linear({n_in}, {n_out}), width {width}: parameters?"
            """
        )


def test_not_tested_is_a_list_for_every_level_or_a_map_per_level():
    every = parse(GOOD + "not_tested: [ignored_dilation]\n")
    assert [every.untested(level) for level in LEVELS] == [frozenset({"ignored_dilation"})] * 3
    per_level = parse(GOOD + "not_tested:\n  # stride 1 at easy\n  easy: [ignored_stride, forgot_floor]\n  medium: ignored_dilation\n")
    assert per_level.untested("easy") == {"ignored_stride", "forgot_floor"}
    assert per_level.untested("medium") == {"ignored_dilation"}
    assert per_level.untested("hard") == frozenset()
    assert parse(GOOD).untested("easy") == frozenset()
    # the bank cache stores it
    assert DrillTemplate.from_dict(per_level.to_dict()) == per_level


@pytest.mark.parametrize(
    ("tail", "words"),
    [
        ("not_tested: {tricky: [ignored_stride]}\n", "unknown level 'tricky'"),
        ("not_tested: {easy: [1, 2]}\n", "'easy' must list misconception names"),
        ("not_tested: [ignored stride]\n", "must list misconception names"),
        ("not_tested: 3\n", "not_tested must list misconception names"),
    ],
)
def test_bad_not_tested_is_reported_at_its_line(tail, words):
    err = error_of(GOOD + tail)
    assert words in str(err)
    assert err.source.line == FENCE_LINE + 1 + GOOD.count("\n")
