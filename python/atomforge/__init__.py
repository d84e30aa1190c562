"""atomforge from Python: an ASE calculator, relaxation, structure matching and decks.

    import atomforge
    atoms.calc = atomforge.Calculator(potential={"style": "sw", "file": "Si.sw"})
    relaxed = atomforge.relax(atoms, {"style": "sw", "file": "Si.sw"}, fmax=1e-4, cell=True)
    atomforge.match(a, b).match          # pymatgen's StructureMatcher.fit
    unique = atomforge.dedup(list_of_atoms)
    final = atomforge.run("deck.yaml")

Engine errors raise atomforge.InputError (a ValueError) with the engine's one-line
message. The engine runs in this process on Kokkos, initialised at the first call and
finalised at exit; it installs no signal handlers (Ctrl-C reaches Python). docs/python.md.
"""
import atexit as _atexit

from . import _core
from ._core import InputError, __version__
from .calculator import Calculator
from .api import Campaign, Match, dedup, initialize, match, relax, run, sample

__all__ = ["Calculator", "Campaign", "InputError", "Match", "dedup", "initialize", "match", "relax", "run", "sample",
           "__version__"]


_atexit.register(_core.finalize)
