"""The only place the suites look at the vault's files instead of asking modelvaultctl:
leftovers that no command shows (docs/FORMAT.md, vault format 2). When the format
changes, this file changes with it.

- tmp/ holds writes in progress: empty once the daemon is idle;
- an orphan is a manifest the daemon does not list (a version it hides), or a version
  file of format 1 (an archive or a sidecar under models/) left after the upgrade.
"""

import os
from pathlib import Path

FORMAT1_SUFFIXES = (".json", ".tar.zst", ".tar.gz", ".tar.xz", ".tar")


def tmp_entries(vault):
    try:
        return sorted(os.listdir(Path(vault) / "tmp"))
    except FileNotFoundError:
        return []


def orphans(vault, listed_count):
    """Problems with the version files: a manifest count different from the number of
    versions `list` shows, and format-1 version files under models/."""
    problems = []
    try:
        manifests = [n for n in os.listdir(Path(vault) / "manifests") if n.endswith(".json")]
    except FileNotFoundError:
        manifests = []
    for folder, _, files in os.walk(Path(vault) / "models"):
        for name in files:
            if name.endswith(FORMAT1_SUFFIXES):
                problems.append(f"a format-1 version file: {Path(folder) / name}")
    if len(manifests) != listed_count:
        problems.append(
            f"{len(manifests)} manifests in the vault but `list` shows {listed_count} versions")
    return problems
