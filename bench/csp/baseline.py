"""Reference ground states and random-search baselines (issue 21) for one system of
bench/csp/systems.py, with `atomforge sample`:

1. the prototype library relaxed (generator style file) and two searches of N
   relaxations each, generator `random` and `symmetric`, fixed seeds;
2. the ground-state set G: every distinct minimum (matcher, CSP tolerances) within
   1 meV/atom of the lowest enthalpy per atom found by any of them (clusters: the
   Cambridge Cluster Database energy, matched by energy within 1e-4 epsilon);
3. hits: relaxations of each search whose result is within the same 1 meV/atom of the
   best and matches a member of G (the campaign's own `hits` count class members by the
   loose CSP matcher alone, higher-energy distortions included); relaxations per hit
   with a Clopper-Pearson 95% interval, force evaluations and seconds per hit.

Writes bench/csp/SYSTEM/ground_states.extxyz (G, with provenance on each frame) and
bench/csp/SYSTEM/baseline.json, and prints the bench/RESULTS.md rows.

    /usr/bin/python3 bench/csp/baseline.py SYSTEM [RELAXATIONS] [--threads T]
        [--symmetric RELAXATIONS]   the symmetric search's budget (default: RELAXATIONS)
        [--keep]                    reuse runs in runs/csp/SYSTEM whose deck is unchanged"""
import datetime
import json
import os
import subprocess
import sys

import spglib
from ase.io import read, write
from scipy.stats import beta

sys.path.insert(0, os.path.dirname(__file__))
from systems import SYSTEMS  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ATOMFORGE = os.environ.get("ATOMFORGE", os.path.join(ROOT, "build", "bin", "atomforge"))
WINDOW = 1e-3  # eV/atom (epsilon/atom for clusters): the ground-state set's width


def deck(sys_, name, generator_line, budget, threads_dir):
    comp = "{" + ", ".join(f"{k}: {v}" for k, v in sys_["composition"].items()) + "}"
    cluster = ", cluster: true" if sys_.get("cluster") else ""
    text = f"""units: {sys_['units']}
seed: 2026
potential: {sys_['potential']}
sample:
"""
    if generator_line.startswith("file"):
        text += f"  generator: {{style: file, file: prototypes.extxyz}}\n"
    else:
        text += f"  composition: {comp}\n  generator: {{style: {generator_line}{cluster}, {sys_['generator']}}}\n"
        text += f"  budget: {{relaxations: {budget}}}\n"
    text += f"  relax: {{{sys_['relax']}}}\noutput: {{dir: {name}}}\n"
    path = os.path.join(threads_dir, name + ".yaml")
    with open(path, "w") as f:
        f.write(text)
    return path


def clopper_pearson(k, n, conf=0.95):
    a = (1 - conf) / 2
    lo = 0.0 if k == 0 else beta.ppf(a, k, n - k + 1)
    hi = 1.0 if k == n else beta.ppf(1 - a, k + 1, n - k)
    return lo, hi


def main():
    name = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith("-") else 1000
    threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2"
    n_sym = int(sys.argv[sys.argv.index("--symmetric") + 1]) if "--symmetric" in sys.argv else n
    keep = "--keep" in sys.argv
    s = SYSTEMS[name]
    work = os.path.join(ROOT, "runs", "csp", name)
    os.makedirs(work, exist_ok=True)
    runs = {}
    if s["prototypes"]:
        protos = s["prototypes"]()
        frames = []
        for label, at in protos.items():
            at.info["prototype"] = label
            frames.append(at)
        write(os.path.join(work, "prototypes.extxyz"), frames)
        runs["prototypes"] = "file"
    for g in ("random", "symmetric"):
        runs[g] = g
    summaries, relaxed = {}, {}
    for run, gen in runs.items():
        path = os.path.join(work, run + ".yaml")
        before = open(path).read() if os.path.exists(path) else None
        d = deck(s, run, gen, n_sym if run == "symmetric" else n, work)
        done = os.path.exists(os.path.join(work, run, "summary.json"))
        if not (keep and done and open(d).read() == before):
            subprocess.run(["rm", "-rf", os.path.join(work, run)], check=True)
            subprocess.run([ATOMFORGE, "sample", os.path.basename(d), "-q", "-t", threads], cwd=work, check=True)
        summaries[run] = json.load(open(os.path.join(work, run, "summary.json")))
        relaxed[run] = [f for f in read(os.path.join(work, run, "relaxed.extxyz"), index=":")
                        if f.info.get("status") != "failed"]
    best = min(f.info["enthalpy_per_atom"] for r in relaxed.values() for f in r)
    if s.get("cluster"):
        natoms = sum(s["composition"].values())
        ref = s["ccd"]
        hit = lambda f: abs(f.info["enthalpy_per_atom"] * natoms - ref) < 1e-4  # noqa: E731
        g_frames = [min((f for r in relaxed.values() for f in r), key=lambda f: f.info["enthalpy_per_atom"])]
        ground = f"CCD {ref} epsilon; best found {best * natoms:.6f}"
    else:
        near = [f for r in relaxed.values() for f in r if f.info["enthalpy_per_atom"] <= best + WINDOW]
        write(os.path.join(work, "near.extxyz"), near)
        subprocess.run([ATOMFORGE, "dedup", "--preset", "csp", "near.extxyz", "ground.extxyz"], cwd=work, check=True,
                       stdout=subprocess.DEVNULL)
        g_frames = read(os.path.join(work, "ground.extxyz"), index=":")
        for f in g_frames:
            ds = spglib.get_symmetry_dataset((f.cell[:], f.get_scaled_positions(), f.numbers), symprec=0.01)
            f.info["spacegroup_symbol"] = ds["international"] if ds else "?"
        ground = ", ".join(sorted(f.info["spacegroup_symbol"] for f in g_frames))

        def hits_of(frames):
            cand = [f for f in frames if f.info["enthalpy_per_atom"] <= best + WINDOW]
            if not cand:
                return set()
            write(os.path.join(work, "cand.extxyz"), cand)
            out = subprocess.run([ATOMFORGE, "match", "ground.extxyz", "cand.extxyz", "--all-pairs", "--preset", "csp"],
                                 cwd=work, check=True, capture_output=True, text=True).stdout
            matched = {json.loads(line)["j"] for line in out.splitlines() if json.loads(line)["match"]}
            return {id(cand[j]) for j in matched}
    rows, result = [], {"system": name, "date": datetime.date.today().isoformat(), "relaxations": n,
                        "symmetric_relaxations": n_sym,
                        "best_per_atom": best, "ground_state_set": ground, "searches": {}}
    for run in ("random", "symmetric"):
        frames = relaxed[run]
        k = int(sum(bool(hit(f)) for f in frames)) if s.get("cluster") else len(hits_of(frames))
        total = summaries[run]["relaxations"]
        lo, hi = clopper_pearson(k, total)
        sm = summaries[run]
        per = {"hits": k, "relaxations": total, "relaxations_per_hit": total / k if k else None,
               "interval": [1 / hi, (1 / lo) if lo > 0 else None],
               "force_evaluations_per_hit": sm["force_evaluations"] / k if k else None,
               "seconds_per_hit": sm["seconds"] / k if k else None, "failed": sm["failed"]}
        result["searches"][run] = per
        rp = f"{per['relaxations_per_hit']:.1f}" if k else f"> {total}"
        iv = f"{per['interval'][0]:.1f}-{per['interval'][1]:.1f}" if k and lo > 0 else f">= {per['interval'][0]:.0f}"
        fe = f"{per['force_evaluations_per_hit']:.0f}" if k else "-"
        sec = f"{per['seconds_per_hit']:.3f}" if k else "-"
        rows.append(f"| {name} | {run} | {k}/{total} | {rp} | {iv} | {fe} | {sec} |")
    out_dir = os.path.join(ROOT, "bench", "csp", name)
    os.makedirs(out_dir, exist_ok=True)
    for f in g_frames:
        f.info.update({"provenance": f"bench/csp/baseline.py {name} {n} --symmetric {n_sym}, {result['date']}, "
                                     f"atomforge sample, "
                                     f"seed 2026, window {WINDOW}"})
    write(os.path.join(out_dir, "ground_states.extxyz"), g_frames)
    with open(os.path.join(out_dir, "baseline.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(f"{name}: best {best:.6f} per atom; G = {ground} ({len(g_frames)} structures)")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
