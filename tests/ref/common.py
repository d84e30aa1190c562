"""Shared helpers for atomforge's reference tests (run with /usr/bin/python3)."""
import csv
import os
import subprocess
import sys
import tempfile

import yaml

ATOMFORGE = os.environ.get("ATOMFORGE", "build/bin/atomforge")
SOURCE_DIR = os.environ.get("ATOMFORGE_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


def workdir(name):
    """A fresh temporary directory for one test."""
    return tempfile.mkdtemp(prefix=f"af-{name}-")


def run_atomforge(args, cwd, threads=1, check=True, env_extra=None, timeout=1800):
    env = dict(os.environ, OMP_PROC_BIND="false", OMP_NUM_THREADS=str(threads))
    if env_extra:
        env.update(env_extra)
    p = subprocess.run([ATOMFORGE] + list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        sys.exit(f"atomforge {' '.join(args)} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


def run_lammps(script, cwd, nprocs=1, suffix=None, timeout=1800):
    """Runs Debian's lmp on an input script (text); returns stdout."""
    path = os.path.join(cwd, "in.lammps")
    with open(path, "w") as f:
        f.write(script)
    cmd = ["lmp", "-in", "in.lammps", "-log", "none", "-nocite"]
    if suffix:
        cmd += ["-sf", suffix]
    if nprocs > 1:
        cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(nprocs)] + cmd
    env = dict(os.environ, OMP_NUM_THREADS="1")
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout)
    if p.returncode != 0:
        sys.exit(f"lmp failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p.stdout


def lammps_thermo(stdout, columns):
    """Parses the thermo table of a LAMMPS run (header line starting with 'Step')."""
    rows, header = [], None
    for line in stdout.splitlines():
        words = line.split()
        if words[:1] == ["Step"]:
            header = words
            continue
        if header and len(words) == len(header):
            try:
                vals = [float(w) for w in words]
            except ValueError:
                header = None
                continue
            rows.append(dict(zip(header, vals)))
        elif header and words[:2] == ["Loop", "time"]:
            header = None
    return [{c: r[c] for c in columns} for r in rows]


def read_csv(path):
    """Rows as dicts of floats (text cells, such as a stage name, stay strings)."""
    def num(v):
        try:
            return float(v)
        except ValueError:
            return v
    with open(path) as f:
        return [{k: num(v) for k, v in row.items()} for row in csv.DictReader(f)]


def load_deck(path):
    with open(path) as f:
        return yaml.safe_load(f)


def write_deck(deck, path):
    with open(path, "w") as f:
        yaml.safe_dump(deck, f, sort_keys=False)


def rel(a, b, floor=0.0):
    return abs(a - b) / max(abs(b), floor, 1e-300)


class Checks:
    """Collects assertion results; exits non-zero at the end if any failed."""

    def __init__(self, name):
        self.name, self.failed = name, 0

    def check(self, ok, msg):
        print(("ok   " if ok else "FAIL ") + msg, flush=True)
        if not ok:
            self.failed += 1

    def done(self):
        if self.failed:
            sys.exit(f"{self.name}: {self.failed} check(s) failed")
        print(f"{self.name}: all checks passed")
