"""A full disk and exhausted inodes, on a small tmpfs holding the vault.

Models are saved until backups fail for lack of space (or of inodes). Then: the daemon
is up and says why, no version is partial or lost, tmp/ is clean, a restart while full
works, and once space is back (the tmpfs grown by a remount) every model is backed up.
"""

import os
import subprocess

from harness import invariants
from harness import models as m
from harness.daemon import Daemon
from harness.ledger import Ledger


def cannot_run():
    if os.geteuid() != 0:
        return "needs root to mount a small tmpfs"
    return None


def mount_tmpfs(where, options):
    where.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], check=True)


def remount(where, options):
    subprocess.run(["mount", "-o", f"remount,{options}", str(where)], check=True)


def fill(daemon, rng, size, limit):
    """Saves new models until a backup fails; returns the models saved."""
    saved = {}
    for i in range(limit):
        name = f"lab/m{i}.pkl"
        saved[name] = m.pickle_bytes(rng, size)
        m.save(daemon.models / name, saved[name], atomic=False)
        daemon.wait_idle(60)
        if daemon.status()["counters"]["failures"] > 0:
            return saved
    return saved


def exhaust(report, daemon, rng, what, size, limit, grow):
    ledger = Ledger()
    daemon.start()
    saved = fill(daemon, rng, size, limit)
    status = daemon.status()
    error = (status.get("last_error") or {}).get("message", "")
    report.check(f"{what}: backups fail once the vault's file system is full",
                 status["counters"]["failures"] > 0, f"{len(saved)} models backed up without a failure")
    report.note(f"after {len(saved)} models the daemon says: {error}")
    report.check(f"{what}: the error names the cause", "No space left" in error, error)
    invariants.check_all(report, daemon, ledger, f"{what}, full", idle_timeout=60)
    manual = daemon.ctl("backup", list(saved)[-1], timeout=120)
    report.check(f"{what}: a manual backup fails and says why",
                 not manual.ok and "No space left" in manual.out + manual.err, str(manual))
    daemon.kill()
    daemon.start()
    invariants.check_all(report, daemon, ledger, f"{what}, restarted while full", idle_timeout=60)
    remount(daemon.vault.parent, grow)
    retried = daemon.ctl("backup", "--all", timeout=300)
    report.check(f"{what}: once space is back, `backup --all` succeeds", retried.ok, str(retried))
    rows = invariants.check_all(report, daemon, ledger, f"{what}, recovered", idle_timeout=120)
    missing = sorted(set(saved) - {r["model"] for r in rows})
    report.check(f"{what}: every model has a version after the recovery", not missing, str(missing[:10]))
    code = daemon.stop()
    report.check(f"{what}: the daemon stops cleanly", code == 0, f"exit {code}")


def run(report, options, rng, bin_dir, work):
    report.section("full disk and exhausted inodes on a small tmpfs")
    cases = [("full disk", "size=24m,nr_inodes=10000", 3 << 20, 20, "size=256m"),
             ("no inodes", "size=256m,nr_inodes=48", 4096, 60, "nr_inodes=10000")]
    for what, mount_options, size, limit, grow in cases:
        space = work / what.replace(" ", "-")
        mount_tmpfs(space, mount_options)
        try:
            daemon = Daemon(bin_dir, space.with_name(space.name + "-daemon"), vault=space / "vault")
            (daemon.models / "lab").mkdir(parents=True, exist_ok=True)
            daemon.config["watches"] = [{"name": "lab", "path": str(daemon.models / "lab"),
                                         "settle": "200ms"}]
            exhaust(report, daemon, rng, what, size, limit, grow)
        finally:
            if daemon.alive():
                daemon.kill()
            subprocess.run(["umount", str(space)], check=False)
