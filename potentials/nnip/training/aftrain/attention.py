"""The attention-based potential (EScAIP family), as the PyTorch reference the engine's
Kokkos kernels (potentials/nnip/attention/attention.cpp) must reproduce. Deviations from the
EScAIP v1 paper are listed in docs/nnip_attention.md.

Each atom i sees the sequence of its edges i <- j inside the cutoff (padded to the
largest count, masked). Node stream x (N, H), edge stream e (N, M, H).

    u_ij   = envelope(d_ij)                       smooth weight, 0 at the cutoff
    R_c(d) = u(d) sum_k gauss_k(d) W_b[k, c]      learned radial weights, c < boo_channels
    Q_i,clm = sum_j R_c(d_ij) Y_lm(r_ij/d_ij) / avg   bond-orientational order (BOO)
    boo_i  = |Q_i,cl|^2 / (2l + 1), l = 0..l_boo    (boo_channels x (l_boo + 1) per atom)
    a_i    = onehot(s_i) W_emb
    e_ij   = RMSNorm([GELU(gauss(d_ij) W_d + b_d), a_j, a_i, boo_j, boo_i] W_in + b_in)
    x_i    = a_i
    each block (pre-norm):
        m_ij  = GELU(rms(e_ij) W_e + rms(x_j) W_s + rms(x_i) W_t + b_m)   message
        q, k, v = m W_q, m W_k, m W_v                               heads of width H/heads
        a_ijk = u_ik exp(q_ij.k_ik / sqrt(dh)) / sum_k' u_ik' exp(q_ij.k_ik' / sqrt(dh))
        t_ij  = (sum_k a_ijk v_ik) W_o
        e_ij += t_ij;   x_i += sum_j u_ij t_ij / avg
        x_i  += FFN(rms(x_i));   e_ij += FFN(rms(e_ij)) (not in the last block)
    E_i = scale[s_i] * (GELU([x^0, x^1, ..., x^B]_i W_h + b_h) . w_out) + shift[s_i]

The envelope enters every path by which edge (i, j) reaches the energy (attention weight
as a key, node update, BOO), so energy and forces are continuous as neighbors cross the
cutoff; no neighbor is ever dropped. GELU is the tanh form; FFN(z) = GELU(z W1 + b1) W2 + b2
with H -> 2H -> H. Forces and stress are autograd gradients (conservative).
"""
import math
from dataclasses import asdict, dataclass

import torch

from .model import energy_forces_stress, envelope, so3_harmonics

EPS_RMS = 1e-6


@dataclass
class AttentionHyper:
    species: list
    r_cut: float = 4.0
    hidden: int = 32
    heads: int = 4
    n_layers: int = 2
    n_gauss: int = 16
    l_boo: int = 3          # <= 3
    boo_channels: int = 8   # learned radial weights of the BOO features
    p_envelope: int = 6
    avg_neighbors: float = 10.0
    architecture: str = "attention"


def gelu(z):
    return torch.nn.functional.gelu(z, approximate="tanh")


def rms_norm(z, g):
    return z / torch.sqrt(torch.mean(z * z, dim=-1, keepdim=True) + EPS_RMS) * g


def pad_index(receiver, n):
    """(N, M) edge index per receiver slot (-1 where padded), edges in their given order."""
    counts = torch.bincount(receiver, minlength=n)
    m = int(counts.max()) if len(receiver) else 0
    order = torch.argsort(receiver, stable=True)
    first = torch.cumsum(counts, 0) - counts
    slot = torch.arange(len(receiver)) - first[receiver[order]]
    idx = torch.full((n, max(m, 1)), -1, dtype=torch.long)
    idx[receiver[order], slot] = order
    return idx


def neighbor_attention(q, k, v, u, heads):
    """Multi-head self-attention over each atom's neighbor sequence, keys weighted by u.
    q, k, v (N, M, H); u (N, M), 0 on padding. Returns (N, M, H). The naive form: the
    (N, heads, M, M) weights are materialised."""
    N, M, H = q.shape
    dh = H // heads
    qh, kh, vh = (t.view(N, M, heads, dh).transpose(1, 2) for t in (q, k, v))
    s = qh @ kh.transpose(-1, -2) / math.sqrt(dh)                     # (N, heads, M, M)
    key_ok = (u > 0)[:, None, None, :]
    smax = torch.where(key_ok, s, torch.full_like(s, -torch.inf)).amax(-1, keepdim=True).detach()
    smax = torch.where(torch.isfinite(smax), smax, torch.zeros_like(smax))  # a constant shift
    # Padded keys (u = 0) get the logit smax: weight exactly 0, never 0 * inf.
    w = u[:, None, None, :] * torch.exp(torch.where(key_ok, s, smax) - smax)
    z = w.sum(-1, keepdim=True)
    a = w / torch.where(z > 0, z, torch.ones_like(z))
    return (a @ vh).transpose(1, 2).reshape(N, M, H)


class AttentionModel(torch.nn.Module):
    def __init__(self, hyper: AttentionHyper, dtype=torch.float64, seed=0):
        super().__init__()
        self.h = hyper
        g = torch.Generator().manual_seed(seed)
        H, S, G, LB = hyper.hidden, len(hyper.species), hyper.n_gauss, hyper.l_boo + 1
        assert H % hyper.heads == 0, "hidden must be a multiple of heads"

        def lin(a, b):
            return torch.nn.Parameter(torch.randn(a, b, generator=g, dtype=dtype) / math.sqrt(a))

        def vec(n, value=0.0):
            return torch.nn.Parameter(torch.full((n,), value, dtype=dtype))

        self.w_emb = torch.nn.Parameter(torch.randn(S, H, generator=g, dtype=dtype))
        CB = hyper.boo_channels
        self.w_d, self.b_d = lin(G, H), vec(H)
        self.w_b = lin(G, CB)
        self.w_in, self.b_in, self.g_in = lin(3 * H + 2 * CB * LB, H), vec(H), vec(H, 1.0)
        self.blocks = torch.nn.ModuleList()
        for _ in range(hyper.n_layers):
            b = torch.nn.Module()
            b.g_x, b.g_e, b.g_fn, b.g_fe = vec(H, 1.0), vec(H, 1.0), vec(H, 1.0), vec(H, 1.0)
            b.w_e, b.w_s, b.w_t, b.b_m = lin(H, H), lin(H, H), lin(H, H), vec(H)
            b.w_q, b.w_k, b.w_v, b.w_o = lin(H, H), lin(H, H), lin(H, H), lin(H, H)
            b.w_n1, b.b_n1, b.w_n2, b.b_n2 = lin(H, 2 * H), vec(2 * H), lin(2 * H, H), vec(H)
            b.w_f1, b.b_f1, b.w_f2, b.b_f2 = lin(H, 2 * H), vec(2 * H), lin(2 * H, H), vec(H)
            self.blocks.append(b)
        nr = (hyper.n_layers + 1) * H
        self.w_h, self.b_h, self.w_out = lin(nr, H), vec(H), torch.nn.Parameter(
            torch.randn(H, generator=g, dtype=dtype) / math.sqrt(H))
        self.scale = torch.nn.Parameter(torch.ones(S, dtype=dtype))
        self.shift = torch.nn.Parameter(torch.zeros(S, dtype=dtype))
        self.register_buffer("mu", torch.linspace(0.0, hyper.r_cut, G, dtype=dtype))

    def atomic_energies(self, species, receiver, sender, vec):
        """species (N,), edges i <- j as receiver/sender (E,), vec = r_j - r_i (E, 3)."""
        hp = self.h
        N, H = species.shape[0], hp.hidden
        d = torch.linalg.norm(vec, dim=1)
        u = envelope(d, hp.r_cut, hp.p_envelope)
        sigma = hp.r_cut / (hp.n_gauss - 1)
        gauss = torch.exp(-0.5 * ((d[:, None] - self.mu) / sigma) ** 2)
        Y = so3_harmonics(vec / d[:, None], hp.l_boo)
        R = u[:, None] * (gauss @ self.w_b)                                 # (E, CB)
        Q = vec.new_zeros(N, hp.boo_channels, Y.shape[1]).index_add(0, receiver, R[:, :, None] * Y[:, None, :])
        Q = Q / hp.avg_neighbors
        boo = torch.stack([(Q[:, :, l * l:(l + 1) ** 2] ** 2).sum(2) / (2 * l + 1) for l in range(hp.l_boo + 1)], 2)
        boo = boo.reshape(N, -1)                                            # (N, CB * (l_boo + 1)), c major
        a = torch.nn.functional.one_hot(species, len(hp.species)).to(vec.dtype) @ self.w_emb
        z = torch.cat([gelu(gauss @ self.w_d + self.b_d), a[sender], a[receiver], boo[sender], boo[receiver]], 1)
        e_flat = rms_norm(z @ self.w_in + self.b_in, self.g_in)
        idx = pad_index(receiver, N)
        mask = idx >= 0
        safe = idx.clamp(min=0)
        e = e_flat[safe] * mask[..., None]
        up = u[safe] * mask
        snd = sender[safe]
        x = a
        readouts = [x]
        for k, b in enumerate(self.blocks):
            xn = rms_norm(x, b.g_x)
            m = gelu(rms_norm(e, b.g_e) @ b.w_e + (xn @ b.w_s)[snd] + (xn @ b.w_t)[:, None, :] + b.b_m)
            t = neighbor_attention(m @ b.w_q, m @ b.w_k, m @ b.w_v, up, hp.heads) @ b.w_o
            e = e + t
            x = x + (up[..., None] * t).sum(1) / hp.avg_neighbors
            x = x + gelu(rms_norm(x, b.g_fn) @ b.w_n1 + b.b_n1) @ b.w_n2 + b.b_n2
            if k < len(self.blocks) - 1:
                e = e + (gelu(rms_norm(e, b.g_fe) @ b.w_f1 + b.b_f1) @ b.w_f2 + b.b_f2) * mask[..., None]
            readouts.append(x)
        out = gelu(torch.cat(readouts, 1) @ self.w_h + self.b_h) @ self.w_out
        return self.scale[species] * out + self.shift[species]

    def forward(self, species, positions, cell, receiver, sender, shifts, stress=True):
        """As EquivariantModel.forward: energy, forces, stress (ASE sign)."""
        return energy_forces_stress(self, species, positions, cell, receiver, sender, shifts, stress)


# Parameter names of the model file, in the order the engine reads them (weights/NAME).
BLOCK_WEIGHTS = ("g_x", "g_e", "g_fn", "g_fe", "w_e", "w_s", "w_t", "b_m", "w_q", "w_k", "w_v", "w_o",
                 "w_n1", "b_n1", "w_n2", "b_n2", "w_f1", "b_f1", "w_f2", "b_f2")
TOP_WEIGHTS = ("w_emb", "w_d", "b_d", "w_b", "w_in", "b_in", "g_in", "w_h", "b_h", "w_out", "scale", "shift")


def named_weights(model):
    """(file name, parameter) pairs of an AttentionModel."""
    out = [(n, getattr(model, n)) for n in TOP_WEIGHTS]
    for k, b in enumerate(model.blocks):
        out += [(f"block{k}/{n}", getattr(b, n)) for n in BLOCK_WEIGHTS]
    return out


def hyper_dict(h):
    return asdict(h)
