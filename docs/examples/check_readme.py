#!/usr/bin/env python3
"""docs/examples/check_readme.py MTESIM README [--write] [--images DIR]

Regenerates the README's compare example with docs/examples/compare.sh in a temporary
directory and compares it with the README's text between the markers

    <!-- BEGIN docs/examples/compare.sh ... -->
    <!-- END docs/examples/compare.sh -->

Exit 0 when they are equal; 1 with a unified diff when they differ (the README is stale: rerun
docs/examples/regenerate.sh BUILD_DIR); 2 when the markers are missing. --write replaces the
README's block instead, and --images DIR copies the example's charts to DIR/compare-*.svg.
"""
import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BEGIN = re.compile(r"^<!-- BEGIN docs/examples/compare\.sh.*-->\n", re.M)
END = "<!-- END docs/examples/compare.sh -->\n"
CHARTS = ["slowdown", "reservations"]  # the ones the README shows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mtesim")
    ap.add_argument("readme")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--images")
    args = ap.parse_args()

    with open(args.readme, encoding="utf-8") as f:
        text = f.read()
    m = BEGIN.search(text)
    end = text.find(END, m.end()) if m else -1
    if not m or end < 0:
        print(f"{args.readme}: no '<!-- BEGIN docs/examples/compare.sh' ... '{END.strip()}' block, "
              "expected the generated compare example", file=sys.stderr)
        return 2
    current = text[m.end():end]

    with tempfile.TemporaryDirectory(prefix="mtesim-example.") as tmp:
        subprocess.run([os.path.join(HERE, "compare.sh"), args.mtesim, tmp], check=True)
        with open(os.path.join(tmp, "readme-block.md"), encoding="utf-8") as f:
            fresh = f.read()
        if args.images:
            for c in CHARTS:
                shutil.copy(os.path.join(tmp, "cmp", c + ".svg"), os.path.join(args.images, f"compare-{c}.svg"))

    if args.write:
        if fresh != current:
            with open(args.readme, "w", encoding="utf-8") as f:
                f.write(text[:m.end()] + fresh + text[end:])
        print(f"{args.readme}: compare example {'rewritten' if fresh != current else 'already current'}")
        return 0
    if fresh == current:
        print(f"{args.readme}: the compare example matches what docs/examples/compare.sh prints")
        return 0
    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), fresh.splitlines(True),
                                               "README.md (committed)", "docs/examples/compare.sh (now)"))
    print(f"{args.readme}: the compare example is stale; regenerate it with docs/examples/regenerate.sh BUILD_DIR",
          file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
