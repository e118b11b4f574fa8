"""`quizapp check`: problems as file:line, exit codes, the summary, and the shipped bank checking clean."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from quizapp.content.check import estimated_questions, give_away_option, hidden_parameters, run
from quizapp.content.drill import parse_template
from quizapp.content.model import SourceRef

DATA = Path(__file__).parent / "data"


def check(paths, **kwargs) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run(list(paths), extra=[], bundled=False, out=out, **kwargs)
    return code, out.getvalue().splitlines()


def test_bad_deck_reports_each_problem_at_its_line(monkeypatch):
    monkeypatch.chdir(DATA)
    code, lines = check([Path("bad.md")], instances=20)
    assert code == 1
    problems, summary = lines[:-1], lines[-1]
    expected = [
        ("bad.md:6:", "duplicate id 'dup-card'"),
        ("bad.md:10:", "empty answer"),
        ("bad.md:15:", "bad YAML"),
        ("bad.md:21:", "unknown solver 'conv.output_volume'"),
        ("bad.md:31:", "'strides' is not a parameter of solver conv.output_size"),
        ("bad.md:42:", "drill 'never-holds' at every level: no combination of the 2 parameter combinations satisfies `where`"),
        ("bad.md:46:", "drill 'always-refused' at every level: no solvable parameters"),
        ("bad.md:62:", "duplicate drill id 'dup-drill'"),
    ]
    assert len(problems) == len(expected), "\n".join(problems)
    for line, (prefix, words) in zip(problems, expected):
        assert line.startswith(prefix + " "), line
        assert words in line, line
    assert summary.startswith("checked 1 deck: ")
    assert "8 errors" in summary


def test_good_deck_exits_zero_with_summary(monkeypatch):
    monkeypatch.chdir(DATA)
    code, lines = check([Path("small.md")], instances=30)
    assert code == 0, lines
    # no problem: the mistakes each level's numbers cannot show are listed under not_tested
    assert lines == [
        "checked 1 deck: 10 cards (4 qa, 2 cloze, 1 definition, 1 formula, 1 list, 1 mcq), 4 drill templates, "
        "360 instances generated; 0 errors, 0 warnings"
    ]


def test_rare_where_is_reported_with_its_census(tmp_path):
    deck = tmp_path / "rare.md"
    deck.write_text(
        textwrap.dedent(
            """\
            # Rare

            ```drill
            id: rare
            solver: linear.param_count
            params:
              n_in: {range: [1, 300]}
              n_out: {range: [1, 300]}
            where:
              - n_in == 7 and n_out == 9
            ask: "{n_in} -> {n_out}"
            ```
            """
        ),
        encoding="utf-8",
    )
    code, lines = check([deck], instances=5)
    assert code == 1
    assert lines[0].startswith(f"{deck}:10: drill 'rare' at every level: only 1 of 90000 parameter combinations satisfy `where`")


def test_duplicate_ids_across_decks(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(f"# T\n\nQ: Question {name} {{#same-id}}\nA: answer\n", encoding="utf-8")
    code, lines = check([tmp_path], instances=1)
    assert code == 1
    assert lines[0].startswith(f"{tmp_path / 'b.md'}:3: ") and "same-id" in lines[0]


def test_warnings_do_not_fail(tmp_path):
    deck = tmp_path / "w.md"
    deck.write_text("# T\n\nQ: Same?\nA: one\n\nQ: Same?\nA: two\n", encoding="utf-8")
    code, lines = check([deck], instances=1)
    assert code == 0
    assert lines[0].startswith(f"{deck}:6: warning: ")
    assert lines[-1].endswith("0 errors, 1 warning")


def test_cli_exit_code(monkeypatch):
    monkeypatch.chdir(DATA)
    bad = subprocess.run([sys.executable, "-m", "quizapp", "check", "--instances", "2", "bad.md"], capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "bad.md:15: bad YAML" in bad.stdout
    good = subprocess.run([sys.executable, "-m", "quizapp", "check", "--instances", "2", "small.md"], capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stdout + good.stderr


def test_shipped_bank_checks_clean():
    out = io.StringIO()
    code = run([], extra=[], bundled=True, out=out)
    report = out.getvalue()
    assert code == 0, report
    assert "0 errors" in report.splitlines()[-1]


# ---------------------------------------------------------------- numbers the ask does not show


def drill_deck(tmp_path, body: str) -> Path:
    deck = tmp_path / "d.md"
    deck.write_text(f"# T\n\n```drill\n{textwrap.dedent(body).strip()}\n```\n", encoding="utf-8")
    return deck


CONV = """\
    id: conv
    solver: conv.output_size
    params:
      size: [16, 32]
      kernel: [3]
    {levels}
    ask: "{ask}"
    answer: {{form: integer}}
    """


@pytest.mark.parametrize(
    ("levels", "ask", "hidden"),
    [
        ("levels: {hard: {dilation: [1, 2]}}", "Input {size}, kernel {kernel}: output size?", "dilation varies"),
        # one value at hard, but not the default the other levels use: the ask must still say it
        ("levels: {hard: {dilation: [2]}}", "Input {size}, kernel {kernel}: output size?", "dilation varies"),
        ("levels: {easy: {kernel: [3, 5]}}", "Input {size}: output size?", "kernel varies"),
        ("levels: {hard: {stride: {range: [1, 3]}, padding: [0, 1]}}", "Input {size}, kernel {kernel}?", "stride, padding vary"),
        ("", "Input {size}: output size with a 3 kernel?", None),  # kernel is always 3: nothing hidden
        ("levels: {hard: {dilation: [1]}}", "Input {size}, kernel {kernel}?", None),  # dilation is always 1
        ("levels: {hard: {dilation: [1, 2]}}", "Input {size}, kernel {kernel}, dilation {dilation}?", None),
    ],
)
def test_a_varying_number_the_ask_hides_is_an_error(tmp_path, levels, ask, hidden):
    deck = drill_deck(tmp_path, CONV.format(levels=levels, ask=ask))
    code, lines = check([deck], instances=3)
    if hidden is None:
        assert code == 0, lines
        return
    assert code == 1
    [problem, _summary] = lines
    assert problem.startswith(f"{deck}:3: drill 'conv': {hidden} between instances but the ask never shows")
    assert "so the question cannot be answered as asked" in problem


@pytest.mark.parametrize(
    ("body", "hidden"),
    [
        # shown through a derived value: fan_in is in the ask, c_in and k are what it is made of
        ("params: {c_in: [3, 8], k: [3, 5]}\nderive: {fan_in: c_in * k * k}\nask: 'fan_in = {fan_in}: He std?'", []),
        # a derived value worked out from shown numbers need not be printed itself
        ("params: {c_in: [3, 8], k: [3, 5]}\nderive: {fan_in: c_in * k * k}\nask: '{k}x{k} conv, {c_in} channels: He std?'", []),
        # a hidden derived value and what it is made of
        ("params: {c_in: [3, 8], k: [3]}\nderive: {fan_in: c_in * k * k}\nask: 'a {k}x{k} conv: He std?'", ["c_in", "fan_in"]),
        # a derived value made only of fixed numbers does not vary
        ("params: {c_in: [3], k: [3]}\nderive: {fan_in: c_in * k * k}\nask: 'He std?'", []),
    ],
)
def test_derived_values_count_as_shown_through_what_they_are_made_of(body, hidden):
    yaml_text = f"id: t\nsolver: init.he_std\n{body}\nanswer: {{form: decimal}}\n"
    template = parse_template(yaml_text, source=SourceRef("d.md", 1), deck="d", topic="T")
    assert hidden_parameters(template) == hidden


@pytest.mark.parametrize(
    ("ask", "hidden"),
    [
        ("Minimise {f} from w = {start}: w after {steps} steps at lr {lr}?", []),  # a shown through the formula
        ("From w = {start}: w after {steps} steps at lr {lr}?", ["a", "f"]),
        ("Minimise (w - {a})**2 from w = {start}: w after {steps} steps at lr {lr}?", []),  # f worked out from a
    ],
)
def test_text_parameters_show_their_placeholders(ask, hidden):
    yaml_text = textwrap.dedent(
        f"""\
        id: gd
        solver: gradient.descend
        params:
          a: {{range: [1, 5]}}
          f: "(w - {{a}})**2"
          start: [0]
          lr: [0.1]
          steps: [2]
        ask: "{ask}"
        answer: {{form: decimal}}
        """
    )
    assert hidden_parameters(parse_template(yaml_text, source=SourceRef("d.md", 1), deck="d", topic="T")) == hidden


def test_the_readme_deck_example_checks_clean(tmp_path):
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = readme.split("````markdown\n", 1)[1].split("\n````", 1)[0]
    deck = tmp_path / "example.md"
    deck.write_text(example + "\n", encoding="utf-8")
    code, lines = check([deck], instances=30)
    assert code == 0, lines
    assert lines[-1].endswith("0 errors, 0 warnings")


# ---------------------------------------------------------------- drills and cards that give themselves away

FEW = """\
    id: few
    solver: linear.param_count
    params:
      n_in: [2, 3]
      n_out: {n_out}
    ask: "Linear({{n_in}}, {{n_out}}): parameters?"
    answer: {{form: integer}}
    {comment}
    """


@pytest.mark.parametrize(
    ("n_out", "comment", "warned"),
    [
        ("[4, 5, 6]", "", True),  # 2 × 3 = 6 questions
        ("{range: [1, 40]}", "", False),  # 80 questions
        ("[4, 5, 6]", "# few distinct: the exercise is about these three widths", False),
        ("[4, 5, 6]", "# Few-Distinct: says why", False),
    ],
)
def test_a_template_with_few_distinct_questions_is_warned_unless_it_says_why(tmp_path, n_out, comment, warned):
    deck = drill_deck(tmp_path, FEW.format(n_out=n_out, comment=comment))
    code, lines = check([deck], instances=100, seconds_per_deck=None)
    assert code == 0, lines
    few = [line for line in lines if "few distinct questions" in line]
    if warned:
        # every level draws the same 6 combinations: all three levels are named, with the count found
        assert few == [
            f"{deck}:3: warning: drill 'few' asks few distinct questions (6 at easy, 6 at medium, 6 at hard, in 100 draws; "
            "at least 30 wanted): widen its parameters, or say why it cannot in a '# few distinct: why' comment"
        ]
        assert "fewest distinct questions 6 (drill 'few', easy)" in lines[-1]
    else:
        assert few == []


def test_too_few_draws_are_not_judged(tmp_path):
    deck = drill_deck(tmp_path, FEW.format(n_out="[4, 5, 6]", comment=""))
    _, lines = check([deck], instances=20, seconds_per_deck=None)
    assert not any("few distinct" in line for line in lines)
    assert "fewest" not in lines[-1]


def test_counts_lists_distinct_questions_per_level(tmp_path):
    deck = drill_deck(tmp_path, FEW.format(n_out="[4, 5, 6]", comment="levels: {hard: {n_in: [2, 3, 7]}}"))
    out = io.StringIO()
    run([deck], extra=[], bundled=False, instances=100, seconds_per_deck=None, counts=True, out=out)
    lines = out.getvalue().splitlines()
    assert f"{deck}:3: drill 'few': distinct questions easy 6 of 100, medium 6 of 100, hard 9 of 100" in lines


def test_the_few_distinct_reason_survives_the_cache_round_trip(tmp_path):
    from quizapp.content.drill import DrillTemplate

    text = textwrap.dedent(FEW.format(n_out="[4]", comment="# few distinct: on purpose")).strip()
    template = parse_template(text, source=SourceRef("d.md", 3), deck="d", topic="T")
    assert template.few_distinct == "on purpose"
    assert DrillTemplate.from_dict(template.to_dict()) == template


@pytest.mark.parametrize(
    ("options", "correct", "give_away"),
    [
        (["ReLU", "a much longer option than the right one"], 0, False),
        (["It mixes the channels of every position, with learned weights", "It pools", "It pads"], 0, True),
        (["It mixes the channels of every position", "It pools nearby values", "It pads the borders"], 0, True),
        (["It mixes channels", "It pools values", "It pads borders"], 0, False),  # longest, but not clearly
        (["Leaky ReLU", "ReLU", "Tanh"], 0, False),  # 2.5× the length but 6 characters more: short options
        (["Longer wrong option than the right, by a lot", "Right"], 1, False),
        (["only one"], 0, False),
    ],
)
def test_give_away_option(options, correct, give_away):
    assert give_away_option(options, correct) is give_away


def test_a_multiple_choice_whose_right_option_is_far_longest_is_warned(tmp_path):
    deck = tmp_path / "m.md"
    deck.write_text(
        "# T\n\nWhat does a 1×1 convolution do?\n"
        "- [x] It mixes the channels at every position with learned weights\n- [ ] It pools\n- [ ] It pads\n\n"
        "Which is balanced?\n- [x] this option\n- [ ] that option\n- [ ] other option\n",
        encoding="utf-8",
    )
    code, lines = check([deck], instances=1)
    assert code == 0
    warned = [line for line in lines if "gives it away" in line]
    assert len(warned) == 1 and warned[0].startswith(f"{deck}:3: warning: multiple choice ")


@pytest.mark.parametrize(
    ("questions", "draws"), [(6, 100), (25, 200), (40, 60), (45, 60), (100, 100)]
)
def test_the_estimate_of_a_levels_questions_inverts_the_expected_distinct_count(questions, draws):
    import math

    expected = questions * -math.expm1(-draws / questions)  # distinct questions expected from uniform draws
    seen = round(expected)
    assert estimated_questions(seen, draws) == pytest.approx(questions, rel=0.1)


def test_a_level_whose_every_draw_was_new_is_never_few():
    import math

    assert estimated_questions(20, 20) == math.inf


def test_a_drill_whose_mistake_gives_the_answer_in_some_instance_fails_the_check(tmp_path):
    # lr 0.095 on 5(w − a)² shrinks the distance twentyfold a step: after 3 or 4 steps a step count
    # one off is within the tolerance on every draw at medium and hard, so no redraw can help there;
    # easy's lr 0.05 halves it a step and tells the two apart
    deck = drill_deck(
        tmp_path,
        """\
        id: stuck
        solver: gradient.descend
        params:
          a: {range: [1, 4]}
          f: "5*(w - {a})**2"
          start: [0, 6]
          lr: [0.095]
          steps: [3, 4]
        levels:
          easy: {lr: [0.05]}
        ask: "f = 5(w − {a})², w₀ = {start}, lr {lr}: w after step {steps}?"
        answer: {form: decimal, sig_figs: 3, abs_tol: 0.001}
        """,
    )
    code, lines = check([deck], instances=20, seconds_per_deck=None)
    assert code == 1
    # (a ≈ 1 also lets the square of the answer pass as the answer: reported as a generic slip, apart)
    warned = [line for line in lines if "gives the right answer" in line and "generic slip" not in line]
    assert warned and all("'one_step_extra'" in line for line in warned)
    assert any("at level medium" in line for line in warned) and not any("at level easy" in line for line in warned)
    # an error, not a warning; on every draw it can never be named
    assert all("warning" not in line and "gives the right answer in every one of 20 instances" in line for line in warned)


STRIDE_ONE = """\
    id: s1
    solver: conv.output_size
    params:
      size: {range: [10, 60]}
      kernel: [3, 5]
      padding: [1, 2]
      stride: 1
      dilation: 1
    {not_tested}
    ask: "{size}×{size} input, {kernel}×{kernel} kernel, padding {padding}, stride {stride}, dilation {dilation}: output height?"
    answer: {form: integer}
    """


def test_a_mistake_that_gives_the_answer_in_every_instance_is_reported_dead(tmp_path):
    # at stride 1 "ignored the stride" is the method itself: no draw can name it
    deck = drill_deck(tmp_path, STRIDE_ONE.replace("{not_tested}", ""))
    code, lines = check([deck], instances=20, seconds_per_deck=None)
    assert code == 1
    dead = [line for line in lines if "'ignored_stride'" in line]
    assert len(dead) == 3 and all("every one of 20 instances, so it can never be named" in line for line in dead)


def test_not_tested_names_the_mistakes_a_level_cannot_show(tmp_path):
    declared = "not_tested: [forgot_floor, rounded_up, ignored_stride, ignored_dilation, dilation_times_kernel]"
    code, lines = check([drill_deck(tmp_path, STRIDE_ONE.replace("{not_tested}", declared))], instances=60, seconds_per_deck=None)
    assert (code, lines[:-1]) == (0, [])


def test_not_tested_that_a_level_does_show_or_never_gives_is_warned(tmp_path):
    declared = "not_tested: {easy: [ignored_padding, ignored_stride, no_such_slip]}"
    body = STRIDE_ONE.replace("{not_tested}", declared).replace("stride: 1", "stride: [2]").replace("dilation: 1", "dilation: 1\n    levels:\n      easy: {stride: [1]}")
    _, lines = check([drill_deck(tmp_path, body)], instances=60, seconds_per_deck=None)
    easy = [line for line in lines if "at level easy: not_tested" in line]
    assert any("'ignored_padding', but 60 of 60 instances name it" in line for line in easy)
    assert any("'no_such_slip', a mistake solver conv.output_size never gave" in line for line in easy)
    assert not any("'ignored_stride'" in line for line in easy)  # at stride 1 it really cannot show
    assert all("warning:" in line for line in easy)


def test_a_drill_whose_answer_rounds_to_zero_is_warned(tmp_path):
    # softmax([0, 9, 9])[0] = 0.0000617 asked to 3 decimals: 0.000, which its tenth and its negation are too
    deck = drill_deck(
        tmp_path,
        """\
        id: tiny
        solver: attention.softmax
        params:
          x: [[0, 9, 9]]
        levels:
          easy: {x: [[0, 1, 2]]}
        ask: "softmax({x}): the first probability?"
        answer: {form: decimal, select: 0, decimals: 3}
        """,
    )
    code, lines = check([deck], instances=10, seconds_per_deck=None)
    assert code == 1  # every medium draw: an error
    warned = [line for line in lines if "gives the right answer" in line]
    assert any("'factor_10 (a generic slip)'" in line and "at level medium" in line for line in warned)
    assert not any("at level easy" in line for line in warned)  # 0.0900: every slip is told apart
