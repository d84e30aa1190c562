#!/usr/bin/env bash
# atomforge vs LAMMPS on bench/in.lj (inputs/lj_melt.yaml), same machine, one script.
#   bench/lj_vs_lammps.sh [STEPS]      (default 1000; prints a Markdown report)
# Needs build/bin/atomforge (scripts/bootstrap.sh) and Debian's lmp + mpirun.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
AF=$ROOT/build/bin/atomforge
STEPS=${1:-1000}
W=$(mktemp -d /tmp/af-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
export OMP_PROC_BIND=false

lammps_in() {  # $1 = lattice repeat
  cat <<EOT
units lj
atom_style atomic
lattice fcc 0.8442
region box block 0 $1 0 $1 0 $1
create_box 1 box
create_atoms 1 box
mass 1 1.0
velocity all create 1.44 87287 loop geom
pair_style lj/cut 2.5
pair_coeff 1 1 1.0 1.0 2.5
neighbor 0.3 bin
neigh_modify delay 0 every 20 check no
fix 1 all nve
thermo $2
run $2
EOT
}
af_deck() {  # $1 = repeat, $2 = steps: lj_melt without trajectory output
  /usr/bin/python3 - "$1" "$2" <<'EOT'
import sys, yaml
d = yaml.safe_load(open("inputs/lj_melt.yaml"))
n, steps = int(sys.argv[1]), int(sys.argv[2])
d["system"]["lattice"]["repeat"] = [n, n, n]
d["stages"][0]["steps"] = steps
d["output"] = {"thermo": {"every": steps}}
print(yaml.safe_dump(d, sort_keys=False))
EOT
}
# atom-steps/s and the Pair/Neigh seconds from a LAMMPS log
lmp_stats() {
  awk '/^Loop time of/ {t=$4; n=$12; s=$9} /^Pair /{p=$5} /^Neigh /{g=$5} END {printf "%.4g %.4g %.4g %.4g\n", n*s/t, t, p, g}'
}
af_stats() {  # rate, loop, pair, neigh, neighbor builds
  awk '/^Loop time/ {t=$3; r=$11} /^Force /{p=$3} /^Neigh /{g=$3} /builds:/ {b=$5; sub(",", "", b)} END {printf "%.4g %.4g %.4g %.4g %d\n", r, t, p, g, b}'
}
run_lmp() {  # $1 = repeat, $2 = steps, $3 = procs, $4 = suffix or ""
  lammps_in "$1" "$2" > "$W/in.lj"
  local cmd=(lmp -in "$W/in.lj" -log none -nocite)
  [ -n "$4" ] && cmd+=(-sf "$4")
  if [ "$3" -gt 1 ]; then cmd=(mpirun --allow-run-as-root -np "$3" "${cmd[@]}"); fi
  (cd "$W" && OMP_NUM_THREADS=1 "${cmd[@]}") | lmp_stats
}
run_af() {  # $1 = repeat, $2 = steps, $3 = threads
  af_deck "$1" "$2" > "$W/deck.yaml"
  (cd "$W" && "$AF" run deck.yaml --threads "$3" 2>/dev/null) | af_stats
}

echo "## LJ melt (bench/in.lj), 32,000 atoms, $STEPS steps — $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(date -u +%F)"
echo
echo "| run | atom-steps/s | loop (s) | pair (s) | neigh (s) |"
echo "|---|---|---|---|---|"
declare -A R
for spec in "lmp:1:" "lmp-opt:1:opt" "af:1" "lmp-2rank:2:" "lmp-opt-2rank:2:opt" "af:2"; do
  IFS=: read -r kind procs suffix <<< "$spec"
  if [ "$kind" = af ]; then out=$(run_af 20 "$STEPS" "$procs"); name="atomforge, $procs thread(s)"
  else out=$(run_lmp 20 "$STEPS" "$procs" "$suffix"); name="LAMMPS ${suffix:+-sf $suffix }$procs rank(s)"; fi
  read -r rate loop pair neigh _ <<< "$out"
  R[$kind$procs]=$rate
  echo "| $name | $rate | $loop | $pair | $neigh |"
done
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
echo "- 1 thread: atomforge / LAMMPS opt = $(ratio "${R[af1]}" "${R[lmp-opt1]}"), / LAMMPS plain = $(ratio "${R[af1]}" "${R[lmp1]}")"
echo "- 2 threads vs 2 MPI ranks: atomforge / LAMMPS = $(ratio "${R[af2]}" "${R[lmp-2rank2]}"), / LAMMPS opt = $(ratio "${R[af2]}" "${R[lmp-opt-2rank2]}")"
echo
echo "## Scaling, 1 thread (LAMMPS -sf opt, 1 rank)"
echo
echo "Pair cost per atom-step and neighbor cost per atom per list build (so runs of"
echo "different lengths compare) should stay flat with system size."
echo
echo "| atoms | steps | atomforge atom-steps/s | pair ns/atom-step | neigh ns/atom/build (builds) | LAMMPS opt atom-steps/s | ratio |"
echo "|---|---|---|---|---|---|---|"
for n in 10 20 40 63; do
  atoms=$((4 * n * n * n))
  steps=$(( 100000000 / atoms )); [ $steps -gt 1000 ] && steps=1000; [ $steps -lt 100 ] && steps=100
  steps=$(( (steps / 20) * 20 ))
  read -r ar _ ap ag ab <<< "$(run_af $n $steps 1)"
  read -r lr _ _ _ <<< "$(run_lmp $n $steps 1 opt)"
  pp=$(awk -v p="$ap" -v n="$atoms" -v s="$steps" 'BEGIN {printf "%.1f", 1e9 * p / n / s}')
  nb=$(awk -v g="$ag" -v n="$atoms" -v b="$ab" 'BEGIN {printf "%.0f", 1e9 * g / n / b}')
  echo "| $atoms | $steps | $ar | $pp | $nb ($ab) | $lr | $(ratio "$ar" "$lr") |"
done
