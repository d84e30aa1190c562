"""The in-memory API (af::System, src/system.hpp) against the command line.

tests/tools/system_check builds an af::System from a structure it assembles in memory
(types and positions from stdin; no structure file is read) and a potential section as
YAML text. Its single point must equal the CLI's (a 0-step run of the same structure as a
LAMMPS data file, read back from the extxyz frame) to 1e-12 relative in energy, forces
and stress, for LJ (two species), EAM alloy, Stillinger-Weber, Tersoff (Si-C) and both
shipped neural potentials on shaken, sheared (triclinic) cells; System::relax (FIRE,
atoms; FIRE with the cell) must equal a deck's minimize stage to 1e-10. A bad potential
section is an exception whose one line names potential:line:column."""
import os
import subprocess

import numpy as np

from common import SOURCE_DIR, Checks, run_atomforge, workdir, write_deck

TOOL = os.environ.get("AF_SYSTEM_CHECK", "build/bin/system_check")
MODELS = os.path.join(SOURCE_DIR, "examples", "models")

FCC = [(0, 0, 0), (0, .5, .5), (.5, 0, .5), (.5, .5, 0)]
DIAMOND = FCC + [(.25, .25, .25), (.25, .75, .75), (.75, .25, .75), (.75, .75, .25)]

# name: (basis, a, repeat, species, type fractions, potential section)
CASES = {
    "lj": (FCC, 5.4, 2, ["Ar", "Kr"], [0.6, 0.4],
           {"style": "lj", "cutoff": 8.0, "pairs": [{"species": ["Ar", "Ar"], "epsilon": 0.0104, "sigma": 3.4},
                                                   {"species": ["Kr", "Kr"], "epsilon": 0.014, "sigma": 3.65},
                                                   {"species": ["Ar", "Kr"], "epsilon": 0.012, "sigma": 3.5}]}),
    "eam_alloy": (FCC, 3.6, 3, ["Ni", "Al"], [0.7, 0.3], {"style": "eam/alloy", "file": "NiAlH_jea.eam.alloy"}),
    "sw": (DIAMOND, 5.431, 2, ["Si"], [1.0], {"style": "sw", "file": "Si.sw"}),
    "tersoff": (DIAMOND, 4.6, 2, ["Si", "C"], [0.5, 0.5], {"style": "tersoff", "file": "SiC.tersoff"}),
    "nnip_equivariant": (DIAMOND, 5.431, 2, ["Si"], [1.0],
                         {"style": "nnip", "model": os.path.join(MODELS, "si_equivariant.h5")}),
    "nnip_attention": (DIAMOND, 5.431, 2, ["Si"], [1.0],
                       {"style": "nnip", "model": os.path.join(MODELS, "si_attention.h5")}),
}


def structure(basis, a, rep, fractions, seed):
    """Shaken lattice in a sheared cell: LAMMPS bounds, tilts, types (1-based), positions."""
    rng = np.random.default_rng(seed)
    L = a * rep
    xy, xz, yz = 0.07 * L, -0.05 * L, 0.04 * L
    h = np.array([[L, xy, xz], [0, L, yz], [0, 0, L]])
    frac = np.array([(np.array(b) + [i, j, k]) / rep for i in range(rep) for j in range(rep) for k in range(rep)
                     for b in basis])
    x = frac @ h.T + rng.uniform(-0.1, 0.1, (len(frac), 3))
    types = rng.choice(len(fractions), size=len(x), p=fractions) + 1
    return (L, xy, xz, yz), types, x


def data_file(path, cell, types, x, ntypes):
    L, xy, xz, yz = cell
    with open(path, "w") as f:
        f.write(f"system api test\n\n{len(x)} atoms\n{ntypes} atom types\n0 {L!r} xlo xhi\n0 {L!r} ylo yhi\n"
                f"0 {L!r} zlo zhi\n{xy!r} {xz!r} {yz!r} xy xz yz\n\nAtoms # atomic\n\n")
        for i, (t, p) in enumerate(zip(types, x)):
            f.write(f"{i + 1} {t} {p[0]!r} {p[1]!r} {p[2]!r}\n")


def tool_input(cell, species, types, x, potential, relax=None):
    import yaml
    L, xy, xz, yz = cell
    lines = ["units metal", "species " + " ".join(species), f"box 0 {L!r} 0 {L!r} 0 {L!r} {xy!r} {xz!r} {yz!r}",
             "potential " + yaml.safe_dump(potential, default_flow_style=True, width=10 ** 6).strip(),
             f"atoms {len(x)}"]
    lines += [f"{t} {p[0]!r} {p[1]!r} {p[2]!r}" for t, p in zip(types, x)]
    if relax:
        lines.append("relax " + relax)
    return "\n".join(lines) + "\n"


def run_tool(text, cwd):
    p = subprocess.run([TOOL], input=text, capture_output=True, text=True, cwd=cwd,
                       env=dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false"))
    return p


def parse_tool(out):
    lines = out.splitlines()
    head = {ln.split()[0]: ln.split()[1:] for ln in lines if not ln[0].isdigit() and not ln[0] == "-"}
    n = int(head["atoms"][0])
    rows = np.array([[float(v) for v in ln.split()] for ln in lines[-n:]])
    return {"energy": float(head["energy"][0]), "stress": np.array([float(v) for v in head["stress"]]),
            "cell": np.array([float(v) for v in head["cell"]]).reshape(3, 3), "forces": rows[:, 1:4],
            "x": rows[:, 4:7]}


def parse_extxyz_last(path):
    with open(path) as f:
        lines = f.read().splitlines()
    i, frames = 0, []
    while i < len(lines):
        n = int(lines[i])
        frames.append((lines[i + 1], lines[i + 2:i + 2 + n]))
        i += 2 + n
    comment, atoms = frames[-1]
    energy = float(comment.split("energy=")[1].split()[0])
    s = np.array([float(v) for v in comment.split('stress="')[1].split('"')[0].split()]).reshape(3, 3)
    lat = np.array([float(v) for v in comment.split('Lattice="')[1].split('"')[0].split()]).reshape(3, 3)
    rows = np.array([[float(v) for v in ln.split()[1:]] for ln in atoms])
    return {"energy": energy, "stress": np.array([s[0, 0], s[1, 1], s[2, 2], s[0, 1], s[0, 2], s[1, 2]]),
            "cell": lat, "forces": rows[:, 6:9], "x": rows[:, 0:3]}


def rel(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / max(np.max(np.abs(b)), 1e-300))


def cli(wd, name, species, potential, stages):
    deck = {"units": "metal", "system": {"read": f"{name}.data", "species": species}, "potential": potential,
            "stages": stages, "output": {"extxyz": {"every": 10 ** 9, "file": f"{name}.extxyz"}}}
    write_deck(deck, os.path.join(wd, f"{name}.yaml"))
    run_atomforge(["run", f"{name}.yaml", "-q"], wd)
    return parse_extxyz_last(os.path.join(wd, f"{name}.extxyz"))


def main():
    c = Checks("system_api")
    wd = workdir("system-api")
    for seed, (name, (basis, a, rep, species, fractions, potential)) in enumerate(CASES.items()):
        cell, types, x = structure(basis, a, rep, fractions, seed + 1)
        data_file(os.path.join(wd, f"{name}.data"), cell, types, x, len(species))
        ref = cli(wd, name, species, potential, [{"name": "sp", "integrator": {"style": "nve"}, "steps": 0}])
        p = run_tool(tool_input(cell, species, types, x, potential), wd)
        if p.returncode != 0:
            c.check(False, f"{name}: system_check failed: {p.stderr.strip()}")
            continue
        got = parse_tool(p.stdout)
        de = abs(got["energy"] - ref["energy"]) / abs(ref["energy"])
        df, ds = rel(got["forces"], ref["forces"]), rel(got["stress"], ref["stress"])
        c.check(de <= 1e-12 and df <= 1e-12 and ds <= 1e-12,
                f"{name}: System single point = CLI (energy {de:.1e}, forces {df:.1e}, stress {ds:.1e}; 1e-12)")

    # Relaxation: System::relax against minimize stages (atoms only; atoms and cell).
    for name, cell_too in (("sw", False), ("eam_alloy", True)):
        basis, a, rep, species, fractions, potential = CASES[name]
        cell, types, x = structure(basis, a, rep, fractions, 11)
        tag = f"relax_{name}"
        data_file(os.path.join(wd, f"{tag}.data"), cell, types, x, len(species))
        minimize = {"style": "fire", "fmax": 1e-6}
        if cell_too:
            minimize["cell"] = {"pressure": 0.0}
        ref = cli(wd, tag, species, potential, [{"name": "relax", "minimize": minimize}])
        p = run_tool(tool_input(cell, species, types, x, potential, f"fire 1e-6 {int(cell_too)}"), wd)
        if p.returncode != 0:
            c.check(False, f"{tag}: system_check failed: {p.stderr.strip()}")
            continue
        got = parse_tool(p.stdout)
        de = abs(got["energy"] - ref["energy"]) / abs(ref["energy"])
        # Same positions modulo the cell (the CLI writes wrapped positions).
        h = ref["cell"].T
        d = np.linalg.solve(h, (got["x"] - ref["x"]).T).T
        dx = np.abs((d - np.round(d)) @ h.T).max()
        dcell = np.abs(got["cell"] - ref["cell"]).max()
        c.check(de <= 1e-10 and dx <= 1e-10 and dcell <= 1e-10,
                f"{tag}: System::relax = minimize stage (energy {de:.1e} rel, positions {dx:.1e} A, "
                f"cell {dcell:.1e} A; 1e-10)")

    # A bad potential section: one line naming potential:line:column.
    cell, types, x = structure(FCC, 3.6, 1, [1.0], 3)
    p = run_tool(tool_input(cell, ["Ni"], types, x, {"style": "eam/alloy", "fil": "NiAlH_jea.eam.alloy"}), wd)
    err = p.stderr.strip()
    c.check(p.returncode == 2 and len(err.splitlines()) == 1 and err.startswith("potential:1:"),
            f"bad potential section: '{err}'")
    c.done()


if __name__ == "__main__":
    main()
