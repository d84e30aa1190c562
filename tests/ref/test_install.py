"""atomforge as an installed package: `cmake --install` of the build into a scratch prefix,
then tests/external (a CMake project outside the tree) configured with
find_package(atomforge), built and run. Its single point (af::System on a 64-atom Si
cell built in memory, Stillinger-Weber) must equal the CLI's 0-step run of the same cell
to 1e-12 relative in energy, forces and stress; its model_energy (the shipped
equivariant model called through atomforge_nnip alone on a graph built by hand) must
equal the CLI's nnip single point to 1e-12."""
import os
import shutil
import subprocess
import sys

import numpy as np

from common import SOURCE_DIR, Checks, run_atomforge, workdir, write_deck

BUILD = os.environ["AF_BUILD_DIR"]


def cell():
    a = 5.431
    basis = [(0, 0, 0), (0, .5, .5), (.5, 0, .5), (.5, .5, 0), (.25, .25, .25), (.25, .75, .75), (.75, .25, .75),
             (.75, .75, .25)]
    x, n = [], 0
    for i in range(2):
        for j in range(2):
            for k in range(2):
                for b in basis:
                    shake = 0.05 * ((n * 7919) % 13 - 6) / 6.0
                    x.append(((i + b[0]) * a + shake, (j + b[1]) * a - 0.5 * shake, (k + b[2]) * a + 0.3 * shake))
                    n += 1
    return 2 * a, np.array(x)


def cli_single_point(wd, potential):
    L, x = cell()
    with open(os.path.join(wd, "cell.data"), "w") as f:
        f.write(f"cell\n\n{len(x)} atoms\n1 atom types\n0 {L!r} xlo xhi\n0 {L!r} ylo yhi\n0 {L!r} zlo zhi\n\n"
                "Atoms # atomic\n\n")
        for i, p in enumerate(x):
            f.write(f"{i + 1} 1 {p[0]!r} {p[1]!r} {p[2]!r}\n")
    write_deck({"units": "metal", "system": {"read": "cell.data", "species": ["Si"]}, "potential": potential,
                "stages": [{"integrator": {"style": "nve"}, "steps": 0}],
                "output": {"extxyz": {"every": 1, "file": "sp.extxyz"}}}, os.path.join(wd, "sp.yaml"))
    run_atomforge(["run", "sp.yaml", "-q"], wd)
    lines = open(os.path.join(wd, "sp.extxyz")).read().splitlines()
    energy = float(lines[1].split("energy=")[1].split()[0])
    s = np.array([float(v) for v in lines[1].split('stress="')[1].split('"')[0].split()]).reshape(3, 3)
    forces = np.array([[float(v) for v in ln.split()[7:10]] for ln in lines[2:2 + len(x)]])
    return energy, np.array([s[0, 0], s[1, 1], s[2, 2], s[0, 1], s[0, 2], s[1, 2]]), forces


def run(cmd, cwd, **kw):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p.stdout


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / max(np.max(np.abs(b)), 1e-300))


def main():
    c = Checks("install")
    wd = workdir("install")
    prefix, ext = os.path.join(wd, "prefix"), os.path.join(wd, "ext")
    run(["cmake", "--install", BUILD, "--prefix", prefix], wd)
    headers = [f for f in os.listdir(os.path.join(prefix, "include", "atomforge", "src"))]
    c.check("system.hpp" in headers and os.path.exists(os.path.join(prefix, "include", "atomforge", "potentials",
                                                                   "nnip", "model.hpp")),
            f"headers installed under include/atomforge/ ({len(headers)} in src/)")
    gen = ["-G", "Ninja"] if shutil.which("ninja") else []
    run(["cmake", "-S", os.path.join(SOURCE_DIR, "tests", "external"), "-B", ext, *gen, "-DCMAKE_BUILD_TYPE=Release",
         f"-DCMAKE_PREFIX_PATH={prefix}"], wd)
    run(["cmake", "--build", ext], wd)
    c.check(True, "tests/external configured with find_package(atomforge) and built")

    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false")
    out = run([os.path.join(ext, "single_point")], wd, env=env).splitlines()
    energy = float(out[0].split()[1])
    stress = np.array([float(v) for v in out[1].split()[1:]])
    forces = np.array([[float(v) for v in ln.split()] for ln in out[2:]])
    e0, s0, f0 = cli_single_point(wd, {"style": "sw", "file": "Si.sw"})
    de, ds, df = abs(energy - e0) / abs(e0), rel(stress, s0), rel(forces, f0)
    c.check(de <= 1e-12 and ds <= 1e-12 and df <= 1e-12,
            f"single_point (af::System, SW) = CLI: energy {de:.1e}, stress {ds:.1e}, forces {df:.1e} (1e-12)")

    model = os.path.join(SOURCE_DIR, "examples", "models", "si_equivariant.h5")
    out = run([os.path.join(ext, "model_energy"), model], wd, env=env).splitlines()
    energy = float(out[0].split()[1])
    forces = np.array([[float(v) for v in ln.split()] for ln in out[1:]])
    e0, _, f0 = cli_single_point(wd, {"style": "nnip", "model": model})
    de, df = abs(energy - e0) / abs(e0), rel(forces, f0)
    c.check(de <= 1e-12 and df <= 1e-12,
            f"model_energy (atomforge_nnip alone, equivariant) = CLI: energy {de:.1e}, forces {df:.1e} (1e-12)")
    c.done()


if __name__ == "__main__":
    main()
