"""The learned crystal sampler's network and flow (issue 22; schema: docs/learned_sampler.md).

A flow-matching model over fractional coordinates (periodic linear interpolant, as
OMatG/FlowMM) and the lattice's shape (k: the traceless part of log sqrt(G), G = C Cᵀ the
metric, in an orthonormal basis of five symmetric matrices; the cell's scale is left to the
generator's volume per atom). The network is CSPNet-like (DiffCSP): a fully connected graph
per structure, messages from (h_i, h_j, Fourier features of f_j - f_i, k), mean
aggregation, residual node updates; atoms described by continuous element descriptors
next to an embedding of the trained elements (unseen elements get the "unknown" row). Only
fractional differences and k enter, so the model is invariant to rotations, translations
and atom order by construction.

The engine (samplers/learned/) evaluates the same network in Kokkos; `sample()` here is
the reference sampler it must reproduce: noise from the engine's counter-based generator
(`Stream`, src/rng.hpp), `steps` Euler steps from t = 0 to 1.
"""
import math
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

# Orthonormal (Frobenius) basis of traceless symmetric 3x3 matrices.
_S2, _S6 = math.sqrt(2.0), math.sqrt(6.0)
BASIS = np.array([
    [[1 / _S2, 0, 0], [0, -1 / _S2, 0], [0, 0, 0]],
    [[1 / _S6, 0, 0], [0, 1 / _S6, 0], [0, 0, -2 / _S6]],
    [[0, 1 / _S2, 0], [1 / _S2, 0, 0], [0, 0, 0]],
    [[0, 0, 1 / _S2], [0, 0, 0], [1 / _S2, 0, 0]],
    [[0, 0, 0], [0, 0, 1 / _S2], [0, 1 / _S2, 0]],
])
MAX_Z = 96
DESCRIPTORS = ("covalent_radius", "electronegativity", "row", "group", "log_mass")


@dataclass
class FlowHyper:
    elements: list = field(default_factory=list)  # trained elements (symbols): embedding rows 1..
    hidden: int = 64
    layers: int = 4
    n_freq: int = 8      # Fourier frequencies of fractional differences, per axis
    t_freq: int = 8      # sinusoidal time features
    embed: int = 16      # embedding width of the trained elements
    sigma_k: float = 0.3  # prior width of the lattice shape k (set from the data)


def element_table():
    """Normalised descriptors of elements 1..MAX_Z (row 0 unused): [MAX_Z + 1, len(DESCRIPTORS)]."""
    from ase.data import atomic_masses, covalent_radii
    import warnings

    from pymatgen.core.periodic_table import Element
    warnings.filterwarnings("ignore", message="No electronegativity")
    t = np.zeros((MAX_Z + 1, len(DESCRIPTORS)))
    for z in range(1, MAX_Z + 1):
        e = Element.from_Z(z)
        chi = e.X if e.X == e.X and e.X > 0 else 1.5  # noble gases have none: a neutral value
        t[z] = [covalent_radii[z], chi, e.row, e.group, math.log(atomic_masses[z])]
    mu, sd = t[1:].mean(axis=0), t[1:].std(axis=0)
    t[1:] = (t[1:] - mu) / sd
    return t


def wrap_centered(d):
    """The nearest periodic image of a fractional difference (ties upward, as the engine)."""
    return d - torch.floor(d + 0.5)


def lattice_shape(cell):
    """k (5) and volume of a cell (rows are lattice vectors)."""
    g = np.asarray(cell) @ np.asarray(cell).T
    w, v = np.linalg.eigh(g)
    s = (v * (0.5 * np.log(w))) @ v.T  # log sqrt(G)
    s -= np.trace(s) / 3 * np.eye(3)
    return np.einsum("aij,ij->a", BASIS, s), abs(np.linalg.det(cell))


def shape_cell(k, volume):
    """A cell (symmetric matrix, rows lattice vectors) of shape k and the given volume."""
    s = np.einsum("a,aij->ij", np.asarray(k), BASIS)
    w, v = np.linalg.eigh(s)
    return (v * np.exp(w)) @ v.T * volume ** (1 / 3)


class CrystalFlow(nn.Module):
    def __init__(self, h: FlowHyper, table=None):
        super().__init__()
        self.h = h
        t = element_table() if table is None else table
        self.register_buffer("table", torch.as_tensor(t))
        # Z -> embedding row (0: unknown element).
        rows = torch.zeros(MAX_Z + 1, dtype=torch.long)
        from ase.data import atomic_numbers
        for r, sym in enumerate(h.elements):
            rows[atomic_numbers[sym]] = r + 1
        self.register_buffer("rows", rows)
        H = h.hidden
        self.embed = nn.Embedding(len(h.elements) + 1, h.embed)
        self.inp = nn.Linear(h.embed + len(DESCRIPTORS) + 2 * h.t_freq + 6, H)
        self.norm = nn.ModuleList(nn.LayerNorm(H) for _ in range(h.layers))
        self.edge1 = nn.ModuleList(nn.Linear(2 * H + 6 * h.n_freq + 5, H) for _ in range(h.layers))
        self.edge2 = nn.ModuleList(nn.Linear(H, H) for _ in range(h.layers))
        self.node1 = nn.ModuleList(nn.Linear(2 * H, H) for _ in range(h.layers))
        self.node2 = nn.ModuleList(nn.Linear(H, H) for _ in range(h.layers))
        self.out_x = nn.Linear(H, 3)
        self.out_k = nn.Linear(H, 5)

    def time_features(self, t):
        w = math.pi / 2 * 2.0 ** torch.arange(self.h.t_freq, dtype=t.dtype)
        return torch.cat([torch.sin(t[:, None] * w), torch.cos(t[:, None] * w)], dim=1)

    def forward(self, z, graph, frac, k, t, drop_embedding=None):
        """Velocities (frac [n, 3], k [B, 5]) of a batch: z [n] atomic numbers, graph [n]
        structure index, frac [n, 3], k [B, 5], t [B]."""
        B = k.shape[0]
        counts = torch.bincount(graph, minlength=B).to(frac.dtype)
        rows = self.rows[z]
        if drop_embedding is not None:
            rows = torch.where(drop_embedding, torch.zeros_like(rows), rows)
        feat = [self.embed(rows), self.table[z].to(frac.dtype), self.time_features(t)[graph],
                torch.log(counts)[graph][:, None], k[graph]]
        h = self.inp(torch.cat(feat, dim=1))
        # Every ordered pair i != j of a structure.
        same = graph[:, None] == graph[None, :]
        same.fill_diagonal_(False)
        recv, send = same.nonzero(as_tuple=True)
        d = wrap_centered(frac[send] - frac[recv])
        f = 2 * math.pi * d[:, :, None] * torch.arange(1, self.h.n_freq + 1, dtype=frac.dtype)
        edge_in = torch.cat([torch.sin(f).flatten(1), torch.cos(f).flatten(1), k[graph[recv]]], dim=1)
        deg = torch.clamp(counts - 1, min=1)[graph][:, None]
        act = nn.functional.silu
        for l in range(self.h.layers):
            x = self.norm[l](h)
            m = act(self.edge2[l](act(self.edge1[l](torch.cat([x[recv], x[send], edge_in], dim=1)))))
            agg = torch.zeros_like(h).index_add_(0, recv, m) / deg
            h = h + act(self.node2[l](act(self.node1[l](torch.cat([x, agg], dim=1)))))
        vx = self.out_x(h)
        mean_x = torch.zeros(B, 3, dtype=h.dtype).index_add_(0, graph, vx) / counts[:, None]
        mean_h = torch.zeros(B, h.shape[1], dtype=h.dtype).index_add_(0, graph, h) / counts[:, None]
        return vx - mean_x[graph], self.out_k(mean_h)


def named_weights(model: CrystalFlow):
    """The exported weights, by the names of the model file (docs/learned_sampler.md)."""
    out = [("embed", model.embed.weight), ("input.weight", model.inp.weight), ("input.bias", model.inp.bias)]
    for l in range(model.h.layers):
        for name, mod in (("norm", model.norm[l]), ("edge1", model.edge1[l]), ("edge2", model.edge2[l]),
                          ("node1", model.node1[l]), ("node2", model.node2[l])):
            out += [(f"layer{l}/{name}.weight", mod.weight), (f"layer{l}/{name}.bias", mod.bias)]
    out += [("out_x.weight", model.out_x.weight), ("out_x.bias", model.out_x.bias),
            ("out_k.weight", model.out_k.weight), ("out_k.bias", model.out_k.bias)]
    return out


def save_flow(model: CrystalFlow, path, training=None):
    import json

    import h5py
    h = model.h
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "atomforge-crystal-flow"
        f.attrs["version"] = 1
        f.attrs["elements"] = np.array([s.encode() for s in h.elements], dtype=h5py.string_dtype())
        hy = f.create_group("hyper")
        for k in ("hidden", "layers", "n_freq", "t_freq", "embed"):
            hy.attrs[k] = int(getattr(h, k))
        hy.attrs["sigma_k"] = float(h.sigma_k)
        hy.attrs["json"] = json.dumps(asdict(h))
        w = f.create_group("weights")
        w.create_dataset("element_table", data=model.table.detach().cpu().double().numpy())
        for name, t in named_weights(model):
            w.create_dataset(name, data=t.detach().cpu().double().numpy())
        if training:
            g = f.create_group("training")
            for k, v in training.items():
                g.attrs[k] = v if not isinstance(v, (dict, list)) else json.dumps(v)


def load_flow(path, dtype=torch.float64):
    import json

    import h5py
    with h5py.File(path, "r") as f:
        h = FlowHyper(**json.loads(f["hyper"].attrs["json"]))
        model = CrystalFlow(h, table=f["weights/element_table"][()])
        flat = {}
        f["weights"].visititems(lambda n, d: flat.__setitem__(n, d[()]) if isinstance(d, h5py.Dataset) else None)
    model = model.to(dtype)
    with torch.no_grad():
        for name, t in named_weights(model):
            t.copy_(torch.as_tensor(flat[name], dtype=dtype))
    return model


class Stream:
    """src/rng.hpp's rng::Stream (SplitMix64 keys), bit for bit."""
    M = (1 << 64) - 1

    @staticmethod
    def mix(z):
        z = (z + 0x9E3779B97F4A7C15) & Stream.M
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & Stream.M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & Stream.M
        return z ^ (z >> 31)

    def __init__(self, seed, step, stream):
        m = Stream.mix
        self.key = m(m(m(m(seed & Stream.M) ^ step) ^ ((1 << 64) - 1)) ^ stream)
        self.n = 0

    def uniform(self):
        self.n += 1
        return ((Stream.mix(self.key ^ self.n) >> 11) + 0.5) * (1.0 / 9007199254740992.0)

    def normal(self):
        u1, u2 = self.uniform(), self.uniform()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(6.283185307179586476925 * u2)


LEARNED_STREAM = 0x6C726E  # "lrn"


def prior(h: FlowHyper, n_atoms, seed, index, attempt=0):
    """Initial fractional coordinates and k of proposal `index` (the engine's draws; a
    sample whose atoms cannot be separated is redrawn with the next attempt)."""
    r = Stream(seed, index, LEARNED_STREAM + (attempt << 24))
    frac = np.array([[r.uniform() for _ in range(3)] for _ in range(n_atoms)])
    k = np.array([h.sigma_k * r.normal() for _ in range(5)])
    return frac, k


@torch.no_grad()
def integrate(model, z, frac, k, steps):
    """Euler from t = 0 to 1 for one structure (float64 tensors); returns frac in [0,1), k."""
    z = torch.as_tensor(np.asarray(z), dtype=torch.long)
    x = torch.as_tensor(frac, dtype=torch.float64).clone()
    kk = torch.as_tensor(k, dtype=torch.float64).clone()[None]
    graph = torch.zeros(len(z), dtype=torch.long)
    dt = 1.0 / steps
    for s in range(steps):
        t = torch.full((1,), s * dt, dtype=torch.float64)
        vx, vk = model(z, graph, x, kk, t)
        x = x + dt * vx
        x = x - torch.floor(x)
        kk = kk + dt * vk
    return x.numpy(), kk[0].numpy()
