"""SO(3) tables for the equivariant potential, in e3nn's conventions so that they can be
checked against e3nn where it is installed (it is not installable here):

- real spherical harmonics, "component" normalization (|Y^l(r)|^2 = 2l+1 on the unit
  sphere), as homogeneous polynomials of (x, y, z). Index order m = -l..l is the standard
  real basis with y as the polar axis: Y^l(x, y, z) = sqrt(4 pi) Y^l_std(z, x, y), where
  Y_std is the usual (Wikipedia) real harmonic with z polar. So Y^1 = sqrt(3) (x, y, z);
- Wigner 3j tensors C[l1, l2, l3] in that real basis: the SU(2) Clebsch-Gordan tensor
  (Racah's formula, Condon-Shortley phases) taken to the real basis with e3nn's
  complex-to-real change of basis (including its (-i)^l factor that makes C real), then
  scaled to unit Frobenius norm.

Plain numpy (float64), so the C++ engine (potentials/nnip/so3.cpp) and the PyTorch
model share one definition; tests/ref/test_so3.py checks both against closed forms,
orthonormality, rotations and each other.
"""
from fractions import Fraction
from functools import lru_cache
from math import factorial, pi, sqrt

import numpy as np

L_MAX = 3


def harmonic_components(x, y, z, l_max=L_MAX):
    """The components of Y^1..Y^l_max as a list, from plain arithmetic on x, y, z, so that
    numpy arrays and torch tensors (autograd) both work; Y^0 = 1 is left to the caller."""
    if l_max > 4:
        raise ValueError("spherical harmonics are implemented up to l = 4")
    # Standard real harmonics use (X, Y, Z) = (z, x, y) of ours: polar axis = our y.
    X, Y, Z = z, x, y
    r2 = X * X + Y * Y
    out = []
    if l_max >= 1:
        c = sqrt(3.0)
        out += [c * Y, c * Z, c * X]
    if l_max >= 2:
        c, c0 = sqrt(15.0), sqrt(5.0) / 2
        out += [c * X * Y, c * Y * Z, c0 * (2 * Z * Z - X * X - Y * Y), c * X * Z, c / 2 * (X * X - Y * Y)]
    if l_max >= 3:
        a, b, d, e = sqrt(70.0) / 4, sqrt(105.0), sqrt(42.0) / 4, sqrt(7.0) / 2
        out += [a * Y * (3 * X * X - Y * Y), b * X * Y * Z, d * Y * (4 * Z * Z - r2), e * Z * (2 * Z * Z - 3 * r2),
                d * X * (4 * Z * Z - r2), b / 2 * Z * (X * X - Y * Y), a * X * (X * X - 3 * Y * Y)]
    if l_max >= 4:
        a4, a3, a2, a1 = 1.5 * sqrt(35.0), 0.75 * sqrt(70.0), 1.5 * sqrt(5.0), 0.75 * sqrt(10.0)
        out += [a4 * X * Y * (X * X - Y * Y), a3 * Y * Z * (3 * X * X - Y * Y), a2 * X * Y * (6 * Z * Z - r2),
                a1 * Y * Z * (4 * Z * Z - 3 * r2), 0.375 * (8 * Z ** 4 - 24 * Z * Z * r2 + 3 * r2 * r2),
                a1 * X * Z * (4 * Z * Z - 3 * r2), a2 / 2 * (X * X - Y * Y) * (6 * Z * Z - r2),
                a3 * X * Z * (X * X - 3 * Y * Y), a4 / 4 * (X ** 4 - 6 * X * X * Y * Y + Y ** 4)]
    return out


def spherical_harmonics(vectors, l_max=L_MAX):
    """Y^0..Y^l_max of each row of `vectors` (shape (..., 3)), concatenated: shape
    (..., (l_max+1)^2). Homogeneous polynomials: pass unit vectors for the values on the
    sphere."""
    v = np.asarray(vectors, dtype=np.float64)
    x, y, z = v[..., 0], v[..., 1], v[..., 2]
    return np.stack([np.ones_like(x)] + harmonic_components(x, y, z, l_max), axis=-1)


def _su2_cg(j1, m1, j2, m2, j3, m3):
    """<j1 m1 j2 m2 | j3 m3> for whole-number j: Racah's formula, exact in rationals up
    to the final square root."""
    if m3 != m1 + m2 or abs(m1) > j1 or abs(m2) > j2 or abs(m3) > j3:
        return 0.0
    f = factorial
    radicand = Fraction((2 * j3 + 1) * f(j3 + j1 - j2) * f(j3 - j1 + j2) * f(j1 + j2 - j3), f(j1 + j2 + j3 + 1))
    radicand *= f(j3 + m3) * f(j3 - m3) * f(j1 - m1) * f(j1 + m1) * f(j2 - m2) * f(j2 + m2)
    total = Fraction(0)
    for k in range(0, j1 + j2 - j3 + 1):
        terms = (k, j1 + j2 - j3 - k, j1 - m1 - k, j2 + m2 - k, j3 - j2 + m1 + k, j3 - j1 - m2 + k)
        if min(terms) < 0:
            continue
        den = 1
        for n in terms:
            den *= f(n)
        total += Fraction((-1) ** k, den)
    # sqrt(radicand) * total with one rounding: sign(total) * sqrt(radicand * total^2).
    value = sqrt(radicand * total * total)
    return value if total >= 0 else -value


def real_to_complex(l):
    """e3nn's change of basis Q (rows: real index, columns: complex m), times (-i)^l."""
    q = np.zeros((2 * l + 1, 2 * l + 1), dtype=np.complex128)
    h = 1 / sqrt(2.0)
    for m in range(-l, 0):
        q[l + m, l - m] = h
        q[l + m, l + m] = -1j * h
    q[l, l] = 1
    for m in range(1, l + 1):
        q[l + m, l + m] = (-1) ** m * h
        q[l + m, l - m] = 1j * (-1) ** m * h
    return (-1j) ** l * q


@lru_cache(maxsize=None)
def wigner_3j(l1, l2, l3):
    """Real-basis coupling tensor of shape (2l1+1, 2l2+1, 2l3+1), unit Frobenius norm
    (zero-size selection rules raise)."""
    if not abs(l1 - l2) <= l3 <= l1 + l2:
        raise ValueError(f"({l1}, {l2}, {l3}) violates the triangle rule")
    cg = np.zeros((2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1))
    for m1 in range(-l1, l1 + 1):
        for m2 in range(-l2, l2 + 1):
            if abs(m1 + m2) <= l3:
                cg[l1 + m1, l2 + m2, l3 + m1 + m2] = _su2_cg(l1, m1, l2, m2, l3, m1 + m2)
    q1, q2, q3 = real_to_complex(l1), real_to_complex(l2), real_to_complex(l3)
    c = np.einsum("ia,kb,nc,ikn->abc", q1, q2, np.conj(q3), cg)
    if np.abs(c.imag).max() > 1e-12:
        raise AssertionError("real-basis coupling is not real")
    c = c.real
    return c / np.linalg.norm(c)


def rotation_matrix(R_or_seed):
    """A random rotation (seeded) or the given 3x3 matrix."""
    if np.ndim(R_or_seed) == 2:
        return np.asarray(R_or_seed, dtype=np.float64)
    q = np.random.default_rng(R_or_seed).normal(size=4)
    q /= np.linalg.norm(q)
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def wigner_D(l, R):
    """D^l(R) in the real basis, from Y^l(R r) = D^l(R) Y^l(r) on 2l+1+8 random points
    (the harmonics are polynomials, so the fit is exact to rounding)."""
    R = rotation_matrix(R)
    pts = np.random.default_rng(12345).normal(size=(2 * l + 9, 3))
    pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    sl = slice(l * l, (l + 1) * (l + 1))
    A = spherical_harmonics(pts, l)[:, sl]          # Y(r_k), rows k
    B = spherical_harmonics(pts @ R.T, l)[:, sl]    # Y(R r_k)
    return np.linalg.lstsq(A, B, rcond=None)[0].T
