"""atomforge_nnip stands alone: the model library depends on Kokkos and HDF5 only. Its
archive (or shared object) refers to no engine, deck, YAML or spglib symbol, and no
header or source under potentials/nnip/ includes an engine header (the one shared
header is src/types.hpp, Kokkos aliases only)."""
import glob
import os
import re
import subprocess

from common import SOURCE_DIR, Checks

FORBIDDEN = re.compile(r"YAML::|\bspg_|af::(Atoms|NeighborList|Box|Deck|InputError|GuardError|Potential\b|MapReader)")


def main():
    c = Checks("nnip_library")
    lib = os.environ["AF_NNIP_LIBRARY"]
    und = subprocess.run(["nm", "-C", "--undefined-only", lib], capture_output=True, text=True, check=True).stdout
    bad = sorted({ln.split(None, 1)[-1] for ln in und.splitlines() if FORBIDDEN.search(ln)})
    c.check(not bad, f"{os.path.basename(lib)}: no engine, YAML or spglib symbols referenced ({len(bad)}: {bad[:5]})")
    if lib.endswith(".so"):
        ldd = subprocess.run(["ldd", lib], capture_output=True, text=True, check=True).stdout
        c.check("yaml" not in ldd and "symspg" not in ldd, "ldd: links neither yaml-cpp nor spglib")
    engine = {os.path.basename(p) for p in glob.glob(os.path.join(SOURCE_DIR, "src", "**", "*.hpp"), recursive=True)}
    engine.discard("types.hpp")
    offenders = []
    for p in glob.glob(os.path.join(SOURCE_DIR, "potentials", "nnip", "*.[ch]pp")):
        for inc in re.findall(r'#include "([^"]+)"', open(p).read()):
            if not inc.startswith("potentials/nnip/") and inc != "types.hpp":
                offenders.append(f"{os.path.basename(p)}: {inc}")
            elif os.path.basename(inc) in engine and not inc.startswith("potentials/nnip/"):
                offenders.append(f"{os.path.basename(p)}: {inc}")
    c.check(not offenders, f"potentials/nnip/ includes only its own headers and types.hpp ({offenders[:5]})")
    c.done()


if __name__ == "__main__":
    main()
