"""Writes a trained model as the HDF5 model file the engine loads (schema: docs/nnip_model.md).

    from aftrain.export import save_model
    save_model(model, "si_equivariant.h5", training={"command": "...", "seconds": 123.0})
"""
import json

import h5py
import numpy as np

from .attention import AttentionHyper, AttentionModel, named_weights
from .model import EquivariantModel, Hyper

FORMAT = "atomforge-nnip"
VERSION = 1


def _str_array(values):
    return np.array([v.encode() for v in values], dtype=h5py.string_dtype())


def _common(f, h, architecture):
    f.attrs["format"] = FORMAT
    f.attrs["version"] = VERSION
    f.attrs["architecture"] = architecture
    f.attrs["units"] = "metal"  # energies in eV, lengths in Angstrom
    f.attrs["species"] = _str_array(h.species)
    f.attrs["r_cut"] = float(h.r_cut)


def _training(f, training):
    if training:
        t = f.create_group("training")
        for k, v in training.items():
            t.attrs[k] = v if not isinstance(v, (dict, list)) else json.dumps(v)


def save_attention(model: AttentionModel, path, training=None):
    h = model.h
    with h5py.File(path, "w") as f:
        _common(f, h, "attention")
        hy = f.create_group("hyper")
        for k in ("hidden", "heads", "n_layers", "n_gauss", "l_boo", "boo_channels", "p_envelope"):
            hy.attrs[k] = int(getattr(h, k))
        hy.attrs["avg_neighbors"] = float(h.avg_neighbors)
        hy.attrs["json"] = json.dumps(h.__dict__)
        w = f.create_group("weights")
        for name, t in named_weights(model):
            w.create_dataset(name, data=t.detach().cpu().double().numpy())
        _training(f, training)


def save_model(model, path, training=None):
    if isinstance(model, AttentionModel):
        return save_attention(model, path, training)
    h = model.h
    with h5py.File(path, "w") as f:
        _common(f, h, "equivariant")
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
        _training(f, training)


def load_model(path, dtype=None):
    """The PyTorch model of a model file (float64 unless dtype is given)."""
    import torch
    dtype = dtype or torch.float64
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != FORMAT or int(f.attrs["version"]) != VERSION:
            raise ValueError(f"{path}: not an atomforge-nnip version {VERSION} model file")
        d = json.loads(f["hyper"].attrs["json"])
        if f.attrs["architecture"] == "attention":
            model = AttentionModel(AttentionHyper(**d), dtype=dtype)
            with torch.no_grad():
                for name, t in named_weights(model):
                    t.copy_(torch.from_numpy(f["weights"][name][()]))
            return model
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
