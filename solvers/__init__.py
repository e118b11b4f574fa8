"""Provides pure-math solvers for ML interview computations, each returning a worked Solution.

Import a topic module (``solvers.conv``, ``solvers.linear``, ``solvers.init``, ``solvers.gradient``,
``solvers.loss``, ``solvers.attention``, ``solvers.optim``,
``solvers.norm``, ``solvers.transformer``) or look a solver up by its short name with ``solvers.get("conv.output_size")``.
"""

from __future__ import annotations

from solvers._core import REGISTRY, Misconception, Param, Solution, SolverSpec

__all__ = ["Misconception", "Param", "Solution", "SolverSpec", "get", "names", "registry"]

_TOPIC_MODULES = ("conv", "linear", "init", "gradient", "attention", "loss", "optim", "norm", "transformer")


def registry() -> dict[str, SolverSpec]:
    """Every registered solver by short name (imports the topic modules on first use)."""
    import importlib

    for module in _TOPIC_MODULES:
        importlib.import_module(f"solvers.{module}")
    return REGISTRY


def names() -> list[str]:
    """Sorted short names of all solvers."""
    return sorted(registry())


def get(name: str) -> SolverSpec:
    """The solver registered as ``name``; KeyError with the known names when there is none.

    A name's first part is its topic module, and only that module is imported: a conv drill does not
    load the attention or gradient solvers. Any other name loads them all to say what is known.
    """
    topic = name.partition(".")[0]
    if topic in _TOPIC_MODULES:
        import importlib

        importlib.import_module(f"solvers.{topic}")
        if name in REGISTRY:
            return REGISTRY[name]
    reg = registry()
    try:
        return reg[name]
    except KeyError:
        raise KeyError(f"unknown solver {name!r}; known: {', '.join(sorted(reg))}") from None
