"""Compares the thermo tables of examples/lammps/run.sh with expected.txt and each other.

expected.txt holds, per run, the thermo rows (step temp pe ke etotal press) that the
example printed when it was made (si_equivariant.exchange.2: the model in exchange mode
at 2 ranks); a run matches when pe and etotal agree to 1e-8 eV and
temp to 1e-6 K at every step it printed (all 200 steps, or the first 50 with --quick) (the runs are deterministic; the margin covers other CPUs'
rounding over 200 steps). The 1- and 2-rank runs of each potential, both modes of the model, atomforge's SW and
LAMMPS's own, and the model through KIM (exact radial MLP, 50 steps) and through
pair_style atomforge (spline radial) must agree to the same tolerance.
    python3 check.py EXPECTED RUN_DIR
"""
import os
import sys


def thermo(path):
    rows, on = [], False
    for line in open(path):
        w = line.split()
        if w[:2] == ["Step", "Temp"]:
            on = True
        elif on and len(w) == 6:
            try:
                rows.append([float(v) for v in w])
            except ValueError:
                on = False
        else:
            on = False
    return rows


def expected(path):
    out, name = {}, None
    for line in open(path):
        w = line.split()
        if not w or w[0].startswith("#"):
            continue
        if len(w) == 1:
            name = w[0]
            out[name] = []
        else:
            out[name].append([float(v) for v in w])
    return out


def close(a, b, common=False):
    if common:  # the steps both runs printed
        steps = {r[0] for r in a} & {r[0] for r in b}
        a, b = [r for r in a if r[0] in steps], [r for r in b if r[0] in steps]
    return len(a) == len(b) > 0 and all(abs(x[1] - y[1]) <= 1e-6 and abs(x[2] - y[2]) <= 1e-8 and
                                        abs(x[4] - y[4]) <= 1e-8 for x, y in zip(a, b))


def main():
    ref = expected(sys.argv[1])
    runs = {name: thermo(os.path.join(sys.argv[2], name + ".log")) for name in ref}
    bad = 0
    for name, rows in runs.items():
        ok = close(rows, ref[name], common=True) and rows[-1][0] in (50, 200)  # run.sh or run.sh --quick
        bad += not ok
        last = rows[-1] if rows else None
        print(f"{'ok  ' if ok else 'FAIL'} {name:18s} step {last[0]:.0f}: T {last[1]:.3f} K, pe {last[2]:.6f} eV, "
              f"etotal {last[4]:.6f} eV" if last else f"FAIL {name}: no thermo output")
    for a, b in (("si_equivariant.1", "si_equivariant.2"), ("si_equivariant.1", "si_equivariant.exchange.2"),
                 ("si_sw.1", "si_sw.2"), ("si_sw.1", "lammps_sw"),
                 ("si_equivariant.1", "kim_equivariant")):
        ok = close(runs[a], runs[b], common=True)
        bad += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {a} = {b}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
