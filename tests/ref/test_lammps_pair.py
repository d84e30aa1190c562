"""pair_style atomforge in LAMMPS (build/bin/lmp_atomforge, interfaces/lammps/), ghost and
exchange mode.

Every case starts from a fixed data file (made once by Debian's lmp; create_atoms numbers
atoms by rank) and runs with `neighbor 0.5 bin` and `neigh_modify every 1 delay 0 check
yes`. Models: both shipped Si models (the equivariant one on its exact radial path,
`radial: mlp`, here; the default table in item 3), and an untrained two-species (Si, C)
equivariant model exported by the training package. Structures: a shaken, sheared 216-atom Si cell,
an 8-atom triclinic Si cell far smaller than the ghost shell, a 64-atom disordered SiC.
Exchange mode (`mode exchange`: ghosts r_c deep, node features forward-communicated
after every block, gradients returned by forward or reverse communication) runs both
shipped models on both Si cells and the two-species model on SiC.

1. run 0 equals atomforge's own single point (atomforge.Calculator on the data file's
   structure): per-atom energies within 1e-12 eV, forces within 1e-10 eV/A, the virial
   within 1e-12 relative; pe/atom sums to pe and stress/atom to the virial;
2. the same at 2 and 4 ranks and on a forced `processors 4 1 1` grid whose slabs are
   thinner than the ghost cutoff (energy 1e-13 relative, forces 1e-11 eV/A between
   rank counts); an undersized ghost shell (ghost mode: ghost_cutoff = r_c; exchange
   mode: ghost_cutoff 3 A < r_c) at 4 ranks gives wrong forces (negative controls);
3. 100 NVE steps (equivariant model, spline radial; both modes) agree at 1 and 4 ranks
   and with `atomforge run` of the same data file: pe and etotal at every 10th step to
   1e-10;
4. wrong units, an unknown species, a missing model file, newton off and an unknown mode
   each stop with one clear LAMMPS error.
"""
import os
import subprocess
import sys

import numpy as np

from common import SOURCE_DIR, Checks, run_atomforge, workdir, write_deck

import atomforge  # noqa: E402  (PYTHONPATH: the build's python/ folder, set by ctest)
from ase import Atoms

LMP = os.environ.get("AF_LMP_ATOMFORGE", "build/bin/lmp_atomforge")
MODELS = os.path.join(SOURCE_DIR, "examples", "models")

MAKE = """units metal
boundary p p p
lattice diamond 5.431
region box prism 0 {n} 0 {n} 0 {n} {tilt}
create_box {ntypes} box
create_atoms 1 box
mass * 28.0855
{types}
displace_atoms all random {shake} {shake} {shake} 4321
velocity all create 800 5 loop geom
write_data {name}.data
"""
STRUCTURES = {
    "si216": dict(n=3, tilt="0.6 -0.4 0.3", ntypes=1, types="", shake=0.12),
    "si8": dict(n=1, tilt="0.3 0.2 -0.25", ntypes=1, types="", shake=0.1),
    "sic64": dict(n=2, tilt="0.4 0.1 0.2", ntypes=2, types="set type 1 type/fraction 2 0.5 77\nmass 2 12.011",
                  shake=0.25),
}

RUN0 = """units metal
{newton}
{processors}
read_data {name}.data
neighbor 0.5 bin
neigh_modify every 1 delay 0 check yes
pair_style atomforge {pot}
pair_coeff * * {species}
compute pe all pe/atom
compute pesum all reduce sum c_pe
compute pv all pressure NULL virial
compute sa all stress/atom NULL virial
compute sasum all reduce sum c_sa[1] c_sa[2] c_sa[3] c_sa[4] c_sa[5] c_sa[6]
thermo_style custom step pe c_pesum vol c_pv[1] c_pv[2] c_pv[3] c_pv[4] c_pv[5] c_pv[6] c_sasum[1] c_sasum[2] c_sasum[3] c_sasum[4] c_sasum[5] c_sasum[6]
thermo_modify format float %.17g
dump d all custom 1 {tag}.dump id fx fy fz c_pe
dump_modify d sort id format float %.17g
run 0
"""
MD = """units metal
{processors}
read_data {data}
neighbor 0.5 bin
neigh_modify every 1 delay 0 check yes
pair_style atomforge {pot}
pair_coeff * * {species}
timestep 0.001
fix nve all nve
thermo_style custom step pe ke etotal
thermo_modify format float %.17g
thermo 10
run 100
"""
NKTV2P = 1.6021765e6  # LAMMPS metal: bar per eV/A^3


def lmp(wd, tag, text, ranks):
    with open(os.path.join(wd, f"in.{tag}"), "w") as f:
        f.write(text)
    cmd = [os.path.abspath(LMP), "-in", f"in.{tag}", "-log", "none", "-nocite"]
    if ranks > 1:
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(ranks)] + cmd
    return subprocess.run(cmd, cwd=wd, capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, OMP_NUM_THREADS="1"))


def thermo_rows(stdout):
    rows, header = [], None
    for line in stdout.splitlines():
        w = line.split()
        if w[:1] == ["Step"]:
            header = w
        elif header and len(w) == len(header):
            try:
                rows.append(dict(zip(header, map(float, w))))
            except ValueError:
                header = None
    return rows


def dump(path):
    lines = open(path).read().splitlines()
    i = next(k for k, ln in enumerate(lines) if ln.startswith("ITEM: ATOMS"))
    a = np.array([[float(v) for v in ln.split()] for ln in lines[i + 1:]])
    return a[:, 1:4], a[:, 4]


def data_atoms(path, species):
    """ASE Atoms of a LAMMPS write_data file (atomic style), in id order."""
    lines = open(path).read().splitlines()
    lo, hi, tilt = [0.0] * 3, [0.0] * 3, [0.0] * 3
    for ln in lines:
        w = ln.split()
        for k, ax in enumerate("xyz"):
            if w[2:4] == [f"{ax}lo", f"{ax}hi"]:
                lo[k], hi[k] = float(w[0]), float(w[1])
        if w[3:6] == ["xy", "xz", "yz"]:
            tilt = [float(v) for v in w[:3]]
    i = next(k for k, ln in enumerate(lines) if ln.startswith("Atoms"))
    rows = []
    for ln in lines[i + 2:]:
        if not ln.strip():
            break
        rows.append([float(v) for v in ln.split()[:5]])
    rows = np.array(sorted(rows))
    L = np.subtract(hi, lo)
    cell = np.array([[L[0], 0, 0], [tilt[0], L[1], 0], [tilt[1], tilt[2], L[2]]])
    return Atoms([species[int(t) - 1] for t in rows[:, 1]], positions=rows[:, 2:5] - lo, cell=cell, pbc=True)


def untrained_sic_model(path):
    """A two-species equivariant model with random weights (exactness needs no training)."""
    sys.path.insert(0, os.path.join(SOURCE_DIR, "potentials", "nnip", "training"))
    from aftrain.export import save_model
    from aftrain.model import EquivariantModel, Hyper
    save_model(EquivariantModel(Hyper(species=["Si", "C"], r_cut=3.5, l_max=1, l_sh=2, channels=8, n_layers=2,
                                      radial_hidden=[16], avg_neighbors=10.0), seed=3), path)


def main():
    c = Checks("lammps_pair")
    wd = workdir("lammps-pair")
    for name, s in STRUCTURES.items():
        with open(os.path.join(wd, f"make_{name}"), "w") as f:
            f.write(MAKE.format(name=name, **s))
        subprocess.run(["lmp", "-in", f"make_{name}", "-log", "none", "-screen", "none"], cwd=wd, check=True)
    untrained_sic_model(os.path.join(wd, "sic_model.h5"))
    si_eq = os.path.join(MODELS, "si_equivariant.h5")
    pots = {"equivariant": {"style": "nnip", "model": si_eq, "radial": "mlp"},  # the exact path's tiles
            "attention": {"style": "nnip", "model": os.path.join(MODELS, "si_attention.h5")},
            "sic": {"style": "nnip", "model": os.path.join(wd, "sic_model.h5")},
            "spline": {"style": "nnip", "model": si_eq, "radial": "spline"}}
    for name, pot in pots.items():
        with open(os.path.join(wd, f"{name}.yaml"), "w") as f:
            f.write("potential: {" + ", ".join(f"{k}: {v}" for k, v in pot.items()) + "}\n")

    cases = [("equivariant", "si216", "Si", "ghost"), ("attention", "si216", "Si", "ghost"),
             ("equivariant", "si8", "Si", "ghost"), ("attention", "si8", "Si", "ghost"),
             ("sic", "sic64", "Si C", "ghost"), ("equivariant", "si216", "Si", "exchange"),
             ("attention", "si216", "Si", "exchange"), ("equivariant", "si8", "Si", "exchange"),
             ("attention", "si8", "Si", "exchange"), ("sic", "sic64", "Si C", "exchange")]
    for pot, struct, species, mode in cases:
        label = f"{pot} on {struct}, {mode} mode"
        atoms = data_atoms(os.path.join(wd, f"{struct}.data"), species.split())
        atoms.calc = atomforge.Calculator(pots[pot])
        e_ref, f_ref = atoms.get_potential_energies(), atoms.get_forces()
        w_ref = -atoms.get_stress() * atoms.get_volume()  # virial (xx yy zz yz xz xy), eV
        runs = {}
        for ranks, grid in ((1, ""), (2, ""), (4, ""), (4, "processors 4 1 1")):
            tag = f"{pot}_{struct}_{mode}_{ranks}{'g' if grid else ''}"
            p = lmp(wd, tag, RUN0.format(newton="", processors=grid, name=struct, pot=f"{pot}.yaml mode {mode}",
                                         species=species, tag=tag), ranks)
            if p.returncode != 0:
                c.check(False, f"{label}, {tag}: lmp_atomforge failed: {(p.stdout + p.stderr)[-800:]}")
                continue
            t = thermo_rows(p.stdout)[0]
            f, e = dump(os.path.join(wd, f"{tag}.dump"))
            runs[tag] = (t, f)
            V = t["Volume"]
            w = np.array([t[f"c_pv[{k}]"] for k in (1, 2, 3, 6, 5, 4)]) * V / NKTV2P  # Voigt order, eV
            de, df = np.abs(e - e_ref).max(), np.abs(f - f_ref).max()
            dw = np.abs(w - w_ref).max() / np.abs(w_ref).max()
            c.check(de <= 1e-12 and df <= 1e-10 and dw <= 1e-12,
                    f"{label}, {ranks} rank(s) {grid}: = atomforge (per-atom energies {de:.1e} eV, forces "
                    f"{df:.1e} eV/A, virial {dw:.1e} rel)")
            sa = np.array([t[f"c_sasum[{k}]"] for k in (1, 2, 3, 6, 5, 4)]) / NKTV2P
            dsum = abs(t["c_pesum"] - t["PotEng"]) / abs(t["PotEng"])
            dsa = np.abs(-sa - w).max() / np.abs(w).max()
            c.check(dsum <= 1e-12 and dsa <= 1e-12,
                    f"{label}, {ranks} rank(s) {grid}: pe/atom sums to pe ({dsum:.1e}), stress/atom to the "
                    f"virial ({dsa:.1e})")
        ranks_agree(c, label, runs, f"{pot}_{struct}_{mode}_1")

    # Negative controls at 4 thin slabs: ghost mode with ghosts only r_c deep, exchange mode
    # with ghosts short of r_c (3 A + skin): forces go wrong.
    for mode, depth, what in (("ghost", 4.0, "an r_c-deep ghost shell"), ("exchange", 3.0, "a 3 A ghost shell")):
        tag = f"undersized_{mode}"
        p = lmp(wd, tag, RUN0.format(newton="", processors="processors 4 1 1", name="si216",
                                     pot=f"equivariant.yaml mode {mode} ghost_cutoff {depth}", species="Si", tag=tag), 4)
        if p.returncode == 0:
            f, _ = dump(os.path.join(wd, f"{tag}.dump"))
            err = np.abs(f - runs_f(wd)).max()
            c.check(err > 1e-3, f"negative control, {mode} mode: {what} at 4 ranks is wrong (forces off by {err:.2e} eV/A)")
        else:
            c.check(False, f"negative control run ({mode}) failed: {(p.stdout + p.stderr)[-500:]}")

    # 100 NVE steps: 1 and 4 ranks and atomforge's own run of the same data file.
    for mode in ("ghost", "exchange"):
        ok, worst = nve_agreement(wd, MD.format(processors="", data="si216.data", pot=f"spline.yaml mode {mode}",
                                                species="Si"), "si216.data", ["Si"], pots["spline"])
        c.check(ok and worst <= 1e-10,
                f"100 NVE steps, {mode} mode: 1 rank, 4 ranks and atomforge run agree (pe, etotal {worst:.1e}; 1e-10)")

    # Errors: one clear line each.
    bad = {
        "wrong units": (RUN0.replace("units metal", "units real"), "equivariant.yaml", "Si", "metal units"),
        "unknown species": (RUN0, "equivariant.yaml", "Ge", "Ge"),
        "missing model file": (RUN0, "missing.yaml", "Si", "cannot find model file"),
        "newton off": (RUN0.replace("{newton}", "newton off"), "equivariant.yaml", "Si", "needs newton on"),
        "unknown mode": (RUN0, "equivariant.yaml mode halo", "Si", "unknown mode 'halo'"),
    }
    with open(os.path.join(wd, "missing.yaml"), "w") as f:
        f.write("{style: nnip, model: no_such_model.h5}\n")
    for what, (text, pot, species, needle) in bad.items():
        p = lmp(wd, "bad", text.format(newton="", processors="", name="si8", pot=pot, species=species, tag="bad"), 1)
        errors = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.startswith("ERROR")]
        c.check(p.returncode != 0 and len(errors) == 1 and needle in errors[0], f"{what}: {errors}")
    c.done()


def ranks_agree(c, label, runs, base_tag):
    """runs: tag -> (thermo row, forces) of the 4 rank settings; energy 1e-13 relative,
    forces 1e-11 eV/A against the 1-rank run. Returns its forces (None if a run failed)."""
    base = runs.get(base_tag)
    if base and len(runs) == 4:
        worst_e = max(abs(t["PotEng"] - base[0]["PotEng"]) / abs(base[0]["PotEng"]) for t, _ in runs.values())
        worst_f = max(np.abs(f - base[1]).max() for _, f in runs.values())
        c.check(worst_e <= 1e-13 and worst_f <= 1e-11,
                f"{label}: 1, 2, 4 ranks and a 4x1x1 grid agree (energy {worst_e:.1e}, forces {worst_f:.1e} eV/A)")
    return base[1] if base else None


def nve_agreement(wd, lmp_input, data, species, section):
    """100 NVE steps of lmp_input at 1 and 4 ranks and `atomforge run` of the same data
    file (skin 0.5, thermo every 10): (all runs complete, worst relative pe/etotal gap)."""
    rows = {}
    for ranks in (1, 4):
        p = lmp(wd, f"md{ranks}", lmp_input, ranks)
        rows[ranks] = thermo_rows(p.stdout) if p.returncode == 0 else []
    deck = {"units": "metal", "system": {"read": data, "species": species}, "potential": section,
            "neighbor": {"skin": 0.5}, "stages": [{"name": "md", "integrator": {"style": "nve", "timestep": 0.001},
                                                   "steps": 100}],
            "output": {"thermo": {"every": 10, "file": "md_af.csv"}}}
    write_deck(deck, os.path.join(wd, "md_af.yaml"))
    run_atomforge(["run", "md_af.yaml", "-q"], wd)
    af = np.genfromtxt(os.path.join(wd, "md_af.csv"), delimiter=",", names=True)
    ok = len(rows[1]) == 11 and len(rows[4]) == 11 and len(af) == 11
    worst = 0.0
    if ok:
        for k in range(11):
            for col, afcol in (("PotEng", "pe"), ("TotEng", "etotal")):
                ref = rows[1][k][col]
                worst = max(worst, abs(rows[4][k][col] - ref) / abs(ref), abs(af[afcol][k] - ref) / abs(ref))
    return ok, worst


def runs_f(wd):
    f, _ = dump(os.path.join(wd, "equivariant_si216_ghost_1.dump"))
    return f


if __name__ == "__main__":
    sys.exit(main())
