#!/usr/bin/env bash
# Installs atomforge's build and test dependencies from Debian's registry.
# Idempotent: packages already present are skipped, so a second run takes seconds.
# Usage: scripts/install-deps.sh            (as root, or with sudo available)
set -euo pipefail

PKGS=(
  # build
  g++ cmake ninja-build ccache pkg-config dpkg-dev xz-utils
  libhdf5-dev hdf5-tools libeigen3-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libcli11-dev libbenchmark-dev
  libsymspg-dev                       # CIF writer: space group of the written structure
  clang libclang-rt-14-dev            # libFuzzer targets under ASan+UBSan (tests/fuzz)
  # reference engines and checks
  lammps lammps-data openmpi-bin python3-lammps liblammps-dev libopenmpi-dev   # lmp_atomforge; ASE's LAMMPSlib (a bench peer)
  libkim-api-dev xxd   # the KIM portable-model driver (scripts/install-kim.sh; xxd embeds parameter files)
  python3 python3-dev pybind11-dev python3-numpy python3-yaml python3-h5py python3-mdanalysis python3-ase
  python3-matplotlib   # examples: plots
  python3-pymatgen python3-spglib     # CIF/POSCAR cross-checks
  python3-torch libopenblas0-pthread  # NNIP training/reference (OpenBLAS: Debian's torch is 2-3x slower on the reference BLAS)
  hyperfine
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all ${#PKGS[@]} packages present"
fi
