"""The only place the suites look at the vault's files instead of asking modelvaultctl:
leftovers that no command shows (docs/FORMAT.md, vault format 1). When the format
changes, this file changes with it.

- tmp/ holds writes in progress: empty once the daemon is idle;
- an orphan is an archive without its sidecar (an interrupted commit the daemon must
  remove at start) or a sidecar the daemon does not list (a version it hides).
"""

import os
from pathlib import Path

ARCHIVE_SUFFIXES = (".tar.zst", ".tar.gz", ".tar.xz", ".tar")


def tmp_entries(vault):
    try:
        return sorted(os.listdir(Path(vault) / "tmp"))
    except FileNotFoundError:
        return []


def _stem(name):
    for suffix in (".json",) + ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def orphans(vault, listed_count):
    """Problems with the version files under models/: archives without a sidecar, and a
    sidecar count different from the number of versions `list` shows."""
    problems = []
    sidecars = 0
    for folder, _, files in os.walk(Path(vault) / "models"):
        stems_with_sidecar = {_stem(f) for f in files if f.endswith(".json")}
        sidecars += len(stems_with_sidecar)
        for name in files:
            if name.endswith(ARCHIVE_SUFFIXES) and _stem(name) not in stems_with_sidecar:
                problems.append(f"archive without a sidecar: {Path(folder) / name}")
    if sidecars != listed_count:
        problems.append(f"{sidecars} sidecars in the vault but `list` shows {listed_count} versions")
    return problems
