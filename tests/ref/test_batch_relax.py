"""The batched relaxer (samplers/batch_relax.*) against the minimize stage (issue 21,
acceptance 2): the same 100 random Si8 cells (Stillinger-Weber, 50 P1 and 50 symmetric)
and 40 NiAl cells of 2-4 atoms (EAM, half lists), relaxed with the cell at zero
pressure by `atomforge sample` with generator style file, one at a time (batch: 1, the
minimize stage through af::System) and batched.

FIRE paths are chaotic where a step's sign test (P = g.v) or its max_move cap sits on an
edge: a rounding-level difference (the order of a sum) then sends the path elsewhere.
The minimize stage itself does this between 1 and 2 threads. So: (1) on every structure
where the minimize stage agrees with itself across thread counts to 1e-10, the batch
agrees with it to 1e-10 in energy and cell (relative); (2) statuses agree everywhere;
(3) the batch's output is byte-identical across batch sizes and thread counts (each
structure's arithmetic is its own, in a fixed order)."""
import os
import sys

import numpy as np
from ase.io import read

sys.path.insert(0, os.path.dirname(__file__))
from common import Checks, run_atomforge, workdir  # noqa: E402

SI = """units: metal
seed: 1
potential: {style: sw, file: Si.sw}
sample:
  generator: {style: file, file: si8.extxyz}
  relax: {fmax: 1.0e-3, pressure: 0.0, max_steps: 2000}
  batch: BATCH
output: {dir: DIR}
"""
NIAL = """units: metal
seed: 1
potential: {style: eam/alloy, file: NiAlH_jea.eam.alloy, species: [Ni, Al]}
sample:
  generator: {style: file, file: nial.extxyz}
  relax: {fmax: 1.0e-3, pressure: 0.0, max_steps: 2000}
  batch: BATCH
output: {dir: DIR}
"""


def campaign(wd, template, name, batch, threads):
    deck = os.path.join(wd, name + ".yaml")
    with open(deck, "w") as f:
        f.write(template.replace("BATCH", str(batch)).replace("DIR", name))
    run_atomforge(["sample", name + ".yaml", "-q"], wd, threads=threads)
    path = os.path.join(wd, name, "relaxed.extxyz")
    return read(path, ":"), open(path, "rb").read()


def energy(a):
    return a.calc.results["energy"] if a.calc else np.nan


def rel(a, b):  # relative difference of energies and of cells
    de = abs(energy(a) - energy(b)) / abs(energy(a))
    dc = np.abs(a.cell[:] - b.cell[:]).max() / np.abs(a.cell[:]).max()
    return max(de, dc)


def main():
    c = Checks("batch_relax")
    wd = workdir("batch_relax")
    run_atomforge(["generate", "--composition", "Si8", "--mode", "random", "--count", "50", "--seed", "11",
                   "p1.extxyz"], wd)
    run_atomforge(["generate", "--composition", "Si8", "--mode", "symmetric", "--count", "50", "--seed", "12",
                   "sym.extxyz"], wd)
    with open(os.path.join(wd, "si8.extxyz"), "w") as f:
        f.write(open(os.path.join(wd, "p1.extxyz")).read() + open(os.path.join(wd, "sym.extxyz")).read())
    parts = []
    for k, comp in enumerate(("NiAl", "Ni2Al2")):
        run_atomforge(["generate", "--composition", comp, "--mode", "symmetric", "--count", "20", "--seed",
                       str(20 + k), "nial%d.extxyz" % k], wd)
        parts.append(open(os.path.join(wd, "nial%d.extxyz" % k)).read())
    with open(os.path.join(wd, "nial.extxyz"), "w") as f:
        f.write("".join(parts))

    for label, template, count in (("Si8 SW", SI, 100), ("NiAl EAM", NIAL, 40)):
        tag = label.split()[0].lower()
        one1, _ = campaign(wd, template, tag + "_min1", 1, 1)
        one2, _ = campaign(wd, template, tag + "_min2", 1, 2)
        b64, raw64 = campaign(wd, template, tag + "_b64", 64, 2)
        b7, raw7 = campaign(wd, template, tag + "_b7", 7, 1)
        statuses = [a.info["status"] for a in one2] == [a.info["status"] for a in b64]
        ok = [i for i in range(count) if one1[i].info["status"] != "failed" and rel(one1[i], one2[i]) < 1e-10]
        worst = max((rel(one2[i], b64[i]) for i in ok), default=0.0)
        forks = [i for i in range(count) if i not in ok and one1[i].info["status"] != "failed"]
        fork_gap = max((rel(one2[i], b64[i]) for i in forks), default=0.0)
        c.check(len(one2) == len(b64) == count and statuses and len(ok) >= count // 2 and worst < 1e-10,
                f"{label}: {count} relaxations, statuses equal; on the {len(ok)} where the minimize stage agrees "
                f"with itself (1 vs 2 threads) to 1e-10, batch 64 vs minimize stage: worst relative difference "
                f"in energy or cell {worst:.1e} (need < 1e-10); the other {len(forks)} fork in the minimize "
                f"stage itself (batch vs it: up to {fork_gap:.1e})")
        c.check(raw64 == raw7, f"{label}: relaxed.extxyz byte-identical for batch 64 on 2 threads and batch 7 "
                f"on 1 thread")
    c.done()


if __name__ == "__main__":
    main()
