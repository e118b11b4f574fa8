"""The core never imports the UI: each headless module, imported alone in a fresh interpreter, leaves
textual and rich out of sys.modules (and the solvers and the answer checker leave sympy out too)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import solvers

SOLVER_MODULES = ["solvers", *(f"solvers.{m.name}" for m in pkgutil.iter_modules(solvers.__path__))]

HEADLESS = [
    *SOLVER_MODULES,
    "quizapp.answers",
    "quizapp.slips",
    "quizapp.tolerance",
    "quizapp.digest",
    "quizapp.content",
    "quizapp.content.loader",
    "quizapp.content.foreign",
    "quizapp.import_cmd",
    "quizapp.marks_cmd",
    "quizapp.generate",
    "quizapp.session",
    "quizapp.settings",
    "quizapp.study",
    "quizapp.giveaway",
    "quizapp.store",
    "quizapp.backup",
    "quizapp.stats",
    "quizapp.optimize",
    "quizapp.schedule",
    "quizapp.export",
    *(f"quizapp.export.{m.name}" for m in pkgutil.iter_modules(__import__("quizapp.export", fromlist=["_"]).__path__)),
    "quizapp.plain",
    "quizapp.review",
    "quizapp.cli",
    "quizapp.tui.settings",  # the study core reads the settings file through it
]

NO_SYMPY = {*SOLVER_MODULES, "quizapp.answers", "quizapp.slips", "quizapp.tolerance"}


def imported_after(module: str) -> set[str]:
    code = f"import importlib, json, sys; importlib.import_module({module!r}); print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_the_module_list_is_not_empty():
    assert len(SOLVER_MODULES) > 1  # the topic modules were found, so the check below covers them


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_imports_no_ui(module):
    loaded = imported_after(module)
    assert module in loaded
    assert "textual" not in loaded, f"{module} imports textual"
    assert "rich" not in loaded, f"{module} imports rich"
    if module in NO_SYMPY:
        assert "sympy" not in loaded, f"{module} imports sympy"


def test_the_study_core_loads_the_answer_checker_and_the_database_when_used():
    # The TUI asks its first question through a study session before the first frame; the checker (~50 ms)
    # and the store follow once the question is up.
    loaded = imported_after("quizapp.study")
    assert not {"quizapp.answers", "quizapp.store", "quizapp.stats", "sqlite3"} & loaded
