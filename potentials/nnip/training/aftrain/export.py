"""Writes a trained model as the HDF5 model file the engine loads (schema: docs/nnip_model.md).

    from aftrain.export import save_model
    save_model(model, "si_equivariant.h5", training={"command": "...", "seconds": 123.0})
"""
import json

import h5py
import numpy as np

from .model import EquivariantModel, Hyper

FORMAT = "atomforge-nnip"
VERSION = 1


def _str_array(values):
    return np.array([v.encode() for v in values], dtype=h5py.string_dtype())


def save_model(model: EquivariantModel, path, training=None):
    h = model.h
    with h5py.File(path, "w") as f:
        f.attrs["format"] = FORMAT
        f.attrs["version"] = VERSION
        f.attrs["architecture"] = "equivariant"
        f.attrs["units"] = "metal"  # energies in eV, lengths in Angstrom
        f.attrs["species"] = _str_array(h.species)
        f.attrs["r_cut"] = float(h.r_cut)
        hy = f.create_group("hyper")
        for k in ("l_max", "l_sh", "channels", "n_layers", "n_bessel", "p_envelope"):
            hy.attrs[k] = int(getattr(h, k))
        hy.attrs["radial_hidden"] = np.array(h.radial_hidden, dtype=np.int64)
        hy.attrs["avg_neighbors"] = float(h.avg_neighbors)
        hy.attrs["json"] = json.dumps(h.__dict__)
        w = f.create_group("weights")

        def put(name, t):
            w.create_dataset(name, data=t.detach().cpu().double().numpy())

        put("embedding", model.w_emb)
        for k, b in enumerate(model.blocks):
            for m, layer in enumerate(b.radial):
                put(f"block{k}/radial{m}", layer)
            for l, layer in enumerate(b.w1):
                put(f"block{k}/w1_l{l}", layer)
            for l, layer in enumerate(b.w2):
                put(f"block{k}/w2_l{l}", layer)
        put("readout", model.w_out)
        put("scale", model.scale)
        put("shift", model.shift)
        if training:
            t = f.create_group("training")
            for k, v in training.items():
                t.attrs[k] = v if not isinstance(v, (dict, list)) else json.dumps(v)


def load_model(path, dtype=None):
    """The PyTorch model of a model file (float64 unless dtype is given)."""
    import torch
    dtype = dtype or torch.float64
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != FORMAT or int(f.attrs["version"]) != VERSION:
            raise ValueError(f"{path}: not an atomforge-nnip version {VERSION} model file")
        d = json.loads(f["hyper"].attrs["json"])
        model = EquivariantModel(Hyper(**d), dtype=dtype)
        w = f["weights"]
        with torch.no_grad():
            model.w_emb.copy_(torch.from_numpy(w["embedding"][()]))
            for k, b in enumerate(model.blocks):
                for m, layer in enumerate(b.radial):
                    layer.copy_(torch.from_numpy(w[f"block{k}/radial{m}"][()]))
                for l, layer in enumerate(b.w1):
                    layer.copy_(torch.from_numpy(w[f"block{k}/w1_l{l}"][()]))
                for l, layer in enumerate(b.w2):
                    layer.copy_(torch.from_numpy(w[f"block{k}/w2_l{l}"][()]))
            model.w_out.copy_(torch.from_numpy(w["readout"][()]))
            model.scale.copy_(torch.from_numpy(w["scale"][()]))
            model.shift.copy_(torch.from_numpy(w["shift"][()]))
    return model
