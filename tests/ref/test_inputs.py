"""Every deck in inputs/ validates and runs to completion (decks with a test of their
own are validated here and run there)."""
import glob
import os
import shutil

from common import Checks, SOURCE_DIR, run_atomforge, workdir

OWN_TEST = {"si_heat_quench.yaml": "test_si_quench.py", "si_vink_heat_quench.yaml": "test_si_quench.py vink",
            "sample_si8_sw.yaml": "test_sample.py", "sample_lj13.yaml": "test_sample.py",
            "sample_lj38.yaml": "test_sample.py",
            "sample_nial_eam.yaml": "test_sample.py"}


def main():
    c = Checks("inputs")
    decks = sorted(glob.glob(os.path.join(SOURCE_DIR, "inputs", "*.yaml")))
    c.check(len(decks) > 0, f"{len(decks)} decks")
    for d in decks:
        name = os.path.basename(d)
        wd = workdir("input")
        shutil.copy(d, wd)
        for extra in glob.glob(os.path.join(SOURCE_DIR, "inputs", "*.data")) + \
                glob.glob(os.path.join(SOURCE_DIR, "inputs", "*.sw")):
            shutil.copy(extra, wd)
        v = run_atomforge(["validate", name], wd, check=False)
        c.check(v.returncode == 0, f"{name}: validates ({v.stdout.strip() or v.stderr.strip()})")
        if name in OWN_TEST:
            continue
        r = run_atomforge(["run", name], wd, threads=2, check=False)
        c.check(r.returncode == 0 and "Loop time" in r.stdout, f"{name}: runs ({r.returncode}) {r.stderr.strip()[-200:]}")
    c.done()


if __name__ == "__main__":
    main()
