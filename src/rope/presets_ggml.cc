// ggml / llama.cpp presets, one per backend (real-stacks.md §2), read in the ggml git snapshot at commit
// d99724f2b141fed9e1a9f402213506c081433465 (file:line below). llama.cpp's own files were read through the file
// index: src/llama-model.cpp (llama_model::load_hparams) sets rope_freq_scale_train = 1.0f/ropescale from the
// GGUF scaling factor, the freq_scale every backend multiplies in rope_yarn.
#include "presets_internal.hpp"

namespace ropelab::rope::preset_factories {

using formats::binary16;
using formats::binary32;

// CPU backend, verified bit for bit against tests/data/conformance/01, 02.
Recipe llama_cpp_cpu() {
  Recipe r;
  r.name = "llama.cpp-cpu";
  r.description = "llama.cpp CPU: fp32 angle recurrence theta *= scale, glibc cosf/sinf, FMA rotation, f16 K cache";
  r.source = "ggml-org/ggml src/ggml-cpu/ops.cpp ggml_rope_cache_init, rope_yarn, rotate_pairs (commit d99724f)";
  // ops.cpp:6014 theta_scale = powf(freq_base, -2.0f/n_dims); ops.cpp:5850-5858 theta = theta_base, per pair
  // rope_yarn(theta/ff, ...), theta *= theta_scale.
  r.omega_method = OmegaMethod::ggml_angle_recurrence;
  r.pow = Pow::libm;               // powf: glibc on the CPU
  r.position_format = binary32();  // ops.cpp:6057-6058 p = pos[i2] (int32) becomes float theta_base
  // ops.cpp:5854 theta/ff (rope_freqs), ops.cpp:5833 theta_interp = freq_scale * theta_extrap.
  r.scaling_stage = ScalingStage::ggml_freq_scale;
  r.trig = Trig::libm;             // ops.cpp:5842-5843 cosf(theta) * mscale, sinf(theta) * mscale
  r.table_format = binary32();     // the fp32 per-thread cache
  r.input_format = binary32();     // F32 activations (F16 inputs convert exactly)
  // ops.cpp:5947 rotate_pairs x0*cos_theta - x1*sin_theta (and x0*sin + x1*cos) in float, contracted to FMAs by
  // gcc -march=native
  // (-ffp-contract=fast default; golden 01/02: fma form exact).
  r.rotation = Rotation::fma;
  r.storage_format = binary32();
  r.key_cache_format = binary16();  // default F16 K cache, ggml_cpy RNE conversion
  return r;
}

// llama.cpp --cache-type-k q8_0 on an x86-64 AVX2 CPU: the post-RoPE F32 key is written into the cache by
// ggml_set_rows (src/ggml-cpu/ops.cpp:5123-5140), which converts each head_dim row with the CPU type trait's
// from_float = quantize_row_q8_0 (src/ggml-cpu/ggml-cpu.c:240-287), whose AVX2 branch
// (src/ggml-cpu/arch/x86/quants.c:302-398) uses id = 127/amax and ties to even: block format q8_0_avx2, reproduced
// bit for bit against ggml (tests/data/conformance/ggml-quant q8_0 q_cpy).
Recipe llama_cpp_cpu_q8_0() {
  Recipe r = llama_cpp_cpu();
  r.name = "llama.cpp-cpu-q8_0";
  r.description = "llama.cpp CPU with --cache-type-k q8_0 (x86 AVX2 quantize_row_q8_0 via ggml_set_rows)";
  r.key_cache_block = parse_block_format("q8_0_avx2");
  return r;
}

// llama.cpp --cache-type-k q4_0 on the CPU: from_float = quantize_row_q4_0, which calls quantize_row_q4_0_ref
// (src/ggml-cpu/quants.c:33-35; src/ggml-quants.c:113-148) on every CPU: block format q4_0, reproduced bit for bit
// against ggml (tests/data/conformance/ggml-quant q4_0).
Recipe llama_cpp_cpu_q4_0() {
  Recipe r = llama_cpp_cpu();
  r.name = "llama.cpp-cpu-q4_0";
  r.description = "llama.cpp CPU with --cache-type-k q4_0 (quantize_row_q4_0_ref via ggml_set_rows)";
  r.key_cache_block = parse_block_format("q4_0");
  return r;
}

// CUDA backend: powf of the rounded scale, compiled with -use_fast_math. Models only until checked on a GPU.
Recipe llama_cpp_cuda() {
  Recipe r = llama_cpp_cpu();
  r.name = "llama.cpp-cuda";
  r.description = "llama.cpp CUDA: powf(theta_scale, i), fast-math __sinf/__cosf, fp32 rotation, f16 K cache (model)";
  r.source = "ggml-org/ggml src/ggml-cuda/rope.cu, CMakeLists.txt -use_fast_math (commit d99724f)";
  r.omega_method = OmegaMethod::ggml_power_of_scale;  // rope.cu:107 pos[i2]*powf(theta_scale, iw/2.0f)
  r.pow = Pow::cuda_fast;  // CMakeLists.txt:197 -use_fast_math makes powf __powf: a bound model, not bit-exact
  r.trig = Trig::fast_sfu;  // rope.cu:36 cosf(theta) under -use_fast_math: the __sinf/__cosf model
  // rope.cu:114 rope_yarn(theta_base/freq_factor, freq_scale, ...), rope.cu:27 theta_interp = freq_scale * ...
  // (ggml_freq_scale, inherited). rope.cu:119 x0 * cos_theta - x1 * sin_theta: nvcc contracts this to an FMA by
  // default, which product is fused is not checked; the CPU's fma form is kept as the model.
  return r;
}

// Metal backend (kernel_rope_norm / kernel_rope_neox): a direct pow of the base per pair. Metal compiles with fast
// math by default (ggml-metal-device.m:232 leaves `setFastMathEnabled:false` commented out; CMakeLists.txt:67-77
// passes -fno-fast-math only for GGML_METAL_SHADER_DEBUG), so pow, cos and sin are Metal's fast variants, whose
// errors are not modelled: pow correctly rounded and accurate trig stand in for them until checked on Apple GPUs.
Recipe llama_cpp_metal() {
  Recipe r = llama_cpp_cpu();
  r.name = "llama.cpp-metal";
  r.description = "llama.cpp Metal: omega = pow(base, -2i/d) per pair, fp32 angle and rotation, f16 K cache (model)";
  r.source = "ggml-org/ggml src/ggml-metal/ggml-metal.metal kernel_rope_norm, kernel_rope_neox, rope_yarn "
             "(commit d99724f)";
  // ggml-metal.metal:4683 inv_ndims = -1.f/args.n_dims; :4693 theta = theta_base * pow(args.freq_base, inv_ndims*iw)
  r.omega_method = OmegaMethod::pow_negative_exponent;
  r.pow = Pow::correctly_rounded;  // Metal fast-math pow: not modelled
  // :4682 theta_base = (float) pos[i2] (binary32, inherited). :4697 rope_yarn(theta/freq_factor, args.freq_scale,
  // ...), :4633 theta_interp = freq_scale * theta_extrap (ggml_freq_scale, inherited).
  r.trig = Trig::accurate;  // :4642 cos(theta) * mscale under fast math: not modelled
  // :4705 dst_data[0] = x0*cos_theta - x1*sin_theta in float, one rounding on store (contraction not modelled).
  r.rotation = Rotation::wide_then_round;
  return r;
}

}  // namespace ropelab::rope::preset_factories
