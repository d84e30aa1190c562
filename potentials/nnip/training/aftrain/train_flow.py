"""Trains the learned crystal sampler (aftrain.crystal_flow) on a dataset of relaxed minima
and exports the model file.

    /usr/bin/python3 -m aftrain.train_flow CONFIG.yaml

Config (YAML, paths relative to it): dataset (extended XYZ; frames with info `split`:
train|val and `system`), balance (sqrt: systems drawn in proportion to the square root of
their number of structures; none: every structure alike), model {FlowHyper fields; elements default to the training set's}, optimizer
{lr, batch, max_steps, max_seconds, eval_every, min_lr}, embedding_dropout (fraction of
atoms trained with the "unknown element" row, so unseen elements have a trained fallback),
loss {k: weight of the lattice-shape term}, seed, threads, output (model file).
Adam with cosine decay to min_lr over max_steps or max_seconds, whichever ends first; the weights with the lowest validation
loss are kept (validation at fixed noise draws).
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import yaml

from .crystal_flow import CrystalFlow, FlowHyper, lattice_shape, save_flow, wrap_centered


def load_frames(path):
    from ase.build import niggli_reduce
    from ase.io import read
    out = []
    for at in read(path, index=":"):
        at = at.copy()
        niggli_reduce(at)
        order = np.argsort(at.numbers, kind="stable")
        at = at[order]
        at.wrap()
        k, _ = lattice_shape(at.cell[:])
        out.append({"z": at.numbers.copy(), "frac": at.get_scaled_positions(), "k": k,
                    "split": at.info.get("split", "train"), "system": at.info.get("system", "")})
    return out


def collate(items):
    z = torch.as_tensor(np.concatenate([it["z"] for it in items]))
    graph = torch.as_tensor(np.concatenate([np.full(len(it["z"]), b) for b, it in enumerate(items)]))
    frac = torch.as_tensor(np.concatenate([it["frac"] for it in items]))
    k = torch.as_tensor(np.stack([it["k"] for it in items]))
    return z, graph, frac, k


def flow_loss(model, batch, gen, sigma_k, k_weight, drop=0.0):
    """Conditional flow matching: a random t, noise x0, the interpolant and its velocity."""
    z, graph, x1, k1 = batch
    B = k1.shape[0]
    dtype = x1.dtype
    t = torch.rand(B, generator=gen, dtype=dtype)
    x0 = torch.rand(x1.shape, generator=gen, dtype=dtype)
    k0 = sigma_k * torch.randn(k1.shape, generator=gen, dtype=dtype)
    d = wrap_centered(x1 - x0)
    counts = torch.bincount(graph, minlength=B).to(dtype)
    mean_d = torch.zeros(B, 3, dtype=dtype).index_add_(0, graph, d) / counts[:, None]
    u = d - mean_d[graph]
    xt = x0 + t[graph][:, None] * u
    xt = xt - torch.floor(xt)
    kt = (1 - t[:, None]) * k0 + t[:, None] * k1
    dropmask = torch.rand(len(z), generator=gen) < drop if drop > 0 else None
    vx, vk = model(z, graph, xt, kt, t, drop_embedding=dropmask)
    lx = ((vx - u) ** 2).sum(dim=1).mean()
    lk = ((vk - (k1 - k0)) ** 2).sum(dim=1).mean()
    return lx + k_weight * lk, lx.item(), lk.item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    args = ap.parse_args()
    base = os.path.dirname(os.path.abspath(args.config))
    cfg = yaml.safe_load(open(args.config))
    torch.manual_seed(cfg.get("seed", 0))
    torch.set_num_threads(int(cfg.get("threads", 1)))
    dtype = torch.float32 if cfg.get("dtype", "float32") == "float32" else torch.float64
    frames = load_frames(os.path.join(base, cfg["dataset"]))
    train = [f for f in frames if f["split"] == "train"]
    val = [f for f in frames if f["split"] == "val"]
    hy = dict(cfg.get("model", {}))
    if "elements" not in hy:
        from ase.data import chemical_symbols
        hy["elements"] = sorted({chemical_symbols[z] for f in train for z in f["z"]})
    ks = np.stack([f["k"] for f in train])
    hy.setdefault("sigma_k", float(np.sqrt((ks ** 2).mean())))
    h = FlowHyper(**hy)
    model = CrystalFlow(h).to(dtype)
    opt_cfg = cfg.get("optimizer", {})
    lr, batch = float(opt_cfg.get("lr", 1e-3)), int(opt_cfg.get("batch", 64))
    max_steps, max_seconds = int(opt_cfg.get("max_steps", 20000)), float(opt_cfg.get("max_seconds", 1e9))
    eval_every, min_lr = int(opt_cfg.get("eval_every", 250)), float(opt_cfg.get("min_lr", 1e-5))
    k_weight = float(cfg.get("loss", {}).get("k", 1.0))
    drop = float(cfg.get("embedding_dropout", 0.25))
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(cfg.get("seed", 0))
    rng = np.random.default_rng(cfg.get("seed", 0))

    def cast(b):
        return b[0], b[1], b[2].to(dtype), b[3].to(dtype)

    # Systems drawn in proportion to the square root of their size (balance: sqrt), or
    # uniformly (balance: none): the metals' many orderings would otherwise dominate.
    counts = {}
    for f in train:
        counts[f["system"]] = counts.get(f["system"], 0) + 1
    if cfg.get("balance", "sqrt") == "sqrt":
        weights = np.array([1.0 / math.sqrt(counts[f["system"]]) for f in train])
        weights /= weights.sum()
    else:
        weights = None
    val_batches = [cast(collate(val[i:i + 256])) for i in range(0, len(val), 256)]

    def validate():
        g = torch.Generator().manual_seed(1234)
        tot, n = 0.0, 0
        with torch.no_grad():
            for b in val_batches:
                for _ in range(4):
                    loss, _, _ = flow_loss(model, b, g, h.sigma_k, k_weight)
                    tot += loss.item() * b[3].shape[0]
                    n += b[3].shape[0]
        return tot / max(n, 1)

    print(f"train_flow: {len(train)} train / {len(val)} val structures, elements {h.elements}, "
          f"sigma_k {h.sigma_k:.4f}, {sum(p.numel() for p in model.parameters())} parameters", flush=True)
    best, best_state, start, history = math.inf, None, time.time(), []
    step = 0
    while step < max_steps and time.time() - start < max_seconds:
        idx = rng.choice(len(train), size=min(batch, len(train)), replace=False, p=weights)
        b = cast(collate([train[i] for i in idx]))
        progress = min(1.0, max(step / max_steps, (time.time() - start) / max_seconds))
        cur = min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * progress))
        for g in opt.param_groups:
            g["lr"] = cur
        loss, lx, lk = flow_loss(model, b, gen, h.sigma_k, k_weight, drop)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step % eval_every == 0 or step == max_steps:
            v = validate() if val_batches else loss.item()
            history.append({"step": step, "train": loss.item(), "x": lx, "k": lk, "val": v,
                            "seconds": round(time.time() - start, 1)})
            print(json.dumps(history[-1]), flush=True)
            if v < best:
                best, best_state = v, {k: t.clone() for k, t in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    out = os.path.join(base, cfg["output"])
    save_flow(model, out, training={"config": json.dumps(cfg), "steps": step, "seconds": time.time() - start,
                                    "best_val": best, "train_structures": len(train),
                                    "val_structures": len(val), "history": json.dumps(history)})
    print(f"train_flow: wrote {out} (best validation loss {best:.5f}, {step} steps, "
          f"{time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
