"""The engine's attention potential (Kokkos) against its PyTorch reference with the same
exported weights, through the real deck path (issue 6, acceptance 2 and 3):
- 20 random structures (those of test_equivariant_engine: two species, triclinic cells,
  cells smaller than the cutoff): energy, forces, stress to 1e-9 relative (float64);
  float32 compute within 1e-4;
- a cluster rotated, translated and permuted: energy invariant and forces covariant to
  1e-10 (float64);
- forces and stress equal central differences of the engine's own energy (positions and
  strain) to 1e-6 relative;
- energy and forces continuous as a neighbor crosses the cutoff (both sides of r_c); two
  copies farther apart than the cutoff have twice the energy (1e-12);
- the loader's one-line errors (a wrong weight shape, an equivariant-only option, a
  bad fuse_last_block or backend).
CPU builds run the host back end with the last block fused (forward and reverse in one
kernel); the H 32 model is also checked with fuse_last_block: false, and both widths with
backend: portable (the kernels GPU builds run), which must also equal the host back end
to 1e-10 relative."""
import os
import sys

import h5py
import numpy as np
import torch
from ase.io import read, write

from common import SOURCE_DIR, Checks, run_atomforge, workdir, write_deck
from nnip_engine_checks import check_engine_properties, cluster_symmetry, engine, structures

sys.path.insert(0, os.path.join(SOURCE_DIR, "potentials", "nnip", "training"))
from aftrain.attention import AttentionHyper, AttentionModel  # noqa: E402
from aftrain.export import load_model, save_model  # noqa: E402
from aftrain.model import as_tensors  # noqa: E402

torch.set_num_threads(1)


def make_model(wd, hidden, name):
    h = AttentionHyper(species=["Si", "C"], r_cut=4.0, hidden=hidden, heads=4, n_layers=2, n_gauss=8, l_boo=3,
                       avg_neighbors=12.0)
    model = AttentionModel(h, seed=5)
    with torch.no_grad():
        model.scale.copy_(torch.tensor([1.3, 0.7], dtype=torch.float64))
        model.shift.copy_(torch.tensor([-4.1, -7.2], dtype=torch.float64))
    path = os.path.join(wd, name)
    save_model(model, path)
    return h, load_model(path), path  # what the file holds, as the engine reads it


def against_pytorch(c, wd, h, model, path, tag, **options):
    """Engine = PyTorch on the 20 structures, float64 and float32 (deck options added);
    returns the engine's float64 frames."""
    worst = {"energy": 0.0, "forces": 0.0, "stress": 0.0}
    f32 = 0.0
    frames = []
    for k, at in enumerate(structures()):
        d = os.path.join(wd, f"{tag}{k}")
        os.makedirs(d)
        write(os.path.join(d, "in.extxyz"), at, format="extxyz")
        at = read(os.path.join(d, "in.extxyz"))
        got = engine(d, "in.extxyz", path, "exact", **options)
        frames.append(got)
        ref = model(**as_tensors(at, h.species, h.r_cut))
        e_ref, f_ref, s_ref = ref["energy"].item(), ref["forces"].detach().numpy(), ref["stress"].detach().numpy()
        R = np.linalg.solve(at.cell[:], got.cell[:])  # the engine may rotate a cell into LAMMPS's frame
        worst["energy"] = max(worst["energy"], abs(got.get_potential_energy() - e_ref) / abs(e_ref))
        worst["forces"] = max(worst["forces"], np.abs(got.get_forces() @ R.T - f_ref).max() / np.abs(f_ref).max())
        worst["stress"] = max(worst["stress"], np.abs(R @ got.get_stress(voigt=False) @ R.T - s_ref).max()
                              / np.abs(s_ref).max())
        s32 = engine(d, "in.extxyz", path, "f32", precision="float32", **options)
        f32 = max(f32, abs(s32.get_potential_energy() - e_ref) / abs(e_ref),
                  np.abs(s32.get_forces() @ R.T - f_ref).max() / np.abs(f_ref).max())
    label = f"H {h.hidden}" + "".join(f", {k}: {v}" for k, v in options.items())
    for key, v in worst.items():
        c.check(v <= 1e-9, f"{label}, 20 structures: {key} equal PyTorch to {v:.1e} relative (<= 1e-9)")
    c.check(f32 <= 1e-4, f"{label}, precision float32: energy and forces within {f32:.1e} relative of PyTorch "
            "float64 (<= 1e-4)")
    return frames


def same_frames(c, label, a, b):
    """Two back ends' float64 frames agree to 1e-10 relative (energy, forces, stress)."""
    de = max(abs(x.get_potential_energy() - y.get_potential_energy()) / abs(y.get_potential_energy())
             for x, y in zip(a, b))
    df = max(np.abs(x.get_forces() - y.get_forces()).max() / np.abs(y.get_forces()).max() for x, y in zip(a, b))
    ds = max(np.abs(x.get_stress() - y.get_stress()).max() / np.abs(y.get_stress()).max() for x, y in zip(a, b))
    c.check(max(de, df, ds) <= 1e-10, f"{label}, 20 structures: energy {de:.1e}, forces {df:.1e}, stress {ds:.1e} "
            "relative (<= 1e-10)")


def main():
    c = Checks("attention_engine")
    wd = workdir("attention_engine")
    # H 16 runs the kernels' generic widths; H 32 the compile-time one CPU builds dispatch.
    # CPU builds fuse the last block's forward and reverse (attention_last.cpp); the
    # unfused path, which GPU builds run, is checked too.
    # The portable back end (the code GPU builds run, compiled for the CPU) against
    # PyTorch and against the host back end.
    h32, model32, path32 = make_model(wd, 32, "model32.h5")
    host32 = against_pytorch(c, wd, h32, model32, path32, "w")
    against_pytorch(c, wd, h32, model32, path32, "u", fuse_last_block=False)
    portable32 = against_pytorch(c, wd, h32, model32, path32, "p", backend="portable")
    same_frames(c, "H 32, portable back end = host back end", portable32, host32)
    h, model, path = make_model(wd, 16, "model.h5")
    host16 = against_pytorch(c, wd, h, model, path, "s")
    portable16 = against_pytorch(c, wd, h, model, path, "q", backend="portable")
    same_frames(c, "H 16, portable back end = host back end", portable16, host16)

    # Rotation, translation and permutation of a cluster in vacuum.
    de, df = cluster_symmetry(wd, path, "a")
    c.check(de <= 1e-10 and df <= 1e-10, f"rotated, translated, permuted cluster: energy {de:.1e}, forces {df:.1e} (<= 1e-10)")
    # Forces and stress against central differences of the engine's own energy, continuity
    # across the cutoff, two copies farther apart than the cutoff.
    check_engine_properties(c, wd, path, h.r_cut, structures()[1])

    # Loader errors: one line naming the file and the problem, exit 2.
    write(os.path.join(wd, "in.extxyz"), structures()[0], format="extxyz")
    bad = os.path.join(wd, "shape.h5")
    save_model(model, bad)
    with h5py.File(bad, "a") as f:
        del f["weights/block1/w_q"]
        f["weights/block1/w_q"] = np.zeros((16, 8))
    for model_path, options, expected in (
            (bad, {}, "shape.h5: weights/block1/w_q has shape 16x8, expected 16x16"),
            (path, {"radial": "spline"}, "radial: spline is for equivariant models"),
            (path, {"fuse_last_block": "maybe"}, "fuse_last_block"),
            (path, {"backend": "gpu"}, "backend: portable or host")):
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
