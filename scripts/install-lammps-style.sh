#!/usr/bin/env bash
# Adds pair_style atomforge to a LAMMPS source tree (as pair_allegro's and symmetrix's
# patch scripts do), for LAMMPS builds other than Debian's (KOKKOS, PLUGIN, clusters):
#   1. atomforge installed somewhere:  cmake --install build --prefix PREFIX
#   2. scripts/install-lammps-style.sh /path/to/lammps
#   3. LAMMPS configured with -DCMAKE_PREFIX_PATH="PREFIX;KOKKOS_PREFIX" and
#      -DCMAKE_CXX_STANDARD=17 (cmake -S /path/to/lammps/cmake ...), then built
# The style's files are copied into LAMMPS's src/ (LAMMPS compiles every style there) and
# LAMMPS's cmake/CMakeLists.txt gains find_package(atomforge) and a link to its engine
# library. A LAMMPS with the KOKKOS package must use the same Kokkos as atomforge
# (-DEXTERNAL_KOKKOS=ON with its Kokkos_ROOT): one Kokkos per process. Running it twice
# changes nothing.
set -euo pipefail
LAMMPS=$(realpath "${1:?usage: install-lammps-style.sh LAMMPS_SOURCE_DIR}")
HERE=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$LAMMPS/src/pair.h" ] && [ -f "$LAMMPS/cmake/CMakeLists.txt" ] || {
  echo "install-lammps-style: $LAMMPS is not a LAMMPS source tree (no src/pair.h, cmake/CMakeLists.txt)" >&2; exit 2; }
cp "$HERE/interfaces/lammps/pair_atomforge.h" "$HERE/interfaces/lammps/pair_atomforge.cpp" "$LAMMPS/src/"
marker="# pair_style atomforge (atomforge's scripts/install-lammps-style.sh)"
if ! grep -qF "$marker" "$LAMMPS/cmake/CMakeLists.txt"; then
  cat >> "$LAMMPS/cmake/CMakeLists.txt" <<CMAKE

$marker
find_package(atomforge REQUIRED CONFIG)
target_link_libraries(lammps PUBLIC atomforge::atomforge_engine)
CMAKE
fi
echo "install-lammps-style: pair_atomforge.{h,cpp} in $LAMMPS/src; configure LAMMPS with -DCMAKE_PREFIX_PATH=<atomforge prefix>"
