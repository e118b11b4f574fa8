"""Provides the solver result types (Solution, Misconception) and the registry of named solvers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

REQUIRED: Any = object()
"""Marker for a parameter without a default."""


@dataclass(frozen=True)
class Misconception:
    """A named wrong answer a candidate typically gives.

    ``value`` has the same structure as the ``Solution.value`` it belongs to, so a drill template
    that selects part of the value (``select``) can select the same part of the misconception.
    """

    name: str
    value: Any
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": to_plain(self.value), "explanation": self.explanation}


@dataclass(frozen=True)
class Solution:
    """A solver's answer: the value, the worked solution with numbers substituted, typical wrong answers."""

    value: Any
    steps: tuple[str, ...]
    misconceptions: tuple[Misconception, ...] = ()
    details: tuple[tuple[str, Any], ...] = ()
    """Further results worth showing or exporting, as (name, value) pairs (e.g. a descent trajectory)."""

    def to_dict(self) -> dict[str, Any]:
        data = {
            "value": to_plain(self.value),
            "steps": list(self.steps),
            "misconceptions": [m.to_dict() for m in self.misconceptions],
        }
        if self.details:
            data["details"] = {name: to_plain(v) for name, v in self.details}
        return data


def to_plain(value: Any) -> Any:
    """Numpy arrays and scalars, tuples and dicts -> JSON-friendly Python values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Param:
    """One parameter a registered solver takes.

    ``kind`` is one of: ``int``, ``float``, ``bool``, ``str`` (with ``choices``), ``int_or_pair``
    (an int or ``(h, w)``), ``vector`` (list of floats), ``matrix`` (list of lists of floats),
    ``layers`` (list of ``(kernel, stride)`` pairs), ``formula`` (text parsed by ``solvers.expr``),
    ``point`` (a float or a list of floats, one per variable), ``shape`` (tuple of ints).
    """

    name: str
    kind: str
    default: Any = REQUIRED
    help: str = ""
    choices: tuple[Any, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class SolverSpec:
    """A solver in the registry: its short name (``conv.output_size``), function and parameters.

    ``answer`` says what the value is: ``int``, ``float``, ``shape`` (tuple of ints), ``vector``,
    ``matrix``, ``tuple`` (a tuple of the former, e.g. attention's (output, weights)) or ``dict``.
    ``needs_sympy`` marks solvers that import sympy (drill generation pays for it only then).
    """

    name: str
    func: Callable[..., Solution]
    params: tuple[Param, ...]
    summary: str
    answer: str
    needs_sympy: bool = False
    parts: tuple[str, ...] = field(default=())
    """Names of the parts of a tuple/dict value (``("output", "weights")``), for ``select``."""

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def __call__(self, **kwargs: Any) -> Solution:
        return self.func(**kwargs)


REGISTRY: dict[str, SolverSpec] = {}


def register(
    name: str,
    *,
    params: tuple[Param, ...],
    summary: str,
    answer: str,
    needs_sympy: bool = False,
    parts: tuple[str, ...] = (),
) -> Callable[[Callable[..., Solution]], Callable[..., Solution]]:
    """Decorator: add a solver function to REGISTRY under ``name`` (``topic.function``)."""

    def decorate(func: Callable[..., Solution]) -> Callable[..., Solution]:
        if name in REGISTRY:
            raise ValueError(f"solver {name!r} registered twice")
        REGISTRY[name] = SolverSpec(name, func, params, summary, answer, needs_sympy, parts)
        return func

    return decorate
