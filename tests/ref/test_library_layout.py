"""The libraries' layout. atomforge_engine reads and writes no structure or trajectory
files: its archive (or shared object) refers to no HDF5, spglib or io-layer symbol, and
no engine source includes a header of src/io/ or the deck runner's (deck.hpp,
simulation.hpp, outputs.hpp, analysis.hpp). atomforge_nnip stands alone: the model library depends on Kokkos and HDF5 only. Its
archive (or shared object) refers to no engine, deck, YAML or spglib symbol, and no
header or source under potentials/nnip/ includes an engine header (the one shared
header is src/types.hpp, Kokkos aliases only). Project headers are included as
"atomforge/<path in the repository>"."""
import glob
import os
import re
import subprocess

from common import SOURCE_DIR, Checks

FORBIDDEN = re.compile(r"YAML::|\bspg_|af::(Atoms|NeighborList|Box|Deck|InputError|GuardError|Potential\b|MapReader)")


def main():
    c = Checks("library_layout")
    lib = os.environ["AF_NNIP_LIBRARY"]
    und = subprocess.run(["nm", "-C", "--undefined-only", lib], capture_output=True, text=True, check=True).stdout
    bad = sorted({ln.split(None, 1)[-1] for ln in und.splitlines() if FORBIDDEN.search(ln)})
    c.check(not bad, f"{os.path.basename(lib)}: no engine, YAML or spglib symbols referenced ({len(bad)}: {bad[:5]})")
    if lib.endswith(".so"):
        ldd = subprocess.run(["ldd", lib], capture_output=True, text=True, check=True).stdout
        c.check("yaml" not in ldd and "symspg" not in ldd, "ldd: links neither yaml-cpp nor spglib")
    offenders = []
    for p in glob.glob(os.path.join(SOURCE_DIR, "potentials", "nnip", "**", "*.[ch]pp"), recursive=True):
        for inc in re.findall(r'#include "([^"]+)"', open(p).read()):
            if not inc.startswith("atomforge/potentials/nnip/") and inc != "atomforge/src/types.hpp":
                offenders.append(f"{os.path.basename(p)}: {inc}")
    c.check(not offenders, f"potentials/nnip/ includes only its own headers and types.hpp ({offenders[:5]})")

    # The engine layer: no file-format code.
    engine_lib = os.environ.get("AF_ENGINE_LIBRARY")
    if engine_lib:
        und = subprocess.run(["nm", "-C", "--undefined-only", engine_lib], capture_output=True, text=True,
                             check=True).stdout
        io_sym = re.compile(r"\bH5[A-Z]|\bspg_|af::(H5md|Checkpoint|Outputs|load_deck|run_simulation|read_structure)")
        bad = sorted({ln.split(None, 1)[-1] for ln in und.splitlines() if io_sym.search(ln)})
        c.check(not bad, f"{os.path.basename(engine_lib)}: no HDF5, spglib or io-layer symbols referenced "
                f"({len(bad)}: {bad[:5]})")
        if engine_lib.endswith(".so"):
            ldd = subprocess.run(["ldd", engine_lib], capture_output=True, text=True, check=True).stdout
            c.check("symspg" not in ldd and "atomforge_io" not in ldd, "ldd: the engine links neither spglib nor atomforge_io")
    engine_sources = subprocess.run(["git", "ls-files", "src/*.cpp", "src/*.hpp", "src/nnip", "potentials/pair",
                                     "potentials/eam", "potentials/manybody", "integrators"],
                                    cwd=SOURCE_DIR, capture_output=True, text=True).stdout.split()
    io_side = ("deck.cpp", "deck.hpp", "simulation.cpp", "simulation.hpp", "outputs.cpp", "outputs.hpp",
               "analysis.cpp", "analysis.hpp")
    io_headers = re.compile(r"atomforge/src/(io/|deck\.hpp|simulation\.hpp|outputs\.hpp|analysis\.hpp)")
    crossing = []
    for rel in engine_sources:
        if (os.path.basename(rel) in io_side or rel.startswith(("src/io/", "src/cli/"))
                or not rel.endswith((".cpp", ".hpp"))):
            continue
        for inc in re.findall(r'#include "([^"]+)"', open(os.path.join(SOURCE_DIR, rel)).read()):
            if io_headers.match(inc):
                crossing.append(f"{rel}: {inc}")
    c.check(not crossing, f"engine sources include no io-layer header ({len(crossing)}: {crossing[:5]})")

    # One include scheme: "atomforge/<path in the repository>" for every project header
    # (a test's own helper header beside it excepted, and a LAMMPS style's own header, as
    # LAMMPS includes it: interfaces/lammps/ is copied into LAMMPS source trees). Quoted
    # headers that are not the project's (LAMMPS's "pair.h") are not counted.
    tracked = subprocess.run(["git", "ls-files", "*.cpp", "*.hpp"], cwd=SOURCE_DIR, capture_output=True, text=True)
    unprefixed = []
    for rel in tracked.stdout.split():
        p = os.path.join(SOURCE_DIR, rel)
        for inc in re.findall(r'#include "([^"]+)"', open(p).read()):
            beside = os.path.exists(os.path.join(os.path.dirname(p), inc))
            local = beside and rel.startswith(("tests/", "interfaces/lammps/"))
            ours = beside or os.path.exists(os.path.join(SOURCE_DIR, inc))
            if not inc.startswith("atomforge/") and ours and not local:
                unprefixed.append(f"{rel}: {inc}")
            elif inc.startswith("atomforge/") and not os.path.exists(os.path.join(SOURCE_DIR, inc[len("atomforge/"):])):
                unprefixed.append(f"{rel}: {inc} (no such file)")
    c.check(tracked.returncode == 0 and not unprefixed,
            f"every project header included as atomforge/<path> ({len(unprefixed)} not: {unprefixed[:5]})")
    c.done()


if __name__ == "__main__":
    main()
