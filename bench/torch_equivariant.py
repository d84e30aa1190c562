"""An independent PyTorch implementation of the equivariant model, written for speed (issue
25): it reads the exported HDF5 weights itself and shares nothing with aftrain/model.py but
the real-harmonic conventions (aftrain.so3's harmonics and Wigner 3j tables, which fix what
the weights mean). Every path, degree and atom is one tensor operation:

- features h (N, C, F), F = (l_max + 1)^2, all degrees side by side;
- the channel mixes as one einsum with the per-degree matrices expanded to F rows;
- the tensor product of every path as one batched product: the edge's harmonics
  contracted with a dense (P, F, F_sh, F) Clebsch-Gordan tensor give U (E, P, F, F); the
  radial weights R (E, P, C) fold the paths, B = R^T U (E, C, F*F); then
  m[e, c, k] = sum_a x_j[e, c, a] B[e, c, a, k] and one index_add over receivers;
- forces by autograd.

    /usr/bin/python3 bench/torch_equivariant.py MODEL.h5 [--check] [--atoms 1000] [--precision float32]
    /usr/bin/python3 bench/torch_equivariant.py --make-issue-model PATH.h5

--make-issue-model writes issue 25's benchmark architecture (l_max 1, l_sh 1, 32
channels, 3 blocks, 8 Bessel functions, radial MLP 8 -> 64 -> 160, r_c 4 A; aftrain,
seed 3) for bench/nnip_vs_torch.py --model and bench/nnip_stages.py --model.

--check compares energy and forces with the reference (aftrain) on a rattled two-cell
structure (1e-5 relative in float32, 1e-10 in float64). Otherwise prints one JSON line:
seconds per energy+forces call (median of 3 after a warm-up), max RSS, edges.
bench/nnip_vs_torch.py runs it next to the reference and the engine."""
import argparse
import json
import math
import os
import resource
import sys
import time

import h5py
import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "potentials", "nnip", "training"))
from aftrain import so3  # noqa: E402  (conventions only)


class FastEquivariant(torch.nn.Module):
    def __init__(self, path, dtype):
        super().__init__()
        with h5py.File(path) as f:
            hy = json.loads(f["hyper"].attrs["json"])
            w = {k: torch.tensor(np.asarray(v), dtype=dtype) for k, v in _datasets(f["weights"])}
        self.species = list(hy["species"])
        self.rc, self.C, self.L, self.Lsh = float(hy["r_cut"]), hy["channels"], hy["l_max"], hy["l_sh"]
        self.nb, self.p, self.avg, self.blocks = hy["n_bessel"], hy["p_envelope"], hy["avg_neighbors"], hy["n_layers"]
        C, L, Lsh = self.C, self.L, self.Lsh
        F, Fsh = (L + 1) ** 2, (Lsh + 1) ** 2
        self.paths = [(a, b, c) for a in range(L + 1) for b in range(Lsh + 1) for c in range(L + 1)
                      if abs(a - b) <= c <= a + b]
        P = len(self.paths)
        cg = torch.zeros(P, F, Fsh, F, dtype=dtype)  # every path's 3j block at its degrees' offsets
        for k, (l1, l2, l3) in enumerate(self.paths):
            cg[k, l1 * l1:(l1 + 1) ** 2, l2 * l2:(l2 + 1) ** 2, l3 * l3:(l3 + 1) ** 2] = torch.tensor(
                so3.wigner_3j(l1, l2, l3), dtype=dtype)
        self.cg = cg
        deg = [l for l in range(L + 1) for _ in range(2 * l + 1)]  # degree of each of the F rows
        n_into = [sum(1 for p in self.paths if p[2] == l) for l in range(L + 1)]
        self.emb, self.readout, self.scale, self.shift = w["embedding"], w["readout"], w["scale"], w["shift"]
        self.radial, self.w1, self.w2v, self.w2g = [], [], [], []
        for b in range(self.blocks):
            layers = [w[f"block{b}/radial{m}"] / math.sqrt(w[f"block{b}/radial{m}"].shape[0])
                      for m in range(len(hy["radial_hidden"]) + 1)]
            self.radial.append(layers)
            w1 = [w[f"block{b}/w1_l{l}"] / math.sqrt(C) for l in range(L + 1)]
            w2 = [w[f"block{b}/w2_l{l}"] / math.sqrt(C * n_into[l]) for l in range(L + 1)]
            self.w1.append(torch.stack([w1[l] for l in deg]))            # (F, C, C)
            self.w2v.append(torch.stack([w2[l][:, :C] for l in deg]))    # (F, C, C): values
            self.w2g.append(w2[0][:, C:])                                # (C, L*C): gates
        self.deg_of_row = torch.tensor(deg)

    def energy(self, species, receiver, sender, vec):
        C, L, N = self.C, self.L, species.shape[0]
        F = (L + 1) ** 2
        d = vec.norm(dim=1)
        u = vec / d[:, None]
        Y = torch.stack([torch.ones_like(d)] + so3.harmonic_components(u[:, 0], u[:, 1], u[:, 2], self.Lsh), dim=1)
        x = d / self.rc
        p = self.p
        env = (1 - (p + 1) * (p + 2) / 2 * x ** p + p * (p + 2) * x ** (p + 1) - p * (p + 1) / 2 * x ** (p + 2))
        k = torch.arange(1, self.nb + 1, dtype=d.dtype)
        basis = math.sqrt(2 / self.rc) * torch.sin(k * math.pi * d[:, None] / self.rc) / d[:, None] * env[:, None]
        U = torch.einsum("eb,pabk->epak", Y, self.cg).reshape(len(d), len(self.paths), F * F)
        h = vec.new_zeros(N, C, F)
        h[:, :, 0] = self.emb[species]
        for b in range(self.blocks):
            xs = torch.einsum("ncq,qcd->ndq", h, self.w1[b])
            r = basis
            for m, wm in enumerate(self.radial[b]):
                r = r @ wm
                if m < len(self.radial[b]) - 1:
                    r = torch.nn.functional.silu(r)
            R = r.view(len(d), len(self.paths), C)
            B = torch.bmm(R.transpose(1, 2), U).view(len(d), C, F, F)        # (E, C, a, k)
            msg = torch.einsum("eca,ecak->eck", xs[sender], B)
            M = vec.new_zeros(N, C, F).index_add_(0, receiver, msg) / self.avg
            y = torch.einsum("ncq,qcd->ndq", M, self.w2v[b])
            gates = torch.sigmoid(M[:, :, 0] @ self.w2g[b]).view(N, L, C) if L else None
            new = torch.nn.functional.silu(y[:, :, :1])
            if L:
                g = gates[:, self.deg_of_row[1:] - 1, :].transpose(1, 2)     # (N, C, F-1)
                new = torch.cat([new, y[:, :, 1:] * g], dim=2)
            h = h + new
        e = h[:, :, 0] @ self.readout / math.sqrt(C)
        return (self.scale[species] * e + self.shift[species]).sum()


def _datasets(group, prefix=""):
    for k, v in group.items():
        if isinstance(v, h5py.Group):
            yield from _datasets(v, prefix + k + "/")
        else:
            yield prefix + k, v[()]


def graph(atoms, species, rc, dtype):
    from ase.neighborlist import primitive_neighbor_list
    i, j, S = primitive_neighbor_list("ijS", atoms.pbc, atoms.cell[:], atoms.positions, rc, self_interaction=False)
    index = {s: k for k, s in enumerate(species)}
    return (torch.tensor([index[s] for s in atoms.get_chemical_symbols()]), torch.tensor(i), torch.tensor(j),
            torch.tensor(atoms.positions, dtype=dtype), torch.tensor(S @ atoms.cell[:], dtype=dtype))


def energy_forces(model, g):
    species, i, j, pos, shift = g
    pos = pos.detach().requires_grad_(True)
    e = model.energy(species, i, j, pos[j] + shift - pos[i])
    (grad,) = torch.autograd.grad(e, pos)
    return e.detach(), -grad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--make-issue-model", metavar="PATH")
    ap.add_argument("--atoms", type=int, default=1000)
    ap.add_argument("--precision", default="float32")
    args = ap.parse_args()
    if args.make_issue_model:
        from aftrain.export import save_model
        from aftrain.model import EquivariantModel, Hyper
        h = Hyper(species=["Si"], r_cut=4.0, l_max=1, l_sh=1, channels=32, n_layers=3, n_bessel=8, radial_hidden=[64],
                  avg_neighbors=16.0)
        save_model(EquivariantModel(h, seed=3), args.make_issue_model)
        return
    dtype = torch.float32 if args.precision == "float32" else torch.float64
    torch.set_flush_denormal(True)
    check_or_time(args, FastEquivariant(args.model, dtype), dtype, graph, energy_forces, lambda g: len(g[1]))


def check_or_time(args, model, dtype, make_graph, energy_forces, n_edges):
    """--check: energy and forces against aftrain's reference on a rattled 64-atom cell;
    else one JSON line of timings (shared with torch_attention.py)."""
    from ase.build import bulk
    if args.check:
        from aftrain.export import load_model
        from aftrain.model import as_tensors
        at = bulk("Si", "diamond", a=5.431, cubic=True).repeat((2, 2, 2))
        at.rattle(0.1, seed=3)
        at.set_chemical_symbols([model.species[k % len(model.species)] for k in range(len(at))])
        ref = load_model(args.model, dtype=dtype)
        out = ref(**as_tensors(at, ref.h.species, ref.h.r_cut, dtype), stress=False)
        e, f = energy_forces(model, make_graph(at, model.species, model.rc, dtype))
        de = abs(e.item() - out["energy"].item()) / abs(out["energy"].item())
        df = ((f - out["forces"]).abs().max() / out["forces"].abs().max()).item()
        print(json.dumps({"energy_rel": de, "forces_rel": df}))
        return
    rep = round((args.atoms / 8) ** (1 / 3))
    at = bulk("Si", "diamond", a=5.431, cubic=True).repeat((rep, rep, rep))
    g = make_graph(at, model.species, model.rc, dtype)
    times = []
    for _ in range(4):
        t0 = time.perf_counter()
        energy_forces(model, g)
        times.append(time.perf_counter() - t0)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": sorted(times[1:])[1], "rss_mb": rss, "edges": n_edges(g)}))

if __name__ == "__main__":
    main()
