"""Checks shared by the neural-potential engine tests (test_equivariant_engine.py,
test_attention_engine.py): the 20 random structures, the engine's step-0 frame through
the real deck path, and the model-independent properties measured on the engine itself
(symmetry of a cluster, finite differences, the cutoff, separated copies). Each returns
the measured numbers; the tests hold them to the issues' tolerances."""
import os

import numpy as np
from ase import Atoms
from ase.io import read

from common import run_atomforge, write_deck


def structures():
    """20 random structures: two species, triclinic cells, and (every fourth) a cell
    smaller than the cutoff with many images of each atom."""
    rng = np.random.default_rng(11)
    out = []
    for k in range(20):
        small = k % 4 == 3
        n = int(rng.integers(2, 4)) if small else int(rng.integers(6, 16))
        L = 3.2 if small else 5.0 + 2 * rng.random()
        cell = np.diag([L, L * (0.9 + 0.2 * rng.random()), L * (0.9 + 0.2 * rng.random())])
        cell[1, 0], cell[2, 0], cell[2, 1] = rng.uniform(-0.8, 0.8, 3)
        while True:
            at = Atoms(symbols=rng.choice(["Si", "C"], n), scaled_positions=rng.random((n, 3)), cell=cell, pbc=True)
            if n == 1 or min(at.get_all_distances(mic=True)[np.triu_indices(n, 1)]) > 1.2:
                break
        out.append(at)
    return out


def engine(d, structure, model, name, **options):
    """The engine's step-0 frame (energy, forces, stress) for a structure file in d."""
    write_deck({"units": "metal", "system": {"read": structure},
                "potential": {"style": "nnip", "model": model, **options},
                "stages": [{"name": "zero", "integrator": {"style": "nve", "timestep": 0.001}, "steps": 0}],
                "output": {"extxyz": {"every": 1, "file": f"{name}.extxyz"}}}, os.path.join(d, f"{name}.yaml"))
    run_atomforge(["run", f"{name}.yaml", "-q"], d)
    return read(os.path.join(d, f"{name}.extxyz"))


def write_full(path, symbols, pos, cell=None):
    """Extended XYZ with every digit (ASE keeps 8 decimals); no cell: a cluster in vacuum."""
    with open(path, "w") as f:
        head = "Properties=species:S:1:pos:R:3 "
        if cell is None:
            head += 'pbc="F F F"'
        else:
            head = 'Lattice="' + " ".join(f"{v:.17g}" for v in np.asarray(cell).ravel()) + '" ' + head + 'pbc="T T T"'
        f.write(f"{len(pos)}\n{head}\n")
        f.writelines(f"{a} {x:.17g} {y:.17g} {z:.17g}\n" for a, (x, y, z) in zip(symbols, pos))


def cluster_symmetry(wd, model, tag, **options):
    """A 12-atom two-species cluster in vacuum, then rotated, translated and permuted:
    (relative energy change, relative force error against the rotated forces)."""
    rng = np.random.default_rng(4)
    pos = rng.random((12, 3)) * 5.0
    while min(np.linalg.norm(pos[a] - pos[b]) for a in range(12) for b in range(a)) < 1.3:
        pos = rng.random((12, 3)) * 5.0
    sym = rng.choice(["Si", "C"], 12)
    q = np.linalg.qr(rng.normal(size=(3, 3)))[0]
    R = q * np.sign(np.linalg.det(q))
    perm = rng.permutation(12)
    res = []
    for k, (p_, s_) in enumerate(((pos, sym), ((pos @ R.T + [3.7, -1.2, 8.4])[perm], sym[perm]))):
        write_full(os.path.join(wd, f"cl_{tag}{k}.extxyz"), s_, p_)
        o = engine(wd, f"cl_{tag}{k}.extxyz", model, f"cl_{tag}{k}_out", **options)
        res.append((o.get_potential_energy(), o.get_forces()))
    (ea, fa), (eb, fb) = res
    return abs(eb - ea) / abs(ea), np.abs(fb - (fa @ R.T)[perm]).max() / np.abs(fa).max()


def finite_differences(wd, model, at, h=1e-5, n_atoms=4):
    """Central differences of the engine's energy: (force error, stress error), each
    relative to the largest force / stress component; forces over n_atoms x 3 directions,
    stress over the six strains (ASE sign: stress = dE/d(strain) / V)."""
    cell, symbols = at.cell[:], at.get_chemical_symbols()

    def energy_at(pos, cl, tag="d"):
        write_full(os.path.join(wd, f"fd_{tag}.extxyz"), symbols, pos, cl)
        return engine(wd, f"fd_{tag}.extxyz", model, f"fd_{tag}_out")
    base = energy_at(at.positions, cell, "0")
    R = np.linalg.solve(cell, base.cell[:])  # the engine may rotate a cell into LAMMPS's frame
    f0, s0 = base.get_forces() @ R.T, R @ base.get_stress(voigt=False) @ R.T
    ferr = 0.0
    for i in range(min(n_atoms, len(at))):
        for k in range(3):
            es = []
            for sgn in (1, -1):
                p_ = at.positions.copy()
                p_[i, k] += sgn * h
                es.append(energy_at(p_, cell).get_potential_energy())
            ferr = max(ferr, abs(-(es[0] - es[1]) / (2 * h) - f0[i, k]))
    vol, serr = abs(np.linalg.det(cell)), 0.0
    for a, b in ((0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)):
        es = []
        for sgn in (1, -1):
            eps = np.zeros((3, 3))
            eps[a, b] = eps[b, a] = sgn * h / (1 if a == b else 2)
            F = np.eye(3) + eps
            es.append(energy_at(at.positions @ F, cell @ F).get_potential_energy())
        serr = max(serr, abs((es[0] - es[1]) / (2 * h) / vol - s0[a, b]))
    return ferr / np.abs(f0).max(), serr / np.abs(s0).max()


def cutoff_crossing(wd, model, rc):
    """Atom 2 just inside and just outside r_c of atom 0 (atom 1 out of its range):
    (energy jump in eV, force jump in eV/A)."""
    base = np.array([[0.0, 0.0, 0.0], [-1.2, 1.9, 0.3]])
    out = {}
    for side, dx in (("in", -1e-6), ("out", 1e-6)):
        p_ = np.vstack([base, [rc + dx, 0.0, 0.0]])
        write_full(os.path.join(wd, f"cut_{side}.extxyz"), ["Si", "C", "Si"], p_)
        o = engine(wd, f"cut_{side}.extxyz", model, f"cut_{side}_out")
        out[side] = (o.get_potential_energy(), o.get_forces())
    return abs(out["in"][0] - out["out"][0]), np.abs(out["in"][1] - out["out"][1]).max()


def two_copies(wd, model, rc):
    """A 5-atom cluster, then two copies of it farther apart than r_c in one file:
    (energy of one, energy of both)."""
    rng = np.random.default_rng(8)
    pos = rng.random((5, 3)) * 2.5
    while min(np.linalg.norm(pos[a] - pos[b]) for a in range(5) for b in range(a)) < 1.4:
        pos = rng.random((5, 3)) * 2.5
    sym = ["Si", "C", "Si", "Si", "C"]
    write_full(os.path.join(wd, "one.extxyz"), sym, pos)
    write_full(os.path.join(wd, "two.extxyz"), sym + sym, np.vstack([pos, pos + [2.5 + rc + 0.5, 0.3, -0.2]]))
    return (engine(wd, "one.extxyz", model, "one_out").get_potential_energy(),
            engine(wd, "two.extxyz", model, "two_out").get_potential_energy())


def check_engine_properties(c, wd, model, rc, fd_structure):
    """Runs the finite-difference, cutoff and separated-copies checks into Checks c with
    the issues' tolerances: forces and stress 1e-6 relative, energy jump 1e-12 eV and
    force jump 1e-10 eV/A across r_c, two copies 2 E to 1e-12 relative."""
    ferr, serr = finite_differences(wd, model, fd_structure)
    c.check(ferr < 1e-6, f"engine forces = central differences of its energy ({ferr:.1e} relative)")
    c.check(serr < 1e-6, f"engine stress = central differences of its energy in strain ({serr:.1e} relative)")
    de, df = cutoff_crossing(wd, model, rc)
    c.check(de < 1e-12 and df < 1e-10, f"across the cutoff (r_c -+ 1e-6): energy jump {de:.1e} eV, force jump {df:.1e} eV/A")
    e1, e2 = two_copies(wd, model, rc)
    c.check(abs(e2 - 2 * e1) <= 1e-12 * abs(e1), f"two copies beyond the cutoff: {e2:.15g} = 2 x {e1:.15g}")
