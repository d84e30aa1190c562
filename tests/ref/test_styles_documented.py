"""Every registered deck style is documented: `atomforge styles` lists each style of every
extension kind (potentials, NNIP architectures, integrators, minimizers, stage kinds,
outputs) with the keys its registration declares (a parser that reads an undeclared key
stops the run with a logic error, so the declarations stay complete); docs/decks.md must
name every style and every key (nested keys by their last part)."""
import os
import re

from common import SOURCE_DIR, Checks, run_atomforge, workdir


def main():
    c = Checks("styles_documented")
    p = run_atomforge(["styles"], workdir("styles"))
    rows = [ln.split("\t") for ln in p.stdout.strip().splitlines()]
    kinds = {r[0] for r in rows}
    c.check(len(rows) >= 25 and {"potential", "nnip architecture", "integrator", "minimizer", "stage",
                                 "output"} <= kinds, f"{len(rows)} styles of {len(kinds)} kinds registered")
    docs = open(os.path.join(SOURCE_DIR, "docs", "decks.md")).read()

    def named(word):
        return re.search(r"(?<![\w/])" + re.escape(word) + r"(?![\w/])", docs) is not None

    missing = []
    for kind, style, keys in (r + [""] * (3 - len(r)) for r in rows):
        if not named(style):
            missing.append(f"{kind} {style}")
        for key in keys.split():
            if not named(key.split(".")[-1]):
                missing.append(f"{kind} {style}: key {key}")
    c.check(not missing, f"docs/decks.md names every style and key ({len(missing)} missing: {missing[:8]})")
    c.done()


if __name__ == "__main__":
    main()
