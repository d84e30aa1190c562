"""The systems of the crystal-structure-search baselines (issue 21): potential, cell
contents, generator settings and the prototype library each is seeded with. Potential
files are LAMMPS's (Debian's lammps-data, /usr/share/lammps/potentials). Clusters carry
the Cambridge Cluster Database's global-minimum energies (Wales & Doye 1997) instead of
prototypes."""
import numpy as np
from ase import Atoms
from ase.build import bulk

LJ = "{style: lj, cutoff: 10.0, pairs: [{species: [Ar, Ar], epsilon: 1.0, sigma: 1.0}]}"


def _hexagonal_diamond(symbol, a, c):
    at = bulk(symbol + symbol, "wurtzite", a=a, c=c, u=0.375)
    at.set_chemical_symbols([symbol] * len(at))
    return at


def _beta_tin(symbol, a, c):
    # I4_1/amd, 4a (0, 0, 0) and its centring images: atoms at (0,0,0), (0,1/2,1/4),
    # (1/2,1/2,1/2), (1/2,0,3/4) in the conventional cell.
    frac = np.array([[0, 0, 0], [0, 0.5, 0.25], [0.5, 0.5, 0.5], [0.5, 0, 0.75]])
    return Atoms(symbol * 4, scaled_positions=frac, cell=[a, a, c], pbc=True)


def _si_prototypes(symbol="Si", a=5.43):
    s = a / 5.43
    return {
        "diamond": bulk(symbol, "diamond", a=a),
        "lonsdaleite": _hexagonal_diamond(symbol, 3.84 * s, 6.27 * s),
        "beta-Sn": _beta_tin(symbol, 4.92 * s, 2.70 * s),
        "sc": bulk(symbol, "sc", a=2.53 * s),
        "bcc": bulk(symbol, "bcc", a=3.08 * s),
        "fcc": bulk(symbol, "fcc", a=3.87 * s),
        "hcp": bulk(symbol, "hcp", a=2.74 * s, c=4.47 * s),
    }


def _binary_prototypes(a, b, d):
    """AB prototypes at a nearest-neighbour distance d."""
    return {
        "B2": bulk(a + b, "cesiumchloride", a=2 * d / np.sqrt(3)),
        "rocksalt": bulk(a + b, "rocksalt", a=2 * d),
        "zincblende": bulk(a + b, "zincblende", a=4 * d / np.sqrt(3)),
        "wurtzite": bulk(a + b, "wurtzite", a=d * np.sqrt(8 / 3), c=d * np.sqrt(8 / 3) * 1.633, u=0.375),
        # CuAu: primitive tetragonal cell of an fcc of nearest-neighbour distance d.
        "L1_0": Atoms(a + b, scaled_positions=[[0, 0, 0], [0.5, 0.5, 0.5]], cell=[d, d, d * np.sqrt(2)], pbc=True),
    }


def _polytypes(a_sym, b_sym, d):
    """Zincblende (3C), wurtzite (2H) and 4H of an AB tetrahedral compound, bond length d."""
    a_c = 4 * d / np.sqrt(3)
    a_h = a_c / np.sqrt(2)
    c2 = a_h * np.sqrt(8 / 3)
    out = {"zincblende": bulk(a_sym + b_sym, "zincblende", a=a_c),
           "wurtzite": bulk(a_sym + b_sym, "wurtzite", a=a_h, c=c2, u=0.375)}
    # 4H: ABCB stacking, 8 atoms; A sites at z = 0, 1/4, 1/2, 3/4, B sites 3/16 above.
    lay = {"A": (0, 0), "B": (1 / 3, 2 / 3), "C": (2 / 3, 1 / 3)}
    pos, sym = [], []
    for k, L in enumerate("ABCB"):
        x, y = lay[L]
        pos += [[x, y, k / 4], [x, y, k / 4 + 3 / 16]]
        sym += [a_sym, b_sym]
    out["4H"] = Atoms(sym, scaled_positions=pos, cell=[[a_h, 0, 0], [-a_h / 2, a_h * np.sqrt(3) / 2, 0], [0, 0, 2 * c2]],
                      pbc=True)
    out["rocksalt"] = bulk(a_sym + b_sym, "rocksalt", a=2 * d * 1.1)
    out["CsCl"] = bulk(a_sym + b_sym, "cesiumchloride", a=2 * d * 1.15 / np.sqrt(3))
    return out


def _carbon(d=1.54):
    out = {"diamond": bulk("C", "diamond", a=4 * d / np.sqrt(3)),
           "lonsdaleite": _hexagonal_diamond("C", 4 * d / np.sqrt(6), 4 * d / np.sqrt(6) * np.sqrt(8 / 3)),
           "sc": bulk("C", "sc", a=1.6), "bcc": bulk("C", "bcc", a=2.0), "fcc": bulk("C", "fcc", a=2.6)}
    g = Atoms("C4", scaled_positions=[[0, 0, 0.25], [0, 0, 0.75], [1 / 3, 2 / 3, 0.25], [2 / 3, 1 / 3, 0.75]],
              cell=[[2.46, 0, 0], [-1.23, 2.46 * np.sqrt(3) / 2, 0], [0, 0, 6.0]], pbc=True)
    out["graphite"] = g
    return out


def _hbn(d=1.45):
    a = d * np.sqrt(3)
    return Atoms("B2N2", scaled_positions=[[0, 0, 0], [1 / 3, 2 / 3, 0.5], [1 / 3, 2 / 3, 0], [0, 0, 0.5]],
                 cell=[[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, 6.6]], pbc=True)


def _silica():
    from pymatgen.core import Lattice, Structure
    from pymatgen.io.ase import AseAtomsAdaptor
    # Si-O 1.604 and 1.613 A in this setting.
    quartz = Structure.from_spacegroup("P3_121", Lattice.hexagonal(4.913, 5.405), ["Si", "O"],
                                       [[0.4697, 0, 1 / 3], [0.4135, 0.2669, 0.2141]])
    cristobalite = Structure.from_spacegroup("Fd-3m", Lattice.cubic(7.16), ["Si", "O"],
                                             [[0, 0, 0], [0.125, 0.125, 0.125]])
    return {"alpha-quartz": AseAtomsAdaptor.get_atoms(quartz),
            "beta-cristobalite": AseAtomsAdaptor.get_atoms(cristobalite.get_primitive_structure())}


def _ni3al(d=2.52):
    a = d * np.sqrt(2)
    l12 = Atoms("AlNi3", scaled_positions=[[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]], cell=[a] * 3, pbc=True)
    d022 = Atoms("Al2Ni6", scaled_positions=[[0, 0, 0], [0.5, 0.5, 0.5], [0, 0.5, 0.25], [0.5, 0, 0.25], [0, 0.5, 0.75],
                                             [0.5, 0, 0.75], [0.5, 0.5, 0], [0, 0, 0.5]], cell=[a, a, 2 * a], pbc=True)
    return {"L1_2": l12, "D0_22": d022, "fcc-Ni": bulk("Ni", "fcc", a=a)}


# Kob-Andersen parameters; A and B are labelled Ar and Ne so that ASE and pymatgen read them.
KA = ("{style: lj, cutoff: 2.5, pairs: [{species: [Ar, Ar], epsilon: 1.0, sigma: 1.0}, "
      "{species: [Ar, Ne], epsilon: 1.5, sigma: 0.8}, {species: [Ne, Ne], epsilon: 0.5, sigma: 0.88}]}")

SYSTEMS = {
    "si8_sw": dict(units="metal", potential="{style: sw, file: Si.sw}", composition={"Si": 8},
                   generator="volume_per_atom: [14.0, 24.0]", relax="fmax: 1.0e-3, max_steps: 2000",
                   prototypes=lambda: _si_prototypes()),
    "si16_sw": dict(units="metal", potential="{style: sw, file: Si.sw}", composition={"Si": 16},
                    generator="volume_per_atom: [14.0, 24.0]", relax="fmax: 1.0e-3, max_steps: 3000",
                    prototypes=lambda: _si_prototypes()),
    "nial_eam": dict(units="metal", potential="{style: eam/alloy, file: NiAlH_jea.eam.alloy, species: [Ni, Al]}",
                     composition={"Ni": 2, "Al": 2}, generator="volume_per_atom: [10.0, 16.0]",
                     relax="fmax: 1.0e-3, max_steps: 2000", prototypes=lambda: _binary_prototypes("Ni", "Al", 2.50)),
    "si8_tersoff": dict(units="metal", potential="{style: tersoff, file: Si.tersoff}", composition={"Si": 8},
                        generator="volume_per_atom: [14.0, 24.0]", relax="fmax: 1.0e-3, max_steps: 2000",
                        prototypes=lambda: _si_prototypes()),
    "ge8_tersoff": dict(units="metal", potential="{style: tersoff, file: Ge.tersoff}", composition={"Ge": 8},
                        generator="volume_per_atom: [16.0, 28.0]", relax="fmax: 1.0e-3, max_steps: 2000",
                        prototypes=lambda: _si_prototypes("Ge", 5.66)),
    "c8_20gpa": dict(units="metal", potential="{style: tersoff, file: SiC.tersoff}", composition={"C": 8},
                     generator="volume_per_atom: [4.5, 9.0]", relax="fmax: 1.0e-3, max_steps: 2000, pressure: 200000.0",
                     prototypes=_carbon),
    "sic8_tersoff": dict(units="metal", potential="{style: tersoff, file: SiC.tersoff}", composition={"Si": 4, "C": 4},
                         generator="volume_per_atom: [8.0, 16.0]", relax="fmax: 1.0e-3, max_steps: 2000",
                         prototypes=lambda: _polytypes("Si", "C", 1.89)),
    "bn8_tersoff": dict(units="metal", potential="{style: tersoff, file: BNC.tersoff}", composition={"B": 4, "N": 4},
                        generator="volume_per_atom: [5.0, 11.0]", relax="fmax: 1.0e-3, max_steps: 2000",
                        prototypes=lambda: {**_polytypes("B", "N", 1.57), "h-BN": _hbn()}),
    "gan8_tersoff": dict(units="metal", potential="{style: tersoff, file: GaN.tersoff}", composition={"Ga": 4, "N": 4},
                         generator="volume_per_atom: [8.0, 16.0]", relax="fmax: 1.0e-3, max_steps: 2000",
                         prototypes=lambda: _polytypes("Ga", "N", 1.95)),
    "cdte8_sw": dict(units="metal", potential="{style: sw, file: CdTe.sw}", composition={"Cd": 4, "Te": 4},
                     generator="volume_per_atom: [26.0, 44.0]", relax="fmax: 1.0e-3, max_steps: 2000",
                     prototypes=lambda: _polytypes("Cd", "Te", 2.81)),
    "sio2_9_tersoff": dict(units="metal", potential="{style: tersoff, file: SiO.tersoff}", composition={"Si": 3, "O": 6},
                           generator="volume_per_atom: [10.0, 20.0]", relax="fmax: 1.0e-3, max_steps: 3000",
                           prototypes=_silica),
    "ni3al_eam": dict(units="metal", potential="{style: eam/alloy, file: NiAlH_jea.eam.alloy, species: [Ni, Al]}",
                      composition={"Ni": 3, "Al": 1}, generator="volume_per_atom: [10.0, 15.0]",
                      relax="fmax: 1.0e-3, max_steps: 2000", prototypes=_ni3al),
    "feal_eam": dict(units="metal", potential="{style: eam/fs, file: AlFe_mm.eam.fs, species: [Al, Fe]}",
                     composition={"Fe": 2, "Al": 2}, generator="volume_per_atom: [10.0, 16.0]",
                     relax="fmax: 1.0e-3, max_steps: 2000", prototypes=lambda: _binary_prototypes("Fe", "Al", 2.51)),
    "cuzr_eam": dict(units="metal", potential="{style: eam/fs, file: CuZr_mm.eam.fs, species: [Cu, Zr]}",
                     composition={"Cu": 2, "Zr": 2}, generator="volume_per_atom: [12.0, 22.0]",
                     relax="fmax: 1.0e-3, max_steps: 2000", prototypes=lambda: _binary_prototypes("Cu", "Zr", 2.80)),
    "ka_ab_lj": dict(units="lj", potential=KA, composition={"Ar": 2, "Ne": 2},
                     generator="volume_per_atom: [0.8, 1.4], min_distance: {Ar-Ar: 0.8, Ar-Ne: 0.65, Ne-Ne: 0.7}",
                     relax="fmax: 1.0e-5, max_steps: 5000", prototypes=None, crystal=True),
    "lj13": dict(units="lj", potential=LJ, composition={"Ar": 13}, cluster=True, ccd=-44.326801,
                 generator="volume_per_atom: [1.0, 1.6], min_distance: {Ar-Ar: 0.9}",
                 relax="fmax: 1.0e-6, max_steps: 10000", prototypes=None),
    "lj19": dict(units="lj", potential=LJ, composition={"Ar": 19}, cluster=True, ccd=-72.659782,
                 generator="volume_per_atom: [1.0, 1.6], min_distance: {Ar-Ar: 0.9}",
                 relax="fmax: 1.0e-6, max_steps: 10000", prototypes=None),
    "lj26": dict(units="lj", potential=LJ, composition={"Ar": 26}, cluster=True, ccd=-108.315616,
                 generator="volume_per_atom: [1.0, 1.6], min_distance: {Ar-Ar: 0.9}",
                 relax="fmax: 1.0e-6, max_steps: 10000", prototypes=None),
    "lj38": dict(units="lj", potential=LJ, composition={"Ar": 38}, cluster=True, ccd=-173.928427,
                 generator="volume_per_atom: [1.0, 1.6], min_distance: {Ar-Ar: 0.9}",
                 relax="fmax: 1.0e-6, max_steps: 10000", prototypes=None),
}
