#include "atomforge/potentials/nnip/so3.hpp"

#include <cmath>
#include <complex>
#include <cstdint>
#include <numeric>

namespace af::nnip {

namespace {

using i128 = __int128;

i128 factorial(int n) {
  i128 f = 1;
  for (int k = 2; k <= n; ++k) f *= k;
  return f;
}

// An exact fraction, kept reduced (values here stay far inside 128 bits for l <= 6).
struct Rational {
  i128 num = 0, den = 1;
  static i128 gcd(i128 a, i128 b) {
    if (a < 0) a = -a;
    while (b != 0) {
      const i128 t = a % b;
      a = b;
      b = t < 0 ? -t : t;
    }
    return a;
  }
  Rational(i128 n = 0, i128 d = 1) : num(n), den(d) { reduce(); }
  void reduce() {
    if (den < 0) num = -num, den = -den;
    const i128 g = gcd(num, den);
    if (g > 1) num /= g, den /= g;
  }
  Rational operator+(const Rational& o) const { return Rational(num * o.den + o.num * den, den * o.den); }
  Rational operator*(const Rational& o) const {
    const i128 g1 = gcd(num, o.den), g2 = gcd(o.num, den);
    return Rational((num / (g1 ? g1 : 1)) * (o.num / (g2 ? g2 : 1)), (den / (g2 ? g2 : 1)) * (o.den / (g1 ? g1 : 1)));
  }
  double to_double() const { return static_cast<double>(static_cast<long double>(num) / static_cast<long double>(den)); }
};

// <j1 m1 j2 m2 | j3 m3>, Racah's formula, exact up to the final square root.
double su2_cg(int j1, int m1, int j2, int m2, int j3, int m3) {
  if (m3 != m1 + m2 || std::abs(m1) > j1 || std::abs(m2) > j2 || std::abs(m3) > j3) return 0.0;
  Rational radicand(static_cast<i128>(2 * j3 + 1) * factorial(j3 + j1 - j2) * factorial(j3 - j1 + j2) *
                        factorial(j1 + j2 - j3),
                    factorial(j1 + j2 + j3 + 1));
  radicand = radicand * Rational(factorial(j3 + m3) * factorial(j3 - m3) * factorial(j1 - m1) * factorial(j1 + m1) *
                                 factorial(j2 - m2) * factorial(j2 + m2));
  Rational total;
  for (int k = 0; k <= j1 + j2 - j3; ++k) {
    const int terms[6] = {k, j1 + j2 - j3 - k, j1 - m1 - k, j2 + m2 - k, j3 - j2 + m1 + k, j3 - j1 - m2 + k};
    i128 den = 1;
    bool ok = true;
    for (int n : terms) {
      if (n < 0) ok = false;
      else den *= factorial(n);
    }
    if (ok) total = total + Rational(k % 2 ? -1 : 1, den);
  }
  const double value = std::sqrt((radicand * total * total).to_double());
  return total.num >= 0 ? value : -value;
}

// e3nn's change of basis (rows: real index, columns: complex m), times (-i)^l.
std::vector<std::complex<double>> real_to_complex(int l) {
  const int n = 2 * l + 1;
  std::vector<std::complex<double>> q(n * n);
  const double h = 1 / std::sqrt(2.0);
  const std::complex<double> i(0, 1);
  for (int m = -l; m < 0; ++m) {
    q[(l + m) * n + (l - m)] = h;
    q[(l + m) * n + (l + m)] = -i * h;
  }
  q[l * n + l] = 1;
  for (int m = 1; m <= l; ++m) {
    const double sign = m % 2 ? -1.0 : 1.0;
    q[(l + m) * n + (l + m)] = sign * h;
    q[(l + m) * n + (l - m)] = i * sign * h;
  }
  std::complex<double> phase = 1;
  for (int k = 0; k < l; ++k) phase *= -i;
  for (auto& v : q) v *= phase;
  return q;
}

}  // namespace

std::vector<double> wigner_3j(int l1, int l2, int l3) {
  if (l3 < std::abs(l1 - l2) || l3 > l1 + l2) return {};
  const int n1 = 2 * l1 + 1, n2 = 2 * l2 + 1, n3 = 2 * l3 + 1;
  const auto q1 = real_to_complex(l1), q2 = real_to_complex(l2), q3 = real_to_complex(l3);
  std::vector<double> c(n1 * n2 * n3, 0.0);
  double norm2 = 0;
  for (int a = 0; a < n1; ++a)
    for (int b = 0; b < n2; ++b)
      for (int cc = 0; cc < n3; ++cc) {
        std::complex<double> s = 0;
        // Only the complex m's that Q couples to a, b, c contribute (at most two each).
        for (int i = 0; i < n1; ++i) {
          if (q1[i * n1 + a] == 0.0) continue;
          for (int k = 0; k < n2; ++k) {
            if (q2[k * n2 + b] == 0.0) continue;
            const int m3 = (i - l1) + (k - l2);
            if (std::abs(m3) > l3) continue;
            const int nn = l3 + m3;
            if (q3[nn * n3 + cc] == 0.0) continue;
            s += q1[i * n1 + a] * q2[k * n2 + b] * std::conj(q3[nn * n3 + cc]) *
                 su2_cg(l1, i - l1, l2, k - l2, l3, m3);
          }
        }
        c[(a * n2 + b) * n3 + cc] = s.real();
        norm2 += s.real() * s.real();
      }
  const double norm = std::sqrt(norm2);
  for (double& v : c) v /= norm;
  return c;
}

}  // namespace af::nnip
