"""The optimiser, normalisation and transformer decks: drills that vary, hide the step they test, and
never accept the wrong answer they exist to catch; multiple choice that option lengths do not give away.

Instances are drawn with the real generator (300 seeds at every level). The generator drops a named
wrong answer that falls within the tolerance, so the test asks that each drill's key wrong answers
are still named in every instance: then none of them can ever be graded correct.
"""

from __future__ import annotations

from functools import cache

import pytest

from quizapp.content.drill import LEVELS
from quizapp.content.loader import load_bank
from quizapp.generate import _close, generate

DECKS = ("optimisers", "normalisation", "transformers")
SEEDS = range(300)

FORBIDDEN = {
    # the step each drill exists to test, which its question must not spell out
    "opt-sgd-weight-decay": ("λw", "λ·w", "L2", "adds", "gradient + "),
    "opt-sgd-momentum": ("μ·b", "b ←", "buffer", "(1 −"),
    "opt-sgd-momentum-decay": ("λw", "λ·w", "buffer"),
    "opt-adam-first-step": ("bias", "1 − β", "m̂", "√", "sign("),
    "opt-adam-two-steps": ("bias", "1 − β", "m̂", "√"),
    "opt-adam-l2": ("L2", "gradient + ", "decoupled", "λw"),
    "opt-adamw": ("decoupled", "(1 −", "λw", "w·"),
    "opt-rmsprop": ("0.99", "bias", "√"),
    "opt-step-lr": ("⌊", "floor", "γ^"),
    "opt-cosine-lr": ("cos(", "½", "(1 +"),
    "opt-warmup-cosine": ("cos(", "½", "t/W", "(t −"),
    "norm-bn-train-output": ("biased", "÷", "N − 1", "mean of", "variance of"),
    "norm-bn-running-var": ("unbiased", "biased", "N − 1", "0.9·", "÷"),
    "norm-bn-running-mean": ("0.9·", "(1 −", "weight of the new"),
    "norm-bn-eval": ("running statistics are used", "batch statistics", "√"),
    "norm-layernorm": ("biased", "÷", "d − 1", "over its features"),
    "norm-rmsnorm": ("mean(x²)", "√", "no mean", "L2"),
    "norm-bn-buffers": ("num_batches_tracked", "2C", "+ 1"),
    "norm-param-count": ("γ", "β", "running", "buffer", "normalized_shape"),
    "norm-state-dict-count": ("γ", "β", "running", "buffer", "num_batches_tracked"),
    "tr-block-params": ("4d²", "W_O", "output projection", "2·d"),
    "tr-block-params-llama": ("three matrices", "3·", "n_kv_heads·d_head"),
    "tr-model-params": ("no new parameters", "V·d", "shares"),
    "tr-gqa-params": ("2d²", "n_kv·d_head", "d_model·"),
    "tr-forward-flops": ("8nd", "4n²", "n²"),
    "tr-attention-share": ("8nd", "4n²", "n²d"),
    "tr-training-flops": ("6ND", "6·N", "2ND", "backward costs"),
    "tr-training-days": ("6ND", "6·N", "86,400", "86400"),
    "tr-kv-cache": ("2·", "keys and values", "K and V", "2^30", "2³⁰"),
    "tr-score-memory": ("n²", "n×n", "2^30", "2³⁰"),
    "tr-training-memory": ("16 bytes", "master", "4 + 4", "moments"),
    "opt-sgd-nesterov": ("g + μ", "look-ahead", "buffer"),
    "opt-rmsprop-momentum": ("0.99", "√", "bias"),
    "opt-warmup-start-factor": ("cos(", "½", "t/W"),
    "opt-cosine-floor": ("cos(", "½", "(1 +"),
    "norm-layernorm-one-feature": ("biased", "÷", "d − 1"),
    "norm-rmsnorm-gain": ("mean(x²)", "√", "no mean", "L2"),
    "tr-forward-flops-swiglu": ("three matrices", "6nd", "8nd", "4n²"),
    "tr-mlp-flops-share": ("4nd", "2·", "d·d_ff"),
    "tr-kv-cache-mha": ("2·", "K and V", "keys and values", "2^30", "2²⁰"),
    "tr-training-memory-fp32": ("16 bytes", "4 + 4", "moments"),
}


KEYS = {
    # the named wrong answers each drill exists to catch (by level where they differ)
    "opt-sgd-weight-decay": ("forgot_weight_decay",),
    "opt-sgd-momentum": ("momentum_ema",),
    "opt-sgd-momentum-decay": ("forgot_weight_decay", "momentum_ema"),
    "opt-adam-first-step": ("no_bias_correction",),
    "opt-adam-two-steps": ("no_bias_correction",),
    "opt-adam-l2": ("used_adamw",),
    "opt-adamw": ("used_adam_l2", "decay_without_lr"),
    "opt-rmsprop": ("bias_corrected", "alpha_0_9"),
    "opt-step-lr": ("one_decay_too_many", "no_floor"),
    "opt-cosine-lr": ("forgot_half", "one_minus_cos"),
    "opt-warmup-cosine": {"easy": ("no_warmup", "warmup_off_by_one"), "medium": ("cosine_from_zero", "forgot_half")},
    "norm-bn-train-output": ("unbiased_var_normalised",),
    "norm-bn-running-var": ("biased_running_var", "momentum_flipped"),
    "norm-bn-running-mean": ("momentum_flipped",),
    "norm-bn-eval": ("used_batch_stats", "divided_by_variance"),
    "norm-layernorm": ("unbiased_var",),
    "norm-rmsnorm": ("divided_by_l2_norm", "forgot_sqrt"),
    "norm-bn-buffers": ("forgot_batch_counter",),
    "norm-param-count": {
        "easy": ("running_stats_as_parameters", "layernorm_per_channel", "layernorm_gamma_only"),
        "medium": ("running_stats_as_parameters", "layernorm_per_channel"),
        "hard": ("running_stats_as_parameters",),
    },
    "norm-state-dict-count": ("forgot_buffers", "forgot_batch_counter"),
    "tr-block-params": ("forgot_output_projection", "forgot_norms", "forgot_biases"),
    "tr-block-params-llama": ("swiglu_two_matrices", "kv_heads_as_query_heads", "added_biases"),
    "tr-model-params": ("forgot_embeddings", "one_block_only", "added_output_bias"),
    "tr-gqa-params": ("counted_as_mha", "forgot_output_projection"),
    "tr-forward-flops": ("counted_macs", "forgot_quadratic_terms", "only_qk_scores"),
    "tr-attention-share": ("forgot_quadratic_terms", "only_qk_scores"),
    "tr-training-flops": ("forward_only", "backward_same_as_forward"),
    "tr-training-days": ("forward_only", "ignored_mfu", "hours_not_days"),
    "tr-kv-cache": ("forgot_k_and_v", "binary_decimal_units"),
    "tr-score-memory": ("linear_in_seq", "binary_decimal_units"),
    "tr-training-memory": ("forgot_master_copy", "weights_only"),
    "opt-sgd-nesterov": ("forgot_momentum", "momentum_ema"),
    "opt-rmsprop-momentum": ("alpha_0_9", "bias_corrected", "forgot_sqrt"),
    "opt-warmup-start-factor": ("warmup_off_by_one",),
    "opt-cosine-floor": ("ignored_eta_min", "forgot_half", "one_minus_cos"),
    "norm-layernorm-one-feature": ("unbiased_var", "forgot_affine"),
    "norm-rmsnorm-gain": ("divided_by_l2_norm", "subtracted_mean"),
    "tr-forward-flops-swiglu": ("counted_macs", "only_qk_scores"),
    "tr-mlp-flops-share": ("counted_macs",),
    "tr-kv-cache-mha": ("forgot_k_and_v", "binary_decimal_units"),
    "tr-training-memory-fp32": ("weights_only", "binary_decimal_units"),
}


@cache
def _bank():
    return load_bank([], bundled=True)


def _templates():
    return [t for t in _bank().templates() if t.deck in DECKS]


@cache
def _instances(template_id: str, level: str) -> tuple:
    template = next(t for t in _templates() if t.id == template_id)
    return tuple(generate(template, seed, level) for seed in SEEDS)


def _ids():
    return [t.id for t in _templates()]


def test_the_new_decks_are_loaded_with_their_templates():
    assert {t.deck for t in _templates()} == set(DECKS)
    assert len(_templates()) >= 25
    cards = [c for c in _bank().cards() if c.deck in DECKS]
    assert len(cards) >= 40


def test_every_new_template_has_its_forbidden_words_and_key_slips_listed():
    assert set(_ids()) == set(FORBIDDEN) == set(KEYS)


@pytest.mark.parametrize("template_id", _ids())
@pytest.mark.parametrize("level", LEVELS)
def test_at_least_30_distinct_questions_per_level(template_id, level):
    questions = {inst.question for inst in _instances(template_id, level)}
    assert len(questions) >= 30, f"{template_id} ({level}): {len(questions)} distinct questions"


@pytest.mark.parametrize("template_id", _ids())
def test_the_question_never_states_the_step_it_tests(template_id):
    for level in LEVELS:
        for inst in _instances(template_id, level):
            for words in FORBIDDEN[template_id]:
                assert words not in inst.question, (words, inst.question)


@pytest.mark.parametrize("template_id", _ids())
@pytest.mark.parametrize("level", LEVELS)
def test_the_wrong_answers_each_drill_exists_to_catch_are_never_accepted(template_id, level):
    """The named slips a drill is about survive in every instance: none is ever within the tolerance
    (the generator would have dropped it), so the drill can tell the slip from the right answer."""
    keys = KEYS[template_id]
    keys = keys.get(level, ()) if isinstance(keys, dict) else keys
    for inst in _instances(template_id, level):
        named = {m.name for m in inst.misconceptions}
        assert set(keys) <= named, (sorted(set(keys) - named), inst.question)
        assert all(not _close(m.value, inst.answer, inst.tolerance, inst.form) for m in inst.misconceptions)


def test_multiple_choice_does_not_give_the_answer_away_by_length():
    mcqs = [c for c in _bank().cards() if c.deck in DECKS and c.options]
    assert mcqs
    for card in mcqs:
        right = len(card.options[card.correct])
        longest_wrong = max(len(o) for i, o in enumerate(card.options) if i != card.correct)
        assert right <= longest_wrong, card.id
