#!/usr/bin/env bash
# atomforge's potentials in LAMMPS (docs/lammps.md): in.si (216 Si atoms, 1000 K, 200
# NVE steps) with the shipped equivariant model and with Stillinger-Weber, each at 1 and
# 2 MPI ranks through build/bin/lmp_atomforge (the model also in exchange mode at 2
# ranks), and SW once more with LAMMPS's own
# `pair_style sw` in Debian's lmp, and the model once through KIM; then check.py compares every thermo table with
# expected.txt and with each other. About a minute on 2 cores. Output in runs/lammps/.
#   examples/lammps/run.sh [--quick]     (--quick: 50 steps each, as ctest runs it)
set -euo pipefail
# -screen none keeps lmp quiet: on a failure, name the command and show its log's end.
trap 'rc=$?; echo "run.sh: line $LINENO failed (rc $rc): $BASH_COMMAND" >&2;
      log=$(ls -t ./*.log 2>/dev/null | head -1); [ -n "$log" ] && tail -5 "$log" >&2; exit $rc' ERR
STEPS=200
[ "${1:-}" = --quick ] && STEPS=50
cd "$(dirname "$0")/../.."
[ -x build/bin/lmp_atomforge ] || scripts/bootstrap.sh
ROOT=$PWD
OUT=runs/lammps
rm -rf "$OUT"
mkdir -p "$OUT"
cp examples/lammps/{in.si,si.data,si_equivariant.yaml,si_sw.yaml} "$OUT"
sed -i "s|\.\./models/|$ROOT/examples/models/|" "$OUT/si_equivariant.yaml"
cd "$OUT"
export OMP_NUM_THREADS=1
MPIRUN=(mpirun -np 2)
[ "$(id -u)" = 0 ] && MPIRUN=(mpirun --allow-run-as-root --oversubscribe -np 2)
for pot in si_equivariant si_sw; do
  "$ROOT/build/bin/lmp_atomforge" -in in.si -var pot "$pot.yaml" -var steps $STEPS -log "$pot.1.log" -screen none
  "${MPIRUN[@]}" "$ROOT/build/bin/lmp_atomforge" -in in.si -var pot "$pot.yaml" -var steps $STEPS -log "$pot.2.log" \
    -screen none
done
"${MPIRUN[@]}" "$ROOT/build/bin/lmp_atomforge" -in in.si -var pot si_equivariant.yaml -var mode exchange \
  -var steps $STEPS -log si_equivariant.exchange.2.log -screen none
# LAMMPS's own Stillinger-Weber on the same input, for comparison.
sed -e 's|^pair_style atomforge .*|pair_style sw|; s|^pair_coeff \* \* Si|pair_coeff * * Si.sw Si|' in.si > in.si_lammps
lmp -in in.si_lammps -var steps $STEPS -log lammps_sw.log -screen none
# The equivariant model as a KIM portable model (scripts/install-kim.sh, docs/kim.md) in
# Debian's lmp: its exact radial MLP is slower than the spline above, so 50 steps.
sed -e 's|^units metal|kim init atomforge_Si_equivariant metal|; s|^pair_style atomforge .*|kim interactions Si|;
        /^variable mode/d;
        /^pair_coeff/d' in.si > in.si_kim
lmp -in in.si_kim -var steps 50 -log kim_equivariant.log -screen none
/usr/bin/python3 "$ROOT/examples/lammps/check.py" "$ROOT/examples/lammps/expected.txt" .
