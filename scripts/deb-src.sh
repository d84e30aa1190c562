#!/usr/bin/env bash
# Adds a deb-src entry derived from the machine's own Debian entries (no mirror host
# hard-coded), so that `apt-get source` works; nothing when one exists already.
# Used by scripts/build-kokkos.sh (trilinos) and scripts/lammps-headers.sh (lammps).
set -euo pipefail
SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! apt-get indextargets --format '$(CREATED_BY)' 2>/dev/null | grep -q '^Sources$'; then
  srcfile=/etc/apt/sources.list.d/atomforge-deb-src
  if ls /etc/apt/sources.list.d/*.sources >/dev/null 2>&1 && \
     grep -qs '^Types:.*\bdeb\b' /etc/apt/sources.list.d/*.sources; then
    # deb822 stanzas: copy the Debian ones, turning 'Types: deb' into 'Types: deb-src'.
    for f in /etc/apt/sources.list.d/*.sources; do
      case "$f" in *atomforge*) continue;; esac
      grep -qi 'debian' "$f" || continue
      sed -E 's/^Types:.*/Types: deb-src/' "$f"; echo
    done | $SUDO tee "$srcfile.sources" >/dev/null
  else
    # one-line format: every 'deb URL suite comps' line gains a 'deb-src' twin.
    grep -hE '^deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | \
      grep -i debian | sed -E 's/^deb\s/deb-src /' | $SUDO tee "$srcfile.list" >/dev/null
  fi
  $SUDO apt-get update -qq
fi

