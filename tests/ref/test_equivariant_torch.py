"""The PyTorch reference of the equivariant potential (issue 5, acceptance 2, 3, 5 on the
Python side), with random weights on random multi-species triclinic structures:
- energy invariant and forces covariant under a random rotation, a translation and an
  atom permutation: 1e-10 (float64), 1e-4 relative (float32);
- forces and stress equal central finite differences of the energy (1e-6 relative);
- energy and forces continuous as a neighbor crosses the cutoff (the last 1e-6 A before
  it changes energy and force by less than 1e-9 of their scale);
- two copies of a structure farther apart than the cutoff have exactly twice the energy."""
import os
import sys

import numpy as np
import torch
from ase import Atoms

from common import SOURCE_DIR, Checks

sys.path.insert(0, os.path.join(SOURCE_DIR, "potentials", "nnip", "training"))
from aftrain import so3  # noqa: E402
from aftrain.model import EquivariantModel, Hyper, as_tensors  # noqa: E402

torch.set_num_threads(1)


def structure(seed, n=10):
    rng = np.random.default_rng(seed)
    cell = np.array([[5.0, 0, 0], [0.7, 5.2, 0], [-0.4, 0.3, 4.8]]) * (1 + 0.1 * rng.random())
    return Atoms(symbols=rng.choice(["Si", "C"], n), scaled_positions=rng.random((n, 3)), cell=cell, pbc=True)


def evaluate(model, atoms, dtype=torch.float64):
    out = model(**as_tensors(atoms, model.h.species, model.h.r_cut, dtype))
    return out["energy"].item(), out["forces"].detach().numpy(), out["stress"].detach().numpy()


def main():
    c = Checks("equivariant_torch")
    h = Hyper(species=["Si", "C"], r_cut=4.0, l_max=2, l_sh=3, channels=8, n_layers=2)
    for dtype, tol in ((torch.float64, 1e-10), (torch.float32, 1e-4)):
        model = EquivariantModel(h, dtype=dtype, seed=1)
        worst_e = worst_f = 0.0
        for seed in range(3):
            at = structure(seed)
            e, f, _ = evaluate(model, at, dtype)
            R = so3.rotation_matrix(10 + seed)
            rot = at.copy()
            rot.set_cell(at.cell[:] @ R.T, scale_atoms=True)
            er, fr, _ = evaluate(model, rot, dtype)
            tr = at.copy()
            tr.translate([0.3, -1.2, 2.0])
            tr.wrap()
            et, ft, _ = evaluate(model, tr, dtype)
            perm = np.random.default_rng(seed).permutation(len(at))
            ep, fp, _ = evaluate(model, at[perm], dtype)
            scale_e, scale_f = max(abs(e), 1.0), max(np.abs(f).max(), 1e-3)
            worst_e = max(worst_e, abs(er - e) / scale_e, abs(et - e) / scale_e, abs(ep - e) / scale_e)
            worst_f = max(worst_f, np.abs(fr - f @ R.T).max() / scale_f, np.abs(ft - f).max() / scale_f,
                          np.abs(fp - f[perm]).max() / scale_f)
        name = "float64" if dtype == torch.float64 else "float32"
        c.check(worst_e <= tol and worst_f <= tol,
                f"{name}: rotation, translation, permutation: energy {worst_e:.1e}, forces {worst_f:.1e} (<= {tol:g})")

    model = EquivariantModel(h, seed=2)
    at = structure(7)
    e, f, s = evaluate(model, at)
    hh, err = 1e-5, 0.0
    for i in range(len(at)):
        for k in range(3):
            p, m = at.copy(), at.copy()
            p.positions[i, k] += hh
            m.positions[i, k] -= hh
            err = max(err, abs(-(evaluate(model, p)[0] - evaluate(model, m)[0]) / (2 * hh) - f[i, k]))
    c.check(err / np.abs(f).max() < 1e-6, f"forces = finite differences ({err / np.abs(f).max():.1e} relative)")
    err_s, V = 0.0, at.get_volume()
    for a in range(3):
        for b in range(3):
            es = []
            for sign in (1, -1):
                eps = np.zeros((3, 3))
                eps[a, b] = sign * 1e-6
                d = at.copy()
                d.set_cell(at.cell[:] @ (np.eye(3) + eps), scale_atoms=True)
                es.append(evaluate(model, d)[0])
            err_s = max(err_s, abs((es[0] - es[1]) / 2e-6 / V - s[a, b]))
    c.check(err_s / np.abs(s).max() < 1e-6, f"stress = finite differences of strain ({err_s / np.abs(s).max():.1e} relative)")

    # A dimer crossing the cutoff (in a big box): approach from inside.
    def dimer(r):
        return Atoms("SiC", positions=[[0, 0, 0], [r, 0, 0]], cell=[30, 30, 30], pbc=True)
    e_in, f_in, _ = evaluate(model, dimer(h.r_cut - 1e-6))
    e_out, f_out, _ = evaluate(model, dimer(h.r_cut + 1e-6))
    e_mid, f_mid, _ = evaluate(model, dimer(h.r_cut - 0.5))
    scale_e, scale_f = abs(e_mid - e_out) + 1e-300, np.abs(f_mid).max()
    c.check(abs(e_in - e_out) < 1e-9 * scale_e and np.abs(f_in - f_out).max() < 1e-9 * scale_f,
            f"continuous at the cutoff: dE {abs(e_in - e_out):.1e} (scale {scale_e:.1e}), dF {np.abs(f_in - f_out).max():.1e}")

    # Two copies beyond the cutoff: a molecule-like cluster twice in one big box.
    rng = np.random.default_rng(3)
    pos = rng.random((6, 3)) * 3.0
    one = Atoms(symbols=rng.choice(["Si", "C"], 6), positions=pos, cell=[25, 25, 25], pbc=True)
    two = Atoms(symbols=list(one.symbols) * 2, positions=np.vstack([pos, pos + [12.0, 0, 0]]), cell=[25, 25, 25], pbc=True)
    e1, e2 = evaluate(model, one)[0], evaluate(model, two)[0]
    c.check(abs(e2 - 2 * e1) <= 1e-12 * abs(e1), f"two far copies: {e2:.15g} = 2 x {e1:.15g}")
    c.done()


if __name__ == "__main__":
    main()
