"""The learned crystal sampler (issue 22, acceptance 1): the engine's Kokkos network
(samplers/learned/crystal_flow.*) against the PyTorch model (aftrain.crystal_flow) in
float64, on an untrained model with random weights of three elements.

1. Velocities equal PyTorch's to 1e-10 (relative to the largest) on 20 random batches
   of 1-3 structures with 1-8 atoms of trained and untrained elements, random k and t.
2. A full sampling trajectory (50 Euler steps) from the prior's draws equals PyTorch's
   to 1e-8 — through the Python binding, and through `atomforge generate --mode learned`,
   whose structures are the flow's fractional coordinates and lattice shape k (the
   engine's noise stream reproduced by aftrain.crystal_flow.Stream); the same seed gives
   the same structures; every structure keeps the minimum separations.
3. Decks: `style: mixture` runs a small Si campaign (Stillinger-Weber) whose relaxed
   structures say which generator made each (both appear); a missing, wrong or incomplete
   model file, steps with style symmetric, weights with style learned, a learned cluster
   and contradictory `atomforge generate` options give one line, exit 2."""
import os
import sys

import numpy as np
import torch
from ase.io import read
from ase.neighborlist import neighbor_list

from common import SOURCE_DIR, Checks, run_atomforge, workdir

sys.path.insert(0, os.path.join(SOURCE_DIR, "potentials", "nnip", "training"))
from aftrain.crystal_flow import (CrystalFlow, FlowHyper, integrate, lattice_shape, load_flow,  # noqa: E402
                                  prior, save_flow)

import atomforge  # noqa: E402,F401  (PYTHONPATH: the build's python/ folder, set by ctest)
from atomforge import _core  # noqa: E402


def random_model(path):
    torch.manual_seed(0)
    h = FlowHyper(elements=["Si", "C", "N"], hidden=32, layers=3, n_freq=4, t_freq=4, embed=8, sigma_k=0.3)
    m = CrystalFlow(h).double()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.1 * torch.randn_like(p))
    save_flow(m, path)
    return load_flow(path)


def main():
    c = Checks("learned_sampler")
    wd = workdir("learned_sampler")
    path = os.path.join(wd, "random.h5")
    model = random_model(path)
    rng = np.random.default_rng(1)
    worst = 0.0
    for _ in range(20):
        B = int(rng.integers(1, 4))
        sizes = rng.integers(1, 9, size=B)
        z = rng.choice([6, 7, 14, 32, 8], size=sizes.sum()).astype(np.int32)  # Ge, O untrained
        off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
        frac, k, t = rng.random((sizes.sum(), 3)), 0.3 * rng.standard_normal((B, 5)), rng.random(B)
        graph = torch.as_tensor(np.repeat(np.arange(B), sizes))
        with torch.no_grad():
            vx, vk = model(torch.as_tensor(z).long(), graph, torch.as_tensor(frac), torch.as_tensor(k),
                           torch.as_tensor(t))
        ex, ek = _core.flow_velocity(path, z, off, frac, k, t)
        scale = max(np.abs(vx.numpy()).max(), np.abs(vk.numpy()).max())
        worst = max(worst, max(np.abs(ex - vx.numpy()).max(), np.abs(ek - vk.numpy()).max()) / scale)
    c.check(worst < 1e-10, f"velocities = PyTorch on 20 random batches: worst {worst:.2e} relative (< 1e-10)")

    z = np.array([14] * 4 + [6] * 4, dtype=np.int32)
    f0, k0 = prior(model.h, 8, 7, 3)
    fp, kp = integrate(model, z, f0, k0, 50)
    fe, ke = _core.flow_integrate(path, z, np.array([0, 8], dtype=np.int32), f0, k0[None], 50)
    d = fe - fp
    d -= np.round(d)
    err = max(np.abs(d).max(), np.abs(ke[0] - kp).max())
    c.check(err < 1e-8, f"50-step trajectory (binding) = PyTorch: {err:.2e} (< 1e-8)")

    out = os.path.join(wd, "learned.extxyz")
    args = ["generate", "--composition", "Si4C4", "--mode", "learned", "--model", path, "--steps", "50",
            "--count", "6", "--seed", "11"]
    run_atomforge(args + [out], wd)
    frames = read(out, index=":")
    worst, attempts = 0.0, []
    for idx, at in enumerate(frames):
        k_e, _ = lattice_shape(at.cell[:])
        for attempt in range(20):  # samples with atoms too close together are redrawn
            f0, k0 = prior(model.h, 8, 11, idx, attempt)
            fp, kp = integrate(model, at.numbers, f0, k0, 50)
            if np.abs(k_e - kp).max() < 1e-6:
                break
        attempts.append(attempt)
        d = at.get_scaled_positions(wrap=False) - fp
        d -= np.round(d)
        worst = max(worst, np.abs(d).max(), np.abs(k_e - kp).max())
    c.check(len(frames) == 6 and worst < 1e-8,
            f"atomforge generate --mode learned: 6 structures = PyTorch's samples to {worst:.2e} (< 1e-8; "
            f"draws {attempts})")
    c.check(all(f.info.get("generator") == "learned" for f in frames), "frames labelled generator=learned")
    run_atomforge(args + [out + "2.extxyz"], wd)
    again = read(out + "2.extxyz", index=":")
    c.check(all(np.array_equal(a.positions, b.positions) and np.array_equal(a.cell[:], b.cell[:])
                for a, b in zip(frames, again)), "same seed, same structures")
    need = {(14, 14): 0.7 * 2 * 1.11, (6, 6): 0.7 * 2 * 0.76, (6, 14): 0.7 * (1.11 + 0.76), (14, 6): 0.7 * (1.11 + 0.76)}
    sep = True
    for at in frames:
        i, j, dd = neighbor_list("ijd", at, 1.6)
        sep &= all(x >= need[(at.numbers[a], at.numbers[b])] - 1e-9 for a, b, x in zip(i, j, dd))
    c.check(sep, "every learned structure keeps the minimum separations (0.7 (r_A + r_B), images included)")

    deck = f"""units: metal
seed: 5
potential: {{style: sw, file: Si.sw}}
sample:
  composition: {{Si: 8}}
  generator: {{style: mixture, model: {path}, steps: 10, weights: {{learned: 1, symmetric: 1}},
              volume_per_atom: [14.0, 24.0]}}
  relax: {{fmax: 1.0e-2, max_steps: 300}}
  budget: {{relaxations: 12}}
  batch: 4
output: {{dir: mix}}
"""
    open(os.path.join(wd, "mix.yaml"), "w").write(deck)
    run_atomforge(["sample", "mix.yaml", "-q"], wd, check=True)
    labels = [f.info.get("generator") for f in read(os.path.join(wd, "mix", "relaxed.extxyz"), index=":")]
    c.check(len(labels) == 12 and set(labels) == {"learned", "symmetric"},
            f"mixture campaign: 12 relaxations from both generators ({labels.count('learned')} learned)")

    import h5py
    broken = os.path.join(wd, "broken.h5")
    with h5py.File(path, "r") as src, h5py.File(broken, "w") as dst:
        for k in src.attrs:
            dst.attrs[k] = src.attrs[k]
        src.copy("hyper", dst)
        src.copy("weights", dst)
        del dst["weights/layer1/edge2.weight"]
    bad = {"missing model": ("{style: learned, model: nope.h5}", "nope.h5"),
           "a weight missing": (f"{{style: learned, model: {broken}}}", "weights/layer1/edge2.weight is missing"),
           "learned cluster": (f"{{style: learned, model: {path}, cluster: true}}", "not clusters"),
           "not a flow model": ("{style: learned, model: mix.yaml}", "mix.yaml"),
           "steps with symmetric": ("{style: symmetric, steps: 5}", "steps needs style"),
           "weights with learned": (f"{{style: learned, model: {path}, weights: {{learned: 1}}}}", "needs style: mixture")}
    for what, (gen, needle) in bad.items():
        text = deck.replace(deck[deck.index("  generator:"):deck.index("  relax:")], f"  generator: {gen}\n")
        open(os.path.join(wd, "bad.yaml"), "w").write(text.replace("dir: mix", "dir: bad"))
        r = run_atomforge(["sample", "bad.yaml", "-q"], wd, check=False)
        lines = r.stderr.strip().splitlines()
        c.check(r.returncode == 2 and len(lines) == 1 and needle in lines[0] and "bad.yaml:" in lines[0],
                f"{what}: exit {r.returncode}, '{lines[0] if lines else ''}'")
        c.check(not os.path.exists(os.path.join(wd, "bad")), f"{what}: nothing written")
    for what, extra in {"--spacegroup with learned": ["--mode", "learned", "--model", path, "--spacegroup", "227"],
                        "--steps without learned": ["--steps", "10"],
                        "--model without learned": ["--model", path]}.items():
        r = run_atomforge(["generate", "--composition", "Si8", *extra, "cli_bad.extxyz"], wd, check=False)
        lines = r.stderr.strip().splitlines()
        c.check(r.returncode == 2 and len(lines) == 1 and not os.path.exists(os.path.join(wd, "cli_bad.extxyz")),
                f"generate {what}: exit {r.returncode}, '{lines[0] if lines else ''}'")
    c.done()


if __name__ == "__main__":
    main()
