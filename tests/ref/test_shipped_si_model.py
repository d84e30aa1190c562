"""A shipped Si model (argument: equivariant, the default, or attention:
examples/models/si_ARCH.h5) on the held-out test split of its Stillinger-Weber dataset
(examples/datasets/si_sw/test.extxyz), run through the engine (deck style nnip): energy
MAE at most 2 meV/atom and force MAE at most 30 meV/A against Stillinger-Weber (issue 5,
acceptance 6; issue 6, acceptance 4)."""
import os
import sys

import numpy as np
from ase.io import read, write

from common import SOURCE_DIR, Checks, run_atomforge, workdir, write_deck


def main():
    arch = sys.argv[1] if len(sys.argv) > 1 else "equivariant"
    c = Checks(f"shipped_si_model ({arch})")
    wd = workdir("shipped_si_model")
    model = os.path.join(SOURCE_DIR, "examples", "models", f"si_{arch}.h5")
    frames = read(os.path.join(SOURCE_DIR, "examples", "datasets", "si_sw", "test.extxyz"), ":")
    e_err, f_err = [], []
    for k, ref in enumerate(frames):
        write(os.path.join(wd, f"f{k}.extxyz"), ref, format="extxyz")
        write_deck({"units": "metal", "system": {"read": f"f{k}.extxyz"}, "potential": {"style": "nnip", "model": model},
                    "stages": [{"integrator": {"style": "nve", "timestep": 0.001}, "steps": 0}],
                    "output": {"extxyz": {"every": 1, "file": f"o{k}.extxyz"}}}, os.path.join(wd, f"d{k}.yaml"))
        run_atomforge(["run", f"d{k}.yaml", "-q"], wd)
        got = read(os.path.join(wd, f"o{k}.extxyz"))
        R = np.linalg.solve(ref.cell[:], got.cell[:])  # the engine's frame -> the file's
        e_err.append(abs(got.get_potential_energy() - ref.get_potential_energy()) / len(ref))
        f_err.append(np.abs(got.get_forces() @ R.T - ref.get_forces()).ravel())
    e_mae, f_mae = 1000 * np.mean(e_err), 1000 * np.mean(np.concatenate(f_err))
    c.check(e_mae <= 2.0, f"{len(frames)} test frames: energy MAE {e_mae:.2f} meV/atom (<= 2)")
    c.check(f_mae <= 30.0, f"{len(frames)} test frames: force MAE {f_mae:.1f} meV/A (<= 30)")
    c.done()


if __name__ == "__main__":
    main()
