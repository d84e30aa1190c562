#!/usr/bin/env bash
# The LAMMPS headers liblammps-dev does not ship but its own headers include (the
# bundled fmt/ that pointers.h, utils.h and error.h use, neigh_request.h for styles
# that request lists), from Debian's lammps source package, into PREFIX/include.
# Downloads the source package once (cached beside PREFIX, never committed).
#   scripts/lammps-headers.sh PREFIX
set -euo pipefail
PREFIX=$(realpath -m "${1:?usage: lammps-headers.sh PREFIX}")
if [ -f "$PREFIX/include/fmt/format.h" ] && [ -f "$PREFIX/include/neigh_request.h" ]; then exit 0; fi
cache=$(realpath -m "$PREFIX/../lammps-src")
mkdir -p "$cache" "$PREFIX/include"
tarball=$(ls "$cache"/lammps_*.orig.tar.* 2>/dev/null | head -1 || true)
if [ -z "$tarball" ]; then
  "$(dirname "$0")/deb-src.sh"
  (cd "$cache" && apt-get source --download-only -qq lammps 2>&1 | grep -v "unsandboxed" >&2 || true)
  tarball=$(ls "$cache"/lammps_*.orig.tar.* | head -1)
fi
tmp=$(mktemp -d "$cache/extract.XXXXXX")
tar -xf "$tarball" -C "$tmp" --wildcards '*/src/fmt/*' '*/src/neigh_request.h'
src=$(ls -d "$tmp"/*/src | head -1)
cp -r "$src/fmt" "$src/neigh_request.h" "$PREFIX/include/"
rm -rf "$tmp"
echo "lammps-headers: fmt/ and neigh_request.h from $(basename "$tarball") in $PREFIX/include"
