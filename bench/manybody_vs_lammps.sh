#!/usr/bin/env bash
# atomforge vs LAMMPS, 1 thread / 1 rank each, same machine, one script:
#   EAM Cu (LAMMPS bench/in.eam: Cu_u3.eam, fcc 3.615, 20^3 cells = 32,000 atoms,
#           1600 K, dt 5 fs, skin 1.0, neigh_modify delay 5)
#   SW Si  (LAMMPS bench/POTENTIALS/in.sw at 20^3 cells = 64,000 atoms: Si.sw,
#           diamond 5.431, 1000 K, dt 1 fs, skin 1.0, delay 5)
#   bench/manybody_vs_lammps.sh [STEPS]      (default 200; prints a Markdown report)
# Needs build/bin/atomforge (scripts/bootstrap.sh) and Debian's lmp.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
AF=$ROOT/build/bin/atomforge
STEPS=${1:-200}
W=$(mktemp -d /tmp/af-bench-XXXXXX)
trap 'rm -rf "$W"' EXIT
export OMP_PROC_BIND=false OMP_NUM_THREADS=1

lammps_in() {  # $1 = eam | sw
  if [ "$1" = eam ]; then
    cat <<EOT
units metal
atom_style atomic
lattice fcc 3.615
region box block 0 20 0 20 0 20
create_box 1 box
create_atoms 1 box
pair_style eam
pair_coeff 1 1 Cu_u3.eam
velocity all create 1600.0 376847 loop geom
neighbor 1.0 bin
neigh_modify every 1 delay 5 check yes
fix 1 all nve
timestep 0.005
thermo $STEPS
run $STEPS
EOT
  else
    cat <<EOT
units metal
atom_style atomic
lattice diamond 5.431
region box block 0 20 0 20 0 20
create_box 1 box
create_atoms 1 box
pair_style sw
pair_coeff * * Si.sw Si
mass 1 28.06
velocity all create 1000.0 376847 loop geom
neighbor 1.0 bin
neigh_modify delay 5 every 1
fix 1 all nve
timestep 0.001
thermo $STEPS
run $STEPS
EOT
  fi
}
af_deck() {  # $1 = eam | sw; velocities from the same Gaussian temperature, not LAMMPS's stream
  if [ "$1" = eam ]; then
    lat="{style: fcc, a: 3.615, repeat: [20, 20, 20], species: Cu}"; pot="{style: eam, file: Cu_u3.eam}"
    temp=1600; dt=0.005
  else
    lat="{style: diamond, a: 5.431, repeat: [20, 20, 20], species: Si}"; pot="{style: sw, file: Si.sw}"
    temp=1000; dt=0.001
  fi
  cat <<EOT
units: metal
system: {lattice: $lat, velocities: {temperature: $temp, seed: 376847}}
potential: $pot
neighbor: {skin: 1.0, every: 1, delay: 5, check: true}
stages: [{name: run, integrator: {style: nve, timestep: $dt}, steps: $STEPS}]
output: {thermo: {every: $STEPS}}
EOT
}
lmp_stats() {  # atom-steps/s, loop, pair, neigh
  awk '/^Loop time of/ {t=$4; n=$12; s=$9} /^Pair /{p=$5} /^Neigh /{g=$5} END {printf "%.4g %.4g %.4g %.4g\n", n*s/t, t, p, g}'
}
af_stats() {
  awk '/^Loop time/ {t=$3; r=$11} /^Force /{p=$3} /^Neigh /{g=$3} END {printf "%.4g %.4g %.4g %.4g\n", r, t, p, g}'
}
run_lmp() {  # $1 = eam | sw, $2 = suffix or ""
  lammps_in "$1" > "$W/in.$1"
  local cmd=(lmp -in "$W/in.$1" -log none -nocite)
  [ -n "$2" ] && cmd+=(-sf "$2")
  (cd "$W" && "${cmd[@]}") | lmp_stats
}
run_af() {
  af_deck "$1" > "$W/$1.yaml"
  (cd "$W" && "$AF" run "$1.yaml" --threads 1 2>/dev/null) | af_stats
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

echo "## Many-body potentials, 1 thread, $STEPS steps — $(lscpu | sed -n 's/^Model name: *//p'), $(date -u +%F)"
echo
echo "| system | run | atom-steps/s | loop (s) | pair (s) | neigh (s) |"
echo "|---|---|---|---|---|---|"
declare -A S
for pot in eam sw; do
  sys=$([ $pot = eam ] && echo "EAM Cu, 32,000 atoms" || echo "SW Si, 64,000 atoms")
  declare -A R=()
  for kind in lmp lmp-opt af; do
    case $kind in
      lmp) out=$(run_lmp $pot ""); name="LAMMPS";;
      lmp-opt) out=$(run_lmp $pot opt); name="LAMMPS -sf opt";;
      af) out=$(run_af $pot); name="atomforge";;
    esac
    read -r rate loop pair neigh <<< "$out"
    R[$kind]=$rate
    echo "| $sys | $name | $rate | $loop | $pair | $neigh |"
  done
  S[$pot]="- $sys: atomforge / LAMMPS opt = $(ratio "${R[af]}" "${R[lmp-opt]}"), / LAMMPS plain = $(ratio "${R[af]}" "${R[lmp]}")"
done
echo
for pot in eam sw; do echo "${S[$pot]}"; done
