"""What the sweeps check after a cut, through modelvaultctl as a user would: versions
listed, restored byte for byte, verified with `--read-data --all`, removals recorded in
the history; and the leftovers no command shows (tmp/, legacy/, stray manifests).
"""

import hashlib
import shutil
from pathlib import Path

from harness import vault_files


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def listed(daemon, model=None):
    """{(model, version): row} from `list --json`, or None when it fails."""
    result = daemon.ctl("list", *([model] if model else []), timeout=120)
    if not result.ok or not result.data:
        return None
    return {(r["model"], r["version"]): r for r in result.data["versions"]}


def removed_in_history(daemon, model):
    """Versions of `model` whose removal its history records."""
    result = daemon.ctl("history", model, timeout=120)
    records = (result.data or {}).get("history", []) if result.ok else []
    return {r.get("from") for r in records if r.get("pointer") == "removed"}


def restored_files(daemon, selector, target):
    """Restores `selector` into `target`; returns ({relative path: sha256}, error text)."""
    shutil.rmtree(target, ignore_errors=True)
    result = daemon.ctl("restore", selector, "--to", str(target), timeout=300)
    found = {}
    if Path(target).is_dir():
        for path in Path(target).rglob("*"):
            if path.is_file():
                found[str(path.relative_to(target))] = sha256(path.read_bytes())
    shutil.rmtree(target, ignore_errors=True)
    return found, ("" if result.ok else str(result))


def check_restores(report, daemon, where, expected, target, quiet=True):
    """Each (model, version) of `expected` ({key: {path: sha256}}) restores to exactly
    those files."""
    ok = True
    for (model, version), files in sorted(expected.items()):
        found, error = restored_files(daemon, f"{model}@{version}", target)
        ok &= report.check(f"{where}: {model}@{version} restores byte-exact",
                           not error and found == files,
                           error or f"restored {sorted(found.items())}, expected "
                                    f"{sorted(files.items())}", quiet=quiet)
    return ok


def check_verify(report, daemon, where, quiet=True):
    result = daemon.ctl("verify", "--all", "--read-data", timeout=900)
    failed = [r for r in (result.data or {}).get("results", []) if not r.get("ok")]
    return report.check(f"{where}: verify --all --read-data passes", result.ok and not failed,
                        f"{result}; failed: {failed[:5]}", quiet=quiet)


def check_leftovers(report, daemon, where, versions, quiet=True):
    """tmp/ empty once idle, no manifest the daemon hides, no format-1 file, no legacy/."""
    vault = Path(daemon.vault)
    problems = vault_files.orphans(vault, versions)
    problems += [f"tmp/ holds {n}" for n in vault_files.tmp_entries(vault)]
    legacy = vault / "legacy"
    if legacy.exists():
        problems += [f"legacy/ holds {p.relative_to(legacy)}" for p in legacy.rglob("*")
                     if p.is_file()] or ["legacy/ exists"]
    return report.check(f"{where}: no leftovers (tmp/, orphans, legacy/)", not problems,
                        "; ".join(problems[:10]), quiet=quiet)


def packs_on_disk(vault):
    """Names of the pack files under VAULT/packs."""
    folder = Path(vault) / "packs"
    return {p.name for p in folder.rglob("*") if p.is_file()} if folder.is_dir() else set()
