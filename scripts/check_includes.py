#!/usr/bin/env python3
"""Checks the include rules of ARCHITECTURE.md ("Who may include whom"): every product
source includes headers only of its own component and of those in its row. Exit 0 when
every include follows the table, 1 with each offending line, 2 when the table is missing.

  scripts/check_includes.py [SOURCE_DIR]
"""

import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)/')
ROW = re.compile(r"^\|\s*([a-z0-9_]+)\s*\|\s*([^|]*)\|\s*$")
EXEMPT = {"tests", "bench", "build", "scripts", "docs", "cmake", "packaging", "third_party"}


def read_table(architecture):
    """component -> the set of components it may include, from the table's rows."""
    text = architecture.read_text(encoding="utf-8")
    start = text.find("### Who may include whom")
    if start < 0:
        return None
    rules = {}
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        match = ROW.match(line)
        if match and match.group(1) != "component":
            allowed = match.group(2).replace("—", " ").split()
            rules[match.group(1)] = set(allowed) | {match.group(1)}
    return rules


def source_folders(root):
    """Top-level folders that hold C++ sources: the components."""
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.name.startswith((".", "build")) or folder.name in EXEMPT:
            continue
        if any(folder.rglob("*.cpp")) or any(folder.rglob("*.hpp")):
            yield folder


def main(argv):
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent.parent)
    rules = read_table(root / "ARCHITECTURE.md")
    if not rules:
        print("check_includes: ARCHITECTURE.md has no 'Who may include whom' table", file=sys.stderr)
        return 2
    problems = []
    for folder in source_folders(root):
        component = folder.name
        if component not in rules:
            problems.append(f"{component}/: a component with no row in ARCHITECTURE.md's "
                            "'Who may include whom' table: add one")
            continue
        for path in sorted(folder.rglob("*.[ch]pp")):
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace")
                                          .splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = match.group(1)
                if target in rules and target not in rules[component]:
                    problems.append(f"{path.relative_to(root)}:{number}: {component} includes "
                                    f"{target}/, which its row in ARCHITECTURE.md does not allow")
    for problem in problems:
        print(f"check_includes: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
