"""Tests for `quizapp solve`: argument parsing, text and JSON output, listing, help, errors and exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

import solvers
from quizapp import solve_cmd
from quizapp.cli import main


def run(solver, *raw, as_json=False, list_only=False):
    out, err = io.StringIO(), io.StringIO()
    code = solve_cmd.run(solver, list(raw), as_json=as_json, list_only=list_only, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def run_json(solver, *raw):
    code, out, err = run(solver, *raw, as_json=True)
    assert (code, err) == (0, "")
    return json.loads(out)


# ---------------------------------------------------------------- answers


def test_text_output_has_answer_steps_and_wrong_answers():
    code, out, err = run("conv.output_size", "--size", "32", "--kernel", "3", "--stride", "2", "--padding", "1")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "conv.output_size(size=32, kernel=3, stride=2, padding=1, dilation=1)"
    assert "answer: 16" in lines
    assert "  O = ⌊(32 + 2·1 − 3) / 2⌋ + 1 = ⌊15.5⌋ + 1 = 16" in lines
    assert "typical wrong answers:" in lines
    assert any(line.startswith("  16.5  (forgot_floor: ") for line in lines)


def test_json_output():
    data = run_json("conv.output_size", "--size", "32", "--kernel", "3", "--stride", "2", "--padding", "1")
    assert list(data) == ["solver", "params", "value", "steps", "misconceptions"]
    assert data["solver"] == "conv.output_size"
    assert data["params"] == {"size": 32, "kernel": 3, "stride": 2, "padding": 1, "dilation": 1}
    assert data["value"] == 16
    assert data["steps"][-1] == "O = ⌊(32 + 2·1 − 3) / 2⌋ + 1 = ⌊15.5⌋ + 1 = 16"
    assert {"name": "forgot_plus_one", "value": 15, "explanation": "forgot the + 1 that counts the first window position"} in data["misconceptions"]


@pytest.mark.parametrize(
    ("raw", "bias"),
    [
        (["--no-bias"], False),
        (["--bias", "false"], False),
        (["--bias=no"], False),
        (["--bias"], True),
        (["--bias", "yes"], True),
        ([], True),
    ],
)
def test_bool_spellings(raw, bias):
    data = run_json("conv.param_count", "--c-in", "3", *raw, "--c-out", "8", "--kernel", "3")
    assert data["params"]["bias"] is bias
    assert data["value"] == 27 * 8 + (8 if bias else 0)


def test_equals_form_pairs_and_underscored_names():
    data = run_json("conv.transposed_output_size", "--size=4x2", "--kernel=3,1", "--stride", "2", "--output_padding", "1")
    assert data["params"]["size"] == [4, 2]
    assert data["params"]["output_padding"] == 1
    assert data["value"] == [3 * 2 + 2 + 1 + 1, 1 * 2 + 0 + 1 + 1]


def test_negative_numbers_and_lists_are_values():
    data = run_json("init.he_std", "--fan-in", "100", "--negative-slope", "-0.2")
    assert data["params"]["negative_slope"] == -0.2
    data = run_json("linear.forward", "--w", "1,2;3,-4", "--x", "0.5,-1", "--b", "[0.1, 0.2]")
    assert data["value"] == pytest.approx([-1.4, 5.7])
    assert data["params"]["w"] == [[1.0, 2.0], [3.0, -4.0]]
    assert data["params"]["b"] == [0.1, 0.2]
    data = run_json("linear.forward", "--w", "[[1, 2]]", "--x", "[3, 4]")
    assert data["params"]["b"] is None
    assert data["value"] == [11.0]


def test_layers_shape_and_named_parts():
    assert run_json("conv.receptive_field", "--layers", "3,1;3,1;3,1")["value"] == 7
    assert run_json("conv.receptive_field", "--layers", "[[7, 2], [3, 2]]")["value"] == 11
    code, out, _ = run("init.fans", "--shape", "64x3x3x3")
    assert code == 0
    assert "  fan_in = 27\n  fan_out = 576\n" in out  # parts of the value, one a line
    assert run_json("init.fans", "--shape", "(128, 784)")["value"] == [784, 128]


def test_every_solver_of_this_package_runs_from_the_command_line():
    examples = {
        "conv.output_size": ["--size", "28", "--kernel", "5"],
        "conv.param_count": ["--c-in", "3", "--c-out", "64", "--kernel", "3"],
        "conv.pool_output_size": ["--size", "7", "--kernel", "2"],
        "conv.transposed_output_size": ["--size", "16", "--kernel", "4", "--stride", "2", "--padding", "1"],
        "conv.receptive_field": ["--layers", "3,1;3,2"],
        "conv.macs": ["--size", "32", "--c-in", "3", "--c-out", "16", "--kernel", "3"],
        "linear.param_count": ["--n-in", "784", "--n-out", "128"],
        "linear.forward": ["--w", "1,2;3,4", "--x", "1,1"],
        "init.fans": ["--shape", "128,784"],
        "init.he_std": ["--fan-in", "576"],
        "init.he_uniform_bound": ["--fan-in", "576"],
        "init.xavier_std": ["--fan-in", "256", "--fan-out", "128"],
        "init.xavier_uniform_bound": ["--fan-in", "256", "--fan-out", "128", "--gain", "1.6667"],
        "init.lecun_std": ["--fan-in", "100"],
        "init.default_uniform_bound": ["--fan-in", "576"],
    }
    for name, raw in examples.items():
        spec = solvers.get(name)
        data = run_json(name, *raw)
        expected = spec.solve(**{a[2:].replace("-", "_"): b for a, b in zip(raw[::2], raw[1::2])})
        assert data == {"solver": name, "params": data["params"], **json.loads(json.dumps(expected.to_dict()))}
        code, out, err = run(name, *raw)
        assert (code, err) == (0, "")
        assert out.startswith(name + "(")


def test_json_with_details_and_tuples_from_other_topics():
    # The CLI works from Param kinds alone, whoever wrote the solver: matrices, optional matrices, tuples.
    data = run_json("attention.scaled_dot_product", "--q", "1,0;0,1", "--k", "1,0;0,1", "--v", "1,2;3,4")
    assert data["params"]["mask"] is None
    assert len(data["value"]) == 2  # (output, weights)
    assert all(isinstance(v, list) for v in data["value"])


def test_json_spells_non_finite_numbers_as_text():
    assert solve_cmd._finite({"a": [float("inf"), float("-inf"), 1.0], "b": float("nan")}) == {
        "a": ["inf", "-inf", 1.0],
        "b": "nan",
    }


# ---------------------------------------------------------------- listing and help


def test_list_shows_every_solver_with_parameters():
    code, out, err = run(None, list_only=True)
    assert (code, err) == (0, "")
    for name, spec in solvers.registry().items():
        assert f"{name}  {spec.summary}" in out
    assert "    --size             N|H,W          required" in out
    assert "    --stride           N|H,W          default: none" in out  # pooling: stride defaults to the kernel
    assert "    --negative-slope   X              default: 0" in out


def test_list_as_json():
    code, out, err = run(None, as_json=True, list_only=True)
    assert (code, err) == (0, "")
    listing = {item["solver"]: item for item in json.loads(out)}
    assert set(listing) == set(solvers.registry())
    assert listing["conv.pool_output_size"]["params"][2] == {
        "name": "stride",
        "kind": "int_or_pair",
        "required": False,
        "help": "stride S (default: the kernel size, as in PyTorch)",
        "default": None,
    }
    assert listing["init.fans"]["parts"] == ["fan_in", "fan_out"]
    assert listing["conv.output_size"]["params"][0]["required"] is True


def test_list_of_one_solver_and_of_an_unknown_one():
    code, out, _ = run("linear.param_count", list_only=True)
    assert code == 0
    assert out.splitlines() == [
        "linear.param_count  linear layer parameters n_in·n_out + n_out",
        "    --n-in             N              required",
        "    --n-out            N              required",
        "    --bias             true|false     default: true",
    ]
    code, out, err = run("linear.nope", list_only=True)
    assert (code, out) == (2, "")
    assert err.startswith("quizapp solve: unknown solver 'linear.nope'")


def test_solver_help():
    code, out, err = run("conv.param_count", "--help")
    assert (code, err) == (0, "")
    assert out.startswith("usage: quizapp solve conv.param_count --c-in N --c-out N --kernel N|H,W [--bias true|false] [--groups N] [--json]")
    assert "  --bias / --no-bias" in out
    assert "groups; C_in for a depthwise convolution  (default: 1)" in out
    code, out, _ = run(None, "-h")
    assert code == 0 and out.startswith("usage: quizapp solve NAME")


def test_help_for_every_registered_solver():
    for name, spec in solvers.registry().items():
        code, out, err = run(name, "--help")
        assert (code, err) == (0, ""), name
        for param in spec.params:
            assert "--" + param.name.replace("_", "-") in out, (name, param.name)


# ---------------------------------------------------------------- errors: one line on stderr, exit 2


@pytest.mark.parametrize(
    ("solver", "raw", "message"),
    [
        (None, [], "quizapp solve: give a solver name, e.g. quizapp solve conv.output_size"),
        ("conv.outputsize", [], "quizapp solve: unknown solver 'conv.outputsize'; did you mean conv.output_size"),
        ("conv.output_size", ["--size", "3", "--kernl", "3"], "quizapp solve: conv.output_size: unknown parameter --kernl; did you mean --kernel?"),
        ("conv.output_size", ["--size", "3"], "quizapp solve: conv.output_size: missing parameter kernel"),
        ("conv.output_size", ["--size", "2", "--kernel", "5"], "quizapp solve: conv.output_size: kernel: the kernel 5 is larger than the padded input"),
        ("conv.output_size", ["--size", "32", "--kernel", "3", "--stride", "0"], "quizapp solve: conv.output_size: stride: must be ≥ 1, got 0"),
        ("conv.output_size", ["--size", "abc", "--kernel", "3"], "quizapp solve: conv.output_size: size: expected a whole number, got 'abc'"),
        ("conv.output_size", ["--size", "--kernel", "3"], "quizapp solve: conv.output_size: --size needs a value (N|H,W)"),
        ("conv.output_size", ["--size", "3", "--size", "4"], "quizapp solve: conv.output_size: --size given twice"),
        ("conv.output_size", ["32"], "quizapp solve: conv.output_size: unexpected argument '32'"),
        ("conv.param_count", ["--no-bias=1"], "quizapp solve: conv.param_count: --no-bias takes no value"),
        ("conv.param_count", ["--bias", "maybe"], "quizapp solve: conv.param_count: unexpected argument 'maybe'"),
        ("conv.param_count", ["--c-in", "4", "--c-out", "8", "--kernel", "3", "--groups", "3"], "quizapp solve: conv.param_count: groups: 3 does not divide c_in = 4"),
        ("init.fans", ["--shape", "5"], "quizapp solve: init.fans: shape: fan_in and fan_out need at least 2 dimensions, got 1"),
        ("linear.forward", ["--w", "1,2;3,4", "--x", "1,2,3"], "quizapp solve: linear.forward: x: has 3 entries but W has 2 columns"),
        ("linear.forward", ["--w", "[[1, 2], [3]]", "--x", "1"], "quizapp solve: linear.forward: w: expected a matrix (a list of rows) of numbers"),
    ],
)
def test_errors_are_one_line_with_status_2(solver, raw, message):
    code, out, err = run(solver, *raw)
    assert code == 2
    assert out == ""
    assert err.startswith(message)
    assert err.endswith("\n") and err.count("\n") == 1


# ---------------------------------------------------------------- through the real command line


def test_cli_main_dispatches_to_solve(capsys):
    assert main(["solve", "conv.pool_output_size", "--size", "7", "--kernel", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["value"] == 3
    assert main(["solve", "conv.pool_output_size", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: quizapp solve conv.pool_output_size --size N|H,W --kernel N|H,W")
    assert main(["solve", "conv.pool_output_size", "--size", "7"]) == 2
    assert capsys.readouterr().err == "quizapp solve: conv.pool_output_size: missing parameter kernel\n"


def test_subprocess_json_without_textual_or_sympy(tmp_path):
    """`python -m quizapp solve ... --json` from another directory; the calculator loads no UI and no sympy."""
    result = subprocess.run(
        [sys.executable, "-m", "quizapp", "solve", "conv.output_size", "--size", "32", "--kernel", "3", "--stride", "2", "--padding", "1", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["value"] == 16
    probe = (
        "import sys, io\n"
        "from quizapp.cli import main\n"
        "sys.stdout = io.StringIO()\n"
        "code = main(['solve', 'init.he_std', '--fan-in', '576', '--json'])\n"
        "code += main(['solve', '--list'])\n"
        "sys.stdout = sys.__stdout__\n"
        "print(code, sorted(m for m in ('textual', 'rich', 'sympy') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 []"
    result = subprocess.run(
        [sys.executable, "-m", "quizapp", "solve", "conv.output_size", "--size", "2", "--kernel", "5"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("quizapp solve: conv.output_size: kernel: ")
