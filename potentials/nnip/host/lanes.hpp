// The host back end's hardware primitives, the one home for them (backend.hpp says
// which the target has): 16-lane vector values with exp and reciprocal on them, the
// 16 x 16 register transpose, cache prefetches; huge pages are in huge_pages.hpp. The
// kernels reach them only from code of the host back end.
#pragma once
#include <cmath>
#include <cstddef>

#include "atomforge/potentials/nnip/backend.hpp"

namespace af::nnip::host {

// Prefetch of the cache lines [a, a + bytes) for reading (RW = 0) or writing (RW = 1).
template <int RW>
inline void prefetch_bytes(const void* a, std::size_t bytes) {
#if defined(__GNUC__)
  for (std::size_t q = 0; q < bytes; q += 64) __builtin_prefetch(static_cast<const char*>(a) + q, RW);
#else
  (void)a, (void)bytes;
#endif
}
template <int RW>
inline void prefetch_line(const void* a) {
#if defined(__GNUC__)
  __builtin_prefetch(a, RW);
#else
  (void)a;
#endif
}

#ifdef AF_NNIP_VECTOR_EXT
constexpr int kVecLanes = 16;

// kVecLanes values of T as one vector value (GCC/Clang vector extensions; one 512-bit
// register for float on AVX-512). The kernels' per-lane state (maxima, sums, the
// outputs' accumulators, a head's rows of QT) is held in such values, which the
// compiler keeps in registers (as `omp simd` arrays GCC left them on the stack: a load,
// an FMA and a store per key and accumulator).
template <class T>
struct LaneVecOf {
  typedef T type __attribute__((vector_size(kVecLanes * sizeof(T))));
};
template <class T>
using LaneVec = typename LaneVecOf<T>::type;

template <class T>
inline LaneVec<T> lv_load(const T* p) {
  LaneVec<T> v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
inline void lv_store(T* p, const typename LaneVecOf<T>::type& v) {
  __builtin_memcpy(p, &v, sizeof v);
}
template <class T>
inline LaneVec<T> lv_splat(T a) {
  return LaneVec<T>{} + a;
}
template <class V>
inline V lv_max(const V& a, const V& b) {
  return a > b ? a : b;
}
#ifdef AF_NNIP_AVX512
#define AF_LANES_KEEP(v) __asm__("" : "+v"(v))
#else
#define AF_LANES_KEEP(v) __asm__("" : "+m"(v))
#endif
// exp on every lane (att_kernels.hpp fast_exp's, vectorised): libm's per lane in double (the float64 checks against PyTorch),
// in float the same Cephes reduction and polynomial as fast_exp, on vectors, with n
// rounded to nearest by the 1.5 2^23 shift (19 vector operations where fast_exp's
// inlined loop took 25).
inline LaneVec<double> lv_exp(const LaneVec<double>& x) {
  LaneVec<double> y;
  for (int i = 0; i < kVecLanes; ++i) y[i] = exp(x[i]);
  return y;
}
inline LaneVec<float> lv_exp(const LaneVec<float>& xin) {
  typedef LaneVec<float> V;
  V x = xin;
  typedef int VI __attribute__((vector_size(kVecLanes * sizeof(int))));
  const V lo = lv_splat(-87.0f), hi = lv_splat(88.0f), big = lv_splat(12582912.0f);  // 1.5 2^23
  const VI under = x < lo;  // 0 there, as fast_exp (no subnormals); NaN stays NaN
  x = under ? lo : x;
  x = x > hi ? hi : x;
  // n = nearest integer to x / ln2: adding 1.5 2^23 rounds it into the low mantissa bits
  // (2^n is then built from those bits). The empty asm statements keep t and the first
  // part of x - n ln2 as computed: -fassociative-math (CMakeLists.txt) would cancel
  // big - big and fold the two parts of ln2 into one rounded constant.
  V t = x * 1.44269504088896341f + big;
  AF_LANES_KEEP(t);
  const V n = t - big;
  V r = x + n * -0.693359375f;  // exact
  AF_LANES_KEEP(r);
  r = r + n * 2.12194440e-4f;
  V p = lv_splat(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  VI e;
  __builtin_memcpy(&e, &t, sizeof e);
  e = (e + (127 - 0x4B400000)) << 23;  // 2^n
  V scale;
  __builtin_memcpy(&scale, &e, sizeof scale);
  return under ? V{} : p * scale;
}

// 1 / d on every float lane: on AVX-512 the 14-bit reciprocal estimate and one Newton
// step (relative error ~1e-7, within 2 ulp of the division), where vdivps takes one
// lane group per ~10 cycles on a single port; GELU's sigmoid had one per value.
inline LaneVec<float> lv_recip(const LaneVec<float>& d) {
#ifdef AF_NNIP_AVX512
  const LaneVec<float> r = __builtin_ia32_rcp14ps512_mask(d, LaneVec<float>{}, static_cast<unsigned short>(0xFFFF));
  return r * (2.0f - d * r);
#else
  return 1.0f / d;
#endif
}
#endif  // AF_NNIP_VECTOR_EXT

#if defined(AF_NNIP_AVX512) && defined(AF_NNIP_SHUFFLE)
// dst[c ldd + r] = src[r lds + c] for a 16 x 16 float block, rows r >= n of src read as
// zero: sixteen loads, 64 two-register shuffles and sixteen stores, where the element
// loop made 256 strided loads and stores (a twentieth of a float32 call). Written with
// vector extensions (GCC 12's AVX-512 intrinsics warn of their own undefined values).
inline void transpose16x16(const float* src, int lds, int n, float* dst, int ldd) {
  typedef float V __attribute__((vector_size(64)));
  V r[16], a[16];
  for (int i = 0; i < 16; ++i) {
    r[i] = V{};
    if (i < n) __builtin_memcpy(&r[i], src + i * lds, 64);
  }
  for (int i = 0; i < 8; ++i) {  // 128-bit lane l of a[2i]: r2i[4l], r2i+1[4l], r2i[4l+1], r2i+1[4l+1]
    const V x = r[2 * i], y = r[2 * i + 1];
    a[2 * i] = __builtin_shufflevector(x, y, 0, 16, 1, 17, 4, 20, 5, 21, 8, 24, 9, 25, 12, 28, 13, 29);
    a[2 * i + 1] = __builtin_shufflevector(x, y, 2, 18, 3, 19, 6, 22, 7, 23, 10, 26, 11, 27, 14, 30, 15, 31);
  }
  for (int g = 0; g < 4; ++g) {  // lane l of r[4g + j]: column 4l + j of rows 4g .. 4g + 3
    const V lo0 = a[4 * g], lo1 = a[4 * g + 2], hi0 = a[4 * g + 1], hi1 = a[4 * g + 3];
    r[4 * g] = __builtin_shufflevector(lo0, lo1, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
    r[4 * g + 1] = __builtin_shufflevector(lo0, lo1, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
    r[4 * g + 2] = __builtin_shufflevector(hi0, hi1, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
    r[4 * g + 3] = __builtin_shufflevector(hi0, hi1, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
  }
  for (int j = 0; j < 4; ++j) {  // a 4 x 4 transpose of 128-bit lanes: column 4l + j gets lane l of each group
    const V x0 = __builtin_shufflevector(r[j], r[4 + j], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const V x1 = __builtin_shufflevector(r[j], r[4 + j], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    const V x2 = __builtin_shufflevector(r[8 + j], r[12 + j], 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const V x3 =
        __builtin_shufflevector(r[8 + j], r[12 + j], 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
    const V o[4] = {
        __builtin_shufflevector(x0, x2, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27),
        __builtin_shufflevector(x0, x2, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31),
        __builtin_shufflevector(x1, x3, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27),
        __builtin_shufflevector(x1, x3, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31)};
    for (int l = 0; l < 4; ++l) __builtin_memcpy(dst + (4 * l + j) * ldd, &o[l], 64);
  }
}
#endif

}  // namespace af::nnip::host
