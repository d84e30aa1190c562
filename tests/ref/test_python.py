"""The Python package (python/atomforge) against the command line, ASE and pymatgen.

1. atomforge.Calculator's single point equals the CLI's (a 0-step run of the same cell
   as a LAMMPS data file) to 1e-12 relative in energy, forces and stress for LJ (two
   species), EAM alloy, SW, Tersoff (Si-C) and both shipped neural potentials, on the
   shaken triclinic cells of test_system_api.py, handed to ASE rotated out of LAMMPS's
   frame; stress equals ASE's calculate_numerical_stress to 1e-6 relative and forces
   equal central differences to 1e-6 relative; per-atom energies sum to the energy.
2. One calculator follows changes of positions, cell, atomic numbers and periodicity:
   every result equals a fresh calculator's to 1e-12.
3. relax / match / dedup / run: relax equals the CLI's minimize stage to 1e-10; match
   and dedup agree with pymatgen's StructureMatcher; run returns a deck's final state.
4. Bad input (unknown style, missing model file, unknown species, a malformed deck)
   raises atomforge.InputError with one line; the interpreter goes on.
5. `import atomforge` works for /usr/bin/python3 without PYTHONPATH (the .pth file of
   scripts/install-python.sh), as after the README's set-up.
"""
import os
import subprocess
import sys

import numpy as np

from common import SOURCE_DIR, Checks, workdir
from test_system_api import CASES, cli, data_file, rel, structure

import atomforge  # noqa: E402  (PYTHONPATH: the build's python/ folder, set by ctest)
from ase import Atoms
from ase.calculators.test import numeric_force


def rotation(seed):
    """A proper rotation from a seed (QR of a Gaussian matrix)."""
    q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    return q if np.linalg.det(q) > 0 else -q


def case_atoms(cell, types, x, species, seed):
    """The LAMMPS cell (bounds from 0, tilts) as ASE Atoms, rotated by R."""
    L, xy, xz, yz = cell
    h = np.array([[L, 0, 0], [xy, L, 0], [xz, yz, L]])  # rows a, b, c
    R = rotation(seed)
    return Atoms([species[t - 1] for t in types], positions=x @ R.T, cell=h @ R.T, pbc=True), R


def voigt_to_lammps(s, R):
    """ASE Voigt stress of the rotated cell -> (xx yy zz xy xz yz) in LAMMPS's frame."""
    m = np.array([[s[0], s[5], s[4]], [s[5], s[1], s[3]], [s[4], s[3], s[2]]])
    m = R.T @ m @ R
    return np.array([m[0, 0], m[1, 1], m[2, 2], m[0, 1], m[0, 2], m[1, 2]])


def single_points(c, wd):
    for seed, (name, (basis, a, rep, species, fractions, potential)) in enumerate(CASES.items()):
        cell, types, x = structure(basis, a, rep, fractions, seed + 1)
        data_file(os.path.join(wd, f"{name}.data"), cell, types, x, len(species))
        ref = cli(wd, name, species, potential, [{"name": "sp", "integrator": {"style": "nve"}, "steps": 0}])
        atoms, R = case_atoms(cell, types, x, species, seed + 7)
        atoms.calc = atomforge.Calculator(potential)
        e, f, s = atoms.get_potential_energy(), atoms.get_forces(), atoms.get_stress()
        de = abs(e - ref["energy"]) / abs(ref["energy"])
        df, ds = rel(f @ R, ref["forces"]), rel(voigt_to_lammps(s, R), ref["stress"])
        c.check(de <= 1e-12 and df <= 1e-12 and ds <= 1e-12,
                f"{name}: Calculator = CLI single point (energy {de:.1e}, forces {df:.1e}, stress {ds:.1e}; 1e-12)")
        sn = atoms.calc.calculate_numerical_stress(atoms, d=1e-6)
        dsn = rel(s, sn)
        c.check(dsn <= 1e-6, f"{name}: stress = ASE numerical stress ({dsn:.1e} relative; 1e-6)")
        picks = range(0, len(atoms), max(1, len(atoms) // 6))  # six atoms: the NNIPs are slow to difference
        fn = np.array([[numeric_force(atoms, i, k, 1e-5) for k in range(3)] for i in picks])
        dfn = rel(f[list(picks)], fn)
        c.check(dfn <= 1e-6, f"{name}: forces = central differences ({dfn:.1e} relative; 1e-6)")
        esum = abs(atoms.get_potential_energies().sum() - e) / abs(e)
        c.check(esum <= 1e-12, f"{name}: per-atom energies sum to the energy ({esum:.1e}; 1e-12)")


def precision(c):
    """precision="float32" runs the neural potentials in single precision: close to
    float64, and not equal to it (so the setting reaches the model)."""
    from ase.build import bulk
    si = bulk("Si", "diamond", 5.431, cubic=True) * (2, 2, 2)
    si.rattle(0.05, seed=2)
    for name in ("equivariant", "attention"):
        pot = {"style": "nnip", "model": os.path.join(SOURCE_DIR, "examples", "models", f"si_{name}.h5")}
        e = {}
        for p in ("float64", "float32"):
            a = si.copy()
            a.calc = atomforge.Calculator(pot, precision=p)
            e[p] = (a.get_potential_energy(), a.get_forces())
        de = abs(e["float32"][0] - e["float64"][0]) / abs(e["float64"][0])
        df = rel(e["float32"][1], e["float64"][1])
        c.check(0 < de <= 1e-5 and 0 < df <= 1e-3,
                f"{name}: precision float32 vs float64: energy {de:.1e}, forces {df:.1e} relative")


def fresh(atoms, potential):
    b = atoms.copy()
    b.calc = atomforge.Calculator(potential)
    return b.get_potential_energy(), b.get_forces(), (b.get_stress() if all(b.pbc) else None)


def changes(c):
    """One calculator through changes of positions, cell, numbers and periodicity."""
    pot = CASES["tersoff"][5]
    cell, types, x = structure(*[CASES["tersoff"][i] for i in (0, 1, 2, 4)], 5)
    atoms, _ = case_atoms(cell, types, x, ["Si", "C"], 3)
    atoms.calc = atomforge.Calculator(pot)
    rng = np.random.default_rng(4)
    steps = {
        "positions": lambda a: a.set_positions(a.get_positions() + rng.uniform(-0.05, 0.05, (len(a), 3))),
        "positions beyond the skin": lambda a: a.set_positions(a.get_positions() + rng.uniform(-1.5, 1.5, (len(a), 3))),
        "cell (atoms scaled)": lambda a: a.set_cell(a.cell.array @ np.diag([1.02, 0.99, 1.01]), scale_atoms=True),
        "cell (atoms fixed)": lambda a: a.set_cell(a.cell.array * 1.01, scale_atoms=False),
        "atomic numbers": lambda a: a.set_chemical_symbols(["C" if s == "Si" else "Si" for s in a.get_chemical_symbols()]),
        "periodicity (a cluster)": lambda a: a.set_pbc(False),
        "cluster moved": lambda a: a.set_positions(a.get_positions() * 1.3),
    }
    for what, change in steps.items():
        change(atoms)
        e, f = atoms.get_potential_energy(), atoms.get_forces()
        e0, f0, s0 = fresh(atoms, pot)
        ok = abs(e - e0) <= 1e-12 * abs(e0) and rel(f, f0) <= 1e-12
        if s0 is not None:
            ok = ok and rel(atoms.get_stress(), s0) <= 1e-12
        c.check(ok, f"after a change of {what}: results = a fresh calculator's (1e-12)")


def functions(c, wd):
    from ase.build import bulk
    from pymatgen.analysis.structure_matcher import StructureMatcher
    from pymatgen.io.ase import AseAtomsAdaptor

    # relax = the CLI's minimize stage (atoms and cell), here in LAMMPS's frame.
    basis, a, rep, species, fractions, potential = CASES["eam_alloy"]
    cell, types, x = structure(basis, a, rep, fractions, 11)
    data_file(os.path.join(wd, "relax.data"), cell, types, x, len(species))
    ref = cli(wd, "relax", species, potential,
              [{"name": "relax", "minimize": {"style": "fire", "fmax": 1e-6, "cell": {"pressure": 0.0}}}])
    atoms = Atoms([species[t - 1] for t in types], positions=x, cell=np.array(
        [[cell[0], 0, 0], [cell[1], cell[0], 0], [cell[2], cell[3], cell[0]]]), pbc=True)
    r = atomforge.relax(atoms, potential, fmax=1e-6, cell=True)
    de = abs(r.get_potential_energy() - ref["energy"]) / abs(ref["energy"])
    dcell = np.abs(r.cell.array - ref["cell"]).max()
    d = np.linalg.solve(ref["cell"].T, (r.get_positions() - ref["x"]).T).T
    dx = np.abs((d - np.round(d)) @ ref["cell"]).max()
    c.check(r.info["relax"]["converged"] and de <= 1e-10 and dcell <= 1e-10 and dx <= 1e-10,
            f"relax = minimize stage with the cell (energy {de:.1e}, cell {dcell:.1e} A, positions {dx:.1e} A; 1e-10)")

    # A cluster: LJ13 relaxes to the Cambridge Cluster Database's icosahedron.
    from ase.cluster import Icosahedron
    lj = {"style": "lj", "cutoff": 10.0, "pairs": [{"species": ["Ar", "Ar"], "epsilon": 1.0, "sigma": 1.0}]}
    ico = Icosahedron("Ar", 2, latticeconstant=1.1 * 2 ** 0.5)
    ico.set_pbc(False)
    ico.rattle(0.05, seed=1)
    r13 = atomforge.relax(ico, lj, fmax=1e-8)
    e13 = r13.get_potential_energy()
    c.check(abs(e13 - (-44.326801)) <= 1e-6, f"relax of a cluster: LJ13 {e13:.6f} eps (CCD -44.326801)")

    # match and dedup against pymatgen, on ASE Atoms and pymatgen Structures alike.
    rng = np.random.default_rng(2)
    si = bulk("Si", "diamond", 5.43)
    pool = [si, bulk("Si", "diamond", 5.6) * (1, 1, 2), bulk("Si", "fcc", 3.9), bulk("Si", "bcc", 3.1),
            bulk("Si", "sc", 2.6)]
    for p in list(pool):
        q = p.copy()
        q.rattle(0.08, seed=int(rng.integers(1000)))
        pool.append(q)
    sm = StructureMatcher()
    structs = [AseAtomsAdaptor.get_structure(p) for p in pool]
    agree = sum(atomforge.match(p, structs[j]).match == sm.fit(structs[i], structs[j])
                for i, p in enumerate(pool) for j in range(len(pool)))
    c.check(agree == len(pool) ** 2, f"match = pymatgen's fit on {agree}/{len(pool) ** 2} pairs")
    rms = atomforge.match(pool[0], pool[5]).rms
    ref_rms = sm.get_rms_dist(structs[0], structs[5])[0]
    c.check(abs(rms - ref_rms) <= 1e-8, f"rms distance {rms:.8f} = pymatgen's {ref_rms:.8f} (1e-8)")
    unique = atomforge.dedup(pool, energies=list(range(len(pool))))
    groups = sm.group_structures(structs)
    c.check(len(unique) == len(groups) and sorted(len(u.info["members"]) for u in unique) == sorted(
        len(g) for g in groups), f"dedup: {len(unique)} classes = pymatgen's group_structures ({len(groups)})")

    # run: a deck's final state, in input atom order, equals its last extxyz frame.
    import ase.io
    os.chdir(wd)
    deck = """units: metal
seed: 5
system:
  lattice: {style: diamond, a: 5.431, repeat: [2, 2, 2], species: Si}
  velocities: {temperature: 600}
potential: {style: sw, file: Si.sw}
stages:
  - {name: md, integrator: {style: nve, timestep: 0.001}, steps: 20}
output:
  thermo: {every: 10, file: run_thermo.csv}
  extxyz: {every: 20, file: run_final.extxyz}
"""
    final = atomforge.run(deck)
    last = ase.io.read(os.path.join(wd, "run_final.extxyz"), index=-1)
    dx = np.abs(final.get_positions() - last.get_positions()).max()
    thermo = final.info["run"]["thermo"]
    c.check(final.info["run"]["end"] == "completed" and final.info["run"]["step"] == 20 and dx <= 1e-12
            and list(thermo["step"]) == [0, 10, 20],
            f"run: the deck completed at step {final.info['run']['step']}, final positions = its last frame "
            f"({dx:.1e} A), thermo steps {list(thermo['step'])}")


def campaign(c, wd):
    """atomforge.sample = `atomforge sample` on the same deck: the same unique.extxyz."""
    from common import run_atomforge
    deck = open(os.path.join(SOURCE_DIR, "inputs", "sample_si8_sw.yaml")).read()
    for sub in ("cli", "py"):
        os.makedirs(os.path.join(wd, sub), exist_ok=True)
        with open(os.path.join(wd, sub, "si8.yaml"), "w") as f:
            f.write(deck)
    run_atomforge(["sample", "si8.yaml", "-q"], os.path.join(wd, "cli"), threads=2)
    os.chdir(os.path.join(wd, "py"))
    seen = []
    r = atomforge.sample("si8.yaml", progress=seen.append)
    os.chdir(wd)
    same = open(os.path.join(wd, "cli", "si8_sw", "unique.extxyz")).read() == open(
        os.path.join(wd, "py", "si8_sw", "unique.extxyz")).read()
    c.check(same and len(r.unique) == r.summary["unique"] and seen and seen[-1]["relaxed"] == 40,
            f"sample: unique.extxyz = the CLI's ({len(r.unique)} minima, best "
            f"{r.unique[0].info.get('energy', float('nan')) / 8:.5f} eV/atom), {len(seen)} progress calls")


def errors(c, wd):
    from ase.build import bulk
    si = bulk("Si", "diamond", 5.43)
    cases = {
        "unknown style": ({"style": "lenard-jones"}, si),
        "missing model file": ({"style": "nnip", "model": os.path.join(wd, "no_such_model.h5")}, si),
        "unknown species": ({"style": "sw", "file": "Si.sw"}, bulk("Ge", "diamond", 5.66)),
    }
    named = {"unknown style": "lenard-jones", "missing model file": "no_such_model.h5", "unknown species": "Ge"}
    for what, (pot, atoms) in cases.items():
        atoms = atoms.copy()
        try:
            atoms.calc = atomforge.Calculator(pot)
            atoms.get_potential_energy()
            c.check(False, f"{what}: no exception")
        except atomforge.InputError as e:
            msg = str(e)
            c.check(len(msg.splitlines()) == 1 and named[what] in msg, f"{what}: InputError '{msg}'")
    try:
        atomforge.run("units: metal\nseed: x\n")
        c.check(False, "malformed deck: no exception")
    except atomforge.InputError as e:
        c.check(len(str(e).splitlines()) == 1, f"malformed deck: InputError '{e}'")
    si.calc = atomforge.Calculator({"style": "sw", "file": "Si.sw"})
    c.check(np.isfinite(si.get_potential_energy()), "the interpreter and the engine go on after the errors")


INTERRUPT_DECK = """units: metal
system:
  lattice: {style: diamond, a: 5.431, repeat: [4, 4, 4], species: Si}
  velocities: {temperature: 600}
potential: {style: sw, file: Si.sw}
stages:
  - {name: md, integrator: {style: nve, timestep: 0.001}, steps: 10000000}
output:
  thermo: {every: 100, file: long_thermo.csv}
  checkpoint: {every: 1000000, file: long.ckpt.h5}
"""


def interrupt(c, wd):
    """Ctrl-C reaches Python: a long deck stops cleanly with its checkpoint and raises
    KeyboardInterrupt; the interpreter handles it and goes on."""
    import signal
    import time
    with open(os.path.join(wd, "long.yaml"), "w") as f:
        f.write(INTERRUPT_DECK)
    script = "\n".join([
        "import atomforge, os",
        f"os.chdir({wd!r})",
        "print('started', flush=True)",
        "try:",
        "    atomforge.run('long.yaml')",
        "except KeyboardInterrupt:",
        "    print('interrupted', os.path.exists('long.ckpt.h5'), flush=True)",
        "print('still running', flush=True)"])
    p = subprocess.Popen(["/usr/bin/python3", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    p.stdout.readline()
    time.sleep(1.5)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    c.check(p.returncode == 0 and "interrupted True" in out and "still running" in out,
            f"Ctrl-C during atomforge.run: KeyboardInterrupt after a clean stop with its checkpoint "
            f"(rc {p.returncode}, {out.strip()!r} {err.strip()[-200:]!r})")


def installed(c):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    p = subprocess.run(["/usr/bin/python3", "-c", "import atomforge; print(atomforge.__version__, atomforge.__file__)"],
                       capture_output=True, text=True, env=env, cwd="/")
    c.check(p.returncode == 0 and p.stdout.split()[:1] == [atomforge.__version__],
            f"import atomforge without PYTHONPATH: '{(p.stdout + p.stderr).strip()}'")


def main():
    c = Checks("python")
    wd = workdir("python")
    os.chdir(wd)
    print(f"atomforge {atomforge.__version__} from {atomforge.__file__}, {atomforge.initialize()} threads")
    single_points(c, wd)
    changes(c)
    precision(c)
    functions(c, wd)
    campaign(c, wd)
    errors(c, wd)
    interrupt(c, wd)
    installed(c)
    c.done()


if __name__ == "__main__":
    sys.exit(main())
