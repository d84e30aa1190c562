"""CIF and POSCAR against pymatgen and ASE (issue 4, acceptance 1 and 2):
- atomforge's CIF and POSCAR files read in pymatgen (and CIF in ASE) as the structure
  they were written from: cell lengths and angles to 1e-10 relative, fractional
  positions to 1e-10 (matched by position), species per atom;
- CIF (P1) and POSCAR files written by pymatgen, and CIF files written by ASE, read in
  atomforge as pymatgen / ASE read them (same tolerances);
- write -> read in atomforge is lossless for LAMMPS data, extxyz and POSCAR (1e-13), and
  for CIF (CIF -> CIF -> extxyz equals CIF -> extxyz to
  1e-14 Å in the cell, 1e-13 Å in positions: the cell passes through lengths and angles);
- symmetric CIFs written by pymatgen with their space group (rock salt, rutile, wurtzite,
  quartz, diamond) expand to the P1 structure pymatgen's parser gives, and spglib on the
  P1 CIF atomforge writes finds the original space group (as does atomforge's header)."""
import os
import re
import warnings

import numpy as np
from ase.io import read as ase_read
from ase.io import write as ase_write

from common import Checks, run_atomforge, workdir
from test_convert import structures

warnings.filterwarnings("ignore")
from pymatgen.core import Lattice, Structure  # noqa: E402
from pymatgen.io.ase import AseAtomsAdaptor  # noqa: E402
from pymatgen.io.cif import CifParser, CifWriter  # noqa: E402
from pymatgen.io.vasp import Poscar  # noqa: E402
import spglib  # noqa: E402


def as_arrays(obj):
    """(cellpar, fractional positions wrapped, symbols) of an ASE Atoms or pymatgen Structure."""
    if isinstance(obj, Structure):
        obj = AseAtomsAdaptor.get_atoms(obj)
    return obj.cell.cellpar(), obj.get_scaled_positions(wrap=True), np.array(obj.get_chemical_symbols())


def same(a, b, tol=1e-10):
    ca, fa, sa = as_arrays(a)
    cb, fb, sb = as_arrays(b)
    if not np.allclose(ca, cb, rtol=tol, atol=tol) or len(fa) != len(fb):
        return False, f"cell {ca} vs {cb}, {len(fa)} vs {len(fb)} atoms"
    d = fa[:, None, :] - fb[None, :, :]
    d -= np.round(d)
    dist = np.abs(d).max(axis=2)
    j = dist.argmin(axis=1)
    worst = dist[np.arange(len(fa)), j].max()
    ok = worst < tol and len(set(j)) == len(fa) and list(sa) == list(sb[j])
    return ok, f"max fractional difference {worst:.1e}"


def symmetric():
    return {
        "rocksalt": (Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"],
                                               [[0, 0, 0], [0.5, 0.5, 0.5]]), 225),
        "rutile": (Structure.from_spacegroup("P4_2/mnm", Lattice.tetragonal(4.594, 2.959), ["Ti", "O"],
                                             [[0, 0, 0], [0.3048, 0.3048, 0]]), 136),
        "wurtzite": (Structure.from_spacegroup("P6_3mc", Lattice.hexagonal(3.25, 5.21), ["Zn", "O"],
                                               [[1 / 3, 2 / 3, 0], [1 / 3, 2 / 3, 0.382]]), 186),
        "quartz": (Structure.from_spacegroup("P3_221", Lattice.hexagonal(4.916, 5.405), ["Si", "O"],
                                             [[0.4697, 0, 0], [0.4135, 0.2669, 0.1191]]), 154),
        "diamond": (Structure.from_spacegroup("Fd-3m", Lattice.cubic(5.431), ["Si"], [[0, 0, 0]]), 227),
    }


def main():
    c = Checks("cif")
    wd = workdir("cif")
    for name, atoms in structures().items():
        d = os.path.join(wd, name)
        os.makedirs(d)
        ase_write(os.path.join(d, "src.extxyz"), atoms, format="extxyz")
        ref = ase_read(os.path.join(d, "src.extxyz"))
        # atomforge writes; pymatgen (CIF, POSCAR) and ASE (CIF) read.
        run_atomforge(["convert", "src.extxyz", "ours.cif"], d)
        run_atomforge(["convert", "src.extxyz", "POSCAR"], d)
        for what, back in [("CIF in pymatgen", CifParser(os.path.join(d, "ours.cif")).get_structures(primitive=False)[0]),
                           ("CIF in ASE", ase_read(os.path.join(d, "ours.cif"))),
                           ("POSCAR in pymatgen", Poscar.from_file(os.path.join(d, "POSCAR")).structure)]:
            ok, note = same(ref, back)
            c.check(ok, f"{name}: atomforge's {what} reads as written ({note})")
        # pymatgen and ASE write; atomforge reads.
        pmg = AseAtomsAdaptor.get_structure(ref)
        CifWriter(pmg).write_file(os.path.join(d, "pmg.cif"))
        Poscar(pmg).write_file(os.path.join(d, "pmg.vasp"), significant_figures=16)
        ase_write(os.path.join(d, "ase.cif"), ref, format="cif")
        for src, theirs in [("pmg.cif", CifParser(os.path.join(d, "pmg.cif")).get_structures(primitive=False)[0]),
                            ("pmg.vasp", Poscar.from_file(os.path.join(d, "pmg.vasp")).structure),
                            ("ase.cif", ase_read(os.path.join(d, "ase.cif")))]:
            out = src.replace(".", "_") + ".extxyz"
            run_atomforge(["convert", src, out], d)
            # pymatgen's CIF keeps 8 decimals: compare what each side read from that file.
            ok, note = same(theirs, ase_read(os.path.join(d, out)))
            c.check(ok, f"{name}: {src} reads in atomforge as its writer reads it ({note})")
        # Lossless in atomforge: CIF -> CIF changes nothing.
        run_atomforge(["convert", "ours.cif", "again.cif"], d)
        run_atomforge(["convert", "again.cif", "again.extxyz"], d)
        run_atomforge(["convert", "ours.cif", "once.extxyz"], d)
        a, b = ase_read(os.path.join(d, "once.extxyz")), ase_read(os.path.join(d, "again.extxyz"))
        # Every format atomforge writes reads back in atomforge as written (POSCAR groups
        # atoms by species: matched by position).
        for fmt in ("rt.data", "rt.extxyz", "rt.vasp"):
            run_atomforge(["convert", "src.extxyz", fmt], d)
            run_atomforge(["convert", fmt, fmt + ".extxyz"], d)
            ok, note = same(ref, ase_read(os.path.join(d, fmt + ".extxyz")), tol=1e-13)
            c.check(ok, f"{name}: atomforge {fmt.split('.')[1]} -> atomforge is lossless ({note})")
        # A CIF holds lengths and angles, not vectors: a triclinic cell passes through
        # cos/acos, so "lossless" is to the last bit or two (1e-14 Å here).
        dcell, dpos = np.abs(a.cell[:] - b.cell[:]).max(), np.abs(a.positions - b.positions).max()
        c.check(dcell <= 1e-14 and dpos <= 1e-13 and a.get_chemical_symbols() == b.get_chemical_symbols(),
                f"{name}: CIF -> CIF in atomforge is lossless (cell {dcell:.1e} Å, positions {dpos:.1e} Å)")

    for name, (s, number) in symmetric().items():
        d = os.path.join(wd, name)
        os.makedirs(d)
        CifWriter(s, symprec=0.01).write_file(os.path.join(d, "sym.cif"))
        text = open(os.path.join(d, "sym.cif")).read()
        n_ops = len(re.findall(r"^\s+\d+\s+'[^']*'", text, flags=re.M))
        p1 = CifParser(os.path.join(d, "sym.cif")).get_structures(primitive=False)[0]
        run_atomforge(["convert", "sym.cif", "p1.extxyz"], d)
        ok, note = same(p1, ase_read(os.path.join(d, "p1.extxyz")), tol=1e-9)
        c.check(ok and n_ops > 1, f"{name}: {n_ops} operations expand to pymatgen's P1 structure, {len(p1)} atoms ({note})")
        run_atomforge(["convert", "sym.cif", "p1.cif"], d)
        atoms = ase_read(os.path.join(d, "p1.cif"))
        found = spglib.get_spacegroup((atoms.cell[:], atoms.get_scaled_positions(), atoms.numbers), symprec=1e-3)
        header = re.search(r"spglib.*\(No\. (\d+)\)", open(os.path.join(d, "p1.cif")).read())
        c.check(found.endswith(f"({number})") and header and int(header.group(1)) == number,
                f"{name}: spglib finds {found} in atomforge's P1 CIF (header: No. {header.group(1) if header else '-'})")
    c.done()


if __name__ == "__main__":
    main()
