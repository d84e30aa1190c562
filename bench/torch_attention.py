"""An independent PyTorch implementation of the attention model, written for speed (issue
25): it reads the exported HDF5 weights itself and shares nothing with aftrain/attention.py
but the real-harmonic convention (aftrain.so3, which fixes what the BOO weights mean).

- every edge quantity lives in the padded (N, M, .) layout from the start (the neighbor
  list sorted by receiver once, outside the timed call), so the BOO sums, the node
  updates and the attention are dense reductions, not scatters;
- the input layer's concatenation as five partial products, the node parts once per
  atom and gathered;
- q, k, v from one H x 3H product; the envelope-weighted attention as a softmax of
  s + log u (padded keys at a large negative logit), batched over atoms and heads;
- forces by autograd.

    /usr/bin/python3 bench/torch_attention.py MODEL.h5 [--check] [--atoms 1000] [--precision float32]

--check compares energy and forces with the reference (aftrain) on a rattled two-species
cell. Otherwise one JSON line: seconds per energy+forces call (median of 3 after a
warm-up), max RSS, edges. bench/nnip_vs_torch.py runs it next to the reference and the
engine."""
import argparse
import json
import math
import os
import sys

import h5py
import numpy as np
import torch

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "potentials", "nnip", "training"))
from aftrain import so3  # noqa: E402  (conventions only)
from torch_equivariant import _datasets, check_or_time  # noqa: E402


def gelu(z):
    return torch.nn.functional.gelu(z, approximate="tanh")


def rms(z, g):
    return z / torch.sqrt((z * z).mean(-1, keepdim=True) + 1e-6) * g


class FastAttention:
    def __init__(self, path, dtype):
        with h5py.File(path) as f:
            hy = json.loads(f["hyper"].attrs["json"])
            self.w = {k: torch.tensor(np.asarray(v), dtype=dtype) for k, v in _datasets(f["weights"])}
        self.hy, self.species, self.rc = hy, list(hy["species"]), float(hy["r_cut"])
        H, CB, LB = hy["hidden"], hy["boo_channels"], hy["l_boo"] + 1
        w = self.w
        rows = np.cumsum([0, H, H, H, CB * LB, CB * LB])  # [gauss part, a_j, a_i, boo_j, boo_i]
        self.w_in = [w["w_in"][rows[k]:rows[k + 1]] for k in range(5)]
        self.mu = torch.linspace(0.0, self.rc, hy["n_gauss"], dtype=dtype)
        self.sigma = self.rc / (hy["n_gauss"] - 1)
        # |Q_l|^2 / (2l + 1) as one product with a (F, l_boo + 1) matrix.
        F = LB * LB
        self.sum_l = torch.zeros(F, LB, dtype=dtype)
        for l in range(LB):
            self.sum_l[l * l:(l + 1) ** 2, l] = 1.0 / (2 * l + 1)
        self.blocks = []
        for b in range(hy["n_layers"]):
            g = {k: w[f"block{b}/{k}"] for k in ("g_x", "g_e", "g_fn", "g_fe", "w_e", "w_s", "w_t", "b_m", "w_o",
                                                  "w_n1", "b_n1", "w_n2", "b_n2", "w_f1", "b_f1", "w_f2", "b_f2")}
            g["w_qkv"] = torch.cat([w[f"block{b}/w_q"], w[f"block{b}/w_k"], w[f"block{b}/w_v"]], 1)
            self.blocks.append(g)

    def energy(self, species, snd, mask, vec):
        hy, w = self.hy, self.w
        N, M = snd.shape
        H, heads, p = hy["hidden"], hy["heads"], hy["p_envelope"]
        dh = H // heads
        vec = torch.where(mask[..., None], vec, torch.ones_like(vec))  # padding: a harmless unit vector
        d = vec.norm(dim=-1)
        x = d / self.rc
        u = (1 - (p + 1) * (p + 2) / 2 * x ** p + p * (p + 2) * x ** (p + 1) - p * (p + 1) / 2 * x ** (p + 2))
        u = torch.where(mask & (x < 1), u, torch.zeros_like(u))
        gauss = torch.exp(-0.5 * ((d[..., None] - self.mu) / self.sigma) ** 2)
        un = vec / d[..., None]
        Y = torch.stack([torch.ones_like(d)] + so3.harmonic_components(un[..., 0], un[..., 1], un[..., 2],
                                                                       hy["l_boo"]), -1)
        R = u[..., None] * (gauss @ w["w_b"])                                   # (N, M, CB)
        Q = torch.einsum("nmc,nmq->ncq", R, Y) / hy["avg_neighbors"]
        boo = ((Q * Q) @ self.sum_l).reshape(N, -1)                           # c major
        a = w["w_emb"][species]
        wi = self.w_in
        e = (gelu(gauss @ w["w_d"] + w["b_d"]) @ wi[0] + (a @ wi[1] + boo @ wi[3])[snd]
             + (a @ wi[2] + boo @ wi[4] + w["b_in"])[:, None, :])
        e = rms(e, w["g_in"]) * mask[..., None]
        logu = torch.where(u > 0, torch.log(torch.where(u > 0, u, torch.ones_like(u))), torch.full_like(u, -1e30))
        xn_list = [a]
        xa = a
        for k, b in enumerate(self.blocks):
            xn = rms(xa, b["g_x"])
            m = gelu(rms(e, b["g_e"]) @ b["w_e"] + (xn @ b["w_s"])[snd] + (xn @ b["w_t"] + b["b_m"])[:, None, :])
            q, kk, v = (t.view(N, M, heads, dh).transpose(1, 2) for t in (m @ b["w_qkv"]).split(H, -1))
            s = q @ kk.transpose(-1, -2) / math.sqrt(dh)
            att = torch.softmax(s + logu[:, None, None, :], -1)
            t = (att @ v).transpose(1, 2).reshape(N, M, H) @ b["w_o"]
            e = e + t
            xa = xa + (u[..., None] * t).sum(1) / hy["avg_neighbors"]
            xa = xa + gelu(rms(xa, b["g_fn"]) @ b["w_n1"] + b["b_n1"]) @ b["w_n2"] + b["b_n2"]
            if k < len(self.blocks) - 1:
                e = e + (gelu(rms(e, b["g_fe"]) @ b["w_f1"] + b["b_f1"]) @ b["w_f2"] + b["b_f2"]) * mask[..., None]
            xn_list.append(xa)
        out = gelu(torch.cat(xn_list, 1) @ w["w_h"] + w["b_h"]) @ w["w_out"]
        return (w["scale"][species] * out + w["shift"][species]).sum()


def padded_graph(atoms, species, rc, dtype):
    """Receivers' neighbor slots: sender (N, M), mask, image shift vectors (N, M, 3)."""
    from ase.neighborlist import primitive_neighbor_list
    i, j, S = primitive_neighbor_list("ijS", atoms.pbc, atoms.cell[:], atoms.positions, rc, self_interaction=False)
    order = np.argsort(i, kind="stable")
    i, j, S = i[order], j[order], S[order]
    n = len(atoms)
    counts = np.bincount(i, minlength=n)
    slot = np.arange(len(i)) - (np.cumsum(counts) - counts)[i]
    M = max(int(counts.max()), 1)
    snd = np.zeros((n, M), dtype=np.int64)
    mask = np.zeros((n, M), dtype=bool)
    shift = np.zeros((n, M, 3))
    snd[i, slot], mask[i, slot], shift[i, slot] = j, True, S @ atoms.cell[:]
    index = {s: k for k, s in enumerate(species)}
    return (torch.tensor([index[s] for s in atoms.get_chemical_symbols()]), torch.tensor(snd), torch.tensor(mask),
            torch.tensor(atoms.positions, dtype=dtype), torch.tensor(shift, dtype=dtype), len(i))


def energy_forces(model, g):
    species, snd, mask, pos, shift, _ = g
    pos = pos.detach().requires_grad_(True)
    e = model.energy(species, snd, mask, pos[snd] + shift - pos[:, None, :])
    (grad,) = torch.autograd.grad(e, pos)
    return e.detach(), -grad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--atoms", type=int, default=1000)
    ap.add_argument("--precision", default="float32")
    args = ap.parse_args()
    dtype = torch.float32 if args.precision == "float32" else torch.float64
    torch.set_flush_denormal(True)
    check_or_time(args, FastAttention(args.model, dtype), dtype, padded_graph, energy_forces, lambda g: g[5])

if __name__ == "__main__":
    main()
