#!/usr/bin/env bash
# Fuzzes the deck parser and every structure reader with libFuzzer under ASan+UBSan.
#   tests/fuzz/run.sh [RUNS] [TARGET...]     RUNS per target (default 20000, as CI runs it;
#                                            README.md records the 1,000,000-run sessions)
# Environment: BUILD_DIR (default build-fuzz), JOBS (targets fuzzed at once, default 1),
# KEEP=DIR keeps the grown corpora there. Builds the targets with clang on first use,
# against the Kokkos that scripts/bootstrap.sh built. Seeds: tests/fuzz/corpus/TARGET
# (never modified; new inputs go to a scratch corpus). Exit 1 on any finding; the
# crashing input is left in the scratch directory, whose path is printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RUNS=${1:-20000}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(h5md deck lammps_data extxyz poscar cif)  # slowest first
BUILD_DIR=${BUILD_DIR:-build-fuzz}
KOKKOS=${KOKKOS_ROOT:-$ROOT/build/_deps/kokkos-openmp}
[ -f "$KOKKOS/lib/cmake/Kokkos/KokkosConfig.cmake" ] || scripts/build-kokkos.sh "$KOKKOS"

cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DATOMFORGE_FUZZ=ON -DATOMFORGE_TESTS=OFF -DATOMFORGE_BENCH=OFF \
  -DATOMFORGE_NATIVE=OFF -DKokkos_ROOT="$KOKKOS" >/dev/null
if ! cmake --build "$BUILD_DIR" -j"$(nproc)" --target $(printf 'fuzz_%s ' "${TARGETS[@]}") > "$BUILD_DIR/fuzz-build.log" 2>&1; then
  grep -E "error|FAILED" "$BUILD_DIR/fuzz-build.log" | head -20; echo "fuzz: build failed ($BUILD_DIR/fuzz-build.log)"; exit 1
fi

SCRATCH=$(mktemp -d /tmp/af-fuzz-run-XXXXXX)
export OMP_NUM_THREADS=1 OMP_PROC_BIND=false
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0:abort_on_error=0
export LSAN_OPTIONS=suppressions=$ROOT/tests/fuzz/lsan.supp
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
fuzz_one() {
  local t=$1 dir=$SCRATCH/$1
  mkdir -p "$dir/corpus" "$dir/artifacts"
  # -timeout: a hang is any input taking 10 s; -rss_limit_mb: a runaway allocation.
  # H5MD inputs stay small: HDF5's own parsing of large files would dominate the time.
  local max_len=65536
  [ "$t" = h5md ] && max_len=8192
  if (cd "$dir" && "$ROOT/$BUILD_DIR/bin/fuzz_$t" -runs="$RUNS" -timeout=10 -rss_limit_mb=2048 -max_len=$max_len \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/" corpus "$ROOT/tests/fuzz/corpus/$t" \
        > "$dir/log" 2>&1); then
    awk -v t="$t" '/stat::number_of_executed_units/ {n=$2} /stat::average_exec_per_sec/ {r=$2}
                   /stat::peak_rss_mb/ {m=$2} END {printf "fuzz %-12s %9d runs  %6d exec/s  peak RSS %d MB  ok\n", t, n, r, m}' "$dir/log"
    if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP/$t" && cp -r "$dir/corpus/." "$KEEP/$t/"; fi
  else
    echo "fuzz $t: FINDING (log and input in $dir)"; grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$dir/log" | head -5
    return 1
  fi
}
export -f fuzz_one
export ROOT BUILD_DIR RUNS SCRATCH KEEP
status=0
printf '%s\n' "${TARGETS[@]}" | xargs -P "${JOBS:-1}" -I{} bash -c 'fuzz_one {}' || status=1
[ $status -eq 0 ] && rm -rf "$SCRATCH"
exit $status
