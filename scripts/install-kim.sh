#!/usr/bin/env bash
# atomforge's KIM portable-model driver and models (docs/kim.md), into the KIM API's
# user collection (~/.kim-api), for Debian lmp's `kim init` / `kim interactions` and any
# other KIM simulator:
#   scripts/install-kim.sh                       the driver, atomforge_Si_equivariant and
#                                                atomforge_Si_attention (the shipped models)
#   scripts/install-kim.sh NAME YAML [FILE ...]  also the model NAME: YAML holds `species:`
#                                                and a deck's `potential:` section naming
#                                                the FILEs by their base names
# The driver links the engine installed from $BUILD_DIR (default build) into
# $BUILD_DIR/_install (cmake --install); the item sources go to $BUILD_DIR/kim/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$(realpath "${BUILD_DIR:-build}")
PREFIX=$BUILD/_install
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
export CMAKE_PREFIX_PATH=$PREFIX${CMAKE_PREFIX_PATH:+:$CMAKE_PREFIX_PATH}
KCM=kim-api-collections-management
install_item() {  # NAME DIR: replace any earlier copy
  $KCM remove --force "$1" >/dev/null 2>&1 || true
  $KCM install user "$2" >"$BUILD/kim/$1.log" 2>&1 || {
    echo "install-kim: building $1 failed (build/kim/$1.log):" >&2; tail -20 "$BUILD/kim/$1.log" >&2; exit 1; }
}
make_model() {  # NAME YAML FILE...: a parameterized model directory under build/kim/
  local name=$1 yaml=$2; shift 2
  local dir=$BUILD/kim/$name
  rm -rf "$dir"; mkdir -p "$dir"
  cp "$yaml" "$dir/atomforge.yaml"
  local files='"atomforge.yaml"'
  for f in "$@"; do cp "$f" "$dir/"; files="$files \"$(basename "$f")\""; done
  cat > "$dir/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.10)
list(APPEND CMAKE_PREFIX_PATH \$ENV{KIM_API_CMAKE_PREFIX_DIR})
find_package(KIM-API-ITEMS 2.2 REQUIRED CONFIG)
kim_api_items_setup_before_project(ITEM_TYPE "portableModel")
project($name)
kim_api_items_setup_after_project(ITEM_TYPE "portableModel")
add_kim_api_model_library(NAME $name DRIVER_NAME "atomforge_driver" PARAMETER_FILES $files)
CMAKE
  install_item "$name" "$dir"
  echo "install-kim: $name"
}
mkdir -p "$BUILD/kim"
rm -rf "$BUILD/kim/atomforge_driver"
cp -r interfaces/kim/atomforge_driver "$BUILD/kim/atomforge_driver"
install_item atomforge_driver "$BUILD/kim/atomforge_driver"
echo "install-kim: atomforge_driver"
for m in equivariant attention; do
  printf 'species: [Si]\npotential: {style: nnip, model: si_%s.h5}\n' "$m" > "$BUILD/kim/si_$m.yaml"
  make_model "atomforge_Si_$m" "$BUILD/kim/si_$m.yaml" "examples/models/si_$m.h5"
done
if [ $# -ge 2 ]; then make_model "$@"; fi
