// The RoPE pipeline emulator: ω stage, angle, trig, table and rotation, each rounded as its recipe says.
// Emulating p-bit arithmetic through binary64: one binary64 operation on format values followed by one
// rounding to the format is exact for + - * / when 53 >= 2p + 2 (p <= 25; Figueroa 1995), which covers every
// format a stage uses here (fp32, tf32, bf16, fp16). Products of two such values are exact in binary64.
#include "ropelab/rope/pipeline.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include "accurate_sincos.hpp"
#include "highway_trig.hpp"
#include "pipeline_kernels.hpp"
#include "pipeline_scaling.hpp"
#include "platform_trig.hpp"
#include "ropelab/block_quant.hpp"
#include "ropelab/format_arith.hpp"
#include "ropelab/round.hpp"
#include "ropelab/rope/exact_reference.hpp"  // ReferenceRotation

namespace ropelab::rope {
namespace {

// The same values and rounding as g whatever f's name: rn() runs per position, and comparing names (or building a
// Format per call) was a visible share of a wall sweep and of S(m).
bool same_arithmetic(const Format& f, const Format& g) {
  return f.precision == g.precision && f.emin == g.emin && f.emax == g.emax && f.subnormals == g.subnormals &&
         f.specials == g.specials && f.overflow == g.overflow && f.max_significand == g.max_significand &&
         f.is_mpfr == g.is_mpfr;
}
bool is_binary64(const Format& f) {
  static const Format binary64 = formats::binary64();
  return same_arithmetic(f, binary64);
}
bool is_binary32(const Format& f) {
  static const Format binary32 = formats::binary32();
  return same_arithmetic(f, binary32);
}

// Round to nearest even in f. binary32 uses the hardware conversion (IEEE RNE from binary64, one rounding).
double rn(double x, const Format& f) {
  if (is_binary64(f)) return x;
  if (is_binary32(f)) return static_cast<float>(x);
  return round_value(x, f);
}

void round_array(std::span<double> values, const Format& f) {
  if (is_binary64(f)) return;
  if (is_binary32(f)) {
    round_to_binary32(values);
    return;
  }
  round_in_place(values, f);
}

// pow of two values of f, as the recipe's pow stage computes it. Pow::correctly_rounded rounds binary64 pow
// (glibc pow is within 1 ulp in binary64, so RN(pow) differs from the true correct rounding only within
// 2^-29 relative of a format midpoint). libm and cuda_fast apply to binary32 ω formats only.
// `element` of `count` says where the value sits in the tensor a vectorised pow runs over (Pow::torch_cpu).
double stage_pow(const Recipe& r, double base, double exponent, const Format& f, int element = 0, int count = 1) {
  if (is_binary32(f) && r.pow == Pow::torch_cpu) {
    // aten Loops.h vectorized_loop: 2 x 8 lanes per step through Vectorized<float>::pow (Sleef_powf8_u10), the
    // remaining count % 16 elements through the scalar std::pow (glibc powf).
    return element < count - count % 16 ? sleef_u10_powf(base, exponent) : libm_powf(base, exponent);
  }
  if (is_binary32(f) && r.pow == Pow::libm) return libm_powf(base, exponent);
  if (is_binary32(f) && r.pow == Pow::cuda_fast) {
    // CUDA __powf(x, y) = ex2.approx(y * lg2.approx(x)) (CUDA C Programming Guide, intrinsic functions):
    // modelled with exact log2/exp2 and the fp32 roundings between them.
    return rn(std::exp2(rn(exponent * rn(std::log2(base), f), f)), f);
  }
  return rn(std::pow(base, exponent), f);
}

// The unscaled ω stage of the recipe for pair i of d rotary dims (or the timescale for division recipes).
// numerator: what the reciprocal ω methods divide (1, or a linear factor's reciprocal: pipeline_scaling.hpp).
std::vector<double> unscaled_stored_omega(const Recipe& r, double base, int d, const std::vector<DoubleDouble>& exact,
                                          double numerator) {
  const Format& f = r.omega_format;
  const int pairs = d / 2;
  std::vector<double> omega(pairs);
  const double base_f = rn(base, f);
  // Pair i's pow as element i of a `pairs`-long tensor (scalar pows pass element 0 of 1).
  const auto pow_rounded = [&r, pairs](double x, double y, const Format& g, int i = 0, bool tensor = false) {
    return stage_pow(r, x, y, g, i, tensor ? pairs : 1);
  };
  switch (r.omega_method) {
    case OmegaMethod::correctly_rounded:
      for (int i = 0; i < pairs; ++i) omega[i] = rn(exact[i].hi + exact[i].lo, f);
      break;
    case OmegaMethod::pow_reciprocal:
      // 1.0 / (base ** (arange(0, d, 2).float() / d)): fp32 exponent, pow, reciprocal.
      for (int i = 0; i < pairs; ++i) {
        omega[i] = rn(numerator / pow_rounded(base_f, rn(2.0 * i / d, f), f, i, true), f);
      }
      break;
    case OmegaMethod::fp64_pow_reciprocal:
      for (int i = 0; i < pairs; ++i) omega[i] = rn(numerator / rn(std::pow(base, 2.0 * i / d), f), f);
      break;
    case OmegaMethod::ggml_recurrence:
    case OmegaMethod::ggml_angle_recurrence: {  // nominal ω_i = s^i; the angle recurrence runs per position
      const double scale = pow_rounded(base_f, rn(-2.0 / d, f), f);
      double theta = 1.0;
      for (int i = 0; i < pairs; ++i) {
        omega[i] = theta;
        theta = rn(theta * scale, f);
      }
      break;
    }
    case OmegaMethod::ggml_power_of_scale: {
      const double scale = pow_rounded(base_f, rn(-2.0 / d, f), f);
      for (int i = 0; i < pairs; ++i) omega[i] = pow_rounded(scale, i, f, i, true);
      break;
    }
    case OmegaMethod::power_of_reciprocal: {
      const double reciprocal = rn(1.0 / base_f, f);
      for (int i = 0; i < pairs; ++i) omega[i] = pow_rounded(reciprocal, rn(2.0 * i / d, f), f, i, true);
      break;
    }
    case OmegaMethod::timescale_division:
      for (int i = 0; i < pairs; ++i) omega[i] = pow_rounded(base_f, rn(2.0 * i / d, f), f, i, true);
      break;
    case OmegaMethod::pow_negative_exponent: {
      // ggml-metal.metal kernel_rope_norm/neox (ggml d99724f): inv_ndims = -1.f/n_dims; pow(freq_base, inv_ndims*i0).
      const double inv_ndims = rn(-1.0 / d, f);
      for (int i = 0; i < pairs; ++i) omega[i] = pow_rounded(base_f, rn(inv_ndims * (2 * i), f), f, i, true);
      break;
    }
  }
  return omega;
}

// What the recipe's angle recurrence multiplies by: s = pow(fl(base), fl(-2/d)) in omega_format.
double angle_recurrence_scale(const Recipe& r, double base, int d) {
  const Format& f = r.omega_format;
  return stage_pow(r, rn(base, f), rn(-2.0 / d, f), f);
}

// HF transformers <= 4.37 (models/llama/modeling_llama.py v4.37.2 LlamaRotaryEmbedding.__init__ calls
// _set_cos_sin_cache(max_position_embeddings, dtype=torch.get_default_dtype()) before any model.to(bf16)):
// below max_position_embeddings the table is the init-time one: fp32 ω, exact arange in fp32, fp32 angle and
// trig, then cast with the module to table_format.
Recipe init_time_table_recipe(Recipe r) {
  r.init_table_below_max_positions = false;  // this IS the init-time table
  r.omega_cast = false;
  r.position_format = formats::binary32();
  r.position_semantics = PositionSemantics::rounded;
  r.angle_format = formats::binary32();
  r.trig_format = formats::binary32();
  return r;
}

// True for the fp32-angle stacks, whose angles are one vectorised product and binary32 rounding.
bool binary32_angle_product(const Recipe& r) {
  return r.incremental == Incremental::none && r.omega_method != OmegaMethod::ggml_angle_recurrence &&
         r.angle_product != AngleProduct::tf32_matmul && r.omega_method != OmegaMethod::timescale_division &&
         is_binary32(r.angle_format);
}

}  // namespace

double Pipeline::stored_inverse_frequency(int pair) const {
  const auto i = static_cast<std::size_t>(pair);
  const double v = recipe.omega_method == OmegaMethod::timescale_division ? 1.0 / stored_omega[i] : stored_omega[i];
  return v * scaling_outside_omega(*this, i);
}

Pipeline make_pipeline(const RopeSpec& spec, const Recipe& recipe, long context_length) {
  if (context_length <= 0) {
    throw std::invalid_argument("context length: " + std::to_string(context_length) + " is not > 0");
  }
  Pipeline p;
  p.spec = spec;
  p.recipe = recipe;
  if (recipe.init_table_below_max_positions && context_length <= spec.max_position_embeddings) {
    p.recipe = init_time_table_recipe(recipe);
  }
  p.context_length = context_length;
  p.reference_omega = reference_inverse_frequencies(spec, context_length);
  p.attention_scaling = recipe.attention_factor == AttentionFactor::cos_sin ? attention_scaling(spec) : 1.0;

  RopeSpec unscaled = spec;
  unscaled.scaling = scaling::None{};
  const std::vector<DoubleDouble> exact_unscaled = reference_inverse_frequencies(unscaled, context_length);
  p.stored_omega =
      unscaled_stored_omega(p.recipe, spec.base, spec.rotary_dims, exact_unscaled, omega_numerator(spec, recipe));
  if (recipe.omega_method == OmegaMethod::ggml_angle_recurrence) {
    p.angle_recurrence_scale = angle_recurrence_scale(p.recipe, spec.base, spec.rotary_dims);
  }

  apply_scaling(p, exact_unscaled);
  if (p.recipe.omega_cast) {
    for (double& stored : p.stored_omega) stored = rn(stored, p.recipe.omega_cast_format);
  }
  return p;
}

double stored_position(const Pipeline& p, std::int64_t m) {
  const Recipe& r = p.recipe;
  const auto exact = static_cast<double>(m);
  if (r.position_semantics == PositionSemantics::torch_arange) {
    // torch 1.13 aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp arange_kernel: cpu_serial_kernel_vec runs
    // the vector op on 2 x 16 lanes at a time (Loops.h vectorized_loop) and the scalar op on the rest;
    // the vector op is Vectorized<BFloat16>::arange(start + step * idx, step) (vec256_bfloat16.h), whose lanes
    // are T(base + k * step) with base already a T. One thread: lanes start at multiples of 16 from 0.
    constexpr std::int64_t kLanes = 16;
    const std::int64_t vector_end = p.context_length - p.context_length % (2 * kLanes);
    if (m >= vector_end) return scaled_position(p, rn(exact, r.position_format));
    const double base = rn(static_cast<double>(m - m % kLanes), r.position_format);
    return scaled_position(p, rn(base + static_cast<double>(m % kLanes), r.position_format));
  }
  return scaled_position(p, rn(exact, r.position_format));
}

void emulate_angles(const Pipeline& p, std::int64_t m0, std::size_t count, std::span<double> angle,
                    std::span<double> phase_state) {
  const Recipe& r = p.recipe;
  const auto pairs = static_cast<std::size_t>(p.pairs());
  if (r.incremental == Incremental::rotation_recurrence) {
    std::fill(angle.begin(), angle.begin() + static_cast<std::ptrdiff_t>(count * pairs),
              std::numeric_limits<double>::quiet_NaN());
    return;
  }
  if (r.incremental == Incremental::phase_accumulator) {
    if (m0 == 0) std::fill(phase_state.begin(), phase_state.end(), 0.0);
    for (std::size_t j = 0; j < count; ++j) {
      for (std::size_t i = 0; i < pairs; ++i) {
        angle[j * pairs + i] = phase_state[i];
        phase_state[i] = rn(phase_state[i] + p.stored_inverse_frequency(static_cast<int>(i)), r.angle_format);
      }
    }
    return;
  }
  if (r.omega_method == OmegaMethod::ggml_angle_recurrence) {
    // ggml-cpu/ops.cpp ggml_rope_cache_init (ggml d99724f): theta = theta_base (= (float)p); per pair
    // rope_yarn(theta / ff, ...); theta *= theta_scale. The scaling of rope_yarn's argument comes after.
    for (std::size_t j = 0; j < count; ++j) {
      double theta = stored_position(p, m0 + static_cast<std::int64_t>(j));
      for (std::size_t i = 0; i < pairs; ++i) {
        angle[j * pairs + i] = theta;
        theta = rn(theta * p.angle_recurrence_scale, r.angle_format);
      }
    }
    scale_angles(p, angle.first(count * pairs));
    return;
  }
  if (binary32_angle_product(r)) {
    // The fp32-angle stacks: product and binary32 rounding in one vectorised pass (same operations).
    thread_local std::vector<double> positions;
    positions.resize(count);
    for (std::size_t j = 0; j < count; ++j) positions[j] = stored_position(p, m0 + static_cast<std::int64_t>(j));
    angle_rows_binary32(positions.data(), count, p.stored_omega.data(), pairs, angle.data());
    scale_angles(p, angle.first(count * pairs));
    return;
  }
  std::vector<double> omega = p.stored_omega;
  if (r.angle_product == AngleProduct::tf32_matmul) round_array(omega, formats::tf32());
  for (std::size_t j = 0; j < count; ++j) {
    double position = stored_position(p, m0 + static_cast<std::int64_t>(j));
    if (r.angle_product == AngleProduct::tf32_matmul) position = rn(position, formats::tf32());
    for (std::size_t i = 0; i < pairs; ++i) {
      angle[j * pairs + i] = r.omega_method == OmegaMethod::timescale_division ? position / omega[i]
                                                                                : position * omega[i];
    }
  }
  // The products above are exact (<= 24 x 24 bits); quotients are rounded once more here, which is exact
  // by the Figueroa condition.
  round_array(angle.first(count * pairs), r.angle_format);
  scale_angles(p, angle.first(count * pairs));
}

namespace {

// Accurate cos/sin of a stored angle, correctly rounded to the stage format except within ~2^-26 relative
// of a format midpoint (the binary64 evaluation is within ~4e-16). Angles beyond accurate_sincos's range
// (|x| >= 2^31) take the exact reference reduction.
ReferenceRotation accurate_rotation(double x) {
  if (std::abs(x) < kAccurateSincosMaxAngle) {
    const SinCos sc = accurate_sincos(x);
    return {{x, 0}, sc.cos, sc.sin};
  }
  return fast_reference_rotation(1, {x, 0});
}

// CUDA __sinf/__cosf model: the argument is reduced by an fp32 multiply with fl(1/2π), so the reduced
// angle carries the product's rounding error (~|x| * 2^-24 absolute) before an accurate evaluation.
ReferenceRotation fast_sfu_rotation(double x) {
  const Format& f32 = formats::binary32();
  const double turns = rn(x * rn(0.5 / std::numbers::pi, f32), f32);
  const double fraction = turns - std::nearbyint(turns);  // exact
  const double reduced = 2 * std::numbers::pi * fraction;
  return {{reduced, 0}, std::cos(reduced), std::sin(reduced)};
}

// Incremental::rotation_recurrence: (c, s) <- R(ω) (c, s) per position, in angle_format.
void emulate_rotation_recurrence(const Pipeline& p, std::int64_t m0, std::size_t count, std::span<double> cos_out,
                                 std::span<double> sin_out, std::span<double> state) {
  const Recipe& r = p.recipe;
  const Format& f = r.angle_format;
  const auto pairs = static_cast<std::size_t>(p.pairs());
  if (m0 == 0) {
    std::fill(state.begin(), state.begin() + static_cast<std::ptrdiff_t>(pairs), 1.0);
    std::fill(state.begin() + static_cast<std::ptrdiff_t>(pairs), state.end(), 0.0);
  }
  for (std::size_t i = 0; i < pairs; ++i) {
    const SinCos step = accurate_sincos(p.stored_inverse_frequency(static_cast<int>(i)));
    const double cw = rn(step.cos, f), sw = rn(step.sin, f);
    double& c = state[i];
    double& s = state[pairs + i];
    for (std::size_t j = 0; j < count; ++j) {
      cos_out[j * pairs + i] = c;
      sin_out[j * pairs + i] = s;
      const double next_c = rn(rn(c * cw, f) - rn(s * sw, f), f);
      s = rn(rn(s * cw, f) + rn(c * sw, f), f);
      c = next_c;
    }
  }
}

}  // namespace

namespace {

// accurate_rotation's sin/cos for angles outside accurate_sincos's range, NaN for non-finite ones (an fp16 position
// or angle beyond 65504 overflowed to Inf).
SinCos outside_accurate_range(double angle) {
  if (!std::isfinite(angle)) return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  const ReferenceRotation rot = accurate_rotation(angle);
  return {rot.sin, rot.cos};
}

// Steps 3-4 of emulate_rotations, elementwise (so for either layout): the table entries of n stored angles.
// `angles` holds them and may be cos_out itself.
void rotations_from_angles(const Pipeline& p, std::span<const double> angles, std::span<double> cos_out,
                           std::span<double> sin_out) {
  const Recipe& r = p.recipe;
  const std::size_t n = angles.size();
  static const Format bfloat16 = formats::bfloat16();
  // The fp32-trig, bf16-table stacks (HF eager and its kin): both roundings fused into the trig pass.
  const bool to_bfloat16 = is_binary32(r.trig_format) && p.attention_scaling == 1 && r.table_format == bfloat16;
  if (r.trig == Trig::accurate) {
    sincos_table(angles.data(), sin_out.data(), cos_out.data(), n, outside_accurate_range, to_bfloat16);
    if (to_bfloat16) return;
  } else if (r.trig == Trig::libm || r.trig == Trig::sleef_u10) {
    // Both take the binary32 angle (a binary64 angle_format is rounded to binary32 first).
    std::vector<double> copy(angles.begin(), angles.end());
    round_array(copy, formats::binary32());
    if (r.trig == Trig::libm) {
      libm_sincos_f32(copy, sin_out.first(n), cos_out.first(n));
    } else {
      sleef_u10_sincos_f32(copy, sin_out.first(n), cos_out.first(n));
    }
  } else if (r.trig == Trig::highway_unreduced) {
    std::vector<float> x(n), s(n), c(n);
    for (std::size_t e = 0; e < n; ++e) x[e] = static_cast<float>(angles[e]);
    highway_sincos_f32(x, s, c);
    for (std::size_t e = 0; e < n; ++e) {
      sin_out[e] = s[e];
      cos_out[e] = c[e];
    }
  } else {
    for (std::size_t e = 0; e < n; ++e) {
      const double angle = angles[e];
      if (!std::isfinite(angle)) {  // e.g. an fp16 position or angle beyond 65504 overflowed to Inf
        cos_out[e] = sin_out[e] = std::numeric_limits<double>::quiet_NaN();
        continue;
      }
      const ReferenceRotation rot = r.trig == Trig::fast_sfu ? fast_sfu_rotation(angle)
                                                             : fast_reference_rotation(1, {angle, 0});  // correctly_rounded
      cos_out[e] = rot.cos;
      sin_out[e] = rot.sin;
    }
  }
  if (to_bfloat16) {
    round_to_binary32_then_bfloat16(cos_out.first(n));
    round_to_binary32_then_bfloat16(sin_out.first(n));
    return;
  }
  round_array(cos_out.first(n), r.trig_format);
  round_array(sin_out.first(n), r.trig_format);
  if (p.attention_scaling != 1) {
    const double scale = rn(p.attention_scaling, r.trig_format);
    for (std::size_t e = 0; e < n; ++e) {
      cos_out[e] *= scale;
      sin_out[e] *= scale;
    }
    round_array(cos_out.first(n), r.trig_format);
    round_array(sin_out.first(n), r.trig_format);
  }
  round_array(cos_out.first(n), r.table_format);
  round_array(sin_out.first(n), r.table_format);
}

}  // namespace

void emulate_rotations(const Pipeline& p, std::int64_t m0, std::size_t count, std::span<double> cos_out,
                       std::span<double> sin_out, std::span<double> phase_state, std::span<double> angle_out) {
  const std::size_t n = count * static_cast<std::size_t>(p.pairs());
  if (p.recipe.incremental == Incremental::rotation_recurrence) {
    if (!angle_out.empty()) std::fill_n(angle_out.begin(), n, std::numeric_limits<double>::quiet_NaN());
    emulate_rotation_recurrence(p, m0, count, cos_out, sin_out, phase_state);
    return;
  }
  // The angles go to angle_out when the caller wants them, else to cos_out (the trig pass reads each before
  // writing its results there).
  const std::span<double> angles = angle_out.empty() ? cos_out.first(n) : angle_out.first(n);
  emulate_angles(p, m0, count, angles, phase_state);
  rotations_from_angles(p, angles, cos_out, sin_out);
}

void emulate_rotations_by_pair(const Pipeline& p, std::int64_t m0, std::size_t count, std::span<double> cos_out,
                               std::span<double> sin_out, std::span<double> phase_state) {
  const auto pairs = static_cast<std::size_t>(p.pairs());
  const std::size_t n = count * pairs;
  // Angles computed pair-major where every later step is elementwise (a per-pair angle divisor is not).
  if (binary32_angle_product(p.recipe) && p.angle_divisor.empty()) {
    thread_local std::vector<double> positions;
    positions.resize(count);
    for (std::size_t j = 0; j < count; ++j) positions[j] = stored_position(p, m0 + static_cast<std::int64_t>(j));
    angle_pairs_binary32(positions.data(), count, p.stored_omega.data(), pairs, cos_out.data());
    scale_angles(p, cos_out.first(n));
    rotations_from_angles(p, cos_out.first(n), cos_out, sin_out);
    return;
  }
  thread_local std::vector<double> row_cos, row_sin;
  row_cos.resize(n);
  row_sin.resize(n);
  emulate_rotations(p, m0, count, row_cos, row_sin, phase_state);
  for (std::size_t j = 0; j < count; ++j) {
    for (std::size_t i = 0; i < pairs; ++i) {
      cos_out[i * count + j] = row_cos[j * pairs + i];
      sin_out[i * count + j] = row_sin[j * pairs + i];
    }
  }
}

void emulate_rotate_pairs(const Recipe& r, std::span<const double> k0, std::span<const double> k1,
                          std::span<const double> c, std::span<const double> s, std::span<double> y0,
                          std::span<double> y1) {
  const Format& op = r.rotation == Rotation::per_op ? r.storage_format : r.rotation_math_format;
  const std::size_t n = k0.size();
  std::vector<double> a(n), b(n);
  if (r.rotation == Rotation::fma) {
    // y0 = fma(k0, c, -RN(k1 s)), y1 = fma(k0, s, RN(k1 c)): the fused product and the sum round once.
    FormatArithmetic arithmetic(op, RoundingMode::nearest_even);
    for (std::size_t i = 0; i < n; ++i) {
      b[i] = k1[i] * s[i];
      a[i] = k1[i] * c[i];
    }
    round_array(a, op);
    round_array(b, op);
    for (std::size_t i = 0; i < n; ++i) {
      y0[i] = arithmetic.fma(k0[i], c[i], -b[i]);
      y1[i] = arithmetic.fma(k0[i], s[i], a[i]);
    }
  } else {
    // y0 = (k0 c) - (k1 s); y1 = (k1 c) + (k0 s), each product and sum rounded to `op`.
    for (std::size_t i = 0; i < n; ++i) {
      a[i] = k0[i] * c[i];
      b[i] = k1[i] * s[i];
    }
    round_array(a, op);
    round_array(b, op);
    for (std::size_t i = 0; i < n; ++i) y0[i] = a[i] - b[i];
    for (std::size_t i = 0; i < n; ++i) {
      a[i] = k1[i] * c[i];
      b[i] = k0[i] * s[i];
    }
    round_array(a, op);
    round_array(b, op);
    for (std::size_t i = 0; i < n; ++i) y1[i] = a[i] + b[i];
    round_array(y0.first(n), op);
    round_array(y1.first(n), op);
  }
  round_array(y0.first(n), r.storage_format);
  round_array(y1.first(n), r.storage_format);
}

void emulate_key_cache(const Recipe& r, std::span<double> key) {
  if (!r.key_cache_block) {
    round_array(key, r.key_cache_format);
    return;
  }
  std::vector<float> row(key.begin(), key.end());
  quantize_dequantize(row, *r.key_cache_block);
  std::copy(row.begin(), row.end(), key.begin());
}

void emulate_key_cache_pairs(const Pipeline& p, std::span<double> y0, std::span<double> y1) {
  if (!p.recipe.key_cache_block) {
    emulate_key_cache(p.recipe, y0);
    emulate_key_cache(p.recipe, y1);
    return;
  }
  const auto half = static_cast<std::size_t>(p.spec.rotary_dims / 2);
  const bool interleaved = p.spec.pairing == Pairing::interleaved;
  const auto first = [&](std::size_t i) { return interleaved ? 2 * i : i; };
  const auto second = [&](std::size_t i) { return interleaved ? 2 * i + 1 : i + half; };
  std::vector<double> row(static_cast<std::size_t>(p.spec.head_dim), 0.0);
  for (std::size_t i = 0; i < y0.size(); ++i) {
    row[first(i)] = y0[i];
    row[second(i)] = y1[i];
  }
  emulate_key_cache(p.recipe, row);
  for (std::size_t i = 0; i < y0.size(); ++i) {
    y0[i] = row[first(i)];
    y1[i] = row[second(i)];
  }
}

}  // namespace ropelab::rope
