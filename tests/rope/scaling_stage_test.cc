// Frequency-scaling placement (recipe.hpp ScalingStage, AttentionFactor) and the Metal ω stage, each against the
// stack's own operation order written out in plain float / double arithmetic (the oracle does not call the
// emulator): a linear factor of 3 makes every rounding order visible, since 1/3 is not a binary32 value.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <catch2/catch_test_macros.hpp>

#include "rope/test_specs.hpp"
#include "ropelab/rope/pipeline.hpp"

using namespace ropelab;
using namespace ropelab::rope;
using ropelab::testing::plain_spec;

namespace {

RopeSpec yarn_spec(double base, int dim) {
  RopeSpec spec = plain_spec(base, dim);
  scaling::Yarn yarn;
  yarn.factor = 4;
  yarn.original_max_positions = 4096;
  spec.scaling = yarn;
  return spec;
}

RopeSpec linear_spec(double base, int dim, double factor) {
  RopeSpec spec = plain_spec(base, dim);
  spec.scaling = scaling::Linear{factor};
  return spec;
}

Recipe with_stage(Recipe r, ScalingStage stage) {
  r.scaling_stage = stage;
  return r;
}

// Stored angles of positions [m0, m0 + count), row-major [position][pair].
std::vector<double> angles(const Pipeline& p, std::int64_t m0, std::size_t count) {
  std::vector<double> a(count * static_cast<std::size_t>(p.pairs())), state(phase_state_size(p.pairs()));
  emulate_angles(p, m0, count, a, state);
  return a;
}

// Defeats constant folding, so that powf is the C library's (what ggml CPU calls) and not GCC's MPFR.
float runtime(float x) {
  volatile float v = x;
  return v;
}

}  // namespace

TEST_CASE("ggml multiplies the angle by freq_scale = fl(1/factor), after the recurrence", "[rope-scaling]") {
  // ggml-cpu/ops.cpp (d99724f) :6014 theta_scale = powf(base, -2.0f/n_dims); :5850-5858 theta = p, rope_yarn(theta/ff)
  // then theta *= theta_scale; :5833 theta_interp = freq_scale * theta_extrap; llama.cpp freq_scale = 1.0f/ropescale.
  const RopeSpec spec = linear_spec(10000, 64, 3);
  const Pipeline p = make_pipeline(spec, preset("llama.cpp-cpu"), 4096);
  const float theta_scale = std::pow(runtime(10000.0f), runtime(-2.0f / 64));
  const float freq_scale = 1.0f / runtime(3.0f);
  const std::vector<double> got = angles(p, 1000, 200);
  for (std::size_t j = 0; j < 200; ++j) {
    float theta = static_cast<float>(1000 + j);
    for (std::size_t i = 0; i < 32; ++i) {
      CHECK(got[j * 32 + i] == static_cast<double>(freq_scale * theta));
      theta *= theta_scale;
    }
  }
  // A division by the factor (the `angle` stage) rounds differently.
  const Recipe division = with_stage(preset("llama.cpp-cpu"), ScalingStage::angle);
  const std::vector<double> divided = angles(make_pipeline(spec, division, 4096), 1000, 200);
  CHECK(divided != got);
}

TEST_CASE("HF <= 4.42 scales position_ids: a division on the CPU, a reciprocal multiply on a GPU", "[rope-scaling]") {
  // modeling_llama.py @002272831 position_ids.float() / scaling_factor; PyTorch BinaryDivTrueKernel.cu multiplies
  // a CUDA tensor by the reciprocal of a CPU scalar.
  const RopeSpec spec = linear_spec(10000, 64, 3);
  const Pipeline gpu = make_pipeline(spec, preset("hf-eager-bf16"), 1 << 16);
  const Pipeline cpu = make_pipeline(spec, with_stage(preset("hf-eager-bf16"), ScalingStage::position), 1 << 16);
  const float reciprocal = 1.0f / runtime(3.0f);
  int differing = 0;
  for (std::int64_t m = 0; m < (1 << 16); m += 7) {
    const float position = static_cast<float>(m);
    CHECK(stored_position(gpu, m) == static_cast<double>(position * reciprocal));
    CHECK(stored_position(cpu, m) == static_cast<double>(position / runtime(3.0f)));
    differing += stored_position(gpu, m) != stored_position(cpu, m);
  }
  CHECK(differing > 0);
  // The ω stays unscaled; the effective inverse frequency carries the factor.
  const Pipeline unscaled = make_pipeline(plain_spec(10000, 64), preset("hf-eager-bf16"), 1 << 16);
  CHECK(gpu.stored_omega == unscaled.stored_omega);
  CHECK(std::abs(gpu.stored_inverse_frequency(5) * 3 / unscaled.stored_inverse_frequency(5) - 1) < 1e-7);
}

TEST_CASE("HF >= 4.43 divides inv_freq by the factor once", "[rope-scaling]") {
  // modeling_rope_utils.py _compute_linear_scaling_rope_parameters: inv_freq /= factor (fp32 tensor / float).
  const Pipeline p = make_pipeline(linear_spec(10000, 64, 3), preset("hf-rope-utils-bf16"), 4096);
  const Pipeline unscaled = make_pipeline(plain_spec(10000, 64), preset("hf-rope-utils-bf16"), 4096);
  for (std::size_t i = 0; i < 32; ++i) {
    CHECK(p.stored_omega[i] == static_cast<double>(static_cast<float>(unscaled.stored_omega[i]) / runtime(3.0f)));
  }
  CHECK(stored_position(p, 1001) == 1001);
}

TEST_CASE("TensorRT-LLM puts the linear factor's reciprocal in the numerator of inv_freq", "[rope-scaling]") {
  // functional.py create_sinusoidal_positions_for_attention_plugin: scale = 1.0 / scale; inv_freq = scale /
  // (theta ** (np.arange(0, dim, 2) / dim)).astype(float32): a binary64 pow cast to float32, a float32 quotient.
  const RopeSpec spec = linear_spec(10000, 64, 3);
  const Pipeline p = make_pipeline(spec, preset("tensorrt-llm"), 4096);
  const Pipeline divided = make_pipeline(spec, with_stage(preset("tensorrt-llm"), ScalingStage::omega), 4096);
  const auto numerator = static_cast<float>(1.0 / 3.0);
  int differing = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const auto timescale = static_cast<float>(std::pow(10000.0, static_cast<double>(2 * i) / 64));
    CHECK(p.stored_omega[i] == static_cast<double>(numerator / timescale));
    differing += p.stored_omega[i] != divided.stored_omega[i];
  }
  CHECK(differing > 0);
}

TEST_CASE("Transformer Engine and Megatron multiply the positions by the Python reciprocal", "[rope-scaling]") {
  // TE rope.py:97 and Megatron rotary_pos_embedding.py:136: seq *= 1 / seq_len_interpolation_factor.
  const RopeSpec spec = linear_spec(10000, 64, 3);
  for (const char* name : {"transformer-engine-fused", "megatron-unfused"}) {
    const Pipeline p = make_pipeline(spec, preset(name), 4096);
    const auto reciprocal = static_cast<float>(1.0 / 3.0);
    for (std::int64_t m = 0; m < 4096; m += 13) {
      CHECK(stored_position(p, m) == static_cast<double>(static_cast<float>(m) * reciprocal));
    }
  }
}

TEST_CASE("ggml Metal raises the base to fl(fl(-1/d) * 2i) for every pair", "[rope-scaling]") {
  // ggml-metal.metal (d99724f) :4683 inv_ndims = -1.f/n_dims; :4693 theta_base * pow(freq_base, inv_ndims*iw). With
  // d = 80, -1/80 is inexact, so the exponents differ from fl(2i/d) of a reciprocal stage.
  const Pipeline metal = make_pipeline(plain_spec(10000, 80), preset("llama.cpp-metal"), 4096);
  const Pipeline reciprocal = make_pipeline(plain_spec(10000, 80), preset("hf-eager-bf16"), 4096);
  const float inv_ndims = -1.0f / runtime(80.0f);
  int differing = 0;
  for (std::size_t i = 0; i < 40; ++i) {
    const float exponent = inv_ndims * static_cast<float>(2 * i);
    const auto omega = static_cast<float>(std::pow(10000.0, static_cast<double>(exponent)));
    CHECK(metal.stored_omega[i] == static_cast<double>(omega));
    differing += metal.stored_omega[i] != reciprocal.stored_omega[i];
  }
  CHECK(differing > 0);
  const std::vector<double> a = angles(metal, 3000, 1);
  for (std::size_t i = 0; i < 40; ++i) {
    CHECK(a[i] == static_cast<double>(3000.0f * static_cast<float>(metal.stored_omega[i])));
  }
}

TEST_CASE("DeepSeek-V3's reference keeps the YaRN magnitude out of cos/sin; HF multiplies it in", "[rope-scaling]") {
  // DeepSeek-V3 inference/model.py :374 torch.polar(ones, freqs), :435-437 softmax_scale *= mscale * mscale.
  const RopeSpec spec = yarn_spec(10000, 64);
  const Pipeline ds = make_pipeline(spec, preset("deepseek-v3-reference"), 8192);
  const Pipeline hf = make_pipeline(spec, preset("hf-rope-utils-bf16"), 8192);
  REQUIRE(attention_scaling(spec) > 1.1);  // 0.1 ln 4 + 1
  CHECK(ds.attention_scaling == 1);
  CHECK(hf.attention_scaling == attention_scaling(spec));
  std::vector<double> c(32), s(32), state(phase_state_size(32));
  emulate_rotations(ds, 0, 1, c, s, state);
  CHECK(c[0] == 1);
  emulate_rotations(hf, 0, 1, c, s, state);
  CHECK(c[0] > 1.1);
}

TEST_CASE("a scaling stage the omega method cannot take is refused", "[rope-scaling]") {
  Recipe no_reciprocal = with_stage(preset("flashinfer"), ScalingStage::reciprocal_numerator);
  CHECK_THROWS_AS(make_pipeline(linear_spec(10000, 64, 3), no_reciprocal, 4096), std::invalid_argument);
  CHECK_NOTHROW(make_pipeline(plain_spec(10000, 64), no_reciprocal, 4096));
  const Recipe stored_omega = with_stage(preset("llama.cpp-cpu"), ScalingStage::omega);
  CHECK_THROWS_AS(make_pipeline(yarn_spec(10000, 64), stored_omega, 4096), std::invalid_argument);
  // The ω-less angle recurrence takes a linear factor on the position.
  const Recipe on_position = with_stage(preset("llama.cpp-cpu"), ScalingStage::position);
  CHECK_NOTHROW(make_pipeline(linear_spec(10000, 64, 3), on_position, 4096));
}
