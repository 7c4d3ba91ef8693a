"""ropelab.attention: D(shift) and key collisions against closed forms of exact arithmetic (a common shift of every
position leaves exact attention unchanged: R(a)^T R(b) = R(b - a)), and the library's registry claims' readings."""
import pytest

import ropelab

SPEC = {"head_dim": 128, "rope_theta": 500000.0, "max_position_embeddings": 1 << 20, "hidden_size": 4096,
        "num_attention_heads": 32}


def test_shift_zero_is_exactly_zero():
    # The same layout twice: every emulated value is recomputed identically, so D(0) = 0 bit for bit.
    for point in ropelab.attention.shift_difference("hf-eager-bf16", SPEC, 256, [0], heads=2):
        assert point["weight_l1"] == 0.0 and point["max_logit_difference"] == 0.0


def test_binary64_pipeline_is_shift_invariant_to_rounding():
    # Exact attention is invariant under a common shift; binary64 rounding leaves D far below 1e-12.
    (point,) = ropelab.attention.shift_difference("fp64", SPEC, 512, [10000], heads=2)
    assert 0 <= point["weight_l1"] < 1e-12


def test_bf16_breaks_relative_invariance_more_than_fp32():
    # bf16 angles and tables err by ~2^-9 |m omega| against fp32's 2^-24 |m omega| (half an ulp each).
    (bf16,) = ropelab.attention.shift_difference("hf-eager-bf16", SPEC, 512, [10000], heads=2)
    (fp32,) = ropelab.attention.shift_difference("fp32", SPEC, 512, [10000], heads=2)
    assert bf16["weight_l1"] > 10 * fp32["weight_l1"] > 0
    assert 0 <= bf16["first_key_share"] <= 1


def test_fp32_scores_separate_moved_keys():
    # Two fp32 scores collide only within an ulp (~2^-23 |s|); adjacent positions' scores differ by ~1e-1.
    fractions = ropelab.attention.key_collisions("flash-attention-2-bf16", SPEC, 512, heads=2)
    assert fractions["moved"] == 0.0
    assert 0 <= fractions["swapped"] <= 1


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError, match="context"):
        ropelab.attention.shift_difference("fp32", SPEC, 1, [10])
    with pytest.raises(ValueError, match="shifts"):
        ropelab.attention.shift_difference("fp32", SPEC, 64, [-1])
    with pytest.raises(ValueError):
        ropelab.attention.shift_difference("no-such-preset", SPEC, 64, [10])
