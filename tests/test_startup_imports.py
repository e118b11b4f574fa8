"""Heavy imports are paid for when used: numpy by the array solvers, the markdown and YAML parsers
by a deck that is parsed, Home's widgets by Home. Each check runs in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PARSING = ("yaml", "markdown_it", "quizapp.content.notes", "quizapp.content.syntax", "quizapp.content.mathtext")


def loaded_after(code: str, *, env_cache: Path | None = None) -> set[str]:
    """The modules in sys.modules once ``code`` has run in a fresh interpreter."""
    import os

    env = dict(os.environ)
    if env_cache is not None:
        env["QUIZAPP_CACHE_DIR"] = str(env_cache)
    program = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_the_registry_and_the_integer_solvers_run_without_numpy():
    loaded = loaded_after(
        """
        import solvers
        names = solvers.names()
        assert "attention.softmax" in names and "conv.output_size" in names
        assert solvers.get("conv.output_size").solve(size=32, kernel=3, stride=2, padding=1).value == 16
        assert solvers.get("conv.param_count").solve(c_in=3, c_out=8, kernel=3).value == 224
        assert solvers.get("linear.param_count").solve(n_in=784, n_out=256).value == 200960
        assert abs(solvers.get("init.he_std").solve(fan_in=512).value - 0.0625) < 1e-12
        """
    )
    assert "numpy" not in loaded


def test_a_solver_looked_up_by_name_loads_only_its_topic_module():
    loaded = loaded_after(
        """
        import solvers
        assert solvers.get("conv.output_size").solve(size=32, kernel=3, stride=1, padding=1).value == 32
        """
    )
    assert "solvers.conv" in loaded
    assert not loaded & {"solvers.attention", "solvers.gradient", "solvers.init", "solvers.linear", "solvers.loss"}


def test_every_solver_lives_in_the_module_its_name_starts_with():
    # solvers.get imports only the module a name starts with: a solver registered elsewhere would
    # be missed until some other lookup loaded every module.
    import solvers

    for name, spec in solvers.registry().items():
        assert spec.func.__module__ == f"solvers.{name.partition('.')[0]}", name


def test_an_unknown_solver_name_lists_every_known_one():
    import solvers

    with pytest.raises(KeyError, match="known: .*attention.softmax.*conv.output_size"):
        solvers.get("conv.no_such_solver")


def test_an_array_solver_still_gets_numpy():
    loaded = loaded_after(
        """
        import solvers
        value = solvers.get("attention.softmax").solve(x=[0.0, 0.0]).value
        assert list(value) == [0.5, 0.5]
        """
    )
    assert "numpy" in loaded


def test_numpy_values_are_recognised_once_numpy_is_loaded():
    loaded_after(
        """
        from solvers._core import check_bool, check_int, fmt, numpy_types, same_value, to_plain
        assert numpy_types().integer == ()  # numpy not loaded: nothing is a numpy value
        assert check_int("n", 3) == 3
        import numpy as np
        assert numpy_types() is np
        assert check_int("n", np.int64(3)) == 3 and type(check_int("n", np.int64(3))) is int
        assert check_bool("b", np.bool_(True)) is True
        assert fmt(np.float64(-0.5)) == "−0.5"
        assert to_plain(np.array([[1, 2]])) == [[1, 2]]
        assert same_value(np.array([1.0, 2.0]), [1.0, 2.0])
        """
    )


def test_importing_the_loader_leaves_the_parsers_out():
    loaded = loaded_after("import quizapp.content.loader")
    assert not loaded & {"numpy", *PARSING}


def test_a_bank_from_the_cache_needs_no_parser(tmp_path):
    cache = tmp_path / "cache"
    warm = loaded_after("from quizapp.content.loader import load_bank; load_bank([], bundled=True, cache=True)", env_cache=cache)
    assert "markdown_it" in warm  # the first load parsed and filled the cache
    loaded = loaded_after(
        "from quizapp.content.loader import load_bank; assert load_bank([], bundled=True, cache=True).templates()",
        env_cache=cache,
    )
    assert not loaded & {"numpy", "sympy", *PARSING}


@pytest.mark.parametrize("mode", ["drill", "quiz"])
def test_the_first_question_needs_no_numpy_sympy_parser_or_home(tmp_path, mode):
    cache = tmp_path / "cache"
    code = f"""
    import asyncio, sys
    from textual.widgets import Input
    from quizapp.content.loader import load_bank
    from quizapp.tui.app import make_app

    async def main():
        app = make_app(load_bank([], bundled=True, cache=True), mode={mode!r}, topics=["conv"], seed=3,
                       data_dir={str(tmp_path / "data")!r})
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert app.screen.current is not None, "no question on screen"

    asyncio.run(main())
    """
    loaded_after(code, env_cache=cache)  # fills the cache
    loaded = loaded_after(code, env_cache=cache)
    # (mathtext may load: a drill's ask with a formula is rendered when the question is made.)
    assert not loaded & {"numpy", "sympy", "yaml", "markdown_it", "quizapp.content.notes", "quizapp.content.syntax"}
    assert "quizapp.tui.screens.home" not in loaded
    assert "textual.widgets._selection_list" not in loaded  # the topic picker's list, Home only
    assert not loaded & {"hashlib", "_hashlib"}  # OpenSSL: quizapp.digest has SHA-256 without it
    # Only the conv solvers are asked; the drill's screen builds no multiple-choice list.
    assert not loaded & {"solvers.attention", "solvers.gradient", "solvers.loss"}
    if mode == "drill":
        assert "quizapp.tui.widgets.mcq_options" not in loaded


@pytest.mark.parametrize("mode", ["drill", "quiz"])
def test_the_first_question_is_shown_before_the_store_scheduler_or_palette_load(tmp_path, mode):
    # The moment the database would open (the first screen is up) is caught by wrapping the hook that
    # opens it: what is loaded then is what the first question cost.
    cache = tmp_path / "cache"
    code = f"""
    import asyncio, sys
    from quizapp.content.loader import load_bank
    from quizapp.tui.app import QuizApp, make_app

    seen = {{}}
    opened = QuizApp._after_first_screen

    def after_first_screen(self):
        seen["question"] = getattr(self.screen, "current", None) is not None
        seen["modules"] = set(sys.modules)
        opened(self)

    QuizApp._after_first_screen = after_first_screen

    async def main():
        app = make_app(load_bank([], bundled=True, cache=True), mode={mode!r}, topics=["conv"], seed=3,
                       data_dir={str(tmp_path / "data")!r})
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            assert app._store is not None, "the store opens once the first question is up"
        assert seen["question"], "the first question was not on screen when the store opened"
        # The store itself opens before the first question: the session must read which items are suspended.
        # The scheduler (fsrs), the recording code and the answer checker wait for the first answer.
        late = {{"quizapp.schedule", "quizapp.progress", "fsrs", "quizapp.tui.commands", "quizapp.answers"}}
        assert not seen["modules"] & late, sorted(seen["modules"] & late)

    asyncio.run(main())
    """
    loaded_after(code, env_cache=cache)  # fills the cache
    loaded = loaded_after(code, env_cache=cache)
    assert "quizapp.store" in loaded  # and then the store did open, for the answers to come
    assert "quizapp.answers" in loaded  # and the answer checker was loaded before the first answer


def test_digest_is_hashlibs_sha256():
    import hashlib

    from quizapp.digest import sha256

    for data in (b"", b"abc", b"conv-output-size\x1f7\x1fmedium", bytes(range(256)) * 40):
        assert sha256(data).digest() == hashlib.sha256(data).digest()
        assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
