"""Functions over structures: relax, match, dedup, run (decks). Structures are ASE Atoms
or pymatgen Structures; results are ASE Atoms with results attached."""
import math
import os
import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _core
from ._convert import as_ase, cell_arrays, engine_arrays, potential_text

# 1 eV/Angstrom^3 in bar (the engine's pressure unit in metal units).
EV_PER_A3_IN_BAR = 1.602176634e6


def initialize(threads=None):
    """Starts the engine with `threads` threads (Kokkos's default when None) and returns
    the count in use. The count is fixed at the first call in a process; a later request
    for another count warns and keeps it."""
    want = -1 if threads is None else int(threads)
    have = _core.threads()
    n = _core.initialize(want)
    if have and want > 0 and want != n:
        warnings.warn(f"atomforge already runs {n} threads in this process; threads={want} ignored", stacklevel=3)
    return n


def _single_point(atoms, energy, forces, stress=None):
    from ase.calculators.singlepoint import SinglePointCalculator
    results = {"energy": energy, "free_energy": energy, "forces": forces}
    if stress is not None:
        results["stress"] = stress
    atoms.calc = SinglePointCalculator(atoms, **results)
    return atoms


def relax(atoms, potential, fmax=1e-3, cell=False, pressure=0.0, max_steps=100000, style="fire",
          couple="tri", ptol=None, max_move=0.1, precision=None):
    """Relaxes a copy of `atoms` with the engine's minimizer (exactly a deck's minimize
    stage): FIRE (or CG) until every force is below `fmax` (eV/Angstrom) and, with
    cell=True, every stress component is within `ptol` of `pressure` (both eV/Angstrom^3,
    ASE's units; ptol defaults to the engine's 0.01 bar). Returns the relaxed Atoms with
    energy, forces and stress attached and info["relax"] = {converged, iterations,
    fmax, reason}."""
    atoms = as_ase(atoms).copy()
    if cell and not all(atoms.pbc):
        raise ValueError("relax: cell=True needs a periodic cell")
    initialize()
    cell_rows, pbc, symbols, positions = engine_arrays(atoms)
    shift = atoms.get_positions() - positions
    system = _core.System(cell_rows, pbc, symbols, positions, potential_text(potential, precision), "metal", 12345)
    settings = {"fmax": float(fmax), "cell": bool(cell), "pressure": float(pressure) * EV_PER_A3_IN_BAR,
                "max_steps": int(max_steps), "style": style, "couple": couple, "max_move": float(max_move)}
    if ptol is not None:
        settings["ptol"] = float(ptol) * EV_PER_A3_IN_BAR
    r = system.relax(settings)
    new_cell, x = system.state()
    if all(pbc):
        atoms.set_cell(new_cell, scale_atoms=False)
    atoms.set_positions(x + shift)
    e = system.compute(False)
    _single_point(atoms, e["energy"], np.array(e["forces"]), np.array(e["stress"]) if all(pbc) else None)
    atoms.info["relax"] = {"converged": r["converged"], "iterations": r["iterations"], "fmax": r["fmax"],
                           "reason": r["reason"]}
    return atoms


@dataclass
class Match:
    """match: pymatgen's fit; rms and max_dist: get_rms_dist (normalised by (V/N)^(1/3)),
    None when no mapping is within stol. True when the structures match."""
    match: bool
    rms: Optional[float]
    max_dist: Optional[float]

    def __bool__(self):
        return self.match


def match(a, b, **tolerances):
    """Compares two periodic structures as pymatgen's StructureMatcher (defaults ltol 0.2,
    stol 0.3, angle_tol 5; preset="csp" for 0.3 / 0.5 / 10; primitive_cell, scale,
    anonymous). docs/matcher.md lists where results may differ from pymatgen's."""
    r = _core.match(cell_arrays(a), cell_arrays(b), tolerances)
    return Match(r["match"], r["rms"], r["max_dist"])


def _energy_of(atoms):
    calc = getattr(atoms, "calc", None)
    if calc is not None and "energy" in getattr(calc, "results", {}):
        return float(calc.results["energy"])
    e = atoms.info.get("energy") if hasattr(atoms, "info") else None
    return float(e) if e is not None else math.nan


def dedup(structures, energies=None, **tolerances):
    """The unique structures of a list, as `atomforge dedup` finds them: classes of
    structures that fit each other, each represented by its lowest-energy member.
    Energies: given, or each structure's calculator result or info["energy"] (unknown ones
    last). Returns the representatives (copies), lowest energy first, each with
    info["members"] = the input indices of its class (representative first)."""
    items = [as_ase(s) for s in structures]
    if energies is None:
        energies = [_energy_of(s) for s in items]
    energies = [float(e) for e in energies]
    if len(energies) != len(items):
        raise ValueError(f"dedup: {len(energies)} energies for {len(items)} structures")
    classes = _core.dedup([cell_arrays(s) for s in items], energies, tolerances)
    out = []
    for members in classes:
        rep = items[members[0]].copy()
        rep.calc = None
        if not math.isnan(energies[members[0]]):
            rep.info["energy"] = energies[members[0]]
        rep.info["members"] = list(members)
        out.append(rep)
    return out


def _deck_source(deck):
    """(text, path) of a deck given as a path or as YAML text."""
    if isinstance(deck, (str, os.PathLike)) and "\n" not in str(deck) and os.path.exists(deck):
        return "", os.fspath(deck)
    if isinstance(deck, str) and ":" in deck:
        return deck, ""
    raise FileNotFoundError(f"{deck}: no such deck file")


def run(deck, restart=None):
    """Runs a deck (a path, or YAML text) as `atomforge run` does, outputs included, and
    returns the final state as ASE Atoms (input atom order) with info["run"] = {end, step,
    message, thermo: {name: values per row}}. A guard's error raises RuntimeError with its
    message; Ctrl-C stops the run cleanly (outputs and checkpoint written) and raises
    KeyboardInterrupt."""
    from ase import Atoms, units
    initialize()
    text, path = _deck_source(deck)
    r = _core.run_deck(text, path, restart or "")
    if r["end"] == "guard_failed":
        raise RuntimeError(r["message"])
    order = np.argsort(np.asarray(r["ids"]))
    symbols = [r["symbols"][i] for i in order]
    atoms = Atoms(symbols=symbols, positions=np.asarray(r["positions"])[order], cell=np.asarray(r["cell"]),
                  pbc=r["pbc"])
    if r["units"] == "metal":
        atoms.set_velocities(np.asarray(r["velocities"])[order] / (1000 * units.fs))  # Angstrom/ps -> ASE
    rows = np.asarray(r["thermo"], dtype=float).reshape(-1, len(r["thermo_names"]))
    atoms.info["run"] = {"end": r["end"], "step": r["step"], "message": r["message"], "units": r["units"],
                         "thermo": {name: rows[:, k] for k, name in enumerate(r["thermo_names"])}}
    return atoms


@dataclass
class Campaign:
    """A sample campaign's outcome: its output directory, summary.json as a dict and the
    unique minima (unique.extxyz: energy-ranked ASE Atoms with their info)."""
    dir: str
    summary: dict
    unique: list


def sample(deck, restart=False, progress=None):
    """Runs a crystal-structure search (a sample deck, path or YAML text; docs/sampler.md)
    as `atomforge sample` does, outputs included. progress: called with a dict (attempts,
    relaxed, converged, failed, seconds, best, best_hits) as relaxations finish. Ctrl-C
    (or an exception in `progress`) stops the campaign cleanly, resumable with
    restart=True, and is raised."""
    import json
    import ase.io
    initialize()
    text, path = _deck_source(deck)
    r = _core.sample(text, path, bool(restart), progress)
    with open(os.path.join(r["dir"], "summary.json")) as f:
        summary = json.load(f)
    unique_file = os.path.join(r["dir"], "unique.extxyz")
    unique = ase.io.read(unique_file, index=":") if os.path.getsize(unique_file) > 0 else []
    return Campaign(r["dir"], summary, unique)
