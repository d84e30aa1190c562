"""Structures between ASE / pymatgen and the engine's arrays."""
import numpy as np

# Clusters (no periodic direction) sit in a box this far from every atom; the box is
# kept while every atom stays at least MARGIN inside it.
PAD, MARGIN = 8.0, 2.0


def as_ase(structure):
    """ASE Atoms from ASE Atoms (returned as is) or a pymatgen Structure / Molecule."""
    if hasattr(structure, "get_positions") and hasattr(structure, "numbers"):
        return structure
    try:
        from pymatgen.io.ase import AseAtomsAdaptor
    except ImportError:  # pragma: no cover - pymatgen is optional
        AseAtomsAdaptor = None
    if AseAtomsAdaptor is not None and type(structure).__module__.startswith("pymatgen"):
        return AseAtomsAdaptor.get_atoms(structure)
    raise TypeError(f"expected ase.Atoms or a pymatgen Structure, got {type(structure).__name__}")


def cluster_box(positions, box=None):
    """A box around a cluster whose lowest corner sits PAD from the origin: `box` while
    every atom stays MARGIN inside it, else a new one PAD beyond the atoms."""
    hi = positions.max(axis=0)
    if box is not None and np.all(hi <= np.diag(box) - MARGIN):
        return box
    return np.diag(hi + PAD)


def engine_arrays(atoms, box=None):
    """(cell rows, pbc, symbols, positions) for _core.System.

    Periodic and partly periodic cells are passed as they are; a structure with no
    periodic direction gets a box around it, and positions shifted into it (forces and
    energies do not depend on the shift)."""
    pbc = [bool(p) for p in atoms.pbc]
    positions = np.ascontiguousarray(atoms.get_positions(), dtype=float)
    symbols = atoms.get_chemical_symbols()
    if any(pbc):
        if atoms.cell.rank != 3:
            raise ValueError("the structure is periodic but its cell does not span three dimensions")
        return np.array(atoms.cell.array, dtype=float), pbc, symbols, positions
    shifted = positions - (positions.min(axis=0) - PAD)  # lowest corner PAD from the origin
    return cluster_box(shifted, box), pbc, symbols, shifted


def potential_text(potential, precision=None):
    """A deck's potential section (dict or YAML text) as YAML text, with `precision`."""
    import yaml
    if isinstance(potential, str):
        text = potential
        if precision is not None:
            section = yaml.safe_load(text)
            if not isinstance(section, dict):
                raise ValueError("potential: expected a mapping (a deck's potential: section)")
            potential = section
    elif isinstance(potential, dict):
        potential = dict(potential)
    else:
        raise TypeError("potential: expected a dict or YAML text (a deck's potential: section)")
    if isinstance(potential, dict):
        if precision is not None:
            if potential.get("style") != "nnip":
                raise ValueError(f"precision applies to neural potentials (style nnip), not '{potential.get('style')}'")
            potential["precision"] = precision
        text = yaml.safe_dump(potential, default_flow_style=True, width=10 ** 9).strip()
    return text


def cell_arrays(atoms):
    """(cell rows, fractional positions, symbols) for the matcher."""
    atoms = as_ase(atoms)
    if not all(atoms.pbc) or atoms.cell.rank != 3:
        raise ValueError("structure matching needs a periodic cell in three dimensions")
    return (np.array(atoms.cell.array, dtype=float), np.ascontiguousarray(atoms.get_scaled_positions(wrap=True)),
            atoms.get_chemical_symbols())
