#!/usr/bin/env python3
"""Checks the promise table of docs/reliability.md (between <!-- promises -->
and <!-- /promises -->): every row names at least one test, and every test it
names exists. A name is a ctest name (`*` matches any run of characters) or
`fuzz:NAME`, a target of scripts/fuzz.sh. Exit 1 with what is wrong.

Usage: check-promises.py BUILD_DIR [--doc FILE]
"""
import fnmatch
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ctest_names(build_dir):
    out = subprocess.run(["ctest", "-N"], cwd=build_dir, capture_output=True, text=True, check=True).stdout
    return [m.group(1) for m in re.finditer(r"^\s*Test\s+#\d+: (\S+)\s*$", out, re.M)]


def fuzz_targets():
    text = open(os.path.join(ROOT, "scripts", "fuzz.sh")).read()
    m = re.search(r"^targets=\(([^)]*)\)", text, re.M)
    return m.group(1).split() if m else []


def rows(doc):
    text = open(doc).read()
    m = re.search(r"<!-- promises -->(.*?)<!-- /promises -->", text, re.S)
    if not m:
        sys.exit(f"{doc}: no promise table (<!-- promises --> … <!-- /promises -->)")
    for line in m.group(1).splitlines():
        line = line.strip()
        if not line.startswith("|") or line.startswith("|---") or line.startswith("| promise |"):
            continue
        cells = [c.strip() for c in line.strip("|").rsplit("|", 1)]
        yield cells[0], re.findall(r"`([^`]+)`", cells[1] if len(cells) > 1 else "")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    build_dir = sys.argv[1]
    doc = sys.argv[sys.argv.index("--doc") + 1] if "--doc" in sys.argv else os.path.join(ROOT, "docs", "reliability.md")
    tests, fuzz = ctest_names(build_dir), fuzz_targets()
    problems, count, names = [], 0, 0
    for promise, refs in rows(doc):
        count += 1
        if not refs:
            problems.append(f"no test proves: {promise}")
        for ref in refs:
            names += 1
            if ref.startswith("fuzz:"):
                if ref[5:] not in fuzz:
                    problems.append(f"{ref}: not a target of scripts/fuzz.sh ({promise[:60]})")
            elif not fnmatch.filter(tests, ref):
                problems.append(f"{ref}: no such ctest test ({promise[:60]})")
    if count == 0:
        problems.append(f"{doc}: the promise table has no rows")
    for p in problems:
        print(f"check-promises: {p}")
    if problems:
        print(f"check-promises: {len(problems)} problem(s) in {doc}; fix the table or the tests")
        return 1
    print(f"check-promises: {count} promises, {names} tests named, all exist")
    return 0


if __name__ == "__main__":
    sys.exit(main())
