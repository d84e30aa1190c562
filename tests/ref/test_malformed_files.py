"""A catalogue of malformed structure files across every format atomforge reads (LAMMPS
data, extended XYZ, POSCAR, CIF, H5MD) and of bad checkpoints: each must give exit code 2 and
exactly the expected one-line message naming file:line and the problem, and leave no
output file behind (`atomforge convert FILE out.extxyz`, `run --restart`)."""
import os

from common import Checks, run_atomforge, workdir, write_deck

BOX = "0 1 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n"
CELL = 'Lattice="3 0 0 0 3 0 0 0 3"'
PROPS = "Properties=species:S:1:pos:R:3"
LATT = "3 0 0\n0 3 0\n0 0 3\n"
CIFCELL = ("_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n_cell_angle_alpha 90\n_cell_angle_beta 90\n"
           "_cell_angle_gamma 90\n")
SITES = "loop_\n_atom_site_type_symbol\n_atom_site_fract_x\n_atom_site_fract_y\n_atom_site_fract_z\n"

CASES = [
    # LAMMPS data
    ("empty.data", "", "empty.data: empty file (a LAMMPS data file starts with a title line)"),
    ("noatoms.data", f"title\n\n2 atom types\n{BOX}\nAtoms\n\n", "noatoms.data:8: header has no 'N atoms' line"),
    ("badbox.data", "title\n\n1 atoms\n1 atom types\n1 0 xlo xhi\n0 1 ylo yhi\n0 1 zlo zhi\n\nAtoms\n\n1 1 0 0 0\n",
     "badbox.data:5: box upper bound must exceed the lower bound"),
    ("badcount.data", f"title\n\nmany atoms\n1 atom types\n{BOX}\nAtoms\n\n1 1 0 0 0\n",
     "badcount.data:3: expected an integer for the atom count, got 'many'"),
    ("shortatoms.data", f"title\n\n2 atoms\n1 atom types\n{BOX}\nAtoms\n\n1 1 0 0 0\n",
     "shortatoms.data:11: file ends inside the Atoms section (1 of 2 lines read)"),
    ("badtype.data", f"title\n\n1 atoms\n1 atom types\n{BOX}\nAtoms\n\n1 3 0 0 0\n",
     "badtype.data:11: atom type 3 out of range 1..1"),
    ("badcoord.data", f"title\n\n1 atoms\n1 atom types\n{BOX}\nAtoms\n\n1 1 0 zero 0\n",
     "badcoord.data:11: expected a number for a coordinate, got 'zero'"),
    ("molecular.data", f"title\n\n1 atoms\n1 atom types\n2 bonds\n{BOX}\nAtoms\n\n1 1 0 0 0\n",
     "molecular.data:5: only atom_style atomic is supported: '2 bonds' declares molecular topology"),
    ("charge.data", f"title\n\n1 atoms\n1 atom types\n{BOX}\nAtoms # charge\n\n1 1 0.5 0 0 0\n",
     "charge.data:9: only atom_style atomic is supported, this file has 'charge'"),
    ("negmass.data", f"title\n\n1 atoms\n1 atom types\n{BOX}\nMasses\n\n1 -2.0\n\nAtoms\n\n1 1 0 0 0\n",
     "negmass.data:11: mass must be positive"),
    ("dupid.data", f"title\n\n2 atoms\n1 atom types\n{BOX}\nAtoms\n\n1 1 0 0 0\n1 1 0.5 0.5 0.5\n",
     "dupid.data:12: duplicate atom id 1"),
    ("unknownsec.data", f"title\n\n1 atoms\n1 atom types\n{BOX}\nBonds\n\n1 1 1 2\n",
     "unknownsec.data:9: unsupported section 'Bonds' (atom_style atomic files have Masses, Atoms, Velocities)"),
    # extended XYZ
    ("empty.xyz", "", "empty.xyz: no frames in file"),
    ("badcount.xyz", f"two\n{CELL}\nCu 0 0 0\n",
     "badcount.xyz:1: expected an integer for the atom count on the first line of a frame, got 'two'"),
    ("short.xyz", f"2\n{CELL} {PROPS}\nCu 0 0 0\n", "short.xyz:3: file ends inside a frame (1 of 2 atoms read)"),
    ("lattice8.xyz", f'1\nLattice="3 0 0 0 3 0 0 0" {PROPS}\nCu 0 0 0\n', "lattice8.xyz:2: Lattice needs 9 numbers"),
    ("quote.xyz", f'1\nLattice="3 0 0 0 3 0 0 0 3 {PROPS}\nCu 0 0 0\n',
     "quote.xyz:2: unterminated quote in the comment line"),
    ("nopos.xyz", f"1\n{CELL} Properties=species:S:1:forces:R:3\nCu 0 0 0\n",
     "nopos.xyz:2: Properties needs species:S:1 and pos:R:3"),
    ("cols.xyz", f"1\n{CELL} {PROPS}\nCu 0 0\n",
     "cols.xyz:3: expected 4 columns per atom (Properties=species:S:1:pos:R:3), got 3"),
    ("badnum.xyz", f"1\n{CELL} {PROPS}\nCu 0 0 x\n", "badnum.xyz:3: expected a number for a position, got 'x'"),
    ("flatcell.xyz", f'1\nLattice="3 0 0 0 3 0 0 0 0" {PROPS}\nCu 0 0 0\n',
     "flatcell.xyz:2: Lattice: the cell vectors are linearly dependent"),
    ("lefthand.xyz", f'1\nLattice="3 0 0 0 0 3 0 3 0" {PROPS}\nCu 0 0 0\n',
     "lefthand.xyz:2: Lattice: left-handed cell (swap two vectors)"),
    ("huge.xyz", "1\nProperties=species:S:1:pos:R:3\nCu 1e20 0 0\n",
     "huge.xyz:3: no Lattice, and the atoms' coordinates are too large to put a box around them"),
    ("badpbc.xyz", f'1\n{CELL} {PROPS} pbc="T T maybe"\nCu 0 0 0\n', "badpbc.xyz:2: pbc flags must be T or F, got 'maybe'"),
    # VASP POSCAR
    ("POSCAR_empty", "", "POSCAR_empty: empty file (a POSCAR starts with a comment line)"),
    ("POSCAR_scale", f"c\nbig\n{LATT}Cu\n1\nDirect\n0 0 0\n",
     "POSCAR_scale:2: expected a number for the scale factor, got 'big'"),
    ("POSCAR_zero", f"c\n0\n{LATT}Cu\n1\nDirect\n0 0 0\n", "POSCAR_zero:2: the scale factor must be non-zero"),
    ("POSCAR_lattice", "c\n1.0\n3 0 0\n0 3\n0 0 3\nCu\n1\nDirect\n0 0 0\n",
     "POSCAR_lattice:4: expected three components of a lattice vector"),
    ("POSCAR_flat", "c\n1.0\n3 0 0\n6 0 0\n0 0 3\nCu\n1\nDirect\n0 0 0\n",
     "POSCAR_flat:5: the lattice vectors are linearly dependent"),
    ("POSCAR_counts", f"c\n1.0\n{LATT}Cu Zn\n1\nDirect\n0 0 0\n", "POSCAR_counts:7: 2 species names but 1 counts"),
    ("POSCAR_count", f"c\n1.0\n{LATT}Cu\n1.5\nDirect\n0 0 0\n",
     "POSCAR_count:7: expected atom counts (whole numbers), got '1.5'"),
    ("POSCAR_mode", f"c\n1.0\n{LATT}Cu\n1\nFractional\n0 0 0\n",
     "POSCAR_mode:8: expected 'Direct' or 'Cartesian', got 'Fractional'"),
    ("POSCAR_trunc", f"c\n1.0\n{LATT}Cu\n2\nDirect\n0 0 0\n",
     "POSCAR_trunc:9: file ends inside the positions (1 of 2 atoms read)"),
    ("POSCAR_vasp4", f"1 2 3\n1.0\n{LATT}1 1\nDirect\n0 0 0\n0.5 0.5 0.5\n",
     "POSCAR_vasp4:6: no species names (VASP 4 format): add a line of names before the counts"),
    # CIF
    ("nocell.cif", "data_x\n_cell_length_a 3\n", "nocell.cif:1: data_x has no _cell_angle_alpha"),
    ("nodata.cif", "_cell_length_a 3\n", "nodata.cif:1: expected 'data_NAME' before '_cell_length_a'"),
    ("quote.cif", f"data_x\n{CIFCELL}_title 'open\n", "quote.cif:8: quoted string (') is never closed"),
    ("textfield.cif", f"data_x\n{CIFCELL}_title\n;\nno end\n", "textfield.cif:9: text field (';') is never closed"),
    ("angle.cif", "data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n_cell_angle_alpha 190\n"
     "_cell_angle_beta 90\n_cell_angle_gamma 90\n",
     "angle.cif:5: _cell_angle_alpha must lie between 0 and 180 degrees"),
    ("flat.cif", "data_x\n_cell_length_a 3\n_cell_length_b 3\n_cell_length_c 3\n_cell_angle_alpha 120\n"
     "_cell_angle_beta 120\n_cell_angle_gamma 120\n", "flat.cif:5: the cell angles do not form a cell"),
    ("rows.cif", f"data_x\n{CIFCELL}{SITES}Cu 0 0\n",
     "rows.cif:8: loop of 4 tags has 3 values, not a whole number of rows"),
    ("occupancy.cif", f"data_x\n{CIFCELL}loop_\n_atom_site_label\n_atom_site_fract_x\n_atom_site_fract_y\n"
     "_atom_site_fract_z\n_atom_site_occupancy\nCu1 0 0 0 0.5\n",
     "occupancy.cif:14: site Cu1 has occupancy 0.5: partial occupancy is not supported"),
    ("symop.cif", f"data_x\n{CIFCELL}loop_\n_symmetry_equiv_pos_as_xyz\n'x, y'\n{SITES}Cu 0 0 0\n",
     "symop.cif:10: symmetry operation 'x, y': expected three components separated by commas"),
    ("spacegroup.cif", f"data_x\n{CIFCELL}_symmetry_space_group_name_H-M 'F m -3 m'\n{SITES}Cu 0 0 0\n",
     "spacegroup.cif:8: space group 'F m -3 m' given without its symmetry operations (_symmetry_equiv_pos_as_xyz)"),
    ("overlap.cif", f"data_x\n{CIFCELL}{SITES}Cu 0 0 0\nNi 1.0 0 0\n",
     "overlap.cif:14: site Ni lies on site Cu (within 1e-4 fractional)"),
    ("coord.cif", f"data_x\n{CIFCELL}{SITES}Cu 0 half 0\n", "coord.cif:13: expected a number for a fractional coordinate, got 'half'"),
    # H5MD
    ("junk.h5md", "not hdf5\n", "junk.h5md: not an HDF5 file (or unreadable)"),
]


def main():
    c = Checks("malformed_files")
    wd = workdir("malformed_files")
    for name, text, expected in CASES:
        with open(os.path.join(wd, name), "w") as f:
            f.write(text)
        p = run_atomforge(["convert", name, "out.extxyz"], wd, check=False)
        got = p.stderr.strip()
        left = [f for f in os.listdir(wd) if f.startswith("out.extxyz")]
        c.check(p.returncode == 2 and got == expected and not left,
                f"{name}: exit {p.returncode}, '{got}'" + ("" if got == expected else f" (expected '{expected}')"))

    # Checkpoints: not HDF5, and an HDF5 file that is not a checkpoint.
    write_deck({"units": "lj", "system": {"lattice": {"style": "fcc", "density": 0.8442, "repeat": [2, 2, 2],
                                                      "species": "Ar"}, "masses": {"Ar": 1.0}},
                "potential": {"style": "lj", "cutoff": 2.5, "pairs": [{"species": ["Ar", "Ar"], "epsilon": 1.0,
                                                                      "sigma": 1.0}]},
                "stages": [{"name": "md", "integrator": {"style": "nve"}, "steps": 5}],
                "output": {"trajectory": {"every": 5, "file": "t.h5md"}}}, os.path.join(wd, "d.yaml"))
    run_atomforge(["run", "d.yaml", "-q"], wd)
    for ck, expected in (("junk.h5md", "junk.h5md: cannot open checkpoint (not an HDF5 file?)"),
                         ("t.h5md", "t.h5md: not an atomforge checkpoint (no version)")):
        p = run_atomforge(["run", "d.yaml", "-q", "--restart", ck], wd, check=False)
        got = p.stderr.strip()
        c.check(p.returncode == 2 and got == expected, f"--restart {ck}: exit {p.returncode}, '{got}'")
    c.check(len(CASES) + 2 >= 30, f"{len(CASES) + 2} malformed inputs")
    c.done()


if __name__ == "__main__":
    main()
