"""Trains a neural potential (model.architecture: equivariant, the default, or attention) on extended-XYZ datasets (energies, forces, stress)
and exports the model file.

    /usr/bin/python3 -m aftrain.train CONFIG.yaml

Config (YAML): dataset {train, val, test} paths (relative to the config file); model
{hyperparameters of aftrain.model.Hyper; species, r_cut required}; loss weights
{energy (per atom), forces, stress}; optimizer {lr, epochs, batch, patience, lr_factor,
lr_patience, min_lr}; dtype float64|float32; seed; output (model file); init (optional: a
model file of the same architecture to continue from, relative to the config). Runs on CUDA
when available (device: auto|cpu|cuda). Adam with ReduceLROnPlateau on the validation
loss, early stopping after `patience` epochs without improvement, best weights kept.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import yaml

from .export import save_model
from .attention import AttentionHyper, AttentionModel
from .model import EquivariantModel, Hyper, neighbor_edges


class Graph:
    """One structure's tensors: species, positions, cell, edges, and its labels."""

    def __init__(self, arrays, dtype):
        self.n = len(arrays["species"])
        self.species = torch.as_tensor(arrays["species"])
        self.pos = torch.as_tensor(arrays["positions"], dtype=dtype)
        self.cell = torch.as_tensor(arrays["cell"], dtype=dtype)
        self.receiver, self.sender = torch.as_tensor(arrays["receiver"]), torch.as_tensor(arrays["sender"])
        self.shifts = torch.as_tensor(arrays["shifts"], dtype=dtype)
        self.energy = torch.as_tensor(arrays["energy"], dtype=dtype)
        self.forces = torch.as_tensor(arrays["forces"], dtype=dtype)
        self.stress = torch.as_tensor(arrays["stress"], dtype=dtype) if "stress" in arrays else None


def read(path, index):
    from ase.io import read as ase_read  # only where extended XYZ is read
    return ase_read(path, index)


def graph_arrays(atoms, species, r_cut):
    """numpy arrays of one ASE structure (edges within r_cut, labels)."""
    i, j, S = neighbor_edges(atoms, r_cut)
    idx = {s: k for k, s in enumerate(species)}
    out = {"species": np.array([idx[s] for s in atoms.get_chemical_symbols()]), "positions": atoms.positions,
           "cell": atoms.cell[:], "receiver": i, "sender": j, "shifts": S.astype(float),
           "energy": np.array(atoms.get_potential_energy()), "forces": atoms.get_forces()}
    try:
        out["stress"] = atoms.get_stress(voigt=False)
    except Exception:  # noqa: BLE001 - datasets without stress
        pass
    return out


def load_graphs(path, species, r_cut, dtype):
    """Graphs of an extended-XYZ file, or of a .npz cache written by cache_graphs (which
    needs no ASE: training machines without it read caches)."""
    if path.endswith(".npz"):
        z = np.load(path)
        n = int(z["count"])
        if list(z["species_names"]) != list(species) or float(z["r_cut"]) != r_cut:
            raise ValueError(f"{path}: cached for species {list(z['species_names'])}, r_cut {float(z['r_cut'])}")
        return [Graph({k.split("/", 1)[1]: z[k] for k in z.files if k.startswith(f"{g}/")}, dtype) for g in range(n)]
    return [Graph(graph_arrays(a, species, r_cut), torch.float64 if dtype is None else dtype) for a in read(path, ":")]


def cache_graphs(xyz, out, species, r_cut):
    frames = read(xyz, ":")
    arrays = {"count": np.array(len(frames)), "species_names": np.array(species), "r_cut": np.array(r_cut)}
    for g, a in enumerate(frames):
        for k, v in graph_arrays(a, species, r_cut).items():
            arrays[f"{g}/{k}"] = v
    np.savez_compressed(out, **arrays)


def batch_predict(model, graphs, device, stress=True):
    """Energies (B), forces (sum n, 3) and stresses (B, 3, 3) of several structures at once."""
    dt = graphs[0].pos.dtype
    B = len(graphs)
    eps = torch.zeros(B, 3, 3, dtype=dt, device=device, requires_grad=True)
    pos = torch.cat([g.pos for g in graphs]).to(device).requires_grad_(True)
    counts = torch.tensor([g.n for g in graphs], device=device)
    owner = torch.repeat_interleave(torch.arange(B, device=device), counts)
    first = torch.cumsum(counts, 0) - counts
    eye = torch.eye(3, dtype=dt, device=device)
    p = torch.einsum("na,nab->nb", pos, eye + eps[owner])
    cells = torch.stack([g.cell for g in graphs]).to(device) @ (eye + eps)
    rec = torch.cat([g.receiver.to(device) + first[k] for k, g in enumerate(graphs)])
    snd = torch.cat([g.sender.to(device) + first[k] for k, g in enumerate(graphs)])
    eowner = torch.cat([torch.full((len(g.receiver),), k, device=device) for k, g in enumerate(graphs)])
    shifts = torch.cat([g.shifts for g in graphs]).to(device)
    vec = p[snd] + torch.einsum("ea,eab->eb", shifts, cells[eowner]) - p[rec]
    species = torch.cat([g.species for g in graphs]).to(device)
    e_atom = model.atomic_energies(species, rec, snd, vec)
    energy = torch.zeros(B, dtype=dt, device=device).index_add(0, owner, e_atom)
    grads = torch.autograd.grad(energy.sum(), [pos, eps], create_graph=model.training)
    vol = torch.abs(torch.linalg.det(torch.stack([g.cell for g in graphs]).to(device)))
    return energy, -grads[0], grads[1] / vol[:, None, None]


def composition_fit(graphs, n_species):
    """Per-species energy shift (least squares of E on composition) and force RMS."""
    A = np.array([np.bincount(g.species.numpy(), minlength=n_species) for g in graphs], dtype=float)
    E = np.array([g.energy.item() for g in graphs])
    shift = np.linalg.lstsq(A, E, rcond=None)[0]
    f_rms = math.sqrt(float(np.mean(np.concatenate([g.forces.numpy().ravel() ** 2 for g in graphs]))))
    return shift, f_rms


def evaluate(model, graphs, device, batch):
    """MAE of energy per atom (eV/atom), forces (eV/A) and stress (eV/A^3)."""
    model.eval()
    e_err, f_err, s_err, n_f, n_s = 0.0, 0.0, 0.0, 0, 0
    for k in range(0, len(graphs), batch):
        part = graphs[k:k + batch]
        e, f, s = (t.detach() for t in batch_predict(model, part, device))
        n = torch.tensor([g.n for g in part], device=device, dtype=e.dtype)
        e_ref = torch.stack([g.energy for g in part]).to(device)
        e_err += float(torch.abs((e - e_ref) / n).sum())
        f_ref = torch.cat([g.forces for g in part]).to(device)
        f_err += float(torch.abs(f - f_ref).sum())
        n_f += f_ref.numel()
        for g, sk in zip(part, s):
            if g.stress is not None:
                s_err += float(torch.abs(sk - g.stress.to(device)).sum())
                n_s += 9
    return {"energy_mae_per_atom": e_err / len(graphs), "force_mae": f_err / n_f,
            "stress_mae": s_err / n_s if n_s else float("nan")}


def train(cfg, base_dir, log=print):
    torch.manual_seed(cfg.get("seed", 0))
    dtype = torch.float64 if cfg.get("dtype", "float64") == "float64" else torch.float32
    want = cfg.get("device", "auto")
    device = torch.device("cuda" if want in ("auto", "cuda") and torch.cuda.is_available() else "cpu")
    mcfg = dict(cfg["model"])
    species = mcfg["species"]

    def load(part):
        return load_graphs(os.path.join(base_dir, cfg["dataset"][part]), species, mcfg["r_cut"], dtype)
    data = {part: load(part) for part in ("train", "val", "test")}
    tr = data["train"]
    mcfg["avg_neighbors"] = float(np.mean([len(g.receiver) / g.n for g in tr]))
    if mcfg.get("architecture", "equivariant") == "attention":
        model = AttentionModel(AttentionHyper(**mcfg), dtype=dtype, seed=cfg.get("seed", 0)).to(device)
    else:
        mcfg.pop("architecture", None)
        model = EquivariantModel(Hyper(**mcfg), dtype=dtype, seed=cfg.get("seed", 0)).to(device)
    shift, f_rms = composition_fit(tr, len(species))
    if cfg.get("init"):  # continue from a model file's weights
        from .export import load_model
        start = load_model(os.path.join(base_dir, cfg["init"]), dtype=dtype)
        model.load_state_dict(start.state_dict())
    else:
        with torch.no_grad():  # start from the composition fit: zero readout, energies = shifts
            model.shift.copy_(torch.tensor(shift, dtype=dtype))
            model.scale.fill_(f_rms)
            model.w_out.zero_()
    w = {"energy": 1.0, "forces": 1.0, "stress": 0.0, **cfg.get("loss", {})}
    opt_cfg = {"lr": 0.005, "epochs": 100, "batch": 4, "patience": 30, "lr_factor": 0.5, "lr_patience": 8,
               "min_lr": 1e-5, "max_seconds": float("inf"), **cfg.get("optimizer", {})}
    opt = torch.optim.Adam(model.parameters(), lr=opt_cfg["lr"])
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=opt_cfg["lr_factor"], patience=opt_cfg["lr_patience"],
                                                       min_lr=opt_cfg["min_lr"])
    best, best_state, stale = float("inf"), None, 0
    rng = np.random.default_rng(cfg.get("seed", 0))
    t0 = time.time()
    history = []
    for epoch in range(opt_cfg["epochs"]):
        model.train()
        order = rng.permutation(len(tr))
        for k in range(0, len(tr), opt_cfg["batch"]):
            part = [tr[i] for i in order[k:k + opt_cfg["batch"]]]
            e, f, s = batch_predict(model, part, device)
            n = torch.tensor([g.n for g in part], device=device, dtype=dtype)
            e_ref = torch.stack([g.energy for g in part]).to(device)
            loss = w["energy"] * torch.mean(((e - e_ref) / n) ** 2)
            loss = loss + w["forces"] * torch.mean((f - torch.cat([g.forces for g in part]).to(device)) ** 2)
            if w["stress"] > 0 and all(g.stress is not None for g in part):
                loss = loss + w["stress"] * torch.mean((s - torch.stack([g.stress for g in part]).to(device)) ** 2)
            opt.zero_grad()
            loss.backward()
            opt.step()
        val = evaluate(model, data["val"], device, opt_cfg["batch"])
        score = w["energy"] * val["energy_mae_per_atom"] ** 2 + w["forces"] * val["force_mae"] ** 2
        sched.step(score)
        history.append({"epoch": epoch, **val, "lr": opt.param_groups[0]["lr"], "seconds": time.time() - t0})
        log(f"epoch {epoch:4d}  val E {1000 * val['energy_mae_per_atom']:.3f} meV/atom  F {1000 * val['force_mae']:.2f} meV/A"
            f"  lr {opt.param_groups[0]['lr']:.2e}  {time.time() - t0:.0f} s")
        if time.time() - t0 > opt_cfg["max_seconds"]:
            log(f"time limit ({opt_cfg['max_seconds']:.0f} s) reached at epoch {epoch}")
            stale = opt_cfg["patience"]
        if score < best:
            best, stale = score, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
        if stale >= opt_cfg["patience"]:
            log(f"stopped at epoch {epoch}")
            break
    model.load_state_dict(best_state)
    seconds = time.time() - t0
    results = {part: evaluate(model, data[part], device, opt_cfg["batch"]) for part in ("val", "test")}
    return model.to("cpu"), {"seconds": seconds, "device": str(device), "epochs": len(history), **results}


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train a neural potential and export the model file")
    ap.add_argument("config")
    ap.add_argument("--output", help="model file (default: the config's output)")
    ap.add_argument("--cache", action="store_true", help="only write the .npz graph caches the config names, from "
                    "the .extxyz files of the same names")
    args = ap.parse_args(argv)
    if args.cache:
        with open(args.config) as f:
            cfg = yaml.safe_load(f)
        base = os.path.dirname(os.path.abspath(args.config))
        for part, path in cfg["dataset"].items():
            stem = os.path.splitext(os.path.join(base, path))[0]  # DATA.npz is made from DATA.extxyz
            cache_graphs(stem + ".extxyz", stem + ".npz", cfg["model"]["species"], cfg["model"]["r_cut"])
        return
    with open(args.config) as f:
        cfg = yaml.safe_load(f)
    base = os.path.dirname(os.path.abspath(args.config))
    model, info = train(cfg, base)
    out = args.output or os.path.join(base, cfg["output"])
    save_model(model, out, training={"config": json.dumps(cfg), "command": " ".join(sys.argv),
                                     "seconds": info["seconds"], "device": info["device"], "epochs": info["epochs"],
                                     "results": json.dumps({k: info[k] for k in ("val", "test")})})
    print(json.dumps({k: info[k] for k in ("seconds", "device", "epochs", "val", "test")}, indent=1))


if __name__ == "__main__":
    main()
