"""The engine's attention potential (Kokkos) against its PyTorch reference with the same
exported weights, through the real deck path (issue 6, acceptance 2 and 3):
- 20 random structures (those of test_equivariant_engine: two species, triclinic cells,
  cells smaller than the cutoff): energy, forces, stress to 1e-9 relative (float64);
  float32 compute within 1e-4;
- a cluster rotated, translated and permuted: energy invariant and forces covariant to
  1e-10 (float64);
- forces and stress equal central differences of the engine's own energy (positions and
  strain) to 1e-6 relative;
- energy and forces continuous as a neighbor crosses the cutoff (both sides of r_c);
- the loader's one-line errors (a wrong weight shape, an equivariant-only option)."""
import os
import sys

import h5py
import numpy as np
import torch
from ase.io import read, write

from common import SOURCE_DIR, Checks, run_atomforge, workdir, write_deck
from test_equivariant_engine import engine, structures

sys.path.insert(0, os.path.join(SOURCE_DIR, "potentials", "nnip", "training"))
from aftrain.attention import AttentionHyper, AttentionModel  # noqa: E402
from aftrain.export import load_model, save_model  # noqa: E402
from aftrain.model import as_tensors  # noqa: E402

torch.set_num_threads(1)


def write_full(path, symbols, pos, cell=None):
    """Extended XYZ with every digit (ASE keeps 8 decimals)."""
    with open(path, "w") as f:
        head = "Properties=species:S:1:pos:R:3 "
        if cell is None:
            head += 'pbc="F F F"'
        else:
            head = 'Lattice="' + " ".join(f"{v:.17g}" for v in np.asarray(cell).ravel()) + '" ' + head + 'pbc="T T T"'
        f.write(f"{len(pos)}\n{head}\n")
        f.writelines(f"{a} {x:.17g} {y:.17g} {z:.17g}\n" for a, (x, y, z) in zip(symbols, pos))


def main():
    c = Checks("attention_engine")
    wd = workdir("attention_engine")
    h = AttentionHyper(species=["Si", "C"], r_cut=4.0, hidden=16, heads=4, n_layers=2, n_gauss=8, l_boo=3,
                       avg_neighbors=12.0)
    model = AttentionModel(h, seed=5)
    with torch.no_grad():
        model.scale.copy_(torch.tensor([1.3, 0.7], dtype=torch.float64))
        model.shift.copy_(torch.tensor([-4.1, -7.2], dtype=torch.float64))
    path = os.path.join(wd, "model.h5")
    save_model(model, path)
    model = load_model(path)  # what the file holds, as the engine reads it

    worst = {"energy": 0.0, "forces": 0.0, "stress": 0.0}
    f32 = 0.0
    for k, at in enumerate(structures()):
        d = os.path.join(wd, f"s{k}")
        os.makedirs(d)
        write(os.path.join(d, "in.extxyz"), at, format="extxyz")
        at = read(os.path.join(d, "in.extxyz"))
        got = engine(d, "in.extxyz", path, "exact")
        ref = model(**as_tensors(at, h.species, h.r_cut))
        e_ref, f_ref, s_ref = ref["energy"].item(), ref["forces"].detach().numpy(), ref["stress"].detach().numpy()
        R = np.linalg.solve(at.cell[:], got.cell[:])  # the engine may rotate a cell into LAMMPS's frame
        worst["energy"] = max(worst["energy"], abs(got.get_potential_energy() - e_ref) / abs(e_ref))
        worst["forces"] = max(worst["forces"], np.abs(got.get_forces() @ R.T - f_ref).max() / np.abs(f_ref).max())
        worst["stress"] = max(worst["stress"], np.abs(R @ got.get_stress(voigt=False) @ R.T - s_ref).max()
                              / np.abs(s_ref).max())
        s32 = engine(d, "in.extxyz", path, "f32", precision="float32")
        f32 = max(f32, abs(s32.get_potential_energy() - e_ref) / abs(e_ref),
                  np.abs(s32.get_forces() @ R.T - f_ref).max() / np.abs(f_ref).max())
    for key, v in worst.items():
        c.check(v <= 1e-9, f"20 structures: {key} equal PyTorch to {v:.1e} relative (<= 1e-9)")
    c.check(f32 <= 1e-4, f"precision float32: energy and forces within {f32:.1e} relative of PyTorch float64 (<= 1e-4)")

    # Rotation, translation and permutation of a cluster in vacuum.
    rng = np.random.default_rng(4)
    pos = rng.random((12, 3)) * 5.0
    while min(np.linalg.norm(pos[a] - pos[b]) for a in range(12) for b in range(a)) < 1.3:
        pos = rng.random((12, 3)) * 5.0
    sym = rng.choice(["Si", "C"], 12)
    q = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    R = q * np.sign(np.linalg.det(q))
    perm = rng.permutation(12)
    res = []
    for tag, p_, s_ in (("a", pos, sym), ("b", (pos @ R.T + [3.7, -1.2, 8.4])[perm], sym[perm])):
        write_full(os.path.join(wd, f"cl_{tag}.extxyz"), s_, p_)
        o = engine(wd, f"cl_{tag}.extxyz", path, f"cl_{tag}_out")
        res.append((o.get_potential_energy(), o.get_forces()))
    (ea, fa), (eb, fb) = res
    de, df = abs(eb - ea) / abs(ea), np.abs(fb - (fa @ R.T)[perm]).max() / np.abs(fa).max()
    c.check(de <= 1e-10 and df <= 1e-10, f"rotated, translated, permuted cluster: energy {de:.1e}, forces {df:.1e} (<= 1e-10)")

    # Forces and stress against central differences of the engine's energy.
    at = structures()[1]
    cell, symbols = at.cell[:], at.get_chemical_symbols()

    def energy_at(pos, cl, tag="d"):
        write_full(os.path.join(wd, f"fd_{tag}.extxyz"), symbols, pos, cl)
        return engine(wd, f"fd_{tag}.extxyz", path, f"fd_{tag}_out")
    base = energy_at(at.positions, cell, "0")
    R = np.linalg.solve(cell, base.cell[:])
    f0, s0 = base.get_forces() @ R.T, R @ base.get_stress(voigt=False) @ R.T
    hstep, err = 1e-5, 0.0
    for i in range(4):
        for k in range(3):
            es = []
            for sgn in (1, -1):
                p_ = at.positions.copy()
                p_[i, k] += sgn * hstep
                es.append(energy_at(p_, cell).get_potential_energy())
            err = max(err, abs(-(es[0] - es[1]) / (2 * hstep) - f0[i, k]))
    c.check(err / np.abs(f0).max() < 1e-6, f"forces = central differences of the energy ({err / np.abs(f0).max():.1e} relative)")
    vol, serr = abs(np.linalg.det(cell)), 0.0
    for a, b in ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)):
        es = []
        for sgn in (1, -1):
            eps = np.zeros((3, 3))
            eps[a, b] = eps[b, a] = sgn * hstep / (1 if a == b else 2)
            F = np.eye(3) + eps
            es.append(energy_at(at.positions @ F, cell @ F).get_potential_energy())
        fd = (es[0] - es[1]) / (2 * hstep) / vol  # ASE sign: stress = dE/d(strain) / V
        serr = max(serr, abs(fd - s0[a, b]))
    c.check(serr / np.abs(s0).max() < 1e-6, f"stress = central differences of the energy in strain ({serr / np.abs(s0).max():.1e} relative)")

    # A neighbor crossing the cutoff: atom 2 moves along x so that its distance to atom 0
    # goes through r_c (atom 1 stays out of its range); the energy and forces just inside
    # and just outside agree.
    rc = h.r_cut
    base = np.array([[0.0, 0.0, 0.0], [-1.2, 1.9, 0.3]])
    out = {}
    for side, dx in (("in", -1e-6), ("out", 1e-6)):
        p_ = np.vstack([base, [rc + dx, 0.0, 0.0]])
        write_full(os.path.join(wd, f"cut_{side}.extxyz"), ["Si", "C", "Si"], p_)
        o = engine(wd, f"cut_{side}.extxyz", path, f"cut_{side}_out")
        out[side] = (o.get_potential_energy(), o.get_forces())
    de = abs(out["in"][0] - out["out"][0])
    df = np.abs(out["in"][1] - out["out"][1]).max()
    c.check(de < 1e-12 and df < 1e-10, f"across the cutoff (r_c -+ 1e-6): energy jump {de:.1e} eV, force jump {df:.1e} eV/A")

    # Loader errors: one line naming the file and the problem, exit 2.
    write(os.path.join(wd, "in.extxyz"), structures()[0], format="extxyz")
    bad = os.path.join(wd, "shape.h5")
    save_model(model, bad)
    with h5py.File(bad, "a") as f:
        del f["weights/block1/w_q"]
        f["weights/block1/w_q"] = np.zeros((16, 8))
    for model_path, options, expected in (
            (bad, {}, "shape.h5: weights/block1/w_q has shape 16x8, expected 16x16"),
            (path, {"radial": "spline"}, "radial: spline is for equivariant models")):
        write_deck({"units": "metal", "system": {"read": "in.extxyz"},
                    "potential": {"style": "nnip", "model": model_path, **options},
                    "stages": [{"integrator": {"style": "nve"}, "steps": 0}]}, os.path.join(wd, "bad.yaml"))
        p = run_atomforge(["run", "bad.yaml", "-q"], wd, check=False)
        err = p.stderr.strip()
        c.check(p.returncode == 2 and expected in err and len(err.splitlines()) == 1,
                f"{os.path.basename(model_path)} {options}: exit {p.returncode}, '{err}'")
    c.done()


if __name__ == "__main__":
    main()
