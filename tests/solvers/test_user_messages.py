"""Texts the solvers show to users (misconception explanations, refusals) use no internal jargon."""

from __future__ import annotations

import pytest

import solvers

JARGON = ("seed note", "the notes'", "the notes say", "the notes do")


def _texts(solution) -> list[str]:
    return [m.explanation for m in solution.misconceptions] + list(solution.steps)


@pytest.mark.parametrize(
    ("name", "params", "misconception"),
    [
        ("init.xavier_std", {"fan_in": 256, "fan_out": 128}, "xavier_fan_in_only"),
        ("init.xavier_uniform_bound", {"fan_in": 256, "fan_out": 128}, "xavier_fan_in_only"),
        ("attention.scaled_dot_product", {"q": [[1, 0, 1, 0]], "k": [[1, 1, 1, 0], [0, 1, 0, 1], [1, 0, 0, 0]], "v": [[1], [2], [3]]}, "scaled_by_sqrt_tokens"),
        ("attention.shapes", {"n_tokens": 6, "d_model": 64, "d_k": 16, "d_v": 8}, "w_v_square"),
    ],
)
def test_misconceptions_name_the_mistake_not_the_notes(name, params, misconception):
    solution = solvers.get(name).solve(**params)
    assert misconception in {m.name for m in solution.misconceptions}
    for text in _texts(solution):
        assert not any(word in text.casefold() for word in JARGON), text


def test_a_square_w_v_is_refused_without_jargon():
    with pytest.raises(ValueError) as info:
        solvers.get("attention.self_attention").solve(
            x=[[1, 2, 3], [4, 5, 6]], w_q=[[1]] * 3, w_k=[[1]] * 3, w_v=[[1, 0], [0, 1]]
        )
    message = str(info.value)
    assert "M×M" in message and not any(word in message.casefold() for word in JARGON)
