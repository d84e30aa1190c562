"""inputs/si_heat_quench.yaml: 512 Stillinger-Weber Si atoms melted at 3000 K, quenched
to 300 K at 1e13 K/s and relaxed must give amorphous silicon: first RDF peak at the
Si-Si bond length (2.35 A, within half a bin-width plus 0.03 A), a liquid that diffused
during the melt, no crystalline order left (the diamond lattice's third shell at 4.50 A
is gone), and mean coordination (r < 3.0 A) and energy equal to LAMMPS running the same
protocol (fix nvt melt and quench, box/relax minimize) within what two independent
512-atom glasses differ by (0.1 and 0.01 eV/atom).

The issue asks for a mean coordination between 4.0 and 4.3. Stillinger-Weber quenched at
1e13 K/s does not get there in LAMMPS either (4.43 here), so that range is reported, not
asserted. A ten times slower quench does not reach it either: the same deck at 1e12 K/s
(2.7 M quench steps, 47 min on one core, 2026-11-30) relaxed to 4.38 and -4.139 eV/atom
(4.41 and -4.122 at 1e13). Stillinger-Weber's own over-coordinated amorphous phase (the
reason Vink et al. 2001 refit its three-body term for a-Si) is the likelier limit than
the rate.

Also runs examples/amorphous_si/plot.py on the output and checks that it writes a PNG.

With the argument `vink`: inputs/si_vink_heat_quench.yaml, the Stillinger-Weber
parameters Vink, Barkema, van der Weg and Mousseau fitted to a-Si (inputs/Si.vbwm.sw),
melted at 4000 K (the crystal stays solid at 3000 K with them) and quenched at the same
1e13 K/s. There the mean coordination must lie in [3.9, 4.15], the first RDF peak in
[2.30, 2.40] A, and LAMMPS with the same file and protocol must agree on the
coordination within 0.03.

LAMMPS's runs (5-7 minutes each on one core) are not repeated in CI: their results (the
RESULT line of the input below: relaxed pe/atom and mean coordination) are in
tests/data/si_quench_lammps.txt, made by Debian's lmp with `test_si_quench.py VARIANT
--refresh-lammps`, which reruns LAMMPS and rewrites that variant's line. The comparison
tolerances are those between independent glasses, far above the spread of LAMMPS on
other CPUs."""
import os
import shutil
import subprocess
import sys

import numpy as np

from common import SOURCE_DIR, Checks, read_csv, run_atomforge, workdir

LAMMPS = """units metal
atom_style atomic
lattice diamond 5.431
region box block 0 4 0 4 0 4
create_box 1 box
create_atoms 1 box
pair_style sw
pair_coeff * * POTFILE Si
mass 1 28.0855
velocity all create TMELT 4928459 dist gaussian
neighbor 1.0 bin
timestep 0.001
fix 1 all nvt temp TMELT TMELT 0.1
thermo 10000
run 20000
unfix 1
fix 1 all nvt temp TMELT 300.0 0.1
run QUENCH
unfix 1
fix 3 all box/relax iso 0.0
min_style cg
minimize 0 1e-6 10000 100000
compute cn all coord/atom cutoff 3.0
compute cnm all reduce ave c_cn
thermo_style custom step pe vol c_cnm
run 0
print "RESULT $(pe/atoms:%.8f) $(c_cnm:%.6f)"
"""


# deck, potential file (None: Debian's), melt temperature, quench steps
VARIANTS = {"sw": ("si_heat_quench.yaml", None, 3000.0, 270000),
            "vink": ("si_vink_heat_quench.yaml", "Si.vbwm.sw", 4000.0, 370000)}


LAMMPS_RESULTS = os.path.join(SOURCE_DIR, "tests", "data", "si_quench_lammps.txt")


def run_lammps(variant):
    """LAMMPS's melt, quench and relax of VARIANT: (pe per atom, mean coordination)."""
    _, potfile, tmelt, quench = VARIANTS[variant]
    lwd = workdir("si_quench_lammps")
    if potfile:
        shutil.copy(os.path.join(SOURCE_DIR, "inputs", potfile), lwd)
    with open(os.path.join(lwd, "in.lammps"), "w") as f:
        f.write(LAMMPS.replace("TMELT", f"{tmelt:.1f}").replace("QUENCH", str(quench))
                .replace("POTFILE", potfile or "Si.sw"))
    p = subprocess.run(["lmp", "-in", "in.lammps", "-log", "none", "-nocite"], cwd=lwd, capture_output=True,
                       text=True, env=dict(os.environ, OMP_NUM_THREADS="1"), timeout=3000)
    if p.returncode != 0:
        sys.exit(f"lmp failed:\n{p.stdout[-3000:]}")
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT")][0]
    return tuple(float(v) for v in line.split()[1:])


def stored_lammps(variant):
    """The stored LAMMPS result of VARIANT (tests/data/si_quench_lammps.txt)."""
    for line in open(LAMMPS_RESULTS):
        w = line.split()
        if w and w[0] == variant:
            return float(w[1]), float(w[2])
    sys.exit(f"{LAMMPS_RESULTS}: no line for {variant} (run test_si_quench.py {variant} --refresh-lammps)")


def refresh_lammps(variant):
    pe, cn = run_lammps(variant)
    lines = [ln for ln in open(LAMMPS_RESULTS) if not ln.split()[:1] == [variant]]
    lines.append(f"{variant} {pe:.8f} {cn:.6f}\n")
    with open(LAMMPS_RESULTS, "w") as f:
        f.writelines(lines)
    print(f"{variant}: LAMMPS pe/atom {pe:.8f} eV, mean coordination {cn:.6f}")


def main():
    variant = sys.argv[1] if len(sys.argv) > 1 else "sw"
    if "--refresh-lammps" in sys.argv:
        return refresh_lammps(variant)
    deck, potfile, tmelt, quench = VARIANTS[variant]
    c = Checks(f"si_quench {variant}")
    wd = workdir("si_quench")
    shutil.copy(os.path.join(SOURCE_DIR, "inputs", deck), wd)
    if potfile:
        shutil.copy(os.path.join(SOURCE_DIR, "inputs", potfile), wd)
    p = run_atomforge(["run", deck, "-q"], wd, threads=1, timeout=3000)
    c.check(p.returncode == 0, "deck runs to completion")
    pe_lmp, cn_lmp = stored_lammps(variant)

    rdf = read_csv(os.path.join(wd, "rdf.csv"))
    relaxed = [r for r in rdf if r["stage"] == "relax"]
    r = np.array([row["r"] for row in relaxed])
    g = np.array([row["g_Si-Si"] for row in relaxed])
    dr = r[1] - r[0]
    peak = r[np.argmax(g)]
    if variant == "vink":
        c.check(2.30 <= peak <= 2.40, f"first RDF peak at {peak:.3f} A, in [2.30, 2.40]")
    else:
        c.check(abs(peak - 2.35) <= 0.5 * dr + 0.03, f"first RDF peak at {peak:.3f} A (Si-Si bond 2.35 A)")

    cn = read_csv(os.path.join(wd, "coordination.csv"))
    final = cn[-1]["cn"]
    thermo = read_csv(os.path.join(wd, "thermo.csv"))
    pe = thermo[-1]["pe"] / 512
    if variant == "vink":
        c.check(3.9 <= final <= 4.15, f"mean coordination (r < 3.0 A) {final:.3f}, in [3.9, 4.15]")
        c.check(abs(final - cn_lmp) <= 0.03, f"LAMMPS same file and protocol {cn_lmp:.3f} (within 0.03)")
        # Two independent 512-atom glasses of this potential differ by ~0.02 eV/atom
        # (-3.0685 and -3.0499 on 2026-12-06): reported, not asserted.
        print(f"info relaxed energy {pe:.4f} eV/atom, LAMMPS {pe_lmp:.4f} (crystal -3.2967)")
    else:
        c.check(abs(final - cn_lmp) < 0.1,
                f"mean coordination (r < 3.0 A) {final:.3f}, LAMMPS same protocol {cn_lmp:.3f}")
        c.check(abs(pe - pe_lmp) < 0.01, f"relaxed energy {pe:.4f} eV/atom, LAMMPS {pe_lmp:.4f} (crystal -4.3366)")
        print(f"info the issue's coordination range [4.0, 4.3]: {'met' if 4.0 <= final <= 4.3 else 'not met'} "
              f"({final:.3f}; see the docstring)")

    msd = read_csv(os.path.join(wd, "msd.csv"))
    melt_end = [row for row in msd if row["step"] == 20000][0]["msd"]
    c.check(melt_end > 20.0, f"the melt diffuses: msd after 20 ps {melt_end:.1f} A^2")
    third = g[(r > 4.4) & (r < 4.6)].max()
    c.check(third < 1.5, f"no diamond third shell: max g(4.4-4.6 A) = {third:.2f}")


    if variant == "vink":
        c.done()
        return
    png = os.path.join(wd, "si.png")
    q = subprocess.run([sys.executable, os.path.join(SOURCE_DIR, "examples", "amorphous_si", "plot.py"), wd, png],
                       capture_output=True, text=True)
    c.check(q.returncode == 0 and os.path.getsize(png) > 10000, f"example plot: {q.stdout.strip() or q.stderr[-300:]}")
    c.done()


if __name__ == "__main__":
    main()
