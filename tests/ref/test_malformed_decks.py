"""Malformed decks: each gives exit code 2, exactly one line on stderr naming
file:line and the problem, and creates no output file."""
import os
import re

from common import Checks, run_atomforge, workdir

GOOD = """units: lj
system:
  lattice: {style: fcc, density: 0.8442, repeat: [3, 3, 3], species: Ar}
  masses: {Ar: 1.0}
  velocities: {temperature: 1.0}
potential:
  style: lj
  cutoff: 2.5
  pairs:
    - {species: [Ar, Ar], epsilon: 1.0, sigma: 1.0}
stages:
  - name: run
    integrator: {style: nve, timestep: 0.005}
    steps: 10
output:
  thermo: {every: 5, file: thermo.csv}
  trajectory: {every: 5, file: traj.h5}
"""

BAD_DATA = """LAMMPS data
10 atoms
1 atom types
0 5 xlo xhi
0 5 ylo yhi
0 5 zlo zhi

Atoms # atomic

1 1 0.0 0.0 zero
"""

# name: (deck text or (old, new) edit of GOOD, expected line, expected words)
CASES = {
    "misspelled_key": (("    steps: 10", "    stpes: 10"), 14, "unknown key 'stpes'"),
    "misspelled_section": (("potential:\n", "potental:\n"), 6, "unknown key 'potental'"),
    "wrong_type": (("cutoff: 2.5", "cutoff: [2.5]"), 8, "expected a number"),
    "missing_file": (("  lattice: {style: fcc, density: 0.8442, repeat: [3, 3, 3], species: Ar}", "  read: nowhere.data"), 3, "cannot find 'nowhere.data'"),
    "negative_timestep": (("timestep: 0.005", "timestep: -0.005"), 13, "must be positive"),
    "unknown_species": (("species: [Ar, Ar]", "species: [Ar, Xe]"), 10, "unknown species 'Xe'"),
    "empty_file": ("", 1, "empty"),
    "not_yaml": ("units: lj\nsystem: {lattice: [unclosed\n  - : :\n", 3, "YAML syntax error"),
    "not_a_mapping": ("- just\n- a list\n", 1, "mapping"),
    "unknown_style": (("style: nve", "style: verlet"), 13, "unknown integrator style 'verlet'"),
    "missing_potential": (("potential:\n  style: lj\n  cutoff: 2.5\n  pairs:\n    - {species: [Ar, Ar], epsilon: 1.0, sigma: 1.0}\n", ""), 1, "missing required key 'potential'"),
    "bad_repeat": (("repeat: [3, 3, 3]", "repeat: [3, 0, 3]"), 3, "at least 1"),
    "negative_steps": (("steps: 10", "steps: -10"), 14, "must not be negative"),
    "output_dir_missing": (("file: traj.h5", "file: nodir/traj.h5"), 17, "does not exist"),
    "unknown_units": (("units: lj", "units: SI"), 1, "unknown units"),
    "bad_data_file": (("  lattice: {style: fcc, density: 0.8442, repeat: [3, 3, 3], species: Ar}", "  read: bad.data"), 10, "expected a number"),
    "unknown_field": (("file: traj.h5}", "file: traj.h5, fields: [position, velocty]}"), 17, "did you mean 'velocity'"),
}


def main():
    c = Checks("malformed_decks")
    wd = workdir("malformed")
    for name, (edit, line, words) in CASES.items():
        sub = os.path.join(wd, name)
        os.mkdir(sub)
        text = GOOD.replace(*edit) if isinstance(edit, tuple) else edit
        if isinstance(edit, tuple):
            assert text != GOOD, name
        with open(os.path.join(sub, "deck.yaml"), "w") as f:
            f.write(text)
        with open(os.path.join(sub, "bad.data"), "w") as f:
            f.write(BAD_DATA)
        for verb in ("run", "validate"):
            p = run_atomforge([verb, "deck.yaml"], sub, check=False)
            lines = p.stderr.strip().splitlines()
            target = "bad.data" if name == "bad_data_file" else "deck.yaml"
            m = re.match(rf"^{re.escape(target)}:(\d+)(:\d+)?: (.*)$", lines[0]) if lines else None
            ok = (p.returncode == 2 and len(lines) == 1 and m is not None and int(m.group(1)) == line
                  and words in m.group(3))
            c.check(ok, f"{name} ({verb}): exit {p.returncode}, stderr {p.stderr.strip()!r}")
        leftovers = sorted(set(os.listdir(sub)) - {"deck.yaml", "bad.data"})
        c.check(not leftovers, f"{name}: no output files created {leftovers if leftovers else ''}")
    c.check(len(CASES) >= 10, f"{len(CASES)} malformed decks")
    c.done()


if __name__ == "__main__":
    main()
