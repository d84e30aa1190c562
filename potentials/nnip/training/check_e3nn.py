"""Compares aftrain.so3 with e3nn where e3nn is installed (not on Debian; the GPU
machine's Python has it): spherical harmonics (normalize=True, 'component') for
l <= 4 and wigner_3j for every coupling with l <= 4. Prints the largest differences;
exit 1 if any exceeds 1e-12.   python3 potentials/nnip/training/check_e3nn.py"""
import os
import sys

import numpy as np
import torch
from e3nn import o3

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from aftrain import so3  # noqa: E402

torch.set_default_dtype(torch.float64)
v = np.random.default_rng(5).normal(size=(500, 3))
ours = so3.spherical_harmonics(v / np.linalg.norm(v, axis=1, keepdims=True), 4)
theirs = o3.spherical_harmonics(list(range(5)), torch.from_numpy(v), normalize=True, normalization="component").numpy()
d_sh = np.abs(ours - theirs).max()
d_cg, n = 0.0, 0
for l1 in range(5):
    for l2 in range(5):
        for l3 in range(abs(l1 - l2), min(l1 + l2, 4) + 1):
            d_cg = max(d_cg, np.abs(so3.wigner_3j(l1, l2, l3) - o3.wigner_3j(l1, l2, l3).numpy()).max())
            n += 1
import e3nn  # noqa: E402
print(f"e3nn {e3nn.__version__}: spherical harmonics l<=4 max |diff| {d_sh:.2e}; {n} wigner_3j tables l<=4 max |diff| {d_cg:.2e}")
sys.exit(0 if max(d_sh, d_cg) <= 1e-12 else 1)
