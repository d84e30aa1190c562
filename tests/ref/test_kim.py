"""atomforge's KIM portable-model driver (interfaces/kim/) in Debian's lmp.

scripts/install-kim.sh builds atomforge_driver and the shipped models
(atomforge_Si_equivariant, atomforge_Si_attention) into the KIM API's user collection
with kim-api-collections-management, and here also a model made from a user's YAML
(atomforge_SiC_tersoff: Tersoff SiC, atomforge_NiAl_eam: EAM alloy NiAlH_jea, through
the same driver). Each case starts from a
fixed data file (written once by lmp) with `kim init MODEL metal`, `neighbor 0.5 bin`,
`neigh_modify every 1 delay 0 check yes` and `kim interactions`:

1. run 0 through KIM equals atomforge's own single point (atomforge.Calculator on the data
   file's structure): per-atom energies within 1e-12 eV, forces within 1e-10 eV/A, the
   virial within 1e-12 relative, pe/atom summing to pe; for both neural models on a
   shaken 216-atom triclinic Si cell and an 8-atom cell far smaller than the padding, and
   Tersoff on disordered SiC and EAM on a shaken triclinic NiAl cell (also = LAMMPS's own
   pair_style tersoff, eam/alloy);
2. the same at 1, 2 and 4 ranks and on a forced `processors 4 1 1` grid (energy 1e-13
   relative, forces 1e-11 eV/A between rank counts);
   compute stress/atom (KIM's per-particle virials) sums to the virial;
3. a species the model lacks stops lmp with one ERROR line.
"""
import os
import subprocess
import sys

import numpy as np

from common import SOURCE_DIR, Checks, workdir
from test_lammps_classic import FCC, RUN0 as CLASSIC_RUN0, check_run
from test_lammps_pair import MAKE, STRUCTURES, data_atoms, dump, ranks_agree, thermo_rows

import atomforge  # noqa: E402  (PYTHONPATH: the build's python/ folder, set by ctest)

MODELS = os.path.join(SOURCE_DIR, "examples", "models")
POT = "/usr/share/lammps/potentials"
RUN0 = CLASSIC_RUN0.replace("units {units}", "kim init {model} metal")
# Per-particle virials: compute stress/atom must sum to the virial.
RUN0_STRESS = RUN0.replace("compute pv all pressure NULL virial\n", "compute pv all pressure NULL virial\n"
                           "compute sa all stress/atom NULL virial\n"
                           "compute sasum all reduce sum c_sa[1] c_sa[2] c_sa[3] c_sa[4] c_sa[5] c_sa[6]\n").replace(
    "c_pv[6]\n", "c_pv[6] c_sasum[1] c_sasum[2] c_sasum[3] c_sasum[4] c_sasum[5] c_sasum[6]\n")
CASES = [  # model, atomforge section, structure, species, LAMMPS's own style or None, per-particle virials
    ("atomforge_Si_equivariant", {"style": "nnip", "model": f"{MODELS}/si_equivariant.h5"}, "si216", "Si", None, True),
    ("atomforge_Si_attention", {"style": "nnip", "model": f"{MODELS}/si_attention.h5"}, "si216", "Si", None, True),
    ("atomforge_Si_equivariant", {"style": "nnip", "model": f"{MODELS}/si_equivariant.h5"}, "si8", "Si", None, True),
    ("atomforge_Si_attention", {"style": "nnip", "model": f"{MODELS}/si_attention.h5"}, "si8", "Si", None, True),
    ("atomforge_SiC_tersoff", {"style": "tersoff", "file": f"{POT}/SiC.tersoff"}, "sic64", "Si C",
     f"pair_style tersoff\npair_coeff * * {POT}/SiC.tersoff Si C", True),
    ("atomforge_NiAl_eam", {"style": "eam/alloy", "file": f"{POT}/NiAlH_jea.eam.alloy"}, "nial", "Ni Al",
     f"pair_style eam/alloy\npair_coeff * * {POT}/NiAlH_jea.eam.alloy Ni Al", True),
]
USER_MODELS = [  # name, YAML, files: built by scripts/install-kim.sh NAME YAML FILE...
    ("atomforge_SiC_tersoff", "species: [Si, C]\npotential: {style: tersoff, file: SiC.tersoff}\n", ["SiC.tersoff"]),
    ("atomforge_NiAl_eam", "species: [Ni, Al]\npotential: {style: eam/alloy, file: NiAlH_jea.eam.alloy}\n",
     ["NiAlH_jea.eam.alloy"]),
]


def lmp(wd, tag, text, ranks):
    with open(os.path.join(wd, f"in.{tag}"), "w") as f:
        f.write(text)
    cmd = ["lmp", "-in", f"in.{tag}", "-log", "none", "-nocite"]
    if ranks > 1:
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(ranks)] + cmd
    return subprocess.run(cmd, cwd=wd, capture_output=True, text=True, timeout=900,
                          env=dict(os.environ, OMP_NUM_THREADS="1"))


def main():
    c = Checks("kim")
    wd = workdir("kim")
    for name, yaml, files in USER_MODELS:
        with open(os.path.join(wd, f"{name}.yaml"), "w") as f:
            f.write(yaml)
        p = subprocess.run([os.path.join(SOURCE_DIR, "scripts", "install-kim.sh"), name, os.path.join(wd, f"{name}.yaml")]
                           + [f"{POT}/{file}" for file in files], capture_output=True, text=True,
                           env=dict(os.environ, BUILD_DIR=os.environ.get("AF_BUILD_DIR", "build")))
        c.check(p.returncode == 0, f"scripts/install-kim.sh: driver and models installed, {name} "
                                   f"({(p.stdout + p.stderr)[-300:]})")
        if p.returncode != 0:
            c.done()
    makes = {n: MAKE.format(name=n, **STRUCTURES[n]) for n in ("si216", "si8", "sic64")}
    makes["nial"] = FCC.format(a=3.6, m1=58.69, m2=26.98, shake=0.1, name="nial")
    for name, text in makes.items():
        with open(os.path.join(wd, f"make_{name}"), "w") as f:
            f.write(text)
        subprocess.run(["lmp", "-in", f"make_{name}", "-log", "none", "-screen", "none"], cwd=wd, check=True)

    for model, sec, struct, species, native, stress in CASES:
        label = f"{model} on {struct}"
        atoms = data_atoms(os.path.join(wd, f"{struct}.data"), species.split())
        atoms.calc = atomforge.Calculator(sec)
        e_ref, f_ref = atoms.get_potential_energies(), atoms.get_forces()
        w_ref = -atoms.get_stress() * atoms.get_volume()  # virial (xx yy zz yz xz xy), eV
        runs = {}
        for ranks, grid in ((1, ""), (2, ""), (4, ""), (4, "processors 4 1 1")):
            tag = f"{model}_{struct}_{ranks}{'g' if grid else ''}"
            text = RUN0_STRESS if stress else RUN0
            p = lmp(wd, tag, text.format(model=model, processors=grid, name=struct, pair=f"kim interactions {species}",
                                         tag=tag), ranks)
            run = check_run(c, f"{label}, {ranks} rank(s) {grid}, through KIM", wd, tag, p, (e_ref, f_ref, w_ref))
            if run:
                runs[tag] = run
            if run and stress:
                t = run[0]
                w = np.array([t[f"c_pv[{k}]"] for k in (1, 2, 3, 4, 5, 6)]) * t["Volume"]
                sa = -np.array([t[f"c_sasum[{k}]"] for k in (1, 2, 3, 4, 5, 6)])
                dsa = np.abs(sa - w).max() / np.abs(w).max()
                c.check(dsa <= 1e-12, f"{label}, {ranks} rank(s) {grid}: stress/atom through KIM sums to the "
                                      f"virial ({dsa:.1e})")
        base = ranks_agree(c, label, runs, f"{model}_{struct}_1")
        if native and base is not None:
            p = lmp(wd, "native", CLASSIC_RUN0.format(units="metal", processors="", name=struct, pair=native,
                                                      tag="native"), 1)
            f, _ = dump(os.path.join(wd, "native.dump"))
            dn = abs(thermo_rows(p.stdout)[0]["PotEng"] - runs[f"{model}_{struct}_1"][0]["PotEng"])
            c.check(np.abs(f - base).max() <= 1e-10 and dn <= 1e-10,
                    f"{label}: KIM = LAMMPS's own style (energy {dn:.1e} eV, forces {np.abs(f - base).max():.1e} eV/A)")

    p = lmp(wd, "bad", RUN0.format(model="atomforge_Si_equivariant", processors="", name="si8",
                                   pair="kim interactions Ge", tag="bad"), 1)
    errors = [ln for ln in (p.stdout + p.stderr).splitlines() if ln.startswith("ERROR")]
    c.check(p.returncode != 0 and len(errors) == 1 and "Ge" in errors[0], f"unknown species: {errors}")
    c.done()


if __name__ == "__main__":
    sys.exit(main())
