"""`atomforge sample` (samplers/campaign.*) with fixed seeds and small budgets, checked
against references nobody here wrote:

- inputs/sample_lj13.yaml, sample_lj38.yaml: the best LJ13 and LJ38 clusters have the
  Cambridge Cluster Database's global-minimum energies, -44.326801 and -173.928427
  epsilon (to 1e-6; LJ38 from clusters of a drawn point group);
- inputs/sample_si8_sw.yaml: the best Si8 minimum with Stillinger-Weber is in the diamond
  family (pymatgen's StructureMatcher fits it to ASE's diamond or lonsdaleite), at SW's
  diamond energy -4.3366 eV/atom (-2 epsilon, epsilon 2.1683 eV);
- inputs/sample_nial_eam.yaml: the best NiAl minimum fits B2 (CsCl, ASE).
Outputs: relaxed.extxyz holds every relaxation with status, energy, enthalpy, space group
and generator metadata; unique.extxyz is ranked by enthalpy per atom; top/ has CIFs that
ASE reads; summary.json's counts add up.

Stops: a campaign stopped by SIGTERM (exit 143) or killed by SIGKILL, then continued with
--restart, ends with relaxed.extxyz and unique.extxyz byte for byte those of an
uninterrupted campaign. A campaign whose relaxations all explode (a pressure of -10^6
bar) marks them failed with the reason and still finishes. Malformed sample decks stop
with one line, exit 2, before writing anything."""
import json
import os
import shutil
import signal
import subprocess
import time

import numpy as np
from ase.build import bulk
from ase.io import read
from pymatgen.analysis.structure_matcher import StructureMatcher
from pymatgen.io.ase import AseAtomsAdaptor

from common import ATOMFORGE, Checks, SOURCE_DIR, run_atomforge, workdir


def copy_deck(name, wd, edits=()):
    text = open(os.path.join(SOURCE_DIR, "inputs", name)).read()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    with open(os.path.join(wd, name), "w") as f:
        f.write(text)
    return name


def frames_of(path):
    return read(path, index=":") if os.path.exists(path) and os.path.getsize(path) else []


def fits_any(atoms, references):
    m = StructureMatcher()
    s = AseAtomsAdaptor.get_structure(atoms)
    return any(m.fit(s, AseAtomsAdaptor.get_structure(r)) for r in references)


def wait_for_frames(proc, path, n, timeout=120):
    t0 = time.time()
    while time.time() - t0 < timeout and proc.poll() is None:
        if os.path.exists(path) and open(path).read().count("index=") >= n:
            return True
        time.sleep(0.05)
    return False


def main():
    c = Checks("sample")
    wd = workdir("sample")

    # LJ13.
    deck = copy_deck("sample_lj13.yaml", wd)
    run_atomforge(["sample", deck], wd)
    s = json.load(open(os.path.join(wd, "lj13", "summary.json")))
    c.check(s["best"] is not None and abs(s["best"]["energy"] - (-44.326801)) < 1e-6,
            f"LJ13: best {s['best'] and s['best']['energy']:.6f} eps (CCD -44.326801), hits {s['best']['hits']} "
            f"of {s['relaxations']}")

    # LJ38 from point-group-symmetric clusters.
    deck = copy_deck("sample_lj38.yaml", wd)
    run_atomforge(["sample", deck], wd)
    s = json.load(open(os.path.join(wd, "lj38", "summary.json")))
    best = read(os.path.join(wd, "lj38", "unique.extxyz"), index=0)
    c.check(s["best"] is not None and abs(s["best"]["energy"] - (-173.928427)) < 1e-6,
            f"LJ38: best {s['best']['energy']:.6f} eps (CCD -173.928427), hits {s['best']['hits']} of "
            f"{s['relaxations']}, proposed with point group {best.info.get('generator_pointgroup')}")

    # Si8 with Stillinger-Weber.
    deck = copy_deck("sample_si8_sw.yaml", wd)
    run_atomforge(["sample", deck], wd)
    out = os.path.join(wd, "si8_sw")
    s = json.load(open(os.path.join(out, "summary.json")))
    uniq = frames_of(os.path.join(out, "unique.extxyz"))
    relaxed = frames_of(os.path.join(out, "relaxed.extxyz"))
    diamond = bulk("Si", "diamond", a=5.431)
    lonsdaleite = bulk("SiSi", "wurtzite", a=3.84, c=6.27, u=0.375)  # hexagonal diamond
    c.check(len(uniq) > 0 and fits_any(uniq[0], [diamond, lonsdaleite]) and
            abs(s["best"]["enthalpy_per_atom"] - (-4.3366)) < 1e-4,
            f"Si8 (SW): best {s['best']['enthalpy_per_atom']:.6f} eV/atom, {s['best']['spacegroup_symbol']}, "
            f"fits diamond/lonsdaleite (pymatgen), {s['best']['hits']} hits of {s['relaxations']}")
    keys = {"index", "status", "energy", "enthalpy", "enthalpy_per_atom", "spacegroup", "generator", "wyckoff"}
    ok_frames = [f for f in relaxed if f.info.get("status") != "failed"]
    c.check(len(relaxed) == s["relaxations"] == 40 and all(keys <= set(f.info) | {"energy"} for f in ok_frames) and
            s["converged"] + s["unconverged"] + s["failed"] == s["relaxations"],
            f"relaxed.extxyz: {len(relaxed)} frames with status, energy, enthalpy, space group, generator "
            f"metadata; counts {s['converged']} + {s['unconverged']} + {s['failed']} = {s['relaxations']}")
    h = [f.info["enthalpy_per_atom"] for f in uniq]
    cifs = sorted(os.listdir(os.path.join(out, "top")))
    cif_ok = all(len(read(os.path.join(out, "top", f))) == 8 for f in cifs)
    c.check(h == sorted(h) and len(uniq) == s["unique"] and len(cifs) == min(10, len(uniq)) and cif_ok,
            f"unique.extxyz: {len(uniq)} minima ranked by enthalpy; {len(cifs)} CIFs in top/ that ASE reads")

    # NiAl.
    deck = copy_deck("sample_nial_eam.yaml", wd)
    run_atomforge(["sample", deck], wd)
    uniq = frames_of(os.path.join(wd, "nial", "unique.extxyz"))
    b2 = bulk("NiAl", "cesiumchloride", a=2.88)
    c.check(len(uniq) > 0 and fits_any(uniq[0], [b2]),
            f"NiAl (EAM): best {uniq[0].info.get('spacegroup_symbol')} fits B2 (pymatgen)")

    # Stop and restart: the same files as without a stop.
    budget = (("relaxations: 40", "relaxations: 160"),)
    for name, sig in (("term", signal.SIGTERM), ("kill", signal.SIGKILL)):
        ref = os.path.join(wd, "ref_" + name)
        stop = os.path.join(wd, "stop_" + name)
        for d in (ref, stop):
            os.makedirs(d, exist_ok=True)
            copy_deck("sample_si8_sw.yaml", d, budget)
        run_atomforge(["sample", "sample_si8_sw.yaml"], ref)
        env = dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false")
        p = subprocess.Popen([ATOMFORGE, "sample", "sample_si8_sw.yaml", "-q"], cwd=stop, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        reached = wait_for_frames(p, os.path.join(stop, "si8_sw", "relaxed.extxyz"), 6)
        p.send_signal(sig)
        _, err = p.communicate(timeout=120)
        done_before = open(os.path.join(stop, "si8_sw", "relaxed.extxyz")).read().count("index=")
        r = run_atomforge(["sample", "sample_si8_sw.yaml", "--restart"], stop, check=False)
        same = all(open(os.path.join(ref, "si8_sw", f), "rb").read() == open(os.path.join(stop, "si8_sw", f), "rb").read()
                   for f in ("relaxed.extxyz", "unique.extxyz"))
        sr = json.load(open(os.path.join(ref, "si8_sw", "summary.json")))
        ss = json.load(open(os.path.join(stop, "si8_sw", "summary.json")))
        counts = all(sr[k] == ss[k] for k in ("attempts", "relaxations", "converged", "failed", "unique", "best",
                                              "force_evaluations"))
        want = -signal.SIGKILL if sig == signal.SIGKILL else 128 + signal.SIGTERM
        c.check(reached and p.returncode == want and r.returncode == 0 and same and counts,
                f"{sig.name} after {done_before} of 160 relaxations (exit {p.returncode}), --restart (exit "
                f"{r.returncode}): relaxed.extxyz and unique.extxyz identical to an uninterrupted campaign, "
                f"summary counts equal")

    # Exploding relaxations are failures, and the campaign goes on.
    deck = copy_deck("sample_si8_sw.yaml", wd, (("pressure: 0.0", "pressure: -1.0e6"), ("relaxations: 40", "relaxations: 6"),
                                                ("dir: si8_sw", "dir: explode")))
    r = run_atomforge(["sample", deck], wd, check=False)
    s = json.load(open(os.path.join(wd, "explode", "summary.json")))
    frames = frames_of(os.path.join(wd, "explode", "relaxed.extxyz"))
    c.check(r.returncode == 0 and s["failed"] == 6 == len(frames) and all(f.info.get("reason") for f in frames),
            f"pressure -10^6 bar: {s['failed']} of 6 failed with reasons ('{frames[0].info.get('reason')}'), "
            f"the campaign finished (exit {r.returncode})")

    # Malformed decks: one line, exit 2, nothing written.
    base = open(os.path.join(SOURCE_DIR, "inputs", "sample_si8_sw.yaml")).read()
    cases = {
        "no budget": (("  budget: {relaxations: 40}\n", ""), "missing required key 'budget'"),
        "bad style": (("style: symmetric", "style: sym"), "unknown generator style 'sym'"),
        "unknown key": (("  batch: 8\n", "  batches: 8\n"), "batches"),
        "zero atoms": (("{Si: 8}", "{Si: 0}"), "needs 1 to 100000 atoms"),
        "space group": (("volume_per_atom: [14.0, 24.0]", "volume_per_atom: [14.0, 24.0], spacegroup: 231"),
                        "must be 1-230"),
        "incompatible": (("volume_per_atom: [14.0, 24.0]", "volume_per_atom: [14.0, 24.0], spacegroup: 230"),
                         "cannot hold Si8"),
        "max_steps": (("max_steps: 2000", "max_steps: 0"), "max_steps must be at least 1"),
        "species": (("composition: {Si: 8}", "composition: {Si: 4, Ge: 4}"), "Ge"),
    }
    for what, ((old, new), expect) in cases.items():
        d = os.path.join(wd, "bad_" + what.replace(" ", "_"))
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        with open(os.path.join(d, "deck.yaml"), "w") as f:
            f.write(base.replace(old, new))
        p = run_atomforge(["sample", "deck.yaml"], d, check=False)
        err = p.stderr.strip()
        c.check(p.returncode == 2 and expect in err and len(err.splitlines()) == 1 and
                not os.path.exists(os.path.join(d, "si8_sw")), f"{what}: exit {p.returncode}, '{err}'")
    d = os.path.join(wd, "ref_term")
    p = run_atomforge(["sample", "sample_si8_sw.yaml"], d, check=False)
    c.check(p.returncode == 2 and "--restart" in p.stderr, f"a campaign already there: exit {p.returncode}, "
            f"'{p.stderr.strip()}'")
    c.done()


if __name__ == "__main__":
    main()
