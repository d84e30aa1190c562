"""The baseline table of bench/RESULTS.md from bench/csp/*/baseline.json."""
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    print("| system | G (ground-state set) | generator | hits / relaxations | relaxations per hit (95% CI) "
          "| force evaluations per hit | s per hit |")
    print("|---|---|---|---|---|---|---|")
    for path in sorted(glob.glob(os.path.join(HERE, "*", "baseline.json"))):
        r = json.load(open(path))
        for gen in ("random", "symmetric"):
            s = r["searches"][gen]
            k, n = s["hits"], s["relaxations"]
            lo, hi = s["interval"]
            if k:
                per = f"{s['relaxations_per_hit']:.1f} ({lo:.1f}-{hi:.0f})" if hi else f"{s['relaxations_per_hit']:.1f}"
                fe, sec = f"{s['force_evaluations_per_hit']:.0f}", f"{s['seconds_per_hit']:.3g}"
            else:
                per, fe, sec = f"> {n} (>= {lo:.0f} at 95%)", "-", "-"
            print(f"| {r['system']} | {r['ground_state_set']} | {gen} | {k} / {n} | {per} | {fe} | {sec} |")


if __name__ == "__main__":
    main()
