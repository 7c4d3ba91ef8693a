#!/usr/bin/python3
"""Live conformance: `ropelab emulate` against the RoPE code of real stacks, run now on PyTorch 1.13 (Debian).

check_goldens.py compares ropelab with stored bit patterns. This script instead re-types (in our own words, same
torch operations in the same order) the RoPE code of several stacks, runs it on the installed PyTorch for
configurations that are NOT in tests/data/conformance (other bases, head dims, rotary dims, position sets, another
key seed), and compares the result with `ropelab emulate` bit for bit.

Usage: torch_live_check.py ROPELAB [CONFIG_PREFIX...]; exit 1 on any mismatch (or failed self-check), 0 otherwise.
Needs /usr/bin/python3 with torch 1.13.1 (Debian python3-torch 1.13.1+dfsg) and numpy, an x86-64 CPU with AVX2/FMA.

Stacks re-typed here (none of their code is copied; each function below names what it follows):
- huggingface/transformers src/transformers/models/llama/modeling_llama.py, >= 4.38.2 form, read at commit
  002272831fba584eb30dca9729c1be456836960a (the RoPE lines are unchanged at 5dd4a63548857797727ae73eeb6a6e886ea02a3e):
  LlamaRotaryEmbedding.__init__ (inv_freq, ~l.102), LlamaRotaryEmbedding.forward (~l.130-144, matmul under
  torch.autocast(enabled=False), PR #29285), rotate_half and apply_rotary_pos_emb.   -> preset hf-eager-bf16
- the same forward without the PR #29285 autocast(enabled=False) block, i.e. the 4.38.0/4.38.1 form (PR #28837 as
  golden 04's sidecar records; re-typed from the PR #29285 diff), run under torch.autocast('cpu', dtype=torch.bfloat16).
                                                                                      -> preset hf-4.38.0-autocast
- the <= 4.37 form of the same file: LlamaRotaryEmbedding.__init__/_set_cos_sin_cache/forward(x, seq_len) and
  apply_rotary_pos_emb(q, k, cos, sin, position_ids). Its arange line
  `torch.arange(self.max_seq_len_cached, device=device, dtype=self.inv_freq.dtype)` is quoted in transformers issue
  #28685 (2024-01-24, "up to and including current") and was replaced by the int64 arange of PR #28760 (merged
  2024-01-31, after v4.37.0). The v4.37.x file itself was not available to read here: this form is re-typed from
  the issue/PR text and the 4.38 file's structure.                                    -> preset hf-4.37-cast-bf16
- huggingface/transformers src/transformers/models/gpt_neox/modeling_gpt_neox.py at commit
  006bd23dd0ce18d54e1cf260b09b15fa943a731d: GPTNeoXRotaryEmbedding (__init__, _set_cos_sin_cache, forward),
  rotate_half, apply_rotary_pos_emb, and the rope lines of GPTNeoXAttention._attn_projections_and_rope
  (key_rot/key_pass split, torch.cat((key, key_pass), -1)).                           -> preset hf-gpt-neox
- meta-llama/llama llama/model.py at commit 689c7f261b9c5514636ecc3c5fefefcbb3e6eed7: precompute_freqs_cis
  (l.80-104), reshape_for_broadcast (l.107-129), apply_rotary_emb (l.132-161); llama/generation.py l.118 sets
  HalfTensor, so xk is fp16.                                                          -> preset meta-reference

torch CPU facts this relies on (see tests/data/conformance/README.md):
- ATen's AVX2 kernels are used (ATEN_CPU_CAPABILITY=avx2 is set below, and checked); vectorised cos/sin call
  SLEEF (Sleef_cosf8_u10 / Sleef_sinf8_u10, AVX2+FMA), so the HF presets run with `--set trig=sleef_u10`;
  torch.polar (Meta) is a scalar kernel calling glibc cosf/sinf, so meta-reference runs with `--set trig=libm`.
- one thread (torch.set_num_threads(1)): the bf16 torch.arange of the <= 4.37 rebuild depends on the thread count.
- tails: ATen's element-wise loops (cpu_kernel_vec) run 2 vectors at a time and finish the rest (the tail) with
  the scalar op: glibc instead of SLEEF for cos/sin and pow, compiled scalar code for the complex multiply and the
  bf16 arange. Every tensor on which cos/sin or the complex multiply runs here has a number of elements that is a
  multiple of 32 (HF head dims 64/96/128/256; NeoX cache lengths checked so that seq_len * rotary_dims is; Meta's
  pairs are >= 32), so no trig or multiply tail arises. Deliberate tails: the bf16 arange of the two rebuild
  cases (seq_len 65541 and 16385, not multiples of 32: their last values come from the scalar path, which ropelab
  models from --context), and the inv_freq pow of NeoX (8 and 12 pairs: all scalar glibc powf), while the HF/Meta
  pows of 32..128 pairs are all vectorised (SLEEF Sleef_powf8_u10). Element-wise mul/add/neg/cast give the same
  result on the vector and scalar paths (one IEEE operation each).
- rows: a row of every table below depends only on its own position (outer = broadcast multiply, element-wise
  trig), so where the real code builds the table for all positions 0..end-1 and then indexes/slices it, building
  only the rows needed gives the same bits. This is done for Meta (whose end = max_seq_len * 2 would otherwise be
  up to 2^19 rows); HF <= 4.37 and GPT-NeoX build their whole cache as the real code does.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("ATEN_CPU_CAPABILITY", "avx2")  # before importing torch: the AVX2 kernels the goldens used

import numpy as np
import torch

# Not the goldens' 20250101: keys here come from numpy.random.default_rng([KEY_SEED, config index]).
KEY_SEED = 20261201

# name -> preset, emulate spec, positions (ropelab LIST syntax), stack-specific settings (the key's dtype, table
# and rotated-key dtypes follow each stack; see INPUT_DTYPE and the run_* functions).
# Found by this check on 2026-12-01: torch's vectorised fp32 pow is SLEEF's Sleef_powf8_u10avx2 (1 ulp class) on
# the first n - n % 16 elements and glibc powf on the rest; hf-eager_b2500000_d96, hf-eager_b1000000_d256 and
# meta_b2500000_d256 hit pairs where the two differ. ropelab models it as pow=torch_cpu (set below). The diagnosis
# line printed for a failing config substitutes ropelab's omega into the torch code to localise a difference.
CONFIGS = {
    # HF >= 4.38.2 eager (fp32 angle and trig, bf16 table, per-op bf16 rotation).
    "hf-eager_b10000_d64": dict(
        preset="hf-eager-bf16", base=10000, dim=64, positions="0:512"),
    "hf-eager_b500000_d128": dict(
        preset="hf-eager-bf16", base=500000.0, dim=128, positions="65504:65568,524256:524320,123457,1000003"),
    "hf-eager_b2500000_d96": dict(
        preset="hf-eager-bf16", base=2500000.0, dim=96, positions="0:256,131040:131104"),
    "hf-eager_b1000000_d256": dict(
        preset="hf-eager-bf16", base=1000000.0, dim=256, positions="7,4097,999999"),
    # HF 4.38.0/4.38.1 under CPU bf16 autocast (bf16 matmul: bf16 omega, positions and angle).
    "hf-4.38.0-autocast_b10000_d128": dict(
        preset="hf-4.38.0-autocast", base=10000, dim=128, positions="0:512"),
    "hf-4.38.0-autocast_b1000000_d64": dict(
        preset="hf-4.38.0-autocast", base=1000000.0, dim=64, positions="65504:65568,524256:524320,3000001"),
    # HF <= 4.37 after model.to(bf16): init-time fp32 table (cast to bf16) while seq_len <= max_position_embeddings.
    "hf-4.37-init_b10000_d128_max4096": dict(
        preset="hf-4.37-cast-bf16", base=10000, dim=128, max_positions=4096, positions="0:512,4000:4096"),
    "hf-4.37-init_b500000_d64_max8192": dict(
        preset="hf-4.37-cast-bf16", base=500000.0, dim=64, max_positions=8192, positions="0:32,8160:8192"),
    # ... and the bf16 rebuild when seq_len > max_position_embeddings (bf16 inv_freq, torch bf16 arange).
    "hf-4.37-rebuild_b10000_d64_max2048": dict(
        preset="hf-4.37-cast-bf16", base=10000, dim=64, max_positions=2048,
        positions="0:256,4096:4224,8192:8224,65504:65541"),
    "hf-4.37-rebuild_b1000000_d128_max4096": dict(
        preset="hf-4.37-cast-bf16", base=1000000.0, dim=128, max_positions=4096, positions="4064:4160,16383:16385"),
    # HF GPT-NeoX (partial rotary, fp32 cache, bf16 key promoted to fp32).
    "hf-gpt-neox_b10000_d64_r16": dict(
        preset="hf-gpt-neox", base=10000, dim=64, rotary_dims=16, positions="0:512"),
    "hf-gpt-neox_b1000000_d96_r24": dict(
        preset="hf-gpt-neox", base=1000000, dim=96, rotary_dims=24, positions="65504:65568,524256:524320,77777"),
    # Meta Llama 2 reference (complex64 polar table, fp16 q/k, interleaved pairs).
    "meta_b10000_d128": dict(
        preset="meta-reference", base=10000.0, dim=128, positions="0:512"),
    "meta_b500000_d64": dict(
        preset="meta-reference", base=500000.0, dim=64, positions="65504:65568,524256:524320,777777"),
    "meta_b2500000_d256": dict(
        preset="meta-reference", base=2500000.0, dim=256, positions="0:32,131040:131104,4095"),
}

SET = {"hf-eager-bf16": "pow=torch_cpu,trig=sleef_u10", "hf-4.38.0-autocast": "pow=torch_cpu,trig=sleef_u10",
       "hf-4.37-cast-bf16": "pow=torch_cpu,trig=sleef_u10", "hf-gpt-neox": "pow=torch_cpu,trig=sleef_u10",
       "meta-reference": "pow=torch_cpu,trig=libm"}
INPUT_DTYPE = {"hf-eager-bf16": torch.bfloat16, "hf-4.38.0-autocast": torch.bfloat16,
               "hf-4.37-cast-bf16": torch.bfloat16, "hf-gpt-neox": torch.bfloat16, "meta-reference": torch.float16}


def parse_positions(spec):
    out = []
    for item in spec.split(","):
        if ":" in item:
            a, b = item.split(":")
            out.extend(range(int(a), int(b)))
        else:
            out.append(int(item))
    return np.array(out, dtype=np.int64)


def f64(t):
    """torch tensor (bf16/f16/f32) -> float64 numpy array, exactly."""
    return t.detach().to(torch.float64).numpy()


# ---------------------------------------------------------------------------------------------------------------
# HF transformers Llama (modeling_llama.py)

def hf_inv_freq(base, dim, override=None):
    # LlamaRotaryEmbedding.__init__ (all three forms): even exponents 0, 2, ..., dim-2 as int64, made fp32, divided
    # by dim; `base ** t` is Tensor.__rpow__ (fp32 pow kernel: SLEEF Sleef_powf8_u10 on the vectorised part, glibc
    # powf on the tail), `1.0 / x` is Tensor.__rtruediv__ (reciprocal).
    if override is not None:  # diagnosis only: ropelab's omega substituted (see check())
        return override.clone()
    exponent = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim
    return 1.0 / (base ** exponent)


def hf_rotate_half(x):
    # rotate_half: the second half negated, then the first half.
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def hf_apply_rope(k, cos, sin):
    # apply_rotary_pos_emb (>= 4.38): cos/sin [bs, seq, dim] gain a head axis; every op is a separate torch op in
    # the key's dtype (bf16 here), so each product and the sum are rounded.
    cos = cos.unsqueeze(1)
    sin = sin.unsqueeze(1)
    return (k * cos) + (hf_rotate_half(k) * sin)


def hf_llama_new_forward(inv_freq, x, position_ids, disable_autocast):
    """LlamaRotaryEmbedding.forward. disable_autocast=True is the >= 4.38.2 body (PR #29285); False is 4.38.0."""
    inv = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
    pos = position_ids[:, None, :].float()
    if disable_autocast:
        with torch.autocast(device_type=x.device.type, enabled=False):
            angle = (inv.float() @ pos.float()).transpose(1, 2)
            both = torch.cat((angle, angle), dim=-1)
            cos, sin = both.cos(), both.sin()
    else:
        angle = (inv @ pos).transpose(1, 2)
        both = torch.cat((angle, angle), dim=-1)
        cos, sin = both.cos(), both.sin()
    return angle, cos.to(dtype=x.dtype), sin.to(dtype=x.dtype)


def run_hf_new(cfg, k_vec, positions, autocast_cpu):
    """Eager Llama attention's RoPE lines: cos, sin = rotary_emb(value_states, position_ids); apply to the key."""
    dim = cfg["dim"]
    # fp32 buffer: from_pretrained(torch_dtype=bf16) leaves this non-persistent buffer fp32
    inv_freq = hf_inv_freq(cfg["base"], dim, cfg.get("omega_override"))
    position_ids = torch.from_numpy(positions)[None, :]
    n = positions.size
    key = k_vec.reshape(1, 1, 1, dim).expand(1, 1, n, dim).contiguous()  # [bs, heads, seq, head_dim], bf16
    value = key  # only its dtype/device are read
    if autocast_cpu:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            angle, cos, sin = hf_llama_new_forward(inv_freq, value, position_ids, disable_autocast=False)
            k_out = hf_apply_rope(key, cos, sin)
        # CPU autocast casts the fp32 inv_freq operand of the matmul to bf16: that is the omega that enters.
        omega = inv_freq.to(torch.bfloat16)
    else:
        angle, cos, sin = hf_llama_new_forward(inv_freq, value, position_ids, disable_autocast=True)
        k_out = hf_apply_rope(key, cos, sin)
        omega = inv_freq
    return dict(omega=omega, angle=angle[0], cos=cos[0], sin=sin[0], key=k_out[0, 0], dup_table=True)


class HfLlamaRope437:
    """LlamaRotaryEmbedding as in transformers <= 4.37 (cached table, rebuilt when seq_len grows)."""

    def __init__(self, dim, max_position_embeddings, base, override=None):
        self.inv_freq = hf_inv_freq(base, dim, override)  # registered buffer: model.to() casts it
        # __init__ builds the cache for max_position_embeddings with torch.get_default_dtype() (fp32 here).
        self._set_cos_sin_cache(max_position_embeddings, torch.get_default_dtype())

    def _set_cos_sin_cache(self, seq_len, dtype):
        self.max_seq_len_cached = seq_len
        t = torch.arange(seq_len, dtype=self.inv_freq.dtype)  # bf16 arange once the module was cast to bf16
        # (einsum("i,j->ij") in older releases, torch.outer later: one product of two exact values, one rounding.)
        self.freqs = torch.outer(t, self.inv_freq)
        both = torch.cat((self.freqs, self.freqs), dim=-1)
        self.cos_cached = both.cos().to(dtype)
        self.sin_cached = both.sin().to(dtype)

    def to_(self, dtype):
        # model.to(dtype) casts every floating buffer: inv_freq, cos_cached, sin_cached (freqs is kept here only
        # to report the angle; the real module does not store it).
        self.inv_freq = self.inv_freq.to(dtype)
        self.cos_cached = self.cos_cached.to(dtype)
        self.sin_cached = self.sin_cached.to(dtype)

    def forward(self, x, seq_len):
        if seq_len > self.max_seq_len_cached:
            self._set_cos_sin_cache(seq_len, x.dtype)
        return self.cos_cached[:seq_len].to(dtype=x.dtype), self.sin_cached[:seq_len].to(dtype=x.dtype)


def run_hf_437(cfg, k_vec, positions):
    dim = cfg["dim"]
    rope = HfLlamaRope437(dim, cfg["max_positions"], cfg["base"], cfg.get("omega_override"))
    rope.to_(torch.bfloat16)
    n = positions.size
    key = k_vec.reshape(1, 1, 1, dim).expand(1, 1, n, dim).contiguous()
    # LlamaAttention.forward (<= 4.37): kv_seq_len = key length (+ past); one forward holding every position up
    # to the largest asks for seq_len = max position + 1.
    seq_len = int(positions.max()) + 1
    cos, sin = rope.forward(key, seq_len=seq_len)
    rebuilt = rope.max_seq_len_cached != cfg["max_positions"]
    position_ids = torch.from_numpy(positions)[None, :]
    # apply_rotary_pos_emb(q, k, cos, sin, position_ids) (<= 4.37): rows gathered by position_ids, head axis added.
    cos_rows = cos[position_ids].unsqueeze(1)
    sin_rows = sin[position_ids].unsqueeze(1)
    k_out = (key * cos_rows) + (hf_rotate_half(key) * sin_rows)
    extra = {}
    if rebuilt:
        # self-check that the case reaches positions where torch's bf16 arange is not RN_bf16(m)
        t = torch.arange(seq_len, dtype=torch.bfloat16)[torch.from_numpy(positions)]
        exact_rn = torch.from_numpy(positions).float().to(torch.bfloat16)
        extra["arange_ne_rn"] = int((t != exact_rn).sum())
    return dict(omega=rope.inv_freq if rebuilt else hf_inv_freq(cfg["base"], dim, cfg.get("omega_override")),
                angle=rope.freqs[torch.from_numpy(positions)], cos=cos_rows[0, 0], sin=sin_rows[0, 0],
                key=k_out[0, 0], dup_table=True, context=seq_len, rebuilt=rebuilt, **extra)


# ---------------------------------------------------------------------------------------------------------------
# HF transformers GPT-NeoX (modeling_gpt_neox.py @ 006bd23)

class HfGptNeoxRope:
    def __init__(self, dim, max_position_embeddings, base, override=None):
        # GPTNeoXRotaryEmbedding.__init__: fp32 inv_freq from an int64 arange made fp32 (explicit .float(), so a
        # bf16 default dtype during from_pretrained does not change it), then the cache for max positions.
        self.inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        if override is not None:  # diagnosis only
            self.inv_freq = override.clone()
        self._set_cos_sin_cache(max_position_embeddings)

    def _set_cos_sin_cache(self, seq_len):
        self.max_seq_len_cached = seq_len
        t = torch.arange(seq_len, dtype=torch.int64).type_as(self.inv_freq)
        self.freqs = torch.outer(t, self.inv_freq)
        both = torch.cat((self.freqs, self.freqs), dim=-1)
        self.cos_cached = both.cos()  # fp32: no cast in this version
        self.sin_cached = both.sin()

    def forward(self, seq_len):
        if seq_len > self.max_seq_len_cached:
            self._set_cos_sin_cache(seq_len)
        return self.cos_cached[:seq_len], self.sin_cached[:seq_len]


def run_hf_gpt_neox(cfg, k_vec, positions):
    dim, rot = cfg["dim"], cfg["rotary_dims"]
    max_pos = 2048  # Pythia's max_position_embeddings
    seq_len = max(int(positions.max()) + 1, max_pos)
    if (seq_len * rot) % 32:
        raise ValueError(f"{cfg}: cache of {seq_len} x {rot} would have a scalar (glibc) tail in cos/sin")
    rope = HfGptNeoxRope(rot, max_pos, cfg["base"], cfg.get("omega_override"))
    n = positions.size
    key = k_vec.reshape(1, 1, 1, dim).expand(1, 1, n, dim).contiguous()  # bf16 [bs, heads, seq, head_size]
    # _attn_projections_and_rope: rotate the first rotary_ndims dims, pass the rest through.
    key_rot, key_pass = key[..., :rot], key[..., rot:]
    cos, sin = rope.forward(seq_len=int(positions.max()) + 1)
    position_ids = torch.from_numpy(positions)[None, :]
    cos_rows = cos[position_ids].unsqueeze(1)  # apply_rotary_pos_emb: gather, head axis
    sin_rows = sin[position_ids].unsqueeze(1)
    k_rot = (key_rot * cos_rows) + (hf_rotate_half(key_rot) * sin_rows)  # bf16 * fp32 -> fp32
    k_out = torch.cat((k_rot, key_pass), dim=-1)  # type promotion: the bf16 pass-through dims widen to fp32
    return dict(omega=rope.inv_freq, angle=rope.freqs[torch.from_numpy(positions)], cos=cos_rows[0, 0],
                sin=sin_rows[0, 0], key=k_out[0, 0], dup_table=True)


# ---------------------------------------------------------------------------------------------------------------
# meta-llama/llama llama/model.py @ 689c7f2

def meta_freqs_cis(dim, positions, theta, override=None):
    # precompute_freqs_cis(dim, end, theta), for the rows `positions` of its arange(end) (see module docstring).
    inv = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // 2)].float() / dim))
    if override is not None:  # diagnosis only
        inv = override.clone()
    t = positions  # int64, as torch.arange(end) is
    angle = torch.outer(t, inv).float()  # int64 x fp32 -> fp32
    return inv, angle, torch.polar(torch.ones_like(angle), angle)  # complex64


def meta_apply_rotary_emb_k(xk, freqs_cis):
    # apply_rotary_emb, key half: adjacent pairs as complex64, broadcast multiply by the table, back to xk's dtype.
    xk_c = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    shape = [s if i in (1, xk_c.ndim - 1) else 1 for i, s in enumerate(xk_c.shape)]  # reshape_for_broadcast
    rotated = torch.view_as_real(xk_c * freqs_cis.view(*shape)).flatten(3)
    return rotated.type_as(xk)


def run_meta(cfg, k_vec, positions):
    dim = cfg["dim"]
    inv, angle, freqs_cis = meta_freqs_cis(dim, torch.from_numpy(positions), cfg["base"], cfg.get("omega_override"))
    n = positions.size
    xk = k_vec.reshape(1, 1, 1, dim).expand(1, n, 1, dim).contiguous()  # [bs, seq, heads, head_dim], fp16
    k_out = meta_apply_rotary_emb_k(xk, freqs_cis)
    return dict(omega=inv, angle=angle, cos=freqs_cis.real, sin=freqs_cis.imag, key=k_out[0, :, 0],
                dup_table=False)


# ---------------------------------------------------------------------------------------------------------------

def run_torch(cfg, k_vec, positions):
    preset = cfg["preset"]
    if preset == "hf-eager-bf16":
        return run_hf_new(cfg, k_vec, positions, autocast_cpu=False)
    if preset == "hf-4.38.0-autocast":
        return run_hf_new(cfg, k_vec, positions, autocast_cpu=True)
    if preset == "hf-4.37-cast-bf16":
        return run_hf_437(cfg, k_vec, positions)
    if preset == "hf-gpt-neox":
        return run_hf_gpt_neox(cfg, k_vec, positions)
    if preset == "meta-reference":
        return run_meta(cfg, k_vec, positions)
    raise ValueError(preset)


def emulate(ropelab, cfg, k_file, positions_spec, context, out):
    cmd = [ropelab, "emulate", "--preset", cfg["preset"], "--base", repr(float(cfg["base"])), "--dim",
           str(cfg["dim"]), "--positions", positions_spec, "--k-file", k_file, "--set", SET[cfg["preset"]],
           "--out", out]
    if "rotary_dims" in cfg:
        cmd += ["--rotary-dims", str(cfg["rotary_dims"])]
    if cfg["preset"] == "meta-reference":
        cmd += ["--pairing", "interleaved"]
    if "max_positions" in cfg:
        cmd += ["--max-positions", str(cfg["max_positions"])]
    if context is not None:
        cmd += ["--context", str(context)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    return {n[:-4]: np.load(os.path.join(out, n)) for n in os.listdir(out) if n.endswith(".npy")}, manifest


def mismatches(expected, actual):
    expected = np.ascontiguousarray(expected, dtype=np.float64)
    actual = np.ascontiguousarray(actual, dtype=np.float64)
    if expected.shape != actual.shape:
        return f"shape {actual.shape} != torch {expected.shape}", None
    bad = np.flatnonzero(expected.view(np.uint64) != actual.view(np.uint64))
    if bad.size == 0:
        return 0, None
    i = np.unravel_index(bad[0], expected.shape)
    return int(bad.size), f"first at {tuple(int(x) for x in i)}: torch {expected[i]!r} ropelab {actual[i]!r}"


def check(ropelab, index, name, cfg, tmp):
    positions = parse_positions(cfg["positions"])
    rng = np.random.default_rng([KEY_SEED, index])
    # float64 -> float32 (numpy RNE) -> the stack's input dtype (torch RNE), as the goldens' keys were made.
    k_vec = torch.from_numpy(rng.standard_normal(cfg["dim"]).astype(np.float32)).to(INPUT_DTYPE[cfg["preset"]])
    k_file = os.path.join(tmp, name + "_k.npy")
    np.save(k_file, f64(k_vec))

    got = run_torch(cfg, k_vec, positions)
    emu, manifest = emulate(ropelab, cfg, k_file, cfg["positions"], got.get("context"), os.path.join(tmp, name))

    counts, notes = {}, {}
    if not np.array_equal(emu["positions"], positions):
        counts["positions"] = "differ"
    pairs = emu["cos"].shape[1]
    for table in ("cos", "sin"):
        full = f64(got[table])
        if got["dup_table"]:  # HF tables are duplicated along the head dim: check the halves, compare the first
            if not np.array_equal(full[:, :pairs].view(np.uint64), full[:, pairs:].view(np.uint64)):
                counts[f"{table} halves equal (self-check)"] = "differ"
            full = full[:, :pairs]
        counts[table], notes[table] = mismatches(full, emu[table])
    counts["angle"], notes["angle"] = mismatches(f64(got["angle"]), emu["angle"])
    counts["omega"], notes["omega"] = mismatches(f64(got["omega"]), emu["omega"])
    counts["key"], notes["key"] = mismatches(f64(got["key"]), emu["key"])
    # key_cache: what the stack keeps for attention = the rotated key in every stack here (DynamicCache /
    # present / cache_k hold the key in its dtype; NeoX eager keeps the promoted fp32 key).
    counts["key_cache"], notes["key_cache"] = mismatches(f64(got["key"]), emu["key_cache"])
    # self-checks of the case itself
    if cfg["preset"] == "hf-4.37-cast-bf16":
        want_rebuild = "rebuild" in name
        # ropelab's recipe stages say which table it served: the rebuild uses the torch bf16 arange.
        ropelab_rebuild = manifest["stages"]["positions"] == "torch_arange"
        if got["rebuilt"] != want_rebuild or ropelab_rebuild != want_rebuild:
            counts["rebuild/init path (self-check)"] = (f"torch rebuilt={got['rebuilt']}, ropelab positions stage "
                                                        f"{manifest['stages']['positions']}")
        if want_rebuild and not got.get("arange_ne_rn"):
            counts["positions with bf16 arange != RN_bf16(m) (self-check)"] = "none: case does not reach them"
    info = f"n={positions.size}"
    if "arange_ne_rn" in got:
        info += f", {got['arange_ne_rn']} positions with torch bf16 arange != RN_bf16(m)"
    diagnosis = None
    if counts["omega"] != 0 and not isinstance(counts["omega"], str):
        # Diagnosis (does not change the verdict): run the same torch code with ropelab's omega in place of the
        # one torch computed. If everything else then agrees, the only disagreement is the omega (pow) stage.
        again = run_torch(dict(cfg, omega_override=torch.from_numpy(emu["omega"]).float()), k_vec, positions)
        rest = {}
        for table in ("cos", "sin"):
            full = f64(again[table])
            rest[table] = mismatches(full[:, :pairs] if again["dup_table"] else full, emu[table])[0]
        rest["angle"] = mismatches(f64(again["angle"]), emu["angle"])[0]
        rest["key"] = mismatches(f64(again["key"]), emu["key"])[0]
        which = np.flatnonzero(f64(got["omega"]).view(np.uint64) != emu["omega"].view(np.uint64))
        diagnosis = (f"omega differs at pairs {which.tolist()}; with ropelab's omega substituted into the torch "
                     f"code the other arrays mismatch: {rest}")
    return counts, notes, info, diagnosis


def main():
    ropelab = sys.argv[1]
    wanted = sys.argv[2:]
    torch.set_num_threads(1)
    capability = [l for l in torch.__config__.show().splitlines() if "CPU capability usage" in l]
    print(f"torch {torch.__version__}, {capability[0].strip() if capability else 'CPU capability unknown'}, "
          f"threads {torch.get_num_threads()}")
    if not capability or "AVX2" not in capability[0]:
        print("FAIL: torch does not run its AVX2 kernels here (the SLEEF AVX2 trig model would not apply)")
        return 1
    failed = False
    start = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, cfg) in enumerate(CONFIGS.items()):
            if wanted and not any(name.startswith(w) for w in wanted):
                continue
            t0 = time.time()
            counts, notes, info, diagnosis = check(ropelab, index, name, cfg, tmp)
            print(f"{name} [{cfg['preset']}] positions {cfg['positions']} ({info}, {time.time() - t0:.1f} s)")
            for array, count in counts.items():
                note = notes.get(array)
                print(f"  {array:12s} mismatches: {count}" + (f"  ({note})" if note else ""))
                failed |= count != 0
            if diagnosis:
                print(f"  diagnosis: {diagnosis}")
    print(f"total {time.time() - start:.1f} s")
    print("FAIL" if failed else "torch 1.13 live RoPE reproduced bit for bit by ropelab emulate")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
