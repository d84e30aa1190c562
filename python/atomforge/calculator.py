"""atomforge.Calculator: atomforge's potentials as an ASE calculator.

One engine System per calculator, kept between calls: new positions reuse its neighbor
list (rebuilt only when atoms have moved more than half the skin), a new cell is set in
place, and only new atomic numbers, atom counts or periodicity build a new System.
"""
import numpy as np
from ase.calculators.calculator import Calculator as _AseCalculator, all_changes

from . import _core
from ._convert import engine_arrays, potential_text
from .api import initialize


class Calculator(_AseCalculator):
    """ASE calculator over atomforge's engine (eV, Angstrom; metal units).

    potential: a deck's ``potential:`` section, as a dict or YAML text, e.g.
    ``{"style": "sw", "file": "Si.sw"}`` or ``{"style": "nnip", "model": "si.h5"}``;
    any style the engine has (``atomforge styles``). precision: for neural potentials,
    "float64" or "float32" (the model's default when None). threads: the engine's thread
    count, fixed at the process's first atomforge call (Kokkos's default when None).
    """

    implemented_properties = ["energy", "free_energy", "forces", "stress", "energies"]

    def __init__(self, potential, precision=None, threads=None, seed=12345, **kwargs):
        super().__init__(**kwargs)
        self._potential = potential_text(potential, precision)
        self._seed = int(seed)
        self._system = None
        self._cell = None  # the engine's cell; for clusters, the box around them
        self._cluster = False
        initialize(threads)

    def reset(self):
        # Results go; the last state stays, so that calculate() can update it in place.
        self.results = {}

    def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
        if atoms is not None:
            if self.atoms is None or set(system_changes) - {"positions"}:
                self.atoms = atoms.copy()
            elif system_changes:
                self.atoms.positions[:] = atoms.positions  # what ASE's copy would do, without the copy
        a = self.atoms
        if self._system is None or "numbers" in system_changes or "pbc" in system_changes:
            cell, pbc, symbols, positions = engine_arrays(a)
            self._system = _core.System(cell, pbc, symbols, positions, self._potential, "metal", self._seed)
            self._cell, self._cluster = cell, not any(pbc)
        elif self._cluster:  # no periodic direction: its box follows it
            cell, pbc, _, positions = engine_arrays(a, self._cell)
            if np.array_equal(cell, self._cell):
                self._system.set_positions(positions)
            else:
                self._system.set_cell(cell, pbc, positions)
                self._cell = cell
        elif "cell" in system_changes:
            self._cell = np.array(a.cell.array, dtype=float)
            self._system.set_cell(self._cell, [bool(p) for p in a.pbc], a.positions)
        elif "positions" in system_changes:
            self._system.set_positions(a.positions)
        # Forces alone when only forces are asked for (ASE's dynamics): energy and virial
        # cost extra tallies, and ASE asks again for what the results lack.
        r = self._system.compute("energies" in properties, not set(properties) <= {"forces"})
        self.results["forces"] = r["forces"]
        if "energy" in r:
            self.results["energy"] = self.results["free_energy"] = r["energy"]
            if all(a.pbc):
                self.results["stress"] = r["stress"]
        if "energies" in r:
            self.results["energies"] = r["energies"]

    def check_state(self, atoms, tol=1e-15):
        """What changed since the last calculation: ASE's compare_atoms on the four
        properties the engine reads (positions, numbers, cell, pbc), exactly and faster."""
        old = self.atoms
        if old is None:
            return list(all_changes)
        changes = []
        if len(old) != len(atoms) or not np.array_equal(old.numbers, atoms.numbers):
            return ["positions", "numbers", "cell", "pbc"]
        if not np.array_equal(old.positions, atoms.positions):
            changes.append("positions")
        if not np.array_equal(old.cell.array, atoms.cell.array):
            changes.append("cell")
        if not np.array_equal(old.pbc, atoms.pbc):
            changes.append("pbc")
        return changes
