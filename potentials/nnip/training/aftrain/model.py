"""The equivariant potential (NequIP family), as the PyTorch reference the engine's Kokkos
inference must reproduce. Every operation is written out (no e3nn), in float64 or
float32, so that potentials/nnip/ can mirror it layer by layer.

Features: per atom and per degree l = 0..l_max, C channels of (2l+1) components,
h[l] of shape (N, C, 2l+1); SO(3)-equivariant (rotations), built on aftrain.so3.

    h[0] = onehot(species) W_emb;  h[l>0] = 0
    for each of n_layers interaction blocks:
        x[l]  = h[l] W1[l] / sqrt(C)                                  self-interaction
        m_e[l3] = sum over paths (l1, l2 -> l3):                       edge convolution
                    R_e[path, c] * CG(l1,l2,l3) : x_j[l1][c] (x) Y^l2(r_e/|r_e|)
        M_i[l3] = sum over edges e = (i <- j) of m_e[l3] / avg_neighbors
        y[l]  = M[l] W2[l] / sqrt(C*P_l)   (for l = 0: C scalars + l_max*C gates)
        h[0] += silu(y[0][:C]);  h[l] += y[l] * sigmoid(gate_l)        gate, residual
    E_i = scale[s_i] * (h[0] . w_out / sqrt(C)) + shift[s_i];  E = sum_i E_i

R_e = MLP(bessel(|r_e|) * envelope(|r_e|)) with SiLU and no biases: every weight goes to
zero with the envelope at the cutoff, so energy and forces are continuous there.
Forces and stress are autograd gradients.
"""
import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from . import so3


@dataclass
class Hyper:
    species: list
    r_cut: float = 5.0
    l_max: int = 2          # feature degrees 0..l_max
    l_sh: int = 2           # edge harmonics 0..l_sh (<= 4)
    channels: int = 16
    n_layers: int = 2
    n_bessel: int = 8
    p_envelope: int = 6
    radial_hidden: list = field(default_factory=lambda: [32, 32])
    avg_neighbors: float = 10.0

    def paths(self):
        """(l1, l2, l3) with l1 <= l_max (features), l2 <= l_sh, l3 <= l_max, triangle rule."""
        return [(l1, l2, l3) for l1 in range(self.l_max + 1) for l2 in range(self.l_sh + 1)
                for l3 in range(self.l_max + 1) if abs(l1 - l2) <= l3 <= l1 + l2]


def bessel(d, r_cut, n):
    """sqrt(2/rc) sin(k pi d / rc) / d, k = 1..n; shape (E, n)."""
    k = torch.arange(1, n + 1, dtype=d.dtype, device=d.device)
    return math.sqrt(2.0 / r_cut) * torch.sin(k * math.pi * d[:, None] / r_cut) / d[:, None]


def envelope(d, r_cut, p):
    """NequIP's polynomial cutoff (p = 6): 1 at 0, zero with p continuous derivatives... at rc."""
    x = d / r_cut
    u = (1.0 - (p + 1.0) * (p + 2.0) / 2.0 * x ** p + p * (p + 2.0) * x ** (p + 1)
         - p * (p + 1.0) / 2.0 * x ** (p + 2))
    return u * (x < 1.0)


def silu(x):
    return x * torch.sigmoid(x)


class EquivariantModel(torch.nn.Module):
    def __init__(self, hyper: Hyper, dtype=torch.float64, seed=0):
        super().__init__()
        self.h = hyper
        g = torch.Generator().manual_seed(seed)
        C, S, L = hyper.channels, len(hyper.species), hyper.l_max

        def param(*shape):
            return torch.nn.Parameter(torch.randn(*shape, generator=g, dtype=dtype))

        self.paths = hyper.paths()
        self.w_emb = param(S, C)
        sizes = [hyper.n_bessel] + list(hyper.radial_hidden) + [len(self.paths) * C]
        self.blocks = torch.nn.ModuleList()
        for _ in range(hyper.n_layers):
            b = torch.nn.Module()
            b.radial = torch.nn.ParameterList([param(a, c) for a, c in zip(sizes[:-1], sizes[1:])])
            b.w1 = torch.nn.ParameterList([param(C, C) for _ in range(L + 1)])
            b.w2 = torch.nn.ParameterList([param(C, C + L * C)] + [param(C, C) for _ in range(L)])
            self.blocks.append(b)
        self.w_out = param(C)
        self.scale = torch.nn.Parameter(torch.ones(S, dtype=dtype))
        self.shift = torch.nn.Parameter(torch.zeros(S, dtype=dtype))
        # Path bookkeeping: how many paths end in each l3 (for normalisation).
        self.n_into = [sum(1 for p in self.paths if p[2] == l) for l in range(L + 1)]
        for k, (l1, l2, l3) in enumerate(self.paths):
            self.register_buffer(f"cg{k}", torch.tensor(so3.wigner_3j(l1, l2, l3), dtype=dtype))

    def radial(self, block, d):
        x = bessel(d, self.h.r_cut, self.h.n_bessel) * envelope(d, self.h.r_cut, self.h.p_envelope)[:, None]
        for k, w in enumerate(block.radial):
            x = x @ w / math.sqrt(w.shape[0])
            if k < len(block.radial) - 1:
                x = silu(x)
        return x.view(-1, len(self.paths), self.h.channels)

    def atomic_energies(self, species, receiver, sender, vec):
        """species (N,), edges i <- j as receiver/sender (E,), vec = r_j - r_i (E, 3)."""
        C, L, N = self.h.channels, self.h.l_max, species.shape[0]
        d = torch.linalg.norm(vec, dim=1)
        Y = so3_harmonics(vec / d[:, None], self.h.l_sh)
        Yl = [Y[:, l * l:(l + 1) ** 2] for l in range(self.h.l_sh + 1)]
        h = [torch.nn.functional.one_hot(species, len(self.h.species)).to(vec.dtype) @ self.w_emb]
        h = [h[0][:, :, None]] + [vec.new_zeros(N, C, 2 * l + 1) for l in range(1, L + 1)]
        for b in self.blocks:
            x = [torch.einsum("ncm,cd->ndm", h[l], b.w1[l]) / math.sqrt(C) for l in range(L + 1)]
            R = self.radial(b, d)
            M = [vec.new_zeros(N, C, 2 * l + 1) for l in range(L + 1)]
            for k, (l1, l2, l3) in enumerate(self.paths):
                cg = getattr(self, f"cg{k}")
                m = torch.einsum("eca,eb,abk->eck", x[l1][sender], Yl[l2], cg) * R[:, k, :, None]
                M[l3] = M[l3].index_add(0, receiver, m)
            M = [m / self.h.avg_neighbors for m in M]
            y = [torch.einsum("ncm,cd->ndm", M[l], b.w2[l]) / math.sqrt(C * self.n_into[l]) for l in range(L + 1)]
            scal = y[0][:, :C, :]
            gates = torch.sigmoid(y[0][:, C:, 0]).view(N, L, C)
            h = [h[0] + silu(scal)] + [h[l] + y[l] * gates[:, l - 1, :, None] for l in range(1, L + 1)]
        e = (h[0][:, :, 0] @ self.w_out) / math.sqrt(C)
        return self.scale[species] * e + self.shift[species]

    def forward(self, species, positions, cell, receiver, sender, shifts, stress=True):
        return energy_forces_stress(self, species, positions, cell, receiver, sender, shifts, stress)


def energy_forces_stress(model, species, positions, cell, receiver, sender, shifts, stress=True):
    """Energy, forces and (if asked) stress (ASE sign: dE/d(strain) / V) of one structure
    from a model's atomic_energies; shifts are integer image offsets so that
    r_e = x_j + shifts @ cell - x_i."""
    eps = torch.zeros(3, 3, dtype=positions.dtype, requires_grad=True)
    pos = positions.detach().requires_grad_(True)
    deform = torch.eye(3, dtype=positions.dtype) + eps
    p, c = pos @ deform, cell @ deform
    vec = p[sender] + shifts @ c - p[receiver]
    energy = model.atomic_energies(species, receiver, sender, vec).sum()
    grads = torch.autograd.grad(energy, [pos, eps] if stress else [pos], create_graph=model.training)
    out = {"energy": energy, "forces": -grads[0]}
    if stress:
        out["stress"] = grads[1] / torch.abs(torch.linalg.det(cell))
    return out


def so3_harmonics(unit, l_max):
    """aftrain.so3.spherical_harmonics, in torch (autograd, any dtype)."""
    x, y, z = unit[:, 0], unit[:, 1], unit[:, 2]
    return torch.stack([torch.ones_like(x)] + so3.harmonic_components(x, y, z, l_max), dim=-1)


def neighbor_edges(atoms, r_cut):
    """Edges i <- j within r_cut of an ASE Atoms (all periodic images), as numpy arrays."""
    from ase.neighborlist import primitive_neighbor_list
    i, j, S = primitive_neighbor_list("ijS", atoms.pbc, atoms.cell[:], atoms.positions, r_cut,
                                      self_interaction=False)
    return i, j, S


def hyper_dict(h):
    return asdict(h)


def as_tensors(atoms, species_names, r_cut, dtype=torch.float64):
    i, j, S = neighbor_edges(atoms, r_cut)
    index = {s: k for k, s in enumerate(species_names)}
    return dict(species=torch.tensor([index[s] for s in atoms.get_chemical_symbols()]),
                positions=torch.tensor(atoms.positions, dtype=dtype), cell=torch.tensor(atoms.cell[:], dtype=dtype),
                receiver=torch.tensor(i), sender=torch.tensor(j), shifts=torch.tensor(S, dtype=dtype))


def numpy_harmonics_check():
    """so3_harmonics equals aftrain.so3.spherical_harmonics (used by the tests)."""
    v = np.random.default_rng(1).normal(size=(50, 3))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    a = so3_harmonics(torch.tensor(v), 4).numpy()
    return np.abs(a - so3.spherical_harmonics(v, 4)).max()
