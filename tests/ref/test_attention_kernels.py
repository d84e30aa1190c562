"""The fused attention kernels (team per atom, online softmax forward, FlashAttention-2
backward; on CPUs potentials/nnip/attention/att_lanes.hpp, queries in vector lanes, and the row
kernels of att_fused.hpp that GPU builds run) against a naive kernel that materialises the
weights (tests/tools/attention_check.cpp) and against PyTorch autograd of the reference
(aftrain.attention.neighbor_attention), float64, to 1e-12 (issue 6, acceptance 1).
Random inputs: atoms with 0, 1, 2 and many (60) neighbors, key weights u in (0, 1]
including tiny ones (an edge at the cutoff), and large logits (the online rescaling)."""
import os
import subprocess
import sys

import numpy as np
import torch

from common import SOURCE_DIR, Checks

sys.path.insert(0, os.path.join(SOURCE_DIR, "potentials", "nnip", "training"))
from aftrain.attention import neighbor_attention  # noqa: E402

TOOL = os.environ.get("AF_ATTENTION_CHECK", "build/bin/attention_check")


def main():
    c = Checks("attention_kernels")
    rng = np.random.default_rng(6)
    for H, heads in ((16, 4), (12, 1), (32, 8), (32, 4)):
        counts = np.array([0, 1, 2, 60, 7, 0, 13, 1, 30])
        N, E = len(counts), int(counts.sum())
        q, k, v, go = (rng.normal(size=(E, H)) for _ in range(4))
        q[:E // 3] *= 6.0  # logits of tens: the running maximum must rescale
        u = rng.random(E)
        u[::7] = 10.0 ** rng.uniform(-12, -3, len(u[::7]))  # edges near the cutoff
        lines = [f"{N} {H} {heads}", " ".join(map(str, counts))]
        lines += [" ".join(f"{x:.17g}" for x in np.concatenate([q[e], k[e], v[e], [u[e]], go[e]])) for e in range(E)]
        p = subprocess.run([TOOL], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True,
                           env=dict(os.environ, OMP_NUM_THREADS="2", OMP_PROC_BIND="false"))
        out = p.stdout.split("\n")
        assert out[0] == "fused" and out[E + 1] == "rows" and out[2 * E + 2] == "naive"
        fused, rows, naive = (np.array([list(map(float, line.split())) for line in out[b * (E + 1) + 1:(b + 1) * (E + 1)]])
                              for b in range(3))

        # PyTorch: padded (N, M, H), u = 0 on padding.
        M = int(counts.max())
        idx = np.full((N, M), -1)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        for i in range(N):
            idx[i, :counts[i]] = first[i] + np.arange(counts[i])
        mask = idx >= 0
        safe = np.where(mask, idx, 0)

        def pad(a):
            t = torch.tensor(a[safe] * (mask[..., None] if a.ndim == 2 else mask), dtype=torch.float64)
            return t.requires_grad_(True)
        tq, tk, tv, tu = pad(q), pad(k), pad(v), pad(u)
        o = neighbor_attention(tq, tk, tv, tu, heads)
        (o * pad(go).detach()).sum().backward()
        ref = np.zeros((E, 4 * H + 1))
        for i in range(N):
            for s in range(counts[i]):
                e = first[i] + s
                ref[e] = np.concatenate([o[i, s].detach().numpy(), tq.grad[i, s].numpy(), tk.grad[i, s].numpy(),
                                         tv.grad[i, s].numpy(), [tu.grad[i, s].item()]])
        scale = np.abs(ref).max(axis=0)
        scale = np.maximum(np.array([np.abs(ref[:, b * H:(b + 1) * H]).max() for b in range(4) for _ in range(H)]
                                    + [np.abs(ref[:, -1]).max()]), 1e-300)
        names = ("O", "dE/dQ", "dE/dK", "dE/dV", "dE/du")
        for label, got in (("fused vs naive", np.abs(fused - naive)), ("fused vs PyTorch", np.abs(fused - ref)),
                           ("rows vs naive", np.abs(rows - naive)), ("rows vs PyTorch", np.abs(rows - ref)),
                           ("naive vs PyTorch", np.abs(naive - ref))):
            rel = got / scale
            worst = [rel[:, b * H:(b + 1) * H].max() for b in range(4)] + [rel[:, -1].max()]
            c.check(max(worst) <= 1e-12, f"H {H}, {heads} heads, {label}: "
                    + ", ".join(f"{n} {w:.1e}" for n, w in zip(names, worst)) + " (<= 1e-12 relative)")
    c.done()


if __name__ == "__main__":
    main()
