"""A power cut at every file-system operation of the upgrade from format 1
(docs/FORMAT.md "Migration from format 1"), on a copy of tests/fixtures/vault-format1.

After each cut, before anything restarts, the backing folder must hold each version
either migrated (a format-2 manifest that hashes to its name) or still in format 1 (its
sidecar and archive exactly as in the fixture, so that it migrates again). Then the
daemon starts on it, finishes the upgrade, and every version of the fixture must be
listed with its number, sequence, time, tags and note, restore byte-exact (the SHA-256
its format-1 sidecar recorded) and verify; the history keeps its records; nothing is in
legacy/ (only damaged versions go there, and the fixture has none).
"""

import hashlib
import json
from pathlib import Path

from sweeps import checks
from sweeps.cutting import (NEVER, Target, Work, cut_once, mount_clean, sweep, take_snapshot,
                            vault_json_version)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "vault-format1"


def fixture_versions():
    """{(model, version): the format-1 sidecar, plus `_sidecar`/`_archive`: the paths
    of its files relative to the vault}."""
    found = {}
    for sidecar in sorted((FIXTURE / "models").rglob("*.json")):
        if sidecar.name == "history.jsonl":
            continue
        manifest = json.loads(sidecar.read_text())
        manifest["_sidecar"] = sidecar.relative_to(FIXTURE)
        manifest["_archive"] = sidecar.parent.relative_to(FIXTURE) / manifest["archive"]["file"]
        found[(manifest["model"], manifest["version"])] = manifest
    return found


def configure(daemon):
    daemon.config["watches"] = [{"name": "lab", "path": str(daemon.models / "lab"),
                                 "settle": "300ms", "sidecars": ["{stem}.metrics.json"]}]
    (daemon.models / "lab").mkdir(parents=True, exist_ok=True)


def start_daemon(daemon):
    """The upgrade runs when the daemon opens the vault, before it answers."""
    def start(fs):
        fs.arm()
        daemon.launch()
        return Work(lambda: not daemon.alive() or daemon._answers())
    return start


def migrated_manifests(vault):
    """{(model, version, sequence)} of the intact format-2 manifests (each must hash to
    its name) in `vault`, and the names of those that do not."""
    found, torn = set(), []
    folder = Path(vault) / "manifests"
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != path.stem:
            torn.append(path.name)
            continue
        manifest = json.loads(data)
        found.add((manifest["model"], manifest["version"], manifest["sequence"]))
    return found, torn


def same_as_fixture(vault, relative):
    path = Path(vault) / relative
    return path.is_file() and path.read_bytes() == (FIXTURE / relative).read_bytes()


def check_cut_state(report, vault, versions, where):
    """What the cut left, before any restart: each version migrated or still format 1."""
    migrated, torn = migrated_manifests(vault)
    problems = [f"manifest {name} does not hash to its name" for name in torn]
    for (model, version), old in sorted(versions.items()):
        if (model, version, old["sequence"]) in migrated:
            continue
        if not (same_as_fixture(vault, old["_sidecar"]) and same_as_fixture(vault, old["_archive"])):
            problems.append(f"{model} {version}: neither migrated nor intact in format 1")
    if vault_json_version(vault) == 2 and len(migrated) < len(versions):
        problems.append("vault.json says format 2 before every version was migrated")
    return report.check(f"{where}: each version migrated or still format 1 and intact",
                        not problems, "; ".join(problems[:10]), quiet=True)


def comparable(manifest):
    """A manifest without what the upgrade changes by design (format, storage, chunks)
    and the pointers `show` adds to the tags (docs/PROTOCOL.md "show")."""
    kept = {k: v for k, v in manifest.items()
            if not k.startswith("_") and k not in ("format_version", "archive", "storage", "revision")}
    kept["tags"] = [t for t in kept.get("tags", []) if t not in ("best", "current")]
    kept["files"] = [{k: v for k, v in f.items() if k != "chunk_count"}
                     for f in kept.get("files", [])]
    return kept


def check_restarted(report, daemon, versions, where):
    """The daemon finished the upgrade: everything of the fixture is there."""
    daemon.wait_idle(120)
    ok = report.check(f"{where}: vault.json says format 2",
                      vault_json_version(daemon.vault) == 2, daemon.log_tail(), quiet=True)
    rows = checks.listed(daemon)
    if not report.check(f"{where}: list answers", rows is not None, daemon.log_tail(), quiet=True):
        return False
    wrong = [f"{key} missing" for key in sorted(set(versions) - set(rows))]
    for key in sorted(set(versions) & set(rows)):
        shown = daemon.ctl("show", f"{key[0]}@{key[1]}", timeout=60)
        before, after = comparable(versions[key]), comparable(shown.data or {})
        if any(before[f] != after.get(f) for f in before):
            wrong.append(f"{key}: " + ", ".join(f"{f}: {before.get(f)!r:.80} -> {after.get(f)!r:.80}"
                                                for f in sorted(before)
                                                if before.get(f) != after.get(f)))
    extra = sorted(set(rows) - set(versions))
    ok &= report.check(f"{where}: every version kept every field of its format-1 manifest",
                       not wrong and not extra, f"{wrong[:3]} extra {extra}", quiet=True)
    ok &= report.check(f"{where}: the history keeps the removal of lab/dqn.pkl 1.0.0",
                       "1.0.0" in checks.removed_in_history(daemon, "lab/dqn.pkl"), quiet=True)
    ok &= checks.check_verify(report, daemon, where)
    expected = {key: {f["path"]: f["sha256"] for f in old["files"]} for key, old in versions.items()}
    ok &= checks.check_restores(report, daemon, where, expected, daemon.root / "restored")
    ok &= checks.check_leftovers(report, daemon, where, len(rows))
    return ok


def run(report, options, fs, daemon, rng, work):
    report.section("power cut at every operation of the migration from format 1")
    versions = fixture_versions()
    report.check("migration: the fixture holds 5 format-1 versions", len(versions) == 5,
                 str(sorted(versions)))
    snapshot = work / "migration-snapshot"
    take_snapshot(FIXTURE, snapshot / "vault")
    configure(daemon)
    cut = cut_once(fs, daemon, snapshot, start_daemon(daemon), options.seed, "lose-all", NEVER)
    total = cut.get("operations_armed", 0)
    report.note(f"migration: the reference upgrade: {total} operations in {cut['seconds']:.1f} s")
    if not report.check("migration: the reference upgrade made file-system operations", total > 0,
                        str(cut)):
        return
    def after_cut(where, seed):
        check_cut_state(report, fs.backing / "vault", versions, where)
        mount_clean(fs, seed)
        try:
            daemon.start()
            check_restarted(report, daemon, versions, f"{where}, restarted")
        finally:
            daemon.kill()
            fs.unmount()
    target = Target(fs, daemon, snapshot, lambda: start_daemon(daemon))
    sweep(report, options, "migration", total, options.migration_cuts, target, after_cut)
