"""SO(3) tables of the equivariant potential (issue 5, acceptance 1):
- real spherical harmonics (Python and C++, l <= 4) equal closed forms built from scipy's complex
  harmonics (real form, y polar axis, component normalization) to 1e-12;
- Wigner 3j tensors are orthonormal and complete (1e-12) and intertwine rotations,
  C = D1 D2 D3 C, for random rotations (1e-12), with D^l(R) taken from the harmonics;
- the harmonics rotate as Y(R r) = D(R) Y(r) at points not used to build D (1e-12);
- the C++ tables (tests/tools/so3_tables) equal the Python ones: CG to 1e-15 absolute for
  every coupling with l <= 4, harmonics to 1e-15 relative (float64) and 1e-6 (float32)."""
import os
import subprocess
import sys

import numpy as np
from scipy.special import sph_harm

from common import SOURCE_DIR, Checks

sys.path.insert(0, os.path.join(SOURCE_DIR, "potentials", "nnip", "training"))
from aftrain import so3  # noqa: E402


def closed_form(v, l_max=4):
    """Real harmonics from scipy's complex ones: standard real form with z polar, taken at
    (X, Y, Z) = (z, x, y), times sqrt(4 pi)."""
    X, Y, Z = v[:, 2], v[:, 0], v[:, 1]
    azimuth, polar = np.arctan2(Y, X), np.arccos(np.clip(Z, -1, 1))
    out = []
    for l in range(l_max + 1):
        for m in range(-l, l + 1):
            c = sph_harm(abs(m), l, azimuth, polar)  # scipy: (order, degree, azimuth, polar)
            if m < 0:
                r = np.sqrt(2) * (-1) ** m * c.imag
            elif m > 0:
                r = np.sqrt(2) * (-1) ** m * c.real
            else:
                r = c.real
            out.append(np.sqrt(4 * np.pi) * r)
    return np.stack(out, axis=-1)


def main():
    c = Checks("so3")
    rng = np.random.default_rng(3)
    v = rng.normal(size=(300, 3))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    ref = closed_form(v)
    py = so3.spherical_harmonics(v, 4)
    c.check(np.abs(py - ref).max() < 1e-12, f"Python harmonics = closed forms ({np.abs(py - ref).max():.1e})")
    norms = [np.abs((py[:, l * l:(l + 1) ** 2] ** 2).sum(axis=1) - (2 * l + 1)).max() for l in range(5)]
    c.check(max(norms) < 1e-12, f"component normalization |Y^l|^2 = 2l+1 ({max(norms):.1e})")

    # Orthonormality and completeness of the couplings, for every l1, l2 <= 4.
    worst_o = worst_c = 0.0
    for l1 in range(5):
        for l2 in range(5):
            blocks = {l3: so3.wigner_3j(l1, l2, l3) for l3 in range(abs(l1 - l2), l1 + l2 + 1)}
            for l3, C in blocks.items():
                for l3b, Cb in blocks.items():
                    g = np.einsum("abc,abd->cd", C, Cb)
                    want = np.eye(2 * l3 + 1) / (2 * l3 + 1) if l3 == l3b else 0
                    worst_o = max(worst_o, np.abs(g - want).max())
            comp = sum((2 * l3 + 1) * np.einsum("abc,dec->abde", C, C) for l3, C in blocks.items())
            eye = np.einsum("ad,be->abde", np.eye(2 * l1 + 1), np.eye(2 * l2 + 1))
            worst_c = max(worst_c, np.abs(comp - eye).max())
    c.check(worst_o < 1e-12, f"couplings orthonormal across l3 ({worst_o:.1e})")
    c.check(worst_c < 1e-12, f"couplings complete over (m1, m2) ({worst_c:.1e})")

    worst_i = worst_y = 0.0
    for seed in range(5):
        R = so3.rotation_matrix(100 + seed)
        D = {l: so3.wigner_D(l, R) for l in range(5)}
        for l1 in range(5):
            for l2 in range(5):
                for l3 in range(abs(l1 - l2), min(l1 + l2, 4) + 1):
                    C = so3.wigner_3j(l1, l2, l3)
                    worst_i = max(worst_i, np.abs(np.einsum("ia,jb,kc,abc->ijk", D[l1], D[l2], D[l3], C) - C).max())
        Yr = so3.spherical_harmonics(v @ R.T, 4)
        for l in range(5):
            sl = slice(l * l, (l + 1) ** 2)
            worst_y = max(worst_y, np.abs(Yr[:, sl] - py[:, sl] @ D[l].T).max())
    c.check(worst_i < 1e-12, f"C = D1 D2 D3 C for 5 random rotations, l <= 4 ({worst_i:.1e})")
    c.check(worst_y < 1e-12, f"Y(R r) = D(R) Y(r) at 300 points ({worst_y:.1e})")

    # The engine's tables.
    tool = os.environ.get("AF_SO3_TABLES", "build/bin/so3_tables")
    pts = "\n".join(" ".join(f"{x:.17g}" for x in p) for p in v) + "\n"
    out = subprocess.run([tool], input=pts, capture_output=True, text=True, check=True).stdout.splitlines()
    worst_cg, n_cg, sh64, sh32, grads = 0.0, 0, [], [], []
    for line in out:
        w = line.split()
        if w[0] == "cg":
            l1, l2, l3 = map(int, w[1:4])
            ours = np.array(w[4:], dtype=float).reshape(2 * l1 + 1, 2 * l2 + 1, 2 * l3 + 1)
            worst_cg = max(worst_cg, np.abs(ours - so3.wigner_3j(l1, l2, l3)).max())
            n_cg += 1
        else:
            vals = np.array(w[4:], dtype=float)
            sh64.append(vals[:25])
            sh32.append(vals[25:50])
            grads.append(vals[50:].reshape(25, 3))
    sh64, sh32 = np.array(sh64), np.array(sh32)
    d64 = np.abs(sh64 - py).max() / np.abs(py).max()
    d32 = np.abs(sh32 - py).max() / np.abs(py).max()
    c.check(n_cg > 0 and worst_cg <= 1e-15, f"C++ couplings = Python, {n_cg} tables with l <= 4 ({worst_cg:.1e})")
    c.check(len(sh64) == len(v) and d64 <= 1e-15, f"C++ harmonics (float64) = Python ({d64:.1e} relative)")
    c.check(d32 <= 1e-6, f"C++ harmonics (float32) = Python ({d32:.1e} relative)")
    # The kernels' gradients dY/dr (the polynomials' gradients) against torch autograd of
    # the Python polynomials.
    import torch
    from aftrain.model import so3_harmonics
    t = torch.tensor(v, requires_grad=True)
    Yt = so3_harmonics(t, 4)
    want = np.stack([torch.autograd.grad(Yt[:, q].sum(), t, retain_graph=True)[0].numpy() for q in range(25)], axis=1)
    dg = np.abs(np.array(grads) - want).max() / np.abs(want).max()
    c.check(dg <= 1e-14, f"C++ harmonic gradients (l <= 4) = torch autograd ({dg:.1e} relative)")
    c.done()


if __name__ == "__main__":
    main()
