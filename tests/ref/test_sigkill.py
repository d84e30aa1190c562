"""A run killed with SIGKILL halfway leaves a trajectory that opens (h5py and
MDAnalysis) and holds every frame completed before the kill. SIGTERM and SIGINT stop
cleanly: the last step is recorded in thermo and trajectory, exit code 128 + signal.
SIGKILL while a checkpoint is being written leaves the previous checkpoint whole."""
import os
import signal
import subprocess
import time
import warnings

import h5py
import numpy as np

from common import ATOMFORGE, Checks, workdir, write_deck

warnings.filterwarnings("ignore", category=DeprecationWarning)
import MDAnalysis as mda  # noqa: E402


def main():
    c = Checks("sigkill")
    wd = workdir("sigkill")
    deck = {
        "units": "lj",
        "system": {"lattice": {"style": "fcc", "density": 0.8442, "repeat": [10, 10, 10], "species": "Ar"},
                   "masses": {"Ar": 1.0}, "velocities": {"temperature": 1.44}},
        "potential": {"style": "lj", "cutoff": 2.5, "pairs": [{"species": ["Ar", "Ar"], "epsilon": 1.0, "sigma": 1.0}]},
        "stages": [{"integrator": {"style": "nve", "timestep": 0.005}, "steps": 1000000}],
        "output": {"thermo": {"every": 5, "file": "thermo.csv"},
                   "trajectory": {"every": 5, "file": "traj.h5md", "fields": ["position", "velocity", "force"]}},
    }
    write_deck(deck, os.path.join(wd, "deck.yaml"))
    env = dict(os.environ, OMP_NUM_THREADS="1", OMP_PROC_BIND="false")
    p = subprocess.Popen([ATOMFORGE, "run", "deck.yaml"], cwd=wd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         text=True, env=env)
    last = -1
    for line in p.stdout:
        w = line.split()
        if w and w[0].isdigit():
            last = int(w[0])
            if last >= 300:
                break
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    c.check(p.returncode == -signal.SIGKILL, f"killed at step >= {last}")
    with h5py.File(os.path.join(wd, "traj.h5md"), "r") as f:
        t = f["particles/trajectory"]
        steps = t["position/step"][()]
        n = len(steps)
        # The thermo line of step s is printed before frame s is written.
        c.check(n >= last // 5, f"{n} frames survive; {last // 5} were complete when the last thermo line was seen")
        c.check(list(steps) == list(range(0, 5 * n, 5)), "frames are steps 0, 5, 10, ... without gaps")
        for k in ("position", "velocity", "force"):
            v = t[k + "/value"][:n]
            c.check(len(t[k + "/step"]) >= n and np.isfinite(v).all() and np.abs(v[-1]).max() > 0, f"{k}: every frame readable and filled")
        c.check(len(t["box/edges/value"]) >= n, "box for every frame")
    # lj units carry no unit attributes: MDAnalysis 2.4 needs convert_units=False, and
    # then the atom count (its minimal-topology parser chokes on that keyword alone).
    u = mda.Universe(os.path.join(wd, "traj.h5md"), convert_units=False, n_atoms=4000)
    c.check(u.trajectory.n_frames >= n, f"MDAnalysis opens the killed run's trajectory ({u.trajectory.n_frames} frames)")

    # Clean stops.
    for sig in (signal.SIGTERM, signal.SIGINT):
        sub = os.path.join(wd, f"sig{int(sig)}")
        os.mkdir(sub)
        deck["output"]["trajectory"]["every"] = 50
        deck["output"]["thermo"]["every"] = 50
        write_deck(deck, os.path.join(sub, "deck.yaml"))
        p = subprocess.Popen([ATOMFORGE, "run", "deck.yaml"], cwd=sub, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
        for line in p.stdout:
            w = line.split()
            if w and w[0].isdigit() and int(w[0]) >= 100:
                break
        p.send_signal(sig)
        _, err = p.communicate(timeout=60)
        with h5py.File(os.path.join(sub, "traj.h5md"), "r") as f:
            traj_last = int(f["particles/trajectory/position/step"][-1])
        with open(os.path.join(sub, "thermo.csv")) as f:
            thermo_last = int(f.read().strip().splitlines()[-1].split(",")[0])
        c.check(p.returncode == 128 + int(sig) and "stopped by signal" in err,
                f"{sig.name}: exit {p.returncode}, '{err.strip()}'")
        c.check(traj_last == thermo_last and traj_last >= 100,
                f"{sig.name}: last step {thermo_last} in thermo and trajectory ({traj_last})")
    checkpoint_write_killed(c, wd, env)
    c.done()


def checkpoint_write_killed(c, wd, env):
    """SIGKILL while a checkpoint is being written (its .tmp file exists) leaves the
    previous checkpoint whole: it opens, holds an earlier checkpoint step, and a run
    resumes from it."""
    sub = os.path.join(wd, "ckpt_kill")
    os.mkdir(sub)
    write_deck({"units": "lj",
                "system": {"lattice": {"style": "fcc", "density": 0.8442, "repeat": [30, 30, 30], "species": "Ar"},
                           "masses": {"Ar": 1.0}, "velocities": {"temperature": 1.44}},
                "potential": {"style": "lj", "cutoff": 2.5,
                              "pairs": [{"species": ["Ar", "Ar"], "epsilon": 1.0, "sigma": 1.0}]},
                "stages": [{"integrator": {"style": "nve", "timestep": 0.005}, "steps": 100000}],
                "output": {"checkpoint": {"every": 10, "file": "run.ckpt.h5"}}},  # 108,000 atoms: ~10 MB each
               os.path.join(sub, "deck.yaml"))
    ck, tmp = os.path.join(sub, "run.ckpt.h5"), os.path.join(sub, "run.ckpt.h5.tmp")
    p = subprocess.Popen([ATOMFORGE, "run", "deck.yaml", "-q"], cwd=sub, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    seen_complete = mid_write = False
    deadline = time.time() + 300
    while time.time() < deadline and p.poll() is None:
        if not seen_complete:
            seen_complete = os.path.exists(ck)  # the first checkpoint is in place
        elif os.path.exists(tmp):  # the next one is being written: kill now
            os.kill(p.pid, signal.SIGKILL)
            mid_write = True
            break
    p.wait()
    c.check(mid_write and os.path.exists(tmp), "SIGKILL landed while a checkpoint was being written (.tmp present)")
    with h5py.File(ck, "r") as f:
        step = int(f["step"][0])
        n = len(f["x"][()]) // 3
    c.check(step % 10 == 0 and n == 108000, f"the previous checkpoint is whole: step {step}, {n} atoms")
    q = subprocess.run([ATOMFORGE, "run", "deck.yaml", "-q", "--restart", "run.ckpt.h5", "--until", str(step + 10)],
                       cwd=sub, capture_output=True, text=True, env=env, timeout=600)
    c.check(q.returncode == 0, f"resumes from it to step {step + 10} (exit {q.returncode}) {q.stderr.strip()[-200:]}")


if __name__ == "__main__":
    main()
