"""`quizapp check` warns about a drill whose hint (its own, or the first worked step shown in its place)
states the answer; the shipped normalisation and transformer decks have none."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from quizapp.content.check import HINT_DRAWS, _hint_leaks, hint_states_answer, run
from quizapp.content.loader import load_bank
from quizapp.generate import format_answer
from quizapp.tolerance import Tolerance

CONTENT = Path(__file__).parents[2] / "content" / "en"

# nn.LayerNorm's count as the review found it: no hint, so `?` shows the first step, "γ and β, one per
# normalised feature: 1536 trainable parameters", which is the answer.
LEAKY = """\
    # Norms

    ```drill
    id: ln-count
    solver: norm.param_count
    params:
      kind: layernorm
      features: {range: [64, 8192], step: 64}
      bias: ["True", "False"]
    ask: "How many trainable parameters does nn.LayerNorm({features}, bias={bias}) have?"
    answer:
      form: integer
      select: parameters
    HINT
    ```
    """


def _check(tmp_path, text: str) -> list[str]:
    deck = tmp_path / "deck.md"
    deck.write_text(textwrap.dedent(text), encoding="utf-8")
    out = io.StringIO()
    run([deck], extra=[], bundled=False, instances=5, out=out)
    return out.getvalue().splitlines()


def test_a_first_step_that_states_the_answer_is_reported_at_each_level(tmp_path):
    lines = _check(tmp_path, LEAKY.replace("HINT", ""))
    leaks = [line for line in lines if "states the answer" in line]
    assert [line.split("at level ")[1].split(":")[0] for line in leaks] == ["easy", "medium", "hard"], lines
    assert all(line.startswith(f"{tmp_path / 'deck.md'}:3: warning: drill 'ln-count'") for line in leaks)
    assert f"in {HINT_DRAWS} of {HINT_DRAWS} draws" in leaks[0] and "first worked step" in leaks[0]


def test_a_hint_of_its_own_that_gives_nothing_away_is_not_reported(tmp_path):
    lines = _check(tmp_path, LEAKY.replace("HINT", 'hint: "Which of γ and β does bias=False remove?"'))
    assert not [line for line in lines if "states the answer" in line], lines


def _inst(hint: str, answer, form: str = "integer", answer_text: str | None = None, **tol):
    return SimpleNamespace(
        hint=hint, steps=("a first step",), answer=answer, form=form,
        answer_text=answer_text if answer_text is not None else format_answer(answer, form, sig_figs=tol.get("sig_figs")),
        tolerance=Tolerance.for_form(form, **tol),
    )


@pytest.mark.parametrize(
    ("hint", "answer", "form", "tol", "leaks"),
    [
        ("γ only: 4608 trainable parameters", 4608, "integer", {}, True),
        ("attention: 2·768² + … = 2,362,368", 2362368, "integer", {}, True),  # thousands separators
        ("attention: 2·768² + … = 2,362,368", 2362369, "integer", {}, False),
        ("RMS = 1.29; y = −0.577", -0.57735, "decimal", {"sig_figs": 3}, True),  # within the asked precision
        ("RMS = 1.29; y = −0.58", -0.57735, "decimal", {"sig_figs": 3}, False),
        ("y = [1, −1, 1, −1]", [1.0, -1.0, 1.0, -1.0], "vector", {"sig_figs": 3}, True),
        ("means 1 and −1, not both", [1.0, -1.0, 1.0, -1.0], "vector", {"sig_figs": 3}, False),  # not every entry in order
        ("Q and O are 2·d², K and V 2·d·kv", 2, "integer", {}, True),
        ("W_v is d_model×d_v = 16×2", (6, 2), "shape", {}, False),  # 6×2 is not in 16×2
        ("scores are n×n = 6×6, then 6×2", (6, 2), "shape", {}, True),
    ],
)
def test_hint_states_answer(hint, answer, form, tol, leaks):
    assert hint_states_answer(_inst(hint, answer, form, **tol)) is leaks


def test_a_number_every_draw_shows_is_wording_not_the_answer():
    # "(1 − 2·lr)" holds a 2 whatever lr is: an answer of 2 steps is not given away by it
    inst = _inst("The distance shrinks by (1 − 2·lr) a step", 2)
    assert hint_states_answer(inst)
    assert not hint_states_answer(inst, frozenset({1.0, 2.0}))


def test_without_a_hint_the_first_worked_step_is_what_is_shown():
    inst = _inst("", 4608)
    inst.steps = ("γ and β: 4608 parameters", "no buffers")
    assert hint_states_answer(inst)


def test_the_normalisation_and_transformer_decks_hints_never_state_the_answer():
    bank = load_bank([CONTENT / "normalisation.md", CONTENT / "transformers.md"], bundled=False)
    assert [p.message for p in _hint_leaks(bank, 40)] == []
