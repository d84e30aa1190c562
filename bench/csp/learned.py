"""The learned sampler against symmetric random search (issue 22, acceptance 3) on a
held-out system of bench/csp/systems.py (docs/learned_sampler.md lists them).

    /usr/bin/python3 bench/csp/learned.py SYSTEM [RELAXATIONS] [--model FILE] [--steps S]
        [--mixture W] [--threads T] [--keep]

Runs `atomforge sample` with the system's baseline deck (seed 2026, batch 64) and the
generator `learned` (and, with --mixture W, `mixture` with learned weight W) for RELAXATIONS
relaxations; hits are counted exactly as bench/csp/baseline.py counts them against the
versioned ground-state set G (bench/csp/SYSTEM/ground_states.extxyz): a relaxation within
1 meV/atom of the baseline's best enthalpy per atom that matches a member of G (CSP
matcher). The symmetric row is the baseline's own (bench/csp/SYSTEM/baseline.json, same
relaxer, potential and matcher). Also METRe@20 and cRMSE@20 of unrelaxed samples against G
(`atomforge metrics --preset csp`): 20 learned and 20 symmetric proposals of G's
composition per member. Writes bench/csp/SYSTEM/learned.json and prints the rows.
"""
import datetime
import json
import os
import subprocess
import sys

from ase.io import read, write

sys.path.insert(0, os.path.dirname(__file__))
from baseline import ATOMFORGE, ROOT, WINDOW, clopper_pearson  # noqa: E402
from systems import SYSTEMS  # noqa: E402

MODEL = os.path.join(ROOT, "examples", "models", "crystal_flow.h5")


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def hits(work, frames, best):
    cand = [f for f in frames if f.info["enthalpy_per_atom"] <= best + WINDOW]
    if not cand:
        return 0
    write(os.path.join(work, "cand.extxyz"), cand)
    out = subprocess.run([ATOMFORGE, "match", "ground.extxyz", "cand.extxyz", "--all-pairs", "--preset", "csp"],
                         cwd=work, check=True, capture_output=True, text=True).stdout
    return len({json.loads(line)["j"] for line in out.splitlines() if json.loads(line)["match"]})


def campaign(work, s, name, generator, n, threads, keep):
    comp = "{" + ", ".join(f"{k}: {v}" for k, v in s["composition"].items()) + "}"
    deck = (f"units: {s['units']}\nseed: 2026\npotential: {s['potential']}\nsample:\n  composition: {comp}\n"
            f"  generator: {{{generator}, {s['generator']}}}\n  budget: {{relaxations: {n}}}\n  batch: 64\n"
            f"  relax: {{{s['relax']}}}\noutput: {{dir: {name}}}\n")
    path = os.path.join(work, name + ".yaml")
    same = os.path.exists(path) and open(path).read() == deck
    if not (keep and same and os.path.exists(os.path.join(work, name, "summary.json"))):
        open(path, "w").write(deck)
        subprocess.run(["rm", "-rf", os.path.join(work, name)], check=True)
        subprocess.run([ATOMFORGE, "sample", name + ".yaml", "-q", "-t", threads], cwd=work, check=True)
    summary = json.load(open(os.path.join(work, name, "summary.json")))
    frames = [f for f in read(os.path.join(work, name, "relaxed.extxyz"), index=":") if f.info.get("status") != "failed"]
    return summary, frames


def row(name, generator, k, total, summary):
    lo, hi = clopper_pearson(k, total)
    per = {"hits": k, "relaxations": total, "relaxations_per_hit": total / k if k else None,
           "interval": [1 / hi, (1 / lo) if lo > 0 else None],
           "seconds_per_hit": summary["seconds"] / k if k else None,
           "force_evaluations_per_hit": summary["force_evaluations"] / k if k else None}
    rp = f"{per['relaxations_per_hit']:.1f}" if k else f"> {total}"
    iv = f"{per['interval'][0]:.1f}-{per['interval'][1]:.1f}" if k and lo > 0 else f">= {per['interval'][0]:.0f}"
    sec = f"{per['seconds_per_hit']:.3f}" if k else "-"
    print(f"| {name} | {generator} | {k} / {total} | {rp} ({iv}) | {sec} |")
    return per


def metrics(work, s, model, steps):
    """METRe@20 / cRMSE@20 of 20 unrelaxed proposals per member of G, learned and symmetric."""
    ground = read(os.path.join(work, "ground.extxyz"), index=":")
    comp = "".join(f"{k}{v}" for k, v in s["composition"].items())
    vol = s["generator"].split("[")[1].split("]")[0].split(",")
    out = {}
    for mode in ("learned", "symmetric"):
        gen = os.path.join(work, f"proposals_{mode}.extxyz")
        frames = []
        for j in range(len(ground)):
            extra = ["--model", model, "--steps", steps] if mode == "learned" else []
            path = os.path.join(work, f"p_{mode}_{j}.extxyz")
            subprocess.run([ATOMFORGE, "generate", "--composition", comp, "--mode", mode, "--count", "20",
                            "--seed", str(100 + j), "--volume-per-atom", vol[0].strip(), vol[1].strip(), *extra, path],
                           check=True, cwd=work)
            frames += read(path, index=":")
        write(gen, frames)
        r = subprocess.run([ATOMFORGE, "metrics", "--reference", "ground.extxyz", "--generated", gen, "--k", "20",
                            "--preset", "csp"], cwd=work, check=True, capture_output=True, text=True).stdout
        out[mode] = json.loads(r)
    return out


def main():
    name = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 and not sys.argv[2].startswith("-") else 1000
    model, steps = os.path.abspath(arg("--model", MODEL)), arg("--steps", "50")
    threads, keep = arg("--threads", "2"), "--keep" in sys.argv
    s = SYSTEMS[name]
    base = json.load(open(os.path.join(ROOT, "bench", "csp", name, "baseline.json")))
    best = base["best_per_atom"]
    work = os.path.join(ROOT, "runs", "csp_learned", name)
    os.makedirs(work, exist_ok=True)
    subprocess.run(["cp", os.path.join(ROOT, "bench", "csp", name, "ground_states.extxyz"),
                    os.path.join(work, "ground.extxyz")], check=True)
    result = {"system": name, "date": datetime.date.today().isoformat(), "model": os.path.relpath(model, ROOT),
              "steps": int(steps), "best_per_atom": best, "searches": {"symmetric": base["searches"]["symmetric"]}}
    sym = base["searches"]["symmetric"]
    print(f"| {name} | symmetric (baseline.json) | {sym['hits']} / {sym['relaxations']} | "
          f"{sym['relaxations_per_hit']} | {sym['seconds_per_hit']} |")
    runs = {"learned": f"style: learned, model: {model}, steps: {steps}"}
    if "--mixture" in sys.argv:
        w = float(arg("--mixture", "0.5"))
        runs["mixture"] = (f"style: mixture, model: {model}, steps: {steps}, "
                           f"weights: {{learned: {w}, symmetric: {1 - w}}}")
    for run, gen in runs.items():
        summary, frames = campaign(work, s, run, gen, n, threads, keep)
        below = min(f.info["enthalpy_per_atom"] for f in frames)
        if below < best - WINDOW:
            print(f"note: {run} found {below:.6f} eV/atom, below the baseline's best {best:.6f}: G is incomplete")
        result["searches"][run] = row(name, run, hits(work, frames, best), summary["relaxations"], summary)
    result["metrics"] = metrics(work, s, model, steps)
    for mode, m in result["metrics"].items():
        print(f"{name} {mode}: {json.dumps(m)}")
    with open(os.path.join(ROOT, "bench", "csp", name, "learned.json"), "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
