"""Provides `quizapp solve`: any registered solver as a calculator printing the answer, the worked steps and typical wrong answers."""

from __future__ import annotations

import difflib
import json
import math
import sys
from typing import Any, TextIO

import numpy as np

import solvers
from solvers._core import Param, SolverSpec, to_plain

_USAGE = """\
usage: quizapp solve NAME [--PARAM VALUE ...] [--json]
       quizapp solve NAME --help     that solver's parameters
       quizapp solve --list          every solver with its parameters

Runs one solver and prints its answer, the worked solution and typical wrong answers.
Example: quizapp solve conv.output_size --size 32 --kernel 3 --stride 2 --padding 1
Values: 3, 0.5, true/false (or --no-NAME), pairs 3,5 or 3x5, lists [1, 2] or 1,2,
matrices [[1, 2], [3, 4]] or "1,2;3,4", formulas "(w - 3)**2".
"""

# What to type for each Param kind, shown in --list and --help.
_KIND_HINTS = {
    "int": "N",
    "float": "X",
    "bool": "true|false",
    "str": "TEXT",
    "formula": "FORMULA",
    "int_or_pair": "N|H,W",
    "vector": "[x, ...]",
    "matrix": "[[..], ..]",
    "layers": "[[k, s], ...]",
    "shape": "N,N,...",
    "point": "X|[x, ...]",
}


class _UsageError(ValueError):
    """A problem with the command line itself (unknown option, missing value)."""


def run(
    solver: str | None,
    raw: list[str],
    *,
    as_json: bool,
    list_only: bool,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run ``quizapp solve``: 0 on success, 2 (with one line on stderr) for any bad input."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    wants_help = any(token in ("-h", "--help") for token in raw)
    registry = solvers.registry()

    if list_only:
        if solver is not None and solver not in registry:
            return _fail(err, _unknown_solver(solver, registry))
        names = [solver] if solver is not None else sorted(registry)
        if as_json:
            listing = [_spec_data(registry[name]) for name in names]
            out.write(json.dumps(_finite(to_plain(listing)), ensure_ascii=False, indent=2, allow_nan=False) + "\n")
        else:
            out.write("\n".join(_describe(registry[name]) for name in names))
        return 0
    if solver is None:
        if wants_help:
            out.write(_USAGE)
            return 0
        return _fail(err, "give a solver name, e.g. quizapp solve conv.output_size --size 32 --kernel 3 (quizapp solve --list shows them all)")
    if solver not in registry:
        return _fail(err, _unknown_solver(solver, registry))
    spec = registry[solver]
    if wants_help:
        out.write(_solver_help(spec))
        return 0

    try:
        given = _parse(spec, raw)
        params = spec.bind(**given)
        solution = spec.func(**params)
    except ValueError as exc:
        message = str(exc)
        if not message.startswith(spec.name):
            message = f"{spec.name}: {message}"
        return _fail(err, message)

    if as_json:
        data = {"solver": spec.name, "params": to_plain(params), **solution.to_dict()}
        out.write(json.dumps(_finite(data), ensure_ascii=False, indent=2, allow_nan=False) + "\n")
        return 0
    out.write(_report(spec, params, solution))
    return 0


# ---------------------------------------------------------------- command line of one solver


def _parse(spec: SolverSpec, raw: list[str]) -> dict[str, Any]:
    """``--name value``, ``--name=value``, ``--flag`` / ``--no-flag`` / ``--flag false`` -> {name: text or bool}.

    Values stay text here; SolverSpec.bind coerces them by the parameter's kind.
    """
    params = {p.name: p for p in spec.params}
    options = ", ".join(_option(p) for p in spec.params) or "no parameters"
    given: dict[str, Any] = {}
    i = 0
    while i < len(raw):
        token = raw[i]
        if not token.startswith("--") or token == "--":
            raise _UsageError(f"unexpected argument {token!r}; give parameters as --name value ({options})")
        body, has_value, value = token[2:].partition("=")
        name = body.replace("-", "_")
        param = params.get(name)
        if param is None and name.startswith("no_") and name[3:] in params and params[name[3:]].kind == "bool":
            if has_value:
                raise _UsageError(f"--{body} takes no value")
            param, value, has_value = params[name[3:]], False, True
        if param is None:
            hint = difflib.get_close_matches(name, list(params), n=1)
            also = f"; did you mean {_option(params[hint[0]])}?" if hint else ""
            raise _UsageError(f"unknown parameter --{body}{also} (it takes: {options})")
        if not has_value:
            following = raw[i + 1] if i + 1 < len(raw) else None
            if param.kind == "bool":
                # "--bias" alone means true; "--bias false" reads the next word when it is a truth value.
                if following is not None and following.strip().casefold() in _TRUTH_WORDS:
                    value = following
                    i += 1
                else:
                    value = True
            else:
                if following is None or (following.startswith("--") and len(following) > 2):
                    raise _UsageError(f"{_option(param)} needs a value ({_KIND_HINTS.get(param.kind, param.kind)})")
                value = following
                i += 1
        if param.name in given:
            raise _UsageError(f"{_option(param)} given twice")
        given[param.name] = value
        i += 1
    return given


_TRUTH_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "1", "0"})


def _option(param: Param) -> str:
    return "--" + param.name.replace("_", "-")


def _unknown_solver(name: str, registry: dict[str, SolverSpec]) -> str:
    close = difflib.get_close_matches(name, list(registry), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return f"unknown solver {name!r}{hint} (quizapp solve --list shows them all)"


def _finite(data: Any) -> Any:
    """Plain data with inf/nan floats spelled "inf", "-inf", "nan": JSON has no such numbers."""
    if isinstance(data, float) and not math.isfinite(data):
        return str(data)
    if isinstance(data, list):
        return [_finite(v) for v in data]
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    return data


def _fail(err: TextIO, message: str) -> int:
    err.write("quizapp solve: " + " ".join(message.split()) + "\n")
    return 2


# ---------------------------------------------------------------- listing and help


def _default_text(param: Param) -> str:
    if param.required:
        return "required"
    if param.default is None:
        return "default: none"
    return f"default: {_show(param.default)}"


def _describe(spec: SolverSpec) -> str:
    lines = [f"{spec.name}  {spec.summary}"]
    for p in spec.params:
        lines.append(f"    {_option(p):<18} {_kind_hint(p):<14} {_default_text(p)}")
    return "\n".join(lines) + "\n"


def _spec_data(spec: SolverSpec) -> dict[str, Any]:
    """A solver's description as plain data, for ``--list --json``."""
    params = []
    for p in spec.params:
        item: dict[str, Any] = {"name": p.name, "kind": p.kind, "required": p.required, "help": p.help}
        if not p.required:
            item["default"] = p.default
        if p.choices:
            item["choices"] = list(p.choices)
        params.append(item)
    data: dict[str, Any] = {"solver": spec.name, "summary": spec.summary, "answer": spec.answer, "params": params}
    if spec.parts:
        data["parts"] = list(spec.parts)
    return data


def _kind_hint(param: Param) -> str:
    if param.kind == "str" and param.choices:
        return "|".join(map(str, param.choices))
    return _KIND_HINTS.get(param.kind, param.kind)


def _solver_help(spec: SolverSpec) -> str:
    usage = " ".join(
        f"{_option(p)} {_kind_hint(p)}" if p.required else f"[{_option(p)} {_kind_hint(p)}]" for p in spec.params
    )
    lines = [f"usage: quizapp solve {spec.name} {usage} [--json]", "", spec.summary, "", "parameters:"]
    for p in spec.params:
        flag = f"{_option(p)} / --no-{p.name.replace('_', '-')}" if p.kind == "bool" else f"{_option(p)} {_kind_hint(p)}"
        help_text = f"{p.help}  ({_default_text(p)})" if p.help else f"({_default_text(p)})"
        lines.append(f"  {flag:<28} {help_text}")
    answer = spec.answer + (f" ({', '.join(spec.parts)})" if spec.parts else "")
    lines += ["", f"answer: {answer}"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- the answer as text


def _show(value: Any) -> str:
    """A value on one line: 16, 0.0589256, (27, 576), [[0.5, 0.5], [0.2689, 0.7311]]."""
    if value is None:
        return "none"
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        return _show(value.tolist()) if value.ndim else _show(value.item())
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def _answer_lines(spec: SolverSpec, value: Any) -> list[str]:
    """The answer, one part a line when the solver names the parts of a tuple or dict value."""
    if isinstance(value, dict):
        return [f"{k} = {_show(v)}" for k, v in value.items()]
    if isinstance(value, tuple) and spec.parts and len(spec.parts) == len(value):
        return [f"{name} = {_show(v)}" for name, v in zip(spec.parts, value)]
    return [_show(value)]


def _report(spec: SolverSpec, params: dict[str, Any], solution: Any) -> str:
    lines = [f"{spec.name}({', '.join(f'{k}={_show(v)}' for k, v in params.items())})", ""]
    answer = _answer_lines(spec, solution.value)
    if len(answer) == 1:
        lines.append(f"answer: {answer[0]}")
    else:
        lines.append("answer:")
        lines += [f"  {line}" for line in answer]
    lines += ["", "worked solution:"]
    lines += [f"  {step}" for step in solution.steps]
    if solution.details:
        lines += ["", "details:"]
        lines += [f"  {name} = {_show(v)}" for name, v in solution.details]
    if solution.misconceptions:
        lines += ["", "typical wrong answers:"]
        for m in solution.misconceptions:
            lines.append(f"  {'; '.join(_answer_lines(spec, m.value))}  ({m.name}: {m.explanation})")
    return "\n".join(lines) + "\n"
