#!/usr/bin/env bash
# Crystal-structure search for Si8 and Si16 with the shipped attention potential
# (examples/models/si_attention.h5) and with the Stillinger-Weber potential it was
# trained on, same seeds and generator; then compare.py matches the ranked minima of
# the two (pymatgen's StructureMatcher) and prints them side by side. About two minutes
# on 2 cores with the default budgets.
#   examples/csp_si_nnip/run.sh [RELAXATIONS_SI8] [RELAXATIONS_SI16]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
[ -x build/bin/atomforge ] || scripts/bootstrap.sh
OUT=runs/csp_si_nnip
mkdir -p "$OUT"
for n in 8 16; do
  budget=${1:-200}
  [ "$n" = 16 ] && budget=${2:-100}
  for pot in sw attention; do
    name=si${n}_${pot}
    sed -e "s/@N@/$n/; s/@BUDGET@/$budget/; s|@DIR@|$name|" \
        "examples/csp_si_nnip/si_${pot}.yaml" > "$OUT/$name.yaml"
    sed -i "s|@MODEL@|$ROOT/examples/models/si_attention.h5|" "$OUT/$name.yaml"
    rm -rf "$OUT/$name"
    (cd "$OUT" && "$ROOT/build/bin/atomforge" sample "$name.yaml")
  done
  /usr/bin/python3 examples/csp_si_nnip/compare.py "$OUT/si${n}_sw" "$OUT/si${n}_attention"
done
