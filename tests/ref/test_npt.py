"""NPT: EAM copper at 300 K and 0 bar. The MTK barostat's and stochastic cell
rescaling's mean volumes over 50 ps equal LAMMPS fix npt's over the same length within
0.3%; anisotropic and triclinic cells fluctuate and stay stable (cubic on average, no
drift of the shape) over 50 ps, with either barostat."""
import os

import h5py
import numpy as np

from common import Checks, lammps_thermo, read_csv, run_atomforge, run_lammps, workdir, write_deck

STEPS, SKIP = 25000, 5000  # dt 2 fs: 50 ps, averages after 10 ps


def main():
    c = Checks("npt")
    wd = workdir("npt")
    run_lammps("""units metal
atom_style atomic
lattice fcc 3.615
region box block 0 5 0 5 0 5
create_box 1 box
create_atoms 1 box
mass 1 63.55
change_box all triclinic
velocity all create 600.0 97531 loop geom
write_data start.data nocoeff
""", wd)
    out = run_lammps(f"""units metal
atom_style atomic
read_data start.data
pair_style eam
pair_coeff 1 1 /usr/share/lammps/potentials/Cu_u3.eam
neighbor 1.0 bin
timestep 0.002
fix 1 all npt temp 300.0 300.0 0.1 iso 0.0 0.0 1.0
thermo 50
thermo_style custom step temp press vol
run {STEPS}
""", wd)
    ref = [r for r in lammps_thermo(out, ["Step", "Volume"]) if r["Step"] > SKIP]
    v_lmp = np.mean([r["Volume"] for r in ref])
    results = {}
    for couple in ("iso", "aniso", "tri", "crescale", "crescale-aniso", "crescale-tri"):
        if couple.startswith("crescale"):
            integ = {"style": "crescale", "timestep": 0.002, "temperature": 300.0, "damping": 0.1, "pressure": 0.0,
                     "pressure_damping": 0.5, "compressibility": 1e-6, "couple": (couple.split("-") + ["iso"])[1]}
        else:
            integ = {"style": "npt", "timestep": 0.002, "temperature": 300.0, "damping": 0.1,
                     "pressure": 0.0, "pressure_damping": 1.0, "couple": couple}
        deck = {"units": "metal", "system": {"read": "start.data", "species": ["Cu"]},
                "potential": {"style": "eam", "file": "Cu_u3.eam"}, "neighbor": {"skin": 1.0},
                "stages": [{"integrator": integ, "steps": STEPS}],
                "output": {"thermo": {"every": 50, "file": f"{couple}.csv"},
                           "trajectory": {"every": 50, "file": f"{couple}.h5md"}}}
        write_deck(deck, os.path.join(wd, f"{couple}.yaml"))
        run_atomforge(["run", f"{couple}.yaml", "-q"], wd, threads=2)
        rows = [r for r in read_csv(os.path.join(wd, f"{couple}.csv")) if r["step"] > SKIP]
        with h5py.File(os.path.join(wd, f"{couple}.h5md"), "r") as f:
            t = f["particles/trajectory/box/edges/value"]
            steps = f["particles/trajectory/box/edges/step"][()]
            edges = t[()][steps > SKIP]
        results[couple] = (np.mean([r["vol"] for r in rows]), np.mean([r["press"] for r in rows]), edges)
    v_iso = results["iso"][0]
    c.check(abs(v_iso / v_lmp - 1) < 0.003, f"iso: mean volume {v_iso:.2f} vs LAMMPS {v_lmp:.2f} A^3 ({100 * (v_iso / v_lmp - 1):+.3f}%)")
    v_cr = results["crescale"][0]
    c.check(abs(v_cr / v_lmp - 1) < 0.003, f"crescale iso: mean volume {v_cr:.2f} A^3 ({100 * (v_cr / v_lmp - 1):+.3f}% from LAMMPS fix npt)")
    for couple in ("aniso", "tri", "crescale-aniso", "crescale-tri"):
        v, p, e = results[couple]
        lengths = np.array([np.diag(x) for x in e])
        tilts = np.array([[x[1][0], x[2][0], x[2][1]] for x in e])
        spread = lengths.std(axis=0) / lengths.mean(axis=0)
        c.check(abs(v / v_iso - 1) < 0.003, f"{couple}: mean volume {v:.2f} A^3 ({100 * (v / v_iso - 1):+.3f}% from iso), mean pressure {p:.0f} bar")
        c.check(np.all(spread > 1e-4) and np.all(spread < 0.01), f"{couple}: cell lengths fluctuate by {np.round(100 * spread, 3)}%")
        c.check(np.abs(lengths.mean(axis=0) / lengths.mean() - 1).max() < 0.002, f"{couple}: cubic on average {lengths.mean(axis=0).round(3)}")
        if couple.endswith("tri"):
            c.check(np.all(tilts.std(axis=0) > 1e-3) and np.abs(tilts.mean(axis=0)).max() < 0.05,
                    f"tri: tilts fluctuate (std {tilts.std(axis=0).round(4)} A) around {tilts.mean(axis=0).round(4)} A")
    c.done()


if __name__ == "__main__":
    main()
