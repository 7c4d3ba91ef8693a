// The attention score kernels (contracts in attention_kernels.hpp). Compiled once per Highway target
// (foreach_target.h); one dynamic dispatch per call (a head's whole key range).
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "attention/attention_kernels.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "attention/attention_kernels.hpp"
#include <type_traits>

#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace ropelab::attention::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;
using detail::kTileKeys;

void Fp32Scores(const float* HWY_RESTRICT q, std::size_t d, const float* HWY_RESTRICT keys, std::size_t tiles,
                float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const std::size_t lanes = hn::Lanes(df);
  for (std::size_t t = 0; t < tiles; ++t) {
    const float* tile = keys + t * d * kTileKeys;
    for (std::size_t w = 0; w < kTileKeys; w += lanes) {
      auto acc = hn::Zero(df);
      for (std::size_t x = 0; x < d; ++x) {
        acc = hn::Add(acc, hn::Mul(hn::Set(df, q[x]), hn::LoadU(df, tile + x * kTileKeys + w)));
      }
      hn::StoreU(acc, df, out + t * kTileKeys + w);
    }
  }
}

void Fp32ChunkedScores(const float* HWY_RESTRICT q, std::size_t d, const float* HWY_RESTRICT keys, std::size_t tiles,
                       std::size_t chunk, float* HWY_RESTRICT out) {
  const hn::ScalableTag<float> df;
  const std::size_t lanes = hn::Lanes(df);
  for (std::size_t t = 0; t < tiles; ++t) {
    const float* tile = keys + t * d * kTileKeys;
    for (std::size_t w = 0; w < kTileKeys; w += lanes) {
      auto acc = hn::Zero(df);
      for (std::size_t x0 = 0; x0 < d; x0 += chunk) {
        const std::size_t x1 = x0 + chunk < d ? x0 + chunk : d;
        auto c = hn::Zero(df);
        for (std::size_t x = x0; x < x1; ++x) {
          c = hn::Add(c, hn::Mul(hn::Set(df, q[x]), hn::LoadU(df, tile + x * kTileKeys + w)));
        }
        acc = hn::Add(acc, c);
      }
      hn::StoreU(acc, df, out + t * kTileKeys + w);
    }
  }
}

void ExactScores(const double* HWY_RESTRICT q, std::size_t d, const double* HWY_RESTRICT keys, std::size_t tiles,
                 double* HWY_RESTRICT hi, double* HWY_RESTRICT lo) {
  const hn::ScalableTag<double> dd;
  const std::size_t lanes = hn::Lanes(dd);
  for (std::size_t t = 0; t < tiles; ++t) {
    const double* tile = keys + t * d * kTileKeys;
    for (std::size_t w = 0; w < kTileKeys; w += lanes) {
      auto s = hn::Zero(dd), e = hn::Zero(dd);
      for (std::size_t x = 0; x < d; ++x) {
        const auto p = hn::Mul(hn::Set(dd, q[x]), hn::LoadU(dd, tile + x * kTileKeys + w));  // exact
        // TwoSum (Knuth): s + p = sum + err exactly.
        const auto sum = hn::Add(s, p);
        const auto bp = hn::Sub(sum, s);
        const auto err = hn::Add(hn::Sub(s, hn::Sub(sum, bp)), hn::Sub(p, bp));
        s = sum;
        e = hn::Add(e, err);
      }
      // Normalise (FastTwoSum-free): report hi = fl(s + e), lo = the exact remainder.
      const auto h = hn::Add(s, e);
      const auto bv = hn::Sub(h, s);
      const auto l = hn::Add(hn::Sub(s, hn::Sub(h, bv)), hn::Sub(e, bv));
      hn::StoreU(h, dd, hi + t * kTileKeys + w);
      hn::StoreU(l, dd, lo + t * kTileKeys + w);
    }
  }
}

// Loads floats for tag d (a float descriptor) from binary32 values or from bf16 bit patterns (<< 16, exact).
template <class D>
HWY_INLINE hn::Vec<D> LoadFloats(D d, const float* HWY_RESTRICT p) {
  return hn::LoadU(d, p);
}
template <class D>
HWY_INLINE hn::Vec<D> LoadFloats(D d, const std::uint16_t* HWY_RESTRICT p) {
  const hn::RebindToUnsigned<D> du;
  const hn::Rebind<std::uint16_t, D> d16;
  return hn::BitCast(d, hn::ShiftLeft<16>(hn::PromoteTo(du, hn::LoadU(d16, p))));
}
inline float ScalarFloat(float x) { return x; }
inline float ScalarFloat(std::uint16_t bits) {
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &wide, sizeof f);
  return f;
}

// TwoSum (Knuth): s + p = sum + err exactly, on every target (no FMA).
template <class V>
HWY_INLINE void TwoSumInto(V& s, V& e, V p) {
  const V sum = hn::Add(s, p);
  const V bp = hn::Sub(sum, s);
  e = hn::Add(e, hn::Add(hn::Sub(s, hn::Sub(sum, bp)), hn::Sub(p, bp)));
  s = sum;
}

template <class T>
void Fp32AndExactScoresT(const float* HWY_RESTRICT qf, const double* HWY_RESTRICT qd, std::size_t d,
                         const T* HWY_RESTRICT keys, std::size_t tiles, float* HWY_RESTRICT out,
                         double* HWY_RESTRICT hi, double* HWY_RESTRICT lo) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> dh;  // as many floats as dd has doubles
  const std::size_t lanes = hn::Lanes(dd);
  for (std::size_t t = 0; t < tiles; ++t) {
    const T* tile = keys + t * d * kTileKeys;
    for (std::size_t w = 0; w < kTileKeys; w += lanes) {
      auto acc = hn::Zero(dh);
      auto s = hn::Zero(dd), e = hn::Zero(dd);
      for (std::size_t x = 0; x < d; ++x) {
        const auto k = LoadFloats(dh, tile + x * kTileKeys + w);
        acc = hn::Add(acc, hn::Mul(hn::Set(dh, qf[x]), k));
        TwoSumInto(s, e, hn::Mul(hn::Set(dd, qd[x]), hn::PromoteTo(dd, k)));
      }
      hn::StoreU(acc, dh, out + t * kTileKeys + w);
      auto h = s;
      auto l = hn::Zero(dd);
      TwoSumInto(h, l, e);
      hn::StoreU(h, dd, hi + t * kTileKeys + w);
      hn::StoreU(l, dd, lo + t * kTileKeys + w);
    }
  }
}

template <class T>
void PvFp32T(const float* HWY_RESTRICT p, const T* HWY_RESTRICT v, std::size_t rows, std::size_t d,
             float* HWY_RESTRICT o) {
  const hn::ScalableTag<float> df;
  const std::size_t lanes = hn::Lanes(df);
  std::size_t i = 0;
  for (; i + lanes <= d; i += lanes) {
    auto acc = hn::LoadU(df, o + i);
    for (std::size_t j = 0; j < rows; ++j) acc = hn::Add(acc, hn::Mul(hn::Set(df, p[j]), LoadFloats(df, v + j * d + i)));
    hn::StoreU(acc, df, o + i);
  }
  for (; i < d; ++i) {  // the same two roundings per step, one lane at a time
    float acc = o[i];
    for (std::size_t j = 0; j < rows; ++j) {
      const float product = p[j] * ScalarFloat(v[j * d + i]);
      acc = acc + product;
    }
    o[i] = acc;
  }
}

// Both PV passes over one chunk of rows at once (one read of V): the emulated fp32 accumulation of PvFp32T and the
// exact TwoSum accumulation of PvExact, each output lane in the same order as the separate kernels.
template <class T>
void PvFp32AndExactT(const float* HWY_RESTRICT p, const double* HWY_RESTRICT w, const T* HWY_RESTRICT v,
                     std::size_t rows, std::size_t d, float* HWY_RESTRICT o, double* HWY_RESTRICT hi,
                     double* HWY_RESTRICT lo) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;  // as many floats as doubles
  const std::size_t lanes = hn::Lanes(dd);
  std::size_t i = 0;
  for (; i + lanes <= d; i += lanes) {
    auto acc = hn::LoadU(df, o + i);
    auto s = hn::LoadU(dd, hi + i), e = hn::LoadU(dd, lo + i);
    for (std::size_t j = 0; j < rows; ++j) {
      const auto value = LoadFloats(df, v + j * d + i);
      acc = hn::Add(acc, hn::Mul(hn::Set(df, p[j]), value));
      TwoSumInto(s, e, hn::Mul(hn::Set(dd, w[j]), hn::PromoteTo(dd, value)));
    }
    hn::StoreU(acc, df, o + i);
    hn::StoreU(s, dd, hi + i);
    hn::StoreU(e, dd, lo + i);
  }
  for (; i < d; ++i) {
    float acc = o[i];
    double s = hi[i], e = lo[i];
    for (std::size_t j = 0; j < rows; ++j) {
      const float value = ScalarFloat(v[j * d + i]);
      const float product = p[j] * value;
      acc = acc + product;
      const double t = w[j] * static_cast<double>(value);
      const double sum = s + t, bt = sum - s;
      e += (s - (sum - bt)) + (t - bt);
      s = sum;
    }
    o[i] = acc;
    hi[i] = s;
    lo[i] = e;
  }
}
void PvFp32AndExactBf16(const float* p, const double* w, const std::uint16_t* v, std::size_t rows, std::size_t d,
                        float* o, double* hi, double* lo) {
  PvFp32AndExactT(p, w, v, rows, d, o, hi, lo);
}
void PvFp32AndExactF32(const float* p, const double* w, const float* v, std::size_t rows, std::size_t d, float* o,
                       double* hi, double* lo) {
  PvFp32AndExactT(p, w, v, rows, d, o, hi, lo);
}

template <class T>
void PvExact(const double* HWY_RESTRICT w, const T* HWY_RESTRICT v, std::size_t rows, std::size_t d,
             double* HWY_RESTRICT hi, double* HWY_RESTRICT lo) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;
  const std::size_t lanes = hn::Lanes(dd);
  const auto load = [&](const T* at) {
    if constexpr (std::is_same_v<T, double>) {
      return hn::LoadU(dd, at);
    } else {
      return hn::PromoteTo(dd, LoadFloats(df, at));
    }
  };
  std::size_t i = 0;
  for (; i + lanes <= d; i += lanes) {
    auto s = hn::LoadU(dd, hi + i), e = hn::LoadU(dd, lo + i);
    for (std::size_t j = 0; j < rows; ++j) TwoSumInto(s, e, hn::Mul(hn::Set(dd, w[j]), load(v + j * d + i)));
    hn::StoreU(s, dd, hi + i);
    hn::StoreU(e, dd, lo + i);
  }
  for (; i < d; ++i) {
    double s = hi[i], e = lo[i];
    for (std::size_t j = 0; j < rows; ++j) {
      double value;
      if constexpr (std::is_same_v<T, double>) value = v[j * d + i]; else value = ScalarFloat(v[j * d + i]);
      const double p = w[j] * value;
      const double sum = s + p, bp = sum - s;
      e += (s - (sum - bp)) + (p - bp);
      s = sum;
    }
    hi[i] = s;
    lo[i] = e;
  }
}
void Fp32AndExactScores(const float* qf, const double* qd, std::size_t d, const float* keys, std::size_t tiles,
                        float* out, double* hi, double* lo) {
  Fp32AndExactScoresT(qf, qd, d, keys, tiles, out, hi, lo);
}
void Fp32AndExactScoresBf16(const float* qf, const double* qd, std::size_t d, const std::uint16_t* keys,
                            std::size_t tiles, float* out, double* hi, double* lo) {
  Fp32AndExactScoresT(qf, qd, d, keys, tiles, out, hi, lo);
}
void PvFp32(const float* p, const float* v, std::size_t rows, std::size_t d, float* o) { PvFp32T(p, v, rows, d, o); }
void PvFp32Bf16(const float* p, const std::uint16_t* v, std::size_t rows, std::size_t d, float* o) {
  PvFp32T(p, v, rows, d, o);
}
void PvExactBf16(const double* w, const std::uint16_t* v, std::size_t rows, std::size_t d, double* hi, double* lo) {
  PvExact(w, v, rows, d, hi, lo);
}
void PvExactF32(const double* w, const float* v, std::size_t rows, std::size_t d, double* hi, double* lo) {
  PvExact(w, v, rows, d, hi, lo);
}
void PvExactF64(const double* w, const double* v, std::size_t rows, std::size_t d, double* hi, double* lo) {
  PvExact(w, v, rows, d, hi, lo);
}

const char* KernelTarget() { return hwy::TargetName(HWY_TARGET); }

}  // namespace ropelab::attention::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ropelab::attention::detail {

HWY_EXPORT(Fp32Scores);
HWY_EXPORT(ExactScores);
HWY_EXPORT(Fp32ChunkedScores);
HWY_EXPORT(KernelTarget);
HWY_EXPORT(Fp32AndExactScores);
HWY_EXPORT(PvFp32);
HWY_EXPORT(PvExactF32);
HWY_EXPORT(PvExactF64);
HWY_EXPORT(Fp32AndExactScoresBf16);
HWY_EXPORT(PvFp32Bf16);
HWY_EXPORT(PvExactBf16);
HWY_EXPORT(PvFp32AndExactBf16);
HWY_EXPORT(PvFp32AndExactF32);

void pv_fp32_and_exact(const float* p, const double* w, const std::uint16_t* v, std::size_t rows, std::size_t d,
                       float* o, double* hi, double* lo) {
  HWY_DYNAMIC_DISPATCH(PvFp32AndExactBf16)(p, w, v, rows, d, o, hi, lo);
}
void pv_fp32_and_exact(const float* p, const double* w, const float* v, std::size_t rows, std::size_t d, float* o,
                       double* hi, double* lo) {
  HWY_DYNAMIC_DISPATCH(PvFp32AndExactF32)(p, w, v, rows, d, o, hi, lo);
}

void fp32_and_exact_scores(const float* qf, const double* qd, std::size_t d, const std::uint16_t* keys,
                           std::size_t tiles, float* out, double* hi, double* lo) {
  HWY_DYNAMIC_DISPATCH(Fp32AndExactScoresBf16)(qf, qd, d, keys, tiles, out, hi, lo);
}
void pv_fp32(const float* p, const std::uint16_t* v, std::size_t rows, std::size_t d, float* o) {
  HWY_DYNAMIC_DISPATCH(PvFp32Bf16)(p, v, rows, d, o);
}
void pv_exact(const double* w, const std::uint16_t* v, std::size_t rows, std::size_t d, double* hi, double* lo) {
  HWY_DYNAMIC_DISPATCH(PvExactBf16)(w, v, rows, d, hi, lo);
}

void fp32_and_exact_scores(const float* qf, const double* qd, std::size_t d, const float* keys, std::size_t tiles,
                           float* out, double* hi, double* lo) {
  HWY_DYNAMIC_DISPATCH(Fp32AndExactScores)(qf, qd, d, keys, tiles, out, hi, lo);
}
void pv_fp32(const float* p, const float* v, std::size_t rows, std::size_t d, float* o) {
  HWY_DYNAMIC_DISPATCH(PvFp32)(p, v, rows, d, o);
}
void pv_exact_f32(const double* w, const float* v, std::size_t rows, std::size_t d, double* hi, double* lo) {
  HWY_DYNAMIC_DISPATCH(PvExactF32)(w, v, rows, d, hi, lo);
}
void pv_exact_f64(const double* w, const double* v, std::size_t rows, std::size_t d, double* hi, double* lo) {
  HWY_DYNAMIC_DISPATCH(PvExactF64)(w, v, rows, d, hi, lo);
}

void fp32_scores(const float* q, std::size_t d, const float* keys, std::size_t tiles, float* out) {
  HWY_DYNAMIC_DISPATCH(Fp32Scores)(q, d, keys, tiles, out);
}

void fp32_chunked_scores(const float* q, std::size_t d, const float* keys, std::size_t tiles, std::size_t chunk,
                         float* out) {
  HWY_DYNAMIC_DISPATCH(Fp32ChunkedScores)(q, d, keys, tiles, chunk, out);
}

void exact_scores(const double* q, std::size_t d, const double* keys, std::size_t tiles, double* hi, double* lo) {
  HWY_DYNAMIC_DISPATCH(ExactScores)(q, d, keys, tiles, hi, lo);
}

const char* attention_kernel_target() { return HWY_DYNAMIC_DISPATCH(KernelTarget)(); }

}  // namespace ropelab::attention::detail
#endif
