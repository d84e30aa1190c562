#!/usr/bin/env bash
# Makes the Python package importable by /usr/bin/python3 without PYTHONPATH: a .pth
# file in the interpreter's site directory (/usr/local/lib/python3.X/dist-packages on
# Debian) naming BUILD_DIR/python, where the build leaves atomforge/ (the .py files and
# the compiled _core module). Debian 12 has no pip-installable offline route for a
# compiled package that needs no network; a .pth file is what `pip install -e` writes.
#   scripts/install-python.sh [BUILD_DIR]     (default build; after scripts/bootstrap.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=$(realpath "${1:-build}")
[ -f "$BUILD_DIR/python/atomforge/__init__.py" ] || { echo "install-python: $BUILD_DIR/python/atomforge is not built" >&2; exit 2; }
SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
site=$(/usr/bin/python3 -c 'import site; print(site.getsitepackages()[0])')
$SUDO mkdir -p "$site"
paths="$BUILD_DIR/python"
[ -f potentials/nnip/training/pyproject.toml ] && paths="$paths
$PWD/potentials/nnip/training"
echo "$paths" | $SUDO tee "$site/atomforge.pth" >/dev/null
version=$(cd / && /usr/bin/python3 -c 'import atomforge; print(atomforge.__version__)')
echo "install-python: atomforge $version importable by /usr/bin/python3 ($site/atomforge.pth)"
