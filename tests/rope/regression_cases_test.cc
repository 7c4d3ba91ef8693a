// The public RoPE precision regressions of shared/reference/regression-cases.md that a pipeline recipe can
// express: each broken pipeline must show its failure and the fixed one must not. Magnitudes are computed;
// thresholds are the reports' numbers where they give any, closed-form rounding bounds otherwise.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch_test_macros.hpp>
#include <hwy/targets.h>

#include "rope/test_specs.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/double_double.hpp"
#include "ropelab/rope/exact_reference.hpp"
#include "ropelab/rope/wall.hpp"

using namespace ropelab;
using namespace ropelab::rope;
using ropelab::testing::plain_spec;

namespace {


WallReport wall(const RopeSpec& spec, const Recipe& recipe, long context) {
  return measure_wall(make_pipeline(spec, recipe, context),
                      WallOptions{.context_length = context, .tau = 0.1, .threads = 0, .seed = 3,
                                  .per_position = false, .progress = {}});
}

// |phase error| of one pair at one position: the emulated table entry against the exact rotation.
double phase_error_at(const Pipeline& p, std::int64_t m, int pair) {
  const auto pairs = static_cast<std::size_t>(p.pairs());
  std::vector<double> c(pairs), s(pairs), state(phase_state_size(p.pairs()), 0.0);
  emulate_rotations(p, m, 1, c, s, state);
  const ReferenceRotation exact = fast_reference_rotation(m, p.reference_omega[static_cast<std::size_t>(pair)]);
  const auto i = static_cast<std::size_t>(pair);
  return std::abs(std::atan2(s[i] * exact.cos - c[i] * exact.sin, c[i] * exact.cos + s[i] * exact.sin));
}

Recipe with_name(Recipe r, std::string name) {
  r.name = std::move(name);
  return r;
}

}  // namespace

TEST_CASE("case 1 (transformers PR #29285): bf16 autocast angles lose the phase; 4.38.2 does not", "[rope-regression]") {
  const RopeSpec spec = model_spec("llama-3-8b");
  const WallReport broken = wall(spec, preset("hf-4.38.0-autocast"), 8192);
  const WallReport fixed = wall(spec, preset("hf-eager-bf16"), 8192);
  CHECK(broken.first_tau_exceed >= 0);
  CHECK(broken.max_phase_error > 1.0);  // phases meaningless at 8K
  CHECK(broken.first_full_collision == 256);  // bf16 positions: 257 -> 256
  CHECK(fixed.first_tau_exceed == -1);
  CHECK(fixed.first_full_collision == -1);
}

TEST_CASE("cases 2, 3, 9 (transformers #25681, #29496; Megatron #744): a bf16 omega buffer", "[rope-regression]") {
  // transformers <= 4.37 rebuilds the table from the bf16 buffer only beyond max_position_embeddings (below it
  // the init-time fp32 table is served): lower it so that 4096 positions need the rebuild.
  RopeSpec spec = model_spec("mistral-7b-v0.1");
  spec.max_position_embeddings = 2048;
  const WallReport broken = wall(spec, preset("hf-4.37-cast-bf16"), 4096);
  const WallReport fixed = wall(spec, preset("hf-eager-bf16"), 4096);
  CHECK(broken.first_tau_exceed >= 0);
  CHECK(broken.first_tau_exceed < 4096);
  CHECK(broken.first_full_collision == 256);
  CHECK(fixed.first_tau_exceed == -1);
}

TEST_CASE("transformers <= 4.37 serves the init-time fp32 table up to max_position_embeddings", "[rope-regression]") {
  // modeling_llama.py v4.37.2: forward rebuilds cos_cached only when seq_len > max_seq_len_cached, and the init
  // built it in fp32 (then cast with the module), so below max positions the table is hf-eager-bf16's.
  const RopeSpec spec = model_spec("llama-3-8b");
  const Pipeline cast = make_pipeline(spec, preset("hf-4.37-cast-bf16"), 4096);
  const Pipeline eager = make_pipeline(spec, preset("hf-eager-bf16"), 4096);
  const auto n = static_cast<std::size_t>(4096 * cast.pairs());
  std::vector<double> cc(n), cs(n), ec(n), es(n), state(phase_state_size(cast.pairs()));
  emulate_rotations(cast, 0, 4096, cc, cs, state);
  emulate_rotations(eager, 0, 4096, ec, es, state);
  CHECK(cc == ec);
  CHECK(cs == es);
  CHECK(wall(spec, preset("hf-4.37-cast-bf16"), 4096).max_phase_error < 0.02);  // not the 3.14 of a bf16 rebuild
  CHECK(wall(spec, preset("hf-4.37-cast-bf16"), 16384).max_phase_error > 1.0);  // beyond 8192: the rebuild
}

TEST_CASE("case 4 (transformers #28685): a half-precision float arange merges positions", "[rope-regression]") {
  Recipe broken = with_name(preset("hf-eager-bf16"), "zero-init-fp16-arange");
  broken.position_format = formats::binary16();
  const RopeSpec spec = model_spec("llama-2-7b");
  CHECK(wall(spec, broken, 4096).first_full_collision == 2048);
  CHECK(wall(spec, preset("hf-eager-bf16"), 4096).first_full_collision == -1);
}

TEST_CASE("case 5 (transformers #48428): a TF32 matmul maps position 2049 to 2048", "[rope-regression]") {
  CHECK(round_value(2048, formats::tf32()) == 2048);
  CHECK(round_value(2049, formats::tf32()) == 2048);
  Recipe broken = with_name(preset("hf-eager-bf16"), "tf32-matmul");
  broken.angle_product = AngleProduct::tf32_matmul;
  broken.table_format = formats::binary32();  // so only the angle product can merge positions
  Recipe fixed = preset("hf-eager-bf16");
  fixed.table_format = formats::binary32();
  const RopeSpec spec = model_spec("llama-3.1-8b");
  const WallReport b = wall(spec, broken, 4096);
  const WallReport f = wall(spec, fixed, 4096);
  CHECK(b.pairs[0].first_adjacent_collision == 2048);  // pair 0 has ω = 1: the angle is the position
  CHECK(b.first_full_collision == 2048);
  CHECK(f.pairs[0].first_adjacent_collision == -1);
  CHECK(f.first_full_collision == -1);
}

TEST_CASE("case 6 (transformers PR #28602): GPT-NeoX needs its fp32 cos/sin table", "[rope-regression]") {
  const RopeSpec spec = model_spec("gpt-neox-20b");
  Recipe broken = with_name(preset("hf-gpt-neox"), "gpt-neox-table-cast");
  broken.table_format = formats::bfloat16();
  const WallReport b = wall(spec, broken, 2048);
  const WallReport f = wall(spec, preset("hf-gpt-neox"), 2048);
  CHECK(b.max_phase_error > 10 * f.max_phase_error);
  CHECK(b.max_score_error > f.max_score_error);
}

TEST_CASE("case 6, today: GPT-NeoX on the Llama rotary module casts its table to bf16 again", "[rope-regression]") {
  // modular_gpt_neox.py @00dcc6dda: GPTNeoXRotaryEmbedding(LlamaRotaryEmbedding) returns cos.to(x.dtype), so the
  // fp32 table that PR #28602 restored (hf-gpt-neox) is bf16 again, with the phase error of the 4.36 regression.
  const RopeSpec spec = model_spec("gpt-neox-20b");
  const WallReport modular = wall(spec, preset("hf-gpt-neox-modular"), 2048);
  const WallReport fp32_table = wall(spec, preset("hf-gpt-neox"), 2048);
  CHECK(modular.max_phase_error > 10 * fp32_table.max_phase_error);
}

TEST_CASE("case 7 (gpt-neox #1003): fp16 tables at position 1857, angle column 1, 32 rotary dims", "[rope-regression]") {
  const RopeSpec spec = plain_spec(10000, 32);
  const double broken = phase_error_at(make_pipeline(spec, preset("gpt-neox-fp16"), 2048), 1857, 1);
  const double fixed = phase_error_at(make_pipeline(spec, preset("hf-gpt-neox"), 2048), 1857, 1);
  INFO("broken " << broken << " fixed " << fixed);
  CHECK(broken > 0.1);  // "visibly off"
  CHECK(fixed < 1e-3);
}

TEST_CASE("case 8 (Megatron-LM #535): fp16 positions merge above 2048", "[rope-regression]") {
  const RopeSpec spec = plain_spec(10000, 128);
  CHECK(wall(spec, preset("gpt-neox-fp16"), 4096).first_full_collision == 2048);
  CHECK(wall(spec, preset("megatron-unfused"), 4096).first_full_collision == -1);
}

TEST_CASE("case 10 (vLLM #883 / PR #1004): fp16 cache math at base 1e6 leaves omega subnormal", "[rope-regression]") {
  const RopeSpec spec = model_spec("codellama-7b");
  REQUIRE(spec.base == 1e6);  // case 16 as well: rope_theta is read from the config
  Recipe broken = with_name(preset("vllm-old-bf16"), "vllm-fp16-cache-math");
  broken.omega_format = formats::binary16();
  broken.position_format = formats::binary16();
  broken.angle_format = formats::binary16();
  broken.trig_format = formats::binary16();
  const WallReport b = wall(spec, broken, 4096);
  const WallReport f = wall(spec, preset("vllm-fp32-math"), 4096);
  int subnormal = 0;
  for (const PairWall& w : b.pairs) subnormal += w.omega_subnormal || w.omega_flushed;
  CHECK(subnormal > 0);
  CHECK(b.first_tau_exceed >= 0);
  for (const PairWall& w : f.pairs) CHECK_FALSE((w.omega_subnormal || w.omega_flushed));
  CHECK(f.first_tau_exceed == -1);
}

TEST_CASE("case 13 (flash-attention #823): a bf16 cos/sin table vs an fp32 one", "[rope-regression]") {
  const RopeSpec spec = model_spec("llama-2-7b");
  Recipe fixed = with_name(preset("flash-attention"), "flash-attention-fp32-table");
  fixed.table_format = formats::binary32();
  const WallReport b = wall(spec, preset("flash-attention"), 4096);
  const WallReport f = wall(spec, fixed, 4096);
  CHECK(b.max_phase_error > 10 * f.max_phase_error);
  CHECK(b.max_rotated_key_error > f.max_rotated_key_error);
}

TEST_CASE("case 14 (llama.cpp PR #8676): without llama3 scaling the low band is not divided", "[rope-regression]") {
  // The source's numbers: Llama 3.1's llama3 scaling (factor 8, low_freq_factor 1, high_freq_factor 4, original
  // context 8192; positions-and-tokens.md §4, models.md): wavelength 2 pi / omega below 8192/4 = 2048 unchanged,
  // above 8192 divided by 8, in between omega' = (1 - s) omega / 8 + s omega with s = (8192 / lambda - 1) / 3.
  RopeSpec scaled = model_spec("llama-3.1-8b");
  RopeSpec unscaled = scaled;
  unscaled.scaling = scaling::None{};
  const Pipeline s = make_pipeline(scaled, preset("llama.cpp-cpu"), 16384);
  const Pipeline u = make_pipeline(unscaled, preset("llama.cpp-cpu"), 16384);
  int low = 0, mid = 0, high = 0;
  const auto exact = [](const DoubleDouble& w) { return w.hi + w.lo; };
  for (int i = 0; i < s.pairs(); ++i) {
    const auto at = static_cast<std::size_t>(i);
    const double omega = exact(u.reference_omega[at]), lambda = 2 * M_PI / omega;
    double ratio = 1;  // high band: unchanged
    if (lambda > 8192) {
      ratio = 1.0 / 8;
      ++low;
    } else if (lambda >= 2048) {
      const double smooth = (8192 / lambda - 1) / 3;
      ratio = (1 - smooth) / 8 + smooth;
      ++mid;
    } else {
      ++high;
    }
    INFO("pair " << i << " lambda " << lambda);
    CHECK(std::abs(exact(s.reference_omega[at]) / omega / ratio - 1) <= 1e-12);  // the exact scaled omega
    // The stored divisor ff_i is the exact ratio rounded to fp32 once (pipeline.hpp): within an fp32 ulp.
    CHECK(std::abs(s.stored_inverse_frequency(i) / u.stored_inverse_frequency(i) / ratio - 1) <= 2 * 0x1p-24);
  }
  CHECK(low > 0);
  CHECK(mid > 0);
  CHECK(high > 0);
  // The fix applies the factors as theta / ff at every angle; HF divides omega once. Both are within a few fp32
  // roundings of the exact scaled angle m * omega_i': the ggml recurrences carry at most ~i + 2 roundings of
  // 2^-24 each (s = powf(base, -2/d) and i products), the divisor one more. So the two angles differ by at most
  // 2 (i + 4) 2^-24 of the angle, at every position and pair: near-equal, not bit-equal.
  Recipe omega_stage = with_name(preset("llama.cpp-cpu"), "llama.cpp-cpu-omega-scaling");
  omega_stage.omega_method = OmegaMethod::ggml_recurrence;  // a stored omega to divide (the angle recurrence has none)
  omega_stage.scaling_stage = ScalingStage::omega;
  const Pipeline o = make_pipeline(scaled, omega_stage, 16384);
  const auto pairs = static_cast<std::size_t>(s.pairs());
  const std::size_t count = 384;
  std::vector<double> sa(count * pairs), oa(count * pairs), state(phase_state_size(s.pairs()), 0.0);
  emulate_angles(s, 16000, count, sa, state);
  emulate_angles(o, 16000, count, oa, state);
  double worst = 0;  // |difference| / (2 (i + 4) 2^-24 |angle|), must stay <= 1
  std::size_t differing = 0;
  for (std::size_t j = 0; j < count; ++j)
    for (std::size_t i = 0; i < pairs; ++i) {
      const double a = sa[j * pairs + i], b = oa[j * pairs + i];
      differing += a != b;
      worst = std::max(worst, std::abs(a - b) / (2.0 * static_cast<double>(i + 4) * 0x1p-24 * std::abs(a)));
    }
  INFO(differing << " of " << count * pairs << " angles differ in bits; worst difference " << worst << " of the bound");
  CHECK(worst <= 1);
  CHECK(wall(scaled, preset("llama.cpp-cpu"), 16384).max_phase_error < 0.01);
  CHECK(wall(scaled, omega_stage, 16384).max_phase_error < 0.01);
}

TEST_CASE("case 17 (kekzl/imp #1316): fast-math trig error grows with the position on pair 0", "[rope-regression]") {
  const RopeSpec spec = model_spec("llama-2-7b");
  const Pipeline cuda = make_pipeline(spec, preset("llama.cpp-cuda"), 131072);
  const Pipeline cpu = make_pipeline(spec, preset("llama.cpp-cpu"), 131072);
  double cuda_early = 0, cuda_late = 0, cpu_late = 0;
  for (std::int64_t m = 1000; m < 1100; ++m) cuda_early = std::max(cuda_early, phase_error_at(cuda, m, 0));
  for (std::int64_t m = 130972; m < 131072; ++m) {
    cuda_late = std::max(cuda_late, phase_error_at(cuda, m, 0));
    cpu_late = std::max(cpu_late, phase_error_at(cpu, m, 0));
  }
  INFO("cuda early " << cuda_early << " late " << cuda_late << ", cpu late " << cpu_late);
  CHECK(cuda_late > 10 * cuda_early);
  CHECK(cuda_late > 1e-3);
  CHECK(cpu_late < 1e-6);
}

TEST_CASE("case 19 (candle PR #3520): omega and t in bf16 before the product, position 15962", "[rope-regression]") {
  RopeSpec spec = model_spec("qwen2.5-7b");
  spec.max_position_embeddings = 8192;  // beyond it, hf-4.37-cast-bf16 rebuilds the table in bf16
  const Pipeline broken = make_pipeline(spec, preset("hf-4.37-cast-bf16"), 16384);
  const Pipeline fixed = make_pipeline(spec, preset("hf-eager-bf16"), 16384);
  double worst_broken = 0, worst_fixed = 0;
  for (int pair = 0; pair < broken.pairs(); ++pair) {
    worst_broken = std::max(worst_broken, phase_error_at(broken, 15962, pair));
    worst_fixed = std::max(worst_fixed, phase_error_at(fixed, 15962, pair));
  }
  INFO("broken " << worst_broken << " fixed " << worst_fixed);
  CHECK(worst_broken > 1.0);
  CHECK(worst_fixed < 0.01);
}

TEST_CASE("case 20 (sglang-jax #1472): omega cast to bf16 before an fp32 einsum, position 4095", "[rope-regression]") {
  const RopeSpec spec = plain_spec(10000, 128);
  Recipe broken = with_name(preset("hf-eager-bf16"), "omega-bf16-fp32-einsum");
  broken.omega_cast = true;
  broken.omega_cast_format = formats::bfloat16();
  const Pipeline b = make_pipeline(spec, broken, 4096);
  const Pipeline f = make_pipeline(spec, preset("hf-eager-bf16"), 4096);
  int wrong_broken = 0, wrong_fixed = 0;
  for (int pair = 0; pair < b.pairs(); ++pair) {
    wrong_broken += phase_error_at(b, 4095, pair) > 0.1;
    wrong_fixed += phase_error_at(f, 4095, pair) > 0.1;
  }
  INFO("pairs off by > 0.1 rad: broken " << wrong_broken << " fixed " << wrong_fixed);
  CHECK(wrong_broken >= 8);  // "a large share of the cos/sin entries are wrong"
  CHECK(wrong_fixed == 0);
}

TEST_CASE("case 22 (Gemma): dividing by a timescale and multiplying by its reciprocal differ in bits", "[rope-regression]") {
  // The source (Unsloth's Gemma bug list): a * (1/x) and a / x differ. Closed forms: the division form
  // fl(p / fl(x)), x = base^(2i/d), carries 2 roundings of the angle (2 * 2^-24 relative); the reciprocal form
  // fl(p * fl(1 / fl(x))) carries 3. Each stays within its bound of the exact angle p * base^(-2i/d), so they
  // differ by at most 5 * 2^-24 of the angle; and since the reciprocal's rounding is a second, independent error,
  // the two round to different fp32 angles in a large share of entries (measured 25%), not in a rare few.
  const RopeSpec spec = model_spec("gemma-2-9b");
  Recipe division = with_name(preset("hf-eager-bf16"), "gemma-timescale-division");
  division.omega_method = OmegaMethod::timescale_division;
  division.table_format = formats::binary32();
  Recipe reciprocal = preset("hf-eager-bf16");
  reciprocal.table_format = formats::binary32();
  const Pipeline d = make_pipeline(spec, division, 8192);
  const Pipeline r = make_pipeline(spec, reciprocal, 8192);
  const auto pairs = static_cast<std::size_t>(d.pairs());
  const std::size_t count = 192;
  std::vector<double> da(count * pairs), ra(count * pairs), state(phase_state_size(d.pairs()), 0.0);
  emulate_angles(d, 8000, count, da, state);
  emulate_angles(r, 8000, count, ra, state);
  double worst_division = 0, worst_reciprocal = 0;  // |angle - exact| / (k 2^-24 |exact|), k = 2 and 3
  std::size_t differing = 0;
  for (std::size_t j = 0; j < count; ++j)
    for (std::size_t i = 0; i < pairs; ++i) {
      const auto m = static_cast<std::int64_t>(8000 + j);
      const double exact = static_cast<double>(m) * (d.reference_omega[i].hi + d.reference_omega[i].lo);
      const double a = da[j * pairs + i], b = ra[j * pairs + i];
      worst_division = std::max(worst_division, std::abs(a - exact) / (2 * 0x1p-24 * exact));
      worst_reciprocal = std::max(worst_reciprocal, std::abs(b - exact) / (3 * 0x1p-24 * exact));
      differing += a != b;
    }
  const double share = static_cast<double>(differing) / static_cast<double>(count * pairs);
  INFO("division " << worst_division << ", reciprocal " << worst_reciprocal << " of their bounds; " << share
                   << " of the angles differ in bits");
  CHECK(worst_division <= 1 + 1e-6);  // + O(2^-48) second-order terms
  CHECK(worst_reciprocal <= 1 + 1e-6);
  CHECK(share >= 0.1);  // a / x vs a * (1 / x) matters in bits, in many entries
  CHECK(wall(spec, division, 8192).max_phase_error < 0.01);  // but both stay accurate in fp32
  CHECK(wall(spec, reciprocal, 8192).max_phase_error < 0.01);
}

TEST_CASE("Highway 1.0.3 Sin/Cos on unreduced angles: fine to 39000, target-dependent beyond", "[rope-regression]") {
  // formats-and-libraries.md §1.3: specified at 3 ULP on [-39000, 39000]; SSE4/SSSE3/SCALAR (no FMA) reach
  // absolute errors of 0.031 on [1e5, 1e6). Pair 0 has ω = 1, so its angle is the position.
  Recipe highway = with_name(preset("llama.cpp-cpu"), "highway-unreduced-trig");
  highway.trig = Trig::highway_unreduced;
  const RopeSpec spec = model_spec("llama-2-7b");
  for (const std::int64_t target : supported_simd_targets()) {
    hwy::SetSupportedTargetsForTest(target);
    const Pipeline p = make_pipeline(spec, highway, 1 << 20);
    double inside = 0, beyond = 0;
    for (std::int64_t m = 38000; m < 39000; m += 7) inside = std::max(inside, phase_error_at(p, m, 0));
    for (std::int64_t m = 900000; m < 1000000; m += 997) beyond = std::max(beyond, phase_error_at(p, m, 0));
    const std::string name = simd_target_name(target);
    INFO(name << ": inside " << inside << ", beyond " << beyond);
    CHECK(inside < 1e-6);
    if (name == "SSE4" || name == "SSSE3" || name == "SCALAR") CHECK(beyond > 1e-3);
    if (name == "AVX2" || name == "AVX3") CHECK(beyond < 1e-4);
  }
  hwy::SetSupportedTargetsForTest(0);
}

TEST_CASE("correctly rounded and accurate trig give the same fp32 tables but for rare midpoint cases", "[rope-regression]") {
  Recipe cr = with_name(preset("hf-gpt-neox"), "correctly-rounded-trig");
  cr.trig = Trig::correctly_rounded;
  const RopeSpec spec = model_spec("llama-2-7b");
  const Pipeline a = make_pipeline(spec, preset("hf-gpt-neox"), 8192);
  const Pipeline c = make_pipeline(spec, cr, 8192);
  const auto pairs = static_cast<std::size_t>(a.pairs());
  std::vector<double> ac(8192 * pairs), as(8192 * pairs), cc(8192 * pairs), cs(8192 * pairs), state(phase_state_size(a.pairs()));
  emulate_rotations(a, 0, 8192, ac, as, state);
  emulate_rotations(c, 0, 8192, cc, cs, state);
  std::size_t differing = 0;
  for (std::size_t e = 0; e < ac.size(); ++e) differing += ac[e] != cc[e] || as[e] != cs[e];
  INFO(differing << " of " << ac.size() << " entries differ");
  CHECK(differing * 10000 <= ac.size());  // below 1e-4: both are within a tiny fraction of an fp32 ulp
}
